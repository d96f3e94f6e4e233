# Two commands do all the set-up on a fresh clone:
#   make demo   - a demo node on SQLite with a synthetic region
#   make test   - the whole test suite (SQLite and PostgreSQL)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	bash scripts/ensure-console-assets.sh
	$(BIN)/lexhub demo
	$(BIN)/lexhub serve --node demo --host 127.0.0.1 --port 8000

test: $(STAMP)
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-console-assets.sh --browser
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) lexhub.db lexhub.db-wal lexhub.db-shm demo-data
