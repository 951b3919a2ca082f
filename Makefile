# The README's two commands: `make demo` (the main job, embedded, no server) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test venv install install-test neo4j-launcher bench bench-neo4j clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/minerals-kg report --out $(OUT)

# the local Neo4j server's jars (Maven Central) and launcher class, built once and reused
neo4j-launcher: install
	$(BIN)/python -c "from minerals_kg.store.server import build; build(quiet=False)"

test: install-test neo4j-launcher
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench_report.py

bench-neo4j: install neo4j-launcher
	$(BIN)/python bench/bench_neo4j.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
