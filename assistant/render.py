"""Answers as text for people: the CLI prints these; the UI has its own HTML view."""

from __future__ import annotations

from .models import Answer

LABELS = {
    "vi": {
        "sources": "Nguồn",
        "related": "Các đoạn liên quan (không phải trích dẫn)",
        "query": "Truy vấn đã viết lại",
        "removed": "Các câu bị loại (không được đoạn văn xác nhận)",
    },
    "en": {
        "sources": "Sources",
        "related": "Related passages (not citations)",
        "query": "Rewritten query",
        "removed": "Sentences removed (not supported by the passages)",
    },
}


def labels(answer: Answer) -> dict[str, str]:
    return LABELS["en" if answer.language == "en" else "vi"]


def as_text(answer: Answer, *, width: int = 300) -> str:
    """The answer, its notice, then a Sources block (or related reading for an abstention)."""
    lab = labels(answer)
    lines = [answer.text]
    if answer.notice:
        lines += ["", f"({answer.notice})"]
    if answer.removed:
        lines += [f"{lab['removed']}:"] + [f"  - {s.text}" for s in answer.removed]
    if answer.query != answer.question.strip():
        lines += ["", f"{lab['query']}: {answer.query}"]
    if answer.citations:
        lines += ["", f"{lab['sources']}:"]
        for c in answer.citations:
            lines.append(f"[{c.number}] {c.where}")
            lines.append(f"    “{_clip(c.quote, width)}”")
    elif answer.related:
        lines += ["", f"{lab['related']}:"]
        for hit in answer.related:
            p = hit.passage
            lines.append(f"- {p.section_path or p.kind} ¶{p.paragraph}")
            lines.append(f"    {_clip(p.text, width)}")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
