# Opening Day — the two commands of the quick start, and their helpers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test lint typecheck unit e2e bench clean

# Create the virtual environment and install the app and its test tools (first use only,
# and again whenever pyproject.toml changes).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## Start the app on the demo business (loaded into the store on first run).
run: $(STAMP)
	$(PY) -m analytics demo
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.address 127.0.0.1

## Start the app as a shared server (several businesses): each workspace opens only with its
## passphrase (set it with `make run` → Settings, or `python -m analytics workspace passphrase`).
## No demo is loaded. Listens on 127.0.0.1 unless SHARED_ADDRESS says otherwise.
SHARED_ADDRESS ?= 127.0.0.1
.PHONY: run-shared
run-shared: $(STAMP)
	OPENING_DAY_SHARED=1 $(PY) -m streamlit run serve.py --server.port $(PORT) --server.address $(SHARED_ADDRESS)

## The whole suite: lint, format check, types, unit + page tests, browser tests.
test: $(STAMP) lint typecheck
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest -m "not e2e"

e2e: $(STAMP)
	$(PY) -m pytest -m e2e

## Timing runs at the large scale (not part of `make test`).
bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
