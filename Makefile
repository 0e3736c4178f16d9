PYTHON ?= python3
# torch first, pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0
# `make run PORT=7861`; unset: 7860, or the next free port when 7860 is taken.
PORT ?=

.PHONY: install system-deps run test test-fast lint bench eval build

install:
	$(PYTHON) -m pip install --quiet $(TORCH)
	$(PYTHON) -m pip install --quiet -e ".[dev]"

# Chromium, PostgreSQL, OCRmyPDF + Tesseract (vie, eng), DejaVu fonts: the system packages some
# tests need. Installed with apt-get as root; `make test` does it when it may, else says which
# tests will skip.
system-deps:
	@bash scripts/system-deps.sh --require

run: install
	$(PYTHON) ui.py $(if $(PORT),--port $(PORT))

# The suite CI runs (.ci/run is `make test`), ending with pytest's count line.
test: install
	@bash scripts/system-deps.sh
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -q -rs

# The same without the tests marked slow (see tests/README.md).
test-fast: install
	@bash scripts/system-deps.sh
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -q -rs -m "not slow"

lint:
	$(PYTHON) -m ruff check .

build: install
	$(PYTHON) -m assistant build

eval: install
	$(PYTHON) -m assistant eval eval/dev.jsonl --all-modes

bench: install
	$(PYTHON) bench/run.py
