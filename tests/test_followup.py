import pytest

from assistant.retrieve.followup import rewrite

PLACES = ["Trung Quốc", "Nhật Bản", "Hàn Quốc", "Singapo", "Japan", "Korea", "Singapore"]


@pytest.mark.parametrize(
    "question, history, expected",
    [
        (
            "Còn Nhật Bản thì sao?",
            ["Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?"],
            "Nhật Bản hỗ trợ doanh nghiệp vừa và nhỏ thế nào?",
        ),
        (
            "con han quoc thi sao",
            ["singapore ho tro doanh nghiep vua va nho"],
            "han quoc ho tro doanh nghiep vua va nho",
        ),
        (
            "And Japan?",
            ["How does Singapore procure from SMEs?"],
            "How does Japan procure from SMEs?",
        ),
        ("What about Korea?", ["How does Japan use robots?"], "How does Korea use robots?"),
        (
            "Còn Ten Million Imagination Oasis thì sao?",
            ["mVoting là gì?"],
            "Ten Million Imagination Oasis là gì?",
        ),
    ],
)
def test_a_new_entity_replaces_the_old_one(question, history, expected):
    assert rewrite(question, history, PLACES) == expected


@pytest.mark.parametrize(
    "question, previous",
    [
        ("Ai thực hiện dự án đó?", "Dự án Bộ não thành phố Hàng Châu là gì?"),
        ("bao nhiêu tiền?", "Hàn Quốc dùng robot để cung cấp dịch vụ công thế nào?"),
        ("When did it start?", "What is the Sesame Credit system?"),
    ],
)
def test_a_question_leaning_on_the_topic_carries_it(question, previous):
    query = rewrite(question, [previous], PLACES)
    assert query.startswith(question.rstrip("?")) and previous in query


@pytest.mark.parametrize(
    "question",
    [
        "Hàn Quốc dùng robot làm gì?",
        "How many people use WeChat?",
        "tokyo muon xay dung xa hoi hydro ra sao",
    ],
)
def test_a_question_that_stands_alone_is_kept(question):
    assert (
        rewrite(question, ["Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?"], PLACES) == question
    )


def test_no_history_no_rewrite():
    assert rewrite("  Còn Nhật Bản thì sao? ", [], PLACES) == "Còn Nhật Bản thì sao?"
