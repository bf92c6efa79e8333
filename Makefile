# The commands the README names. Each one sets up what it needs: a fresh clone only needs Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install setup run test test-browser lint format bench bench-scale fuzz faults clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo

# The development server and, beside it, one task worker (bin/worker: mail and other background
# work); stopping the server (Ctrl-C) stops the worker too.
run: setup
	@PYTHON=$(BIN)/python bin/worker --reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The real-browser tests alone: Playwright drives Debian's Chromium (/usr/bin/chromium; skipped
# with the reason when it is missing), axe-core comes from npm. `make test` runs them too.
test-browser: install
	test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

# ruff, then radon: any block of product code ranked D or worse (cyclomatic complexity over 20)
# fails the lint. With ../shared beside the project (as in CI), also app-level import cycles and
# functions over 50 lines.
PRODUCT := forum accounts roundups comments papers api
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@ranked=$$($(BIN)/radon cc -n D -s $(PRODUCT)); \
	  if [ -n "$$ranked" ]; then echo "radon ranks these D or worse:"; echo "$$ranked"; exit 1; fi
	@if [ -f ../shared/tools/structure.py ]; then $(BIN)/python ../shared/tools/structure.py .; fi

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Thread page, floor, peers, writes and load on SQLite and PostgreSQL; writes docs/benchmarks.md
# and docs/benchmarks.png. About 15 minutes on 2 cores. wrk comes from Debian (needs root).
bench: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	command -v wrk >/dev/null || apt-get install -y -qq wrk || echo "no wrk: the load step will be skipped"
	$(BIN)/python -m bench.run

# Every list page, search and the thread's first page at a small and a large site (2,000
# roundups, 200,000 comments), on SQLite and PostgreSQL; writes its marked section of
# docs/benchmarks.md (make bench keeps it). BENCH_SCALE_DB names the databases (default
# roundups_scale_small/_large, dropped afterwards). About 15 minutes on 2 cores.
bench-scale: install
	$(BIN)/python -m bench.scale --db sqlite
	$(BIN)/python -m bench.scale --db postgres
	$(BIN)/python -m bench.scale --report

# Schemathesis against a live server on a fresh SQLite database (bin/fuzz); a few minutes.
fuzz: install
	PYTHON=$(BIN)/python bin/fuzz

# bin/serve on a PostgreSQL and a Redis of its own, with writers through the API while each
# dependency is stopped and a worker is killed (bin/faults); about a minute. Needs PostgreSQL's
# server binaries (/usr/lib/postgresql/*/bin) and redis-server, not running servers.
faults: install
	PYTHON=$(BIN)/python $(BIN)/python bin/faults

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
