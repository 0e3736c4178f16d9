"""Sentences and their citation markers joined into one clean line, in both answer modes.

Each sentence is followed by one space and its markers, sentences are one space apart,
and a sentence never ends with two stops or a space before its stop:

>>> from assistant.models import AnswerSentence as S
>>> cited([S(text="Korea used robots.. ", citations=[1]), S(text="Hơn 1.700 đề xuất", citations=[2, 3])])
'Korea used robots. [1] Hơn 1.700 đề xuất. [2][3]'

`tidy` is for written text (a model's sentence), which may be repaired; a quote stays
verbatim, only the whitespace around it goes (`cited(..., verbatim=True)`).
"""

from __future__ import annotations

import re

from ..models import AnswerSentence

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?…])")
# "..", ". .", ",.", ";." and "?." at the end of a clause; an ellipsis ("...") is left alone.
_DOUBLED = re.compile(r"(?<![.])([.,;:])(?!\.\.)(?:\s*\.)+(?![.\d])|([!?…])(?:\s*\.)+(?![.\d])")
_END = ".!?…:;\"'”’»)"


def tidy(sentence: str) -> str:
    """A written sentence with single spaces, no space before punctuation and no doubled stop.

    >>> tidy("Korea used robots to deliver public services .. ")
    'Korea used robots to deliver public services.'
    >>> tidy("Nissan Motor Co., Ltd. . Wait...")
    'Nissan Motor Co., Ltd. Wait...'
    """
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", sentence).strip())
    return _DOUBLED.sub(lambda m: m.group(2) or ".", text).strip()


def markers(numbers: list[int]) -> str:
    """'[1][2]' for [1, 2]."""
    return "".join(f"[{n}]" for n in numbers)


def cited(sentences: list[AnswerSentence], *, verbatim: bool = False) -> str:
    """The sentences with their markers, as one line.

    A written sentence is tidied and gets a full stop when it has no end mark (a bullet
    the model wrote); a verbatim quote keeps its own characters.
    """
    parts = []
    for s in sentences:
        text = _SPACES.sub(" ", s.text).strip() if verbatim else tidy(s.text)
        if not text:
            continue
        if not verbatim and not text.endswith(tuple(_END)):
            text += "."
        parts.append(f"{text} {markers(s.citations)}" if s.citations else text)
    return " ".join(parts)
