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

# Debian packages the tests need, each installed only when its command is missing and this machine can
# (root with apt-get, as in CI); otherwise the tests that need it are skipped and say so. pandoc renders
# LaTeX statements (the server runs without it and says so in the statement); chromium (never a
# downloaded browser) runs tests/browser, with a font for its screenshots; the judge's other languages
# (Java 17, PyPy 3, Kotlin) run their language tests. `make run` never needs any of them.
TEST_SYSTEM_DEPS := pandoc:pandoc chromium:chromium /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core \
	javac:openjdk-17-jdk-headless pypy3:pypy3 kotlinc:kotlin

system-test-deps:
	@missing=""; for dep in $(TEST_SYSTEM_DEPS); do what="$${dep%%:*}"; \
		{ [ -e "$$what" ] || command -v "$$what" >/dev/null 2>&1; } || missing="$$missing $${dep#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "not installed (needs root and apt-get):$$missing; the tests that need them are skipped"; fi; fi

test: install-test system-test-deps
	$(BIN)/python -m pytest

# The browser tests' chromium alone (also part of system-test-deps).
browser:
	@$(MAKE) --no-print-directory system-test-deps \
		TEST_SYSTEM_DEPS="chromium:chromium /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core"

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
