# Two commands build and check everything: `make all`, then `make test`.
# The environment is created on first use in .venv/ from the pinned
# requirements.txt + constraints.txt (needs only python3.11+, pip and make);
# `make test` also installs Debian's chromium for the browser test when it is
# missing (see `chromium` below).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SETUP_LOG := $(VENV)/setup.log
FORCE  ?=
BUILD_FLAGS := $(if $(FORCE),--force,) $(if $(SHOW_CODE),--show-code,)
DERIVED := outputs/derived/.derived
# The browser the browser test drives (tests/test_browser.py reads CHROMIUM).
CHROMIUM ?= /usr/bin/chromium
CHROMIUM_LOG ?= $(VENV)/chromium-install.log
export CHROMIUM
# pytest-xdist workers for `make test` (`make test JOBS=1`: one process).
JOBS ?= 2

.PHONY: all setup validate derive build test test-fast chromium lab clean teaching grade profile synth bench sync format

all: build

# $(call step,message,commands): one progress line; the commands' output goes to
# $(SETUP_LOG) and is shown only when they fail.
step = echo "$(1)"; { $(2); } >>$(SETUP_LOG) 2>&1 || { cat $(SETUP_LOG) >&2; \
	echo "failed: $(1) (the full log above is kept in $(SETUP_LOG))" >&2; exit 1; }

# Create the environment when it is missing or the pins changed. Quiet: pip's
# output is kept in $(SETUP_LOG).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@mkdir -p $(VENV) && : > $(SETUP_LOG)
	@$(call step,setup 1/3: creating the environment in $(VENV)/...,test -x $(PY) || $(PYTHON) -m venv $(VENV))
	@$(call step,setup 2/3: installing the pinned packages (about a minute)...,\
		$(PY) -m pip install --upgrade pip && $(PY) -m pip install -r requirements.txt -c constraints.txt)
	@$(call step,setup 3/3: installing the project (editable)...,$(PY) -m pip install --no-deps -e .)
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
# and checks that every notebook and its jupytext .py say the same. Independent
# tests run in $(JOBS) processes (pytest-xdist); the appendices are built once
# and shared (tests/conftest.py).
test: $(STAMP) chromium
	$(PY) -m pytest -n $(JOBS)

# The package and schema tests only (no notebook, build, browser or profile run).
test-fast: $(STAMP)
	$(PY) -m pytest -n $(JOBS) -m "not slow"

# Debian's chromium for the browser test: nothing to do when $(CHROMIUM) exists;
# otherwise apt-get installs it, as root or through sudo when sudo needs no
# password; otherwise stop and name the one command to run.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then SUDO="sudo -n"; \
	else echo "make test needs Debian's chromium at $(CHROMIUM) for the browser test; install it with:" >&2; \
		echo "    sudo apt-get install -y chromium" >&2; \
		echo "(or point CHROMIUM= at another Chromium binary)" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make test needs Chromium at $(CHROMIUM) for the browser test, and this machine has no apt-get:" >&2; \
		echo "install Chromium and run: make test CHROMIUM=/path/to/chromium" >&2; exit 1; fi; \
	log="$(CHROMIUM_LOG)"; mkdir -p "$$(dirname "$$log")"; \
	echo "installing Debian's chromium for the browser test (about a minute; log: $$log)..."; \
	if ! { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >$$log 2>&1; then \
		cat $$log >&2; echo "failed: apt-get install -y chromium (the log above is kept in $$log)" >&2; exit 1; fi; \
	if [ ! -x "$(CHROMIUM)" ]; then echo "apt-get installed chromium, but $(CHROMIUM) is still missing" >&2; exit 1; fi

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
# LIST may also be a folder of lists, or several files (split like a shell line
# when LIST is not itself one existing name): OUT/<name>/ for each, OUT/compare/.
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
