"""Family contact details for letters, kept beside the referral rather than in its record."""
