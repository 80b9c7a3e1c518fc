"""Readers that turn a completed assessment form (PDF, Word, scan) into a referral record."""
