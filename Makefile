# Two commands do all the set-up on a fresh machine:
#   make demo   install from the lockfile, then ingest the example corpus and print what it says
#   make test   install from the lockfile (and Debian's Chromium, for the browser tests and PDF
#               briefs, when it is missing), then run the whole test suite (SQLite and PostgreSQL)

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup browser demo test lint readme bench quality cv model clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	touch $@

# Headless Chromium draws the briefs' charts in the browser tests and prints PDF briefs.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; }

demo: setup
	$(VENV)/bin/bilateral demo

test: setup browser
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check src tests bench scripts

# Run the commands whose output README.md shows and write their output into it
# (scripts/readme_outputs.py; tests/test_readme.py fails while the README differs).
readme: setup
	$(VENV)/bin/cog -r -I scripts README.md

bench: setup
	$(VENV)/bin/python bench/ingest_throughput.py
	$(VENV)/bin/python bench/extract_vs_spacy.py
	$(VENV)/bin/python bench/brief_timing.py
	$(VENV)/bin/python bench/dossier_scale.py

# Re-measure the dev and check figures and raise quality.json where they went up (never down).
quality: setup
	$(VENV)/bin/python bench/quality.py

# The development corpora scored as if unseen: each fold extracted by a model trained on the
# rest as `make model` trains the default.
cv: setup
	$(VENV)/bin/python bench/cross_validated.py $(addprefix --ship-trained ,$(SHIP_TRAINED))

# Train the shipped default model from the two development corpora, U.S.–Japan and
# U.S.–South Korea (deterministic with its seed). SHIP_TRAINED names decisions to ship trained
# whatever cross-validation says (none by default).
SHIP_TRAINED =
model: setup
	$(VENV)/bin/bilateral train ../shared/corpus/dev/corpus.jsonl ../shared/corpus/dev/gold.jsonl \
	  --also ../shared/corpus/dev-kor/corpus.jsonl,../shared/corpus/dev-kor/gold.jsonl,us-korea \
	  $(addprefix --ship-trained ,$(SHIP_TRAINED)) --out src/bilateral/extract/models/default --seed 0

clean:
	rm -rf $(VENV) $(TOOLS) out .pytest_cache
