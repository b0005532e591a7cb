"""The `lens` command: parses arguments, calls the domain, renders tables or JSON."""
