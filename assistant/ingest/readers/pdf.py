"""PDF (pypdf), with pages; running headers, footers and page numbers left out."""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from ...errors import CorpusError
from ...models import Heading, Layout, Span
from ..extracted import (
    _TERMINAL,
    PAGE_BREAK,
    Extracted,
    _read_bytes,
)
from . import pdf_headings

log = logging.getLogger(__name__)
# pypdf reports what it repairs ("EOF marker not found") as warnings on stderr; a PDF it
# cannot read reaches the user as one CorpusError instead, and the repairs are debug detail
logging.getLogger("pypdf").setLevel(logging.ERROR)

# --- PDF ---------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    y: float | None
    size: float
    bold: bool = False


# A line that is only a page number: "12", "- 12 -", "Trang 3", "Page 3 of 10", "iv".
_PAGE_NUMBER = re.compile(
    r"^(?:(?:trang|page|tr\.)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|trên)\s*\d{1,4})?$",
    re.IGNORECASE,
)
FURNITURE_ZONE = 3  # lines at the top and at the bottom of a page where furniture sits


def read_pdf(path: Path, *, ocr: bool | None = None) -> Extracted:
    """A text PDF, page by page: paragraphs recovered, headers, footers and page numbers marked.

    `ocr`: True makes a new text layer by OCR first (`add --ocr`); None (the default) does
    so only for a PDF without a text layer, when OCR is installed, with a warning; False
    never. A PDF read through OCR has `meta["ocr"] = True`.
    """
    from .. import ocr as ocr_mod

    raw = _read_bytes(path)
    if ocr:
        return _read_pdf_bytes(ocr_mod.text_layer(raw, name=path.name, replace=True), path, True)
    try:
        return _read_pdf_bytes(raw, path, False)
    except _NoTextLayer as exc:
        problem = "OCR is off (ocr=False)" if ocr is False else ocr_mod.missing()
        if problem:
            raise CorpusError(
                f"{exc} Reading it needs OCR, but {problem}; install it and add the file "
                "again (`add --ocr`), or add a .docx or .txt version."
            ) from None
        log.warning("%s has no text layer (a scan): reading it by OCR (ocrmypdf)", path.name)
        try:
            return _read_pdf_bytes(ocr_mod.text_layer(raw, name=path.name), path, True)
        except _NoTextLayer:
            raise CorpusError(
                f"{path.name} has no text layer, and OCR found no text on its pages; "
                "add a .docx or .txt version"
            ) from None


class _NoTextLayer(CorpusError):
    pass


def _read_pdf_bytes(raw: bytes, path: Path, from_ocr: bool) -> Extracted:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(
                f"{path.name} is password-protected; save an unprotected copy and add that"
            )
        pages = [_page_lines(page) for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(
            f"{path.name} cannot be read as a PDF ({type(exc).__name__}: {str(exc)[:120]}); "
            "check that the file is complete, or export it again"
        ) from exc
    if not pages:
        raise CorpusError(f"{path.name} has no pages")
    with_text = [i for i, lines in enumerate(pages, 1) if any(_has_words(ln.text) for ln in lines)]
    if not with_text:
        raise _NoTextLayer(
            f"{path.name} has no text layer: its {len(pages)} page(s) are images, as in a "
            "scanned document."
        )
    if len(with_text) < len(pages):
        log.warning(
            "%s: %d of %d pages have no text (scanned pages?); their content is not indexed",
            path.name,
            len(pages) - len(with_text),
            len(pages),
        )
    repeated = _repeated_lines(pages)
    flat = [line for lines in pages for line in lines]
    found = pdf_headings.levels([(ln.text, ln.size, ln.bold) for ln in flat])
    heads = {id(flat[i]): level for i, level in found.items()}
    text_parts: list[str] = []
    starts: list[int] = []
    furniture: list[Span] = []
    headings: list[Heading] = []
    offset = 0
    for number, lines in enumerate(pages):
        if number:
            text_parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        starts.append(offset)
        page_text, page_furniture, page_headings = _page_text(lines, repeated, heads)
        furniture += [Span(start=offset + s, end=offset + e) for s, e in page_furniture]
        headings += [
            Heading(start=offset + s, end=offset + e, level=level, title=page_text[s:e])
            for s, e, level in page_headings
        ]
        text_parts.append(page_text)
        offset += len(page_text)
    return Extracted(
        text="".join(text_parts),
        layout=Layout(headings=headings or None, pages=starts, furniture=furniture),
        meta={**_pdf_metadata(reader), "pages": len(pages), **({"ocr": True} if from_ocr else {})},
    )


def _has_words(text: str) -> bool:
    return bool(re.search(r"\w\w", text))


def _page_lines(page) -> list[_Line]:
    """The page's lines with their baseline height and font size, from pypdf's text pieces."""
    pieces: list[tuple[str, float | None, float]] = []

    def visit(text, cm, tm, font, size):
        # The text matrix times the current transformation matrix places the piece.
        a, b, c, d, e, f = (float(x) for x in tm)
        a2, b2, c2, d2, e2, f2 = (float(x) for x in cm)
        y = e * b2 + f * d2 + f2
        scale = abs(c * b2 + d * d2) or 1.0
        name = str(font.get("/BaseFont", "")) if hasattr(font, "get") else ""
        bold = bool(re.search(r"bold|black|heavy|semibold|demi", name, re.IGNORECASE))
        pieces.append((text, y, float(size or 0) * scale, bold))

    text = page.extract_text(visitor_text=visit)
    if "".join(p[0] for p in pieces) != text:  # no positions to trust: plain lines
        pieces = [(text, None, 0.0, False)]
    lines: list[_Line] = []
    current: list[str] = []
    y: float | None = None
    size = 0.0
    bold: bool | None = None  # every piece of the line bold
    for piece, piece_y, piece_size, piece_bold in pieces:
        for j, part in enumerate(piece.split("\n")):
            if j:
                lines.append(_Line(" ".join("".join(current).split()), y, size, bool(bold)))
                current, y, size, bold = [], None, 0.0, None
            if part.strip():
                y = piece_y if y is None else y
                size = max(size, piece_size)
                bold = piece_bold if bold is None else bold and piece_bold
            current.append(part)
    lines.append(_Line(" ".join("".join(current).split()), y, size, bool(bold)))
    return [line for line in lines if line.text]


def _key(text: str) -> str:
    """What repeats from page to page: digits (page numbers, dates) and case do not count."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _zone(lines: list[_Line]) -> list[_Line]:
    n = min(FURNITURE_ZONE, len(lines))
    return lines[:n] + lines[max(n, len(lines) - FURNITURE_ZONE) :]


def _repeated_lines(pages: list[list[_Line]]) -> set[str]:
    """Keys of short lines at the top or bottom of at least half the pages (two at least)."""
    if len(pages) < 2:
        return set()
    counts: dict[str, int] = {}
    for lines in pages:
        for key in {_key(line.text) for line in _zone(lines) if len(line.text) <= 150}:
            counts[key] = counts.get(key, 0) + 1
    need = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= need}


def _page_text(
    lines: list[_Line], repeated: set[str], heads: dict[int, int] | None = None
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, int]]]:
    """A page as paragraphs (one line each, blank lines between), its furniture ranges, and
    its headings' ranges with their levels (`heads`: level by `id` of a heading line).

    A heading is a block of its own; a heading that wraps onto a second line of the same
    font is one heading. A word hyphenated at a line end is joined without the hyphen
    ("interoper-" / "ability"), unless the page also writes it with one ("e-government").
    """
    heads = heads or {}
    zone = {id(line) for line in _zone(lines)}
    is_furniture = [
        id(line) in zone and (_key(line.text) in repeated or bool(_PAGE_NUMBER.match(line.text)))
        for line in lines
    ]
    body = [line for line, skip in zip(lines, is_furniture) if not skip]
    breaks = _paragraph_breaks(body)
    page = " ".join(line.text for line in body)
    blocks: list[tuple[str, str, int]] = []  # (text, "furniture" | "body" | "heading", level)
    b = 0
    last: _Line | None = None
    for line, skip in zip(lines, is_furniture):
        if skip:
            blocks.append((line.text, "furniture", 0))
            continue
        level = heads.get(id(line))
        if level is not None:
            continued = (
                bool(blocks)
                and blocks[-1][1] == "heading"
                and last is not None
                and id(last) in heads
                and (last.size, last.bold) == (line.size, line.bold)
                and pdf_headings.numbering(line.text) is None
            )
            if continued:
                blocks[-1] = (blocks[-1][0] + " " + line.text, "heading", blocks[-1][2])
            else:
                blocks.append((line.text, "heading", level))
        elif b == 0 or breaks[b] or not blocks or blocks[-1][1] != "body":
            blocks.append((line.text, "body", 0))
        else:
            blocks[-1] = (_join_lines(blocks[-1][0], line.text, page), "body", 0)
        b += 1
        last = line
    text, furniture, headings, offset = [], [], [], 0
    for i, (block, kind, level) in enumerate(blocks):
        if i:
            text.append("\n\n")
            offset += 2
        if kind == "furniture":
            furniture.append((offset, offset + len(block)))
        elif kind == "heading":
            headings.append((offset, offset + len(block), level))
        text.append(block)
        offset += len(block)
    return "".join(text), furniture, headings


def _join_lines(previous: str, line: str, page: str) -> str:
    """Two lines of a paragraph as one: a space between, or a line-end hyphen taken out."""
    m = re.search(r"(\w+)-$", previous)
    if m and line[:1].islower():
        word = re.match(r"\w+", line)
        compound = f"{m.group(1)}-{word.group(0) if word else ''}"
        if len(m.group(1)) < 2 or compound in page:
            return previous + line  # a real hyphen ("e-government")
        return previous[:-1] + line
    return previous + " " + line


def _paragraph_breaks(lines: list[_Line]) -> list[bool]:
    """For each line, whether it starts a new paragraph.

    A wider gap than the usual line pitch, a move up the page (a new column), a change of
    font size (a heading), or a short line that closes a sentence before a capital.
    """
    if not lines:
        return []
    pitches = [
        (a.y - b.y) / a.size
        for a, b in zip(lines, lines[1:])
        if a.y is not None and b.y is not None and a.size > 0 and 0 < a.y - b.y < 3 * a.size
    ]
    pitch = statistics.median(pitches) if pitches else None
    lengths = sorted(len(line.text) for line in lines)
    full = lengths[int(0.9 * (len(lengths) - 1))]
    out = [True]
    for a, b in zip(lines, lines[1:]):
        first = b.text[:1]
        starts_new = first.isupper() or first.isdigit() or first in '•▪●◦-–—“"(['
        if a.y is not None and b.y is not None and pitch and a.size > 0:
            gap = (a.y - b.y) / a.size
            if gap > 1.3 * pitch or gap < -0.5:
                out.append(True)
                continue
        if a.size and b.size and abs(a.size - b.size) > 0.12 * max(a.size, b.size):
            out.append(True)
            continue
        short = len(a.text) < 0.8 * full
        out.append(
            starts_new and ((short and a.text.endswith(_TERMINAL)) or len(a.text) < 0.5 * full)
        )
    return out


def _pdf_metadata(reader) -> dict:
    meta: dict = {}
    try:
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
        if title and not re.search(r"^microsoft (word|powerpoint)|\.(docx?|pdf|odt)$", title, re.I):
            meta["title"] = title
        author = str(info.get("/Author") or "").strip()
        if author:
            meta["publisher"] = author
        if created := reader.metadata.creation_date if reader.metadata else None:
            meta["date"] = created.date().isoformat()
        lang = reader.trailer["/Root"].get("/Lang")
        if lang:
            meta["language"] = str(lang).split("-")[0].lower()
    except Exception as exc:  # broken metadata must not make a readable PDF unreadable
        log.info("ignoring unreadable PDF metadata: %s", exc)
    return meta
