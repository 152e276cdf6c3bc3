# Team Trainer: `make run` serves, `make test` runs the whole suite; both start from nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test env install install-test system-test-deps browser lint openapi openapi-check bench bench-judge docker clean

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

# pandoc renders LaTeX statements (the server runs without it and says so in the statement); the tests
# render some, so it is installed when missing and this machine can (root with apt-get, as in CI).
system-test-deps:
	@command -v pandoc >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pandoc >/dev/null; \
		else echo "pandoc is not installed: LaTeX statement tests will be skipped"; fi; }

test: install-test system-test-deps
	$(BIN)/python -m pytest

# Debian's chromium for tests/browser (needs root and apt; never a downloaded browser). Without it those
# tests are skipped and pytest's summary says so. .ci/run calls this before `make test`.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null && echo "installed chromium"; }

lint: install-test
	$(BIN)/ruff check server schemas tests bench data

openapi: install
	$(BIN)/python -m server.openapi
	$(BIN)/python -m server.asyncapi

openapi-check: install
	$(BIN)/python -m server.openapi --check
	$(BIN)/python -m server.asyncapi --check

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-judge: install
	$(BIN)/python bench/judge_bench.py

docker:
	docker compose up --build

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
