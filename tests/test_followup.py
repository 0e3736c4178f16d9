import pytest

from assistant.retrieve.followup import rewrite, topic_words

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
    "question, previous, topic, asked",
    [
        ("Ai thực hiện dự án đó?", "Dự án Bộ não thành phố Hàng Châu là gì?", "Dự án Bộ não thành phố Hàng Châu", "là gì"),
        ("bao nhiêu tiền?", "Hàn Quốc dùng robot để cung cấp dịch vụ công thế nào?", "Hàn Quốc dùng robot cung cấp dịch vụ công", "thế nào"),
        ("When did it start?", "What is the Sesame Credit system?", "Sesame Credit system", "What is"),
    ],
)
def test_a_question_leaning_on_the_topic_carries_the_topic_not_the_ask(question, previous, topic, asked):
    """Issue 26: a follow-up inherits the thread's topic, never the previous question's ask."""
    query = rewrite(question, [previous], PLACES)
    assert query == f"{question.rstrip('?')} – {topic}" and asked not in query


@pytest.mark.parametrize(
    "question, expected",
    [
        ("GovTech xây dựng ứng dụng Parking.sg để làm gì?", "GovTech xây dựng ứng dụng Parking.sg"),
        ("Tell me about Gwanghwamoon 1st Street", "Gwanghwamoon 1st Street"),
        ("Songdo là gì?", "Songdo"),
        ("What is InnoLeap?", "InnoLeap"),
        ("Phần hàm ý chính sách nêu bao nhiêu đặc điểm chiến lược?", "Phần hàm ý chính sách đặc điểm chiến lược"),
        ("Dự án Bộ não thành phố Hàng Châu là gì?", "Dự án Bộ não thành phố Hàng Châu"),  # "não", "án" are content
        ("dot mers 2015 o han quoc nghiem trong the nao", "dot mers 2015 han quoc nghiem trong"),
        ("Mất bao lâu?", "Mất lâu"),
        ("As of when?", ""),
        ("Vì sao?", ""),
    ],
)
def test_the_topic_of_a_question_is_its_words_without_the_asking(question, expected):
    assert topic_words(question) == expected


@pytest.mark.parametrize(
    "question, expected",
    [
        # what it asks of the thing is not the topic: "xây dựng … để làm gì", "nghiêm trọng thế nào"
        ("GovTech xây dựng ứng dụng Parking.sg để làm gì?", "GovTech Parking.sg"),
        ("dot mers 2015 o han quoc nghiem trong the nao", "dot mers 2015 han quoc"),
        ("Fujitsu đã xây dựng hệ thống gì sau sóng thần 2011?", "Fujitsu 2011"),
        # a place alone, a name the corpus does not know or one every passage uses
        # ("ĐMST", "Quốc gia Thông minh") is too little: all the words
        ("Singapore đưa ra tầm nhìn “Quốc gia Thông minh” khi nào?", "Singapore đưa tầm nhìn Quốc gia Thông minh"),
        ("ĐMST mạng lưới ở Trung Quốc chủ yếu do ai dẫn dắt?", "ĐMST mạng lưới Trung Quốc chủ yếu dẫn dắt"),
        ("Sing co thi y tuong doi moi cho cong chuc khong?", "Sing tuong doi cong chuc"),
    ],
)
def test_with_the_corpus_the_topic_is_what_the_question_names(question, expected):
    rare = {"govtech", "parking", "sg", "mers", "dot", "sing", "fujitsu"}
    assert topic_words(question, rare.__contains__, lambda w: w != "sing") == expected


# rare in the corpus: "lâu", "tốn", "xong", "kênh" are (one passage each), as are the names
SPECIFIC = {"lau", "ton", "xong", "kenh", "hackathon", "songdo", "innoleap", "parking", "sg"}.__contains__
KNOWN = {"runs", "ideas"}.isdisjoint  # the English words the Vietnamese corpus does not know


def _plan(question, previous, topic=None, **options):
    from assistant.retrieve.followup import plan

    return plan(question, previous, topic, PLACES, specific=lambda w: SPECIFIC(w) or not KNOWN({w}), known=lambda w: KNOWN({w}), **options)


@pytest.mark.parametrize(
    "question, previous, query",
    [
        ("Mất bao lâu?", "GovTech xây dựng ứng dụng Parking.sg để làm gì?", "Mất bao lâu – GovTech Parking.sg"),
        ("Tốn bao nhiêu tiền?", "Songdo là gì?", "Tốn bao nhiêu tiền – Songdo"),
        ("How many ideas came in?", "Tell me about Gwanghwamoon 1st Street", "How many ideas came in – Gwanghwamoon 1st Street"),
        ("Who runs it?", "What is InnoLeap?", "Who runs it – InnoLeap"),
        # one of each of our own: a rare verb before the asking word asks ("kênh nào"),
        # an English word the corpus does not know names nothing
        ("Qua kênh nào?", "Ý tưởng xe buýt đêm ở Seoul do ai đề xuất?", "Qua kênh nào – Ý tưởng xe buýt đêm Seoul đề xuất"),
        ("How long did it take?", "Who built the Parking.sg app?", "How long did it take – Parking.sg"),
    ],
)
def test_a_short_follow_up_that_names_nothing_asks_about_the_thread(question, previous, query):
    step = _plan(question, previous)
    assert step.kind == "lean" and step.query == query and step.ask == question


@pytest.mark.parametrize(
    "question, previous, query",
    [
        ("And in Japan, who runs digital public services?", "Who built the Parking.sg app?", "in Japan, who runs digital public services?"),
        ("Còn ở Hàn Quốc, ai đề xuất xe buýt đêm?", "Singapore hỗ trợ doanh nghiệp vừa và nhỏ thế nào?", "ở Hàn Quốc, ai đề xuất xe buýt đêm?"),
    ],
)
def test_a_question_with_its_own_topic_and_ask_is_new_whatever_its_first_words(question, previous, query):
    step = _plan(question, previous)
    assert step.kind == "standalone" and step.query == query


def test_a_bare_question_word_asks_it_of_the_previous_question():
    step = _plan("As of when?", "How many policy initiatives has it produced – mVoting Seoul", "mVoting Seoul")
    assert step.kind == "lean" and step.query == "As of when – policy initiatives produced mVoting Seoul"
    assert step.topic == "mVoting Seoul"  # what the thread is about stays the topic


def test_an_item_of_the_thread_s_list_is_asked_by_its_number():
    step = _plan("Còn cái thứ ba?", "Phần hàm ý chính sách nêu bao nhiêu đặc điểm chiến lược?")
    assert step.kind == "lean" and step.ordinal == 3
    assert _plan("What was the second one?", "Which pillars does the strategy have?").ordinal == 2


def test_a_place_the_thread_named_written_short_is_spelled_out():
    step = _plan("Dien tich Sing bao nhieu?", "Why is it easier for Singapore to pilot innovations than China?")
    assert step.kind == "standalone" and step.query == "Dien tich Singapore bao nhieu?"


def test_a_place_written_in_full_is_not_spelled_out_again():
    # "Hàn" is the start of "Hàn Quốc" (the app reads "Hàn" as "Hàn Quốc" before the plan)
    step = _plan("Cụ thể năm 2020 Hàn Quốc xếp thứ mấy?", "Hàn Quốc đứng ở đâu trong bảng xếp hạng Chính phủ điện tử?")
    assert "Hàn Quốc Quốc" not in step.query and "Hàn Quốc" in step.query


def test_a_rare_word_the_thread_does_not_use_may_be_a_question_of_its_own():
    step = _plan("Cuộc thi hackathon là gì?", "Songdo là gì?", thread_words={"songdo", "incheon"})
    assert step.kind == "lean" and step.own_words == ["hackathon"]  # tried alone first
    # a rare word of the thread's passages is about the thread
    assert _plan("Khi nào thì xây xong?", "Songdo là gì?", thread_words={"songdo", "xong"}).own_words == []


def test_a_switch_names_the_place_it_turned_to():
    step = _plan("Còn Nhật Bản thì sao?", "How did Korea respond to MERS?")
    assert step.kind == "switch" and step.switched_to == "Nhật Bản" and step.query == "How did Japan respond to MERS?"


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
