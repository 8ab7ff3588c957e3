# One command builds everything: `make all`; then `make test`.
# The environment is created on first use in .venv/ from the pinned
# requirements.txt + constraints.txt (needs only python3.11+, pip and make).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
FORCE  ?=
BUILD_FLAGS := $(if $(FORCE),--force,) $(if $(SHOW_CODE),--show-code,)
DERIVED := outputs/derived/.derived

.PHONY: all setup validate derive build test lab clean teaching grade profile synth bench sync format

all: build

# Create the environment when it is missing or the pins changed.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

# Check every file in data/ against its schema; nothing runs if this fails.
validate: $(STAMP)
	$(PY) -m police_lists validate

# Validate, execute every notebook (papermill), convert to HTML (nbconvert),
# write outputs/html/index.html and outputs/manifest.json. FORCE=1 re-executes
# unchanged notebooks; SHOW_CODE=1 keeps code cells in the HTML.
build: $(STAMP) $(DERIVED)
	$(PY) -m police_lists build $(BUILD_FLAGS)

# The derived tables are redone only when a file in data/ or the package is
# newer than their stamp, so a no-change `make all` stays under two seconds
# (`make derive` always redoes them).
DERIVE_INPUTS := $(shell find data -type f) $(shell find src/police_lists -name '*.py')
$(DERIVED): $(STAMP) $(DERIVE_INPUTS)
	$(PY) -m police_lists derive
	@touch $@

# Benchmark tables (census shares by year, area, sex and age; victims) into
# outputs/derived/ (not inputs: the tests and curious readers read them), rebuilt
# from data/raw/ before the notebooks run.
derive: $(STAMP)
	$(PY) -m police_lists derive

# The test suite, which also runs ruff (lint and format check, tests/test_style.py)
# and checks that every notebook and its jupytext .py say the same.
test: $(STAMP)
	$(PY) -m pytest

# After editing a notebook or its paired .py (notebooks/**/*.py, jupytext percent
# format), bring the other in step.
sync: $(STAMP)
	$(VENV)/bin/jupytext --sync $(shell find notebooks -name '*.py')

# Apply the house style (ruff, configured in pyproject.toml).
format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests scripts
	$(VENV)/bin/ruff format src tests scripts

# Full build vs a naive papermill + nbconvert command-line loop over the same
# notebooks, and a no-change rebuild, timed side by side in temporary folders.
bench: $(STAMP)
	$(PY) scripts/bench_build.py

# Teaching pack: student and instructor version of every lesson in
# notebooks/teaching/ -> outputs/html/teaching/ (instructor checks must pass; the
# teaching index is outputs/html/teaching/index.html), and the classroom bundle
# outputs/teaching/ (student notebooks, the package as a wheel with its data, a README).
teaching: $(STAMP)
	$(PY) -m police_lists teaching

# Mark students' notebooks: each runs in a fresh kernel in its own temporary folder,
# TIME_LIMIT seconds a cell (default 60); OUT/grades.csv and OUT/feedback/<file>.html.
#   make grade SUBMISSIONS=handed_in/ OUT=/tmp/marks
# SUBMISSIONS and TIME_LIMIT pass as the profile target's LIST/OUT/PARAMS do (OUT is
# exported there): taken as typed with $(value ...), read from the environment.
override SUBMISSIONS := $(value SUBMISSIONS)
override TIME_LIMIT := $(value TIME_LIMIT)
export SUBMISSIONS TIME_LIMIT
grade: $(STAMP)
	@$(PY) -m police_lists grade --from-environment

# Profile any police list (record-level or aggregate, .csv or .xlsx) into OUT/:
# profile.html, notebook.ipynb, manifest.json, tables/, figures/. The list is
# validated first; on any problem OUT is left untouched. Example:
#   make profile LIST=data/examples/pima_synthetic_list.csv OUT=/tmp/p PARAMS='-p threshold 10'
# LIST, OUT and PARAMS never pass through a shell or through make's own
# expansion: $(value ...) takes each exactly as typed (make would otherwise run
# a $(shell ...) in it when putting it into the environment), `export` hands it
# to the program in its environment, and the program reads it from there
# (PARAMS split with shlex). A file name holding `...` or $(...) is just a name.
override LIST := $(value LIST)
override OUT := $(value OUT)
override PARAMS := $(value PARAMS)
export LIST OUT PARAMS
profile: $(STAMP)
	@$(PY) -m police_lists profile --from-environment

# Regenerate the SYNTHETIC teaching list in data/examples/ (IPF from the published Pima margins).
synth: $(STAMP)
	$(PY) -m police_lists synth --output-dir data/examples

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf outputs .pytest_cache
