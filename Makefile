# Mutua — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
NAME ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test lint fmt bench install messages clean

help: ## Show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed ## Build the virtual environment from the lock file
	$(BIN)/mutua compilemessages_po

run: install ## Migrate, load the demo when empty, serve web + worker on 127.0.0.1:$(PORT)
	$(BIN)/mutua migrate --no-input
	$(BIN)/mutua demo --if-empty
	PORT=$(PORT) $(BIN)/mutua serve

test: install lint ## Run the whole suite (PostgreSQL, Redis, Chromium parts skip unless CI=true)
	$(BIN)/pytest -n 2 --dist loadgroup $(ARGS)

lint: install ## ruff check, ruff format --check, mypy on src/
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

fmt: install ## Format and auto-fix
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

messages: install ## Extract translatable strings into the .po files (needs GNU gettext)
	cd src/mutua && DJANGO_SETTINGS_MODULE=mutua.settings_test ../../$(BIN)/python -m django makemessages -l es --no-obsolete --ignore='migrations/*' --ignore='settings*.py'
	$(BIN)/mutua compilemessages_po

bench: install ## Run benchmarks/NAME.py at full size, or all of them
	@if [ -n "$(NAME)" ]; then $(BIN)/python benchmarks/$(NAME).py; \
	else for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done; fi

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var test-artifacts
