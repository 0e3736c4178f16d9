"""Settings.store "milvus": the vectors in Milvus Lite collections give what FAISS gives.

Fast: the fake embedder over the real bulletin (and the small sample documents), one Milvus
Lite folder per test. The real model's dev-set numbers are compared in the `model` test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from assistant import Assistant, IndexProblem
from assistant.embed.embedder import HashEmbedder
from assistant.errors import ConfigError
from assistant.text import fold

from . import make_documents as make
from .conftest import DEV_SET, ROOT

pytest.importorskip("pymilvus", reason='pymilvus is not installed (pip install -e ".[milvus]")')
pytest.importorskip(
    "milvus_lite", reason='milvus-lite is not installed (pip install -e ".[milvus]")'
)

BULLETIN_ID = "ban-tin-2021-02-dmst-dich-vu-cong"
QUERIES = [
    "singapore ho tro doanh nghiep vua va nho",
    "Hàn Quốc dùng robot làm gì?",
    "WeChat users",
    "How does Japan use robots in public services?",
    "ĐMST ở Trung Quốc",
]


def results(bot, **options):
    return [
        [
            (h.passage.id, h.score, h.dense_rank, h.lexical_rank)
            for h in bot.search(q, k=5, **options)
        ]
        for q in QUERIES
    ]


@pytest.fixture
def milvus_settings(fake_settings, tmp_path):
    return fake_settings.model_copy(
        update={"store": "milvus", "milvus_uri": str(tmp_path / "milvus.db")}
    )


@pytest.fixture
def bot(milvus_settings):
    bot = Assistant.load(milvus_settings, embedder=HashEmbedder())
    yield bot
    bot.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make.sample_files(tmp_path_factory.mktemp("incoming"))


def test_the_collections_hold_the_index(bot):
    assert bot.store.counts() == {
        "passages": len(bot.index.passages),
        "sentences": len(bot.index.sentences),
        "documents": 1,
    }
    assert bot.store.written == [BULLETIN_ID]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_gives_what_faiss_gives(bot, fake_bot, mode):
    assert results(bot, mode=mode) == results(fake_bot, mode=mode)
    answers = [bot.ask(q).model_dump(exclude={"timings"}) for q in QUERIES]
    assert answers == [fake_bot.ask(q).model_dump(exclude={"timings"}) for q in QUERIES]


def test_bm25_in_milvus_ranks_as_bm25s(bot, milvus_settings, fake_bot):
    from assistant.store.milvus_search import MilvusLexical

    assert not isinstance(bot.index.lexical, MilvusLexical)  # bm25s stays the default
    bot.close()
    with_milvus = Assistant.load(
        milvus_settings.model_copy(update={"lexical": "milvus"}), embedder=HashEmbedder()
    )
    try:
        assert isinstance(with_milvus.index.lexical, MilvusLexical)
        for mode in ("lexical", "hybrid"):
            assert results(with_milvus, mode=mode) == results(fake_bot, mode=mode)
        hits = with_milvus.search(QUERIES[0], k=5, mode="lexical")
        assert [h.lexical_score for h in hits] == [
            h.lexical_score for h in fake_bot.search(QUERIES[0], k=5, mode="lexical")
        ]
    finally:
        with_milvus.close()


def test_bm25_in_milvus_needs_the_milvus_store(fake_settings):
    with pytest.raises(ConfigError, match="ASSISTANT_STORE=milvus"):
        Assistant.load(
            fake_settings.model_copy(update={"lexical": "milvus"}), embedder=HashEmbedder()
        )


def test_reopening_writes_nothing(bot, milvus_settings):
    bot.close()
    again = Assistant.load(milvus_settings, embedder=HashEmbedder())
    try:
        assert again.store.written == []
        assert again.store.counts()["passages"] == len(again.index.passages)
    finally:
        again.close()


def test_the_filters_apply_in_milvus_before_the_nearest_are_taken(bot, files):
    bot.add([files["md"], files["pdf"]])
    embedder = bot.embedder
    for query in QUERIES:
        qvec = embedder.encode_queries([bot.searcher.analyze(query).dense_query])[0]
        for documents, section in [
            (["sejong"], None),
            (None, "Singapo"),
            ([BULLETIN_ID], "nhat ban"),
        ]:
            allowed = [
                i
                for i, p in enumerate(bot.index.passages)
                if (not documents or p.doc_id in documents)
                and (not section or fold(section) in fold(p.section_path))
            ]
            scores, rows = bot.index.vectors.search(qvec, k=3, documents=documents, section=section)
            # against brute force over the allowed rows
            exact = bot.index.embeddings[allowed] @ qvec
            best = np.array(allowed)[np.argsort(-exact, kind="stable")[:3]]
            assert set(rows[0].tolist()) == set(best.tolist())
            np.testing.assert_allclose(np.sort(scores[0]), np.sort(exact)[-3:], atol=1e-5)
        hits = bot.search(query, k=5, documents=["sejong"])
        assert hits and {h.passage.doc_id for h in hits} == {"sejong"}
        hits = bot.search(query, k=5, section="Singapo")
        assert all("Singapo" in h.passage.section_path for h in hits)


def test_add_and_remove_write_only_the_changed_document(bot, files, fake_settings):
    bot.add([files["pdf"]])
    assert bot.store.written == ["ban-tin-2021-03-y-te-so"]
    hits = bot.search("Estonia đã số hóa bao nhiêu đơn thuốc?", k=3)
    assert hits[0].passage.doc_id == "ban-tin-2021-03-y-te-so"
    bot.add([files["docx"]])
    assert bot.store.written == ["kinh-te-tuan-hoan-ha-lan"]
    bot.remove("ban-tin-2021-03-y-te-so")
    assert bot.store.written == []
    assert bot.store.counts() == {
        "passages": len(bot.index.passages),
        "sentences": len(bot.index.sentences),
        "documents": 2,
    }
    assert set(bot.store.stored()) == {BULLETIN_ID, "kinh-te-tuan-hoan-ha-lan"}
    assert all(
        h.passage.doc_id != "ban-tin-2021-03-y-te-so"
        for q in ["Estonia đơn thuốc điện tử", *QUERIES]
        for h in bot.search(q, k=10)
    )
    # and the bulletin's results are those of a FAISS index of the same corpus
    faiss = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert results(bot) == results(faiss)


def test_a_changed_document_is_written_again(bot, milvus_settings):
    doc = next(milvus_settings.corpus_dir.glob("*.txt"))
    doc.write_text(
        doc.read_text(encoding="utf-8") + "\n\nMột đoạn mới về Estonia.\n", encoding="utf-8"
    )
    bot.close()
    again = Assistant.load(milvus_settings, embedder=HashEmbedder())
    try:
        assert again.store.written == [BULLETIN_ID]
        assert again.store.counts()["passages"] == len(again.index.passages)
        assert "Estonia" in again.search("Estonia", k=1, mode="lexical")[0].passage.text
        faiss = Assistant.load(
            milvus_settings.model_copy(update={"store": "faiss"}), embedder=HashEmbedder()
        )
        assert results(again) == results(faiss)
    finally:
        again.close()


def test_collections_of_another_model_are_refused_then_replaced_by_build(bot, milvus_settings):
    bot.close()
    other = HashEmbedder(name="another-model")
    with pytest.raises(
        IndexProblem, match="another model .*hash-embedder.*python -m assistant build"
    ):
        Assistant.load(milvus_settings, embedder=other)
    rebuilt = Assistant.load(milvus_settings, embedder=other, rebuild=True)
    try:
        assert rebuilt.store.written == [BULLETIN_ID]
        assert rebuilt.search(QUERIES[0], k=1)
    finally:
        rebuilt.close()


# ---------------------------------------------------------------- a killed add

# `add` through the real CLI in a subprocess with the fake embedder, paused (and killed) at
# one point of writing the collections.
KILLABLE_ADD = textwrap.dedent(
    """
    import sys, time
    from assistant import cli
    from assistant.embed import embedder
    from assistant.store import milvus
    pause_at = sys.argv[1]

    def pause(point):
        if point == pause_at:
            print(point, flush=True)
            time.sleep(60)

    embedder.load = lambda settings: embedder.HashEmbedder()
    mark, insert = milvus.MilvusStore._mark, milvus.MilvusStore._insert_batches
    def slow_mark(self, doc_id, digest, state):
        mark(self, doc_id, digest, state)
        pause(f"marked-{state}")
    def slow_insert(self, name, records):
        insert(self, name, records[:1])
        pause(f"inserting-{name.split('_')[-1]}")
        insert(self, name, records[1:])
    milvus.MilvusStore._mark = slow_mark
    milvus.MilvusStore._insert_batches = slow_insert
    sys.exit(cli.main(["add", *sys.argv[2:]]))
    """
)


@pytest.mark.parametrize(
    "point", ["marked-writing", "inserting-passages", "inserting-sentences", "marked-done"]
)
@pytest.mark.slow
def test_a_killed_add_leaves_the_collections_as_the_corpus_folder(
    bot, milvus_settings, files, fake_settings, point
):
    bot.close()
    env = {
        "ASSISTANT_STORE": "milvus",
        "ASSISTANT_MILVUS_URI": milvus_settings.milvus_uri,
        "ASSISTANT_CORPUS_DIR": str(milvus_settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(milvus_settings.index_dir),
        "ASSISTANT_SHOW_PROGRESS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_ADD, point, str(files["md"])],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        assert line == point, process.stderr.read()  # type: ignore[union-attr]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL
    # Whatever the corpus folder holds now, the next load makes the collections hold it too.
    again = Assistant.load(milvus_settings, embedder=HashEmbedder())
    try:
        in_corpus = set(again.index.documents)
        assert set(again.store.stored()) == in_corpus
        assert all(state == "done" for _, state in again.store.stored().values())
        assert again.store.counts() == {
            "passages": len(again.index.passages),
            "sentences": len(again.index.sentences),
            "documents": len(in_corpus),
        }
        faiss = Assistant.load(fake_settings, embedder=HashEmbedder())
        assert set(faiss.index.documents) == in_corpus
        assert results(again) == results(faiss)
    finally:
        again.close()


# ---------------------------------------------------------------- the real model


@pytest.mark.model
@pytest.mark.slow
def test_dev_set_numbers_equal_faiss(real_bot, real_settings, tmp_path):
    from assistant import evaluate

    items = evaluate.read_items(DEV_SET)
    bot = Assistant.load(
        real_settings.model_copy(
            update={"store": "milvus", "milvus_uri": str(tmp_path / "milvus.db")}
        ),
        embedder=real_bot.embedder,
    )
    try:
        faiss_r, milvus_r = (evaluate.evaluate_retrieval(b, items, k=5) for b in (real_bot, bot))
        faiss_a, milvus_a = (evaluate.evaluate_answers(b, items, k=5) for b in (real_bot, bot))
        for group, scores in faiss_r.groups.items():
            assert milvus_r.groups[group].r5 == pytest.approx(scores.r5, abs=0.01), group
            assert milvus_r.groups[group].mrr == pytest.approx(scores.mrr, abs=0.01), group
        for group, scores in faiss_a.groups.items():
            got = milvus_a.groups[group]
            assert got.fact_recall == pytest.approx(scores.fact_recall, abs=0.01), group
            assert got.citation_hit == pytest.approx(scores.citation_hit, abs=0.01), group
            assert got.abstained_unanswerable == scores.abstained_unanswerable, group
    finally:
        bot.close()


def test_collections_left_half_created_are_made_again(bot, milvus_settings):
    bot.store.client.drop_collection(bot.store.documents)  # as if killed while creating them
    bot.close()
    again = Assistant.load(milvus_settings, embedder=HashEmbedder())
    try:
        assert again.store.written == [BULLETIN_ID]
        assert again.store.counts()["passages"] == len(again.index.passages)
    finally:
        again.close()
