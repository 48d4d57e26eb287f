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

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: install
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/00_computation_graphs.ipynb

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks
