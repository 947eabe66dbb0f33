# Two commands from a fresh clone: `make site` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := site

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: site test serve validate lint typecheck browser-deps clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

## site: build the site into site/ (validates everything first; a failed build leaves site/ as it was)
site: $(STAMP)
	$(BIN)/kb build

## serve: preview on http://127.0.0.1:8000, reloading when data/ or content/ changes
serve: $(STAMP)
	$(BIN)/kb serve

## validate: check every monograph and reference, print every problem at once
validate: $(STAMP)
	$(BIN)/kb validate

## browser-deps: Debian's Chromium and the vendored axe-core used by the browser tests
browser-deps: node_modules/.installed
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null; }

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check generator tests $(wildcard bench)
	$(BIN)/mypy generator

## test: set up everything and run every test, browser tests included
test: $(STAMP) browser-deps lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site node_modules .pytest_cache .mypy_cache .ruff_cache
