"""Readers of data/: the claims index, census tables, manual decisions and new lists (input contract)."""
