# Two commands do all the set-up on a fresh machine:
#   make demo   install from the lockfile, then ingest the example corpus and print what it says
#   make test   install from the lockfile, then run the whole test suite (SQLite and PostgreSQL)

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv

.PHONY: setup demo test lint bench quality clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	touch $@

demo: setup
	$(VENV)/bin/bilateral demo

test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check src tests bench

bench: setup
	$(VENV)/bin/python bench/ingest_throughput.py
	$(VENV)/bin/python bench/extract_vs_spacy.py

# Re-measure the dev-set figures and raise quality.json where they went up (never down).
quality: setup
	$(VENV)/bin/python bench/quality.py

clean:
	rm -rf $(VENV) $(TOOLS) out .pytest_cache
