"""Application layer: composes several domains per country (country hub, coverage gaps, later the
briefs)."""
