# Two commands matter: `make run` (local API with demo data) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# checkov lives in a venv of its own: it pins libraries (boto3, …) that moto and SAM CLI pin too.
TOOLS := .venv-tools
NODE_TOOLS := .tools/node
CHECKOV_VERSION := 3.3.30
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test unit integration e2e infra lint build check-arch bench bench-short ci clean

# The SDK and CLI (clients/python) are a package of their own; tests/clients runs them for real.
$(VENV)/.installed: pyproject.toml clients/python/pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' -e ./clients/python
	@touch $@

$(TOOLS)/.installed: Makefile
	@test -x $(TOOLS)/bin/python || $$(scripts/find-python) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $@

run: $(VENV)/.installed
	$(VENV)/bin/tallyboard-local $(if $(PORT),--port $(PORT),)

# pytest exits 5 when it collected nothing (an empty suite or a broken path): never a pass.
NO_TESTS_IS_FAILURE := || { status=$$?; [ $$status -ne 5 ] || echo "pytest collected no tests (exit 5): failing" >&2; exit $$status; }

# The whole run also proves IAM: every AWS call a function made is allowed by its policy, and
# every granted action was used (tests/conftest.py). Three workers on two cores: with two, the
# run kept ~1.4 cores busy (each worker also waits on its stack's threads and workflows).
test: $(VENV)/.installed
	TALLYBOARD_IAM_CHECK=1 $(PY) -m pytest -n 3 --dist loadgroup tests $(NO_TESTS_IS_FAILURE)

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration

e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e

infra: $(VENV)/.installed
	$(PY) -m pytest tests/infrastructure

# The OpenAPI linters and the TypeScript client check (tests/clients) come from npm, pinned in
# .tools/node/package-lock.json.
$(NODE_TOOLS)/node_modules/.installed: $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	npm ci --prefix $(NODE_TOOLS) --no-audit --no-fund --loglevel=error
	@touch $@

# mypy: layers/shared, strict (pyproject.toml [tool.mypy]). checkov: zero failed checks; skips
# that hold for every resource are in .checkov.yaml with their reasons, a resource's own in its
# Metadata. The OpenAPI document as built: Redocly's recommended rules and Spectral's spectral:oas
# at 0 errors and 0 warnings (rules off only in redocly.yaml and .spectral.yaml, with reasons).
lint: $(VENV)/.installed $(TOOLS)/.installed $(NODE_TOOLS)/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/checkov --config-file .checkov.yaml -f template.yaml
	$(PY) scripts/build_openapi.py .local/openapi.json
	$(NODE_TOOLS)/node_modules/.bin/redocly lint --config redocly.yaml .local/openapi.json
	$(NODE_TOOLS)/node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity warn .local/openapi.json

# The built template is the one deployed: scripts/deployable_template.py adds what the route
# table implies (every path's catch-all method answering 405), derived, never written by hand;
# the OpenAPI document is built once into the docs functions' artifacts (served as a file).
build: $(VENV)/.installed
	TALLYBOARD_ROOT=$(CURDIR) $(VENV)/bin/sam build --template-file template.yaml
	$(PY) scripts/deployable_template.py .aws-sam/build/template.yaml
	$(PY) scripts/build_openapi.py $(foreach f,GetOpenApiFunction MethodNotAllowedFunction,.aws-sam/build/$(f)/docs/get_openapi/openapi.json)

# The built layer's compiled wheels must match the template's Architectures.
check-arch: build
	$(PY) scripts/check_artifact_arch.py

bench: $(VENV)/.installed
	$(PY) -m bench

# Every benchmark on small sizes through the same code paths (CI: a bench that breaks fails
# the build); figures to bench/results-short.json, never mixed with the real ones.
bench-short: $(VENV)/.installed
	BENCH_SHORT=1 $(PY) -m bench

# What CI runs: test, lint, the short bench, sam build + artifact architecture check (timed per step).
ci:
	.ci/run

clean:
	rm -rf $(VENV) $(TOOLS) $(NODE_TOOLS)/node_modules .aws-sam .local .pytest_cache
