"""Vietnamese sentence splitting that keeps numbers, abbreviations and list markers whole.

>>> split("Dự án đã nhận được 180.706 đề xuất. Nissan Motor Co., Ltd. và Toyota đồng ý.")
['Dự án đã nhận được 180.706 đề xuất.', 'Nissan Motor Co., Ltd. và Toyota đồng ý.']
"""

from __future__ import annotations

import re

# Words that end with a period without ending a sentence.
ABBREVIATIONS = {
    "co",
    "ltd",
    "inc",
    "corp",
    "jsc",
    "ts",
    "ths",
    "pgs",
    "gs",
    "bs",
    "ks",
    "cn",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "no",
    "vs",
    "pp",
    "vol",
    "eds",
    "ed",
    "etc",
    "fig",
    "tp",
    "q",
    "p",
    "v.v",
    "e.g",
    "i.e",
    "u.s",
    "tr",
}

# A sentence ends at . ! ? … (possibly several, possibly followed by closing quotes or
# brackets), then whitespace, then something that can start a sentence.
_END = re.compile(r"[.!?…]+[”\"’')\]]*(?=\s+[\"“‘(\-–•*]?[\dA-ZÀ-ỸĐ])")
_LIST_MARKER = re.compile(r"^\s*(?:\(?[0-9]{1,2}|\(?[a-zA-Z]|\(?[ivxIVX]{1,4})[.)]$")


def spans(text: str) -> list[tuple[int, int]]:
    """Sentence ranges `[start, end)` in `text`, stripped of surrounding spaces."""
    out: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if _is_abbreviation(text, match.start()) or _LIST_MARKER.match(text[start:end]):
            continue
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    result = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            result.append((s, e))
    return result


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in spans(text)]


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = re.search(r"([\w.]+)$", text[:dot])
    if not word:
        return False
    token = word.group(1)
    # A single capital letter is an initial ("S. Korea"); "ý." in "đồng ý." is a word.
    return token.lower() in ABBREVIATIONS or (len(token) == 1 and "A" <= token <= "Z")
