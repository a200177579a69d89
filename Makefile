# iFarm: `make run` starts the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# The first interpreter of 3.12 or newer: on PATH, then under pyenv.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	$$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$c; break; }; done)

.PHONY: run test setup demo bench check clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.12 or python3.13 on PATH)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed
	mkdir -p var/media
	$(BIN)/pybabel compile -d locale -D django >/dev/null  # the French and Kiswahili catalogues (no system gettext needed)
	$(BIN)/python manage.py migrate --no-input

demo: setup
	$(BIN)/python manage.py seed_demo

run: export DEBUG ?= true
run: demo
	@echo ""
	@echo "  iFarm is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Demo owner:  owner@demo.ifarm.test  /  demo-farm-2026"
	@echo "  Demo worker: worker@demo.ifarm.test /  demo-farm-2026 (home farm only)"
	@echo "  Manager:     manager@demo.ifarm.test, accountant: accountant@demo.ifarm.test, vet: vet@demo.ifarm.test (same password)"
	@echo "  Admin:       admin@demo.ifarm.test  /  demo-farm-2026"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start

# The suite's OpenID provider (oidc-provider from the npm registry), for the single sign-on tests.
tests/idp/node_modules/.installed: tests/idp/package.json tests/idp/package-lock.json
	npm ci --prefix tests/idp --no-audit --no-fund --silent
	touch $@

test: setup tests/idp/node_modules/.installed
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

check: setup
	$(BIN)/python manage.py check --fail-level WARNING

bench: setup
	$(BIN)/python bench/animal_list.py

clean:
	rm -rf $(VENV) var
