# tokka: the two commands that matter are `make run` (set up and start) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when a requirements file changed; pip's wheel cache (~/.cache/pip) makes this fast.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/python -m corpus demo

test: setup
	HAYSTACK_TELEMETRY_ENABLED=False OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench.retrieval --data ../shared/eval/jsquad-dev --run bench/out/dev-bm25.tsv --mode bm25
	$(BIN)/python -m bench.retrieval --data ../shared/eval/jsquad-dev --run bench/out/dev-hybrid.tsv --mode hybrid

clean:
	rm -rf $(VENV) .pytest_cache
