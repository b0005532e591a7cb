"""Users, passwords, web login sessions and API tokens."""
