# The README's commands: `make demo` (the main job, embedded, no server) and `make test` (everything,
# with a real Neo4j). `make check` is the fast loop: lint, types, query fragments and the unit tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out
PIP    := $(BIN)/pip install --quiet -c constraints.txt

.PHONY: demo test check lint typecheck unit docs wheel-check install install-dev neo4j-launcher bench bench-neo4j bench-bulk bench-trade bench-export bench-server clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# installs are stamped, so a second `make` does not reinstall
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[test,dev,docs]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/minerals-kg report --out $(OUT)

lint: install-dev
	$(BIN)/ruff check src tests bench docs tools
	$(BIN)/ruff format --check src tests bench docs tools
	$(BIN)/python -m minerals_kg.backends.neo4j.library --check

typecheck: install-dev
	$(BIN)/mypy

# unit tests and doctests: no server needed
unit: install-dev
	$(BIN)/python -m pytest -m "not integration" -q

check: lint typecheck unit

docs: install-dev
	$(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html

wheel-check: install-dev
	PYTHON=$(BIN)/python tools/wheel_check.sh

# the local Neo4j server's jars (server, Browser, APOC, GDS; cypher-shell beside them) from Maven Central
# and the launcher class, built once per user into a cache folder and reused
neo4j-launcher: install
	$(BIN)/python -c "from minerals_kg.backends.neo4j.server import build; build(quiet=False)"

test: lint typecheck docs wheel-check neo4j-launcher
	$(BIN)/python -m pytest

# one table per goal of issue 12, each figure beside its reference in the same run: networkx for the
# algorithms, LOAD CSV for the loader, the online loader for the bulk load, the target for the trade
# files. Not yet timed end to end: its parts add up to about 1.5 hours on 2 cores idle and 2-3 hours on
# a shared, loaded machine (README, "Benchmarks"); the networkx references, the interleaved loader
# repeats at 1M relationships and the 10M-relationship bulk load take most of it.
bench: install neo4j-launcher
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_network.py
	$(BIN)/python bench/bench_network.py --minerals 2000 --reference-timeout 60
	$(BIN)/python bench/bench_embedded_scale.py
	$(BIN)/python bench/bench_neo4j.py --repeat 3 --steps
	$(BIN)/python bench/bench_bulk.py
	$(BIN)/python bench/bench_trade.py

# the loader against LOAD CSV (goal 2), the bulk load against the loader (goal 3), trade files (goal 4)
bench-neo4j: install neo4j-launcher
	$(BIN)/python bench/bench_neo4j.py --repeat 3 --steps

bench-bulk: install neo4j-launcher
	$(BIN)/python bench/bench_bulk.py

bench-trade: install
	$(BIN)/python bench/bench_trade.py

bench-export: install
	$(BIN)/python bench/bench_export.py

# the local server: download size from Maven Central, cold and warm start, resident memory
bench-server: install neo4j-launcher
	$(BIN)/python bench/bench_neo4j_server.py --repeat 3

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache docs/_build
