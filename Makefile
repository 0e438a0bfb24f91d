# vinyasa — `make serve` and `make test` are all a fresh machine needs (Python >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export VINYASA_DATABASE_URL ?= sqlite:///data/vinyasa.db

.PHONY: install serve test check bench bench-smoke coverage clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv from the lock file

serve: install  ## migrate the database, bootstrap it on first start (prints a token), serve
	$(BIN)/vinyasa serve --host $(HOST) --port $(PORT)

test: install  ## the whole suite, on SQLite and PostgreSQL
	$(BIN)/pytest

check: install  ## ruff + mypy --strict
	$(BIN)/ruff check vinyasa tests migrations bench tools
	$(BIN)/ruff format --check vinyasa
	$(BIN)/mypy vinyasa

bench: install  ## performance against the targets (needs wrk)
	$(BIN)/python -m bench.run

bench-smoke: install  ## a few seconds of the benchmark, numbers not gated
	$(BIN)/python -m bench.run --smoke

coverage: install  ## regenerate docs/coverage.md from the routes and Asana's spec
	$(BIN)/python -m tools.spec_coverage

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
