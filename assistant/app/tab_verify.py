"""The verify tab: each sentence of an answer beside the passage it cites (API `/verify`)."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from .session import status, unexpected
from .texts import ui


def layout(page: SimpleNamespace, lang: str) -> None:
    t = ui(lang)
    page.verify_pick = gr.Dropdown(
        [], value=None, label=t["verify_pick"], type="value", elem_id="ba-verify-pick"
    )
    page.verify_hint = gr.Markdown(t["verify_hint"])
    page.verify = gr.HTML(page.app.verify([], None, lang), js_on_load=None, elem_id="ba-verify")


def wire(page: SimpleNamespace) -> None:
    def on_verify(answers, turn, lang):
        try:
            return page.app.verify(answers, turn, lang)
        except Exception:  # noqa: BLE001
            return status(unexpected(lang))

    page.verify_pick.change(
        on_verify, [page.answers_state, page.verify_pick, page.language], page.verify,
        api_name="verify",
    )  # fmt: skip


def relabel(page: SimpleNamespace, lang: str, answers, picked) -> dict:
    t = ui(lang)
    return {
        page.tab_verify: gr.update(label=t["tab_verify"]),
        page.verify_pick: gr.update(label=t["verify_pick"]),
        page.verify_hint: t["verify_hint"],
        page.verify: page.app.verify(answers, picked, lang),
    }
