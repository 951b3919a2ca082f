# The README's two commands: `make demo` (the main job, embedded, no server) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test venv install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/minerals-kg report --out $(OUT)

test: install-test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench_report.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
