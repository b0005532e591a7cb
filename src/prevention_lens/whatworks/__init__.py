"""The evidence library: what prevention approaches work, where they transfer, found in any
language. Not to be confused with evidence *files* attached to incident records
(``incidents/evidence.py``)."""
