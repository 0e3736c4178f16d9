"""The evaluation tab, for evaluators: score a question file, see the table and every miss.

API `/evaluate` (file, language) → status, metrics table, misses, CSV file. The numbers are
`assistant.evaluate`'s, as `python -m assistant eval` prints them (see `evaluation`).
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from ..errors import AssistantError
from . import evaluation
from .session import session_of, status, unexpected
from .texts import ui


def hint(lang: str) -> str:
    return ui(lang)["eval_hint"].format(max=evaluation.MAX_LINES)


def layout(page: SimpleNamespace, lang: str) -> None:
    t = ui(lang)
    page.eval_hint = gr.Markdown(hint(lang))
    with gr.Row(equal_height=True):
        page.eval_file = gr.File(
            label=t["eval_file"], file_types=[".jsonl", ".json", ".txt"], file_count="single",
            type="filepath", elem_id="ba-eval-file", scale=3, min_width=220, height=120,
        )  # fmt: skip
        page.eval_run = gr.Button(
            t["eval_run"], variant="primary", elem_id="ba-eval-run", scale=1, min_width=120
        )
    page.eval_status = gr.HTML("", js_on_load=None, elem_id="ba-eval-status")
    page.eval_table = gr.HTML("", js_on_load=None, elem_id="ba-eval-table")
    page.eval_csv = gr.DownloadButton(
        t["eval_csv"], visible=False, size="sm", elem_id="ba-eval-csv"
    )
    page.eval_misses = gr.HTML("", js_on_load=None, elem_id="ba-eval-misses")


def wire(page: SimpleNamespace) -> None:
    app = page.app

    def on_evaluate(path, lang, request: gr.Request = None, progress=gr.Progress()):  # noqa: B008 - Gradio's way
        t = ui(lang)
        nothing = ("", "", gr.update(value=None, visible=False), None)
        if not path:
            return (status(t["eval_none"]),) + nothing
        try:
            progress((0, 1), desc=t["eval_progress"])
            result, upload = app.evaluate(
                path, progress=lambda done, total: progress((done, total), desc=t["eval_progress"])
            )
        except AssistantError as exc:
            return (status(str(exc)),) + nothing
        except Exception:  # noqa: BLE001
            return (status(unexpected(lang)),) + nothing
        return _shown(page, result, upload, lang, session_of(request))

    page.eval_run.click(
        on_evaluate, [page.eval_file, page.language],
        [page.eval_status, page.eval_table, page.eval_misses, page.eval_csv, page.eval_state],
        api_name="evaluate",
    )  # fmt: skip


def _shown(page, result, upload, lang: str, session: str | None) -> tuple:
    done, capped = evaluation.summary(upload, lang)
    return (
        status(done, "warn" if capped else "ok"),
        evaluation.table_html(result, lang=lang),
        evaluation.misses_html(result, lang=lang),
        gr.update(value=page.app.evaluation_csv(result, session), visible=True),
        (result, upload),
    )


def relabel(page: SimpleNamespace, lang: str, evaluated) -> dict:
    t = ui(lang)
    out = {
        page.tab_eval: gr.update(label=t["tab_eval"]),
        page.eval_hint: hint(lang),
        page.eval_file: gr.update(label=t["eval_file"]),
        page.eval_run: gr.update(value=t["eval_run"]),
        page.eval_csv: gr.update(label=t["eval_csv"]),
    }
    if evaluated:
        result, upload = evaluated
        shown = _shown(page, result, upload, lang, None)
        out.update(
            {page.eval_status: shown[0], page.eval_table: shown[1], page.eval_misses: shown[2]}
        )
    return out
