"""Follow-up questions in a chat, understood from the previous turns without an LLM.

Two kinds of follow-up, in both languages:

- a new entity for the same question: "Còn Nhật Bản thì sao?", "And Japan?", "What about
  Korea?" → the previous question with its entity swapped ("Nhật Bản hỗ trợ doanh nghiệp
  vừa và nhỏ thế nào?");
- a question that leans on the previous topic: "Ai thực hiện dự án đó?", "bao nhiêu
  tiền?", "When did it start?" → the question plus the previous question's topic.

>>> rewrite("Còn Nhật Bản thì sao?", ["Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?"], ["Singapo", "Nhật Bản"])
'Nhật Bản hỗ trợ doanh nghiệp vừa và nhỏ thế nào?'
"""

from __future__ import annotations

import re

from ..text import clean, fold, tokens

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
    thuc hien ai chi phi bat dau start started launched begin""".split()
)
MAX_FOLLOWUP_WORDS = 8


def _swap(previous: str, new_entity: str, places: list[str]) -> str:
    """The previous question with its main entity replaced by `new_entity`."""
    folded_prev = fold(previous)
    # A place the corpus itself names (section titles), matched without accents; a place
    # also matches a longer spelling ("Singapo" ~ "Singapore").
    for place in sorted(places, key=len, reverse=True):
        m = re.search(rf"\b{re.escape(fold(place))}\w*", folded_prev)
        if m:
            return previous[: m.start()] + new_entity + previous[m.end() :]
    # Otherwise the last capitalised run past the first word (a name).
    words = list(re.finditer(r"[\w'’-]+", previous))
    runs: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        word = w.group()
        # Past the first word a capital marks a name; the first word only counts with a
        # capital inside it ("mVoting", "GovTech").
        if not (word[:1].isupper() and i > 0) and not any(c.isupper() for c in word[1:]):
            continue
        if runs and runs[-1][1] == words[i - 1].end():
            runs[-1] = (runs[-1][0], w.end())  # the run goes on: "Smart Nation"
        else:
            runs.append((w.start(), w.end()))
    if runs:
        start, end = runs[-1]
        return previous[:start] + new_entity + previous[end:]
    return f"{previous} {new_entity}"


def _has_topic(question: str) -> bool:
    return any(t not in _FUNCTION and not t.isdigit() for t in tokens(question))


def rewrite(question: str, history: list[str], places: list[str] | None = None) -> str:
    """The retrieval query for `question`, given the previous questions (rewritten, oldest first).

    A question that stands on its own is returned as it is.
    """
    question = clean(question)
    if not history:
        return question
    previous = clean(history[-1])
    words = tokens(question)
    if len(words) > MAX_FOLLOWUP_WORDS:
        return question
    switch = _SWITCH.match(question)
    if switch:
        entity = switch.group("entity").strip(" ?.!")
        if entity and not _ANAPHORA.fullmatch(entity):
            return _swap(previous, entity, places or [])
    if not _has_topic(question) or (
        _ANAPHORA.search(question) and len(words) <= MAX_FOLLOWUP_WORDS
    ):
        return f"{question.rstrip('?.! ')} – {previous}"
    return question
