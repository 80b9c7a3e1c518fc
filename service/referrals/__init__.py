"""Referrals: the checks stored beside each referral, triage facts, corrections, consent and attachments."""
