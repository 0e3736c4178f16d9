"""Passages as HTML: the source viewer (a passage among its neighbours) and search results."""

from __future__ import annotations

from ..models import SECTION_SEP, Document, Hit, Passage
from .render_common import SNIPPET_CHARS, clip, escape, highlight, labels, open_button, ref


def viewer_html(
    focus: Passage | None,
    context: list[Passage],
    *,
    start: int = 0,
    end: int = 0,
    document: Document | None = None,
    lang: str = "vi",
) -> str:
    """A passage among its neighbours, with a breadcrumb and the `[start, end)` range highlighted."""
    lab = labels(lang)
    if focus is None:
        return f'<div class="ba-viewer ba-empty">{escape(lab["viewer_empty"])}</div>'
    crumbs = ([document.label] if document else []) + list(focus.section)
    crumb_html = '<span class="ba-sep"> › </span>'.join(
        f'<span class="ba-crumb">{escape(c)}</span>' for c in crumbs
    )
    close = (
        f'<button type="button" class="ba-close" aria-label="{escape(lab["close"])}" '
        f'title="{escape(lab["close"])}">×</button>'
    )  # shown on a phone, where the viewer is a sheet over the page
    parts = [f'<div class="ba-viewer"><nav class="ba-crumbs">{close}{crumb_html}</nav>']
    for p in context or [focus]:
        is_focus = p.id == focus.id
        note = ""
        if p.section != focus.section:
            note = (
                f'<div class="ba-other">{escape(lab["other_section"])}: '
                f"{escape(SECTION_SEP.join(p.section) or p.kind)}</div>"
            )
        text = highlight(p.text, start, end) if is_focus else escape(p.text)
        css = "ba-para ba-focus" if is_focus else "ba-para ba-context"
        parts.append(
            f'<div class="{css}" data-passage="{escape(p.id)}">{note}'
            f'<span class="ba-pnum">¶{p.paragraph}</span> {text}</div>'
        )
    spans = focus.to_source(start, end) if 0 <= start < end <= len(focus.text) else focus.spans
    where = ", ".join(f"{s.start}–{s.end}" for s in spans)
    parts.append(f'<div class="ba-meta">{escape(lab["source_chars"])} {where}</div></div>')
    return "".join(parts)


def not_found_html(lang: str = "vi") -> str:
    return f'<div class="ba-viewer ba-empty">{escape(labels(lang)["not_found"])}</div>'


def search_html(hits: list[Hit], *, lang: str = "vi", nothing: str | None = None) -> str:
    """Ranked passages with their section paths; each opens in the viewer. The scores are in
    a folded "details" line (for evaluators). `nothing`: the query, when the search found
    nothing relevant to it (its hits are not shown)."""
    lab = labels(lang)
    if nothing is not None:
        q = clip(" ".join(nothing.split()), 60)
        return f'<div class="ba-results ba-empty">{escape(lab["nothing_relevant"].format(q=q))}</div>'
    if not hits:
        return f'<div class="ba-results ba-empty">{escape(lab["no_results"])}</div>'
    parts = ['<ol class="ba-results">']
    for hit in hits:
        p = hit.passage
        ranks = []
        if hit.dense_rank:
            ranks.append(f"{lab['dense']} #{hit.dense_rank}")
        if hit.lexical_rank:
            ranks.append(f"{lab['lexical']} #{hit.lexical_rank}")
        parts.append(
            f'<li class="ba-result">'
            f'<div class="ba-path">{escape(p.section_path or p.kind)} · ¶{p.paragraph}</div>'
            f'<div class="ba-snippet">{escape(clip(p.text, SNIPPET_CHARS))}</div>'
            f"{open_button(ref(p.id), lang)}"
            f'<details class="ba-details ba-result-h"><summary>{escape(lab["scores"])}</summary>'
            f'<span class="ba-score">{escape(lab["score"])} {hit.score:.3f}</span> '
            f'<span class="ba-ranks">{escape(" · ".join(ranks))}</span></details></li>'
        )
    parts.append("</ol>")
    return "".join(parts)
