"""What a question's kind asks for, checked in a text: a number with the unit the asking
words count, a year (two for a period), a name, a place the question does not name.

These checks are evidence for the learned models (`answer/ranker.py`,
`answer/abstain.py`), never a veto on their own.
"""

from __future__ import annotations

import re

from ..text import NAME_GROUPS, fold, glossary_terms, places_in, tokens
from ..text.language import is_vietnamese_syllable
from .question import Question, forms, given_numbers, numerals, stands_in


def asked_types(question: Question) -> list[str]:
    """The kinds of the question whose answer type can be checked ("number", "date", …)."""
    return [k for k in dict.fromkeys([question.kind, *question.also]) if _has_type(question, k, "") is not None]


def holds_type(question: Question, kind: str, text: str) -> bool:
    """Whether a text holds what one of the question's kinds asks for (see `_has_type`)."""
    return bool(_has_type(question, kind, text))


def has_answer_type(question: Question, excerpt: str) -> bool | None:
    """Whether an excerpt holds everything the question's kinds ask for (see `_has_type`);
    None when no kind asks for anything checkable."""
    checks = [_has_type(question, kind, excerpt) for kind in [question.kind, *question.also]]
    checks = [c for c in checks if c is not None]
    return all(checks) if checks else None


def own_numbers(question: Question) -> set[str]:
    """The numbers the user gave as what the question is about ("năm 2020", "449 triệu
    USD"): a value that answers it is another one. A follow-up's are `question.given`.
    None for a claim to check ("Was it launched in 2015?"): its number is the very value
    the answer checks, and the bulletin giving it is the answer."""
    if question.kind == "yes-no":
        return set()
    return set(question.given if question.given is not None else given_numbers(question.text))


def _has_type(question: Question, kind: str, excerpt: str) -> bool | None:
    """Whether an excerpt holds what the question's kind asks for; None when the kind asks
    for nothing checkable (how, why, list, definition, …).

    A number must not be one the question already gives ("Kế hoạch 449 triệu USD … năm
    nào?" is not answered by the 449); a year is not a count.
    """
    f = forms()
    given = own_numbers(question)
    if kind == "date":
        years = {m.group() for m in re.finditer(f["date"], excerpt) if re.search(r"\d", m.group()) and m.group() not in given}
        # a period ("từ năm nào đến năm nào") wants its two ends
        return len(years) >= (2 if f["date_range"].search(fold(question.text)) else 1)
    if kind == "number":
        written = numerals(excerpt)  # "bốn đặc điểm" counts as "4 đặc điểm"
        # "năm" is a year, or five: five before the very noun the question counts ("gồm
        # mấy điểm?" … "năm điểm")
        if counted := re.search(r"\b(?:may|bao nhieu)\s+(\w+)", fold(question.text)):
            noun = counted.group(1)
            written = re.sub(r"\bnăm (\w+)", lambda m: f"5 {m.group(1)}" if fold(m.group(1)) == noun else m.group(), written)
        numbers = [n for n in re.findall(r"\d[\d.,]*", written) if n.strip(".,") not in given]
        if not any(not re.fullmatch(r"(19|20)\d{2}", n.strip(".,")) for n in numbers):
            return False
        if question.unit and kind == question.kind:
            return stands_in(question.unit, written)
        return True
    if kind == "where" and f["named_place"].search(fold(question.text)):
        return bool(places_named(question, excerpt))
    if kind == "name":
        return bool(names_given(question, excerpt))
    if kind in ("who", "where"):
        asked = {w.lower() for w in re.findall(r"[\w-]+", question.text)}
        names = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-ZĐ][\w-]+", excerpt)
        # a sentence's first word is a name when it is no Vietnamese word ("Alibaba …")
        names += [w for w in re.findall(r"(?:^|[.!?]\s)([A-ZĐ][\w-]+)", excerpt) if not is_vietnamese_syllable(fold(w))]
        return any(n.lower() not in asked for n in names)
    return None


def names_given(question: Question, excerpt: str) -> list[str]:
    """The names an excerpt gives that the question does not: a quoted phrase, an acronym
    ("PSD", "GovTech"), a word that is no Vietnamese syllable ("Kawasaki"), or a
    capitalised run after a word that introduces a name ("ứng dụng Trung tâm sức khỏe").
    A title-cased common noun ("Văn phòng Thủ tướng", "Chính phủ") is not a name.
    """
    asked = set(tokens(question.text))
    found = re.findall(r"[“\"]([^”\"]{2,80})[”\"]", excerpt)
    found += re.findall(r"\b[A-ZĐ][\w&]*[A-ZĐ&][\w&]*\b", excerpt)
    found += [w for w in re.findall(r"\b[A-ZĐ][\w-]+", excerpt) if not is_vietnamese_syllable(fold(w))]
    for m in re.finditer(r"\b[A-ZĐ][\w-]*(?:\s[A-ZĐa-zđ\u00C0-\u1EF9][\w-]*){0,3}", excerpt):
        if forms()["naming"].search(excerpt[max(0, m.start() - 20) : m.start()]):
            found.append(m.group())
    return [n for n in dict.fromkeys(found) if not set(tokens(n)) <= asked]


def places_named(question: Question, excerpt: str) -> list[str]:
    """The places an excerpt names that the question does not: a place of the lexicon
    (in any spelling), or a capitalised name right after a word that introduces a place
    ("thành phố ven biển Kawasaki", "tại Songdo", "in Tokyo"). A place the question names, in
    either language ("Korea" ~ "Hàn Quốc"), or a word it gives through the glossary
    ("Olympics" ~ "Thế vận hội"), is not an answer.
    """
    asked_text = fold(question.text)
    asked_groups = places_in(asked_text)
    asked = set(tokens(question.text)) | set(glossary_terms(asked_text))
    out = [min(NAME_GROUPS[g], key=len) for g in places_in(fold(excerpt)) - asked_groups]
    words = list(re.finditer(r"[\w'’-]+", excerpt))
    i = 0
    while i < len(words):
        w = words[i]
        if w.group()[:1].isupper() and forms()["place_before_name"].search(excerpt[max(0, w.start() - 30) : w.start()]):
            run = [w.group()]
            while i + 1 < len(words) and words[i + 1].group()[:1].isupper() and excerpt[words[i].end() : words[i + 1].start()] == " ":
                i += 1
                run.append(words[i].group())
            name = " ".join(run)
            if not set(tokens(name)) <= asked and not places_in(fold(name)) & asked_groups:
                out.append(name)
        i += 1
    # once each, as the excerpt writes it where it does
    named: dict[str, str] = {}
    for name in out:
        named[fold(name)] = name
    return list(named.values())
