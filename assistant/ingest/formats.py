"""Read a file into its source text, what its format knows about structure, and its metadata.

Each reader returns an `Extracted`: the source text that passage offsets point into, a
`Layout` (marked headings, page starts, furniture lines) and the metadata the file itself
carries. Nothing is removed from a source text after it is made; lines that are not content
are marked as furniture instead, so every offset stays exact.

- `.txt`: the file as it is. Structure is recognised from the text (the bulletin).
- `.md`: the file as it is. `#` and underlined headings (outside code fences) are marked; a
  front-matter block (`---` … `---`) and thematic breaks are furniture, and the front
  matter's `key: value` lines are metadata.
- `.pdf` (pypdf): one text per page, joined by `PAGE_BREAK`. Lines of a paragraph are joined
  by a space and paragraphs by a blank line; a paragraph ends where the gap between lines
  widens, the font size changes, or a short line closes a sentence. Lines repeated at the
  top or bottom of most pages (running headers and footers) and page-number lines are
  furniture. A PDF without a text layer (a scan) is an error that says so.
- `.docx` (python-docx): paragraphs and tables in reading order, a blank line between them.
  Paragraph styles "Title" and "Heading 1…9" (or an outline level) are marked headings.
  Pages come from the page breaks Word saved when it last laid the file out, or else from
  hard page breaks; a file with neither has no page numbers.

>>> extracted = read_markdown_text("# Tiêu đề\\nMột đoạn văn.\\n")
>>> [(h.level, h.title) for h in extracted.layout.headings]
[(1, 'Tiêu đề')]
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from ..errors import CorpusError
from ..models import Heading, Layout, Span

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


def read(path: Path) -> Extracted:
    """Read any supported file; CorpusError says why a file cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".md":
        return read_markdown_text(read_text(path).text)
    if suffix == ".txt":
        return read_text(path)
    hint = " (save it as .docx)" if suffix == ".doc" else ""
    raise CorpusError(
        f"{path.name}: unsupported format {path.suffix!r}{hint}; supported: {', '.join(SUFFIXES)}"
    )


# --- text and Markdown -------------------------------------------------------------------


def read_text(path: Path) -> Extracted:
    """A text file's content as UTF-8, unchanged."""
    raw = _read_bytes(path)
    if b"\x00" in raw[:4096]:
        raise CorpusError(
            f"{path.name} looks like a binary file, not text; remove it or convert it to UTF-8 text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path.name} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and rebuild"
        ) from exc
    if not text.strip():
        raise CorpusError(f"{path.name} is empty")
    return Extracted(text=text)


_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
META_KEYS = ("title", "series", "issue", "year", "date", "publisher", "language")


def read_markdown_text(text: str) -> Extracted:
    """Markdown: the text unchanged, its headings marked, front matter and rules as furniture."""
    headings: list[Heading] = []
    furniture: list[Span] = []
    meta: dict = {}
    start = 0
    if front := _FRONT_MATTER.match(text):
        furniture.append(Span(start=0, end=front.end()))
        meta = _front_matter(front.group(1))
        start = front.end()
    lines = _lines_with_offsets(text, start)
    in_fence = False
    previous_blank = True
    for i, (offset, line) in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or _FENCE.match(line):
            previous_blank = False
            continue
        following = lines[i + 1][1] if i + 1 < len(lines) else ""
        if m := _ATX.match(line):
            title = (m.group(2) or "").strip()
            if title:
                lead = offset + line.index("#")
                headings.append(
                    Heading(
                        start=lead,
                        end=offset + len(line.rstrip()),
                        level=len(m.group(1)),
                        title=title,
                    )
                )
        elif (
            line.strip()
            and previous_blank
            and (u := _SETEXT.match(following))
            and not _RULE.match(line)
        ):
            lead = offset + len(line) - len(line.lstrip())
            level = 1 if u.group(1)[0] == "=" else 2
            headings.append(
                Heading(
                    start=lead, end=offset + len(line.rstrip()), level=level, title=line.strip()
                )
            )
            under = lines[i + 1][0]
            furniture.append(Span(start=under, end=under + len(following.rstrip())))
        elif _RULE.match(line) and not any(f.start == offset for f in furniture):
            furniture.append(Span(start=offset, end=offset + len(line.rstrip())))
        previous_blank = not line.strip()
    if not meta.get("title") and headings:
        meta["title"] = min(headings, key=lambda h: h.level).title
    return Extracted(
        text=text, layout=Layout(headings=headings or None, furniture=_merge(furniture)), meta=meta
    )


def _front_matter(block: str) -> dict:
    """`key: value` lines of a YAML front matter (the simple, common subset)."""
    meta: dict = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in META_KEYS:
            value = value.strip().strip("\"'")
            if value:
                meta[key] = value
    return meta


def _lines_with_offsets(text: str, start: int = 0) -> list[tuple[int, str]]:
    out, offset = [], start
    for line in text[start:].split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _merge(spans: list[Span]) -> list[Span]:
    return sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)


# --- PDF ---------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    y: float | None
    size: float


# A line that is only a page number: "12", "- 12 -", "Trang 3", "Page 3 of 10", "iv".
_PAGE_NUMBER = re.compile(
    r"^(?:(?:trang|page|tr\.)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|trên)\s*\d{1,4})?$",
    re.IGNORECASE,
)
FURNITURE_ZONE = 3  # lines at the top and at the bottom of a page where furniture sits


def read_pdf(path: Path) -> Extracted:
    """A text PDF, page by page: paragraphs recovered, headers, footers and page numbers marked."""
    import pypdf
    from pypdf.errors import PdfReadError

    raw = _read_bytes(path)
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
        raise CorpusError(
            f"{path.name} has no text layer: its {len(pages)} page(s) are images, as in a "
            "scanned document. Run OCR on it first (for example `ocrmypdf in.pdf out.pdf`) and "
            "add the result, or add a .docx or .txt version."
        )
    if len(with_text) < len(pages):
        log.warning(
            "%s: %d of %d pages have no text (scanned pages?); their content is not indexed",
            path.name,
            len(pages) - len(with_text),
            len(pages),
        )
    repeated = _repeated_lines(pages)
    text_parts: list[str] = []
    starts: list[int] = []
    furniture: list[Span] = []
    offset = 0
    for number, lines in enumerate(pages):
        if number:
            text_parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        starts.append(offset)
        page_text, page_furniture = _page_text(lines, repeated)
        furniture += [Span(start=offset + s, end=offset + e) for s, e in page_furniture]
        text_parts.append(page_text)
        offset += len(page_text)
    return Extracted(
        text="".join(text_parts),
        layout=Layout(headings=None, pages=starts, furniture=furniture),
        meta={**_pdf_metadata(reader), "pages": len(pages)},
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
        pieces.append((text, y, float(size or 0) * scale))

    text = page.extract_text(visitor_text=visit)
    if "".join(p[0] for p in pieces) != text:  # no positions to trust: plain lines
        pieces = [(text, None, 0.0)]
    lines: list[_Line] = []
    current: list[str] = []
    y: float | None = None
    size = 0.0
    for piece, piece_y, piece_size in pieces:
        for j, part in enumerate(piece.split("\n")):
            if j:
                lines.append(_Line(" ".join("".join(current).split()), y, size))
                current, y, size = [], None, 0.0
            if part.strip():
                y = piece_y if y is None else y
                size = max(size, piece_size)
            current.append(part)
    lines.append(_Line(" ".join("".join(current).split()), y, size))
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


def _page_text(lines: list[_Line], repeated: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """A page as paragraphs (one line each, blank lines between) and its furniture ranges."""
    zone = {id(line) for line in _zone(lines)}
    is_furniture = [
        id(line) in zone and (_key(line.text) in repeated or bool(_PAGE_NUMBER.match(line.text)))
        for line in lines
    ]
    body = [line for line, skip in zip(lines, is_furniture) if not skip]
    breaks = _paragraph_breaks(body)
    blocks: list[tuple[str, bool]] = []  # (text, is furniture)
    b = 0
    for line, skip in zip(lines, is_furniture):
        if skip:
            blocks.append((line.text, True))
            continue
        if b == 0 or breaks[b] or not blocks or blocks[-1][1]:
            blocks.append((line.text, False))
        else:
            previous = blocks[-1][0]
            joiner = "" if re.search(r"\w-$", previous) and line.text[:1].islower() else " "
            blocks[-1] = (previous + joiner + line.text, False)
        b += 1
    text, furniture, offset = [], [], 0
    for i, (block, skip) in enumerate(blocks):
        if i:
            text.append("\n\n")
            offset += 2
        if skip:
            furniture.append((offset, offset + len(block)))
        text.append(block)
        offset += len(block)
    return "".join(text), furniture


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
