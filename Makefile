# Two commands for a newcomer: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q
# The Nu HTML Checker, pinned, in an ignored folder of its own (it needs java to run).
VNU_VERSION := 26.9.27

.PHONY: run serve backup soak bench test lint validate format clean screenshots audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) -r requirements-dev.txt
	touch $@

# A fresh clone gets its own random secret key, kept in .env (which git ignores).
.env:
	@umask 077; echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > $@
	@echo "Wrote a new random SECRET_KEY to .env"

run: $(VENV)/.installed .env  ## Create the SQLite database if needed and serve on http://$(HOST):$(PORT)
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

bench: $(VENV)/.installed  ## Throughput, latency and memory against a floor and a FastAPI peer (BENCH_ARGS to tune)
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# One worker per CPU; a file's tests stay on one worker (some share a server or a Redis).
test: $(VENV)/.installed-dev  ## The whole suite, browser tests included
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev  ## What CI checks: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Its install script would download a Java of its own: skipped, the system's java runs it.
.vnu/.installed-$(VNU_VERSION):
	npm install --prefix .vnu --no-save --no-package-lock --ignore-scripts --no-audit --no-fund vnu-jar@$(VNU_VERSION)
	touch $@

validate: $(VENV)/.installed-dev .vnu/.installed-$(VNU_VERSION)  ## Every page and fragment through the Nu HTML Checker (needs java, npm)
	PYTHONPATH=. $(BIN)/python tests/validate_html.py

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) bench/.venv-peer .pytest_cache .ruff_cache .vnu .audit

screenshots: $(VENV)/.installed-dev  ## PNGs of every main state under docs/screenshots/ (Chromium)
	$(BIN)/python tools/screenshots.py

# Lighthouse, pinned, installed with npm into .audit/ (ignored by git) on first use.
LIGHTHOUSE_VERSION := 12.2.3
.audit/.installed-$(LIGHTHOUSE_VERSION):
	npm install --prefix .audit --no-audit --no-fund --save-exact lighthouse@$(LIGHTHOUSE_VERSION)
	touch $@

audit: $(VENV)/.installed-dev .audit/.installed-$(LIGHTHOUSE_VERSION)  ## Lighthouse: a11y, best practices, SEO 100 on four pages
	$(BIN)/python tools/audit.py

serve: $(VENV)/.installed .env  ## Production: granian on $$BIND (default 127.0.0.1:8000)
	$(BIN)/python serve.py

backup: $(VENV)/.installed .env  ## A checked copy of the SQLite database (also while serving) in instance/backups/
	$(BIN)/flask --app app backup instance/backups/app-$$(date -u +%Y%m%dT%H%M%SZ).db

soak: $(VENV)/.installed-dev  ## Load + killed workers + SIGTERM against `make serve` (SOAK_ARGS to tune)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)
