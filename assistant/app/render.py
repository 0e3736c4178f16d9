"""Answers, passages and checks as HTML for the web UI, and a conversation as Markdown.

Every piece of bulletin text and user input goes through `html.escape`; the only markup
is ours. Highlights come from exact offsets (`Citation.quote_start`/`quote_end`), never
from searching for the quote again.

A control that opens a passage in the source viewer is a `<button class="ba-cite">` or
`<button class="ba-open">` whose `value` is `"<passage id>|<start>|<end>"` (see `ref`): the
chat's sanitizer keeps a button's `value` but drops `data-*` attributes. The page's script
hands that value to the app, which calls `parse_ref`.

>>> highlight("abc def", 4, 7)
'abc <mark class="ba-hl">def</mark>'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape as _html_escape

from ..models import SECTION_SEP, Answer, AnswerSentence, Citation, Document, Draft, Hit, Passage
from .links import inert

# A paraphrase (LLM mode) supported below this is marked as weakly supported; the LLM
# check itself drops sentences below its own, lower, threshold.
WEAK_SUPPORT = 0.85
QUOTE_CHARS = 320
SNIPPET_CHARS = 360

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "sources": "Nguồn",
        "open": "Xem trong bản tin",
        "brief": "Tóm tắt mục này",
        "brief_request": "Tóm tắt mục {section}",
        "related": "Các đoạn gần nhất để tham khảo (không phải trích dẫn)",
        "abstained": "Không tìm thấy câu trả lời trong bản tin",
        "query": "Truy vấn đã dùng",
        "query_rewritten": "Truy vấn đã viết lại từ câu hỏi trước",
        "language": "Ngôn ngữ câu hỏi",
        "mode": "Chế độ",
        "confidence": "Độ tin cậy",
        "time": "Thời gian",
        "viewer_empty": "Bấm vào một trích dẫn [n] hoặc “Xem trong bản tin” để xem đoạn văn trong ngữ cảnh.",
        "not_found": "Không tìm thấy đoạn văn này trong chỉ mục hiện tại.",
        "source_chars": "Vị trí trong tệp nguồn: ký tự",
        "other_section": "mục khác",
        "no_results": "Không có đoạn văn nào khớp.",
        "score": "điểm",
        "dense": "ngữ nghĩa",
        "lexical": "từ khóa",
        "verify_empty": "Chưa có câu trả lời nào để kiểm chứng. Hãy đặt một câu hỏi ở thẻ Hỏi đáp.",
        "verify_abstained": "Câu trả lời này là một lời từ chối (bản tin không đề cập); không có câu nào cần kiểm chứng.",
        "sentence": "Câu trả lời",
        "passage": "Đoạn được trích (phần hỗ trợ được tô sáng)",
        "support": "Độ hỗ trợ",
        "status": "Đánh giá",
        "verbatim": "Trích nguyên văn",
        "supported": "Được hỗ trợ",
        "weak": "Hỗ trợ yếu",
        "unsupported": "Không được hỗ trợ",
        "no_citation": "Không có trích dẫn",
        "verify_note": "Câu trích nguyên văn có trong đoạn được trích đúng từng chữ. Câu diễn đạt lại (chế độ LLM) có độ hỗ trợ dưới {weak:.2f} được đánh dấu.",
        "question": "Hỏi",
        "answer": "Trả lời",
        "export_title": "Hội thoại về bản tin",
        "exported": "Xuất lúc",
        "note": "Ghi chú",
        "paragraph": "đoạn",
        "supporting": "Bản tin viết (trích nguyên văn):",
        "removed": "Các câu đã bị loại vì đoạn văn không xác nhận:",
        "draft": "Bản nháp: mô hình đang viết, câu trả lời chưa được kiểm chứng",
        "reading": "Mô hình đang đọc các đoạn văn… {s} giây",
        "writing": "Đang viết… {s} giây",
    },
    "en": {
        "sources": "Sources",
        "open": "View in the bulletin",
        "brief": "Brief of this section",
        "brief_request": "Summarize section {section}",
        "related": "Nearest passages, for further reading (not citations)",
        "abstained": "No answer found in the bulletin",
        "query": "Query used",
        "query_rewritten": "Query rewritten from the previous question",
        "language": "Question language",
        "mode": "Mode",
        "confidence": "Confidence",
        "time": "Time",
        "viewer_empty": "Click a citation [n] or “View in the bulletin” to see the passage in its context.",
        "not_found": "This passage is not in the current index.",
        "source_chars": "Position in the source file: characters",
        "other_section": "other section",
        "no_results": "No passage matches.",
        "score": "score",
        "dense": "semantic",
        "lexical": "keyword",
        "verify_empty": "No answer to verify yet. Ask a question in the Chat tab.",
        "verify_abstained": "This answer is an abstention (the bulletin does not cover it); there is no sentence to verify.",
        "sentence": "Answer sentence",
        "passage": "Cited passage (supporting span highlighted)",
        "support": "Support",
        "status": "Check",
        "verbatim": "Verbatim quote",
        "supported": "Supported",
        "weak": "Weakly supported",
        "unsupported": "Not supported",
        "no_citation": "No citation",
        "verify_note": "A verbatim sentence occurs word for word in the cited passage. A paraphrase (LLM mode) with support below {weak:.2f} is marked.",
        "question": "Question",
        "answer": "Answer",
        "export_title": "Conversation about the bulletin",
        "exported": "Exported",
        "note": "Note",
        "paragraph": "paragraph",
        "supporting": "The bulletin says (verbatim quote):",
        "removed": "Sentences removed because the passages do not support them:",
        "draft": "Draft: the model is writing; the answer is not checked yet",
        "reading": "The model is reading the passages… {s} s",
        "writing": "Writing… {s} s",
    },
}

LANGUAGE_NAMES = {
    "vi": {"vi": "tiếng Việt", "vi-unaccented": "tiếng Việt không dấu", "en": "tiếng Anh"},
    "en": {"vi": "Vietnamese", "vi-unaccented": "Vietnamese without diacritics", "en": "English"},
}


def escape(text: str, quote: bool = True) -> str:
    """`html.escape`, with Markdown links to anything but http(s) made plain: the chat
    renders Markdown, and a document's `[x](javascript:…)` must not become a live link."""
    return inert(_html_escape(text, quote))



def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["vi"])


def ref(passage_id: str, start: int = 0, end: int = 0) -> str:
    """What a 'view in the bulletin' control carries: the passage and the range to highlight."""
    return f"{passage_id}|{start}|{end}"


def parse_ref(value: str) -> tuple[str, int, int]:
    """The passage id and range of a `ref`; ValueError when it is not one.

    >>> parse_ref("doc#ab12|3|9")
    ('doc#ab12', 3, 9)
    """
    parts = str(value).strip().rsplit("|", 2)
    if len(parts) != 3 or not parts[0]:
        raise ValueError(f"not a passage reference: {value[:80]!r}")
    start, end = int(parts[1]), int(parts[2])
    return parts[0], start, end


def highlight(text: str, start: int, end: int) -> str:
    """`text` escaped, with `[start, end)` marked; no mark when the range is empty or invalid."""
    if not 0 <= start < end <= len(text):
        return escape(text)
    return (
        escape(text[:start])
        + '<mark class="ba-hl">'
        + escape(text[start:end])
        + "</mark>"
        + escape(text[end:])
    )


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def question_html(question: str) -> str:
    """A user's question as it appears in the chat: text only."""
    return f'<div class="ba-q">{escape(question)}</div>'


def _cite_button(number: int, target: str, title: str) -> str:
    return (
        f'<button type="button" class="ba-cite" value="{escape(target)}" '
        f'title="{escape(title)}">[{number}]</button>'
    )


def _open_button(target: str, lang: str) -> str:
    return (
        f'<button type="button" class="ba-open" value="{escape(target)}">'
        f"{escape(labels(lang)['open'])} ↗</button>"
    )


def _brief_button(c: Citation, lang: str, *, shown: str = "") -> str:
    """'Tóm tắt mục này': asks for the brief of the cited passage's section (a country's, say).

    None under the citations of that section's own brief (`shown`: the brief's heading).
    """
    path = c.section_path.split(" › ")
    section = path[min(1, len(path) - 1)] if path and path[0] else ""
    if not section or (shown and f"“{section}”" in shown):
        return ""
    request = labels(lang)["brief_request"].format(section=section)
    return (
        f'<button type="button" class="ba-brief" value="{escape(request)}">'
        f"{escape(labels(lang)['brief'])}</button>"
    )


def citation_ref(c: Citation) -> str:
    return ref(c.passage_id, c.quote_start, c.quote_end)


def _sentence_html(s: AnswerSentence, by_number: dict[int, Citation]) -> str:
    marks = "".join(
        _cite_button(n, citation_ref(by_number[n]), by_number[n].where)
        for n in s.citations
        if n in by_number
    )
    return f"{escape(s.text)} {marks}"


def _body_html(answer: Answer, by_number: dict[int, Citation]) -> str:
    """The sentences with their [n]; a brief's sentences under their section labels, a line each."""
    out: list[str] = []
    label = None
    for s in answer.sentences:
        if out and (s.label != label or re.match(r"^(?:\d+\.|\([a-z]\))\s", s.text)):
            out.append("<br>")  # a new section, or a numbered point
        if s.label != label and s.label and s.label.rstrip("…") not in s.text[: len(s.label) + 8]:
            out.append(f'<strong class="ba-label">{escape(s.label)}:</strong> ')
        label = s.label
        out.append(_sentence_html(s, by_number) + " ")
    return "".join(out).strip() or escape(answer.text)


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
    body = _body_html(answer, by_number)
    blocks = [f'<p class="ba-text">{body}</p>']
    if answer.supporting:
        quotes = " ".join(_sentence_html(s, by_number) for s in answer.supporting)
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
                f'<li value="{c.number}">{_cite_button(c.number, target, c.where)} '
                f'<span class="ba-where">{_where_html(c)}</span> '
                f'<q class="ba-quote">{escape(clip(c.quote, QUOTE_CHARS))}</q> '
                f"{_open_button(target, lang)} {_brief_button(c, lang, shown=intro)}</li>"
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


def _where_html(c: Citation) -> str:
    doc = escape(c.issue or c.document)
    path = escape(c.section_path)
    pages = f"{c.page}–{c.page_end}" if c.page and (c.page_end or 0) > c.page else c.page
    page = f" · tr. {pages}" if c.page else ""
    page += " · OCR" if c.ocr else ""
    return (
        f'<span class="ba-doc">{doc}</span> · <span class="ba-path">{path}</span> · '
        f'<span class="ba-para-no">¶{c.paragraph}</span>{page}'
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
                f"{_open_button(ref(p.id), lang)}</li>"
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
    parts = [f'<div class="ba-viewer"><nav class="ba-crumbs">{crumb_html}</nav>']
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


def search_html(hits: list[Hit], *, lang: str = "vi") -> str:
    """Ranked passages with their scores and section paths; each opens in the viewer."""
    lab = labels(lang)
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
            f'<li class="ba-result"><div class="ba-result-h">'
            f'<span class="ba-score">{escape(lab["score"])} {hit.score:.3f}</span> '
            f'<span class="ba-ranks">{escape(" · ".join(ranks))}</span></div>'
            f'<div class="ba-path">{escape(p.section_path or p.kind)} · ¶{p.paragraph}</div>'
            f'<div class="ba-snippet">{escape(clip(p.text, SNIPPET_CHARS))}</div>'
            f"{_open_button(ref(p.id), lang)}</li>"
        )
    parts.append("</ol>")
    return "".join(parts)


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
                f'<div class="ba-vpassage"><div class="ba-where">[{c.number}] {_where_html(c)}</div>'
                f'<div class="ba-vtext">{highlight(p.text, lo, hi)}</div>'
                f"{_open_button(ref(c.passage_id, lo, hi), lang)}</div>"
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
