"""The answer stage on questions of every kind (issue 12's failure kinds), with the real model.

Each case is an input that failed before; the assertion is the right value.
"""

import re

import pytest

from assistant.evaluate import quotes_are_verbatim
from assistant.retrieve.answer_types import has_answer_type
from assistant.retrieve.question import analyze
from assistant.text import clean

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    "question",
    [
        "How many proposals did the Gwanghwamoon 1st Street initiative receive?",
        "Sáng kiến Gwanghwamoon 1st Street nhận được bao nhiêu đề xuất?",
    ],
)
def test_the_number_that_sits_past_the_best_sentence_is_quoted(real_bot, question):
    a = real_bot.ask(question)
    assert not a.abstained and a.kind == "number"
    assert "180.706" in a.text
    assert quotes_are_verbatim(a, real_bot)


@pytest.mark.parametrize(
    "question",
    [
        "Liệt kê các lĩnh vực mà Nhật Bản đặt mục tiêu dùng AI trước Thế vận hội 2020",
        "Nêu các lĩnh vực chính mà Nhật Bản muốn ứng dụng phân tích dữ liệu và AI",
    ],
)
def test_ways_of_asking_are_not_unknown_words_and_lists_bring_their_items(real_bot, question):
    a = real_bot.ask(question)
    assert not a.abstained and a.kind == "list"
    assert "tám lĩnh vực" in a.text and "chính phủ số" in a.text  # the lead-in and its items


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("So sánh việc dùng robot ở Nhật Bản và Hàn Quốc", ["Nhật Bản", "Hàn Quốc"]),
        ("Compare how Japan and South Korea use robots in public services", ["Japan", "South Korea"]),
    ],
)
def test_a_comparison_gets_one_labelled_excerpt_per_side(real_bot, question, sides):
    a = real_bot.ask(question)
    assert not a.abstained and a.kind == "compare"
    labels = [s.label for s in a.sentences]
    assert set(labels) == set(sides)
    assert len({c.passage_id for c in a.citations}) >= 2
    for side in sides:
        assert f"{side}: " in a.text
    assert "Hàn Quốc" in a.text or "449 triệu USD" in a.text or "80 robot" in a.text


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Singapore đã chi bao nhiêu tiền để xây dựng ứng dụng Parking.sg?", "Parking.sg"),
        ("app parking.sg ton bao nhieu tien de xay dung", "parking.sg"),
        ("Songdo có bao nhiêu dân?", "Songdo"),
    ],
)
def test_a_near_topic_question_abstains_and_says_what_is_near(real_bot, question, topic):
    a = real_bot.ask(question)
    assert a.abstained and not a.citations and a.related
    assert "5 triệu" not in a.text  # Singapore's population is not Songdo's
    # the names it is about, not the whole question, as the topic
    assert re.search(rf"Bản tin có nói về [^“]*{re.escape(topic)}[^“]* nhưng", a.text), a.text
    assert question.rstrip("?") not in a.text
    if "tiền" in question or "tien" in question:
        assert "không nêu số tiền" in a.text


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u200d", "\ufeff"])
def test_invisible_characters_inside_a_word_change_nothing(real_bot, invisible):
    clean_answer = real_bot.ask("Chương trình InnoLeap đặt ra thách thức gì?")
    dirty = real_bot.ask(f"Chương trình Inno{invisible}Leap đặt ra thách thức gì?")
    assert not dirty.abstained and "InnoLeap" in dirty.text
    assert dirty.text == clean_answer.text and dirty.confidence == clean_answer.confidence


def test_hyphenated_names_are_known_words(real_bot):
    a = real_bot.ask("Tổng thống Moon Jae-in đã khởi động sáng kiến gì?")
    assert not a.abstained and "Gwanghwamoon" in a.text


def test_excerpts_are_short_contiguous_and_highlight_the_answer(real_bot):
    a = real_bot.ask("Hàn Quốc dùng robot để làm gì?")
    for c in a.citations:
        passage = real_bot.passage(c.passage_id)
        assert passage.text[c.quote_start : c.quote_end] == c.quote and len(c.quote) <= 600
        if c.highlight_start is not None:
            assert c.quote_start <= c.highlight_start < c.highlight_end <= c.quote_end


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Liệt kê các lĩnh vực", "list"),
        ("liet ke cac linh vuc", "list"),
        ("List the five points of the plan", "list"),
        ("So sánh Nhật Bản và Hàn Quốc", "compare"),
        ("Singapore chi bao nhiêu tiền?", "number"),
        ("How many people use WeChat?", "number"),
        ("Trung Quốc đưa ra chiến lược Internet Plus năm nào?", "date"),
        ("When did Seoul launch it?", "date"),
        ("Ai lãnh đạo tầm nhìn Quốc gia Thông minh?", "who"),
        ("Who drives Singapore's Smart Nation vision?", "who"),
        ("Thí điểm ở thành phố nào?", "where"),
        ("Where did Japan trial fingerprint payments?", "where"),
        ("mVoting là gì", "definition"),
        ("Vì sao Nhật Bản có lợi thế?", "why"),
        ("Hàn Quốc dùng robot như thế nào?", "how"),
        ("Korea announced a plan to use robots, right?", "yes-no"),
        ("Phường Kita ở Tokyo thử nghiệm AI cho việc gì?", "other"),  # "AI" is not "ai" (who)
    ],
)
def test_question_kinds_in_both_languages(question, kind):
    assert analyze(clean(question)).kind == kind


def test_a_number_the_question_gives_is_not_the_answer():
    q = analyze("Kế hoạch robot trị giá 449 triệu USD của Hàn Quốc được triển khai từ năm nào?")
    assert has_answer_type(q, "Kế hoạch trị giá 449 triệu USD.") is False
    assert has_answer_type(q, "Kế hoạch bắt đầu năm 2019.") is True
