"""Suggested questions for the empty chat: one for each main section, in the interface language.

Made from the headings and the corpus, no LLM. A main section is a top-level section, or its
numbered sub-sections ("2.1. Trung Quốc" … "2.4. Singapo") when it has them. For each, a few
candidate questions are written from templates:

- a section about a place (its heading names a country): its lettered sub-headings as
  questions about that place ("Những lợi thế đặc biệt của Nhật Bản là gì?"), and in English
  the place's English name ("What are the special advantages of Japan?" when the sub-heading's
  words are in the field's glossary, else "How does Japan innovate in its public sector?");
- another section: how its heading's topic is classified, then what it is ("Đổi mới sáng tạo khu vực công là gì?", "What is
  public sector innovation?");
- then the names the section alone uses (GovTech, InnoLeap): "GovTech là gì?".

`suggestions` keeps, for each section, the first candidate the assistant answers from that
section (not abstained, every citation inside it), so every suggestion is a question the
bulletin answers where the suggestion says it does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from ..models import SECTION_SEP, Passage
from ..text import GLOSSARY, NAME_GROUPS, fold

_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\([a-z]+\)|\([ivx]+\))\s+")
_SUBSECTION = re.compile(r"^\d+\.\d+\.?\s")
_NAME = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z0-9]*|[A-Z][A-Z0-9]{2,})\b")
_ITEM = re.compile(r"^\d+\.\s")
_ABOUT = re.compile(r"^(?:khái quát|tổng quan|giới thiệu)\s+(?:về\s+)?", re.IGNORECASE)


def main_sections(passages: list[Passage]) -> list[list[str]]:
    """Heading paths of the main sections, in reading order (reference lists left out)."""
    out: list[list[str]] = []
    for p in passages:
        if p.kind != "paragraph" or not p.section:
            continue
        path = (
            p.section[:2]
            if len(p.section) >= 2 and _SUBSECTION.match(p.section[1])
            else p.section[:1]
        )
        if path not in out:
            out.append(path)
    return out


def topic(heading: str) -> str:
    """A heading without its numbering and its 'Khái quát về' ('Overview of')."""
    return _ABOUT.sub("", _NUMBERING.sub("", heading)).strip()


def english_place(heading: str) -> str | None:
    """The English name of the place a heading names ('2.4. Singapo' → 'Singapore'), or None.

    The name is the shortest one-word form of the place's group other than the heading's own.
    """
    own = fold(topic(heading))
    for group in NAME_GROUPS:
        if own in group:
            others = sorted((f for f in group if f != own and " " not in f), key=len)
            return others[0].title() if others else None
    return None


def english(phrase: str) -> str | None:
    """A Vietnamese phrase in English through the glossary, when every word is covered.

    Vietnamese puts the modifier after the head ("đổi mới sáng tạo | khu vực công"), English
    before it, so the translated pieces are read in reverse.

    >>> english("đổi mới sáng tạo khu vực công")
    'public sector innovation'
    """
    words = fold(phrase).split()
    reverse = sorted(
        ((tuple(vi.split()), en) for en, forms in GLOSSARY.items() for vi in forms),
        key=lambda pair: -len(pair[0]),
    )
    pieces: list[str] = []
    i = 0
    while i < len(words):
        for vi, en in reverse:
            if tuple(words[i : i + len(vi)]) == vi:
                if not pieces or pieces[-1] != en:
                    pieces.append(en)
                i += len(vi)
                break
        else:
            return None
    return " ".join(reversed(pieces)) if pieces else None


# English questions for the sub-headings a country's section shares (folded Vietnamese key).
HEADING_QUESTIONS_EN = {
    "loi the dac biet": "What are the special advantages of {place}?",
    "khu vuc tu nhan": "What role does the private sector play in {place}?",
    "mang luoi": "How does network innovation work in {place}?",
    "cap trung uong": "What does the central government of {place} do to innovate?",
}


def candidates(passages: list[Passage], path: list[str], lang: str, *, turn: int = 0) -> list[str]:
    """Questions about one main section, best first.

    `turn` (the section's rank among the main sections) rotates which sub-heading leads, so
    sections built alike (four countries, each with (a)–(d)) get different questions.
    """
    inside = [p for p in passages if p.section[: len(path)] == path and p.kind == "paragraph"]
    place_vi = topic(path[-1])
    place_en = english_place(path[-1])
    subs: list[str] = []
    for p in inside:
        for heading in p.section[len(path) :][:1]:
            if topic(heading) not in subs:
                subs.append(topic(heading))
    out: list[str] = []
    if place_en:
        subs = list(reversed(subs))  # the last sub-heading ("special advantages") sums up best
        subs = subs[turn % len(subs) :] + subs[: turn % len(subs)] if subs else subs
        for sub in subs:
            if lang == "en":
                key = next((k for k in HEADING_QUESTIONS_EN if k in fold(sub)), None)
                if key:
                    out.append(HEADING_QUESTIONS_EN[key].format(place=place_en))
            else:
                out.append(_upper_first(f"{_lower_first(sub)} của {place_vi} là gì?"))
        if lang == "en":
            out.append(f"How does {place_en} innovate in its public sector?")
    else:
        subject = topic(path[-1])
        listed = _numbered_subsections(inside, path)
        if lang == "en":
            words = english(subject)
            if words and listed:  # "3. Hàm ý chính sách" › "1. …", "2. …": a plural topic
                out += [f"What are the {words} of the bulletin?", f"What are the {words}?"]
            elif words:  # how a field is classified is a question its section answers whole
                out += [f"How is {words} classified?", f"What is {words}?"]
        elif listed:
            out += [f"Các {_lower_first(subject)} là gì?", _upper_first(f"{subject} là gì?")]
        else:
            out += [
                _upper_first(f"{subject} được phân loại như thế nào?"),
                _upper_first(f"{subject} là gì?"),
            ]
    out += [
        ("What is {}?" if lang == "en" else "{} là gì?").format(n) for n in names(passages, path)
    ]
    return out


def names(passages: list[Passage], path: list[str], *, k: int = 3) -> list[str]:
    """Names (GovTech, InnoLeap, MIRAI) that occur in this section and in no other, most used first."""
    inside, outside = Counter(), Counter()
    for p in passages:
        (inside if p.section[: len(path)] == path else outside).update(_NAME.findall(p.text))
    return [n for n, _ in inside.most_common() if not outside[n]][:k]


def answered_within(answer, path: list[str]) -> bool:
    """Whether an answer answers from the section it was asked about: not abstained, and
    every citation in that section or below it (a quote from another section would make the
    suggestion answer something else, as "Hàm ý chính sách là gì?" once quoted mVoting)."""
    if getattr(answer, "abstained", True) or not getattr(answer, "citations", None):
        return False
    return all(c.section_path.split(SECTION_SEP)[: len(path)] == path for c in answer.citations)


def suggestions(
    passages: list[Passage],
    lang: str,
    answers: Callable[[str], object],
    *,
    per_section: int = 1,
) -> list[str]:
    """For each main section, the first candidate that `answers` accepts.

    `answers(question)` returns the assistant's Answer (kept when it answers from the
    section, see `answered_within`) or a bool (kept when true).
    """
    out: list[str] = []
    places = 0
    for path in main_sections(passages):
        kept = 0
        turn = places
        places += english_place(path[-1]) is not None
        for question in candidates(passages, path, lang, turn=turn):
            if question in out:
                continue
            got = answers(question)
            if got is True or (not isinstance(got, bool) and answered_within(got, path)):
                out.append(question)
                kept += 1
                if kept == per_section:
                    break
    return out


def _numbered_subsections(inside: list[Passage], path: list[str]) -> bool:
    """Whether a section goes on in numbered points ("1. Tận dụng thế mạnh", "2. …")."""
    subs = {p.section[len(path)] for p in inside if len(p.section) > len(path)}
    return sum(bool(_ITEM.match(sub)) for sub in subs) >= 2


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
