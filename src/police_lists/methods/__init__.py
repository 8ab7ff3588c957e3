"""Methods: exact rounding arithmetic, statistics, disclosure control. Pure functions, no files."""
