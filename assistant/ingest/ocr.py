"""A text layer for scanned PDFs, by OCR: OCRmyPDF with Tesseract's Vietnamese and English.

`add --ocr` runs it on any PDF (replacing a text layer it has); a PDF without a text layer
is run through it automatically when it is installed, with a notice. The result is read
like any text PDF: pages and offsets refer to the OCR text, and citations say the text
came from OCR (`Document.ocr`).

Installed with `apt-get install ocrmypdf tesseract-ocr-vie` (Debian, Ubuntu); `make test`
(`make system-deps`) installs them when missing.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import CorpusError

log = logging.getLogger(__name__)

LANGUAGES = ("vie", "eng")
INSTALL = "apt-get install ocrmypdf tesseract-ocr-vie"
TIMEOUT_SECONDS = 30 * 60


def missing() -> str | None:
    """What is missing to run OCR, as a sentence; None when OCR can run."""
    if shutil.which("ocrmypdf") is None:
        return f"OCRmyPDF is not installed ({INSTALL})"
    if shutil.which("tesseract") is None:
        return f"Tesseract is not installed ({INSTALL})"
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc})"
    have = set((listed.stdout + listed.stderr).split())
    lacking = [lang for lang in LANGUAGES if lang not in have]
    if lacking:
        return f"Tesseract has no {', '.join(lacking)} data ({INSTALL})"
    return None


def available() -> bool:
    return missing() is None


def text_layer(pdf: bytes, *, name: str, replace: bool = False) -> bytes:
    """The PDF with a text layer made by OCR (the page images are kept as they are).

    `replace` redoes the text of pages that already have some (`--force-ocr`); otherwise
    those pages are kept and only image pages are recognised (`--skip-text`). CorpusError
    says what to install when OCR is missing, or why it failed.
    """
    problem = missing()
    if problem:
        raise CorpusError(f"{name} needs OCR, but {problem}")
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        source.write_bytes(pdf)
        command = [
            "ocrmypdf",
            "--language", "+".join(LANGUAGES),
            "--force-ocr" if replace else "--skip-text",
            "--output-type", "pdf",
            "--optimize", "0",
            "--jobs", "1",
            "--quiet",
            str(source),
            str(target),
        ]  # fmt: skip
        log.info("OCR of %s: %s", name, " ".join(command))
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                # one thread: light on a shared machine, and the same text every run
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        except subprocess.TimeoutExpired as exc:
            raise CorpusError(f"OCR of {name} took over {TIMEOUT_SECONDS // 60} minutes") from exc
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
            raise CorpusError(
                f"OCR of {name} failed (ocrmypdf exit {done.returncode}: {detail[0][:200]}); "
                "check that the file is a readable PDF"
            )
        return target.read_bytes()
