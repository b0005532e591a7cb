"""The sector lexicon: one concept scheme per sector language, mappings between them, and the
tools that let one analysis speak to development, security, humanitarian, human-rights,
community and peacebuilding readers (docs/lexicon.md)."""
