"""The web app: a chat with cited answers, a source viewer, passage search and a verify view.

`build(bot)` makes the Gradio Blocks; `launch(demo)` serves it with the page's style and
script. The assistant (model and index) is loaded once by the caller and shared by every
session; each session keeps its own answers in a `gr.State`, and the chat is always drawn
from them, so switching the UI language redraws everything.

>>> bot = Assistant.load(Settings())                    # doctest: +SKIP
>>> launch(build(bot), host="127.0.0.1", port=7860)     # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from ..api import Assistant
from ..errors import AssistantError
from ..feedback import FeedbackLog, PostgresFeedback, open_feedback
from ..models import Answer, Draft, Hit
from ..text import clean
from . import render

log = logging.getLogger(__name__)

# Event handlers run two at a time (the machine's cores); the rest wait in the queue.
CONCURRENCY = 2
# An LLM's draft is redrawn in the chat at most this often (seconds).
DRAFT_EVERY = 0.25
MAX_K = 20
EXAMPLES = [
    "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?",
    "singapore ho tro doanh nghiep vua va nho",
    "How does Singapore procure from SMEs?",
]

UI: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Trợ lý hỏi đáp Bản tin",
        "subtitle": "Mọi câu trả lời đều trích dẫn nguyên văn đoạn văn của bản tin.",
        "tab_chat": "Hỏi đáp",
        "tab_search": "Tìm đoạn văn",
        "tab_verify": "Kiểm chứng",
        "chat": "Hội thoại",
        "welcome": "### Hỏi về bản tin\nĐặt câu hỏi bằng tiếng Việt (có dấu hoặc không dấu) hoặc tiếng Anh. "
        "Câu trả lời có số trích dẫn [n]; bấm vào đó để xem đoạn văn gốc. "
        "Bạn có thể hỏi tiếp, ví dụ “Còn Nhật Bản thì sao?”.\n\nThử một câu hỏi mẫu:",
        "question": "Câu hỏi",
        "placeholder": "Nhập câu hỏi về bản tin rồi nhấn Enter…",
        "send": "Gửi",
        "new_chat": "Cuộc trò chuyện mới",
        "export": "Tải hội thoại (Markdown)",
        "settings": "Cài đặt",
        "k": "Số đoạn văn dùng để trả lời (k)",
        "mode": "Cách trả lời",
        "extractive": "Trích xuất nguyên văn",
        "llm": "Mô hình ngôn ngữ (LLM), có kiểm chứng",
        "llm_off": "Chế độ LLM chưa được cấu hình (chạy với --llm-url và --llm-model).",
        "fb_for": "Đánh giá câu trả lời số {n}: “{q}”",
        "comment": "Nhận xét (không bắt buộc)",
        "like": "Hữu ích",
        "dislike": "Chưa tốt",
        "thanks": "Cảm ơn bạn! Đã ghi nhận đánh giá “{rating}” cho câu trả lời số {n}.",
        "thanks_none": "Đã ghi nhận việc bỏ đánh giá cho câu trả lời số {n}.",
        "no_answer_to_rate": "Chưa có câu trả lời nào để đánh giá.",
        "search_query": "Tìm trong bản tin",
        "search_placeholder": "Từ khóa hoặc câu hỏi, ví dụ: chính phủ điện tử Hàn Quốc",
        "section": "Phạm vi (mục hoặc quốc gia)",
        "all_sections": "Toàn bộ bản tin",
        "search_k": "Số kết quả",
        "search_btn": "Tìm",
        "search_hint": "Kết quả xếp theo mức độ phù hợp; bấm “Xem trong bản tin” để mở đoạn văn ở khung bên phải.",
        "verify_pick": "Câu trả lời cần kiểm chứng",
        "verify_hint": "Mỗi câu của câu trả lời bên cạnh đoạn văn mà nó trích dẫn.",
        "viewer": "Bản tin gốc",
        "empty": "Hãy nhập một câu hỏi về bản tin.",
        "too_long": "Câu hỏi dài {n} ký tự; giới hạn là {max} ký tự. Hãy hỏi ngắn gọn hơn, mỗi lần một ý.",
        "no_words": "Câu hỏi không có chữ nào; hãy nhập một câu hỏi về bản tin.",
        "failed": "Không trả lời được câu hỏi này: {msg}",
        "unexpected": "Đã có lỗi ngoài dự kiến; vui lòng thử lại. (Mã lỗi {code}, xem nhật ký máy chủ.)",
        "bad_ref": "Không mở được đoạn văn này.",
        "language": "Ngôn ngữ giao diện",
    },
    "en": {
        "title": "Bulletin Q&A assistant",
        "subtitle": "Every answer quotes the bulletin's own paragraphs, word for word.",
        "tab_chat": "Chat",
        "tab_search": "Search passages",
        "tab_verify": "Verify",
        "chat": "Conversation",
        "welcome": "### Ask about the bulletin\nAsk in Vietnamese (with or without diacritics) or in English. "
        "Answers carry citation numbers [n]; click one to see the original paragraph. "
        "Follow-up questions work too, e.g. “What about Japan?”.\n\nTry an example:",
        "question": "Question",
        "placeholder": "Type a question about the bulletin and press Enter…",
        "send": "Send",
        "new_chat": "New conversation",
        "export": "Download conversation (Markdown)",
        "settings": "Settings",
        "k": "Passages to answer from (k)",
        "mode": "Answer mode",
        "extractive": "Extractive (verbatim quotes)",
        "llm": "Language model (LLM), checked",
        "llm_off": "LLM mode is not configured (start with --llm-url and --llm-model).",
        "fb_for": "Rate answer {n}: “{q}”",
        "comment": "Comment (optional)",
        "like": "Helpful",
        "dislike": "Not helpful",
        "thanks": "Thank you! Your rating “{rating}” for answer {n} is recorded.",
        "thanks_none": "Recorded that you withdrew your rating of answer {n}.",
        "no_answer_to_rate": "There is no answer to rate yet.",
        "search_query": "Search the bulletin",
        "search_placeholder": "Keywords or a question, e.g. Korea e-government",
        "section": "Scope (section or country)",
        "all_sections": "Whole bulletin",
        "search_k": "Results",
        "search_btn": "Search",
        "search_hint": "Ranked by relevance; click “View in the bulletin” to open a passage in the right-hand panel.",
        "verify_pick": "Answer to verify",
        "verify_hint": "Each answer sentence beside the passage it cites.",
        "viewer": "The bulletin",
        "empty": "Type a question about the bulletin.",
        "too_long": "The question is {n} characters long; the limit is {max}. Ask about one thing at a time, more briefly.",
        "no_words": "The question has no words; type a question about the bulletin.",
        "failed": "Could not answer this question: {msg}",
        "unexpected": "Something unexpected went wrong; please try again. (Error {code}, see the server log.)",
        "bad_ref": "Could not open this passage.",
        "language": "Interface language",
    },
}

LANGUAGES = [("Tiếng Việt", "vi"), ("English", "en")]


def ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["vi"])


class ChatApp:
    """What the page's events do, without Gradio: testable, and shared by all sessions."""

    def __init__(
        self, bot: Assistant, *, feedback: FeedbackLog | PostgresFeedback | None = None
    ):
        self.bot = bot
        self.feedback = feedback or open_feedback(bot.settings)
        # One model for every session: calls into it take turns (torch already uses the
        # cores within a call), so concurrent users get exactly the answers they would alone.
        self._lock = threading.Lock()
        self.export_dir = Path(tempfile.mkdtemp(prefix="bulletin-chat-"))
        s = bot.settings
        self.modes = ["extractive"] + (["llm"] if s.llm_url and s.llm_model else [])
        self.default_mode = s.answer_mode if s.answer_mode in self.modes else "extractive"
        self.scopes = scopes(bot)

    # ------------------------------------------------------------ chat
    def problem(self, question: str | None, lang: str) -> str | None:
        """Why a question cannot be asked, in the UI's language; None when it can."""
        text = clean(question if isinstance(question, str) else "")
        limit = self.bot.settings.max_query_chars
        if not text:
            return ui(lang)["empty"]
        if len(text) > limit:
            return ui(lang)["too_long"].format(n=_number(len(text), lang), max=_number(limit, lang))
        if not re.search(r"\w", text):
            return ui(lang)["no_words"]
        return None

    def ask(
        self, question: str, history: list[Answer], *, k: Any = None, mode: Any = None
    ) -> Answer:
        k = _clamp(k, self.bot.settings.k, 1, MAX_K)
        mode = mode if mode in self.modes else self.default_mode
        with self._lock:
            return self.bot.ask(question, k=k, history=list(history) or None, mode=mode)

    def ask_stream(
        self, question: str, history: list[Answer], *, k: Any = None, mode: Any = None
    ) -> Iterator[Draft | Answer]:
        """`ask` step by step (see `Assistant.ask_stream`): drafts, then the Answer.

        The model lock is held while the embedder runs, not while an LLM writes.
        """
        k = _clamp(k, self.bot.settings.k, 1, MAX_K)
        mode = mode if mode in self.modes else self.default_mode
        return self.bot.ask_stream(
            question, k=k, history=list(history) or None, mode=mode, lock=self._lock
        )

    def draft_chat(
        self, answers: list[Answer], question: str, draft: Draft, lang: str
    ) -> list[dict]:
        """The chat with the question being answered and the model's draft under it."""
        return self.chat(answers, lang) + [
            {"role": "user", "content": render.question_html(clean(question))},
            {"role": "assistant", "content": render.draft_html(draft, lang=lang)},
        ]

    def chat(self, answers: list[Answer], lang: str) -> list[dict]:
        """The chat messages for these answers: the question, then the answer with its Sources."""
        messages = []
        for a in answers:
            messages.append({"role": "user", "content": render.question_html(clean(a.question))})
            messages.append({"role": "assistant", "content": render.answer_html(a, lang=lang)})
        return messages

    def export(self, answers: list[Answer], lang: str, session: str | None = None) -> str | None:
        """The conversation written as a Markdown file; its path (None when there is nothing)."""
        if not answers:
            return None
        docs = list(self.bot.index.documents.values())
        title = docs[0].label if len(docs) == 1 else ""
        # One file per session, rewritten after each answer.
        tag = re.sub(r"\W", "", session or "")[:12] or uuid.uuid4().hex[:12]
        name = ("hoi-thoai" if lang == "vi" else "conversation") + f"-{tag}.md"
        path = self.export_dir / name
        path.write_text(
            render.conversation_markdown(answers, lang=lang, title=title), encoding="utf-8"
        )
        return str(path)

    # ------------------------------------------------------------ viewer, search, verify
    def view(self, target: str, lang: str) -> str:
        """The source viewer for a `ref` ("passage id|start|end")."""
        try:
            passage_id, start, end = render.parse_ref(target)
        except ValueError:
            return (
                render.viewer_html(None, [], lang=lang)
                if not target
                else render.not_found_html(lang)
            )
        if passage_id not in self.bot.index.position:
            return render.not_found_html(lang)
        focus = self.bot.passage(passage_id)
        context = self.bot.neighbours(passage_id, before=2, after=2)
        document = self.bot.index.documents.get(focus.doc_id)
        return render.viewer_html(
            focus, context, start=start, end=end, document=document, lang=lang
        )

    def search(self, query: str, scope: str | None, k: Any) -> list[Hit]:
        k = _clamp(k, 10, 1, MAX_K)
        scope = scope if scope in {value for _, value in self.scopes} else ""
        with self._lock:
            return self.bot.search(query, k=k, section=scope or None)

    def verify(self, answers: list[Answer], turn: Any, lang: str) -> str:
        if not answers:
            return render.verify_html(None, {}, lang=lang)
        i = _clamp(turn, len(answers) - 1, 0, len(answers) - 1)
        a = answers[i]
        passages = {
            c.passage_id: self.bot.passage(c.passage_id)
            for c in a.citations
            if c.passage_id in self.bot.index.position
        }
        return render.verify_html(a, passages, lang=lang)

    # ------------------------------------------------------------ feedback
    def rate(
        self,
        answers: list[Answer],
        turn: int | None,
        rating: str,
        comment: str,
        lang: str,
        session: str | None = None,
    ) -> str:
        """Record one rating; the thank-you message."""
        if not answers:
            return ui(lang)["no_answer_to_rate"]
        i = _clamp(turn, len(answers) - 1, 0, len(answers) - 1)
        rating = rating if rating in ("like", "dislike") else "none"
        self.feedback.record(
            answers[i], rating=rating, comment=comment or "", turn=i + 1, session=session
        )
        if rating == "none":
            return ui(lang)["thanks_none"].format(n=i + 1)
        return ui(lang)["thanks"].format(rating=ui(lang)[rating], n=i + 1)


def scopes(bot: Assistant) -> list[tuple[str, str]]:
    """Filter choices for passage search: each top-level section, then each numbered sub-section
    (the countries), as (label, value) where the value is a section heading to match."""
    tops: list[str] = []
    subs: list[str] = []
    for p in bot.index.passages:
        if p.section and p.section[0] not in tops:
            tops.append(p.section[0])
        if (
            len(p.section) >= 2
            and re.match(r"^\d+\.\d+\.?\s", p.section[1])
            and p.section[1] not in subs
        ):
            subs.append(p.section[1])
    return [(t, t) for t in tops] + [(f"  › {s}", s) for s in subs]


def _clamp(value: Any, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, number))


def _number(n: int, lang: str) -> str:
    """12,345 in English, 12.345 in Vietnamese."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def _status(message: str, kind: str = "warn") -> str:
    return (
        f'<div class="ba-status ba-{kind}" role="status">{escape(message)}</div>' if message else ""
    )


def _unexpected(lang: str) -> str:
    code = uuid.uuid4().hex[:8]
    log.exception("unexpected error %s in the web app", code)
    return ui(lang)["unexpected"].format(code=code)


def _error_message(exc: Exception, lang: str) -> str:
    if isinstance(exc, AssistantError):
        return ui(lang)["failed"].format(msg=str(exc))
    return _unexpected(lang)


def _session(request: gr.Request | None) -> str | None:
    return getattr(request, "session_hash", None) if request is not None else None


CSS = """
#ba-header { align-items: center; }
#ba-header h1 { margin: 0; font-size: 1.5rem; }
#ba-header .ba-sub { color: var(--body-text-color-subdued); margin: 2px 0 0; }
.ba-answer { line-height: 1.55; }
.ba-answer .ba-intro { font-style: italic; color: var(--body-text-color-subdued); margin: 0 0 6px; }
.ba-answer .ba-text { margin: 0 0 8px; }
button.ba-cite { display: inline; border: none; background: var(--color-accent-soft, #e0e7ff);
  color: var(--color-accent, #3b5bdb); border-radius: 4px; padding: 0 3px; margin: 0 1px; font-size: .85em;
  font-weight: 600; cursor: pointer; }
button.ba-cite:hover, button.ba-open:hover { text-decoration: underline; }
button.ba-brief { border: none; background: none; color: var(--color-accent, #3b5bdb);
  cursor: pointer; padding: 0 4px; font-size: .85em; }
.ba-label { font-weight: 600; }
button.ba-open { border: none; background: none; color: var(--color-accent, #3b5bdb); cursor: pointer;
  padding: 0; font-size: .85em; white-space: nowrap; }
.ba-sources, .ba-related { border-top: 1px solid var(--border-color-primary); padding-top: 6px; font-size: .9em; }
.ba-h { font-weight: 600; margin-bottom: 2px; }
.ba-sources ol, .ba-related ul { margin: 0; padding-left: 1.2em; }
.ba-sources li, .ba-related li { margin: 4px 0; list-style: none; }
.ba-where, .ba-path { color: var(--body-text-color-subdued); font-size: .92em; }
.ba-doc { font-weight: 600; }
.ba-quote { display: block; margin: 2px 0 0 1.6em; font-style: italic; }
.ba-notice { background: #fff8e1; color: #5d4200; border-radius: 6px; padding: 4px 8px; font-size: .9em; }
.ba-abstained { border-left: 4px solid #f59f00; padding-left: 10px; }
.ba-abstain-h { font-weight: 600; color: #b35c00; margin-bottom: 4px; }
.ba-snippet { display: block; margin-left: .2em; }
.ba-details { font-size: .85em; color: var(--body-text-color-subdued); margin-top: 6px; }
.ba-details summary { cursor: pointer; }
.ba-details ul { margin: 2px 0 0 1em; padding: 0; }
.ba-q { white-space: pre-wrap; overflow-wrap: anywhere; }
.ba-status { border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.ba-warn { background: #fff4e6; color: #7a3e00; border: 1px solid #ffd8a8; }
.ba-ok { background: #ebfbee; color: #1b5e20; border: 1px solid #b2f2bb; }
.ba-viewer { line-height: 1.6; font-size: .95em; max-height: 80vh; overflow-y: auto; }
.ba-viewer.ba-empty, .ba-empty { color: var(--body-text-color-subdued); font-style: italic; }
.ba-crumbs { font-size: .85em; color: var(--body-text-color-subdued); padding: 4px 0 6px;
  position: sticky; top: 0; z-index: 1; background: var(--body-background-fill);
  border-bottom: 1px solid var(--border-color-primary); }
.ba-crumb:last-child { font-weight: 600; color: var(--body-text-color); }
.ba-para { padding: 6px 10px; margin: 6px 0; border-radius: 6px; }
.ba-context { color: var(--body-text-color-subdued); }
.ba-focus { border: 1px solid var(--color-accent, #3b5bdb); background: var(--background-fill-secondary); }
.ba-pnum { font-size: .8em; color: var(--body-text-color-subdued); margin-right: 4px; }
.ba-other { font-size: .8em; font-style: italic; }
mark.ba-hl { background: #ffe066; color: #1a1a1a; padding: 0 1px; border-radius: 2px; }
.ba-meta { font-size: .8em; color: var(--body-text-color-subdued); }
.ba-results { padding-left: 1.4em; }
.ba-result { margin: 10px 0; }
.ba-score { font-weight: 600; }
.ba-ranks { color: var(--body-text-color-subdued); font-size: .85em; }
.ba-vtable { width: 100%; border-collapse: collapse; font-size: .92em; }
.ba-vtable th, .ba-vtable td { border: 1px solid var(--border-color-primary); padding: 6px; vertical-align: top; text-align: left; }
.ba-vtable td.ba-n { width: 2em; }
.ba-vtable td.ba-support { width: 6em; white-space: nowrap; }
.ba-vtable td.ba-status { width: 9em; }
.ba-vsent { width: 25%; }
#ba-feedback { padding: 0 8px 8px; }
.ba-vtext { margin: 4px 0; }
.ba-bar { display: block; height: 6px; background: var(--border-color-primary); border-radius: 3px; margin-bottom: 3px; }
.ba-bar span { display: block; height: 6px; background: #2f9e44; border-radius: 3px; }
tr.ba-weak, tr.ba-unsupported { background: #fff4e6; }
tr.ba-weak td.ba-status, tr.ba-unsupported td.ba-status { color: #b35c00; font-weight: 600; }
tr.ba-unsupported .ba-bar span, tr.ba-weak .ba-bar span { background: #f08c00; }
.ba-note { font-size: .85em; color: var(--body-text-color-subdued); }
.ba-verify-q { font-weight: 600; }
.ba-fb-for { font-weight: 600; padding: 6px 10px 0; }
.ba-draft { border-left: 4px dashed var(--border-color-primary); padding-left: 10px; opacity: .85; }
.ba-draft-h { font-size: .85em; font-weight: 600; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.ba-progress { font-size: .85em; color: var(--body-text-color-subdued); font-style: italic; margin: 4px 0 0; }
.ba-supporting { border-left: 3px solid var(--color-accent, #3b5bdb); padding-left: 10px; margin: 0 0 8px; }
.ba-removed { font-size: .85em; color: var(--body-text-color-subdued); margin: 0 0 8px; }
.ba-removed ul { margin: 2px 0 0 1.2em; padding: 0; }
.ba-removed li { text-decoration: line-through; }
"""

# A citation or "view in the bulletin" button opens the source viewer: its value (the
# reference) goes to the hidden "open" button's event through window.baRef.
JS = """
() => {
  document.addEventListener('click', (event) => {
    const el = event.target && event.target.closest
      ? event.target.closest('button.ba-cite, button.ba-open') : null;
    const brief = event.target && event.target.closest
      ? event.target.closest('button.ba-brief') : null;
    if (brief && brief.value) {
      // "Tóm tắt mục này": the request goes into the question box and is sent
      event.preventDefault();
      const box = document.querySelector('#ba-question textarea, #ba-question input');
      const send = document.querySelector('#ba-send');
      if (!box || !send) return;
      box.value = brief.value;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => send.click(), 50);
      return;
    }
    if (!el || !el.value) return;
    event.preventDefault();
    event.stopPropagation();
    window.baRef = el.value;
    const button = document.querySelector('#ba-open-btn');
    if (button) button.click();
  }, true);
}
"""
# System fonts: the default theme's web fonts would be fetched from the internet.
THEME = gr.themes.Soft(
    font=["system-ui", "Segoe UI", "Noto Sans", "DejaVu Sans", "sans-serif"],
    font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
)
READ_REF = "(ref, lang) => [window.baRef || ref, lang]"
# After a passage opens: scroll the viewer (not the page) to it; bring the viewer into view
# only when it is off screen (on a narrow screen it sits below the chat).
SHOW_FOCUS = """
() => { setTimeout(() => {
  const box = document.querySelector('#ba-viewer .ba-viewer');
  const focus = box && box.querySelector('.ba-focus');
  if (!focus) return;
  const crumbs = box.querySelector('.ba-crumbs');
  const offset = (crumbs ? crumbs.offsetHeight : 0) + 24;
  box.scrollTop += focus.getBoundingClientRect().top - box.getBoundingClientRect().top - offset;
  const r = box.getBoundingClientRect();
  if (r.top > window.innerHeight || r.bottom < 0) box.scrollIntoView({block: 'start'});
}, 60); }
"""


def build(
    bot: Assistant, *, feedback: FeedbackLog | PostgresFeedback | None = None, lang: str = "vi"
) -> gr.Blocks:
    """The whole page, wired to `bot`. Launch it with `launch`."""
    app = ChatApp(bot, feedback=feedback)
    t = ui(lang)
    docs = list(bot.index.documents.values())
    doc_label = docs[0].label if len(docs) == 1 else f"{len(docs)} documents"

    def header(lang: str) -> str:
        return (
            f"<div><h1>{escape(ui(lang)['title'])}: {escape(doc_label)}</h1>"
            f'<p class="ba-sub">{escape(ui(lang)["subtitle"])}</p></div>'
        )

    def mode_choices(lang: str) -> list[tuple[str, str]]:
        return [(ui(lang)[m], m) for m in app.modes]

    def scope_choices(lang: str) -> list[tuple[str, str]]:
        return [(ui(lang)["all_sections"], "")] + app.scopes

    def verify_choices(answers: list[Answer]) -> list[tuple[str, int]]:
        return [
            (f"{i}. {render.clip(clean(a.question), 80)}", i - 1) for i, a in enumerate(answers, 1)
        ]

    with gr.Blocks(
        title=t["title"],
        analytics_enabled=False,
        fill_width=True,
        delete_cache=(3600, 86400),  # exported conversations live a day
    ) as demo:
        answers_state = gr.State([])
        target_state = gr.State(None)  # the answer the feedback panel rates (index into answers)
        viewer_state = gr.State("")
        search_state = gr.State(None)  # the last search, redrawn when the language changes

        with gr.Row(elem_id="ba-header"):
            title = gr.HTML(header(lang), js_on_load=None, scale=5)
            language = gr.Radio(
                LANGUAGES,
                value=lang,
                label=t["language"],
                scale=1,
                min_width=200,
                elem_id="ba-lang",
            )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                with gr.Tabs(elem_id="ba-tabs"):
                    with gr.Tab(t["tab_chat"], id="chat", elem_id="ba-tab-chat") as tab_chat:
                        chatbot = gr.Chatbot(
                            label=t["chat"],
                            show_label=False,
                            elem_id="ba-chat",
                            height=560,
                            placeholder=t["welcome"],
                            examples=[{"text": q} for q in EXAMPLES],
                            latex_delimiters=[],
                            group_consecutive_messages=False,
                            buttons=[],
                            feedback_options=("Like", "Dislike"),
                            autoscroll=True,
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                show_label=False,
                                placeholder=t["placeholder"],
                                lines=1,
                                max_lines=6,
                                scale=6,
                                elem_id="ba-question",
                                autofocus=True,
                            )
                            send = gr.Button(
                                t["send"],
                                variant="primary",
                                scale=1,
                                min_width=90,
                                elem_id="ba-send",
                            )
                        status = gr.HTML("", js_on_load=None, elem_id="ba-status")
                        with gr.Group(visible=False, elem_id="ba-feedback") as feedback_panel:
                            feedback_for = gr.HTML("", js_on_load=None, elem_id="ba-fb-for")
                            with gr.Row(equal_height=True):
                                comment = gr.Textbox(
                                    show_label=False,
                                    placeholder=t["comment"],
                                    container=False,
                                    scale=5,
                                    max_lines=3,
                                    elem_id="ba-comment",
                                )
                                like = gr.Button(
                                    t["like"], scale=0, min_width=100, size="sm", elem_id="ba-like"
                                )
                                dislike = gr.Button(
                                    t["dislike"],
                                    scale=0,
                                    min_width=100,
                                    size="sm",
                                    elem_id="ba-dislike",
                                )
                        feedback_status = gr.HTML("", js_on_load=None, elem_id="ba-fb-status")
                        with gr.Row():
                            new_chat = gr.Button(t["new_chat"], size="sm", elem_id="ba-new")
                            export = gr.DownloadButton(
                                t["export"], visible=False, size="sm", elem_id="ba-export"
                            )
                        with gr.Accordion(t["settings"], open=False) as settings_box:
                            k = gr.Slider(
                                1, 10, value=bot.settings.k, step=1, label=t["k"], elem_id="ba-k"
                            )
                            mode = gr.Radio(
                                mode_choices(lang),
                                value=app.default_mode,
                                label=t["mode"],
                                info=None if len(app.modes) > 1 else t["llm_off"],
                                interactive=len(app.modes) > 1,
                                elem_id="ba-mode",
                            )
                    with gr.Tab(
                        t["tab_search"], id="search", elem_id="ba-tab-search"
                    ) as tab_search:
                        with gr.Row():
                            search_query = gr.Textbox(
                                label=t["search_query"],
                                placeholder=t["search_placeholder"],
                                scale=4,
                                elem_id="ba-search-q",
                            )
                            scope = gr.Dropdown(
                                scope_choices(lang),
                                value="",
                                label=t["section"],
                                scale=3,
                                elem_id="ba-scope",
                            )
                            search_k = gr.Slider(
                                1,
                                MAX_K,
                                value=10,
                                step=1,
                                label=t["search_k"],
                                scale=2,
                                min_width=200,
                            )
                        search_btn = gr.Button(
                            t["search_btn"], variant="primary", elem_id="ba-search-btn"
                        )
                        search_hint = gr.Markdown(t["search_hint"])
                        results = gr.HTML("", js_on_load=None, elem_id="ba-results")
                    with gr.Tab(
                        t["tab_verify"], id="verify", elem_id="ba-tab-verify"
                    ) as tab_verify:
                        verify_pick = gr.Dropdown(
                            [],
                            value=None,
                            label=t["verify_pick"],
                            type="value",
                            elem_id="ba-verify-pick",
                        )
                        verify_hint = gr.Markdown(t["verify_hint"])
                        verify = gr.HTML(
                            app.verify([], None, lang), js_on_load=None, elem_id="ba-verify"
                        )
            with gr.Column(scale=2, elem_id="ba-side"):
                viewer_title = gr.Markdown(f"### {t['viewer']}")
                viewer = gr.HTML(app.view("", lang), js_on_load=None, elem_id="ba-viewer")
        ref = gr.Textbox(visible="hidden", elem_id="ba-ref")
        open_btn = gr.Button("open", visible="hidden", elem_id="ba-open-btn")

        # ---------------------------------------------------------------- events
        def on_ask(text, answers, k_value, mode_value, lang, request: gr.Request = None):
            answers = list(answers or [])
            problem = app.problem(text, lang)
            if problem:
                yield (gr.skip(),) * 3 + (_status(problem),) + (gr.skip(),) * 7
                return
            answer, shown = None, 0.0
            try:
                for step in app.ask_stream(text, answers, k=k_value, mode=mode_value):
                    if isinstance(step, Answer):
                        answer = step
                    elif time.monotonic() - shown >= DRAFT_EVERY:
                        shown = time.monotonic()  # a draft at most this often: the page redraws it
                        chat = app.draft_chat(answers, text, step, lang)
                        yield ("", chat) + (gr.skip(),) * 9
            except Exception as exc:  # noqa: BLE001 - the user gets a message, the log the traceback
                failed = _status(_error_message(exc, lang))
                yield (text, app.chat(answers, lang), gr.skip(), failed) + (gr.skip(),) * 7
                return
            assert answer is not None
            answers.append(answer)
            n = len(answers)
            yield (
                "",
                app.chat(answers, lang),
                answers,
                "",
                gr.update(choices=verify_choices(answers), value=n - 1),
                app.verify(answers, n - 1, lang),
                gr.update(
                    value=app.export(answers, lang, _session(request)),
                    visible=True,
                    label=ui(lang)["export"],
                ),
                gr.update(visible=True),
                _feedback_for(answers, n - 1, lang),
                n - 1,
                "",
            )

        ask_outputs = [
            question, chatbot, answers_state, status, verify_pick, verify, export,
            feedback_panel, feedback_for, target_state, feedback_status,
        ]  # fmt: skip
        ask_inputs = [question, answers_state, k, mode, language]
        send.click(on_ask, ask_inputs, ask_outputs, api_name="ask")
        question.submit(on_ask, ask_inputs, ask_outputs, api_visibility="private")

        def on_example(data: gr.SelectData):
            return data.value.get("text", "") if isinstance(data.value, dict) else ""

        chatbot.example_select(
            on_example, None, question, api_visibility="private", queue=False
        ).then(on_ask, ask_inputs, ask_outputs, api_visibility="private")

        def on_new_chat(lang):
            return (
                [],
                [],
                "",
                gr.update(choices=[], value=None),
                app.verify([], None, lang),
                gr.update(value=None, visible=False),
                gr.update(visible=False),
                None,
                "",
                "",
            )

        new_chat.click(
            on_new_chat,
            [language],
            [chatbot, answers_state, status, verify_pick, verify, export, feedback_panel, target_state,
             feedback_status, comment],
            api_name="new_chat",
            queue=False,
        )  # fmt: skip

        def on_chat_like(answers, lang, data: gr.LikeData, request: gr.Request = None):
            try:
                index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
                turn = int(index) // 2
                rating = {True: "like", False: "dislike"}.get(data.liked, "none")
                message = app.rate(answers, turn, rating, "", lang, _session(request))
                return turn, _feedback_for(answers, turn, lang), _status(message, "ok")
            except Exception as exc:  # noqa: BLE001
                return gr.skip(), gr.skip(), _status(_error_message(exc, lang))

        chatbot.like(
            on_chat_like, [answers_state, language], [target_state, feedback_for, feedback_status],
            api_visibility="private",
        )  # fmt: skip

        def rate_with(rating: str) -> Callable:
            def on_rate(answers, target, text, lang, request: gr.Request = None):
                try:
                    message = app.rate(answers, target, rating, text, lang, _session(request))
                except Exception as exc:  # noqa: BLE001
                    return gr.skip(), _status(_error_message(exc, lang))
                kind = "ok" if answers else "warn"
                return ("" if answers else gr.skip()), _status(message, kind)

            return on_rate

        rate_inputs = [answers_state, target_state, comment, language]
        like.click(
            rate_with("like"), rate_inputs, [comment, feedback_status], api_name="like", queue=False
        )
        dislike.click(
            rate_with("dislike"),
            rate_inputs,
            [comment, feedback_status],
            api_name="dislike",
            queue=False,
        )

        def on_open(target, lang):
            try:
                return app.view(target, lang), target
            except Exception:  # noqa: BLE001
                return _status(_unexpected(lang)), gr.skip()

        open_btn.click(
            on_open, [ref, language], [viewer, viewer_state], js=READ_REF, api_name="open_source",
            show_progress="hidden",
        ).then(None, None, None, js=SHOW_FOCUS, api_visibility="private")  # fmt: skip

        def on_search(text, scope_value, k_value, lang):
            problem = app.problem(text, lang)
            if problem:
                return _status(problem), gr.skip()
            try:
                hits = app.search(text, scope_value, k_value)
            except Exception as exc:  # noqa: BLE001
                return _status(_error_message(exc, lang)), gr.skip()
            return render.search_html(hits, lang=lang), (text, scope_value, k_value)

        search_inputs = [search_query, scope, search_k, language]
        search_btn.click(on_search, search_inputs, [results, search_state], api_name="search")
        search_query.submit(
            on_search, search_inputs, [results, search_state], api_visibility="private"
        )

        def on_verify(answers, turn, lang):
            try:
                return app.verify(answers, turn, lang)
            except Exception:  # noqa: BLE001
                return _status(_unexpected(lang))

        verify_pick.change(
            on_verify, [answers_state, verify_pick, language], verify, api_name="verify"
        )

        def on_language(
            lang, answers, target, viewed, searched, picked, request: gr.Request = None
        ):
            t = ui(lang)
            answers = answers or []
            searched_html = gr.skip()
            if searched:
                try:
                    searched_html = render.search_html(app.search(*searched), lang=lang)
                except Exception:  # noqa: BLE001 - a redraw that fails keeps the old results
                    pass
            return (
                header(lang),
                gr.update(label=t["language"]),
                gr.update(label=t["tab_chat"]),
                gr.update(label=t["tab_search"]),
                gr.update(label=t["tab_verify"]),
                gr.update(value=app.chat(answers, lang), label=t["chat"], placeholder=t["welcome"]),
                gr.update(placeholder=t["placeholder"]),
                gr.update(value=t["send"]),
                _feedback_for(answers, target, lang) if answers else gr.skip(),
                gr.update(placeholder=t["comment"]),
                gr.update(value=t["like"]),
                gr.update(value=t["dislike"]),
                gr.update(value=t["new_chat"]),
                gr.update(label=t["export"], value=app.export(answers, lang, _session(request))) if answers else gr.update(label=t["export"]),
                gr.update(label=t["settings"]),
                gr.update(label=t["k"]),
                gr.update(
                    label=t["mode"], choices=mode_choices(lang),
                    info=None if len(app.modes) > 1 else t["llm_off"],
                ),
                gr.update(label=t["search_query"], placeholder=t["search_placeholder"]),
                gr.update(label=t["section"], choices=scope_choices(lang)),
                gr.update(label=t["search_k"]),
                gr.update(value=t["search_btn"]),
                t["search_hint"],
                searched_html,
                gr.update(label=t["verify_pick"]),
                t["verify_hint"],
                app.verify(answers, picked, lang),
                f"### {t['viewer']}",
                app.view(viewed or "", lang),
                "",
                "",
            )  # fmt: skip

        language.change(
            on_language,
            [language, answers_state, target_state, viewer_state, search_state, verify_pick],
            [title, language, tab_chat, tab_search, tab_verify, chatbot, question, send, feedback_for,
             comment, like, dislike, new_chat, export, settings_box, k, mode, search_query, scope,
             search_k, search_btn, search_hint, results, verify_pick, verify_hint, verify,
             viewer_title, viewer, status, feedback_status],
            api_visibility="private",
            queue=False,
        )  # fmt: skip
    return demo


def _feedback_for(answers: list[Answer], turn: int | None, lang: str) -> str:
    """Which answer the like/dislike buttons under the chat rate."""
    if not answers:
        return ""
    i = _clamp(turn, len(answers) - 1, 0, len(answers) - 1)
    question = render.clip(clean(answers[i].question), 90)
    return f'<div class="ba-fb-for">{escape(ui(lang)["fb_for"].format(n=i + 1, q=question))}</div>'


def launch(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: list[tuple[str, str]] | None = None,
    share: bool = False,
    block: bool = True,
    quiet: bool = False,
):
    """Queue and serve the app: requests beyond `CONCURRENCY` wait their turn, never fail."""
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=None)
    return demo.launch(
        server_name=host,
        server_port=port,
        auth=auth or None,
        auth_message="Đăng nhập để dùng trợ lý / Sign in to use the assistant" if auth else None,
        share=share,
        prevent_thread_lock=not block,
        quiet=quiet,
        show_error=False,
        ssr_mode=False,
        footer_links=["api"],
        css=CSS,
        js=JS,
        theme=THEME,
    )
