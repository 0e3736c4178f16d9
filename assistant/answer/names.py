"""Names in a question that the corpus never uses, and text with nothing to go by.

A name the bulletin never uses is usually the very thing asked about ("Indonesia"): see
`unknown_words` (a feature of the abstention model) and `unknown_places` (a place the
corpus never names: the answer abstains).
"""

from __future__ import annotations

import re

from ..models import QueryInfo
from ..retrieve.question import asking_words
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import GLOSSARY, NAME_GROUPS, fold, glossary_terms, place_words, places_in, tokens
from ..text.lexicon import CAPITALISED_PLACES
from .excerpt import idf_weights

# Vietnamese question words and particles: they ask, they do not name a topic.
QUESTION_WORDS = set(
    "gi sao nao dau ai bao nhieu may the nhu lam khong chua co phai hay hoac duoc ra khi luc".split()
)


def _asking() -> set[str]:
    return QUESTION_WORDS | asking_words()


def capitalised_runs(text: str) -> list[tuple[int, list[str]]]:
    """Runs of capitalised words with the index of their first word: names, mostly."""
    runs: list[tuple[int, list[str]]] = []
    words = re.findall(r"[\w'’-]+(?:\.[\w]+)*", text)
    for i, word in enumerate(words):
        if word[:1].isupper():
            if runs and runs[-1][0] + len(runs[-1][1]) == i:
                runs[-1][1].append(word)
            else:
                runs.append((i, [word]))
    return runs


def mentioned_places(index: Index) -> set[int]:
    """The place groups the corpus names: a form's words are corpus words, in corpus order.

    Read from the vocabulary the index already holds, so it costs the same for one
    bulletin as for a million passages; cached on the index (1.4 ms an `ask` otherwise).
    """
    cached = getattr(index, "_mentioned_places", None)
    if cached is not None:
        return cached
    vocab = index.vocabulary

    def named(form: str) -> bool:
        words = form.split()
        return all(w in vocab.folded_words for w in words) and all(
            pair in vocab.folded_pairs for pair in zip(words, words[1:])
        )

    groups = {i for i, group in enumerate(NAME_GROUPS) if any(named(f) for f in group)}
    index._mentioned_places = groups  # type: ignore[attr-defined]
    return groups


def unknown_words(info: QueryInfo, index: Index) -> list[str]:
    """Names in the question that the bulletin never uses.

    Such a name is usually the very thing asked about ("Indonesia", "Việt Nam"), so the
    bulletin cannot answer. Only names count, in both languages (runs of capitalised
    words, and the places of the place lexicon in any spelling): a typo ("nhữg"), an
    abbreviation ("TQ") or an English word in a Vietnamese question ("big data") is not an
    unknown topic (a run is known when
    any of its words is: "Winter Olympics" ~ "Olympic"). A word also matches a corpus word
    by its first five letters ("Olympics" ~ "Olympic"). A Vietnamese name of two syllables
    ("Thái Lan") is known only if the bulletin has that very pair.
    """
    idf = idf_weights(index)
    prefixes = getattr(index, "_prefixes", None)
    if prefixes is None:
        prefixes = {w[:5] for w in idf if len(w) >= 5}
        index._prefixes = prefixes  # type: ignore[attr-defined]

    def is_known(word: str) -> bool:
        if "-" in word or "." in word:  # "Jae-in", "X-Road", "Parking.sg": as the corpus splits them
            return all(is_known(part) for part in re.split(r"[-.]", word) if part)
        return word in idf or (len(word) >= 5 and word[:5] in prefixes)

    def translated_known(word: str) -> bool:
        return any(all(w in idf for w in form.split()) for form in GLOSSARY.get(word, ()))

    text = info.normalized
    named_places = mentioned_places(index)  # "UN", "Australia": named in the text as "Liên hợp quốc", "Úc"

    def is_name(word: str) -> bool:
        """Written as a name by the corpus too: never lower case in it."""
        return fold(word) not in index.vocabulary.folded_words or word.isupper()

    unknown: list[str] = []
    for first, run in capitalised_runs(text):
        if first == 0 and len(run) > 1 and fold(run[0]) in idf and not is_name(run[0]):
            run = run[1:]  # "Qua Dịch vụ …": the first word is capitalised anyway
            first = 1
        words = [fold(w).removesuffix("'s").removesuffix("’s") for w in run]
        # an English plural acronym ("SDGs") is its singular
        words = [w[:-1] if r.endswith("s") and r[:-1].isupper() and len(r) > 2 else w for w, r in zip(words, run)]
        placed = place_words(places_in(" ".join(words)) & named_places)
        words = [w for w in words if w not in ENGLISH_WORDS and w not in _asking() and w not in placed]
        if not words or (first == 0 and len(words) == 1):
            continue  # the first word of a sentence is capitalised anyway
        if info.language == "en" and all(w.rstrip("s").isupper() for w in run):
            # An English acronym is known if the bulletin uses it ("AI", "OECD") or the
            # Vietnamese words the glossary gives for it ("SMEs": doanh nghiệp vừa và nhỏ).
            if not any(is_known(w) or translated_known(w) for w in words):
                unknown.append(" ".join(words))
            continue
        if info.language == "en" and len(words) > 1:
            continue  # "State Council", "Smart Nation": institutions are translated in the text
        if not any(is_known(w) for w in words):
            unknown.append(" ".join(words))
        elif info.language != "en" and len(words) >= 2 and not any(w.isupper() for w in run):
            # a Vietnamese name of two syllables ("Thái Lan") is known only as that very
            # pair; a run with an acronym ("Dịch MERS") is a word and a name, each known
            pairs = index.vocabulary.folded_pairs
            if not all((a, b) in pairs for a, b in zip(words, words[1:])):
                unknown.append(" ".join(words))
    unknown += unknown_places(info, index)
    return list(dict.fromkeys(unknown))


def unknown_places(info: QueryInfo, index: Index) -> list[str]:
    """Places the question names that the corpus never names ("Malaysia", "ma lai xi a"),
    in any of the place lexicon's spellings. Unlike another unknown name (which may be a
    typo: "City Brian"), such a place is what the question is about, and the bulletin is
    silent on it: the answer abstains."""
    folded = fold(info.normalized)
    out = []
    for group in places_in(folded) - mentioned_places(index):
        named = [f for f in NAME_GROUPS[group] if re.search(rf"\b{re.escape(f)}\b", folded)]
        form = max(named, key=len)
        if " " in form or len(form) >= 5:  # "anh", "my", "uc" are syllables first
            out.append(form)
    # one-syllable Vietnamese names, written capitalised ("Pháp", "Đức")
    pairs = index.vocabulary.folded_pairs
    for name in CAPITALISED_PLACES:
        m = re.search(rf"(?<!\w){name}(?!\w)\s*(\w*)", info.normalized)
        if not m or _names_capitalised(index, name):
            continue
        # the question's first word is capitalised anyway: "Ý tưởng …" is a word of the
        # corpus ("ý tưởng"), not Italy
        if m.start() == 0 and (fold(name), fold(m.group(1))) in pairs:
            continue
        out.append(name)
    return out


def _names_capitalised(index: Index, name: str) -> bool:
    """Whether a passage writes `name` capitalised inside a sentence (not as its first
    word, where any word is capitalised): "ở Pháp", not "Pháp luật …". Cached on the index."""
    cache = index.__dict__.setdefault("_capitalised_names", {})
    if name not in cache:
        pattern = re.compile(rf"(?<![.!?:\n])\s{name}(?!\w)")
        cache[name] = any(pattern.search(p.text) for p in index.passages)
    return cache[name]


def understood(info: QueryInfo, index: Index) -> bool:
    """Whether a question has any word to go by: for English, a word of the language's
    grammar ("what", "the"), of the bulletin, or of the glossary.

    Text classed as English by default ("asdf qwer", "lorem ipsum", a path, markup) has
    none, and its nearest sentence would be an answer to nothing.
    """
    if info.language != "en":
        return True
    words = [t for t in tokens(info.normalized) if not t.isdigit()]
    idf = idf_weights(index)
    return any(w in ENGLISH_WORDS or w in idf or w in GLOSSARY for w in words) or bool(
        glossary_terms(fold(info.normalized))
    )
