# Prevention Lens: `make demo` serves the app on the real data; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
LENS := $(VENV)/bin/lens
STAMP := $(VENV)/.installed
# The demo's store: by default the one every `lens` of this checkout uses (.lens/ here, or
# LENS_HOME / LENS_DATABASE_URL from the environment or .env); `make demo DEMO_HOME=…` for another.
DEMO_HOME ?=

.PHONY: setup system-deps demo-deps assets demo test lint typecheck pytest docs bench clean

setup: system-deps $(STAMP) assets

system-deps:
	@bash scripts/install-system-deps.sh

# The demo needs neither chromium nor postgresql (the tests do).
demo-deps:
	@bash scripts/install-system-deps.sh --demo

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json $(STAMP)
	$(PY) scripts/copy_assets.py

demo: demo-deps $(STAMP) assets
	$(if $(DEMO_HOME),LENS_HOME=$(DEMO_HOME) )bash scripts/demo.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/ruff format --check src tests scripts benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Test files run in parallel, one worker per core up to 4 (a file's tests stay on one worker,
# so module fixtures are built once); each worker starts its own PostgreSQL on loopback.
pytest: setup
	$(VENV)/bin/pytest -n auto --maxprocesses 4 --dist loadfile

test: setup lint typecheck pytest

docs: $(STAMP)
	$(PY) scripts/cli_reference.py > docs/cli.md

bench: setup
	@for script in benchmarks/*.py; do $(PY) $$script; done

clean:
	rm -rf $(VENV) node_modules src/prevention_lens/web/static/vendor .pytest_cache .mypy_cache .ruff_cache
