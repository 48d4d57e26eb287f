# Two commands: `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888
FIRST := notebooks/00_computation_graphs.ipynb

.PHONY: lab test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }

# Install again only when the project's metadata changed: an editable install sees code changes by itself.
# pip's output goes to a log, shown only if the install fails.
$(VENV)/.installed-lab: pyproject.toml setup.py | $(BIN)/python
	@$(BIN)/python -m pip install -q -e ".[lab]" > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

$(VENV)/.installed-test: pyproject.toml setup.py | $(BIN)/python
	@$(BIN)/python -m pip install -q -e ".[lab,test,instructor]" > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# The course's JupyterLab settings: no "Jupyter news" question and no update check; no nbgrader panels (nbgrader,
# from the instructor extra, is for instructors: without an exchange folder its server logs errors on every page).
LAB_SETTINGS := $(VENV)/lab-settings
$(LAB_SETTINGS)/overrides.json: Makefile | $(BIN)/python
	@mkdir -p $(@D)
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@
	@echo '{"disabledExtensions": {"@jupyter/nbgrader": true}}' > $(@D)/page_config.json

# Kernels talk over local sockets (IPC), so none warns about unencrypted TCP.
QUIET := --Application.log_level=ERROR --KernelManager.transport=ipc --LabApp.app_settings_dir=$(LAB_SETTINGS) \
	--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	$(foreach part,formgrader assignment_list course_list validate_assignment,\
		--ServerApp.jpserver_extensions nbgrader.server_extensions.$(part)=False)

# Quiet but for the address, which opens notebook 00 (a browser, if there is one, opens it too).
# Another port: make lab PORT=8899.
lab: $(VENV)/.installed-lab $(LAB_SETTINGS)/overrides.json
	@token=$$($(BIN)/python -c "import secrets; print(secrets.token_hex(16))"); \
	echo "Open the course at http://127.0.0.1:$(PORT)/lab/tree/$(FIRST)?token=$$token  (Ctrl-C stops it)"; \
	exec $(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.port_retries=0 --IdentityProvider.token=$$token --ServerApp.root_dir=. \
		--ServerApp.default_url=/lab/tree/$(FIRST) --LabApp.default_url=/lab/tree/$(FIRST) $(QUIET)

# The instructor extra brings nbgrader, so the nbgrader export is tested too.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks
