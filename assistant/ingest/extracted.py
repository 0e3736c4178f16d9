"""What a reader returns (text, layout, metadata), and what the readers share."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, Field

from ..errors import CorpusError
from ..models import Layout, Span

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
# Pages are joined by a line holding only a form feed: a blank line to the passage splitter
# (so a page break also ends a block, as in the text bulletin), and a visible page mark.
PAGE_BREAK = "\n\n\f\n\n"

_TERMINAL = tuple(".!?:;…”\")]'’")


class Extracted(BaseModel):
    """A document's source text, its layout, and the metadata found in the file."""

    text: str
    layout: Layout | None = None
    meta: dict = Field(default_factory=dict)

def _lines_with_offsets(text: str, start: int = 0) -> list[tuple[int, str]]:
    out, offset = [], start
    for line in text[start:].split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _merge(spans: list[Span]) -> list[Span]:
    return sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
