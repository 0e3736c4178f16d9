"""What a question shares with a sentence, read the same way on any corpus and in either
language: the words every language writes the same (names, numbers, acronyms), the
question's pairs of content words, and the kind of value it asks for, read loosely.
These are features of the sentence ranker and the abstention model.
"""

from __future__ import annotations

import re

from ..retrieve.answer_types import own_numbers
from ..retrieve.question import Question, asking_words, forms, numerals, stands_in
from ..retrieve.search import ENGLISH_WORDS
from ..text import fold, places_in, tokens
from ..text.language import detect_language, is_vietnamese_syllable
from ..text.lexicon import glossary_matches


def first_word_names(word: str, question: str) -> bool:
    """Whether a question's capitalised first word is a name. Every sentence capitalises
    its first word: in Vietnamese it names something when it is no Vietnamese syllable
    ("Songdo có bao nhiêu dân?") or starts a place ("Nhật Bản …"); in English, where
    any word may start a question ("Based on …", "Describe …"), only when it is written
    as a name is (a possessive, "Singapore's"; capitals inside, "GovTech"; a digit,
    "5G") or is a place of the lexicon ("Japan").

    >>> first_word_names("Based", "Based on its origin, what kinds are there?")
    False
    >>> first_word_names("Singapore's", "Singapore's Smart Nation began when?")
    True
    >>> first_word_names("Songdo", "Songdo có bao nhiêu dân?")
    True
    """
    bare = re.sub(r"['’]s$", "", word)
    if places_in(fold(bare)):
        return True
    if is_vietnamese_syllable(fold(bare)):
        return False
    if detect_language(question) != "en":
        return True
    return bare != word or any(ch.isupper() for ch in bare[1:]) or any(ch.isdigit() for ch in bare)


def bridge_terms(text: str) -> list[str]:
    """The question's words that every language writes the same: numbers ("1900",
    "180.706"), acronyms ("GDP", "NEA") and names ("Tesla", "WeChat", "Kawasaki"; the
    first word when `first_word_names`), folded; never an asking word, nor a term the
    glossary translates ("SMEs").

    >>> bridge_terms("When did Tesla move to New York in 1884?")
    ['tesla', 'new', 'york', '1884']
    >>> bridge_terms("What inspired the Chinese-like elements of Kublai's government?")
    ['chinese', 'kublai']
    """
    # a term the glossary translates is not written the same ("SMEs" is "doanh nghiệp vừa
    # và nhỏ" in the text): coverage reads it through the glossary
    translated = {w for term in glossary_matches(fold(text)) for w in term.split()}
    out = []
    for i, m in enumerate(re.finditer(r"[\w&.'’-]+", text)):
        # an English possessive is its name ("Kublai's" → "Kublai"); the parts of a
        # hyphenated word are judged each on its own ("Chinese-like": "Chinese" only)
        word = re.sub(r"['’]s$", "", m.group().strip(".'’-"))
        for n, part in enumerate(p for p in word.split("-") if p):
            named = part[:1].isupper() and (i > 0 or n > 0 or first_word_names(m.group(), text))
            if any(ch.isdigit() for ch in part) or sum(ch.isupper() for ch in part) >= 2 or named:
                # (a dotted name is a name whatever its parts: "Parking.sg")
                kept = [t for t in tokens(part) if t not in ENGLISH_WORDS and t not in asking_words()]
                out += kept if "." in word else [t for t in kept if t not in translated]
    return list(dict.fromkeys(out))


def content_pairs(text: str) -> set[tuple[str, str]]:
    """The question's adjacent pairs of folded words that both carry content (no asking
    or function word): "doanh nghiệp vừa và nhỏ" → {("doanh", "nghiep"), ("vua", "va")…}."""
    words = tokens(text)
    skip = asking_words() | ENGLISH_WORDS
    return {(a, b) for a, b in zip(words, words[1:]) if a not in skip and b not in skip}


def value_kinds(question: Question) -> set[str]:
    """The kinds of value the question asks for, read loosely (no unit): "number",
    "year", "name"; empty for kinds that ask for none."""
    kinds = {question.kind, *question.also}
    out = set()
    if "number" in kinds:
        out.add("number")
    if "date" in kinds:
        out.add("year")
    if kinds & {"who", "name", "where"}:
        out.add("name")
    return out


def holds_value(kinds: set[str], text: str, question: Question, unit: str | None = None) -> bool:
    """Whether a sentence holds a value of one of `kinds` the question does not give:
    any number (a year is no count), a year or date, a name (a capitalised word past the
    first that is no Vietnamese syllable, an acronym, a capitalised run). With `unit`, a
    class of units the question asks for (`question.unit_class`: money, a share, a
    duration …), the number must be of that class in any of its units or wordings ("ba
    người" is no amount of money)."""
    given = own_numbers(question)
    # counts and ranks in words are counts ("đông dân thứ ba", "bốn đặc điểm")
    written = numerals(text)
    numbers = [n for n in re.findall(r"\d[\d.,]*", written) if n.strip(".,") not in given]
    counts = any(not re.fullmatch(r"(1[5-9]|20)\d{2}", n.strip(".,")) for n in numbers)
    if "number" in kinds and counts and (unit is None or stands_in(unit, written)):
        return True
    if "year" in kinds and any(re.fullmatch(r"(1[0-9]|20)\d{2}", n.strip(".,")) for n in numbers):
        return True
    if "year" in kinds and re.search(forms()["date"], text):  # "giữa thế kỷ 18", "tháng 5"
        return True
    if "name" in kinds:
        asked_words = set(tokens(question.text))
        names = re.findall(r"(?<!^)\b[A-ZĐ][\w-]+", text)
        return any(fold(n) not in asked_words for n in names)
    return False


# How a text defines a term: "… được định nghĩa là …", "… được hiểu là …", "… refers to …".
DEFINING = re.compile(
    r"(được định nghĩa|định nghĩa là|được hiểu là|có nghĩa là|refers? to|is defined as|is the term for)",
    re.IGNORECASE,
)


def defines(question: Question, text: str) -> bool:
    """Whether a sentence reads as a definition, for a question that asks for one."""
    return question.kind == "definition" and bool(DEFINING.search(text))
