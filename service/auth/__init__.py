"""Staff users, their roles and bearer tokens; the gate every API route passes through."""
