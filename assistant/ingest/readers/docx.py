"""DOCX (python-docx): paragraphs and tables in order, headings from styles."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import datetime
from pathlib import Path

from ...errors import CorpusError
from ...models import Heading, Layout
from ..extracted import (
    Extracted,
    _read_bytes,
)

log = logging.getLogger(__name__)

# --- DOCX --------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Deleted text, field codes, drawings and their duplicated fallbacks are not the text.
_SKIP = {_W + "del", _W + "pPr", _W + "rPr", _W + "drawing", _W + "pict", _MC + "AlternateContent"}


def read_docx(path: Path) -> Extracted:
    """A Word file: paragraphs and table rows in reading order, heading styles marked."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    raw = _read_bytes(path)
    try:
        document = docx.Document(io.BytesIO(raw))
        items = list(document.iter_inner_content())
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorpusError(
            f"{path.name} cannot be read as a Word .docx file ({type(exc).__name__}); "
            "open it in Word and save it again as .docx"
        ) from exc
    parts: list[str] = []
    headings: list[Heading] = []
    marks: dict[str, list[int]] = {"rendered": [], "hard": []}
    offset = 0

    def add(text: str, breaks: list[tuple[int, str]]) -> int:
        nonlocal offset
        if parts:
            parts.append("\n\n")
            offset += 2
        start = offset
        parts.append(text)
        offset += len(text)
        for at, kind in breaks:
            marks[kind].append(start + at)
        return start

    pending: list[tuple[int, str]] = []  # page breaks seen in empty paragraphs
    for item in items:
        if isinstance(item, Table):
            text, breaks = _table_text(item)
        else:
            text, breaks = _paragraph_text(item._p)
        if not text.strip():
            pending += [(0, kind) for _, kind in breaks]
            continue
        start = add(text, pending + breaks)
        pending = []
        if not isinstance(item, Table) and (level := _docx_heading_level(item)) is not None:
            lead = len(text) - len(text.lstrip())
            headings.append(
                Heading(
                    start=start + lead,
                    end=start + len(text.rstrip()),
                    level=level,
                    title=" ".join(text.split()),
                )
            )
    source = "".join(parts)
    if not source.strip():
        raise CorpusError(f"{path.name} has no text")
    # Word saves where its pages began when it last laid the file out; that includes hard
    # breaks. Without it, hard page breaks are all there is.
    breaks_at = marks["rendered"] or marks["hard"]
    pages = sorted({0, *(b for b in breaks_at if 0 < b < len(source))}) if breaks_at else []
    meta = _docx_metadata(document)
    if not meta.get("title"):
        titles = [h for h in headings if h.level == 0] or [h for h in headings if h.level == 1]
        if titles:
            meta["title"] = titles[0].title
    if pages:
        meta["pages"] = len(pages)
    return Extracted(text=source, layout=Layout(headings=headings or None, pages=pages), meta=meta)


def _paragraph_text(p) -> tuple[str, list[tuple[int, str]]]:
    """A paragraph's text and where page breaks fall in it, from its XML in document order."""
    parts: list[str] = []
    breaks: list[tuple[int, str]] = []
    length = 0
    ppr = p.find(_W + "pPr")
    if ppr is not None and ppr.find(_W + "pageBreakBefore") is not None:
        value = ppr.find(_W + "pageBreakBefore").get(_W + "val", "true")
        if value not in ("0", "false", "off"):
            breaks.append((0, "hard"))

    def visit(element) -> None:
        nonlocal length
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            piece = ""
            if tag == _W + "t":
                piece = child.text or ""
            elif tag == _W + "tab":
                piece = "\t"
            elif tag == _W + "noBreakHyphen":
                piece = "-"
            elif tag == _W + "cr":
                piece = "\n"
            elif tag == _W + "br":
                kind = child.get(_W + "type")
                if kind == "page":
                    breaks.append((length, "hard"))
                else:
                    piece = "\n"
            elif tag == _W + "lastRenderedPageBreak":
                breaks.append((length, "rendered"))
            else:
                visit(child)
            if piece:
                parts.append(piece)
                length += len(piece)

    visit(p)
    return "".join(parts), breaks


def _table_text(table) -> tuple[str, list[tuple[int, str]]]:
    """One line per row, cells separated by ' | ' (a merged cell once)."""
    rows: list[str] = []
    breaks: list[tuple[int, str]] = []
    length = 0
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            texts = []
            for paragraph in cell.paragraphs:
                text, found = _paragraph_text(paragraph._p)
                texts.append(" ".join(text.split()))
                breaks += [(length, kind) for _, kind in found]
            cells.append(" ".join(t for t in texts if t))
        line = " | ".join(cells)
        if line.strip(" |"):
            rows.append(line)
            length += len(line) + 1
    return "\n".join(rows), breaks


def _docx_heading_level(paragraph) -> int | None:
    """0 for the Title style, n for "Heading n" (or a style based on one), else the outline level."""
    style = paragraph.style
    for _ in range(5):
        if style is None:
            break
        name = (style.name or "").strip().lower()
        if name == "title":
            return 0
        if m := re.fullmatch(r"heading\s*(\d)", name):
            return int(m.group(1))
        style = style.base_style
    ppr = paragraph._p.find(_W + "pPr")
    outline = ppr.find(_W + "outlineLvl") if ppr is not None else None
    if outline is not None and (value := outline.get(_W + "val", "")).isdigit() and int(value) < 9:
        return int(value) + 1
    return None


_PYTHON_DOCX_TEMPLATE = datetime(2013, 12, 23, 23, 15)


def _docx_metadata(document) -> dict:
    core = document.core_properties
    meta: dict = {}
    if core.title and core.title.strip():
        meta["title"] = core.title.strip()
    if core.author and core.author.strip() and core.author != "python-docx":
        meta["publisher"] = core.author.strip()
    # python-docx's blank template was "created" on this day; it says nothing of the file.
    if core.created and core.created.replace(tzinfo=None) != _PYTHON_DOCX_TEMPLATE:
        meta["date"] = core.created.date().isoformat()
    if core.language and core.language.strip():
        meta["language"] = core.language.strip().split("-")[0].lower()
    return meta


