# Two commands: `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"

lab: install
	$(BIN)/jupyter lab notebooks/00_computation_graphs.ipynb

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks
