"""The referral record at the API boundary."""
