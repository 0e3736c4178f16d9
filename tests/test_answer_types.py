"""What each kind of question asks the excerpt to hold (issue 12, second round).

Inputs that failed on questions written without looking at the code; each assertion is the
right value. The checks read the answer type next to the question: a share is a share even
when the question names a cost; a count may be written as a word; a period has two ends; a
place asked for by name ("which city") is a place the question does not already name; the
question's own numbers must be the excerpt's.
"""

import numpy as np
import pytest

from assistant.calibrate_abstention import decisions
from assistant.retrieve.answer_types import has_answer_type, places_named
from assistant.retrieve.question import analyze, numerals


def test_a_share_asked_beside_a_cost_wants_a_percentage():
    q = analyze("Nhật Bản đặt kế hoạch cắt giảm bao nhiêu % chi phí vận hành bộ máy chính phủ?")
    assert q.kind == "number"
    assert has_answer_type(q, "có kế hoạch giảm 30% chi phí hoạt động của Chính phủ")
    assert not has_answer_type(q, "chi phí 449 triệu USD")


@pytest.mark.parametrize(
    "question, excerpt, holds",
    [
        (
            "Phần hàm ý chính sách rút ra bao nhiêu đặc điểm chiến lược?",
            "đã nêu bật bốn đặc điểm chiến lược giúp",
            True,
        ),
        (
            "Phần hàm ý chính sách rút ra bao nhiêu đặc điểm chiến lược?",
            "đã nêu bật những đặc điểm chiến lược",
            False,
        ),
        # folded, "hai" is also "hại" (harm): numerals are read as written
        ("Có bao nhiêu đặc điểm?", "những tác hại đặc điểm", False),
        ("How many drivers are there?", "Two drivers stand out", True),
        # "năm" is five before the noun the question counts, a year elsewhere
        ("Kế hoạch thực hiện nó gồm mấy điểm?", "Kế hoạch hành động gồm năm điểm chính", True),
        ("Kế hoạch thực hiện nó gồm mấy điểm?", "Năm 2014 kế hoạch được đưa ra", False),
        ("Có bao nhiêu trụ cột?", "Chiến lược dựa trên năm trụ cột", True),
    ],
)
def test_a_count_may_be_written_as_a_word(question, excerpt, holds):
    assert has_answer_type(analyze(question), excerpt) is holds


def test_numerals_become_digits_only_as_written():
    assert numerals("Bốn đặc điểm và hai động lực") == "4 đặc điểm và 2 động lực"
    assert numerals("tác hại của năm") == "tác hại của năm"


@pytest.mark.parametrize(
    "question",
    [
        "What is the population of Japan?",
        "What is the GDP of South Korea?",
        "How large is Singapore?",
    ],
)
def test_quantities_asked_with_what_is_are_numbers(question):
    q = analyze(question)
    assert q.kind == "number" and q.unit is not None or question.startswith("What is the GDP")
    assert not has_answer_type(q, "hỗ trợ dân số già, thúc đẩy du lịch")


def test_a_period_wants_both_ends():
    q = analyze(
        "Kế hoạch robot trị giá 449 triệu USD của Hàn Quốc được triển khai trong giai đoạn từ năm nào đến năm nào?"
    )
    assert not has_answer_type(q, "Hàn Quốc cũng đã sử dụng robot tại Thế vận hội mùa đông 2018.")
    assert has_answer_type(
        analyze("tepco lap dong ho dien thong minh tu nam nao den nam nao"),
        "từ năm 2020 đến năm 2024",
    )


def test_a_place_asked_for_by_name_is_one_the_question_does_not_name():
    olympics = analyze(
        "In which city were the 2018 Winter Olympics held where Korea used robots to guide visitors?"
    )
    assert (
        places_named(
            olympics,
            "Hàn Quốc cũng đã sử dụng robot để hướng dẫn du khách tại Thế vận hội mùa đông 2018.",
        )
        == []
    )
    fujitsu = analyze("Hệ thống của Fujitsu được đưa vào vận hành ở thành phố nào, khi nào?")
    assert places_named(
        fujitsu, "Hệ thống đã được ra mắt tại thành phố ven biển Kawasaki vào tháng 11 năm 2017."
    ) == ["Kawasaki"]
    credit = analyze("Chương trình tín dụng xã hội đang thí điểm ở những thành phố cụ thể nào?")
    assert not has_answer_type(
        credit, "đang được thí điểm ở một vài thành phố. Các công ty tư nhân như Alibaba"
    )


@pytest.mark.slow
def test_rows_a_rule_decides_abstain_and_do_not_fit_the_model():
    rows = [
        {"answerable": i % 4 != 0, "evidence": {"dense": float(i % 4 != 0), "coverage": 0.5}}
        for i in range(40)
    ] + [{"answerable": False, "evidence": {"dense": 1.0, "coverage": 1.0, "blocked": 1.0}}]
    cv = decisions(rows, k=5)
    assert cv[-1] == 1.0
    assert np.all(cv[:40][[i % 4 == 0 for i in range(40)]] == 1.0)
    assert np.all(cv[:40][[i % 4 != 0 for i in range(40)]] == 0.0)


@pytest.mark.model
@pytest.mark.parametrize(
    "question, abstains",
    [
        ("Thủ đô của Pháp là gì?", True),  # a one-syllable name, capitalised
        ("Kinh nghiệm ĐMST dịch vụ công của Ấn Độ được bản tin trình bày như thế nào?", True),
        ("Ai là tổng thống Mỹ?", True),
        (
            "Ý tưởng tạo di chúc tự động cho công dân Singapore là gì?",
            False,
        ),  # "ý tưởng", not Italy
        ("Dự án đó do ai thực hiện ở Hàng Châu?", False),  # "dự án đó" folds to "an do", not India
    ],
)
def test_places_the_bulletin_never_names_however_written(real_bot, question, abstains):
    assert real_bot.ask(question).abstained is abstains


@pytest.mark.model
def test_the_questions_own_numbers_must_be_the_excerpts(real_bot):
    a = real_bot.ask(
        "Năm 2020 Nhật Bản đứng thứ mấy trên bảng xếp hạng Chính phủ điện tử của Liên Hợp Quốc?"
    )
    assert a.evidence["given_missing"] == 1.0  # the bulletin ranks 2012–2018
    b = real_bot.ask("what are the 2 main drivers behind network innovation in korea")
    assert b.evidence["given_missing"] == 0.0  # "hai động lực"


@pytest.mark.model
@pytest.mark.parametrize(
    "question, fact",
    [
        pytest.param(
            "By how much did Hangzhou's City Brian speed up traffic flow?",
            "15%",
            marks=pytest.mark.xfail(strict=True, reason="learned abstention (issue 24): the misspelt English question falls under the threshold"),
        ),
        (
            "Phần hàm ý chính sách rút ra bao nhiêu đặc điểm chiến lược giúp ĐMST khu vực công thành công?",
            "bốn đặc điểm",
        ),
        (
            "Nhật Bản đặt kế hoạch cắt giảm bao nhiêu % chi phí vận hành bộ máy chính phủ nhờ đơn giản hóa hệ thống?",
            "30%",
        ),
    ],
)
def test_english_words_meet_the_text_through_the_glossary_and_counts_in_words(
    real_bot, question, fact
):
    a = real_bot.ask(question)
    assert not a.abstained and fact in a.text


def test_glossary_terms_match_their_english_inflections():
    from assistant.text.lexicon import glossary_matches

    assert "trial" in glossary_matches("where has japan trialled fingerprint payments")
    assert "tourists" in glossary_matches("payments for tourists")
    assert glossary_matches("a trialogue") == []  # a word that only starts like a term
    # a hyphen as typed stands for the term's space, in any inflection
    assert glossary_matches("public-sector innovation") == ["public sector", "innovation"]
    assert "public sector" in glossary_matches("how public-sectors innovate")
    assert glossary_matches("e-government") == ["e-government"]  # a term with its own hyphen


@pytest.mark.model
def test_english_questions_weigh_the_words_the_glossary_translates(real_bot):
    info = real_bot.searcher.analyze("Where has Japan trialled fingerprint payments for tourists?")
    assert info.dense_weight < 0.9  # the BM25 side counts: "vân tay", "khách du lịch"
    assert "van" in info.lexical_terms and "khach" in info.lexical_terms


@pytest.mark.parametrize(
    "question, excerpt, names",
    [
        # a title-cased common noun is no name
        (
            "Bộ trưởng chuyên trách phụ trách chương trình Quốc gia Thông minh của Singapore tên là gì?",
            "Tầm nhìn Quốc gia Thông minh được thúc đẩy bởi Văn phòng Thủ tướng. Một ủy ban cấp Bộ do Phó Thủ tướng Chính phủ làm Chủ tịch.",
            [],
        ),
        (
            "he thong dinh danh so quoc gia cua singapore ten la gi",
            "(2) Một hệ thống nhận dạng số quốc gia mới, với chữ ký số khuyến khích các giao dịch với Chính phủ;",
            [],
        ),
        # quoted, an acronym, a word of another language, a run after "ứng dụng"
        ("Seoul dùng khẩu hiệu gì?", "với khẩu hiệu “công dân là thị trường”.", ["công dân là thị trường"]),
        ("Cơ quan đó tên là gì?", "Bộ phận Dịch vụ Công (PSD) đào tạo", ["PSD"]),
        ("Ứng dụng đó tên là gì?", "Ủy ban đã xây dựng ứng dụng Trung tâm sức khỏe để xử lý", ["Trung tâm sức khỏe"]),
    ],
)
def test_a_name_is_a_name_not_a_title_cased_noun(question, excerpt, names):
    from assistant.retrieve.answer_types import names_given

    assert names_given(analyze(question), excerpt) == names


@pytest.mark.model
@pytest.mark.parametrize(
    "question, fact",
    [
        ("Bản tin số 2/2021 này do đơn vị nào thực hiện?", "Trung tâm Thông tin và Thống kê KH&CN"),
        # however phrased: without "số 2/2021" it quoted GovTech, with "này" also a notice
        ("Bản tin này do đơn vị nào thực hiện?", "Trung tâm Thông tin và Thống kê KH&CN"),
        ("Bản tin do đơn vị nào thực hiện?", "Trung tâm Thông tin và Thống kê KH&CN"),
        ("Who published the 2018 report on the STI policy experiences of China, Japan, Korea and Singapore cited in the references?", "ESCAP"),
    ],
)
def test_questions_about_the_bulletin_itself_read_its_title_page_and_references(real_bot, question, fact):
    a = real_bot.ask(question)
    assert not a.abstained and fact in a.text
    assert a.notice is None  # "bản tin này" is the document itself, not a dangling pronoun


@pytest.mark.model
def test_other_questions_never_quote_the_title_page_or_references(real_bot):
    for question in ("Bản tin này nói gì về Nhật Bản?", "which countries does this bulletin look at"):
        a = real_bot.ask(question)
        assert all(real_bot.passage(c.passage_id).kind not in ("front", "reference") for c in a.citations)


@pytest.mark.model
def test_english_words_without_a_shared_word_find_their_passage_through_the_glossary(real_bot):
    hits = real_bot.search("Where has Japan trialled fingerprint payments for tourists?")
    found = [h for h in hits[:2] if "điểm nóng du lịch" in h.passage.text]
    assert found and found[0].lexical_rank == 1  # "vân tay", "thanh toán", "khách du lịch"


@pytest.mark.parametrize(
    "question, excerpt, holds",
    [
        # a unit counts beside a number, not inside another word
        ("Trung Quốc đã chi bao nhiêu tiền cho dự án?", "hệ thống có tỷ lệ chính xác là 92% và hỗ trợ cộng đồng", False),
        ("Trung Quốc đã chi bao nhiêu tiền cho dự án?", "kế hoạch trị giá 449 triệu USD", True),
        ("Cuộc thi trao thưởng bao nhiêu tiền?", "giải thưởng $95.000", True),
        ("How large is Singapore?", "một quốc gia nhỏ 720 km² so với", True),
        # the unit comes from what the asking words count, not from a word elsewhere
        ("Những hãng xe nào góp tiền xây trạm hydro và góp bao nhiêu?", "đã đồng ý tài trợ 1/3 chi phí", True),
        ("Seoul mỗi năm chọn mấy dự án khi lập ngân sách?", "lựa chọn 35 dự án mỗi năm", True),
    ],
)
def test_a_unit_stands_beside_its_number(question, excerpt, holds):
    q = analyze(question)
    assert (has_answer_type(q, excerpt) is not False) is holds, q.unit  # None: nothing checkable


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What's the budget for Japan's new national identification system?", "number"),
        ("In which Japanese city did the trade ministry trial fingerprint payments?", "where"),
        ("Contrast the part the private sector plays in China with its part in Japan.", "compare"),
    ],
)
def test_more_ways_of_asking(question, kind):
    assert analyze(question).kind == kind


def test_a_list_question_asks_for_items_not_for_its_descriptive_who():
    q = analyze("Liệt kê ba loại ĐMST dịch vụ công phân theo nguồn gốc, tức là ai đứng ra thúc đẩy.")
    assert q.kind == "list" and q.also == []


def test_a_side_named_after_a_place_is_not_that_place():
    from assistant.answer.compare import _names_side

    side, others = "Ten Million Imagination Oasis của Seoul", ["kênh trực tuyến mVoting"]
    assert not _names_side(side, others, "Seoul đã sử dụng dữ liệu điện thoại để phân tích 3 tỷ cuộc gọi")
    assert _names_side(side, others, "Thứ hai, Ten Million Imagination Oasis là một nền tảng")
    assert _names_side("Hàn Quốc", ["Trung Quốc"], "Seoul của Hàn Quốc đã đi đầu")


@pytest.mark.model
@pytest.mark.xfail(strict=True, reason="learned ranker (issue 24): Japan's side quotes 'lợi thế … robot', not the 18 triệu USD care robots")
def test_each_side_of_a_comparison_is_quoted_from_its_own_passage(real_bot):
    a = real_bot.ask("So sánh hai kênh trực tuyến mVoting và Ten Million Imagination Oasis của Seoul.")
    assert "thu thập ý kiến công chúng" in a.text and "đề xuất chính sách chi tiết" in a.text
    b = real_bot.ask("Compare how Japan and South Korea use robots in public services")
    assert "18 triệu USD" in b.text and "449 triệu USD" in b.text  # the issue's right values


@pytest.mark.model
def test_an_english_question_searches_with_the_bulletins_words_beside_it(real_bot):
    info = real_bot.searcher.analyze("How did Singapore's National Environment Agency use data to fight dengue fever?")
    assert "Cơ quan Môi trường Quốc gia" in info.search_query or "cơ quan môi trường quốc gia" in info.search_query
    assert info.dense_query.startswith("How did Singapore")  # sentences are scored against the question itself
    assert real_bot.searcher.analyze("Singapore hỗ trợ doanh nghiệp thế nào?").search_query is None


@pytest.mark.model
def test_a_yes_no_question_with_a_wrong_number_gets_the_bulletins_number(real_bot):
    a = real_bot.ask("Có phải Songdo trị giá 50 tỷ USD không?")
    assert not a.abstained and "35 tỷ USD" in a.text  # the reader sees "no: 35"
    assert a.evidence["given_missing"] == 0.0


@pytest.mark.model
def test_the_english_list_question_of_the_issue_brings_the_five_points(real_bot):
    # issue 12, failure kind 4: it quoted a dengue sentence, then a "70% of citizens" one
    a = real_bot.ask("List the five points of Singapore's Smart Nation plan")
    assert not a.abstained and a.kind == "list"
    for item in ("(1) Một mạng lưới cảm biến", "(2) Một hệ thống nhận dạng số"):
        assert item in a.text
    # item (3) is quoted by its first sentence, not up to the colon of "Ví dụ:" after it
    assert "nhu cầu của người dân." in a.text and "người dân. Ví dụ" not in a.text


@pytest.mark.model
def test_the_sentence_that_says_what_was_asked_joins_the_one_nearest_in_meaning(real_bot):
    # the nearest in meaning is the SDG section's "Singapore đã sử dụng … dữ liệu … sốt
    # xuất huyết"; the agency the question names, and what it did, are in 2.4 (b)
    a = real_bot.ask("How did Singapore's National Environment Agency use data to fight dengue fever?")
    assert not a.abstained
    assert "Cơ quan Môi trường Quốc gia" in a.text
    for fact in ("dữ liệu thời tiết", "nơi sinh sản của muỗi"):
        assert fact in a.text
    quoted = " ".join(c.quote for c in a.citations)
    assert "dữ liệu thời tiết" in quoted  # cited, not only shown


@pytest.mark.model
def test_a_sentence_that_only_names_the_asked_place_adds_no_second_excerpt(real_bot):
    # every sentence about Singapore "holds" the question's word Singapore: no lead
    a = real_bot.ask("How large is Singapore?")
    assert len({c.passage_id for c in a.citations}) == 1


@pytest.mark.parametrize(
    "question, kind, content",
    [
        # folded, these read as asking words: "bộ nào" (which ministry), "lúc nào" (when),
        # "mấy" (how many), "ở đâu"; as written they are what the question is about
        ("Bộ não thành phố Hàng Châu hoạt động ra sao?", "how", ["nao"]),
        ("Trung Quốc dựa vào năng lực nào để đổi mới?", "other", ["luc"]),
        ("Hàn Quốc dùng máy bay không người lái để làm gì?", "how", ["may", "bay"]),
        ("Xe đầu kéo chạy bằng khí hydro ở đâu?", "where", ["dau", "khi"]),
        ("Nhật Bản bảo vệ dữ liệu ra sao?", "how", ["bao", "ve"]),
        # the asking words as written still ask; a way of asking keeps its own words
        ("Cơ quan nào điều hành dịch vụ công số ở Nhật Bản?", "who", ["co"]),
        ("Năm nào Nhật Bản ra mắt kế hoạch?", "date", []),
    ],
)
def test_words_that_fold_to_asking_words_are_read_as_written(question, kind, content):
    q = analyze(question)
    assert q.kind == kind
    assert all(w in q.focus for w in content)


def test_without_diacritics_an_asking_word_stays_an_asking_word():
    q = analyze("singapore co bao nhieu dan")
    assert q.kind == "number" and q.focus == ["singapore", "dan"]


def test_a_city_asked_about_lies_in_its_country():
    from assistant.text import places_in, with_countries

    japan = places_in("nhat ban")
    assert japan <= with_countries(places_in("kawasaki")) and japan <= with_countries(places_in("tokyo"))
    assert with_countries(japan) == japan
    assert not places_in("han quoc") & with_countries(places_in("kawasaki"))


@pytest.mark.model
def test_a_passage_of_the_country_section_answers_about_its_city(real_bot):
    # the Japan section's Fujitsu passage is not "about another place" than Kawasaki: it
    # used to lose 0.25 and the answer quoted the SDG section's Kawasaki storm sentence
    a = real_bot.ask("Hệ thống cảnh báo sóng thần của Fujitsu ở Kawasaki bắt đầu hoạt động từ khi nào?")
    assert not a.abstained and "tháng 11 năm 2017" in a.text


@pytest.mark.parametrize(
    "question, content",
    [
        # syllables of "trình bày", "tổng quan", "bao nhiêu" ask only inside their phrase
        ("Hãy trình bày kế hoạch của Nhật Bản", ["ke", "hoach"]),
        ("Cơ quan nào quản lý chính phủ số?", ["co", "quan", "ly", "so"]),
        ("ĐMST quy trình nhằm mục đích gì?", ["quy", "trinh"]),
        ("Kế hoạch tổng thể có gì đặc biệt?", ["ke", "tong", "biet"]),
    ],
)
def test_a_syllable_of_an_asking_phrase_asks_only_inside_it(question, content):
    focus = analyze(question).focus
    assert all(w in focus for w in content)
    assert "trinh" not in analyze("Trình bày chính phủ số").focus


def test_a_polite_request_is_neither_a_side_nor_a_focus_word():
    q = analyze("So sánh giúp tôi đổi mới quy trình với đổi mới quản trị")
    assert q.kind == "compare" and q.sides == ["đổi mới quy trình", "đổi mới quản trị"]
    assert "toi" not in analyze("cho minh hoi singapore ho tro doanh nghiep the nao").focus
    assert analyze("Họ tới Seoul khi nào?").focus[:2] == ["ho", "toi"]  # "họ tới" is not polite


@pytest.mark.model
def test_a_list_of_numbered_sections_brings_every_item(real_bot):
    # the first sibling was left out (the walk back stopped one short), and a footnote
    # between (c) and (d) ended the list
    a = real_bot.ask("Liệt kê các chủ đề ĐMST khu vực công quan trọng để đạt các Mục tiêu Phát triển Bền vững")
    for item in ("(a) Cải thiện", "(b) Định hướng", "(c) Giải quyết", "(d) Tăng tính", "(e) Quan hệ", "(f) Kết hợp"):
        assert item in a.text
    # a section's introduction ("… bốn đặc điểm chiến lược …") whose numbered subsections follow
    b = real_bot.ask("Liệt kê bốn đặc điểm chiến lược giúp ĐMST khu vực công thành công")
    assert b.kind == "list"
    for item in ("Tận dụng thế mạnh", "Xác định rõ vấn đề", "vượt ra ngoài công nghệ", "thay đổi vai trò của chính phủ"):
        assert item in b.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question, asked, other",
    [
        ("Trung Quốc dùng robot để làm gì?", "Trung Quốc", "Hàn Quốc"),
        ("trung quoc dung robot de lam gi", "trung quoc", "Hàn Quốc"),
        ("Does China use robots?", "China", "Korea"),
    ],
)
def test_what_the_bulletin_says_of_another_place_is_not_an_answer(real_bot, question, asked, other):
    # it quoted Korea's robots for China: the passage is about Korea and never names China
    a = real_bot.ask(question)
    assert a.abstained and asked in a.text and other in a.text


@pytest.mark.model
def test_a_follow_up_that_switches_place_keeps_the_question_and_its_kind(real_bot):
    first = real_bot.ask("Hàn Quốc chi bao nhiêu tiền cho kế hoạch robot?")
    assert "449 triệu USD" in first.text
    switched = real_bot.ask("Còn Singapore thì sao?", history=[first])
    # it was asked as kind "other" and answered with Korea's plan and Parking.sg
    assert switched.kind == "number" and switched.abstained and "Singapore" in switched.text


def test_an_abstention_names_places_as_written():
    from assistant.answer.messages import topic_names
    from assistant.models import QueryInfo

    info = QueryInfo(original="", normalized="Nhật Bản chi bao nhiêu tiền cho Trung Quốc?", language="vi", dense_query="", lexical_terms=[], dense_weight=0.5)
    assert topic_names(info) == "Nhật Bản, Trung Quốc"  # it said "Bản" and "Trung, Quốc"
    # an English possessive names its owner; a number is no name (it said "China's, 1.4")
    q = "Is it true that Singapore has about 50 million people compared with China's 1.4 billion?"
    info = QueryInfo(original=q, normalized=q, language="en", dense_query="", lexical_terms=[], dense_weight=0.5)
    assert topic_names(info) == "Singapore, China"
    # an English question's capitalised first word is no name (it said "about Based")
    q = "Based on its origin, what three kinds of public service innovation does the bulletin distinguish?"
    info = QueryInfo(original=q, normalized=q, language="en", dense_query="", lexical_terms=[], dense_weight=0.5)
    assert topic_names(info) == ""
    q = "Describe what Seoul Metropolitan Government does"
    info = QueryInfo(original=q, normalized=q, language="en", dense_query="", lexical_terms=[], dense_weight=0.5)
    assert topic_names(info) == "Seoul Metropolitan Government"


@pytest.mark.parametrize(
    "query, names",
    [
        # a follow-up's query: its ask, then the thread's topic
        ("How accurately can it predict where people will travel – Didi Chuxing Trung Quốc", "Didi Chuxing, Trung Quốc"),
        ("Kế hoạch thực hiện nó gồm mấy điểm – Singapore đưa tầm nhìn Quốc gia Thông minh", "Singapore"),
        ("Cơ quan nào được lập ra – Gwanghwamoon 1st Street Hàn Quốc", "Gwanghwamoon 1st Street, Hàn Quốc"),
        ("Seoul Metropolitan Government làm gì?", "Seoul Metropolitan Government"),
    ],
)
def test_an_abstention_names_whole_names_never_their_pieces(query, names):
    # it said "Didi Chuxing Trung", "Singapore, Quốc, Thông", "Gwanghwamoon, Street Hàn Quốc"
    from assistant.answer.messages import topic_names
    from assistant.models import QueryInfo

    info = QueryInfo(original="", normalized=query, language="vi", dense_query="", lexical_terms=[], dense_weight=0.5)
    assert topic_names(info) == names


@pytest.mark.model
def test_a_list_item_is_quoted_once(real_bot):
    # typed without diacritics, a second excerpt from item (e) repeated (d), (e), (f)
    a = real_bot.ask("liet ke cac chu de DMST khu vuc cong quan trong de dat cac muc tieu phat trien ben vung")
    for item in ("(d) Tăng tính toàn diện", "(e) Quan hệ đối tác", "(f) Kết hợp"):
        assert a.text.count(item) == 1


@pytest.mark.model
@pytest.mark.parametrize("section", ["Nhật Bản", "nhat ban", "Japan"])
def test_a_country_section_filter_means_the_country_section(real_bot, section):
    # section 2's title names all four countries: "Nhật Bản" matched every passage of it
    hits = real_bot.search("robot", section=section, k=5)
    assert hits and all("2.2. Nhật Bản" in h.passage.section_path for h in hits)
    real_bot.check_scope(None, section)  # "Japan" was refused: no heading is in English


@pytest.mark.model
@pytest.mark.parametrize(
    "question, covered, uncovered",
    [("So sánh Singapore và Indonesia", "Singapore", "Indonesia"), ("Compare Japan and Malaysia on robots", "Japan", "Malaysia")],
)
def test_a_comparison_with_a_place_the_bulletin_never_covers_says_so_and_quotes_the_other(real_bot, question, covered, uncovered):
    # the whole comparison abstained with "không đề cập đến …" and nothing on the other side
    a = real_bot.ask(question)
    assert a.abstained and uncovered in a.text and f"{covered}" in a.text and "“" in a.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question, said",
    [
        ("Indonesia đã làm gì để đổi mới dịch vụ công?", "Bản tin không đề cập đến Indonesia. Bản tin có các phần về: Trung Quốc, Nhật Bản"),
        ("How did Thailand innovate?", "The bulletin does not cover Thailand. The bulletin has sections on: China, Japan, Korea, Singapore."),
    ],
)
def test_a_place_the_bulletin_never_names_is_named_with_what_it_covers(real_bot, question, said):
    a = real_bot.ask(question)
    assert a.abstained and a.text.startswith(said)


@pytest.mark.parametrize(
    "question, kind",
    [
        # colloquial ways to ask "when" (paraphrase-dev p-23 asked both and got the
        # passage's first sentences, no date)
        ("Hệ thống của Fujitsu được ra mắt tại Kawasaki vào thời gian nào?", "date"),
        ("Hệ thống mô phỏng sóng thần của Fujitsu ở Kawasaki chạy từ hồi nào?", "date"),
        ("Songdo được xây từ hồi nào vậy?", "date"),
        # "câu hỏi nào" (which question), "xe hơi nào" (which car) ask no date
        ("Câu hỏi nào được đặt ra cho chính phủ?", "other"),
        ("Những hãng xe hơi nào góp tiền xây trạm hydro ở Tokyo?", "other"),
    ],
)
def test_colloquial_when_asks_a_date(question, kind):
    assert analyze(question).kind == kind


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "Hệ thống mô phỏng lũ lụt sóng thần và sơ tán do Fujitsu phát triển được ra mắt tại Kawasaki vào thời gian nào?",
        "Hệ thống mô phỏng sóng thần của Fujitsu ở Kawasaki chạy từ hồi nào?",
    ],
)
def test_a_colloquial_when_is_answered_with_the_date(real_bot, question):
    a = real_bot.ask(question)
    assert not a.abstained and "tháng 11 năm 2017" in a.text, a.text
