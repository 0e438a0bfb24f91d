# vinyasa — `make serve` and `make test` are all a fresh machine needs (Python >= 3.11). `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make serve` keeps its database in the repository's data/ (the CLI alone defaults to the user's data dir).
export VINYASA_DATABASE_URL ?= sqlite:///$(CURDIR)/data/vinyasa.db
REFERENCE ?= ../shared/reference
LINTED := vinyasa tests tools migrations bench

.DEFAULT_GOAL := help
.PHONY: help install serve test check bench bench-sweep bench-smoke coverage spec-refresh clean

help:  ## list the targets
	@echo "make TARGET, where TARGET is one of:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | awk -F'\t' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv from the lock file

serve: install  ## migrate data/vinyasa.db, bootstrap it on first start (prints a token), serve on PORT (8000)
	$(BIN)/vinyasa serve --host $(HOST) --port $(PORT)

test: install  ## the whole suite, on SQLite and PostgreSQL (in parallel; then the `serial` tests alone)
	$(BIN)/pytest -n auto -m "not serial"
	$(BIN)/pytest -p no:xdist -m serial

check: install  ## ruff (lint + format) and mypy --strict, on the code and the tests
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy vinyasa tests tools bench

bench: install  ## performance against the targets (needs wrk)
	$(BIN)/python -m bench.run

bench-sweep: install  ## every implemented operation against GET /projects/{gid} (needs wrk)
	$(BIN)/python -m bench.sweep

bench-smoke: install  ## a few seconds of the benchmark, numbers not gated
	$(BIN)/python -m bench.run --smoke

coverage: install  ## regenerate docs/coverage.md from the routes and Asana's spec
	$(BIN)/python -m tools.spec_coverage

spec-refresh:  ## copy Asana's spec from REFERENCE (../shared/reference) into vinyasa/spec when it differs
	@for f in asana_oas.yaml scope_oas.yaml; do \
	  if [ ! -f "$(REFERENCE)/$$f" ]; then echo "no $(REFERENCE)/$$f: nothing to refresh"; \
	  elif cmp -s "$(REFERENCE)/$$f" "vinyasa/spec/$$f"; then echo "vinyasa/spec/$$f is current"; \
	  else cp "$(REFERENCE)/$$f" "vinyasa/spec/$$f" && chmod 644 "vinyasa/spec/$$f" && echo "updated vinyasa/spec/$$f"; fi; \
	done

clean:  ## remove .venv, data/ and the tool caches
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
