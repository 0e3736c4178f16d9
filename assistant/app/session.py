"""What the page's events do, without Gradio widgets: one `ChatApp` shared by every session.

Chat, source viewer, search, verify and feedback, then the reader, the suggested questions and
the evaluation tab. Calls into the model take turns under one lock (torch already uses the
cores within a call), so concurrent users get exactly the answers they would alone.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..answer.excerpt import E5_BANDS
from ..api import Assistant
from ..errors import AssistantError
from ..feedback import FeedbackLog, PostgresFeedback, open_feedback
from ..models import Answer, Draft, Hit
from ..retrieve import intake
from ..text import clean
from . import evaluation, reader, suggest
from . import render as render
from .render_common import escape
from .texts import EXAMPLES, FOREIGN, ui

log = logging.getLogger(__name__)

MAX_K = 20


class ChatApp:
    """What the page's events do, without Gradio: testable, and shared by all sessions."""

    def __init__(
        self,
        bot: Assistant,
        *,
        feedback: FeedbackLog | PostgresFeedback | None = None,
        public_url: str | None = None,
    ):
        self.bot = bot
        # The address colleagues open the app at (`--public-url`): links are made on it.
        self.public_url = (public_url or "").strip()
        self.feedback = feedback or open_feedback(bot.settings)
        # One model for every session: calls into it take turns (torch already uses the
        # cores within a call), so concurrent users get exactly the answers they would alone.
        self._lock = threading.Lock()
        self.export_dir = Path(tempfile.mkdtemp(prefix="bulletin-chat-"))
        s = bot.settings
        self.modes = ["extractive"] + (["llm"] if s.llm_url and s.llm_model else [])
        self.default_mode = s.answer_mode if s.answer_mode in self.modes else "extractive"
        self.scopes = scopes(bot)
        self._suggest_lock = threading.Lock()
        self._suggested: dict[str, list[str]] = {}

    # ------------------------------------------------------------ chat
    def problem(self, question: str | None, lang: str) -> str | None:
        """Why a question cannot be asked, in the UI's language; None when it can."""
        text = clean(question if isinstance(question, str) else "")
        limit = self.bot.settings.max_query_chars
        if not text:
            return ui(lang)["empty"]
        if len(text) > limit:
            return ui(lang)["too_long"].format(n=number(len(text), lang), max=number(limit, lang))
        if not re.search(r"\w", text):
            return ui(lang)["no_words"]
        script = intake.foreign_script(text)
        if script:
            names = FOREIGN.get(lang, FOREIGN["vi"])
            return ui(lang)["foreign"].format(language=names.get(script, script))
        return None

    def ask(
        self, question: str, history: list[Answer], *, k: Any = None, mode: Any = None
    ) -> Answer:
        k = clamp(k, self.bot.settings.k, 1, MAX_K)
        mode = mode if mode in self.modes else self.default_mode
        with self._lock:
            return self.bot.ask(question, k=k, history=list(history) or None, mode=mode)

    def ask_stream(
        self, question: str, history: list[Answer], *, k: Any = None, mode: Any = None
    ) -> Iterator[Draft | Answer]:
        """`ask` step by step (see `Assistant.ask_stream`): drafts, then the Answer.

        The model lock is held while the embedder runs, not while an LLM writes.
        """
        k = clamp(k, self.bot.settings.k, 1, MAX_K)
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
        k = clamp(k, 10, 1, MAX_K)
        scope = scope if scope in {value for _, value in self.scopes} else ""
        with self._lock:
            return self.bot.search(query, k=k, section=scope or None)

    def relevant(self, hits: list[Hit]) -> bool:
        """Whether a search found anything relevant (see `intake.nothing_relevant`)."""
        bands = getattr(self.bot.embedder, "cosine_bands", None) or E5_BANDS
        return not intake.nothing_relevant(hits, bands["same"])

    def search_html(self, query: str, scope: str | None, k: Any, lang: str) -> str:
        """The search results as HTML, or the message that nothing relevant was found."""
        hits = self.search(query, scope, k)
        nothing = None if self.relevant(hits) else query
        return render.search_html(hits, lang=lang, nothing=nothing)

    def verify(self, answers: list[Answer], turn: Any, lang: str) -> str:
        if not answers:
            return render.verify_html(None, {}, lang=lang)
        i = clamp(turn, len(answers) - 1, 0, len(answers) - 1)
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
        i = clamp(turn, len(answers) - 1, 0, len(answers) - 1)
        rating = rating if rating in ("like", "dislike") else "none"
        self.feedback.record(
            answers[i], rating=rating, comment=comment or "", turn=i + 1, session=session
        )
        if rating == "none":
            return ui(lang)["thanks_none"].format(n=i + 1)
        return ui(lang)["thanks"].format(rating=ui(lang)[rating], n=i + 1)

    # ------------------------------------------------------------ reader
    def contents(self, lang: str, current: str = "") -> str:
        """The table of contents as HTML."""
        trees = reader.toc(self.bot.index.passages)
        return reader.toc_html(trees, self.bot.index.documents, lang=lang, current=current)

    def read_section(
        self, key: str, lang: str, *, focus: str = "", start: int = 0, end: int = 0
    ) -> str:
        """A section of the bulletin, optionally with one passage highlighted."""
        return reader.section_html(
            self.bot.index.passages, key, self.bot.index.documents,
            focus=focus, start=start, end=end, lang=lang, base=self.public_url,
        )  # fmt: skip

    def read_passage(self, value: str, lang: str) -> tuple[str, str]:
        """The section a `?p=` value opens, with the passage highlighted; and the section key."""
        passage = reader.find_passage(self.bot.index.passages, value)
        if passage is None:
            message = reader.labels(lang)["no_passage"].format(id=str(value or "")[:120])
            return f'<div class="ba-reader ba-empty">{escape(message)}</div>', ""
        key = reader.reading_key(passage)
        return self.read_section(key, lang, focus=passage.id), key

    # ------------------------------------------------------------ suggested questions
    def suggestions(self, lang: str) -> list[str]:
        """One question for each main section that the assistant answers (made once per language)."""
        lang = lang if lang in ("vi", "en") else "vi"
        with self._suggest_lock:
            if lang not in self._suggested:

                def answered(question: str) -> Answer | bool:
                    try:
                        with self._lock:
                            return self.bot.ask(question, k=self.bot.settings.k, mode="extractive")
                    except AssistantError:
                        return False

                made = suggest.suggestions(self.bot.index.passages, lang, answered)
                self._suggested[lang] = made or list(EXAMPLES)
            return list(self._suggested[lang])

    # ------------------------------------------------------------ evaluation
    def evaluate(
        self, path: str | Path, *, progress: Callable[[int, int], None] | None = None
    ) -> tuple[evaluation.Result, evaluation.Upload]:
        """Score an uploaded question file; AssistantError says what is wrong with it."""
        upload = evaluation.read_upload(path)
        return evaluation.run(self.bot, upload, progress=progress, lock=self._lock), upload

    def evaluation_csv(self, result: evaluation.Result, session: str | None = None) -> str:
        tag = re.sub(r"\W", "", session or "")[:12] or uuid.uuid4().hex[:12]
        return str(evaluation.write_csv(result, self.export_dir / f"evaluation-{tag}.csv"))


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


def clamp(value: Any, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(lo, min(hi, number))


def number(n: int, lang: str) -> str:
    """12,345 in English, 12.345 in Vietnamese."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def status(message: str, kind: str = "warn") -> str:
    return (
        f'<div class="ba-status ba-{kind}" role="status">{escape(message)}</div>' if message else ""
    )


def unexpected(lang: str) -> str:
    code = uuid.uuid4().hex[:8]
    log.exception("unexpected error %s in the web app", code)
    return ui(lang)["unexpected"].format(code=code)


def error_message(exc: Exception, lang: str) -> str:
    if isinstance(exc, AssistantError):
        return ui(lang)["failed"].format(msg=str(exc))
    return unexpected(lang)


def session_of(request: Any) -> str | None:
    return getattr(request, "session_hash", None) if request is not None else None
