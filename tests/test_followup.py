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


RARE = {"songdo", "govtech", "hackathon"}  # words that name something particular


@pytest.mark.parametrize(
    "question, language, pointer",
    [
        ("Ai thực hiện dự án đó?", "vi", "dự án đó"),
        ("Chương trình này bắt đầu khi nào?", "vi", "Chương trình này"),
        ("ai thuc hien du an do", "vi-unaccented", "du an do"),
        ("How much did it cost?", "en", "it"),
        ("Who ran that project?", "en", "that project"),
    ],
)
def test_a_first_question_that_points_back_is_dangling(question, language, pointer):
    from assistant.retrieve.followup import dangling

    assert dangling(question, language, RARE.__contains__) == pointer


@pytest.mark.parametrize(
    "question, language",
    [
        ("Dự án đó ở Songdo trị giá bao nhiêu?", "vi"),  # it names what it asks about
        ("Hàn Quốc dùng robot để làm gì?", "vi"),
        ("he thong canh bao so tan bao thi diem o dau", "vi-unaccented"),  # "he" is "hệ"
        ("Ngày nay chính phủ số là gì?", "vi"),
        ("What is the plan that Japan launched?", "en"),
    ],
)
def test_a_question_that_names_its_topic_is_not_dangling(question, language):
    from assistant.retrieve.followup import dangling

    assert dangling(question, language, RARE.__contains__) is None


@pytest.mark.parametrize("question", ["Bốn quốc gia này có điểm gì chung?", "Who published this bulletin?", "Bản tin này nói về gì?"])
def test_words_that_point_to_the_document_or_its_countries_are_not_dangling(question):
    from assistant.retrieve.followup import dangling
    from assistant.text.language import detect_language

    assert dangling(question, detect_language(question), RARE.__contains__) is None
