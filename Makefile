# tokka: the two commands that matter are `make run` (set up and start the app) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run lint test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when a requirements file changed; pip's wheel cache (~/.cache/pip) makes this fast.
# llama-cpp-python compiles llama.cpp; GGML_NATIVE=OFF makes a wheel that any x86-64 machine can reuse from the cache.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m finetune.export.converter >/dev/null   # llama.cpp's GGUF converter, pinned (see its docstring)
	./scripts/install-system-packages.sh
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/python -m apps

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	HAYSTACK_TELEMETRY_ENABLED=False OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench.retrieval --data ../shared/eval/jsquad-dev --run bench/out/dev-bm25.tsv --mode bm25
	$(BIN)/python -m bench.retrieval --data ../shared/eval/jsquad-dev --run bench/out/dev-hybrid.tsv --mode hybrid
	$(BIN)/python -m bench.freshness --scale 100000
	$(BIN)/python -m bench.scratch

clean:
	rm -rf $(VENV) .pytest_cache
