# Every target installs what it needs on first use: uv (through pip) and the locked workspace.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
ROLE ?= admin
PYTEST_WORKERS ?= auto
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

.PHONY: help install run test test-fast lint fmt up down token bench backup restore assets messages .uv

help:
	@echo "make run | test | lint | fmt | up | down | token ROLE=admin [PRACTITIONER=id] | backup | restore FROM=dir | install | assets"

LOCKED := pyproject.toml uv.lock shared/pyproject.toml testkit/pyproject.toml services/*/pyproject.toml embedded/pyproject.toml

.uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Everything, the test and lint tools too.
.venv/.synced: $(LOCKED) | .uv
	$(UV) sync --frozen --python 3.11
	@touch $@ .venv/.runtime-synced

# What the product needs to run, added to what is there (--inexact): after a `make test`,
# `make run` removes nothing, and after a `make run`, `make test` only adds the test tools.
.venv/.runtime-synced: $(LOCKED) | .uv
	$(UV) sync --frozen --python 3.11 --no-dev --inexact
	@touch $@

install: .venv/.synced

run: .venv/.runtime-synced  ## the services and dashboard in one process: embedded PostgreSQL under var/, in-memory bus, demo data
	$(UV) run --frozen --no-sync python -m clinic_embedded

test: install  ## the whole suite, in parallel, on real PostgreSQL and RabbitMQ
	@scripts/test-prerequisites
	$(UV) run --frozen --no-sync pytest -n $(PYTEST_WORKERS) --dist loadfile

test-fast: install  ## the pure unit tests only, for a quick loop (not what CI runs)
	$(UV) run --frozen --no-sync pytest -n $(PYTEST_WORKERS) shared/tests/unit services/*/tests/unit

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy shared/src testkit/src services/scheduling/src services/inventory/src services/notifications/src services/dashboard/src embedded/src

fmt: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

up:  ## the production shape: PostgreSQL, RabbitMQ and each service in its container
	$(COMPOSE) up --build

down:
	$(COMPOSE) down

bench: install  ## issue 8's benchmarks on the local PostgreSQL and RabbitMQ (not part of test); ONLY=peer,booking,... for some
	$(UV) run --frozen python bench/run.py $(if $(ONLY),--only $(ONLY))

backup: .venv/.runtime-synced  ## pg_dump of every service's database (embedded under var/, or <SERVICE>_DATABASE_URL) into backups/<UTC time>/, or TO=dir
	$(UV) run --frozen --no-sync python -m clinic_embedded.backup backup $(if $(TO),--to "$(TO)")

restore: .venv/.runtime-synced  ## FROM=backups/<time>: each service's database replaced by its dump (stop the services first)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<time>" >&2; exit 2; }
	$(UV) run --frozen --no-sync python -m clinic_embedded.backup restore "$(FROM)"

token: .venv/.runtime-synced  ## prints a bearer token for ROLE as the last line (ROLE=practitioner PRACTITIONER=<id>)
	@$(UV) run --frozen --no-sync python -m clinic_shared.tokens --role $(ROLE) $(if $(PRACTITIONER),--practitioner-id $(PRACTITIONER))

DASHBOARD_LOCALE := services/dashboard/src/dashboard/locale
messages: install  ## after changing the dashboard's wording: its strings extracted, the French catalogue updated (then translate what is new)
	cd services/dashboard && $(UV) run --frozen --no-sync pybabel extract -F babel.cfg -k N_ -k NC_:1c,2 --no-location --sort-output --omit-header -o src/dashboard/locale/messages.pot .
	$(UV) run --frozen --no-sync pybabel update -i $(DASHBOARD_LOCALE)/messages.pot -d $(DASHBOARD_LOCALE) -l fr --no-fuzzy-matching

assets:  ## after changing services/dashboard/assets/package.json: npm ci, then copy the libraries into static/vendor (committed)
	services/dashboard/assets/vendor.sh
