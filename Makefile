# GMV Backend — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: demo test lint venv services browsers migration-initial clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## services: make sure MariaDB and Redis answer; start them when installed but stopped.
services:
	@bash scripts/ensure-services.sh

## browsers: Debian's Chromium for the Playwright tests (never a downloaded browser build).
browsers:
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh

test: venv services browsers
	$(BIN)/ruff check webapp tests bench
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check webapp tests bench

## demo: Redis must answer (started when installed); the demo itself runs on SQLite unless DATABASE_URL is set.
demo: venv
	@bash scripts/ensure-services.sh redis
	GMV_DEMO=1 $(BIN)/flask demo $(DEMO_ARGS)

## migration-initial: regenerate migrations/versions/0001_initial.py from the models (only while
## nothing has been released; after that every schema change is a new reviewed migration).
migration-initial: venv services
	mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS gmv_migrate_tmp; CREATE DATABASE gmv_migrate_tmp CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	rm -f migrations/versions/0001_initial.py
	GMV_DEMO=1 DATABASE_URL="mysql+pymysql://root@127.0.0.1:3306/gmv_migrate_tmp?charset=utf8mb4" $(BIN)/flask db migrate -m initial --rev-id 0001
	mv migrations/versions/0001_initial_.py migrations/versions/0001_initial.py 2>/dev/null || true
	mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS gmv_migrate_tmp"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
