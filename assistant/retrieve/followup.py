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

from ..text import NAME_GROUPS, clean, fold, has_diacritics, places_in, tokens
from ..text.lexicon import english_name

_SWITCH = re.compile(
    r"^(?:còn|con|thế còn|the con|vậy còn|vay con|and|and what about|what about|how about)\s+(?P<entity>.+?)"
    r"(?:\s+(?:thì sao|thi sao|thế nào|the nao|ra sao|thì thế nào|thi the nao|then))?\s*[?.!]*$",
    re.IGNORECASE,
)
# Words that point back to something said before.
_ANAPHORA = re.compile(
    r"\b(đó|này|ấy|kia|họ|nó|do|nay|ay|it|its|they|them|their|this|that|these|those|there|he|she)\b",
    re.IGNORECASE,
)
# Question words and particles: a question made only of these (and a few verbs) has no topic.
_FUNCTION = set(
    """ai gi sao nao dau bao nhieu may khi luc la co duoc the nhu lam thi ra vay con va
    who what when where why how which much many is are was were did does do the a an of
    it its they them their this that these those there tien money cost year nam when
    thuc hien ai chi phi bat dau start started launched begin qua kenh via through by
    worth cover covers sector sectors which""".split()
)
# Words of a side switch that only frame it ("bên y tế", "the health sector").
_FRAME = {"ben", "phia", "linh", "vuc", "nganh", "the", "sector", "side", "field"}
MAX_FOLLOWUP_WORDS = 8
# A pronoun that points back makes a longer question a follow-up too, unless it names a place.
MAX_PRONOUN_WORDS = 14


class FollowUp(BaseModel):
    """How a question relates to the thread: its kind, the query to search, and the
    topic the thread carries on with."""

    kind: Literal["standalone", "switch", "lean"]
    query: str
    topic: str


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


# What a question with no thread may point back to: a demonstrative after its noun
# ("dự án đó", "chương trình này"; typed without diacritics, only at the end: "du an do"),
# a personal pronoun, or an English demonstrative with its noun at the end ("that project").
_POINTER = {
    "vi": re.compile(r"(?:\w+\s){0,2}(?:đó|này|ấy|kia)\b|\b(?:họ|nó)\b", re.IGNORECASE),
    "vi-unaccented": re.compile(r"(?:\w+\s){1,2}(?:do|nay|ay)(?=\s*[?.!]*$)", re.IGNORECASE),
    "en": re.compile(r"\b(?:it|its|they|them|their)\b|\b(?:this|that|these|those)\s+\w+(?=\s*[?.!]*$)", re.IGNORECASE),
}


# What such words may point to without a thread: the document itself ("bản tin này",
# "this bulletin") or a set it names ("bốn quốc gia này", "these four countries").
_SELF = re.compile(
    r"\b(?:ban tin|bai viet|tai lieu|bao cao|an pham|bulletin|report|document|publication|article)\b"
    r"|^(?:hai|ba|bon|nam|sau|bay|tam|chin|muoi|two|three|four|five|six|seven|eight|\d+)\b"
)
UNRESOLVED = {
    "vi": "Câu hỏi nhắc đến “{pointer}” nhưng chưa có câu hỏi nào trước đó để biết là gì{guess}. "
    "Hãy nêu tên dự án, chương trình hoặc nước được hỏi.",
    "en": "The question refers to “{pointer}”, but no earlier question says what that is{guess}. "
    "Name the project, programme or country you mean.",
}
GUESS = {"vi": ", nên câu trả lời chỉ là đoạn gần nhất với câu hỏi", "en": ", so the answer is only the passage nearest the question"}


def dangling(question: str, language: str, specific: Callable[[str], bool]) -> str | None:
    """The words a question opening a conversation points back with, when it names
    nothing particular ("Ai thực hiện dự án đó?" → "dự án đó"); None otherwise. Such a
    question cannot be resolved; the answer says so beside its guess."""
    question = clean(question)
    found = _POINTER.get(language, _POINTER["en"]).search(question)
    if found is None or not _names_nothing(question, specific):
        return None
    before = question[: found.start()].split()[-1:]  # "bốn" of "bốn quốc gia này"
    if _SELF.search(fold(" ".join([*before, found.group()]))):
        return None
    return found.group().strip()


def _names_nothing(question: str, specific: Callable[[str], bool]) -> bool:
    """No place, no name, no word that names something particular (see `plan`)."""
    return (
        not places_in(fold(question))
        and not re.search(r"(?<!^)\b[A-ZĐ]\w*|\w[A-Z]", question)
        and not any(specific(t) for t in tokens(question) if t not in _FUNCTION)
    )


def _has_topic(question: str) -> bool:
    return any(t not in _FUNCTION and not t.isdigit() for t in tokens(question))


def plan(
    question: str,
    previous_query: str | None,
    previous_topic: str | None,
    places: list[str] | None = None,
    *,
    specific: Callable[[str], bool] | None = None,
) -> FollowUp:
    """How to search for `question` after a turn that searched `previous_query` about
    `previous_topic` (None: no thread). A question that stands on its own is searched
    as it is, and starts a new topic. `specific(word)` says whether a folded word names
    something particular (rare in the corpus, or unknown to it): a short question with
    none, and no place or name, asks about the thread."""
    question = clean(question)
    if not previous_query:
        return FollowUp(kind="standalone", query=question, topic=question)
    previous_query = clean(previous_query)
    topic = clean(previous_topic or previous_query)
    words = tokens(question)
    pronoun = bool(_ANAPHORA.search(question)) and not places_in(fold(question))
    if len(words) > (MAX_PRONOUN_WORDS if pronoun else MAX_FOLLOWUP_WORDS):
        return FollowUp(kind="standalone", query=question, topic=question)
    switch = _SWITCH.match(question)
    if switch:
        entity = switch.group("entity").strip(" ?.!")
        if entity and not _ANAPHORA.fullmatch(entity):
            swapped = _swap(previous_query, entity, places or [])
            return FollowUp(kind="switch", query=swapped, topic=swapped)
    # a short question that names nothing of its own (no place, no name) asks about the
    # thread: "Có bao nhiêu công ty được nhận tiền?"
    unnamed = specific is not None and _names_nothing(question, specific)
    if not _has_topic(question) or pronoun or unnamed:
        return FollowUp(kind="lean", query=f"{question.rstrip('?.! ')} – {topic}", topic=topic)
    return FollowUp(kind="standalone", query=question, topic=question)


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
