"""Answers and abstentions as HTML, and a conversation as Markdown.

Every piece of bulletin text and user input is escaped (see `render_common`); an answer's
body is arranged by its kind (see `shapes`). The verify table is in `render_verify`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..models import SECTION_SEP, Answer, AnswerSentence, Citation, Draft
from . import shapes
from .links import inert
from .render_common import (
    QUOTE_CHARS,
    brief_button,
    citation_ref,
    cite_button,
    clip,
    escape,
    labels,
    open_button,
    read_link,
    ref,
    where_html,
)


def question_html(question: str) -> str:
    """A user's question as it appears in the chat: text only."""
    return f'<div class="ba-q">{escape(question)}</div>'


def _marks(s: AnswerSentence, by_number: dict[int, Citation]) -> str:
    return "".join(
        cite_button(n, citation_ref(by_number[n]), by_number[n].where)
        for n in s.citations
        if n in by_number
    )


def _intro(answer: Answer) -> str:
    """Words of `Answer.text` before its first sentence (the note that English answers quote Vietnamese)."""
    if not answer.sentences or answer.supporting:
        return ""
    if answer.kind == "summary":  # "Tóm tắt “2.4. Singapo”:"; the labels are in the body
        return answer.text.split("\n", 1)[0]
    at = answer.text.find(answer.sentences[0].text)
    return answer.text[:at].strip() if at > 0 else ""


def _top(section_path: str) -> list[str]:
    """The first two levels of a section path: the part and the country (or sub-section)."""
    return section_path.split(SECTION_SEP)[:2]


def _origin(answer: Answer, by_number: dict[int, Citation], lang: str):
    """A note before a quoted block from another section than the answer's first block
    ("Từ mục khác – 2.3. Hàn Quốc › (b) ĐMST mạng lưới:"), so two excerpts never read as
    one text. A sub-section of the first block's section (a list's items) is the same."""
    first = next(
        (by_number[n] for s in answer.sentences for n in s.citations if n in by_number), None
    )
    home = _top(first.section_path) if first else []

    def origin(s: AnswerSentence) -> str:
        cited = [by_number[n] for n in s.citations if n in by_number]
        if not cited or not home:
            return ""
        top = _top(cited[0].section_path)
        n = min(len(top), len(home))
        if top[:n] == home[:n]:
            return ""
        path = cited[0].section_path.split(SECTION_SEP)
        shown = SECTION_SEP.join(path[1:] if len(path) > 2 else path)
        return (
            f'<span class="ba-from">{escape(labels(lang)["other_part"])} – {escape(shown)}:</span> '
        )

    return origin


def _shown_elsewhere(c: Citation, answer: Answer) -> bool:
    """Whether the answer already shows the whole of a citation's quote (its text, or the
    LLM mode's verbatim quotes): then the Sources line gives where, not the words again."""
    said = " ".join(
        s.text for s in [*answer.sentences, *answer.supporting] if c.number in s.citations
    )
    return _squash(c.quote) in _squash(said)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def answer_html(answer: Answer, *, lang: str = "vi") -> str:
    """An answer (or an abstention) as one chat message: its text once with [n], then each
    source's place (with its quote only when the answer does not already show it)."""
    if answer.abstained:
        return abstention_html(answer, lang=lang)
    lab = labels(lang)
    by_number = {c.number: c for c in answer.citations}
    parts = ['<div class="ba-answer">']
    intro = _intro(answer)
    if intro:
        parts.append(f'<p class="ba-intro">{escape(intro)}</p>')
    origin = _origin(answer, by_number, lang) if answer.kind not in ("compare", "summary") else None
    blocks = [
        '<div class="ba-body">'
        + shapes.body_html(answer, lambda s: _marks(s, by_number), origin or (lambda s: ""))
        + "</div>"
    ]
    if answer.supporting:  # LLM mode: the verbatim sentences behind the model's answer
        quotes = " ".join(
            f'<span class="ba-block">{escape(s.text)} {_marks(s, by_number)}</span>'
            for s in answer.supporting
        )
        quote_block = (
            f'<div class="ba-supporting"><div class="ba-h">{escape(lab["supporting"])}</div>'
            f'<p class="ba-text">{quotes}</p></div>'
        )
        blocks.insert(0 if answer.quote_leads else 1, quote_block)
    parts += blocks
    if answer.notice:
        parts.append(f'<p class="ba-notice">{escape(answer.notice)}</p>')
    if answer.removed:
        items = "".join(f"<li>{escape(s.text)}</li>" for s in answer.removed)
        parts.append(
            f'<div class="ba-removed"><div class="ba-h">{escape(lab["removed"])}</div>'
            f"<ul>{items}</ul></div>"
        )
    if answer.citations:
        parts.append(
            f'<div class="ba-sources"><div class="ba-h">{escape(lab["sources"])}</div><ol>'
        )
        for c in answer.citations:
            target = citation_ref(c)
            quote = (
                ""
                if _shown_elsewhere(c, answer)
                else f'<q class="ba-quote">{escape(clip(c.quote, QUOTE_CHARS))}</q> '
            )
            parts.append(
                f'<li value="{c.number}">{cite_button(c.number, target, c.where)} '
                f'<span class="ba-where">{where_html(c)}</span> {quote}'
                f'<span class="ba-acts">{open_button(target, lang)} {read_link(c.passage_id, lang)} '
                f"{brief_button(c, lang, shown=intro)}</span></li>"
            )
        parts.append("</ol></div>")
    parts.append(
        f'<div class="ba-tools"><button type="button" class="ba-copyans" '
        f'value="{escape(lab["copied"])}">{escape(lab["copy_answer"])}</button></div>'
    )
    parts.append(_query_html(answer, lang))
    parts.append("</div>")
    return "".join(parts)


def draft_html(draft: Draft, *, lang: str = "vi") -> str:
    """The model's answer while it is written: marked as a draft, with how long it has taken."""
    lab = labels(lang)
    seconds = f"{draft.seconds:.0f}"
    progress = (lab["writing"] if draft.text else lab["reading"]).format(s=seconds)
    text = f'<p class="ba-text">{escape(draft.text)}</p>' if draft.text.strip() else ""
    return (
        f'<div class="ba-answer ba-draft"><div class="ba-draft-h">{escape(lab["draft"])}</div>'
        f'{text}<p class="ba-progress" role="status">{escape(progress)}</p></div>'
    )


# The user's words quoted back in a message (“…”) are cut to a short phrase.
ECHO_CHARS = 80
_ECHO = re.compile(r"“([^”]{" + str(ECHO_CHARS + 1) + r",})”")


def short_echo(text: str) -> str:
    """`text` with any quoted phrase longer than ECHO_CHARS cut short: a message never
    repeats more than a short phrase of what the user typed or pasted.

    >>> short_echo("Bản tin không đề cập đến “" + "x" * 200 + "”.")[-12:]
    'xxxxxxxxx…”.'
    """
    return _ECHO.sub(lambda m: f"“{clip(m.group(1), ECHO_CHARS)}”", text)


def abstention_html(answer: Answer, *, lang: str = "vi") -> str:
    """An abstention: a distinct box, then the nearest passages offered as reading, not as citations."""
    lab = labels(lang)
    if answer.kind == "small-talk":  # a greeting's reply is no failed search
        return f'<div class="ba-answer"><p class="ba-text">{escape(answer.text)}</p></div>'
    parts = [
        '<div class="ba-answer ba-abstained">',
        f'<div class="ba-abstain-h">{escape(lab["abstained"])}</div>',
        f'<p class="ba-text">{escape(short_echo(answer.text))}</p>',
    ]
    if answer.notice:
        parts.append(f'<p class="ba-notice">{escape(short_echo(answer.notice))}</p>')
    if answer.related:
        parts.append(
            f'<div class="ba-related"><div class="ba-h">{escape(lab["related"])}</div><ul>'
        )
        for hit in answer.related:
            p = hit.passage
            parts.append(
                f'<li><span class="ba-path">{escape(p.section_path or p.kind)}</span> · '
                f'<span class="ba-para-no">¶{p.paragraph}</span> '
                f'<span class="ba-snippet">{escape(clip(p.text, 220))}</span> '
                f"{open_button(ref(p.id), lang)}</li>"
            )
        parts.append("</ul></div>")
    parts.append(_query_html(answer, lang))
    parts.append("</div>")
    return "".join(parts)


def _query_html(answer: Answer, lang: str) -> str:
    """For a follow-up, the question as it was understood (rewritten from the thread), folded
    away; nothing for a question asked on its own."""
    if answer.query.strip() == answer.question.strip():
        return ""
    lab = labels(lang)
    return (
        f'<details class="ba-details"><summary>{escape(lab["query_rewritten"])}</summary>'
        f"<p>{escape(clip(answer.query, 300))}</p></details>"
    )


def conversation_markdown(answers: list[Answer], *, lang: str = "vi", title: str = "") -> str:
    """The conversation as Markdown: each question, its answer with [n], then numbered quotes."""
    lab = labels(lang)
    now = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        f"# {lab['export_title']}" + (f": {title}" if title else ""),
        "",
        f"_{lab['exported']} {now}_",
        "",
    ]
    for i, a in enumerate(answers, 1):
        lines += [f"## {i}. {_md_line(a.question)}", ""]
        if a.query.strip() != a.question.strip():
            lines += [f"*{labels(lang)['query_rewritten']}:* {_md_line(a.query)}", ""]
        paragraphs = [_md_line(x) for x in re.split(r"\n\s*\n", a.text) if x.strip()]
        lines += [f"**{lab['answer']}:** " + "\n\n".join(paragraphs or [""]), ""]
        if a.notice:
            lines += [f"> {lab['note']}: {_md_line(a.notice)}", ""]
        if a.removed:
            lines += [f"*{lab['removed']}*", ""] + [f"- ~~{_md_line(s.text)}~~" for s in a.removed]
            lines.append("")
        if a.citations:
            lines += [f"**{lab['sources']}:**", ""]
            for c in a.citations:
                lines.append(f"{c.number}. {_md_line(c.where)}  ")
                if not _shown_elsewhere(c, a):
                    lines.append(f"   > “{_md_line(c.quote)}”")
            lines.append("")
        elif a.related:
            lines += [f"**{lab['related']}:**", ""]
            for hit in a.related:
                p = hit.passage
                lines.append(f"- {_md_line(p.section_path or p.kind)} · ¶{p.paragraph}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_line(text: str) -> str:
    """One line of Markdown: no line breaks, and no raw HTML from the text."""
    text = inert(re.sub(r"\s+", " ", text).strip())
    return text.replace("<", "&lt;").replace(">", "&gt;")
