"""Answers, abstentions and the verify table as HTML, and a conversation as Markdown.

Every piece of bulletin text and user input is escaped (see `render_common`); an answer's
body is arranged by its kind (see `shapes`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..models import Answer, AnswerSentence, Citation, Draft, Passage
from . import shapes
from .links import inert
from .render_common import (
    LANGUAGE_NAMES,
    QUOTE_CHARS,
    WEAK_SUPPORT,
    brief_button,
    citation_ref,
    cite_button,
    clip,
    escape,
    highlight,
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


def answer_html(answer: Answer, *, lang: str = "vi") -> str:
    """An answer (or an abstention) as one chat message: text with [n], then its Sources."""
    if answer.abstained:
        return abstention_html(answer, lang=lang)
    lab = labels(lang)
    by_number = {c.number: c for c in answer.citations}
    parts = ['<div class="ba-answer">']
    intro = _intro(answer)
    if intro:
        parts.append(f'<p class="ba-intro">{escape(intro)}</p>')
    blocks = [
        shapes.body_html(
            answer,
            lambda s, text: f"{text} {_marks(s, by_number)}",
            lambda s: _marks(s, by_number),
        )
    ]
    if answer.supporting:  # LLM mode: the verbatim sentences behind the model's answer
        quotes = " ".join(f"{escape(s.text)} {_marks(s, by_number)}" for s in answer.supporting)
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
            parts.append(
                f'<li value="{c.number}">{cite_button(c.number, target, c.where)} '
                f'<span class="ba-where">{where_html(c)}</span> '
                f'<q class="ba-quote">{escape(clip(c.quote, QUOTE_CHARS))}</q> '
                f"{open_button(target, lang)} {read_link(c.passage_id, lang)} "
                f"{brief_button(c, lang, shown=intro)}</li>"
            )
        parts.append("</ol></div>")
    parts.append(_details_html(answer, lang))
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


def abstention_html(answer: Answer, *, lang: str = "vi") -> str:
    """An abstention: a distinct box, then the nearest passages offered as reading, not as citations."""
    lab = labels(lang)
    parts = [
        '<div class="ba-answer ba-abstained">',
        f'<div class="ba-abstain-h">{escape(lab["abstained"])}</div>',
        f'<p class="ba-text">{escape(answer.text)}</p>',
    ]
    if answer.notice:
        parts.append(f'<p class="ba-notice">{escape(answer.notice)}</p>')
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
    parts.append(_details_html(answer, lang))
    parts.append("</div>")
    return "".join(parts)


def _details_html(answer: Answer, lang: str) -> str:
    """The query actually searched (rewritten for a follow-up) and how it was read, folded away."""
    lab = labels(lang)
    rewritten = answer.query.strip() != answer.question.strip()
    summary = lab["query_rewritten"] if rewritten else lab["query"]
    total = answer.timings.get("retrieve", 0.0) + answer.timings.get("compose", 0.0)
    rows = [
        (lab["query"], answer.query),
        (
            lab["language"],
            LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["vi"]).get(answer.language, answer.language),
        ),
        (lab["mode"], answer.mode),
        (lab["confidence"], f"{answer.confidence:.2f}"),
    ]
    if total:
        rows.append((lab["time"], f"{total:.0f} ms"))
    items = "".join(f"<li><b>{escape(k)}:</b> {escape(str(v))}</li>" for k, v in rows)
    open_attr = " open" if rewritten else ""
    return (
        f'<details class="ba-details"{open_attr}><summary>{escape(summary)}</summary>'
        f"<ul>{items}</ul></details>"
    )


def _supporting_span(s: AnswerSentence, c: Citation, text: str) -> tuple[int, int, bool]:
    """The range of the cited passage behind a sentence, and whether the sentence is verbatim.

    An extractive sentence lies word for word inside its citation's quote range, so its own
    range is found exactly within `[quote_start, quote_end)`; otherwise the quote is the span.
    """
    at = text.find(s.text, c.quote_start, c.quote_end) if s.text else -1
    if at >= 0:
        return at, at + len(s.text), True
    return c.quote_start, c.quote_end, False


def sentence_status(s: AnswerSentence, verbatim: bool) -> str:
    """'verbatim', 'supported', 'weak' or 'unsupported'."""
    if not s.supported:
        return "unsupported"
    if verbatim:
        return "verbatim"
    return "supported" if s.support >= WEAK_SUPPORT else "weak"


def verify_html(answer: Answer | None, passages: dict[str, Passage], *, lang: str = "vi") -> str:
    """Each answer sentence beside the passage it cites, the support highlighted and scored."""
    lab = labels(lang)
    if answer is None:
        return f'<div class="ba-verify ba-empty">{escape(lab["verify_empty"])}</div>'
    head = f'<div class="ba-verify"><p class="ba-verify-q">{escape(answer.question)}</p>'
    if answer.abstained or not answer.sentences:
        return head + f'<p class="ba-empty">{escape(lab["verify_abstained"])}</p></div>'
    by_number = {c.number: c for c in answer.citations}
    rows = []
    for i, s in enumerate(answer.sentences, 1):
        cited = [by_number[n] for n in s.citations if n in by_number]
        cells, verbatim_any = [], False
        for c in cited:
            p = passages.get(c.passage_id)
            if p is None:
                cells.append(f'<div class="ba-empty">{escape(lab["not_found"])}</div>')
                continue
            lo, hi, verbatim = _supporting_span(s, c, p.text)
            verbatim_any = verbatim_any or verbatim
            cells.append(
                f'<div class="ba-vpassage"><div class="ba-where">[{c.number}] {where_html(c)}</div>'
                f'<div class="ba-vtext">{highlight(p.text, lo, hi)}</div>'
                f"{open_button(ref(c.passage_id, lo, hi), lang)}</div>"
            )
        status = sentence_status(s, verbatim_any) if cited else "unsupported"
        label = lab[status] if cited else lab["no_citation"]
        icon = {"verbatim": "✓", "supported": "✓", "weak": "⚠", "unsupported": "✗"}[status]
        marks = "".join(f"[{n}]" for n in s.citations)
        rows.append(
            f'<tr class="ba-row ba-{status}"><td class="ba-n">{i}</td>'
            f'<td class="ba-vsent">{escape(s.text)} <span class="ba-marks">{marks}</span></td>'
            f"<td>{''.join(cells)}</td>"
            f'<td class="ba-support"><span class="ba-bar"><span style="width:{_percent(s.support)}%"></span></span>'
            f"{s.support:.2f}</td>"
            f'<td class="ba-status">{icon} {escape(label)}</td></tr>'
        )
    table = (
        f'<table class="ba-vtable"><thead><tr><th>#</th><th>{escape(lab["sentence"])}</th>'
        f"<th>{escape(lab['passage'])}</th><th>{escape(lab['support'])}</th>"
        f"<th>{escape(lab['status'])}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    note = f'<p class="ba-note">{escape(lab["verify_note"].format(weak=WEAK_SUPPORT))}</p>'
    return head + table + note + "</div>"


def _percent(value: float) -> int:
    return max(0, min(100, round(value * 100)))


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
        lines += [f"**{lab['answer']}:** {_md_line(a.text)}", ""]
        if a.notice:
            lines += [f"> {lab['note']}: {_md_line(a.notice)}", ""]
        if a.removed:
            lines += [f"*{lab['removed']}*", ""] + [f"- ~~{_md_line(s.text)}~~" for s in a.removed]
            lines.append("")
        if a.citations:
            lines += [f"**{lab['sources']}:**", ""]
            for c in a.citations:
                lines.append(f"{c.number}. {_md_line(c.where)}  ")
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
