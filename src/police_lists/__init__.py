"""police_lists: replicate published figures on London police lists.

Data flow: data/ (sourced, validated) -> this package (tested methods)
-> notebooks/ (the story, parameterised) -> outputs/ (tables, figures, HTML).
"""

import sys

# jsonschema (under nbformat, papermill and frictionless) imports the optional
# rfc3987_syntax for its "iri" format checker, which compiles ~40 lark grammars
# on import: 1.4 s of CPU in every process that validates data, runs a notebook
# or collects the tests (measured: `python -c "import rfc3987_syntax"`). No
# schema this project validates (nbformat's, frictionless's, ours) uses the
# "iri" formats (tests/test_environment.py checks), so it is never used; marking
# it absent makes jsonschema skip that checker (it tolerates the ImportError).
# It is installed at all only because jupyter-events asks for
# jsonschema[format-nongpl]. setdefault: a process that already imported it
# keeps it.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.1.0"
