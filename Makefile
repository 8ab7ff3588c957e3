# One command builds everything: `make all`; then `make test`.
# The environment is created on first use in .venv/ from the pinned
# requirements.txt + constraints.txt (needs only python3.11+, pip and make).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
FORCE  ?=
BUILD_FLAGS := $(if $(FORCE),--force,) $(if $(SHOW_CODE),--show-code,)

.PHONY: all setup validate build test lab clean

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
# write outputs/manifest.json. FORCE=1 re-executes unchanged notebooks;
# SHOW_CODE=1 keeps code cells in the HTML.
build: $(STAMP)
	$(PY) -m police_lists build $(BUILD_FLAGS)

test: $(STAMP)
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf outputs data/derived .pytest_cache
