# Two commands for a newcomer: `make run` (the app with demo data) and `make test` (everything CI runs).
# Both install what they need: a local .venv from PyPI, Debian packages with apt-get where missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_PASSWORD ?= vises-demo
# PostgreSQL for the second test run: DATABASE_URL when it names one, else the local server.
PG_TEST_URL ?= $(if $(findstring postgres,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/vises)
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3

.PHONY: run test lint load bench messages system-deps system-deps-test clean

system-deps:
	@bash scripts/system-deps.sh run

system-deps-test:
	@bash scripts/system-deps.sh test

$(VENV)/.run-installed: requirements.txt | system-deps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | system-deps-test
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --demo-password "$(DEMO_PASSWORD)"
	@echo "Serving on http://127.0.0.1:$(PORT)/  (stop with Ctrl-C)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(SQLITE_URL) $(PY) manage.py makemigrations --check --dry-run

test: lint system-deps-test
	@echo "== pytest on SQLite =="
	DATABASE_URL=$(SQLITE_URL) $(VENV)/bin/pytest -n 2 -q
	@if $(PY) -c "import psycopg2, sys; psycopg2.connect('$(PG_TEST_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3)" 2>/dev/null; then \
		echo "== pytest on PostgreSQL =="; \
		DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -n 2 -q; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL does not answer at $(PG_TEST_URL) and REQUIRE_POSTGRES is set." >&2; exit 1; \
	else \
		echo "PostgreSQL does not answer at $(PG_TEST_URL): its run is skipped."; \
	fi

load: $(VENV)/.dev-installed
	$(VENV)/bin/pip install -q -r load/requirements.txt
	bash load/run.sh

bench: $(VENV)/.dev-installed
	$(PY) -m bench
	$(PY) -m bench.pages
	$(PY) -m bench.reports
	$(PY) -m bench.uploads

messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
