"""The web app: chat, the bulletin reader, passage search, verify and evaluation, with a source viewer.

`build(bot)` makes the Gradio Blocks (each tab's widgets and events in its own module:
`tab_chat`, `tab_read`, `tab_search`, `tab_verify`, `tab_evaluate`); `launch(demo)` serves
it with the page's style (`style.css`) and script (`app.js`). The assistant (model and
index) is loaded once by the caller and shared by every session; each session keeps its own
answers in a `gr.State`, and the chat is always drawn from them, so switching the UI
language redraws everything.

>>> bot = Assistant.load(Settings())                    # doctest: +SKIP
>>> launch(build(bot), host="127.0.0.1", port=7860)     # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from ..api import Assistant
from ..feedback import FeedbackLog, PostgresFeedback
from . import tab_chat, tab_evaluate, tab_read, tab_search, tab_verify
from .render_common import escape
from .session import ChatApp, session_of, status, unexpected
from .texts import LANGUAGES, ui

# Event handlers run two at a time (the machine's cores); the rest wait in the queue.
CONCURRENCY = 2
HERE = Path(__file__).resolve().parent
CSS = (HERE / "style.css").read_text(encoding="utf-8")
JS = (HERE / "app.js").read_text(encoding="utf-8")
# System fonts: the default theme's web fonts would be fetched from the internet.
THEME = gr.themes.Soft(
    font=["system-ui", "Segoe UI", "Noto Sans", "DejaVu Sans", "sans-serif"],
    font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
)
READ_REF = "(ref, lang) => [window.baRef || ref, lang]"
# After a passage opens: on a phone, the viewer rises as a sheet over the bottom of the
# screen, where the user is looking; then the viewer (not the page) scrolls to the passage;
# on a desktop the viewer is brought into view only when it is off screen.
SHOW_FOCUS = """
() => { setTimeout(() => {
  const box = document.querySelector('#ba-viewer .ba-viewer');
  const focus = box && box.querySelector('.ba-focus');
  if (!focus) return;
  const phone = window.matchMedia('(max-width: 720px)').matches;
  const side = document.querySelector('#ba-side');
  if (phone && side) side.dataset.sheet = 'open';
  const crumbs = box.querySelector('.ba-crumbs');
  const offset = (crumbs ? crumbs.offsetHeight : 0) + (phone ? 8 : 24);
  box.scrollTop += focus.getBoundingClientRect().top - box.getBoundingClientRect().top - offset;
  const r = box.getBoundingClientRect();
  if (!phone && (r.top > window.innerHeight || r.bottom < 0)) box.scrollIntoView({block: 'start'});
}, 60); }
"""
# The interface language each browser chose, kept in its localStorage across reloads (and
# server restarts: the value is a UI preference, the key only keeps it readable).
LANGUAGE_KEY = "bulletin-assistant-language"


def build(
    bot: Assistant,
    *,
    feedback: FeedbackLog | PostgresFeedback | None = None,
    lang: str = "vi",
    public_url: str | None = None,
) -> gr.Blocks:
    """The whole page, wired to `bot`. Launch it with `launch`.

    `public_url` (e.g. "https://assistant.example.gov.vn/"): the address colleagues open
    the app at; every link the page copies or shows (`?p=…`) is made on it. None: on the
    address the page was opened at.
    """
    page = SimpleNamespace(app=ChatApp(bot, feedback=feedback, public_url=public_url))
    t = ui(lang)
    docs = list(bot.index.documents.values())
    doc_label = docs[0].label if len(docs) == 1 else f"{len(docs)} documents"

    def header(lang: str) -> str:
        return (
            f"<div><h1>{escape(ui(lang)['title'])}: {escape(doc_label)}</h1>"
            f'<p class="ba-sub">{escape(ui(lang)["subtitle"])}</p></div>'
        )

    with gr.Blocks(
        title=t["title"],
        analytics_enabled=False,
        fill_width=True,
        delete_cache=(3600, 86400),  # exported conversations and CSVs live a day
    ) as demo:
        page.demo = demo
        page.answers_state = gr.State([])
        page.target_state = gr.State(None)  # the answer the feedback form rates
        page.viewer_state = gr.State("")
        page.search_state = gr.State(None)  # the last search, redrawn in a new language
        page.reader_state = gr.State("")  # the section read ("key" or "key\npassage")
        page.eval_state = gr.State(None)  # the last evaluation, redrawn in a new language

        with gr.Row(elem_id="ba-header"):
            page.title = gr.HTML(header(lang), js_on_load=None, scale=5, elem_id="ba-title")
            page.language = gr.Radio(
                LANGUAGES, value=lang, label=t["language"], scale=1, min_width=200,
                elem_id="ba-lang",
            )  # fmt: skip
        with gr.Row(equal_height=False, elem_id="ba-body"):
            with gr.Column(scale=3, min_width=300):
                with gr.Tabs(elem_id="ba-tabs") as page.tabs:
                    with gr.Tab(t["tab_chat"], id="chat", elem_id="ba-tab-chat") as page.tab_chat:
                        tab_chat.layout(page, lang)
                    with gr.Tab(t["tab_read"], id="read", elem_id="ba-tab-read") as page.tab_read:
                        tab_read.layout(page, lang)
                    with gr.Tab(
                        t["tab_search"], id="search", elem_id="ba-tab-search"
                    ) as page.tab_search:
                        tab_search.layout(page, lang)
                    with gr.Tab(
                        t["tab_verify"], id="verify", elem_id="ba-tab-verify"
                    ) as page.tab_verify:
                        tab_verify.layout(page, lang)
                    with gr.Tab(
                        t["tab_eval"], id="evaluate", elem_id="ba-tab-eval"
                    ) as page.tab_eval:
                        tab_evaluate.layout(page, lang)
            with gr.Column(scale=2, min_width=300, elem_id="ba-side") as page.side:
                page.viewer_title = gr.Markdown(f"### {t['viewer']}")
                page.viewer = gr.HTML(page.app.view("", lang), js_on_load=None, elem_id="ba-viewer")
        page.config = gr.HTML(
            f'<div class="ba-config" data-public-url="{escape(public_url or "")}"></div>',
            js_on_load=None, visible="hidden", elem_id="ba-config",
        )  # fmt: skip
        page.language_store = gr.BrowserState(
            "", storage_key=LANGUAGE_KEY, secret=LANGUAGE_KEY + "-not-a-secret"
        )
        page.ref = gr.Textbox(visible="hidden", elem_id="ba-ref")
        page.open_btn = gr.Button("open", visible="hidden", elem_id="ba-open-btn")
        page.suggest_btn = gr.Button("suggest", visible="hidden", elem_id="ba-suggest-btn")
        page.suggested = gr.JSON(visible="hidden")
        tab_read.hidden(page)

        _wire_language(page, header)  # first: a remembered language is restored on load
        tab_chat.wire(page)
        tab_read.wire(page, page.restored)  # then the passage a `?p=` link names opens
        tab_search.wire(page)
        tab_verify.wire(page)
        tab_evaluate.wire(page)
        _wire_viewer(page)

        # The reader and the evaluation show their own text: the source viewer steps aside.
        for tab, shown in [(page.tab_chat, True), (page.tab_read, False), (page.tab_search, True),
                           (page.tab_verify, True), (page.tab_eval, False)]:  # fmt: skip
            tab.select(
                lambda shown=shown: gr.update(visible=shown), None, page.side,
                api_visibility="private", queue=False,
            )  # fmt: skip
    return demo


def _wire_viewer(page: SimpleNamespace) -> None:
    """The source viewer beside the tabs (below them on a phone): `/open_source`."""

    def on_open(target, lang):
        try:
            return page.app.view(target, lang), target
        except Exception:  # noqa: BLE001
            return status(unexpected(lang)), gr.skip()

    page.open_btn.click(
        on_open, [page.ref, page.language], [page.viewer, page.viewer_state], js=READ_REF,
        api_name="open_source", show_progress="hidden",
    ).then(None, None, None, js=SHOW_FOCUS, api_visibility="private")  # fmt: skip


def _wire_language(page: SimpleNamespace, header) -> None:
    """Switching the language redraws every label, the chat, the open section and results."""
    states = [
        page.language, page.answers_state, page.target_state, page.viewer_state,
        page.search_state, page.verify_pick, page.reader_state, page.eval_state,
    ]  # fmt: skip

    def updates(lang, answers, target, viewed, searched, picked, reading, evaluated, session):
        t = ui(lang)
        answers = answers or []
        out = {
            page.title: header(lang),
            page.language: gr.update(label=t["language"]),
            page.tab_chat: gr.update(label=t["tab_chat"]),
            page.viewer_title: f"### {t['viewer']}",
            page.viewer: page.app.view(viewed or "", lang),
        }
        out |= tab_chat.relabel(page, lang, answers, target, session)
        out |= tab_read.relabel(page, lang, reading)
        out |= tab_search.relabel(page, lang, searched)
        out |= tab_verify.relabel(page, lang, answers, picked)
        out |= tab_evaluate.relabel(page, lang, evaluated)
        return out

    # The outputs are every component a redraw touches (drawn once here to list them).
    outputs = list(updates("vi", [], None, "", None, None, "", None, None))

    def on_language(*values, request: gr.Request = None):
        return updates(*values, session_of(request))

    page.language.change(on_language, states, outputs, api_visibility="private", queue=False)

    # The language a user picks is remembered in the browser, and restored on the next visit.
    page.language.input(
        lambda lang: lang, page.language, page.language_store, api_visibility="private",
        queue=False,
    )  # fmt: skip

    def restore(stored, lang):
        return stored if stored in {v for _, v in LANGUAGES} and stored != lang else gr.skip()

    page.restored = page.demo.load(
        restore, [page.language_store, page.language], page.language, api_visibility="private",
        queue=False,
    )  # fmt: skip


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
