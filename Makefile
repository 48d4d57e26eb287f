# Two commands: `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/00_computation_graphs.ipynb

# The instructor extra brings nbgrader, so the nbgrader export is tested too.
test: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,instructor]"
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks
