"""police_lists: replicate published figures on London police lists.

Data flow: data/ (sourced, validated) -> this package (tested methods)
-> notebooks/ (the story, parameterised) -> outputs/ (tables, figures, HTML).
"""

__version__ = "0.1.0"
