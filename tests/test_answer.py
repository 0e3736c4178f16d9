"""The answer layer on the fast fake embedder: structure, quotes, abstention, rendering."""

import pytest

from assistant.evaluate import quotes_are_verbatim
from assistant.ingest.sentences import split
from assistant.render import as_text


def test_answer_sentences_are_verbatim_quotes_with_offsets(fake_bot):
    a = fake_bot.ask("WeChat có bao nhiêu người dùng?")
    assert not a.abstained and a.citations
    assert quotes_are_verbatim(a, fake_bot)
    for c in a.citations:
        p = fake_bot.passage(c.passage_id)
        assert p.text[c.quote_start : c.quote_end] == c.quote
        source = fake_bot.sources[p.doc_id]
        assert " ".join(source[s.start : s.end] for s in c.source_spans) == c.quote
        assert c.issue == "Số 2/2021" and c.section_path == p.section_path
    for s in a.sentences:
        assert s.citations and all(1 <= n <= len(a.citations) for n in s.citations)
        assert s.text in a.text and s.text in a.citations[s.citations[0] - 1].quote
    for c in a.citations:  # each excerpt is quoted whole, then its marker
        assert f"{c.quote} [{c.number}]" in a.text


def test_every_answer_sentence_is_a_whole_source_sentence(fake_bot):
    a = fake_bot.ask("Hàn Quốc dùng robot để làm gì?")
    for s in a.sentences:
        cited = fake_bot.passage(a.citations[s.citations[0] - 1].passage_id).text
        assert s.text in split(cited)


def test_dependent_sentence_brings_the_one_before(fake_bot):
    # "Dự án này cho phép…"/"Đề án này…" leans on the sentence before it.
    a = fake_bot.ask(
        "Đề án này cho phép các doanh nghiệp vừa và nhỏ địa phương bỏ qua quy trình đấu thầu"
    )
    texts = [s.text for s in a.sentences]
    i = next(i for i, t in enumerate(texts) if t.startswith("Đề án này"))
    assert i > 0 and "GovTech" in texts[i - 1]


def test_unknown_country_abstains_in_the_question_language(fake_bot):
    vi = fake_bot.ask("Indonesia đã làm gì để đổi mới dịch vụ công?")
    assert vi.abstained and vi.text.startswith("Bản tin không đề cập đến")
    assert not vi.citations and vi.related
    en = fake_bot.ask("What did Malaysia do for e-government?")
    assert en.abstained and en.text.startswith("The bulletin does not cover")


def test_english_answers_say_they_quote_vietnamese(fake_bot):
    a = fake_bot.ask("How many people use WeChat?")
    if not a.abstained:
        assert a.text.startswith("The bulletin says (quoted in Vietnamese")


def test_timings_and_metadata(fake_bot):
    a = fake_bot.ask("Tokyo xã hội hydro")
    assert {"retrieve", "compose"} <= set(a.timings)
    assert a.language == "vi" and a.mode == "extractive" and a.query == "Tokyo xã hội hydro"


def test_follow_up_query_is_in_the_answer(fake_bot):
    first = fake_bot.ask("Hàn Quốc dùng robot để làm gì?")
    second = fake_bot.ask("Còn Nhật Bản thì sao?", history=[first])
    assert second.query == "Nhật Bản dùng robot để làm gì?"
    assert second.question == "Còn Nhật Bản thì sao?"


def test_text_rendering_has_sources_or_related(fake_bot):
    a = fake_bot.ask("WeChat có bao nhiêu người dùng?")
    text = as_text(a)
    assert "Nguồn:" in text and "[1] Số 2/2021 ·" in text and "¶" in text
    b = fake_bot.ask("Indonesia đã làm gì để đổi mới dịch vụ công?")
    assert "Các đoạn liên quan (không phải trích dẫn):" in as_text(b)


def test_llm_mode_without_endpoint_falls_back_with_a_notice(fake_bot):
    a = fake_bot.ask("WeChat có bao nhiêu người dùng?", mode="llm")
    assert a.mode == "extractive" and "--llm-url" in (a.notice or "")


def test_llm_mode_with_a_dead_endpoint_falls_back(fake_bot):
    bot = fake_bot
    bot.settings = bot.settings.model_copy(
        update={"llm_url": "http://127.0.0.1:9", "llm_model": "m", "llm_timeout": 2.0}
    )
    a = bot.ask("WeChat có bao nhiêu người dùng?", mode="llm")
    assert a.mode == "extractive" and not a.abstained
    assert "could not answer" in a.notice


@pytest.mark.parametrize("question", ["", "   ", "x" * 20_000])
def test_bad_questions_raise_clear_errors(fake_bot, question):
    from assistant import BadQuery

    with pytest.raises(BadQuery):
        fake_bot.ask(question)
