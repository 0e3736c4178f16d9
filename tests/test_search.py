import numpy as np
import pytest

from assistant import Assistant, BadQuery, CorpusError, Settings
from assistant.embed.embedder import HashEmbedder


def test_hits_carry_where_they_come_from(fake_bot):
    hits = fake_bot.search("InnoLeap kiểm soát đám đông", k=3)
    top = hits[0]
    assert "InnoLeap" in top.passage.text
    assert top.passage.section_path.endswith("(c) ĐMST do khu vực tư nhân lãnh đạo")
    assert top.passage.paragraph >= 1
    assert top.lexical_rank == 1
    source = fake_bot.sources[top.passage.doc_id]
    assert (
        source[top.passage.start : top.passage.spans[0].end]
        == top.passage.text[: top.passage.spans[0].end - top.passage.start]
    )


def test_k_is_respected(fake_bot):
    assert len(fake_bot.search("dữ liệu", k=3)) == 3
    assert len(fake_bot.search("dữ liệu", k=1000)) == len(fake_bot.index.passages)


@pytest.mark.parametrize(
    "variant",
    [
        "singapore ho tro doanh nghiep vua va nho",
        "SINGAPORE  HỖ TRỢ   doanh nghiệp vừa và nhỏ",
        "Singapore hỗ trợ doanh nghiệp vừa và nhỏ",
    ],
)
def test_accents_case_and_spaces_do_not_matter_lexically(fake_bot, variant):
    hits = fake_bot.search(variant, k=1, mode="lexical")
    assert "doanh nghiệp vừa và nhỏ" in hits[0].passage.text


def test_nfd_and_nfc_queries_give_the_same_hits(fake_bot):
    import unicodedata

    q = "Hàn Quốc dùng thiết bị đeo tay cho người cao tuổi"
    a = [h.passage.id for h in fake_bot.search(unicodedata.normalize("NFC", q))]
    b = [h.passage.id for h in fake_bot.search(unicodedata.normalize("NFD", q))]
    assert a == b


def test_acronym_matches_its_long_form(fake_bot):
    long_form = fake_bot.searcher.analyze("đổi mới sáng tạo ở Singapo")
    assert "dmst" in long_form.lexical_terms
    short = fake_bot.searcher.analyze("ĐMST ở Singapo")
    assert {"doi", "moi", "sang", "tao"} <= set(short.lexical_terms)
    assert "đổi mới sáng tạo" in short.dense_query


def test_unaccented_query_is_restored_for_the_embedder(fake_bot):
    info = fake_bot.searcher.analyze("singapore ho tro doanh nghiep vua va nho")
    assert info.language == "vi-unaccented"
    assert "hỗ trợ doanh nghiệp vừa và nhỏ" in info.dense_query


def test_english_leans_on_the_embedder(fake_bot):
    en = fake_bot.searcher.analyze("How does Singapore procure from SMEs?")
    vi = fake_bot.searcher.analyze("Singapo mua sắm từ doanh nghiệp nhỏ như thế nào?")
    assert en.language == "en" and en.dense_weight > vi.dense_weight


def test_section_filter(fake_bot):
    hits = fake_bot.search("dữ liệu", k=20, section="han quoc")
    assert hits and all("Hàn Quốc" in h.passage.section_path for h in hits)


def test_document_filter(fake_bot):
    assert fake_bot.search("dữ liệu", documents=["no-such-doc"]) == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 20_000, "20,000 characters"),
        ("\x00\x01\x02", "empty"),
        ("?!… ...", "no words"),
    ],
)
def test_bad_queries_say_what_is_wrong(fake_bot, query, message):
    with pytest.raises(BadQuery, match=message):
        fake_bot.search(query)


def test_control_characters_inside_a_query_are_ignored(fake_bot):
    assert (
        fake_bot.search("Hàn\x00 Quốc\x07 robot")[0].passage.id
        == fake_bot.search("Hàn Quốc robot")[0].passage.id
    )


def test_corpus_with_no_readable_document(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    (folder / "empty.txt").write_text("  \n")
    (folder / "latin1.txt").write_bytes("Việt".encode("utf-16-le")[:3] + b"\xe9t\xe9")
    with pytest.raises(CorpusError, match="no readable document") as info:
        Assistant.load(
            Settings(corpus_dir=folder, index_dir=tmp_path / "i"), embedder=HashEmbedder()
        )
    assert "binary" in str(info.value) and "empty" in str(info.value)


def test_unreadable_file_is_skipped_with_a_notice(tmp_path, corpus_copy):
    (corpus_copy / "broken.txt").write_bytes(b"Vi\xe9t Nam")
    bot = Assistant.load(
        Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "i", show_progress=False),
        embedder=HashEmbedder(),
    )
    assert any("broken.txt is not valid UTF-8" in n for n in bot.notices)
    assert len(bot.index.documents) == 1


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        Assistant.load(
            Settings(corpus_dir=tmp_path / "nope", index_dir=tmp_path / "i"),
            embedder=HashEmbedder(),
        )


def test_dense_score_is_the_best_of_passage_and_its_sentences(fake_bot):
    index = fake_bot.index
    q = fake_bot.embedder.encode_queries([fake_bot.searcher.analyze("Hàn Quốc robot").dense_query])[
        0
    ]
    for hit in fake_bot.search("Hàn Quốc robot", k=5, mode="dense"):
        row = index.position[hit.passage.id]
        cosines = [float(index.embeddings[row] @ q)] + [
            float(index.sentence_embeddings[s] @ q) for s in index.sentence_rows[row]
        ]
        assert hit.dense_score == pytest.approx(max(cosines), abs=1e-4)
        assert np.isclose(np.linalg.norm(index.embeddings[row]), 1.0, atol=1e-5)


def test_sentence_table_points_into_passages(fake_bot):
    index = fake_bot.index
    assert len(index.sentences) > len(index.passages)
    for row, start, end in index.sentences.tolist():
        text = index.passages[row].text
        assert 0 <= start < end <= len(text) and text[start:end].strip() == text[start:end]


def test_a_list_lead_in_brings_its_first_item(fake_bot):
    index = fake_bot.index
    lead = next(
        i for i, p in enumerate(index.passages) if p.text.endswith("để đạt được các Mục tiêu:")
    )
    fused = np.zeros(len(index.passages))
    order = fake_bot.searcher._follow_lead_in(np.array([lead, 0, 1]), fused, 3)
    assert order.tolist() == [lead, lead + 1, 0]
    # anything else keeps its order
    assert fake_bot.searcher._follow_lead_in(np.array([0, 1, 2]), fused, 3).tolist() == [0, 1, 2]


def test_top_k_and_ranks_equal_a_full_stable_sort():
    from assistant.retrieve.scores import ranks_of, top_k

    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        scores = rng.integers(0, 6, n).astype(np.float32)  # many ties
        scores[rng.random(n) < 0.2] = -np.inf
        k = int(rng.integers(1, n + 3))
        expected = np.argsort(-scores, kind="stable")[:k]
        assert top_k(scores, k).tolist() == expected.tolist(), trial
        with_nan = np.where(rng.random(n) < 0.3, np.nan, scores)
        scored = np.flatnonzero(~np.isnan(with_nan))
        order = scored[np.argsort(-with_nan[scored], kind="stable")]
        full = {int(i): r for r, i in enumerate(order, 1)}
        rows = rng.permutation(n)[:5]
        assert ranks_of(with_nan, rows) == [full.get(int(i)) for i in rows], trial


def test_a_tie_at_the_cut_is_left_out_whole():
    """Which members of a tie make the `k` nearest is each engine's choice (FAISS and
    Milvus differ); the candidates must not depend on it."""
    import numpy as np

    from assistant.retrieve.scores import _without_tie_at_cut

    scores = np.array([[0.9, 0.5, 0.2, 0.2]], dtype=np.float32)
    rows = np.array([[7, 3, 9, 4]])
    _, kept = _without_tie_at_cut(scores, rows, k=4, n=10)
    assert kept.tolist() == [[7, 3, -1, -1]]
    _, kept = _without_tie_at_cut(scores, rows, k=4, n=4)  # nothing was cut
    assert kept.tolist() == [[7, 3, 9, 4]]


def test_a_passage_is_scoped_to_a_place_by_a_heading_its_document_does_not_share():
    from types import SimpleNamespace

    from assistant.retrieve.search import place_scopes
    from assistant.text import fold, places_in

    def passage(doc, *section):
        return SimpleNamespace(doc_id=doc, section=list(section))

    four = "2. Kinh nghiệm ở Trung Quốc, Nhật Bản, Hàn Quốc và Singapo"
    bulletin = [
        passage("b", "1. Khái quát"),
        passage("b", four, "2.4. Singapo"),
        passage("b", four, "2.2. Nhật Bản", "(b) ĐMST mạng lưới"),
    ]
    # a chapter on four countries scopes nothing; "2.4. Singapo" does, to Singapore
    (singapore,) = places_in(fold("Singapo"))
    (japan,) = places_in(fold("Nhật Bản"))
    assert place_scopes(bulletin) == [None, singapore, japan]
    # an article titled with a place is about it whole: no passage of it is narrower
    warsaw = [passage("w", "Warsaw"), passage("w", "Warsaw")]
    assert place_scopes(warsaw) == [None, None]


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        # the overview defines the three kinds; each country's "(b) ĐMST mạng lưới" section
        # matches the same words and answers for that country only
        "Ai là chủ thể cung cấp phần lớn ĐMST mạng lưới?",
        "ĐMST mạng lưới là gì?",
        "Thế nào là ĐMST cấp trung ương?",
    ],
)
def test_a_question_that_names_no_place_is_answered_by_the_general_text_first(real_bot, question):
    top = real_bot.search(question, k=3)[0]
    assert top.passage.section_path.startswith("1. Khái quát"), top.passage.section_path


@pytest.mark.model
def test_a_name_only_one_place_uses_scopes_the_question_to_it(real_bot):
    # "Gwanghwamoon" is only in Korea's sections: a question about it is about Korea
    top = real_bot.search("Cơ quan nào điều hành Gwanghwamoon 1st Street?", k=3)[0]
    assert "Hàn Quốc" in top.passage.section_path
    # a word of two places' sections ("robot": Japan's and Korea's) is bound to neither
    assert "gwanghwamoon" in real_bot.searcher._bound and "robot" not in real_bot.searcher._bound


@pytest.mark.parametrize("question", [None, 42, ["Singapore?"]])
def test_a_question_that_is_no_text_is_a_bad_query(fake_bot, question):
    # ask(None) raised a bare TypeError from the paste reader
    with pytest.raises(BadQuery, match="must be text"):
        fake_bot.ask(question)


@pytest.mark.model
def test_an_english_question_s_capitals_are_no_short_names(real_bot):
    # "HQ" in English is a headquarters: it was rewritten "GovTech's Hàn Quốc"
    assert real_bot.searcher.full_names("Where is GovTech's HQ?") == "Where is GovTech's HQ?"
    assert real_bot.searcher.full_names("GovTech và HQ khác nhau thế nào?") == "GovTech và Hàn Quốc khác nhau thế nào?"
