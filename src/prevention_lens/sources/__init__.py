"""Readers of source files: each turns one file format into validated, typed records."""
