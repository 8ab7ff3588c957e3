"""Presentation: the Appendix sink (tables, figures, prose) and how numbers are written."""
