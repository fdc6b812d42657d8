# Scrutiny notebooks. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PARAMS ?= params/default.yaml
export GX_ANALYTICS_ENABLED := false
export TQDM_DISABLE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONHASHSEED := 0

.PHONY: help setup dev spark lab-setup lab prepare sample report validate lint test test-fast bench clean clean-cache

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.run-installed: requirements/run.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (or run make PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/run.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements/dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	touch $@

setup: $(VENV)/.run-installed ## create .venv from the hashed run lock

dev: $(VENV)/.dev-installed ## add the test tools (hashed dev lock)

spark: dev ## add PySpark (hashed spark lock) for the Spark parity test of the SQL aggregates; needs Java 17
	$(PY) -m pip install --quiet --require-hashes -r requirements/spark.lock

CJ_SAMPLE := $(foreach f,calls incidents charge_decisions case_files court_cases,data/sample/criminal_justice/$(f).csv.gz)

sample: setup ## write the generated SYNTHETIC samples the default pack reads, when missing (seeded: same bytes)
	@for f in $(CJ_SAMPLE); do test -f $$f || { $(VENV)/bin/scrutiny make-sample criminal_justice; break; }; done

$(VENV)/.lab-installed: $(VENV)/.run-installed requirements/lab.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements/lab.lock
	touch $@

lab-setup: $(VENV)/.lab-installed ## add JupyterLab (hashed lab lock, requirements/lab.lock)

LAB_PORT ?= 8888
# a new random token per start (evaluated once, 24 bytes from /dev/urandom); the server never runs without one
ifndef LAB_TOKEN
LAB_TOKEN := $(shell od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
endif
LAB_FLAGS ?=
lab: $(VENV)/.lab-installed ## JupyterLab on 127.0.0.1 with a token (LAB_PORT=8888); open notebooks/*.py as notebooks
	@test -n "$(LAB_TOKEN)" || { echo "LAB_TOKEN is empty: JupyterLab is never started without a token"; exit 1; }
	@echo "JupyterLab: http://127.0.0.1:$(LAB_PORT)/lab?token=$(LAB_TOKEN)"
	@echo "Run 'make prepare' (or scrutiny prepare PARAMS) first: notebooks read outputs/.prepared/<pack id>/."
	@JUPYTER_TOKEN=$(LAB_TOKEN) exec $(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 \
	  --ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 --ServerApp.root_dir=$(CURDIR) $(LAB_FLAGS)

prepare: setup sample ## validate and write the prepared tables notebooks read by hand (PARAMS=... for another pack)
	$(VENV)/bin/scrutiny prepare $(PARAMS)

report: setup sample ## run the default pack on the shipped Gwent data (PARAMS=... for another pack)
	$(VENV)/bin/scrutiny run $(PARAMS)

validate: setup sample ## check the default pack's inputs against their contracts only
	$(VENV)/bin/scrutiny validate $(PARAMS)

lint: dev ## ruff check (rules in pyproject.toml) over src, tests and notebooks
	$(VENV)/bin/ruff check src tests notebooks

test: lint ## lint, then run the whole test suite
	$(PY) -m pytest -q -n 2 --dist loadgroup

test-fast: dev ## unit tests only (no end-to-end pack runs, no browser)
	$(PY) -m pytest -q -m "not e2e and not browser"

bench: setup sample ## time the pack on a Met-sized force and a national year against plain pandas (outputs/bench/)
	$(VENV)/bin/scrutiny bench $(BENCH_ARGS)

clean: ## remove built packs (keeps .venv)
	rm -rf outputs/*/ outputs/.build-* outputs/.failed-* outputs/.old-*

clean-cache: ## remove the ingest cache (outputs/.cache/ingest) and the drawn charts (outputs/.cache/charts)
	rm -rf outputs/.cache/ingest outputs/.cache/charts
