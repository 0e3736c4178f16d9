"""What an answer says around its quotes: abstentions, the topic they name, yes or no for
a claim to check, and the frame of an answer in the follow-up's language.

Every message names at most the entity a question is about ("Parking.sg", "Nhật Bản"),
or "this", never the user's whole question.
"""

from __future__ import annotations

import re

from ..models import Answer, QueryInfo
from ..retrieve.question import asking_words
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import NAME_GROUPS, fold, place_match, places_in
from ..text.language import is_vietnamese_syllable
from ..text.lexicon import english_name
from .names import capitalised_runs
from .signals import first_word_names

NOT_COVERED = {
    "vi": "Bản tin không đề cập đến {topic}.",
    "vi-unaccented": "Bản tin không đề cập đến {topic}.",
    "en": "The bulletin does not cover {topic}.",
}


COVERS = {"vi": "Bản tin có các phần về: {places}.", "en": "The bulletin has sections on: {places}."}


ONE_SIDE = {
    "vi": "Bản tin không đề cập đến {place}, nên không so sánh được. Về {side}, bản tin viết: “{nearest}”",
    "en": "The bulletin does not cover {place}, so it cannot compare. On {side} it says: “{nearest}”",
}


ELSEWHERE = {
    "vi": "Bản tin không nói điều này về {asked}. Đoạn gần nhất nói về {other}: “{nearest}”",
    "en": "The bulletin does not say this of {asked}. The nearest passage is about {other}: “{nearest}”",
}


NOT_GIVEN = {
    "vi": "Bản tin có nói về {topic} nhưng không nêu {what}. Câu gần nhất: “{nearest}”",
    "en": "The bulletin mentions {topic} but does not give {what}. The nearest sentence: “{nearest}”",
}


UNSURE = {
    "vi": "Bản tin không trả lời rõ câu hỏi này về {topic}. Câu gần nhất, có thể không phải câu trả lời: “{nearest}”",
    "en": "The bulletin does not clearly answer this about {topic}. The nearest sentence, which may not be the answer: “{nearest}”",
}


# The reply to a message that is no question (`intake.small_talk`).
SMALL_TALK = {
    "vi": {
        "greeting": "Xin chào! Tôi trả lời câu hỏi về bản tin, trích đúng câu chữ của nó. Hãy hỏi, ví dụ: “Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?”",
        "thanks": "Không có gì. Bạn cứ hỏi tiếp về bản tin.",
        "goodbye": "Tạm biệt!",
    },
    "en": {
        "greeting": "Hello! I answer questions about the bulletin, quoting its own words. Ask, for example: “How does Singapore support small and medium enterprises?”",
        "thanks": "You're welcome. Ask anything else about the bulletin.",
        "goodbye": "Goodbye!",
    },
}
UNSURE_PLAIN = {
    "vi": "Bản tin không trả lời rõ câu hỏi này. Câu gần nhất, có thể không phải câu trả lời: “{nearest}”",
    "en": "The bulletin does not clearly answer this. The nearest sentence, which may not be the answer: “{nearest}”",
}
WHAT = {
    "vi": {"money": "số tiền", "number": "con số được hỏi", "date": "thời điểm được hỏi",
           "who": "người hoặc tổ chức được hỏi", "name": "tên được hỏi", "where": "địa điểm được hỏi"},
    "en": {"money": "the amount", "number": "that number", "date": "that date",
           "who": "who it was", "name": "that name", "where": "that place"},
}  # fmt: skip


SIDE_MISSING = {
    "vi": "Bản tin không nêu thông tin này về {side}.",
    "en": "The bulletin gives nothing on this for {side}.",
}


ENGLISH_PREFIX = "The bulletin says (quoted in Vietnamese, its original language):"


def section_places(index: Index, *, english: bool = False) -> str:
    """The places the documents have sections on ("2.2. Nhật Bản"), as their headings
    write them (or their English names), in reading order (cached on the index)."""
    cache = index.__dict__.setdefault("section_places", {})
    if english not in cache:
        cache[english] = places_of_sections(index, english)
    return cache[english]


def places_of_sections(index: Index, english: bool) -> str:
    found: dict[int, str] = {}
    for p in index.passages:
        for title in p.section:
            groups = places_in(fold(title))
            if len(groups) == 1 and next(iter(groups)) not in found:
                g = next(iter(groups))
                found[g] = english_name(g).title() if english else as_written(title, groups)
    return ", ".join(found.values())


def as_written(text: str, groups: set[int]) -> str:
    """The places of `groups` as `text` writes them ("Nhật Bản", "Korea"), or their
    English names where it does not."""
    folded, names = fold(text), []
    for g in sorted(groups):
        m = place_match(folded, g)
        names.append(text[m.start() : m.end()] if m and len(folded) == len(text) else english_name(g).title())
    return ", ".join(dict.fromkeys(names))


def lang_of(language: str) -> str:
    return "en" if language == "en" else "vi"



def reframe(answer: Answer, language: str) -> Answer:
    """The answer introduced in `language` (a follow-up's own), whatever language the
    query it searched was in; the quotes are the bulletin's either way. An abstention
    is said again in that language about what the query names (never the user's whole
    question)."""
    if language == answer.language or language not in NOT_COVERED:
        return answer
    text = answer.text
    if answer.abstained:
        text = NOT_COVERED[language].format(topic=_topic_phrase(answer.query, language))
    elif answer.language == "en" and text.startswith(ENGLISH_PREFIX):
        text = text[len(ENGLISH_PREFIX) :].lstrip("\n")
    elif language == "en":
        text = f"{ENGLISH_PREFIX}\n\n{text}"
    return answer.model_copy(update={"text": text, "language": language})


def topic_names(info: QueryInfo) -> str:
    """The names a question is about ("Parking.sg", "Songdo", "Nhật Bản"), for an
    abstention's message; a run of capitalised words is one name."""
    names = []
    for first, run in _through_numbers(info.normalized):
        words = list(run)
        # a question's first word is capitalised anyway ("Based on …" names nothing)
        if first == 0 and not first_word_names(words[0], info.normalized) and not places_in(fold(" ".join(words))):
            words = words[1:]
        words = [w for w in words if fold(w) not in asking_words() and fold(w) not in ENGLISH_WORDS]
        for part in _at_places(words) if words else []:
            # a lone capitalised Vietnamese syllable of a title ("Quốc" of "Quốc gia Thông
            # minh") names nothing by itself
            if len(part) == 1 and is_vietnamese_syllable(fold(part[0])) and not places_in(fold(part[0])):
                continue
            # an English possessive names its owner ("China's" → "China")
            names.append(re.sub(r"['’]s$", "", " ".join(part[:4])))
    # typed in lower case, a name with a dot still shows ("app parking.sg …"); a number
    # ("1.4") is no name
    names += [n for n in re.findall(r"\b\w+(?:\.\w+)+\b", info.normalized) if not re.fullmatch(r"[\d.]+", n)]
    return ", ".join(dict.fromkeys(names[:3]))


def _through_numbers(text: str) -> list[tuple[int, list[str]]]:
    """`capitalised_runs`, a run going on through a word that starts with a digit between
    two capitalised ones ("Gwanghwamoon 1st Street")."""
    words = re.findall(r"[\w'’-]+(?:\.[\w]+)*", text)
    runs: list[tuple[int, list[str]]] = []
    for first, run in capitalised_runs(text):
        joins = runs and first == runs[-1][0] + len(runs[-1][1]) + 1 and words[first - 1][:1].isdigit()
        if joins and not is_vietnamese_syllable(fold(runs[-1][1][-1])):
            runs[-1] = (runs[-1][0], [*runs[-1][1], words[first - 1], *run])
        else:
            runs.append((first, list(run)))
    return runs


def _at_places(words: list[str]) -> list[list[str]]:
    """A run of capitalised words with the place it ends in cut off: "Didi Chuxing Trung
    Quốc" names Didi Chuxing and China (never "Didi Chuxing Trung"); a place that begins
    a name stays in it ("Seoul Metropolitan Government")."""
    for n in (3, 2, 1):
        if len(words) > n and _is_place(words[-n:]):
            return [words[:-n], words[-n:]]
    return [words]


def _is_place(words: list[str]) -> bool:
    folded = fold(" ".join(words))
    return any(folded in NAME_GROUPS[g] for g in places_in(folded))


# What an abstention says it does not cover: "this", or "this" about the names the
# question is about; never the user's whole question.
THIS = {"vi": "điều này", "en": "this"}


THIS_ABOUT = {"vi": "điều này về {names}", "en": "this about {names}"}


def topic_of(info: QueryInfo) -> str:
    """What 'The bulletin does not cover …' says: "this", about the names the question
    is about when it names any ("điều này về Songdo"), never the question itself."""
    return _topic_phrase(info.normalized, info.language)


def _topic_phrase(text: str, language: str) -> str:
    lang = lang_of(language)
    names = topic_names(QueryInfo(original=text, normalized=text, language=language, dense_query=text, lexical_terms=[], dense_weight=0.5))
    return THIS_ABOUT[lang].format(names=names) if names else THIS[lang]
