# Team Trainer: `make run` serves, `make test` runs the whole suite; both start from nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test env install install-test judge-toolchains lint openapi openapi-check bench bench-judge docker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): setup.cfg | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): setup.cfg | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUN_STAMP)

$(BENCH_STAMP): setup.cfg | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

env:
	@if [ -f .env ]; then echo ".env exists; not overwritten"; else cp .env.example .env && echo "wrote .env"; fi

run: install
	$(BIN)/python -m server

# The judge's other languages (Java, PyPy, Kotlin) for their tests: installed with apt-get only when missing,
# and only as root on a Debian-like machine; elsewhere their tests are skipped. `make run` never needs them.
JUDGE_TOOLCHAINS := javac:openjdk-17-jdk-headless pypy3:pypy3 kotlinc:kotlin

judge-toolchains:
	@missing=""; for pair in $(JUDGE_TOOLCHAINS); do \
	    command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing for the judge's language tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y --no-install-recommends $$missing \
	    || { apt-get update && apt-get install -y --no-install-recommends $$missing; }; \
	else echo "not installed:$$missing (their language tests will be skipped)"; fi

test: install-test judge-toolchains
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check server schemas tests bench data

openapi: install
	$(BIN)/python -m server.openapi

openapi-check: install
	$(BIN)/python -m server.openapi --check

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-judge: install
	$(BIN)/python bench/judge_bench.py

docker:
	docker compose up --build

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
