"""Mapping prevention actors: the directory, relationships, network analysis and gaps."""
