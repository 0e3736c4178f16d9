"""The chat tab: questions, cited answers, suggested questions, feedback and the export.

`layout` places the widgets (inside the page's tab), `wire` connects their events (API names
`/ask`, `/new_chat`, `/like`, `/dislike`, `/suggest`), `relabel` redraws them in a language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import gradio as gr

from ..models import Answer
from ..text import clean
from . import render
from .render_common import escape
from .session import clamp, error_message, number, session_of, status
from .texts import ui

# An LLM's draft is redrawn in the chat at most this often (seconds).
DRAFT_EVERY = 0.25


def welcome(page: SimpleNamespace, lang: str) -> str:
    return ui(lang)["welcome"] + "\n\n" + ui(lang)["suggest"]


def examples(page: SimpleNamespace, lang: str) -> list[dict]:
    return [{"text": q} for q in page.app.suggestions(lang)]


def placeholder(page: SimpleNamespace, lang: str) -> str:
    """The question box's hint, with the length limit."""
    return ui(lang)["placeholder"].format(max=number(page.app.bot.settings.max_query_chars, lang))


def mode_choices(page: SimpleNamespace, lang: str) -> list[tuple[str, str]]:
    return [(ui(lang)[m], m) for m in page.app.modes]


def verify_choices(answers: list[Answer]) -> list[tuple[str, int]]:
    return [(f"{i}. {render.clip(clean(a.question), 80)}", i - 1) for i, a in enumerate(answers, 1)]


def feedback_for(answers: list[Answer], turn: int | None, lang: str) -> str:
    """Which answer the comment box under the chat rates."""
    if not answers:
        return ""
    i = clamp(turn, len(answers) - 1, 0, len(answers) - 1)
    question = render.clip(clean(answers[i].question), 90)
    return f'<div class="ba-fb-for">{escape(ui(lang)["fb_for"].format(n=i + 1, q=question))}</div>'


def layout(page: SimpleNamespace, lang: str) -> None:
    t, app = ui(lang), page.app
    page.chatbot = gr.Chatbot(
        label=t["chat"],
        show_label=False,
        elem_id="ba-chat",
        height="70vh",
        min_height=340,
        placeholder=welcome(page, lang),
        examples=examples(page, lang),
        latex_delimiters=[],
        group_consecutive_messages=False,
        buttons=[],
        feedback_options=("Like", "Dislike"),
        autoscroll=True,
    )
    # Messages sit between the chat and the question box, where the eye is after sending.
    page.status = gr.HTML("", js_on_load=None, elem_id="ba-status")
    page.feedback_status = gr.HTML("", js_on_load=None, elem_id="ba-fb-status")
    with gr.Row(elem_id="ba-ask-row"):
        # The box takes at most the question limit; the page's script focuses it on a
        # desktop (on a phone, focusing would scroll past the title and open the keyboard).
        page.question = gr.Textbox(
            show_label=False, placeholder=placeholder(page, lang), lines=1, max_lines=6,
            scale=6, elem_id="ba-question", min_width=160,
            max_length=app.bot.settings.max_query_chars,
        )  # fmt: skip
        page.send = gr.Button(
            t["send"], variant="primary", scale=1, min_width=70, elem_id="ba-send"
        )
    # Like/dislike sit under each answer (the chat's own buttons); the comment form is folded.
    with gr.Accordion(t["feedback_more"], open=False, visible=False, elem_id="ba-feedback") as box:
        page.feedback_panel = box
        page.feedback_for = gr.HTML("", js_on_load=None, elem_id="ba-fb-for")
        with gr.Row(equal_height=True):
            page.comment = gr.Textbox(
                show_label=False, placeholder=t["comment"], container=False, scale=5,
                max_lines=3, elem_id="ba-comment", min_width=160,
            )  # fmt: skip
            page.like = gr.Button(t["like"], scale=0, min_width=90, size="sm", elem_id="ba-like")
            page.dislike = gr.Button(
                t["dislike"], scale=0, min_width=90, size="sm", elem_id="ba-dislike"
            )
    with gr.Row():
        page.new_chat = gr.Button(t["new_chat"], size="sm", elem_id="ba-new")
        page.export = gr.DownloadButton(t["export"], visible=False, size="sm", elem_id="ba-export")
    with gr.Accordion(t["settings"], open=False) as page.settings_box:
        page.k = gr.Slider(1, 10, value=app.bot.settings.k, step=1, label=t["k"], elem_id="ba-k")
        page.mode = gr.Radio(
            mode_choices(page, lang),
            value=app.default_mode,
            label=t["mode"],
            info=None if len(app.modes) > 1 else t["llm_off"],
            interactive=len(app.modes) > 1,
            elem_id="ba-mode",
        )


def wire(page: SimpleNamespace) -> None:
    app = page.app

    def on_ask(text, answers, k_value, mode_value, lang, request: gr.Request = None):
        answers = list(answers or [])
        problem = app.problem(text, lang)
        if problem:
            yield (gr.skip(),) * 3 + (status(problem),) + (gr.skip(),) * 7
            return
        answer, shown = None, 0.0
        try:
            for step in app.ask_stream(text, answers, k=k_value, mode=mode_value):
                if isinstance(step, Answer):
                    answer = step
                elif time.monotonic() - shown >= DRAFT_EVERY:
                    shown = time.monotonic()  # a draft at most this often: the page redraws it
                    yield ("", app.draft_chat(answers, text, step, lang)) + (gr.skip(),) * 9
        except Exception as exc:  # noqa: BLE001 - the user gets a message, the log the traceback
            failed = status(error_message(exc, lang))
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
                value=app.export(answers, lang, session_of(request)),
                visible=True,
                label=ui(lang)["export"],
            ),
            gr.update(visible=True),
            feedback_for(answers, n - 1, lang),
            n - 1,
            "",
        )

    ask_outputs = [
        page.question, page.chatbot, page.answers_state, page.status, page.verify_pick,
        page.verify, page.export, page.feedback_panel, page.feedback_for, page.target_state,
        page.feedback_status,
    ]  # fmt: skip
    ask_inputs = [page.question, page.answers_state, page.k, page.mode, page.language]
    page.send.click(on_ask, ask_inputs, ask_outputs, api_name="ask")
    page.question.submit(on_ask, ask_inputs, ask_outputs, api_visibility="private")

    def on_example(data: gr.SelectData):
        return data.value.get("text", "") if isinstance(data.value, dict) else ""

    page.chatbot.example_select(
        on_example, None, page.question, api_visibility="private", queue=False
    ).then(on_ask, ask_inputs, ask_outputs, api_visibility="private")

    def on_new_chat(lang):
        return (
            [], [], "", gr.update(choices=[], value=None), app.verify([], None, lang),
            gr.update(value=None, visible=False), gr.update(visible=False), None, "", "",
        )  # fmt: skip

    page.new_chat.click(
        on_new_chat,
        [page.language],
        [page.chatbot, page.answers_state, page.status, page.verify_pick, page.verify,
         page.export, page.feedback_panel, page.target_state, page.feedback_status, page.comment],
        api_name="new_chat",
        queue=False,
    )  # fmt: skip

    def on_chat_like(answers, lang, data: gr.LikeData, request: gr.Request = None):
        try:
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            turn = int(index) // 2
            rating = {True: "like", False: "dislike"}.get(data.liked, "none")
            message = app.rate(answers, turn, rating, "", lang, session_of(request))
            return turn, feedback_for(answers, turn, lang), status(message, "ok")
        except Exception as exc:  # noqa: BLE001
            return gr.skip(), gr.skip(), status(error_message(exc, lang))

    page.chatbot.like(
        on_chat_like, [page.answers_state, page.language],
        [page.target_state, page.feedback_for, page.feedback_status], api_visibility="private",
    )  # fmt: skip

    def rate_with(rating: str) -> Callable:
        def on_rate(answers, target, text, lang, request: gr.Request = None):
            try:
                message = app.rate(answers, target, rating, text, lang, session_of(request))
            except Exception as exc:  # noqa: BLE001
                return gr.skip(), status(error_message(exc, lang))
            return ("" if answers else gr.skip()), status(message, "ok" if answers else "warn")

        return on_rate

    rate_inputs = [page.answers_state, page.target_state, page.comment, page.language]
    rate_outputs = [page.comment, page.feedback_status]
    page.like.click(rate_with("like"), rate_inputs, rate_outputs, api_name="like", queue=False)
    page.dislike.click(
        rate_with("dislike"), rate_inputs, rate_outputs, api_name="dislike", queue=False
    )
    page.suggest_btn.click(app.suggestions, [page.language], [page.suggested], api_name="suggest")


def relabel(page: SimpleNamespace, lang: str, answers: list[Answer], target, session) -> dict:
    t, app = ui(lang), page.app
    export = gr.update(label=t["export"])
    if answers:
        export = gr.update(label=t["export"], value=app.export(answers, lang, session))
    return {
        page.chatbot: gr.update(
            value=app.chat(answers, lang), label=t["chat"], placeholder=welcome(page, lang),
            examples=examples(page, lang),
        ),
        page.question: gr.update(placeholder=placeholder(page, lang)),
        page.send: gr.update(value=t["send"]),
        page.feedback_panel: gr.update(label=t["feedback_more"]),
        page.feedback_for: feedback_for(answers, target, lang) if answers else gr.skip(),
        page.comment: gr.update(placeholder=t["comment"]),
        page.like: gr.update(value=t["like"]),
        page.dislike: gr.update(value=t["dislike"]),
        page.new_chat: gr.update(value=t["new_chat"]),
        page.export: export,
        page.settings_box: gr.update(label=t["settings"]),
        page.k: gr.update(label=t["k"]),
        page.mode: gr.update(
            label=t["mode"], choices=mode_choices(page, lang),
            info=None if len(app.modes) > 1 else t["llm_off"],
        ),
        page.status: "",
        page.feedback_status: "",
    }  # fmt: skip
