"""Issue 26: a follow-up answers what it asks, about what the thread is about.

A follow-up inherits the thread's topic (the entity, the place, the programme), never the
previous question's ask; its own ask chooses the sentence. Each row of the issue is a
test with its right value, and one more example of our own per kind. The real model and
the real bulletin.
"""

import pytest

from .test_conversation import converse

pytestmark = pytest.mark.model

ANSWER_STAGE = (
    "the answer stage abstains on the same question asked first, with its topic in it "
    "(the sentence that says it does not repeat the name, or a who / count check): the "
    "answer decision's rewrite, not the conversation"
)


def _highlight(bot, answer) -> str:
    """The sentence that answers: the first citation's highlight (offsets in its passage)."""
    c = answer.citations[0]
    return bot.passage(c.passage_id).text[c.highlight_start : c.highlight_end]


@pytest.mark.parametrize(
    ("turns", "facts"),
    [
        # the issue's rows
        (["GovTech xây dựng ứng dụng Parking.sg để làm gì?", "Mất bao lâu?"], ["sáu tháng", "ba người"]),
        # ours: a count asked with a word the thread never used ("cần mấy người")
        (["Ứng dụng Parking.sg do ai xây dựng?", "Cần mấy người?"], ["ba người"]),
        (["Bộ Thương mại, Công nghiệp và Năng lượng Hàn Quốc công bố kế hoạch gì?", "Trị giá bao nhiêu?"], ["449 triệu USD"]),
        (["What is Seoul's mVoting?", "How many policy initiatives came out of it?"], ["121 sáng kiến"]),
    ],
)
def test_a_short_follow_up_is_asked_of_the_thread_s_topic(real_bot, turns, facts):
    answer = converse(real_bot, *turns)
    assert not answer.abstained and all(f in answer.text for f in facts), answer.text
    assert answer.leaned_on == 1 and answer.query.startswith(turns[-1].rstrip("?"))
    assert "để làm gì" not in answer.query and "do ai" not in answer.query  # never the previous ask


@pytest.mark.parametrize(
    ("turns", "fact"),
    [
        (["Songdo là gì?", "Tốn bao nhiêu tiền?"], "35 tỷ USD"),
        pytest.param(
            ["Tell me about Gwanghwamoon 1st Street", "How many ideas came in?"],
            "180.706 đề xuất",
            marks=pytest.mark.xfail(strict=True, reason="the answer stage: 'ideas' does not meet 'đề xuất', the topic's sentence is quoted, as it is for 'How many ideas came in to Gwanghwamoon 1st Street?' asked first"),
        ),
        (["What is InnoLeap?", "Who runs it?"], "Chính phủ điều hành chương trình InnoLeap"),
    ],
)
def test_the_issue_s_follow_ups_that_wait_on_the_answer_stage(real_bot, turns, fact):
    answer = converse(real_bot, *turns)
    # the conversation's part: searched as the ask about the thread's topic
    assert answer.leaned_on == 1 and turns[0].rstrip("?") not in answer.query
    if answer.abstained:
        # and an abstention names at most the entity, never the user's question
        assert turns[-1].rstrip("?") not in answer.text and "–" not in answer.text
        pytest.xfail(ANSWER_STAGE)
    assert fact in answer.text


@pytest.mark.parametrize(
    ("turns", "fact", "not_in_query"),
    [
        (
            ["Who built the Parking.sg app?", "And in Japan, who runs digital public services?"],
            "Văn phòng Công nghệ Thông tin, nằm trong Ban Thư ký Nội các",
            "Parking",
        ),
        # ours: in Vietnamese, the thread on Korea's robots
        (["Hàn Quốc dùng robot để làm gì?", "Còn ở Singapore, ai xây dựng ứng dụng Parking.sg?"], "GovTech", "robot"),
    ],
)
def test_a_question_with_its_own_topic_and_ask_is_new_whatever_its_first_words(real_bot, turns, fact, not_in_query):
    answer = converse(real_bot, *turns)
    assert not answer.abstained and fact in answer.text
    assert answer.leaned_on is None and not_in_query not in answer.query


def test_a_follow_up_that_leans_on_the_thread_is_answered_from_its_passages(real_bot):
    # the issue's lean row: "Họ làm việc đó bằng cách nào?" quotes how (roaming data),
    # not only the outbreak the previous question asked about
    answer = converse(real_bot, "dot mers 2015 o han quoc nghiem trong the nao", "Họ làm việc đó bằng cách nào?")
    assert not answer.abstained and answer.from_thread and "dữ liệu chuyển vùng quốc tế" in answer.text
    assert "nghiem trong" not in answer.query  # the previous ask ("how severe") is not searched


def test_the_follow_up_s_own_ask_chooses_the_sentence(real_bot):
    # ours: the thread's passage, the sentence that says where, not the one that
    # answered "what did Fujitsu build"
    first, answer = [
        converse(real_bot, *turns)
        for turns in (
            ["Fujitsu đã xây dựng hệ thống gì sau sóng thần 2011?"],
            ["Fujitsu đã xây dựng hệ thống gì sau sóng thần 2011?", "Hệ thống được ra mắt ở đâu?"],
        )
    ]
    assert not answer.abstained and "Kawasaki" in answer.text
    assert _highlight(real_bot, answer) != _highlight(real_bot, first) or "Kawasaki" not in first.text


@pytest.mark.xfail(strict=True, reason="learned ranker (issue 24): 'Fujitsu đã hợp tác …' outranks the Kawasaki sentence, which is quoted as the runner-up")
def test_the_follow_up_s_own_ask_is_the_highlighted_sentence(real_bot):
    answer = converse(real_bot, "Fujitsu đã xây dựng hệ thống gì sau sóng thần 2011?", "Hệ thống được ra mắt ở đâu?")
    assert "Kawasaki" in _highlight(real_bot, answer)


def test_a_bare_question_word_asks_it_of_the_previous_question(real_bot):
    # ours: "Vì sao?" after a question on what the Hangzhou City Brain does
    answer = converse(real_bot, "Which Japanese ministry tested fingerprint payments for tourists?", "Vì sao?")
    assert not answer.abstained and "giảm sự phụ thuộc vào tiền mặt" in answer.text


@pytest.mark.parametrize(
    "first",
    [
        "How did Korea respond to MERS?",  # the issue's row: an English thread
        "What is Seoul's night bus service?",  # ours
    ],
)
def test_a_switch_to_a_place_the_bulletin_says_nothing_of_says_so_of_the_place(real_bot, first):
    answer = converse(real_bot, first, "Còn Nhật Bản thì sao?")
    assert answer.abstained and answer.language == "vi"
    assert answer.text.startswith("Bản tin không nói điều này về Nhật Bản.")
    assert "Đoạn gần nhất về Nhật Bản: “" in answer.text and "còn nhật bản" not in answer.text.lower()
    assert answer.related and all("Nhật Bản" in h.passage.section_path or "Nhật Bản" in h.passage.text for h in answer.related)


def test_a_switch_is_answered_from_a_passage_about_the_new_place(real_bot):
    # it used to quote Xinjiang's surveillance for Japan: the swapped query kept Xinjiang
    answer = converse(real_bot, "How does China use facial recognition in Xinjiang?", "Còn Nhật Bản thì sao?")
    assert answer.abstained and answer.text.startswith("Bản tin không nói điều này về Nhật Bản.")
    assert "Tân Cương" not in answer.text


def test_an_item_of_the_thread_s_list_is_asked_by_its_number(real_bot):
    answer = converse(
        real_bot, "Phần hàm ý chính sách nêu bao nhiêu đặc điểm chiến lược?", "Cái đầu tiên là gì?", "Còn cái thứ ba?"
    )
    assert not answer.abstained and "vượt ra ngoài công nghệ" in answer.text
    answer = converse(real_bot, "Singapore đã vạch ra kế hoạch mấy điểm để thực hiện tầm nhìn Quốc gia Thông minh?", "Điểm thứ hai là gì?")
    assert not answer.abstained and "nhận dạng số quốc gia" in answer.text


@pytest.mark.parametrize(
    "question",
    ["Ai thực hiện dự án đó?", "How much did it cost?", "Nước nào đã làm việc này?"],
)
def test_an_abstention_never_quotes_the_user_s_question(real_bot, question):
    answer = real_bot.ask(question)
    if answer.abstained:
        assert question.rstrip("?") not in answer.text
    follow = converse(real_bot, "Songdo là gì?", "Khi nào thì xây xong?")
    assert follow.abstained and "Khi nào thì xây xong" not in follow.text


@pytest.mark.parametrize(
    "turns",
    [
        ["What is Singapore's InnoLeap programme?", "How many proofs of concept came out of it in 2018?", "How much funding did they get?"],
        # ours, in Vietnamese
        ["Chương trình InnoLeap của Singapore là gì?", "Được cấp bao nhiêu kinh phí?"],
    ],
)
def test_a_follow_up_is_not_answered_with_what_another_programme_got(real_bot, turns):
    # the bulletin gives no InnoLeap funding; the hackathon's prize money ("95.000 đô la",
    # found beyond the thread's passages, in a passage that never names InnoLeap) was quoted
    answer = converse(real_bot, *turns)
    assert "95.000" not in answer.text and "InnoLeap" in answer.text
    assert turns[-1].rstrip("?") not in answer.text
    # no amount of money in any unit in the thread's InnoLeap sentences: it abstains (it
    # answered while a count, "20 chương trình", passed for a value of the kind asked)
    assert answer.abstained


@pytest.mark.parametrize(
    ("turns", "facts"),
    [
        # an English ask after a Vietnamese thread: its sentence names no Didi Chuxing
        (["Didi Chuxing ở Trung Quốc có bao nhiêu người dùng?", "How accurately can it predict where people will travel?"], ["85%", "15 phút"]),
        # ours: a Vietnamese ask whose sentence names no Gwanghwamoon, after an English thread
        (["Tell me about Gwanghwamoon 1st Street", "Cơ quan nào được lập ra để dẫn dắt nó?"], ["Văn phòng Chuyển tiếp Nhân dân"]),
    ],
)
def test_the_follow_up_s_own_ask_chooses_the_sentence_of_the_thread_s_passages(real_bot, turns, facts):
    answer = converse(real_bot, *turns)
    assert not answer.abstained and all(f in answer.text for f in facts), answer.text
    assert answer.from_thread


def test_a_place_switch_asks_the_previous_ask_of_the_new_place_and_says_when_it_is_not_given(real_bot):
    # "Còn Nhật Bản thì sao?" after "Songdo trị giá bao nhiêu?" asks what Japan is worth:
    # a general sentence on Japan's e-government rank was quoted as the answer
    answer = converse(real_bot, "Songdo trị giá bao nhiêu?", "Còn Nhật Bản thì sao?")
    assert answer.abstained and answer.text.startswith("Bản tin không nói điều này về Nhật Bản")
