"""An answer's body shaped by its kind: a block per entity, a list of items, the number in bold.

The answer stage may name the kind of question (`Answer.kind`: number, date, who, where, list,
compare, yes-no, definition, how, why, summary) and, for a compare answer, the entity each
sentence is about (`AnswerSentence.label`). Both are read with `getattr`, so an answer without
them is drawn as plain text with its citation marks.

`sentence` draws one sentence with its [n] marks (escaped); this module only arranges them.

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


def body_html(
    answer: Answer,
    sentence: Callable[[AnswerSentence, str], str],
    marks: Callable[[AnswerSentence], str],
) -> str:
    """The answer's sentences arranged for its kind.

    `sentence(s, text_html)` returns a sentence's HTML given its text already escaped (and
    shaped); `marks(s)` returns only its citation marks.
    """
    kind = kind_of(answer)
    sentences = answer.sentences
    if not sentences:
        return f'<p class="ba-text">{escape(answer.text)}</p>'
    if kind == "summary":
        return _summary(sentences, sentence)
    if kind == "compare" and any(getattr(s, "label", None) for s in sentences):
        return _compare(sentences, sentence)
    if kind == "list":
        return _list(sentences, sentence, marks)
    if kind in ("number", "date"):
        body = " ".join(sentence(s, emphasise_numbers(escape(s.text))) for s in sentences)
        return f'<p class="ba-text ba-kind-{kind}">{body}</p>'
    body = " ".join(sentence(s, escape(s.text)) for s in sentences)
    return f'<p class="ba-text">{body}</p>'


def _compare(sentences: list[AnswerSentence], sentence: Callable) -> str:
    """One block per entity, in the order the answer names them; unlabelled sentences lead."""
    lead: list[str] = []
    blocks: dict[str, list[str]] = {}
    for s in sentences:
        label = getattr(s, "label", None)
        html = sentence(s, escape(s.text))
        if label:
            blocks.setdefault(str(label), []).append(html)
        else:
            lead.append(html)
    parts = [f'<p class="ba-text">{" ".join(lead)}</p>'] if lead else []
    parts.append('<div class="ba-compare">')
    for label, items in blocks.items():
        parts.append(
            f'<div class="ba-entity" data-entity="{escape(label)}">'
            f'<div class="ba-entity-h">{escape(label)}</div>'
            f'<p class="ba-text">{" ".join(items)}</p></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _list(sentences: list[AnswerSentence], sentence: Callable, marks: Callable) -> str:
    """Each sentence an item with its citation; a sentence that lists "a; b; c" gives one item each."""
    if len(sentences) == 1:
        m = _INLINE_LIST.match(sentences[0].text)
        if m:
            s = sentences[0]
            items = [i.strip(" .") for i in m.group("items").split(";") if i.strip(" .")]
            lis = "".join(f"<li>{escape(i)} {marks(s)}</li>" for i in items)
            return (
                f'<p class="ba-text">{escape(m.group("head"))}</p><ul class="ba-items">{lis}</ul>'
            )
    lis = "".join(f"<li>{sentence(s, escape(s.text))}</li>" for s in sentences)
    return f'<ul class="ba-items">{lis}</ul>'


def _summary(sentences: list[AnswerSentence], sentence: Callable) -> str:
    """A brief's sentences under their section labels, a line for each section or numbered point."""
    out: list[str] = []
    label = None
    for s in sentences:
        this = getattr(s, "label", None)
        if out and (this != label or re.match(r"^(?:\d+\.|\([a-z]\))\s", s.text)):
            out.append("<br>")  # a new section, or a numbered point
        if this != label and this and this.rstrip("…") not in s.text[: len(this) + 8]:
            out.append(f'<strong class="ba-label">{escape(this)}:</strong> ')
        label = this
        out.append(sentence(s, escape(s.text)) + " ")
    return f'<p class="ba-text">{"".join(out).strip()}</p>'
