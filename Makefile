PYTHON ?= python3
# torch first, pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: install run test lint bench eval build

install:
	$(PYTHON) -m pip install --quiet $(TORCH)
	$(PYTHON) -m pip install --quiet -e ".[dev]"

run: install
	$(PYTHON) ui.py

test: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -q

build: install
	$(PYTHON) -m assistant build

eval: install
	$(PYTHON) -m assistant eval ../shared/eval/dev.jsonl --all-modes

bench: install
	$(PYTHON) bench/run.py
