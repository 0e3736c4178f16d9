"""What every rendered piece shares: labels, passage references, highlights, citation buttons.

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

from html import escape as _html_escape
from urllib.parse import quote

from ..models import Citation
from .links import inert

# A paraphrase (LLM mode) supported below this is marked as weakly supported; the LLM
# check itself drops sentences below its own, lower, threshold.
WEAK_SUPPORT = 0.85
# A source shows its whole excerpt (answers quote at most about 600 characters).
QUOTE_CHARS = 640
SNIPPET_CHARS = 360

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "sources": "Nguồn",
        "open": "Xem trong bản tin",
        "brief": "Tóm tắt mục này",
        "brief_request": "Tóm tắt mục {section}",
        "read": "Đọc trong mục",
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
        "verify_note": "Nguyên văn: câu có trong đoạn được trích đúng từng chữ (điều đó chưa nói câu ấy trả lời câu hỏi). Trả lời câu hỏi: ●●● câu trả lời hoặc gần ngang nó, ●●○ liên quan, ●○○ bối cảnh; điểm là điểm của câu so với câu hỏi. Câu diễn đạt lại (chế độ LLM) có độ hỗ trợ dưới {weak:.2f} được đánh dấu.",
        "verbatim_col": "Nguyên văn",
        "answers_col": "Trả lời câu hỏi",
        "yes": "Có",
        "no": "Không",
        "answering": "câu trả lời",
        "which": "Câu trả lời cho câu hỏi: câu {n}.",
        "also": "Cũng trả lời: câu {n}.",
        "rel_answers": "Trả lời",
        "rel_related": "Liên quan",
        "rel_context": "Bối cảnh",
        "rel_unscored": "Không chấm (mục liệt kê hoặc phần tiếp theo)",
        "technical": "Chi tiết kỹ thuật (cho người đánh giá)",
        "other_part": "Từ mục khác",
        "copy_answer": "Chép câu trả lời",
        "copied": "Đã chép",
        "nothing_relevant": "Không có đoạn văn nào liên quan đến “{q}” trong bản tin. Hãy thử từ khóa khác.",
        "scores": "điểm",
        "close": "Đóng",
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
        "read": "Read in its section",
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
        "verify_note": "Verbatim: the sentence occurs word for word in the cited passage (which does not mean it answers the question). Answers the question: ●●● the answer or nearly as good, ●●○ related, ●○○ context; the score is the sentence's against the question. A paraphrase (LLM mode) with support below {weak:.2f} is marked.",
        "verbatim_col": "Verbatim",
        "answers_col": "Answers the question",
        "yes": "Yes",
        "no": "No",
        "answering": "the answer",
        "which": "The answer to the question: sentence {n}.",
        "also": "Also answering: sentence {n}.",
        "rel_answers": "Answers",
        "rel_related": "Related",
        "rel_context": "Context",
        "rel_unscored": "Not scored (a list item or what follows)",
        "technical": "Technical details (for evaluators)",
        "other_part": "From another section",
        "copy_answer": "Copy answer",
        "copied": "Copied",
        "nothing_relevant": "Nothing in the bulletin is relevant to “{q}”. Try other words.",
        "scores": "scores",
        "close": "Close",
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


def cite_button(number: int, target: str, title: str) -> str:
    """A citation mark [n]; the page's script shows its quote on hover (or a long press), so
    it carries its place as an accessible name, not as a second, native tooltip."""
    return (
        f'<button type="button" class="ba-cite" value="{escape(target)}" '
        f'aria-label="[{number}] {escape(title)}">[{number}]</button>'
    )


def open_button(target: str, lang: str) -> str:
    return (
        f'<button type="button" class="ba-open" value="{escape(target)}">'
        f"{escape(labels(lang)['open'])} ↗</button>"
    )


def citation_ref(c: Citation) -> str:
    return ref(c.passage_id, c.quote_start, c.quote_end)


def where_html(c: Citation) -> str:
    doc = escape(c.issue or c.document)
    path = escape(c.section_path)
    pages = f"{c.page}–{c.page_end}" if c.page and (c.page_end or 0) > c.page else c.page
    page = f" · tr. {pages}" if c.page else ""
    page += " · OCR" if c.ocr else ""
    return (
        f'<span class="ba-doc">{doc}</span> · <span class="ba-path">{path}</span> · '
        f'<span class="ba-para-no">¶{c.paragraph}</span>{page}'
    )


def link(passage_id: str, base: str = "") -> str:
    """A passage's address: `?p=` with the id encoded ('#' included), relative to the page,
    or on `base` (the app's public address) when there is one.

    >>> link("doc#ab12"), link("doc#ab12", "https://hoidap.example.vn/tro-ly")
    ('?p=doc%23ab12', 'https://hoidap.example.vn/tro-ly/?p=doc%23ab12')
    """
    start = base.strip().rstrip("/") + "/" if base and base.strip() else ""
    return start + "?p=" + quote(passage_id, safe="")


def read_link(passage_id: str, lang: str) -> str:
    """A button that opens the passage in the reader tab, its link (`?p=`) in the address bar.

    A button, not a link: chat messages hold no anchors (user text never becomes a link).
    """
    return (
        f'<button type="button" class="ba-plink" value="{escape(passage_id)}">'
        f"{escape(labels(lang)['read'])} ¶</button>"
    )


def brief_button(c: Citation, lang: str, *, shown: str = "") -> str:
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
