# Huotong: `make demo` runs the seeded app, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PGBIN ?= $(shell ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PORT ?= 5000
export FLASK_APP := webapp

.PHONY: demo test test-sqlite test-postgres venv translations messages chromium pgbouncer lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.installed

## Compile the translation catalogues (.po → .mo).
translations: venv
	$(BIN)/pybabel compile -d webapp/translations --statistics 2>&1 | grep -v '^compiling' || true

## Extract new strings into the catalogues; then translate webapp/translations/zh_CN.
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching

## `PORT=5001 make demo` serves on another port; the bridge on this machine is told to allow it.
demo: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask load-demo
	@echo "The hardware bridge (huotong-bridge --simulate to try it) allows this port; pair the till with:"
	@$(BIN)/huotong-bridge pair --origin http://127.0.0.1:$(PORT) --origin http://localhost:$(PORT) | sed 's/^/  /'
	@echo "Huotong is at http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Debian's Chromium where present or installable, else Playwright's own download.
chromium: venv
	@scripts/ensure-chromium.sh $(BIN)/python

## PgBouncer's binary for tests/test_pgbouncer.py (installed with apt when root; the test skips without it).
pgbouncer:
	@scripts/ensure-pgbouncer.sh

test: venv translations chromium pgbouncer test-sqlite test-postgres

# tests/test_replica.py starts PostgreSQL clusters of its own: it runs once, in the PostgreSQL pass.
test-sqlite:
	$(BIN)/python -m pytest tests e2e --ignore=tests/test_replica.py

test-postgres:
	@if [ -n "$(PGBIN)" ]; then \
	  PGBIN=$(PGBIN) scripts/with-postgres.sh $(BIN)/python -m pytest tests; \
	else echo "PostgreSQL server binaries not found: skipping the PostgreSQL run"; fi

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python -m bench.bench_ledger
	$(BIN)/python -m bench.bench_till
	$(BIN)/python -m bench.bench_bridge

clean:
	rm -rf $(VENV) instance build *.egg-info
