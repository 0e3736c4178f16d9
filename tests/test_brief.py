"""Briefs: the summary-request detector, LexRank, stored briefs, and the acceptance cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.answer import brief as brief_mod
from assistant.answer.summary import resolve, summary_request
from assistant.embed.embedder import HashEmbedder
from assistant.evaluate import quotes_are_verbatim
from assistant.store import index as index_mod

from .conftest import ROOT, run_cli

EVAL = ROOT / "eval"
MAIN_SECTIONS = ("1. ", "2. ", "3. ")


# -- the detector ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "target"),
    [
        ("Tóm tắt kinh nghiệm của Singapore", "singapore"),
        ("tom tat kinh nghiem cua trung quoc", "trung quoc"),
        ("Tóm tắt bản tin", "ban tin"),
        ("Cho tôi bản tóm tắt về Nhật Bản", "nhat ban"),
        ("Khái quát kinh nghiệm của Hàn Quốc", "han quoc"),
        ("khai quat ve doi moi sang tao khu vuc cong", "doi moi sang tao khu vuc cong"),
        ("Give me a brief on Japan's public sector innovation", "japan public sector innovation"),
        ("Summarize the policy implications", "policy implications"),
        ("Please summarise Singapore's experience.", "singapore experience"),
        ("What does the bulletin say about Korea overall?", "korea"),
        ("Bản tin nói gì về Singapore nói chung?", "singapore"),
        ("Tóm tắt mục 2.4. Singapo", "2.4 singapo"),
        ("Summarize the bulletin", ""),
    ],
)
def test_summary_requests_are_recognised(question, target):
    assert summary_request(question) == target


@pytest.mark.parametrize(
    "question",
    [
        "Khái quát về đổi mới sáng tạo khu vực công là gì?",
        "Khái niệm đổi mới sáng tạo dịch vụ công được bản tin định nghĩa như thế nào?",
        "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?",
        "How does Singapore procure from SMEs?",
        "What does the bulletin say about WeChat?",
        "Còn Nhật Bản thì sao?",
    ],
)
def test_ordinary_questions_are_not_summary_requests(question):
    assert summary_request(question) is None


def _dev_questions() -> list[str]:
    questions = []
    for name in ("dev.jsonl", "dev2.jsonl", "dev2_followups.jsonl"):
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                questions += item.get("turns") or [item["question"]]
    return questions


def test_no_dev_question_is_taken_for_a_summary_request():
    """A detector that swallowed ordinary questions would stop answering them."""
    questions = _dev_questions()
    assert len(questions) > 100
    assert [q for q in questions if summary_request(q) is not None] == []


def test_no_rewritten_dev_follow_up_is_taken_for_a_summary_request(fake_bot: Assistant):
    from assistant.retrieve.followup import rewrite

    lines = (EVAL / "dev2_followups.jsonl").read_text(encoding="utf-8").splitlines()
    rewritten = []
    for line in filter(str.strip, lines):
        turns = json.loads(line)["turns"]
        for i, turn in enumerate(turns[1:], 1):
            rewritten.append(rewrite(turn, turns[:i], fake_bot.places))
    assert rewritten and [q for q in rewritten if summary_request(q) is not None] == []


# -- LexRank and the selection --------------------------------------------------------------


def test_lexrank_is_the_stationary_distribution_of_its_graph():
    """Against a reference: the leading eigenvector of the damped transition matrix."""
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(12, 16)).astype(np.float32) + 1.5  # a compressed cosine range
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    weights = brief_mod._graph(vectors @ vectors.T)
    n = len(vectors)
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.where(totals > 0, totals, 1), 1.0 / n)
    google = (1 - brief_mod.DAMPING) / n + brief_mod.DAMPING * transition
    values, eigvecs = np.linalg.eig(google.T)
    reference = np.abs(np.real(eigvecs[:, np.argmax(np.real(values))]))
    np.testing.assert_allclose(brief_mod.lexrank(vectors), reference / reference.max(), atol=1e-6)


def test_a_sentence_like_many_others_is_the_most_central():
    hub = np.array([1.0, 1.0, 1.0, 0.0])
    others = [
        np.array([1.0, 0.2, 0.0, 0.3]),
        np.array([0.2, 1.0, 0.0, 0.3]),
        np.array([0.0, 0.2, 1.0, 0.3]),
    ]
    vectors = np.stack([v / np.linalg.norm(v) for v in [*others, hub, np.array([0.0, 0, 0, 1])]])
    assert int(np.argmax(brief_mod.lexrank(vectors))) == 3


# -- stored briefs (fake embedder: fast) -------------------------------------------------------


def test_briefs_are_stored_with_the_index_and_checked(fake_bot: Assistant, fake_settings):
    folder = Path(fake_settings.index_dir)
    manifest = index_mod.read_manifest(folder)
    assert "briefs.json" in manifest.files
    stored = json.loads((folder / "briefs.json").read_text(encoding="utf-8"))
    assert stored["method"] == brief_mod.METHOD
    again = index_mod.load(folder)
    assert again.briefs == fake_bot.index.briefs
    # a corrupt briefs.json is caught like any index file
    (folder / "briefs.json").write_text("{}", encoding="utf-8")
    with pytest.raises(index_mod.IndexProblem, match="briefs.json"):
        index_mod.load(folder)


def test_every_stored_brief_is_verbatim_within_the_cap_and_in_its_section(fake_bot: Assistant):
    index = fake_bot.index
    assert index.briefs is not None and len(index.briefs.briefs) > 30
    for b in index.briefs.briefs:
        texts = []
        for s in b.sentences:
            p = index.passages[index.position[s.passage_id]]
            assert p.section[: len(b.section)] == b.section
            texts.append(p.text[s.start : s.end])
        limit = brief_mod.DOCUMENT_BUDGET if not b.section else brief_mod.HARD_CAP
        assert len(" ".join(texts)) <= limit, b.section
        assert 1 <= len(b.sentences) <= brief_mod.MAX_SENTENCES + 2


def test_an_index_saved_before_briefs_gets_them_on_load(fake_bot: Assistant, fake_settings):
    folder = Path(fake_settings.index_dir)
    index = index_mod.load(folder)
    index.briefs = None
    index_mod.save(index, folder)
    assert "briefs.json" not in index_mod.read_manifest(folder).files
    bot = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert bot.notices == []  # not rebuilt: nothing encoded
    assert "briefs.json" in index_mod.read_manifest(folder).files
    assert bot.index.briefs == fake_bot.index.briefs


def test_a_changed_document_gets_new_briefs(fake_bot: Assistant, fake_settings, tmp_path):
    extra = tmp_path / "ghi-chu.md"
    extra.write_text(
        "# Ghi chú\n\n## 1. Việt Nam\n\n"
        + " ".join(
            f"Câu số {i} nói về chính phủ số và dịch vụ công trực tuyến ở Việt Nam."
            for i in range(12)
        )
        + "\n\n## 2. Lào\n\nChính phủ Lào thử nghiệm dịch vụ công trực tuyến ở thủ đô Viêng Chăn năm nay.\n",
        encoding="utf-8",
    )
    before = {(b.doc_id, tuple(b.section)) for b in fake_bot.index.briefs.briefs}
    fake_bot.add([extra])
    after = fake_bot.index.briefs.briefs
    assert {(b.doc_id, tuple(b.section)) for b in after} > before
    assert brief_mod.is_current(fake_bot.index)
    note = [b for b in after if b.doc_id == "ghi-chu" and not b.section]
    assert note and note[0].sentences
    answer = fake_bot.brief("", documents=["ghi-chu"])
    assert answer.kind == "summary" and quotes_are_verbatim(answer, fake_bot)


@pytest.mark.parametrize(
    ("request_", "section"),
    [
        ("singapore", "2.4. Singapo"),
        ("japan public sector innovation", "2.2. Nhật Bản"),
        ("ham y chinh sach", "3. Hàm ý chính sách"),
        ("policy implications", "3. Hàm ý chính sách"),
        ("2.1", "2.1. Trung Quốc"),
        ("muc 1 tan dung the manh", "1. Tận dụng thế mạnh"),
        ("ban tin", None),
    ],
)
def test_requests_resolve_to_their_section(fake_bot: Assistant, request_, section):
    found = resolve(request_, fake_bot.index)
    assert found is not None
    assert (found[1][-1] if found[1] else None) == section


def test_a_topic_that_is_no_section_is_left_to_retrieval(fake_bot: Assistant):
    assert resolve("dmst mang luoi", fake_bot.index) is None  # four countries have one
    assert resolve("indonesia", fake_bot.index) is None


# -- acceptance (real model) --------------------------------------------------------------------

CASES = {
    "2.1. Trung Quốc": (
        "Tóm tắt kinh nghiệm của Trung Quốc",
        "tom tat kinh nghiem cua trung quoc",
        "Summarize China's experience",
    ),
    "2.2. Nhật Bản": (
        "Tóm tắt phần Nhật Bản",
        "tom tat phan nhat ban",
        "Give me a brief on Japan's public sector innovation",
    ),
    "2.3. Hàn Quốc": (
        "Khái quát kinh nghiệm của Hàn Quốc",
        "khai quat kinh nghiem han quoc",
        "What does the bulletin say about Korea overall?",
    ),
    "2.4. Singapo": (
        "Tóm tắt kinh nghiệm của Singapore",
        "tom tat kinh nghiem singapore",
        "Summarise Singapore's experience",
    ),
    "3. Hàm ý chính sách": (
        "Tóm tắt hàm ý chính sách",
        "tom tat ham y chinh sach",
        "Summarize the policy implications",
    ),
}


@pytest.mark.model
@pytest.mark.parametrize(
    ("section", "question"),
    [(s, q) for s, questions in CASES.items() for q in questions],
)
def test_a_section_brief_meets_the_acceptance_bar(real_bot: Assistant, section, question):
    answer = real_bot.ask(question)
    assert answer.kind == "summary" and not answer.abstained
    assert len(answer.sentences) >= 4
    assert len({c.passage_id for c in answer.citations}) >= 3
    paths = [c.section_path.split(" › ") for c in answer.citations]
    depth = 2 if section.startswith("2.") else 1
    assert all(p[depth - 1] == section for p in paths), paths
    subsections = {p[depth] for p in paths if len(p) > depth}
    assert len(subsections) >= 2, subsections
    assert len(" ".join(s.text for s in answer.sentences)) <= brief_mod.HARD_CAP
    assert quotes_are_verbatim(answer, real_bot)


@pytest.mark.model
@pytest.mark.parametrize(
    "question", ["Tóm tắt bản tin", "tom tat ban tin", "Summarize the bulletin"]
)
def test_the_bulletin_brief_cites_every_main_section(real_bot: Assistant, question):
    answer = real_bot.ask(question)
    assert answer.kind == "summary" and not answer.abstained
    tops = {c.section_path.split(" › ")[0][:3] for c in answer.citations}
    assert tops == set(MAIN_SECTIONS)
    points = [c for c in answer.citations if c.section_path.startswith("3. ")]
    assert [c.quote[:2] for c in points] == ["1.", "2.", "3.", "4."]  # the four policy points
    assert quotes_are_verbatim(answer, real_bot)


@pytest.mark.model
def test_a_topic_brief_and_an_unknown_topic(real_bot: Assistant):
    smart = real_bot.ask("Tóm tắt về thành phố thông minh")
    assert smart.kind == "summary" and not smart.abstained and len(smart.sentences) >= 4
    assert quotes_are_verbatim(smart, real_bot)
    assert "thành phố thông minh" in " ".join(s.text for s in smart.sentences).lower()
    nothing = real_bot.ask("Summarize what the bulletin says about Indonesia")
    assert nothing.kind == "summary" and nothing.abstained


@pytest.mark.model
@pytest.mark.slow
def test_the_brief_command(real_bot, real_settings):
    env = {
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
        "ASSISTANT_CACHE_DIR": str(real_settings.cache_dir),
    }
    result = run_cli("brief", "2.4", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Tóm tắt “2.4. Singapo”:") and "Nguồn:" in result.stdout
    listed = run_cli("brief", "--list", env=env)
    assert "2.4. Singapo" in listed.stdout and "(the whole document)" in listed.stdout
    as_json = json.loads(run_cli("brief", "--json", env=env).stdout)
    assert as_json["kind"] == "summary" and len(as_json["citations"]) >= 8


def test_the_chat_shows_labels_and_a_brief_button_that_asks_for_the_section(fake_bot: Assistant):
    from assistant.app import render as ui_render

    answer = fake_bot.brief("2.4")
    assert answer.kind == "summary" and answer.text.startswith("Tóm tắt “2.4. Singapo”:")
    page = ui_render.answer_html(answer, lang="vi")
    assert '<strong class="ba-label">ĐMST cấp trung ương:</strong>' in page
    assert 'class="ba-brief"' not in page  # not under the citations of its own brief
    whole = ui_render.answer_html(fake_bot.brief(""), lang="vi")
    assert 'class="ba-brief" value="Tóm tắt mục 2.4. Singapo"' in whole
    again = fake_bot.ask("Tóm tắt mục 2.4. Singapo")
    assert again.sentences == answer.sentences
    overview = fake_bot.ask("Tóm tắt mục 1. Khái quát về đổi mới sáng tạo khu vực công")
    assert {c.section_path for c in overview.citations} == {
        "1. Khái quát về đổi mới sáng tạo khu vực công"
    }


def test_a_follow_up_to_a_brief_gets_the_brief_of_the_other_country(fake_bot: Assistant):
    first = fake_bot.ask("Tóm tắt kinh nghiệm của Singapore")
    follow = fake_bot.ask("Còn Nhật Bản thì sao?", history=[first])
    assert follow.kind == "summary" and follow.question == "Còn Nhật Bản thì sao?"
    assert {c.section_path.split(" › ")[1] for c in follow.citations} == {"2.2. Nhật Bản"}
    plain = fake_bot.ask("Còn Nhật Bản thì sao?", history=["Singapore hỗ trợ SME như thế nào?"])
    assert plain.kind != "summary"
