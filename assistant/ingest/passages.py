"""Split a bulletin extracted from print into citable passages that know where they come from.

The steps, in order:
1. blocks: runs of text between blank lines, with their exact offsets;
2. structure: headings (`1.`, `2.1.`, `(a)`, `(i)`, short titles) set the section path;
   the figure caption, the footnote and the reference list get kinds of their own;
3. repair: a block cut by a page break (no final punctuation, next block starts in lower
   case) is joined with its continuation, even across the footnote printed between them;
4. size: very short paragraphs merge with the next one of the same section; long ones are
   split at sentence boundaries.

Every passage keeps the source spans of its pieces, so `Passage.to_source` maps any range
of its text back to the file exactly.

Formats that know more than plain text pass a `Layout` (see `models.Layout`): headings they
mark replace step 2's recognition, furniture lines (running headers, page numbers) are left
out of every block, and each passage gets the page its first piece is on. Without a layout
(the text bulletin) nothing changes.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ..models import JOINER, Heading, Layout, Passage, Span
from ..text import fold
from ..text.language import language_of
from . import instructions, sentences

MIN_CHARS = 200
MAX_CHARS = 1000
HEADING_MAX_CHARS = 120
FRONT_MAX_CHARS = 2000  # a title page longer than this is the text itself

_TOP = re.compile(r"^(\d)\.\s+(\S.*)$")
_SUB = re.compile(r"^(\d\.\d+)\.?\s+(\S.*)$")
_LETTER = re.compile(r"^\(([a-z])\)\s+(\S.*)$")
_ROMAN = re.compile(r"^\(([ivx]{1,4})\)\s+(\S.*)$")
_CAPTION = re.compile(r"^(Hình|Bảng|Figure|Table)\s+\d+[.:]")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s")
_REFERENCES = re.compile(r"^(tai lieu tham khao|references)", re.IGNORECASE)
_TERMINAL = tuple(".!?:;…”\")]'’")
_ITEM_TITLE = re.compile(r"^(?:\d{1,2}\.|\([a-z]\))\s+([^:.]{3,160}):\s")


@dataclass
class Block:
    start: int
    end: int
    text: str


@dataclass
class Paragraph:
    section: list[str]
    spans: list[Span]
    kind: str = "paragraph"
    number: int = 1
    pieces: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return JOINER.join(self.pieces)


def blocks(source: str) -> list[Block]:
    """Text between blank lines (whitespace-only lines count as blank), stripped, with offsets."""
    out = []
    for match in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", source):
        start, end = match.start(), match.end()
        while start < end and source[start].isspace():
            start += 1
        while end > start and source[end - 1].isspace():
            end -= 1
        if start < end:
            out.append(Block(start, end, source[start:end]))
    return out


def _cut(items: list[Block], source: str, layout: Layout) -> list[Block]:
    """Blocks split where a marked heading or a furniture line starts or ends; furniture dropped.

    A Markdown heading often has its paragraph on the very next line, and a PDF's running
    header sits right above the text, so a blank line does not always separate them.
    """
    if not layout.furniture and not layout.headings:
        return items
    furniture = sorted((f.start, f.end) for f in layout.furniture)
    points = sorted(
        {p for f in layout.furniture for p in (f.start, f.end)}
        | {p for h in layout.headings or [] for p in (h.start, h.end)}
    )
    out: list[Block] = []
    for block in items:
        inner = [p for p in points if block.start < p < block.end]
        for lo, hi in zip([block.start, *inner], [*inner, block.end]):
            while lo < hi and source[lo].isspace():
                lo += 1
            while hi > lo and source[hi - 1].isspace():
                hi -= 1
            if lo < hi and not _inside(lo, hi, furniture):
                out.append(Block(lo, hi, source[lo:hi]))
    return out


def _inside(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]


def _is_short_title(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and "\n" not in text and not text.endswith(_TERMINAL)


def _continues(previous: str, following: str) -> bool:
    """A page break cut `previous` mid-sentence and `following` carries on."""
    return not previous.rstrip().endswith(_TERMINAL) and following[:1].islower()


def _sentence_case(heading: str, casing: Counter) -> str:
    """'KINH NGHIỆM … Ở TRUNG QUỐC' → 'Kinh nghiệm … ở Trung Quốc', names cased as the body does."""
    if heading != heading.upper():
        return heading
    words = heading.lower().split(" ")
    bare = [w.strip(",.;:()“”") for w in words]
    titled = [False] * len(words)
    for i in range(len(words) - 1):
        pair, cap = f"{bare[i]} {bare[i + 1]}", f"{bare[i].capitalize()} {bare[i + 1].capitalize()}"
        if bare[i].isalpha() and bare[i + 1].isalpha() and casing[cap] > casing[pair]:
            titled[i] = titled[i + 1] = True
    for i, word in enumerate(bare):
        if word.isalpha() and casing[word.capitalize()] > 2 * casing[word] + 1:
            titled[i] = True
    first_word = next((i for i, w in enumerate(bare) if w[:1].isalpha()), None)
    if first_word is not None:
        titled[first_word] = True
    return " ".join(
        w.replace(b, b.capitalize(), 1) if t and b else w
        for w, b, t in zip(words, bare, titled, strict=True)
    )


def _body_casing(source: str) -> Counter:
    """How often words and word pairs appear capitalised or not, away from sentence starts."""
    counts: Counter = Counter()
    for line in source.splitlines():
        words = re.findall(r"\w+", line)
        for i in range(1, len(words)):
            if words[i].isupper() and len(words[i]) > 1:
                continue
            counts[words[i]] += 1
            if i + 1 < len(words):
                counts[f"{words[i]} {words[i + 1]}"] += 1
    return counts


def paragraphs(source: str, layout: Layout | None = None) -> list[Paragraph]:
    """The structure of a bulletin: paragraphs with section paths, page breaks repaired.

    With `layout.headings`, the marked headings are the structure and nothing before the
    first one is a title page; otherwise headings are recognised from the text.
    """
    layout = layout or Layout()
    casing = _body_casing(source)
    items = _cut(blocks(source), source, layout)
    marked: dict[int, Heading] | None = (
        {h.start: h for h in layout.headings} if layout.headings is not None else None
    )
    path: list[str] = []
    levels: list[int] = []
    out: list[Paragraph] = []
    counters: Counter = Counter()
    pending: Paragraph | None = None  # a paragraph cut by a page break, waiting for its rest
    in_references = False
    # The title page is what comes before the first "1. TITLE" heading, when that comes
    # early; a text without one (or with marked headings) has no title page.
    first_top = next((b.start for b in items if _is_top_heading(b.text)), None)
    first_heading_seen = marked is not None or first_top is None or first_top > FRONT_MAX_CHARS
    front: Paragraph | None = None

    def set_heading(level: int, title: str) -> None:
        while levels and levels[-1] >= level:
            levels.pop()
            path.pop()
        levels.append(level)
        path.append(_sentence_case(title, casing))

    def emit(paragraph: Paragraph) -> None:
        key = tuple(paragraph.section)
        counters[key] += 1
        paragraph.number = counters[key]
        out.append(paragraph)

    for i, block in enumerate(items):
        text = block.text
        span = Span(start=block.start, end=block.end)
        following = items[i + 1].text if i + 1 < len(items) else ""

        heading_mark = marked.get(block.start) if marked is not None else None
        if pending is not None and text[:1].islower() and heading_mark is None:
            pending.spans.append(span)
            pending.pieces.append(text)
            if text.rstrip().endswith(_TERMINAL) or not following[:1].islower():
                emit(pending)
                pending = None
            continue
        if pending is not None and not _FOOTNOTE.match(text):
            emit(pending)
            pending = None

        if not first_heading_seen and not _TOP.match(text):
            front = front or Paragraph(section=[], spans=[], kind="front")
            front.spans.append(span)
            front.pieces.append(text)
            continue

        if marked is not None:
            heading = (heading_mark.level, heading_mark.title) if heading_mark else None
        else:
            heading = _heading_level(text, following, path)
        if heading is not None:
            if not first_heading_seen and front is not None:
                emit(front)
            first_heading_seen = True
            level, title = heading
            in_references = bool(_REFERENCES.match(fold(title)))
            set_heading(level, title)
            continue

        if in_references:
            for offset, line in _lines(text):
                ref = Span(start=block.start + offset, end=block.start + offset + len(line))
                out.append(
                    Paragraph(section=list(path), spans=[ref], kind="reference", pieces=[line])
                )
            continue

        kind = "paragraph"
        if _CAPTION.match(text):
            kind = "caption"
        elif _FOOTNOTE.match(text):
            kind = "footnote"
        elif _is_short_title(text) and not following[:1].islower() and _is_signature(i, items):
            kind = "front"
        elif marked is not None and _is_short_title(text) and all(lv <= 0 for lv in levels):
            kind = "front"  # a subtitle or issue line under the document title

        section = list(path) if kind != "front" else []
        title = _ITEM_TITLE.match(text) if kind == "paragraph" else None
        if title:
            section.append(text[: title.end(1)].strip())

        paragraph = Paragraph(section=section, spans=[span], kind=kind, pieces=[text])
        if kind == "paragraph" and _continues(text, _next_body(items, i)):
            pending = paragraph
            continue
        emit(paragraph)

    if pending is not None:
        emit(pending)
    if not first_heading_seen and front is not None:
        emit(front)
    return out


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            out.append((offset + line.index(stripped), stripped))
        offset += len(line) + 1
    return out


def _next_body(items: list[Block], i: int) -> str:
    """The next block that is not a footnote: a footnote may sit inside a cut paragraph."""
    for block in items[i + 1 :]:
        if not _FOOTNOTE.match(block.text):
            return block.text
    return ""


def _is_signature(i: int, items: list[Block]) -> bool:
    """A short line right before another title (e.g. the publisher's line before references)."""
    following = items[i + 1].text if i + 1 < len(items) else ""
    return not following or (
        _is_short_title(following) and bool(_REFERENCES.match(fold(following)))
    )


def _is_top_heading(text: str) -> bool:
    return bool(_TOP.match(text)) and _heading_level(text, "", []) == (1, text)


def _heading_level(text: str, following: str, path: list[str]) -> tuple[int, str] | None:
    if not _is_short_title(text):
        return None
    if _CAPTION.match(text) or _FOOTNOTE.match(text):
        return None
    if m := _SUB.match(text):
        return 2, text
    if (m := _TOP.match(text)) and m.group(2) == m.group(2).upper():
        return 1, text
    # "(i)" is a roman item below a lettered subsection, not the letter i.
    if _ROMAN.match(text):
        return 4, text
    if _LETTER.match(text):
        return 3, text
    if _REFERENCES.match(fold(text)):
        return 1, text
    # An unnumbered title ("Để đạt được các Mục tiêu Phát triển Bền vững") opens a
    # subsection of the current top-level section when a paragraph follows it.
    if path and len(following) > HEADING_MAX_CHARS and following[:1].isupper():
        return 2, text
    return None


def _passage_id(doc_id: str, section: list[str], text: str, seen: Counter) -> str:
    digest = hashlib.sha1(("\x1f".join(section) + "\x1e" + text).encode("utf-8")).hexdigest()[:10]
    seen[digest] += 1
    suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
    return f"{doc_id}#{digest}{suffix}"


def _split_long(paragraph: Paragraph) -> list[list[Span]]:
    """Split at sentence boundaries into near-equal parts of at most about MAX_CHARS."""
    text = paragraph.text
    if len(text) <= MAX_CHARS:
        return [paragraph.spans]
    bounds = sentences.spans(text)
    parts = math.ceil(len(text) / (MAX_CHARS * 0.85))
    target = len(text) / parts
    groups: list[list[tuple[int, int]]] = [[]]
    for s, e in bounds:
        if groups[-1] and e - groups[-1][0][0] > target and len(groups) < parts:
            groups.append([])
        groups[-1].append((s, e))
    temp = Passage(id="", doc_id="", text=text, spans=paragraph.spans)
    return [temp.to_source(group[0][0], group[-1][1]) for group in groups]


def split(
    source: str, doc_id: str, *, layout: Layout | None = None, language: str = "vi"
) -> list[Passage]:
    """The passages of one document, sized for readers and for the embedder.

    `layout` carries what the file format knows (marked headings, pages, furniture lines);
    without it the structure is recognised from the text alone. Passages get their own
    language (`language_of`) and the ranges addressed to an assistant (`instructions`).
    """
    merged: list[Paragraph] = []
    for paragraph in paragraphs(source, layout):
        last = merged[-1] if merged else None
        short = (
            last is not None
            and last.kind == paragraph.kind == "paragraph"
            and last.section == paragraph.section
            and len(last.text) < MIN_CHARS
            and len(last.text) + len(paragraph.text) <= MAX_CHARS
            and language_of(last.text, language) == language_of(paragraph.text, language)
        )
        references = (
            last is not None
            and last.kind == paragraph.kind == "reference"
            and len(last.text) + len(paragraph.text) <= MAX_CHARS * 0.8
        )
        if short or references:
            last.spans.extend(paragraph.spans)  # type: ignore[union-attr]
            last.pieces.extend(paragraph.pieces)  # type: ignore[union-attr]
        else:
            merged.append(paragraph)

    passages: list[Passage] = []
    seen: Counter = Counter()
    for paragraph in merged:
        for spans in _split_long(paragraph):
            text = JOINER.join(source[s.start : s.end] for s in spans)
            passages.append(
                Passage(
                    id=_passage_id(doc_id, paragraph.section, text, seen),
                    doc_id=doc_id,
                    section=paragraph.section,
                    paragraph=paragraph.number,
                    kind=paragraph.kind,
                    text=text,
                    spans=spans,
                    page=layout.page_at(spans[0].start) if layout else None,
                    language=language_of(text, language),
                    instructions=[Span(start=a, end=b) for a, b in instructions.find(text)],
                )
            )
    return passages
