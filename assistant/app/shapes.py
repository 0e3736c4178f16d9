"""An answer's body shaped by its kind: a block per entity, a list of items, the number in bold.

The answer stage may name the kind of question (`Answer.kind`: number, date, who, where, list,
compare, yes-no, definition, how, why, summary) and, for a compare answer, the entity each
sentence is about (`AnswerSentence.label`). Both are read with `getattr`, so an answer without
them is drawn as plain text with its citation marks.

Consecutive sentences citing the same source are one quoted block (see `blocks`), drawn once
with its [n] marks at its end; a block never runs on into another's text.

>>> emphasise_numbers("hơn 1 tỷ người dùng, 180.706 đề xuất")
'hơn <strong class="ba-num">1 tỷ</strong> người dùng, <strong class="ba-num">180.706</strong> đề xuất'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Answer, AnswerSentence
from .render_common import escape

_UNITS = r"(?:\s?%|\s(?:triệu|tỷ|nghìn|ngàn|USD|đô la|million|billion|thousand|percent))?"
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*" + _UNITS + r"(?![\w])")
# "Đó là: chính phủ số; dữ liệu mở; …": the items of a list stated in one sentence.
_INLINE_LIST = re.compile(r"^(?P<head>.*?:)\s*(?P<items>[^:]+;[^:]+;[^:]+)$", re.S)


def kind_of(answer: Answer) -> str | None:
    kind = getattr(answer, "kind", None)
    return str(kind) if kind else None


def emphasise_numbers(escaped: str) -> str:
    """Numbers (with their unit) of already escaped text in bold."""
    return _NUMBER.sub(lambda m: f'<strong class="ba-num">{m.group(0)}</strong>', escaped)


def blocks(sentences: list[AnswerSentence]) -> list[list[AnswerSentence]]:
    """Consecutive sentences that cite the same sources (and speak for the same side): one
    quoted block each, so an excerpt of another passage is never run on into the last."""
    out: list[list[AnswerSentence]] = []
    for s in sentences:
        last = out[-1][0] if out else None
        if (
            last is not None
            and last.citations == s.citations
            and getattr(last, "label", None) == getattr(s, "label", None)
        ):
            out[-1].append(s)
        else:
            out.append([s])
    return out


def body_html(
    answer: Answer,
    marks: Callable[[AnswerSentence], str],
    origin: Callable[[AnswerSentence], str] = lambda s: "",
) -> str:
    """The answer's sentences arranged for its kind, each quoted block once with its marks.

    `marks(s)` returns a sentence's citation marks (HTML); `origin(s)` a note put before a
    block that comes from another section than the first (HTML, or "").
    """
    kind = kind_of(answer)
    sentences = answer.sentences
    if not sentences:
        return f'<p class="ba-text">{escape(answer.text)}</p>'
    if kind == "summary":
        return _summary(sentences, marks)
    if kind == "compare" and any(getattr(s, "label", None) for s in sentences):
        return _compare(sentences, marks)
    if kind == "list":
        return _list(sentences, marks, origin)
    shape = emphasise_numbers if kind in ("number", "date") else (lambda html: html)
    css = f"ba-text ba-block ba-kind-{kind}" if kind in ("number", "date") else "ba-text ba-block"
    return "".join(
        f'<p class="{css}">{origin(group[0])}{_text(group, shape)} {marks(group[0])}</p>'
        for group in blocks(sentences)
    )


def _text(group: list[AnswerSentence], shape: Callable[[str], str] = lambda html: html) -> str:
    return " ".join(shape(escape(s.text)) for s in group)


def _compare(sentences: list[AnswerSentence], marks: Callable) -> str:
    """One block per entity, in the order the answer names them; unlabelled sentences lead."""
    lead: list[str] = []
    sides: dict[str, list[str]] = {}
    for group in blocks(sentences):
        label = getattr(group[0], "label", None)
        html = f'<span class="ba-block">{_text(group)} {marks(group[0])}</span>'
        if label:
            sides.setdefault(str(label), []).append(html)
        else:
            lead.append(html)
    parts = [f'<p class="ba-text">{" ".join(lead)}</p>'] if lead else []
    parts.append('<div class="ba-compare">')
    for label, items in sides.items():
        parts.append(
            f'<div class="ba-entity" data-entity="{escape(label)}">'
            f'<div class="ba-entity-h">{escape(label)}</div>'
            f'<p class="ba-text">{" ".join(items)}</p></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _list(sentences: list[AnswerSentence], marks: Callable, origin: Callable) -> str:
    """Each quoted block an item with its citation; a sentence that lists "a; b; c" gives one
    item each."""
    if len(sentences) == 1:
        m = _INLINE_LIST.match(sentences[0].text)
        if m:
            s = sentences[0]
            items = [i.strip(" .") for i in m.group("items").split(";") if i.strip(" .")]
            lis = "".join(f"<li>{escape(i)} {marks(s)}</li>" for i in items)
            return (
                f'<p class="ba-text ba-block">{escape(m.group("head"))} {marks(s)}</p>'
                f'<ul class="ba-items">{lis}</ul>'
            )
    lis = "".join(
        f'<li class="ba-block">{origin(group[0])}{_text(group)} {marks(group[0])}</li>'
        for group in blocks(sentences)
    )
    return f'<ul class="ba-items">{lis}</ul>'


def _summary(sentences: list[AnswerSentence], marks: Callable) -> str:
    """A brief's sentences under their section labels, a line for each section or numbered point."""
    out: list[str] = []
    label = None
    for group in blocks(sentences):
        first = group[0]
        this = getattr(first, "label", None)
        if out and (this != label or re.match(r"^(?:\d+\.|\([a-z]\))\s", first.text)):
            out.append("<br>")  # a new section, or a numbered point
        if this != label and this and this.rstrip("…") not in first.text[: len(this) + 8]:
            out.append(f'<strong class="ba-label">{escape(this)}:</strong> ')
        label = this
        out.append(f'<span class="ba-block">{_text(group)} {marks(first)}</span> ')
    return f'<p class="ba-text">{"".join(out).strip()}</p>'
