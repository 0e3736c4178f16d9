"""Answers, passages and checks as HTML for the web UI, and a conversation as Markdown.

The pieces live in `render_common` (labels, references, highlights), `render_answer`
(answers, abstentions, the Markdown export), `render_verify` (the verify table) and
`render_passage` (the source viewer, search results); this module gathers them under one
name.

>>> highlight("abc def", 4, 7)
'abc <mark class="ba-hl">def</mark>'
"""

from __future__ import annotations

from .render_answer import (
    abstention_html,
    answer_html,
    conversation_markdown,
    draft_html,
    question_html,
)
from .render_common import (
    LABELS,
    QUOTE_CHARS,
    SNIPPET_CHARS,
    WEAK_SUPPORT,
    citation_ref,
    clip,
    highlight,
    labels,
    parse_ref,
    ref,
)
from .render_passage import not_found_html, search_html, viewer_html
from .render_verify import sentence_status, verify_html

__all__ = [
    "LABELS", "QUOTE_CHARS", "SNIPPET_CHARS", "WEAK_SUPPORT", "abstention_html", "answer_html",
    "citation_ref", "clip", "conversation_markdown", "draft_html", "highlight", "labels", "not_found_html",
    "parse_ref", "question_html", "ref", "search_html", "sentence_status", "verify_html",
    "viewer_html",
]  # fmt: skip
