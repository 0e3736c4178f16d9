PYTHON ?= python3
# torch first, pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0
# `make run PORT=7861`; unset: 7860, or the next free port when 7860 is taken.
PORT ?=

.PHONY: install system-deps run test test-fast lint bench eval calibrate build

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

# The development sets: the bulletin's (with the abstention model's grouped cross-validation),
# its paraphrases and conversations, and XQuAD-vi against its own index (built once, under the
# cache folder). `make calibrate` refits the sentence ranker and the abstention model on them.
eval: install
	$(PYTHON) -m assistant eval eval/dev.jsonl eval/dev2.jsonl --cv 5
	$(PYTHON) -m assistant eval eval/paraphrase-dev.jsonl
	$(PYTHON) -m assistant eval eval/dev2_followups.jsonl eval/conversations-dev.jsonl
	$(PYTHON) -m assistant eval eval/xquad/xquad-dev-vi.jsonl eval/xquad/xquad-dev-unacc.jsonl eval/xquad/xquad-dev-en.jsonl --corpus eval/xquad/corpus

calibrate: install
	$(PYTHON) -m assistant calibrate eval/calibration.json

bench: install
	$(PYTHON) bench/run.py
