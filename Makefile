# Every target installs what it needs on first use: uv (through pip) and the locked workspace.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
ROLE ?= admin
PYTEST_WORKERS ?= auto
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

.PHONY: help install run test test-fast lint fmt up down token bench

help:
	@echo "make run | test | lint | fmt | up | down | token ROLE=admin | install"

.venv/.synced: pyproject.toml uv.lock shared/pyproject.toml services/*/pyproject.toml embedded/pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --python 3.11
	@touch $@

install: .venv/.synced

run: install  ## the three services in one process: SQLite under var/, in-memory bus, demo data
	$(UV) run --frozen python -m clinic_embedded

test: install  ## the whole suite, in parallel, on real PostgreSQL and RabbitMQ
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) --dist loadfile

test-fast: install  ## the SQLite/in-memory half only, for a quick loop (not what CI runs)
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) -m "not postgres and not rabbitmq and not system"

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy shared/src services/scheduling/src services/inventory/src services/notifications/src services/dashboard/src embedded/src

fmt: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

up:  ## the production shape: PostgreSQL, RabbitMQ and each service in its container
	$(COMPOSE) up --build

down:
	$(COMPOSE) down

bench: install  ## issue 8's benchmarks on the local PostgreSQL and RabbitMQ (not part of test)
	$(UV) run --frozen python bench/run.py

token: install  ## prints a bearer token for ROLE as the last line
	@$(UV) run --frozen python -m clinic_shared.tokens --role $(ROLE)
