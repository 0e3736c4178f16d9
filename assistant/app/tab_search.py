"""The passage search tab: the top passages for a query, filterable by section (API `/search`)."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from .session import MAX_K, error_message, status
from .texts import ui


def scope_choices(page: SimpleNamespace, lang: str) -> list[tuple[str, str]]:
    return [(ui(lang)["all_sections"], "")] + page.app.scopes


def layout(page: SimpleNamespace, lang: str) -> None:
    t = ui(lang)
    with gr.Row():
        page.search_query = gr.Textbox(
            label=t["search_query"], placeholder=t["search_placeholder"], scale=4,
            elem_id="ba-search-q", min_width=200,
        )  # fmt: skip
        page.scope = gr.Dropdown(
            scope_choices(page, lang), value="", label=t["section"], scale=3, elem_id="ba-scope",
            min_width=200,
        )  # fmt: skip
        page.search_k = gr.Slider(
            1, MAX_K, value=10, step=1, label=t["search_k"], scale=2, min_width=200
        )
    page.search_btn = gr.Button(t["search_btn"], variant="primary", elem_id="ba-search-btn")
    page.search_hint = gr.Markdown(t["search_hint"])
    page.results = gr.HTML("", js_on_load=None, elem_id="ba-results")


def wire(page: SimpleNamespace) -> None:
    app = page.app

    def on_search(text, scope_value, k_value, lang):
        problem = app.problem(text, lang)
        if problem:
            return status(problem), gr.skip()
        try:
            shown = app.search_html(text, scope_value, k_value, lang)
        except Exception as exc:  # noqa: BLE001
            return status(error_message(exc, lang)), gr.skip()
        return shown, (text, scope_value, k_value)

    inputs = [page.search_query, page.scope, page.search_k, page.language]
    outputs = [page.results, page.search_state]
    page.search_btn.click(on_search, inputs, outputs, api_name="search")
    page.search_query.submit(on_search, inputs, outputs, api_visibility="private")


def relabel(page: SimpleNamespace, lang: str, searched) -> dict:
    t, app = ui(lang), page.app
    redrawn = gr.skip()
    if searched:
        try:
            redrawn = app.search_html(*searched, lang)
        except Exception:  # noqa: BLE001 - a redraw that fails keeps the old results
            pass
    return {
        page.tab_search: gr.update(label=t["tab_search"]),
        page.search_query: gr.update(label=t["search_query"], placeholder=t["search_placeholder"]),
        page.scope: gr.update(label=t["section"], choices=scope_choices(page, lang)),
        page.search_k: gr.update(label=t["search_k"]),
        page.search_btn: gr.update(value=t["search_btn"]),
        page.search_hint: t["search_hint"],
        page.results: redrawn,
    }
