"""Follow-up questions in a chat, understood from the thread without an LLM.

A thread is the list of previous answers (`Answer`), each with the query it searched, its
`topic` (what the thread is about once follow-ups are resolved), its language and the
passages it cited. A new question is one of three kinds (`plan`):

- **standalone**: it names its own topic ("Hàn Quốc dùng robot để làm gì?"); the thread
  is not used;
- **switch**: "Còn Nhật Bản thì sao?", "And Korea?", "What about the health sector?":
  the previous query with the matching part replaced, a place for a place (in the
  previous query's language: Japan ↔ Nhật Bản, from the place lexicon), otherwise the
  previous topic with the new aspect in front;
- **lean**: a pronoun ("đó", "ấy", "nó", "it", "they"), a bare "bao nhiêu / how many /
  where / when / why", or no topic of its own: the question plus the thread's topic, and
  it is answered first from the passages the thread cited (see `Assistant.ask`).

>>> plan("Còn Nhật Bản thì sao?", "Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?", "Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?", ["Singapo", "Nhật Bản"]).query
'Nhật Bản hỗ trợ doanh nghiệp vừa và nhỏ thế nào?'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from ..text import NAME_GROUPS, clean, fold, has_diacritics, place_match, places_in, tokens
from ..text.language import detect_language
from ..text.lexicon import english_name
from .topic import (
    _ANAPHORA,
    _FUNCTION,
    _WORD,
    _ask_words,
    _has_topic,
    asks,
    bare,
    dangling,  # noqa: F401  (where it was, for callers)
    names_something,
    topic_words,
)

_SWITCH = re.compile(
    r"^(?:còn|con|thế còn|the con|vậy còn|vay con|and|and what about|what about|how about)\s+(?P<entity>.+?)"
    r"(?:\s+(?:thì sao|thi sao|thế nào|the nao|ra sao|thì thế nào|thi the nao|then))?\s*[?.!]*$",
    re.IGNORECASE,
)
# Words of a side switch that only frame it ("bên y tế", "the health sector").
_FRAME = {"ben", "phia", "linh", "vuc", "nganh", "the", "sector", "side", "field"}
MAX_FOLLOWUP_WORDS = 8
# A pronoun that points back makes a longer question a follow-up too, unless it names a place.
MAX_PRONOUN_WORDS = 14


class FollowUp(BaseModel):
    """How a question relates to the thread: its kind, the query to search, the topic
    the thread carries on with, and what the question itself asks.

    For a follow-up that leans on the thread, `ask` is the user's own question and
    `topic` the thread's (the entity, the place, the programme: never the previous
    question's asking words); `query` is the ask with the topic, what is searched and
    what the answer is checked against. For a switch, `ask` is the previous question
    asked of the new topic."""

    kind: Literal["standalone", "switch", "lean"]
    query: str
    topic: str
    ask: str = ""
    # the place or name a switch turned to ("Nhật Bản"), as the user wrote it
    switched_to: str | None = None
    # a lean's words particular to the corpus that the thread's passages do not use
    # (folded): it may be a question of its own ("Hackathon là gì?"), which the answer
    # tells (see `Assistant.ask`)
    own_words: list[str] = []
    # the item of the thread's list a follow-up asks about ("Còn cái thứ ba?": 3)
    ordinal: int | None = None


def _place_form(group: int, previous: str, places: list[str]) -> str:
    """The spelling of a place group that fits the previous query's language: the
    corpus's own (a section title, "Nhật Bản"; folded for a query typed without
    diacritics), or the English name for an English query."""
    if re.search(r"\b(the|how|what|does|did|is|are|who|which|when|where|why)\b", fold(previous)) and not has_diacritics(previous):
        return english_name(group).title()
    for place in places:
        if has_diacritics(place) and places_in(fold(place)) == {group}:
            return place if has_diacritics(previous) else fold(place)
    return english_name(group).title()


def _swap(previous: str, entity: str, places: list[str]) -> str:
    """The previous query with the part that matches `entity` replaced by it."""
    folded_prev = fold(previous)
    new_groups = places_in(fold(entity))
    if new_groups:
        # a place for a place, spelled in the previous query's language
        spelled = _place_form(min(new_groups), previous, places)
        for group in places_in(folded_prev):
            for form in sorted(NAME_GROUPS[group], key=len, reverse=True):
                m = re.search(rf"\b{re.escape(form)}\w*", folded_prev)
                if m:
                    return previous[: m.start()] + spelled + previous[m.end() :]
        for place in sorted(places, key=len, reverse=True):
            m = re.search(rf"\b{re.escape(fold(place))}\w*", folded_prev)
            if m:
                return previous[: m.start()] + spelled + previous[m.end() :]
        return f"{spelled} {previous}"
    if entity[:1].isupper() or any(c.isupper() for c in entity[1:]):
        # a name for a name ("Còn Ten Million Imagination Oasis thì sao?")
        runs = _name_runs(previous)
        if runs:
            start, end = runs[-1]
            return previous[:start] + entity + previous[end:]
    # another aspect of the same place ("Còn bên y tế thì sao?"): the new aspect, with the
    # previous query's places and its question, without its subject
    aspect = " ".join(w for w in entity.split() if fold(w) not in _FRAME) or entity
    return f"{aspect} {_predicate(previous, places)}".strip()


def _name_runs(text: str) -> list[tuple[int, int]]:
    """Offsets of the runs of capitalised words past the first word (names); the first
    word counts only with a capital inside it ("mVoting", "GovTech")."""
    words = list(re.finditer(r"[\w'’-]+", text))
    runs: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        word = w.group()
        if not (word[:1].isupper() and i > 0) and not any(c.isupper() for c in word[1:]):
            continue
        if runs and runs[-1][1] == words[i - 1].end():
            runs[-1] = (runs[-1][0], w.end())  # the run goes on: "Smart Nation"
        else:
            runs.append((w.start(), w.end()))
    return runs


def _predicate(previous: str, places: list[str]) -> str:
    """What the previous query asked about its subject: from its place on ("Bộ Nhân lực
    Singapore ứng dụng tư duy thiết kế" → "Singapore ứng dụng tư duy thiết kế"), or its
    last words when it names no place."""
    folded = fold(previous)
    starts = [
        m.start()
        for group in places_in(folded)
        for form in NAME_GROUPS[group]
        for m in [re.search(rf"\b{re.escape(form)}\b", folded)]
        if m
    ]
    if starts:
        return previous[min(starts) :].rstrip(" ?.!")
    return " ".join(previous.rstrip(" ?.!").split()[-6:])


# The words that join a follow-up to the thread ("And in Japan, who …", "Còn ở Hàn Quốc,
# ai …"): a question that goes on with its own ask after them is a question of its own.
_LEAD = re.compile(
    r"^(?:và còn|va con|thế còn|the con|vậy còn|vay con|còn|con|and also|and|also|but)\b[\s,]*",
    re.IGNORECASE,
)
# An item of a list the thread named ("cái thứ ba", "loại thứ hai", "the third one").
_ORDINALS = {
    "thu nhat": 1, "dau tien": 1, "thu hai": 2, "thu ba": 3, "thu tu": 4, "thu nam": 5, "thu sau": 6,
    "thu bay": 7, "thu tam": 8, "thu chin": 9, "thu muoi": 10, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_ORDINAL = re.compile(rf"\b(?:{'|'.join(_ORDINALS)})\b")


def ordinal(question: str) -> int | None:
    """The item of a list a question asks about ("Loại thứ ba là gì?" → 3), or None."""
    found = _ORDINAL.search(fold(question))
    return _ORDINALS[found.group()] if found else None


# A bare question word in each language, by the kind it asks ("Vì sao?" after an English
# thread is searched as "Why", the thread's words being English).
_ASKING_AS = {
    "en": {"why": "Why", "where": "Where", "date": "When", "who": "Who", "number": "How many", "how": "How", "definition": "What is"},
    "vi": {"why": "Vì sao", "where": "Ở đâu", "date": "Khi nào", "who": "Ai", "number": "Bao nhiêu", "how": "Như thế nào", "definition": "Là gì"},
}  # fmt: skip


def _in_language_of(ask: str, thread: str) -> str:
    """A bare question word in the thread's language when it is typed in the other one."""
    from .question import kind_of

    mine, theirs = detect_language(ask), detect_language(thread)
    if (mine == "en") == (theirs == "en"):
        return ask
    said = _ASKING_AS["en" if theirs == "en" else "vi"].get(kind_of(ask))
    if said is None:
        return ask
    return fold(said) if theirs == "vi-unaccented" else said


def _merge(first: str, second: str) -> str:
    """The words of `first`, then those of `second` it does not have (folded, in order)."""
    seen = set(tokens(first))
    return " ".join([first, *(w for w in second.split() if not set(tokens(w)) <= seen)]).strip()


def _expand_short_names(question: str, thread: str) -> str:
    """A place the thread named, written short in the follow-up ("Sing" for Singapore,
    "Nhật" for Nhật Bản): spelled out as the thread writes it, so the question names it."""
    groups = places_in(fold(thread))
    if not groups:
        return question
    out = question
    for w in reversed(list(_WORD.finditer(question))):
        word = w.group()
        folded = fold(word)
        if not word[:1].isupper() or len(folded) < 3 or places_in(folded):
            continue
        found = {
            g
            for g in groups
            for form in NAME_GROUPS[g]
            if (form.startswith(folded) and (" " in form and form.split()[0] == folded or len(folded) >= 4))
        }
        if len(found) == 1:
            group = next(iter(found))
            if places_in(" ".join(fold(question[w.start() :]).split()[:3])) & found:
                continue  # written in full already ("Hàn Quốc": "Hàn" is its start)
            m = place_match(fold(thread), group)
            spelled = thread[m.start() : m.end()] if m and len(fold(thread)) == len(thread) else english_name(group).title()
            out = out[: w.start()] + spelled + out[w.end() :]
    return out


def plan(
    question: str,
    previous_query: str | None,
    previous_topic: str | None,
    places: list[str] | None = None,
    *,
    specific: Callable[[str], bool] | None = None,
    known: Callable[[str], bool] | None = None,
    thread_words: set[str] | None = None,
) -> FollowUp:
    """How to search for `question` after a turn that searched `previous_query` about
    `previous_topic` (None: no thread).

    - A question that names its own topic (a place, a name, a word particular to the
      corpus that the thread's passages do not use) and its own ask stands on its own,
      whatever its first words ("And in Japan, who runs digital public services?").
    - "Còn Nhật Bản thì sao?", "And Korea?": a switch, the previous question asked of the
      new place or name (or aspect: "Còn bên y tế thì sao?").
    - Otherwise, a short question (a pronoun, a bare "bao nhiêu / where / why", nothing
      named: "Mất bao lâu?", "How many ideas came in?") leans on the thread: its own ask
      about the thread's topic. One with a word particular to the corpus that the
      thread's passages do not use may stand on its own ("Hackathon là gì?"): the word
      is in `own_words`, and the answer decides.

    `specific(word)` says whether a folded word names something particular (rare in the
    corpus, or unknown to it), `known(word)` whether the corpus uses it (an English word
    the Vietnamese corpus does not know says nothing of its topic), `thread_words` the
    folded words of the passages the thread cited.
    """
    question = clean(question)

    def about(text: str) -> str:
        return topic_words(text, specific, known)

    if not previous_query:
        return FollowUp(kind="standalone", query=question, topic=about(question) or question, ask=question)
    previous_query = clean(previous_query)
    topic = clean(previous_topic or about(previous_query) or previous_query)
    question = _expand_short_names(question, f"{topic} {previous_query}")
    english = detect_language(question) == "en"

    def standalone(text: str) -> FollowUp:
        return FollowUp(kind="standalone", query=text, topic=about(text) or text, ask=text)

    def lean(ask: str) -> FollowUp:
        ask = ask.strip()
        # a bare question word ("Khi nào?", "As of when?", "Why?") asks it of what the
        # previous question said, its asking words replaced: its words and the topic
        of = topic
        if bare(ask):
            of = _merge(topic_words(previous_query), topic)
            ask = _in_language_of(ask, previous_query)
        return FollowUp(
            kind="lean", query=f"{ask.rstrip('?.! ')} – {of}", topic=topic, ask=ask, ordinal=ordinal(ask)
        )

    words = tokens(question)
    pronoun = bool(_ANAPHORA.search(question)) and not places_in(fold(question))
    switch = _SWITCH.match(question)
    if len(words) > (MAX_PRONOUN_WORDS if pronoun else MAX_FOLLOWUP_WORDS):
        # a long question is one of its own ("And" or "Còn" before it only join it)
        return standalone(_LEAD.sub("", question, count=1) if switch and asks(question) else question)
    if switch:
        entity = switch.group("entity").strip(" ?.!,")
        if entity and not _ANAPHORA.fullmatch(entity):
            rest = _LEAD.sub("", question, count=1)
            if asks(entity):
                # "And in Japan, who runs …?": its own ask; about its own topic when it
                # names one, else about the thread's ("Còn đồng hồ thông minh thì bao giờ lắp?")
                return standalone(rest) if names_something(rest) else lean(rest)
            if _ORDINAL.search(fold(entity)) and not names_something(entity):
                return lean(rest)  # "Còn cái thứ ba?": another item of the thread's list
            swapped = _swap(previous_query, entity, places or [])
            place = places_in(fold(entity))
            return FollowUp(
                kind="switch",
                query=swapped,
                topic=about(swapped) or swapped,
                ask=swapped,
                switched_to=entity if place or names_something(entity) else None,
            )
    if pronoun or not _has_topic(question):
        return lean(question)
    if names_something(question):
        return standalone(question)
    # a word particular to the corpus (rare in it) names a topic, unless it asks ("tốn
    # bao nhiêu", "kênh nào") or the thread's passages use it; an English word the
    # Vietnamese corpus does not know says nothing either way
    asked = _ask_words(question)
    particular = [
        t
        for t in words
        if t not in asked
        and t not in _FUNCTION
        and not t.isdigit()
        and specific is not None
        and specific(t)
        and not (english and known is not None and not known(t))
        and t not in (thread_words or set())
    ]
    step = lean(question)
    step.own_words = list(dict.fromkeys(particular))
    return step


def rewrite(question: str, history: list[str], places: list[str] | None = None) -> str:
    """The retrieval query for `question` after the previous questions (oldest first).

    Kept for callers with questions only: each earlier question is resolved against the
    one before it, so a chain of follow-ups keeps the first topic.
    """
    query = topic = None
    for turn in history:
        step = plan(turn, query, topic, places)
        query, topic = step.query, step.topic
    return plan(question, query, topic, places).query
