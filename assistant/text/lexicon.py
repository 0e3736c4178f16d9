"""The field's vocabulary as data: the English–Vietnamese glossary and the place names.

Read once from `lexicons/*.json` (one file per language pair; see `lexicons/README.md`).
A corpus may add its own words: a `lexicon.json` in the corpus folder, same schema, is
merged in by `add_corpus_lexicon` when the corpus is read (without one nothing changes).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Container
from importlib import resources
from pathlib import Path

CORPUS_LEXICON = "lexicon.json"


@functools.cache
def _read(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath("lexicons", name).read_text("utf-8"))


def read_lexicon(name: str) -> dict:
    """One of the lexicons shipped in `lexicons/` (e.g. "question-forms.json"), read once."""
    return _read(name)


def _glossary() -> dict[str, tuple[str, ...]]:
    return {term: tuple(forms) for term, forms in _read("glossary.en-vi.json")["glossary"].items()}


def _places() -> list[set[str]]:
    return [set(group) for group in _read("places.en-vi.json")["places"]]


def english_name(group: int) -> str:
    """A place group's English name: the first form its lexicon lists ("japan")."""
    ordered = _read("places.en-vi.json")["places"]
    if group < len(ordered):
        return ordered[group][0]
    return min(NAME_GROUPS[group], key=len)


# Places the bulletin names, in English and Vietnamese: a name matches a passage that has
# any form of its group. Short forms that are also common syllables ("anh", "my") make
# the check lenient for those names only.
NAME_GROUPS: list[set[str]] = _places()

def _within() -> dict[int, int]:
    """Place group → the group of the country it lies in (a city, a province)."""
    first = {group[0]: i for i, group in enumerate(_read("places.en-vi.json")["places"])}
    return {first[inner]: first[outer] for inner, outer in _read("places.en-vi.json").get("within", {}).items()}


WITHIN: dict[int, int] = _within()


# A place's name after these words is an adjective ("tiếng Anh", "mẫu Anh"), not the place.
_NOT_AFTER = "".join(rf"(?<!\b{re.escape(w)} )" for w in _read("places.en-vi.json").get("modifies", []))


def _named(form: str) -> str:
    """The pattern of a place's form as a whole word that names the place."""
    return rf"{_NOT_AFTER}\b{re.escape(form)}\b"


def place_match(folded: str, group: int) -> re.Match | None:
    """Where a folded text names a place group: its longest form found, as a whole word
    (not as the adjective of a language or a measure: "tiếng Anh", "mẫu Anh")."""
    for form in sorted(NAME_GROUPS[group], key=len, reverse=True):
        m = re.search(_named(form), folded)
        if m:
            return m
    return None


def place_words(groups) -> set[str]:
    """Every word of every form of the place groups ({Japan} → japan, japanese, nhat,
    ban): what a text about those places "mentions" whatever it says."""
    return {w for g in groups for form in NAME_GROUPS[g] for w in form.split()}


def with_countries(groups: set[int]) -> set[int]:
    """Place groups and the countries they lie in: a question about Kawasaki is about
    Japan too, so a passage of the Japan section is not about another place."""
    return groups | {WITHIN[g] for g in groups if g in WITHIN}


# Vietnamese place names of one syllable, as written ("Pháp" → "france"): folded they are
# common words ("phương pháp"), so they count only capitalised and accented.
CAPITALISED_PLACES: dict[str, str] = dict(_read("places.en-vi.json").get("capitalised", {}))

# Short names as officials type them ("Nhật", "TQ") and the names they stand for.
SHORT_NAMES: dict[str, str] = dict(_read("places.en-vi.json").get("short", {}))
_SHORT = re.compile(
    "|".join(
        rf"(?<![\w&]){re.escape(short)}(?![\w&])(?!\s+{re.escape(full.split()[-1])}\b)"
        for short, full in sorted(SHORT_NAMES.items(), key=lambda kv: -len(kv[0]))
        if " " in full or short != full
    )
)


# The short names written without diacritics ("Sing", "TQ"): typed in lower case they are
# still no Vietnamese word, unlike "nhật" (day) or "hàn" (to weld).
_PLAIN_SHORT = {short.lower(): full for short, full in SHORT_NAMES.items() if short.isascii()}


def full_names(text: str, words: Container[str] | None = None) -> str:
    """The text with the short names of places written out, as written ("So sánh Nhật
    và Hàn" → "So sánh Nhật Bản và Hàn Quốc"; "Nhật Bản" stays).

    `words`, when given (the corpus's folded words, for a Vietnamese question), lets a
    short name written without diacritics count in any case, as people type unaccented
    questions ("sing bao nhieu dan"), unless the corpus uses it as a word.

    >>> full_names("TQ và Sing khác nhau thế nào?")
    'Trung Quốc và Singapore khác nhau thế nào?'
    >>> full_names("sing va tq khac nhau the nao", words={"khac", "nhau"})
    'Singapore va Trung Quốc khac nhau the nao'
    """
    if not SHORT_NAMES:
        return text
    text = _SHORT.sub(lambda m: SHORT_NAMES[m.group()], text)
    if words is None:
        return text
    plain = [s for s in _PLAIN_SHORT if s not in words]
    if not plain:
        return text
    pattern = "|".join(rf"(?<![\w&]){re.escape(s)}(?![\w&])" for s in sorted(plain, key=len, reverse=True))
    return re.sub(pattern, lambda m: _PLAIN_SHORT[m.group().lower()], text, flags=re.IGNORECASE)


# English terms of public-sector innovation and their Vietnamese forms (folded), for the
# lexical side of English questions over the Vietnamese text: without them an English
# question shares only names and numbers with the bulletin. The longest English form is
# matched first.
GLOSSARY: dict[str, tuple[str, ...]] = _glossary()


def _inflected(term: str) -> str:
    """A pattern for a term and its English inflections: "trial" → trials, trialled,
    trialed, trialling; "use" → uses, used, using. Multi-word terms inflect their last word."""
    # a space of a term is a space or a hyphen as typed: "public-sector" is "public sector"
    stem = re.escape(term).replace(r"\ ", r"[\s-]")
    if len(term) < 3 or not term[-1].isalpha():
        return stem
    endings = ["s", "es", "d", "ed", "ing", f"{term[-1]}ed", f"{term[-1]}ing"]
    forms = [stem + f"(?:{'|'.join(endings)})?"]
    if term.endswith("e"):
        forms.append(stem[:-1] + "ing")
    if term.endswith("y"):
        forms.append(stem[:-1] + "(?:ies|ied)")
    return "(?:" + "|".join(forms) + ")"


def _patterns() -> list[tuple[str, re.Pattern]]:
    return [
        (term, re.compile(rf"(?<![\w&-]){_inflected(term)}(?![\w&-])"))
        for term in sorted(GLOSSARY, key=len, reverse=True)
    ]


_GLOSSARY_PATTERNS = _patterns()


def glossary_matches(folded: str) -> list[str]:
    """The field's English terms a folded text uses, longest first, each stretch once.

    Cached per text (about 2 ms a call over the whole glossary, and the answer stage asks
    it of the same question for every sentence it checks); a corpus lexicon clears it."""
    return list(_glossary_matches(folded))


@functools.lru_cache(maxsize=4096)
def _glossary_matches(folded: str) -> tuple[str, ...]:
    out: list[str] = []
    taken = folded
    for term, pattern in _GLOSSARY_PATTERNS:
        taken, found = pattern.subn(" ", taken)
        if found:
            out.append(term)
    return tuple(out)


def glossary_terms(folded: str) -> list[str]:
    """The Vietnamese words (folded) for the field's English terms in a folded text.

    Longest terms first, and a matched stretch is not matched again by a shorter term
    inside it ("smart city" does not also give "city").
    """
    out = [w for term in glossary_matches(folded) for form in GLOSSARY[term] for w in form.split()]
    return list(dict.fromkeys(out))


def places_in(folded: str) -> set[int]:
    """Which place groups a folded text names ("nhat ban" or "japan" → Japan's group)."""
    return set(_places_in(folded, len(NAME_GROUPS)))


@functools.lru_cache(maxsize=65_536)
def _places_in(folded: str, groups: int) -> frozenset[int]:
    # `groups` keys the cache: a corpus lexicon may add place groups
    return frozenset(
        i
        for i, group in enumerate(NAME_GROUPS[:groups])
        if any(re.search(_named(form), folded) for form in group)
    )


_BUILT_IN: dict[str, tuple[str, ...]] = dict(GLOSSARY)


def use_glossary(enabled: bool) -> None:
    """Turn the hand-made glossary on or off for the process (`Settings.glossary`,
    `--no-glossary`): off, English questions meet the text through what every corpus
    has (shared names and numbers, the places, the embedder) and a corpus's own
    `lexicon.json` only."""
    global _GLOSSARY_PATTERNS
    for term in _BUILT_IN:
        if enabled:
            GLOSSARY[term] = tuple(dict.fromkeys([*_BUILT_IN[term], *GLOSSARY.get(term, ())]))
        elif GLOSSARY.get(term) == _BUILT_IN[term]:
            del GLOSSARY[term]
    _GLOSSARY_PATTERNS = _patterns()
    _glossary_matches.cache_clear()


def add_corpus_lexicon(folder: Path) -> bool:
    """Merge the corpus's own `lexicon.json` (same schema as the built-in files), if any.

    Glossary terms gain the corpus's forms (new terms are added); a place group sharing a
    form with a built-in group extends it, any other is added. Returns whether a file was
    merged. The lexicon is shared by the process: the words stay for later corpora too.
    """
    global _GLOSSARY_PATTERNS
    path = Path(folder) / CORPUS_LEXICON
    if not path.is_file():
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    for term, forms in data.get("glossary", {}).items():
        term = term.lower()
        GLOSSARY[term] = tuple(dict.fromkeys([*GLOSSARY.get(term, ()), *forms]))
    for group in data.get("places", []):
        group = {form.lower() for form in group}
        same = next((g for g in NAME_GROUPS if g & group), None)
        if same is not None:
            same |= group
        else:
            NAME_GROUPS.append(group)
    _GLOSSARY_PATTERNS = _patterns()
    _glossary_matches.cache_clear()  # the glossary may have gained terms
    _places_in.cache_clear()  # a group may have gained forms
    return True
