"""Plain text and Markdown: headings from ATX/setext lines, front matter as metadata."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ...errors import CorpusError
from ...models import Heading, Layout, Span
from ..extracted import (
    Extracted,
    _lines_with_offsets,
    _merge,
    _read_bytes,
)

log = logging.getLogger(__name__)

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
            f"{path.name} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and try again"
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


