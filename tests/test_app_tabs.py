"""The reader, the evaluation tab, the suggested questions and the answer shapes, without a server.

Over the real bulletin's passages (the fast fake embedder where a model is needed), except the
suggested-questions check, which asks the real model that each suggestion is answered.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from assistant.app import evaluation, reader, suggest
from assistant.models import Answer, AnswerSentence, Citation, Span

ROOT = Path(__file__).resolve().parent.parent
DEV2 = ROOT / "eval" / "dev2.jsonl"
FOLLOWUPS = ROOT / "eval" / "dev2_followups.jsonl"


# ------------------------------------------------------------------ reader


def test_contents_tree_counts_every_passage_once_per_level(fake_bot):
    passages = fake_bot.index.passages
    (tree,) = reader.toc(passages)
    assert tree.count == len(passages)
    titles = [c.title for c in tree.children]
    assert titles[:3] == [
        "1. Khái quát về đổi mới sáng tạo khu vực công",
        "2. Kinh nghiệm đổi mới sáng tạo khu vực công ở Trung Quốc, Nhật Bản, Hàn Quốc và Singapo",
        "3. Hàm ý chính sách",
    ]
    part2 = tree.children[1]
    assert [c.title for c in part2.children] == [
        "2.1. Trung Quốc",
        "2.2. Nhật Bản",
        "2.3. Hàn Quốc",
        "2.4. Singapo",
    ]
    assert part2.count == sum(c.count for c in part2.children) + len(
        [p for p in passages if p.section == part2.path]
    )
    singapore = part2.children[3]
    assert singapore.count == len(reader.in_section(passages, singapore.key)) == 23
    page = reader.toc_html([tree], fake_bot.index.documents, lang="en")
    assert 'class="ba-sec"' in page and ">23</span>" in page and "Contents" in page


def test_section_shows_paragraph_numbers_subheadings_links_and_citations(fake_bot):
    passages, docs = fake_bot.index.passages, fake_bot.index.documents
    key = next(reader.toc(passages)[0].children[1].children[3] for _ in [0]).key
    shown = reader.in_section(passages, key)
    focus = shown[4]
    page = reader.section_html(passages, key, docs, focus=focus.id, start=0, end=10, lang="vi")
    assert page.count('class="ba-para ba-rpara') == len(shown)
    assert re.findall(r'class="ba-pnum">¶(\d+)<', page) == [str(p.paragraph) for p in shown]
    assert '<h3 class="ba-rhead">(a) ĐMST cấp trung ương</h3>' in page
    assert page.count("ba-focus") == 1 and '<mark class="ba-hl">' in page
    assert f'href="?p={focus.id.replace("#", "%23")}"' in page
    # The copy button carries the citation: issue, section path, ¶, then the (highlighted) quote.
    cite = reader.citation_text(focus, docs[focus.doc_id], quote_text=focus.text[:10])
    assert cite.startswith("Số 2/2021 – Đổi mới sáng tạo dịch vụ công")
    assert f"2.4. Singapo › (a) ĐMST cấp trung ương · ¶{focus.paragraph}" in cite
    assert cite.endswith(f"“{focus.text[:10]}”")
    assert "Chép trích dẫn" in page


def test_a_pdf_passage_shows_its_page(fake_bot):
    p = fake_bot.index.passages[5].model_copy(update={"page": 7})
    page = reader.section_html([p], reader.reading_key(p), fake_bot.index.documents, lang="en")
    assert '<span class="ba-page">p. 7</span>' in page
    assert "· ¶" in reader.citation_text(p, None, lang="en") and "p. 7" in reader.citation_text(
        p, None, lang="en"
    )


@pytest.mark.parametrize("value", ["", "nope", "x|y", "doc#zzz"])
def test_unknown_passages_and_sections_are_none_or_a_message(fake_bot, value):
    passages = fake_bot.index.passages
    assert reader.find_passage(passages, value) is None
    page = reader.section_html(passages, value, fake_bot.index.documents, lang="en")
    assert "ba-empty" in page


def test_a_passage_is_found_by_its_full_id_or_its_short_one(fake_bot):
    p = fake_bot.index.passages[40]
    assert reader.find_passage(fake_bot.index.passages, p.id) == p
    assert reader.find_passage(fake_bot.index.passages, p.id.split("#")[1]) == p


# ------------------------------------------------------------------ answer shapes


def _answer(kind: str | None, sentences: list[tuple[str, str | None]]) -> Answer:
    cites = [
        Citation(
            number=i, passage_id=f"d#{i}", doc_id="d", document="D", section_path="S",
            paragraph=1, quote=t, quote_start=0, quote_end=len(t),
            source_spans=[Span(start=0, end=len(t))], score=1.0,
        )
        for i, (t, _) in enumerate(sentences, 1)
    ]  # fmt: skip
    made = []
    for i, (t, label) in enumerate(sentences, 1):
        s = AnswerSentence(text=t, citations=[i])
        if label:  # before and after `AnswerSentence.label` exists
            s = s.model_copy(update={"label": label})
        made.append(s)
    a = Answer(question="q", query="q", language="vi", text=" ".join(t for t, _ in sentences),
               sentences=made, citations=cites)  # fmt: skip
    return a.model_copy(update={"kind": kind}) if kind else a


def test_answers_are_shaped_by_their_kind():
    from assistant.app import render

    compare = _answer("compare", [("Nhật Bản chi 18 triệu USD.", "Nhật Bản"),
                                  ("Hàn Quốc có 80 robot.", "Hàn Quốc")])  # fmt: skip
    page = render.answer_html(compare, lang="vi")
    assert re.findall(r'data-entity="([^"]+)"', page) == ["Nhật Bản", "Hàn Quốc"]
    assert page.count('class="ba-cite"') >= 2
    items = render.answer_html(_answer("list", [("A.", None), ("B.", None)]), lang="vi")
    assert items.count("<li") >= 2 and 'class="ba-items"' in items
    inline = render.answer_html(
        _answer("list", [("Đó là: chính phủ số; dữ liệu mở; thành phố thông minh.", None)])
    )
    assert re.findall(r"<li>([^<]+) <button", inline) == [
        "chính phủ số",
        "dữ liệu mở",
        "thành phố thông minh",
    ]
    number = render.answer_html(_answer("number", [("Dự án nhận 180.706 đề xuất.", None)]))
    assert '<strong class="ba-num">180.706</strong>' in number
    plain = render.answer_html(_answer(None, [("Dự án nhận 180.706 đề xuất.", None)]))
    assert "ba-num" not in plain and "ba-compare" not in plain


# ------------------------------------------------------------------ suggested questions


def test_suggestion_candidates_come_from_the_headings(fake_bot):
    passages = fake_bot.index.passages
    paths = suggest.main_sections(passages)
    assert [p[-1] for p in paths] == [
        "1. Khái quát về đổi mới sáng tạo khu vực công",
        "2.1. Trung Quốc",
        "2.2. Nhật Bản",
        "2.3. Hàn Quốc",
        "2.4. Singapo",
        "3. Hàm ý chính sách",
    ]
    assert suggest.candidates(passages, paths[0], "vi")[0] == "Đổi mới sáng tạo khu vực công được phân loại như thế nào?"
    assert suggest.candidates(passages, paths[0], "en")[0] == "How is public sector innovation classified?"
    assert (
        suggest.candidates(passages, paths[4], "vi")[0]
        == "Những lợi thế đặc biệt của Singapo là gì?"
    )
    assert "How does Singapore innovate in its public sector?" in suggest.candidates(
        passages, paths[4], "en"
    )
    assert "GovTech là gì?" in suggest.candidates(passages, paths[4], "vi")
    # One per section, the first the assistant answers.
    assert len(suggest.suggestions(passages, "vi", lambda q: True)) == 6
    assert suggest.suggestions(passages, "vi", lambda q: "GovTech" in q) == ["GovTech là gì?"]


# Each suggestion the welcome screen offers, and the sentence its answer must quote (from the
# section the suggestion was made for). A suggestion is a promise: a new one needs its line.
SUGGESTED = {
    "vi": {
        "Đổi mới sáng tạo khu vực công được phân loại như thế nào?": "có thể được phân loại dựa trên loại hình ĐMST, động lực của ĐMST hoặc phương thức ĐMST",
        "Những lợi thế đặc biệt của Trung Quốc là gì?": "Một yếu tố lợi thế đặc biệt của ĐMST khu vực công ở Trung Quốc là lượng lớn dữ liệu",
        "ĐMST do khu vực tư nhân lãnh đạo của Nhật Bản là gì?": "Khu vực tư nhân muốn gắn kết chặt chẽ hơn với Chính phủ và tăng cơ hội cho ĐMST do khu vực tư nhân lãnh đạo.",
        "ĐMST mạng lưới của Hàn Quốc là gì?": "ĐMST mạng lưới ở Hàn Quốc xuất phát từ hai động lực chính",
        "ĐMST cấp trung ương của Singapo là gì?": "Chính phủ Singapo hỗ trợ mạnh mẽ cho ĐMST ở cấp trung ương.",
        "Các hàm ý chính sách là gì?": "ĐMST trong khu vực công ở các quốc gia này đã nêu bật bốn đặc điểm chiến lược",
        "SDG là gì?": "Mục tiêu Phát triển Bền vững (Sustainable Development Goals – SDG)",
    },
    "en": {
        "How is public sector innovation classified?": "có thể phân biệt ba loại dựa trên nguồn gốc của nó",
        "What are the special advantages of China?": "Một yếu tố lợi thế đặc biệt của ĐMST khu vực công ở Trung Quốc là lượng lớn dữ liệu",
        "What role does the private sector play in Japan?": "Khu vực tư nhân ít tham gia vào ĐMST dịch vụ công.",
        "How does network innovation work in Korea?": "ĐMST mạng lưới ở Hàn Quốc xuất phát từ hai động lực chính",
        "How does network innovation work in China?": "Chính quyền các thành phố đã thúc đẩy ĐMST công ngoài Chính phủ trung ương",
        "What does the central government of Singapore do to innovate?": "ở cấp trung ương, họ đã đề ra một chiến lược chung cho một quốc gia thông minh",
        "What role does the private sector play in China?": "khu vực tư nhân là một trong những yếu tố đặc trưng tiêu biểu cho ĐMST dịch vụ công",
        "What is SDG?": "Mục tiêu Phát triển Bền vững (Sustainable Development Goals – SDG)",
        "What are the policy implications of the bulletin?": "ĐMST trong khu vực công ở các quốc gia này đã nêu bật bốn đặc điểm chiến lược",
    },
}  # fmt: skip


def test_a_suggestion_is_kept_only_when_answered_from_its_own_section(fake_bot):
    passages = fake_bot.index.passages
    paths = suggest.main_sections(passages)
    policy = paths[-1]
    own = Citation(
        number=1, passage_id="d#1", doc_id="d", document="D", paragraph=1, quote="q",
        section_path="3. Hàm ý chính sách", quote_start=0, quote_end=1, source_spans=[], score=1.0,
    )  # fmt: skip
    korea = own.model_copy(
        update={"number": 2, "section_path": "2. Kinh nghiệm › 2.3. Hàn Quốc › (b) ĐMST mạng lưới"}
    )
    item = own.model_copy(update={"section_path": "3. Hàm ý chính sách › 1. Tận dụng thế mạnh"})
    answer = Answer(question="q", query="q", language="vi", text="t", citations=[own])
    assert suggest.answered_within(answer, policy)
    assert suggest.answered_within(answer.model_copy(update={"citations": [own, item]}), policy)
    # "Hàm ý chính sách là gì?" once quoted mVoting from the Korea section as its second excerpt
    assert not suggest.answered_within(answer.model_copy(update={"citations": [own, korea]}), policy)
    assert not suggest.answered_within(answer.model_copy(update={"abstained": True}), policy)
    # The policy section goes on in numbered points: its questions ask for them in the plural.
    assert suggest.candidates(passages, policy, "vi")[0] == "Các hàm ý chính sách là gì?"
    assert suggest.candidates(passages, policy, "en")[0] == "What are the policy implications of the bulletin?"


@pytest.mark.model
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_suggested_question_quotes_the_sentence_it_promises(real_bot, lang):
    questions = suggest.suggestions(real_bot.index.passages, lang, lambda q: real_bot.ask(q))
    assert len(questions) == 6, questions
    paths = suggest.main_sections(real_bot.index.passages)
    for q, path in zip(questions, paths, strict=True):
        assert q in SUGGESTED[lang], f"a new suggestion: name the sentence it should quote: {q}"
        a = real_bot.ask(q)
        assert suggest.answered_within(a, path), (q, [c.section_path for c in a.citations])
        quoted = " ".join(s.text for s in a.sentences)
        assert SUGGESTED[lang][q] in quoted, (q, quoted[:300])
        assert q.isascii() == (lang == "en") or lang == "vi", q


# ------------------------------------------------------------------ evaluation tab


def _lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_the_tab_gives_the_numbers_of_the_evaluation_module(fake_bot, tmp_path):
    from assistant import evaluate as ev

    rows = [json.loads(x) for x in DEV2.read_text(encoding="utf-8").splitlines()[:6]]
    path = _lines(tmp_path / "five.jsonl", rows)
    seen: list[tuple[int, int]] = []
    result = evaluation.run(
        fake_bot, evaluation.read_upload(path), progress=lambda d, t: seen.append((d, t))
    )
    items = ev.read_items(path)
    want_r = ev.evaluate_retrieval(fake_bot, items, k=5, mode="hybrid")
    want_a = ev.evaluate_answers(fake_bot, items, k=5)
    overall = result.rows[0]
    assert overall.name == "overall"
    assert overall.retrieval == want_r.overall and overall.answers == want_a.overall
    assert {r.name for r in result.rows} >= {f"kind: {row['kind']}" for row in rows}
    # Every question is asked and searched once, kinds included.
    assert (
        seen[-1][0]
        == seen[-1][1]
        == len(items) + sum(i.answerable and bool(i.evidence) for i in items)
    )
    table = evaluation.table_html(result, lang="en")
    assert "<th>R@1</th>" in table and "Fact recall" in table
    out = evaluation.write_csv(result, tmp_path / "rows.csv")
    with out.open(encoding="utf-8-sig") as f:
        got = list(csv.DictReader(f))
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    misses = evaluation.misses_html(result, lang="en")
    for d in result.details:
        if evaluation.why_missed(d, "en"):
            assert d["question"] in misses


def test_conversations_are_scored_on_their_last_turn(fake_bot):
    up = evaluation.read_upload(FOLLOWUPS)
    lines = FOLLOWUPS.read_text(encoding="utf-8").splitlines()
    assert len(up.items) == len(lines) and all(len(i.turns) > 1 for i in up.items)
    result = evaluation.run(fake_bot, up)
    assert [d["id"] for d in result.details] == [json.loads(x)["id"] for x in lines]
    assert {d["kind"] for d in result.details} == {"conversation"}
    assert "<td>kind: conversation</td><td>15</td>" in evaluation.table_html(result, lang="en")
    assert evaluation.summary(up, "en")[0] == "Scored 0 questions and 15 conversations."


def test_large_and_bad_files_get_a_message(tmp_path):
    from assistant.errors import AssistantError

    many = _lines(
        tmp_path / "many.jsonl", [{"id": str(i), "question": f"q{i}"} for i in range(150)]
    )
    up = evaluation.read_upload(many)
    assert up.total == 150 and len(up.items) == evaluation.MAX_LINES
    message, capped = evaluation.summary(up, "en")
    assert capped and message == (
        "Scored 100 questions and 0 conversations. The file has 150 questions; only the first 100"
        " were run. Run the whole file from the command line: python -m assistant eval FILE"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "ok"}\nnot json\n', encoding="utf-8")
    with pytest.raises(AssistantError, match="line 2 of bad.jsonl"):
        evaluation.read_upload(bad)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="no questions"):
        evaluation.read_upload(empty)
