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

.PHONY: site test serve validate publish deploy rollback bench lint browser-deps clean

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

## publish: validate, build, and write dist/site-<version>.tar.gz, -offline.zip and SHA256SUMS
publish: $(STAMP)
	$(BIN)/kb publish

## deploy: unpack the newest release into DEST and switch DEST/current to it (make deploy DEST=/srv/kb)
deploy: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make deploy DEST=/path/to/webroot"; exit 2; }
	$(BIN)/kb deploy --dest "$(DEST)"

## rollback: switch DEST/current back to the previous release (make rollback DEST=/srv/kb)
rollback: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make rollback DEST=/path/to/webroot"; exit 2; }
	$(BIN)/kb rollback --dest "$(DEST)"

## bench: measure validate, build, memory, sizes, search and the kb serve editing loop at N = 1, 100, 500, 2,000 and 5,000 varied monographs and 500 and 2,000 clones (about 25 minutes)
bench: $(STAMP) browser-deps
	cd bench && ../$(BIN)/python scale.py --write

## browser-deps: Debian's Chromium and nginx, and axe-core from npm, for the browser tests
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser-deps: node_modules/.installed
	@command -v chromium >/dev/null && test -x /usr/sbin/nginx || { \
	  echo "Installing Debian's chromium and nginx-light for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium nginx-light >/dev/null; }

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
