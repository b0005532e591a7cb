"""Users, passwords, logging in (throttled, with optional two-factor), sessions and API tokens."""
