"""The audit trail: who did what to which object, when. Details hold ids and outcomes only."""
