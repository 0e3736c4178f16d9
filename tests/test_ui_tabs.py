"""The reader and evaluation tabs over HTTP (gradio_client), on the real model and bulletin.

`/read_section` opens a section of the contents, `/read_passage` a passage (what `?p=` does),
`/evaluate` scores an uploaded question file with the project's evaluation, `/suggest` gives
the empty chat's suggested questions.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from assistant import evaluate as ev
from assistant.app import reader
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "eval" / "dev.jsonl"
DEV2 = ROOT / "eval" / "dev2.jsonl"

pytestmark = pytest.mark.model


def file_of(update) -> str | None:
    """The file path a download button was given (the client sees the button's update)."""
    value = update.get("value") if isinstance(update, dict) and "__type__" in update else update
    if isinstance(value, dict):
        value = value.get("path")
    return value


@pytest.fixture(scope="module")
def client(real_bot, tmp_path_factory):
    from gradio_client import Client

    log = tmp_path_factory.mktemp("tabs") / "feedback.jsonl"
    with serving(real_bot, log) as url:
        yield Client(url, verbose=False, download_files=str(tmp_path_factory.mktemp("dl")))


def test_read_a_section_of_the_contents(client, real_bot):
    (tree,) = reader.toc(real_bot.index.passages)
    japan = tree.children[1].children[1]
    page = client.predict(japan.key, "vi", api_name="/read_section")
    ids = re.findall(r'class="ba-para ba-rpara[^"]*" id="[^"]+" data-passage="([^"]+)"', page)
    assert [html.unescape(i) for i in ids] == [
        p.id for p in reader.in_section(real_bot.index.passages, japan.key)
    ]
    assert len(ids) == japan.count == 16
    assert "2.2. Nhật Bản" in page and "¶1" in page and "Chép trích dẫn" in page
    english = client.predict(japan.key, "en", api_name="/read_section")
    assert "Copy citation" in english
    assert "ba-empty" in client.predict("no such|section", "en", api_name="/read_section")


def test_read_a_passage_by_its_link(client, real_bot):
    p = real_bot.index.passages[60]
    for value in (p.id, p.id.split("#")[1]):
        page = client.predict(value, "vi", api_name="/read_passage")
        focus = re.findall(
            r'class="ba-para ba-rpara ba-focus" id="[^"]+" data-passage="([^"]+)"', page
        )
        assert [html.unescape(f) for f in focus] == [p.id]
    missing = client.predict("doc#nothing", "en", api_name="/read_passage")
    assert "no passage" in missing and "doc#nothing" in html.unescape(missing)


def test_evaluate_gives_the_numbers_of_the_command_line(client, real_bot, tmp_path):
    lines = DEV2.read_text(encoding="utf-8").splitlines()[:5]
    path = tmp_path / "five.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from gradio_client import handle_file

    status, table, misses, csv_file = client.predict(
        handle_file(str(path)), "en", api_name="/evaluate"
    )
    items = ev.read_items(path)
    want = ev.evaluate_answers(real_bot, items, k=5).overall
    retrieval = ev.evaluate_retrieval(real_bot, items, k=5).overall
    first = re.search(r"<tr><td>overall</td>(.*?)</tr>", table).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", first)
    assert cells == [
        "5", f"{retrieval.r1:.3f}", f"{retrieval.r5:.3f}", f"{retrieval.mrr:.3f}",
        f"{want.fact_recall:.3f}", f"{want.citation_hit:.3f}", f"{want.quote_fidelity:.3f}",
        f"{want.abstained_unanswerable}/{want.unanswerable}", str(want.false_abstentions),
    ]  # fmt: skip
    kinds = {json.loads(x)["kind"] for x in lines}
    assert all(f"<td>kind: {k}</td>" in table for k in kinds)
    assert "Scored 5 questions" in status
    with open(file_of(csv_file), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [json.loads(x)["id"] for x in lines]


def test_evaluate_explains_bad_files(client, tmp_path):
    from gradio_client import handle_file

    bad = tmp_path / "bad.jsonl"
    bad.write_text("this is not json\n", encoding="utf-8")
    status, table, misses, csv_file = client.predict(
        handle_file(str(bad)), "vi", api_name="/evaluate"
    )
    assert "line 1 of bad.jsonl" in html.unescape(status) and not table
    assert file_of(csv_file) is None
    status, *_ = client.predict(None, "en", api_name="/evaluate")
    assert "Upload" in status


def test_suggested_questions_are_answered(client):
    for lang in ("vi", "en"):
        questions = client.predict(lang, api_name="/suggest")
        assert len(questions) == 6, questions
        for q in questions:
            out = client.predict(q, 5, "extractive", lang, api_name="/ask")
            assert "ba-abstained" not in json.dumps(out[1][-1], ensure_ascii=False), q
