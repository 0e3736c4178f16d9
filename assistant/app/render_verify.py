"""The verify table as HTML: each answer sentence beside the passage it cites, whether it
is verbatim and how well it answers the question, then how the answer was made.

Every piece of bulletin text and user input is escaped (see `render_common`).
"""

from __future__ import annotations

from ..models import Answer, AnswerSentence, Citation, Passage
from .render_common import (
    LANGUAGE_NAMES,
    WEAK_SUPPORT,
    escape,
    highlight,
    labels,
    open_button,
    ref,
    where_html,
)


def technical_html(answer: Answer, lang: str) -> str:
    """How an answer was made, for evaluators (the verify tab), folded away: the query
    searched, its language, the mode, the confidence and the time."""
    lab = labels(lang)
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
    return (
        f'<details class="ba-details ba-tech"><summary>{escape(lab["technical"])}</summary>'
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
    """'verbatim', 'supported', 'weak' or 'unsupported': how the cited passage backs the
    sentence's words (not whether it answers the question: see `relevance`)."""
    if not s.supported:
        return "unsupported"
    if verbatim:
        return "verbatim"
    return "supported" if s.support >= WEAK_SUPPORT else "weak"


# A sentence scoring at least this share of the answering sentence's score answers too;
# at least RELATED of it, it is related; below, it is context.
ALSO_ANSWERS, RELATED = 0.85, 0.5


def relevance(answer: Answer, i: int, answering: set[int]) -> str:
    """How sentence `i` of an extractive answer bears on the question: 'answers' (the
    sentence the excerpt was built around, or one scoring nearly as well), 'related',
    'context', or 'unscored' (a list item or continuation, quoted without a score; every
    sentence of an LLM answer, whose score is its support by the passage)."""
    s = answer.sentences[i]
    if answer.mode == "llm" or s.support <= 0:
        return "unscored"
    if i in answering:
        return "answers"
    best = max((answer.sentences[j].support for j in answering), default=0.0)
    best = best or max(x.support for x in answer.sentences)
    share = s.support / best if best > 0 else 0.0
    return "answers" if share >= ALSO_ANSWERS else "related" if share >= RELATED else "context"


def verify_html(answer: Answer | None, passages: dict[str, Passage], *, lang: str = "vi") -> str:
    """Each answer sentence beside the passage it cites: whether it is verbatim (yes/no),
    and how well it answers the question (a graded mark); the answering sentence named."""
    lab = labels(lang)
    if answer is None or answer.kind == "small-talk":  # a greeting has nothing to verify
        return f'<div class="ba-verify ba-empty">{escape(lab["verify_empty"])}</div>'
    head = f'<div class="ba-verify"><p class="ba-verify-q">{escape(answer.question)}</p>'
    if answer.abstained or not answer.sentences:
        return (
            head + f'<p class="ba-empty">{escape(lab["verify_abstained"])}</p>'
            f"{technical_html(answer, lang)}</div>"
        )
    by_number = {c.number: c for c in answer.citations}
    spans: list[list[tuple[Citation, Passage | None, int, int, bool]]] = []
    answering: set[int] = set()
    for i, s in enumerate(answer.sentences):
        cited = []
        for n in s.citations:
            c = by_number.get(n)
            if c is None:
                continue
            p = passages.get(c.passage_id)
            lo, hi, verbatim = _supporting_span(s, c, p.text) if p else (0, 0, False)
            cited.append((c, p, lo, hi, verbatim))
            if verbatim and c.highlight_start is not None and (lo, hi) == (
                c.highlight_start, c.highlight_end,
            ):  # fmt: skip
                answering.add(i)  # the sentence the excerpt was built around
        spans.append(cited)
    rows, also = [], []
    for i, s in enumerate(answer.sentences):
        cited = spans[i]
        cells, verbatim_any = [], False
        for c, p, lo, hi, verbatim in cited:
            if p is None:
                cells.append(f'<div class="ba-empty">{escape(lab["not_found"])}</div>')
                continue
            verbatim_any = verbatim_any or verbatim
            cells.append(
                f'<div class="ba-vpassage"><div class="ba-where">[{c.number}] {where_html(c)}</div>'
                f'<div class="ba-vtext">{highlight(p.text, lo, hi)}</div>'
                f"{open_button(ref(c.passage_id, lo, hi), lang)}</div>"
            )
        status = sentence_status(s, verbatim_any) if cited else "unsupported"
        if not cited:
            exact = f"✗ {escape(lab['no_citation'])}"
        elif status == "verbatim":
            exact = f"✓ {escape(lab['yes'])}"
        else:  # a paraphrase: how far the passage supports it
            exact = (
                f"✗ {escape(lab['no'])} · {escape(lab[status])} "
                f'<span class="ba-score">{s.support:.2f}</span>'
            )
        grade = relevance(answer, i, answering)
        if grade == "answers" and i not in answering:
            also.append(i)
        mark = {"answers": "●●●", "related": "●●○", "context": "●○○", "unscored": "–"}[grade]
        score = f' <span class="ba-score">{s.support:.2f}</span>' if grade != "unscored" else ""
        marks = "".join(f"[{n}]" for n in s.citations)
        badge = (
            f' <span class="ba-badge">{escape(lab["answering"])}</span>' if i in answering else ""
        )
        rows.append(
            f'<tr class="ba-row ba-{status} ba-rel-{grade}"><td class="ba-n">{i + 1}</td>'
            f'<td class="ba-vsent" data-label="{escape(lab["sentence"])}">{escape(s.text)} '
            f'<span class="ba-marks">{marks}</span>{badge}</td>'
            f'<td data-label="{escape(lab["passage"])}">{"".join(cells)}</td>'
            f'<td class="ba-exact" data-label="{escape(lab["verbatim_col"])}">{exact}</td>'
            f'<td class="ba-rel" data-label="{escape(lab["answers_col"])}">'
            f'<span class="ba-mark" aria-hidden="true">{mark}</span> '
            f"{escape(lab['rel_' + grade])}{score}</td></tr>"
        )
    summary = ""
    if answering:
        which = lab["which"].format(n=", ".join(str(i + 1) for i in sorted(answering)))
        if also:
            which += " " + lab["also"].format(n=", ".join(str(i + 1) for i in also))
        summary = f'<p class="ba-which">{escape(which)}</p>'

    table = (
        f'<table class="ba-vtable"><thead><tr><th>#</th><th>{escape(lab["sentence"])}</th>'
        f"<th>{escape(lab['passage'])}</th><th>{escape(lab['verbatim_col'])}</th>"
        f"<th>{escape(lab['answers_col'])}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    note = f'<p class="ba-note">{escape(lab["verify_note"].format(weak=WEAK_SUPPORT))}</p>'
    return head + summary + table + note + technical_html(answer, lang) + "</div>"
