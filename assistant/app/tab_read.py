"""The bulletin tab, for staff who read: the contents as a tree, a section, a passage by its link.

API: `/read_section` (section key, language) and `/read_passage` (passage id, language), the
latter being what `?p=PASSAGE_ID` in the page address opens on load.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from .session import status, unexpected
from .texts import ui

READ_SECTION = "(key, lang) => [window.baSection || key, lang]"
READ_PASSAGE = "(value, lang) => [window.baPassage || value, lang]"
# On load: the passage the address names (`?p=`; an id whose '#' was not encoded arrives
# split between the query and the fragment, so the two are joined again).
FROM_ADDRESS = """
(value, lang) => {
  const url = new URL(window.location.href);
  let p = url.searchParams.get('p') || '';
  if (p && !p.includes('#') && url.hash.length > 1) p += url.hash;
  return [p, lang];
}
"""
# After a passage opens in the reader: bring it into view.
SHOW_PASSAGE = """
() => { setTimeout(() => {
  const focus = document.querySelector('#ba-reader .ba-focus');
  if (focus) focus.scrollIntoView({block: 'center'});
}, 80); }
"""


def layout(page: SimpleNamespace, lang: str) -> None:
    t, app = ui(lang), page.app
    page.read_hint = gr.Markdown(t["read_hint"], elem_id="ba-read-hint")
    with gr.Row(equal_height=False, elem_id="ba-read-row"):
        with gr.Column(scale=2, min_width=240):
            page.toc = gr.HTML(app.contents(lang), js_on_load=None, elem_id="ba-toc")
        with gr.Column(scale=5, min_width=280):
            page.reader = gr.HTML(app.read_section("", lang), js_on_load=None, elem_id="ba-reader")


def hidden(page: SimpleNamespace) -> None:
    """The controls the page's script presses (outside the tabs, never shown)."""
    page.section_box = gr.Textbox(visible="hidden", elem_id="ba-section")
    page.read_btn = gr.Button("read", visible="hidden", elem_id="ba-read-btn")
    page.passage_box = gr.Textbox(visible="hidden", elem_id="ba-passage")
    page.passage_btn = gr.Button("passage", visible="hidden", elem_id="ba-passage-btn")


def wire(page: SimpleNamespace, loaded) -> None:
    """`loaded`: the page's load event (or one chained to it) after which `?p=` is opened."""
    app = page.app

    def on_section(key, lang):
        try:
            return app.read_section(key, lang), key
        except Exception:  # noqa: BLE001
            return status(unexpected(lang)), gr.skip()

    page.read_btn.click(
        on_section, [page.section_box, page.language], [page.reader, page.reader_state],
        js=READ_SECTION, api_name="read_section", show_progress="hidden",
    ).then(None, None, None, js="() => window.scrollTo({top: document.querySelector('#ba-reader').getBoundingClientRect().top + window.scrollY - 60})",
           api_visibility="private")  # fmt: skip

    def on_passage(value, lang):
        try:
            page_html, key = app.read_passage(value, lang)
        except Exception:  # noqa: BLE001
            return status(unexpected(lang)), gr.skip()
        return page_html, f"{key}\n{value}" if key else gr.skip()

    page.passage_btn.click(
        on_passage, [page.passage_box, page.language], [page.reader, page.reader_state],
        js=READ_PASSAGE, api_name="read_passage", show_progress="hidden",
    ).then(lambda: (gr.Tabs(selected="read"), gr.update(visible=False)), None,
           [page.tabs, page.side], api_visibility="private",
           queue=False).then(None, None, None, js=SHOW_PASSAGE, api_visibility="private")  # fmt: skip

    def on_load(value, lang):
        if not value:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        body, reading = on_passage(value, lang)
        return body, reading, gr.Tabs(selected="read"), gr.update(visible=False)

    loaded.then(
        on_load, [page.passage_box, page.language], [page.reader, page.reader_state, page.tabs, page.side],
        js=FROM_ADDRESS, api_visibility="private",
    ).then(None, None, None, js=SHOW_PASSAGE, api_visibility="private")  # fmt: skip


def relabel(page: SimpleNamespace, lang: str, reading: str) -> dict:
    """The contents and the open section (with its highlighted passage) in `lang`."""
    t, app = ui(lang), page.app
    key, _, value = (reading or "").partition("\n")
    if value:
        body = app.read_passage(value, lang)[0]
    else:
        body = app.read_section(key, lang)
    return {
        page.tab_read: gr.update(label=t["tab_read"]),
        page.read_hint: t["read_hint"],
        page.toc: app.contents(lang),
        page.reader: body,
    }
