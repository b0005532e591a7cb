"""Documentation and monitoring: incident records, imports, custody, escalation signals."""
