"""Headings of a PDF, from its fonts: a line set larger than the body text, or bold and short.

A PDF marks no headings; its typesetting does. The body size is the size most of the text
is set in; a heading is a line (or a run of lines) that is larger, or bold all through and
short, and does not end like a sentence. Its level comes from its numbering when it has one,
as in the bulletin ("1. …" level 1, "2.1. …" level 2, "(a) …" level 3, "(i) …" level 4), else
from its size among the headings (the largest first); the first, largest heading of page 1
without a number is the document's title (level 0).

>>> body = [(f"Dòng văn bản thường số {i} của trang.", 11.0, False) for i in range(20)]
>>> levels([("BẢN TIN SỐ 3", 16.0, True), ("1. CHUYỂN ĐỔI SỐ", 14.0, True), *body,
...         ("1.1. Estonia", 11.0, True)])
{0: 0, 1: 1, 22: 2}
"""

from __future__ import annotations

import re
from collections import Counter

HEADING_MAX_CHARS = 160
LARGER = 1.12  # a heading's size over the body's
_TERMINAL = tuple(".!?;…,")
_NUMBERED = [
    (re.compile(r"^\d+\.\d+\.\d+\.?\s+\S"), 3),
    (re.compile(r"^\d+\.\d+\.?\s+\S"), 2),
    (re.compile(r"^\d+\.\s+\S"), 1),
    (re.compile(r"^[IVX]+\.\s+\S"), 1),
    (re.compile(r"^\([ivx]{1,4}\)\s+\S"), 4),
    (re.compile(r"^\([a-z]\)\s+\S"), 3),
]


def body_size(lines: list[tuple[str, float, bool]]) -> float:
    """The font size most characters are set in."""
    weights: Counter = Counter()
    for text, size, _ in lines:
        weights[round(size, 1)] += len(text)
    return weights.most_common(1)[0][0] if weights else 0.0


def levels(lines: list[tuple[str, float, bool]]) -> dict[int, int]:
    """For the lines of a document in reading order as (text, size, bold), the index of each
    heading line and its level. Empty when the fonts say nothing (one size, no bold)."""
    body = body_size(lines)
    if not body:
        return {}
    found = [
        i
        for i, (text, size, bold) in enumerate(lines)
        if len(text) <= HEADING_MAX_CHARS
        and not text.endswith(_TERMINAL)
        and re.search(r"[^\W\d_]", text)
        and (size >= LARGER * body or (bold and size >= 0.95 * body))
    ]
    if not found:
        return {}
    numbered = {i: numbering(lines[i][0]) for i in found}
    # Sizes the numbered headings use tell the level of unnumbered ones of the same size.
    by_size: dict[float, int] = {}
    for i in found:
        if numbered[i] is not None:
            by_size.setdefault(round(lines[i][1], 1), numbered[i])  # type: ignore[arg-type]
    ranked = sorted({round(lines[i][1], 1) for i in found}, reverse=True)
    out: dict[int, int] = {}
    largest = ranked[0]
    for n, i in enumerate(found):
        size = round(lines[i][1], 1)
        if numbered[i] is not None:
            out[i] = numbered[i]  # type: ignore[assignment]
        elif n == 0 and size == largest and not by_size.get(size):
            out[i] = 0  # the title
        else:
            out[i] = by_size.get(size) or ranked.index(size) + 1
    return out


def numbering(text: str) -> int | None:
    """The level a heading's numbering gives ("2.1. …" → 2), None without one."""
    for pattern, level in _NUMBERED:
        if pattern.match(text):
            return level
    return None
