# Two commands matter: `make run` (local API with demo data) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test unit integration e2e infra lint build check-arch bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	$(VENV)/bin/tallyboard-local $(if $(PORT),--port $(PORT),)

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadgroup tests

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration

e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e

infra: $(VENV)/.installed
	$(PY) -m pytest tests/infrastructure

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml

build: $(VENV)/.installed
	$(VENV)/bin/sam build --template-file template.yaml

# The built layer's compiled wheels must match the template's Architectures.
check-arch: build
	$(PY) scripts/check_artifact_arch.py

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .aws-sam .local .pytest_cache
