"""Adding and removing documents: only new or changed documents are encoded, nothing leaks."""

import json
import shutil

import numpy as np
import pytest

from assistant import Assistant, CorpusError, IndexProblem
from assistant.embed.embedder import HashEmbedder
from assistant.ingest import formats
from assistant.store import index as index_mod

from . import make_documents as make
from .test_index import QUERIES

BULLETIN_ID = "ban-tin-2021-02-dmst-dich-vu-cong"


class CountingEmbedder(HashEmbedder):
    """The fake embedder, remembering every document text it was asked to encode."""

    def __init__(self, fail_after: int | None = None, error: BaseException | None = None):
        super().__init__()
        self.encoded: list[str] = []
        self.fail_after = fail_after
        self.error = error or RuntimeError("the model ran out of memory")

    def encode_documents(self, texts, *, progress=False):
        if self.fail_after is not None and len(self.encoded) >= self.fail_after:
            raise self.error
        self.encoded += texts
        return super().encode_documents(texts)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make.sample_files(tmp_path_factory.mktemp("incoming"))


@pytest.fixture
def embedder():
    return CountingEmbedder()


@pytest.fixture
def bot(fake_settings, embedder):
    bot = Assistant.load(fake_settings, embedder=embedder)
    embedder.encoded.clear()
    return bot


def results(bot):
    searches = [[(h.passage.id, h.score) for h in bot.search(q, k=5)] for q in QUERIES]
    answers = [bot.ask(q).model_dump(exclude={"timings"}) for q in QUERIES]
    return searches, answers


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def entry(bot, doc_id):
    return next(e for e in bot.index.manifest.documents if e.id == doc_id)


def test_adding_a_document_encodes_only_that_document(bot, embedder, files):
    stored = bot.index.embeddings.copy()
    calls = embedder.calls
    assert bot.add([files["pdf"]]) == ["ban-tin-2021-03-y-te-so"]
    added = entry(bot, "ban-tin-2021-03-y-te-so")
    assert embedder.calls == calls + 1  # one encoder call, for the new document only
    assert len(embedder.encoded) == added.passages + added.sentences
    assert all(BULLETIN_ID not in t for t in embedder.encoded)
    assert bot.index.manifest.embedded == ["ban-tin-2021-03-y-te-so"]
    rows = bot.index.rows[BULLETIN_ID]
    assert np.array_equal(bot.index.embeddings[rows.start : rows.stop], stored)


def test_second_add_does_not_encode_the_first_again(bot, embedder, files):
    bot.add([files["pdf"]])
    embedder.encoded.clear()
    bot.add([files["docx"], files["md"]])
    docx, md = entry(bot, "kinh-te-tuan-hoan-ha-lan"), entry(bot, "sejong")
    assert len(embedder.encoded) == docx.passages + docx.sentences + md.passages + md.sentences
    assert bot.index.manifest.embedded == ["kinh-te-tuan-hoan-ha-lan", "sejong"]


def test_added_files_and_sidecars_are_copied_into_the_corpus(bot, files, fake_settings, tmp_path):
    source = shutil.copy(files["md"], tmp_path / "sejong.md")
    (tmp_path / "sejong.meta.json").write_text('{"issue": "Số 5/2021 (bổ sung)"}')
    bot.add([source])
    corpus = fake_settings.corpus_dir
    assert (corpus / "sejong.md").read_bytes() == files["md"].read_bytes()
    assert json.loads((corpus / "sejong.meta.json").read_text())["issue"] == "Số 5/2021 (bổ sung)"
    assert bot.index.documents["sejong"].issue == "Số 5/2021 (bổ sung)"
    assert not list(corpus.glob(".*"))  # no temporary or backup file left behind


def test_removed_document_is_gone_from_dense_and_lexical_results(bot, files):
    bot.add([files["md"]])
    question = "xe buýt tự lái chở khách miễn phí ở Sejong"
    for mode in ("dense", "lexical"):
        assert bot.search(question, k=3, mode=mode)[0].passage.doc_id == "sejong"
    bot.remove("sejong")
    n = len(bot.index.passages)
    assert n == len(bot.index.vectors) == bot.index.embeddings.shape[0]
    assert len(bot.index.lexical.scores(["sejong"])) == n
    for mode in ("dense", "lexical"):
        hits = bot.search(question, k=n, mode=mode)
        assert hits and all(h.passage.doc_id == BULLETIN_ID for h in hits)
    assert "sejong" not in bot.index.lexical.vocab
    assert not any("Sejong" in p.text for p in bot.index.passages)


def test_bulletin_results_are_unchanged_after_add_and_remove(bot, files, fake_settings):
    before = results(bot)
    bot.add([files["pdf"], files["docx"]])
    bot.remove("ban-tin-2021-03-y-te-so")
    bot.remove("kinh-te-tuan-hoan-ha-lan")
    assert results(bot) == before
    assert results(Assistant.load(fake_settings, embedder=HashEmbedder())) == before


def test_faiss_rows_are_the_passages_after_adds_and_removes(bot, files, fake_settings):
    bot.add([files["md"], files["pdf"]])
    bot.remove("sejong")
    bot.add([files["docx"]])
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert again.notices == [] and [p.id for p in again.index.passages] == [
        p.id for p in bot.index.passages
    ]
    index = again.index
    for vectors, embeddings in (
        (index.vectors, index.embeddings),
        (index.sentence_vectors, index.sentence_embeddings),
    ):
        assert len(vectors) == len(embeddings)
        scores, rows = vectors.search(embeddings, k=1)
        # each stored vector finds itself (or an identical twin) at its own row
        assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
        assert np.allclose(embeddings[rows[:, 0]], embeddings, atol=1e-6)
    owners = index.sentences[:, 0]
    for doc_id, rows in index.rows.items():
        assert all(index.passages[i].doc_id == doc_id for i in rows)
        mine = owners[(owners >= rows.start) & (owners < rows.stop)]
        assert len(mine) == entry(again, doc_id).sentences


def test_load_updates_a_stale_index_encoding_only_new_documents(
    bot, files, fake_settings, embedder
):
    shutil.copy(files["docx"], fake_settings.corpus_dir)
    again = Assistant.load(fake_settings, embedder=embedder)
    assert any(
        "corpus has changed" in n and "added kinh-te-tuan-hoan-ha-lan" in n for n in again.notices
    )
    new = entry(again, "kinh-te-tuan-hoan-ha-lan")
    assert len(embedder.encoded) == new.passages + new.sentences


def test_changed_document_is_encoded_again_and_others_are_not(bot, files, fake_settings, embedder):
    bot.add([files["md"]])
    changed = fake_settings.corpus_dir / "sejong.md"
    changed.write_text(make.MARKDOWN + "\n## Năng lượng\n\nMái nhà lắp pin mặt trời.\n")
    embedder.encoded.clear()
    again = Assistant.load(fake_settings, embedder=embedder)
    assert any("changed sejong" in n for n in again.notices)
    assert again.index.manifest.embedded == ["sejong"]
    md = entry(again, "sejong")
    assert len(embedder.encoded) == md.passages + md.sentences
    assert any("pin mặt trời" in p.text for p in again.index.passages)


def test_metadata_change_encodes_nothing(bot, fake_settings, embedder):
    sidecar = fake_settings.corpus_dir / f"{BULLETIN_ID}.meta.json"
    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**meta, "issue": "Số 2/2021 (tái bản)"}, ensure_ascii=False))
    calls = embedder.calls
    again = Assistant.load(fake_settings, embedder=embedder)
    assert again.index.manifest.embedded == [] and embedder.calls == calls
    assert again.ask("WeChat có bao nhiêu người dùng?").citations[0].issue == "Số 2/2021 (tái bản)"


def test_unreadable_file_changes_nothing(bot, files, fake_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no OCR installed: the scan cannot be read
    corpus, index = snapshot(fake_settings.corpus_dir), snapshot(fake_settings.index_dir)
    with pytest.raises(CorpusError, match="no text layer"):
        bot.add([files["md"], files["scan"]])
    assert snapshot(fake_settings.corpus_dir) == corpus
    assert snapshot(fake_settings.index_dir) == index


@pytest.mark.parametrize("error", [RuntimeError("out of memory"), KeyboardInterrupt()])
def test_failed_or_interrupted_add_leaves_corpus_and_index_as_they_were(
    fake_settings, files, error
):
    embedder = CountingEmbedder(error=error)
    bot = Assistant.load(fake_settings, embedder=embedder)
    before = results(bot)
    corpus, index = snapshot(fake_settings.corpus_dir), snapshot(fake_settings.index_dir)
    embedder.fail_after = len(embedder.encoded)
    with pytest.raises(type(error)):
        bot.add([files["pdf"]])
    assert snapshot(fake_settings.corpus_dir) == corpus
    assert snapshot(fake_settings.index_dir) == index
    assert results(bot) == before  # the loaded assistant still answers as before
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert again.notices == [] and results(again) == before


def test_failed_save_leaves_corpus_as_it_was(bot, files, fake_settings, monkeypatch):
    corpus = snapshot(fake_settings.corpus_dir)

    def refuse(index, folder):
        raise IndexProblem("cannot write the index: disk full")

    monkeypatch.setattr(index_mod, "save", refuse)
    with pytest.raises(IndexProblem, match="disk full"):
        bot.add([files["docx"]])
    assert snapshot(fake_settings.corpus_dir) == corpus


def test_a_file_whose_id_another_file_has_is_refused(bot, files, tmp_path):
    bot.add([files["md"]])
    clash = tmp_path / "Sejong.txt"
    clash.write_text("Một văn bản khác về Sejong.", encoding="utf-8")
    with pytest.raises(CorpusError, match="already has"):
        bot.add([clash])


def test_adding_the_same_file_again_encodes_nothing(bot, files, embedder):
    bot.add([files["md"]])
    embedder.encoded.clear()
    bot.add([files["md"]])
    assert embedder.encoded == [] and bot.index.manifest.embedded == []


@pytest.mark.parametrize(
    "doc_id, message",
    [("no-such-doc", "no document 'no-such-doc'"), (BULLETIN_ID, "only document")],
)
def test_remove_says_what_is_wrong(bot, doc_id, message):
    with pytest.raises(CorpusError, match=message):
        bot.remove(doc_id)


def test_manifest_tracks_documents(bot, files, fake_settings):
    bot.add([files["pdf"]])
    manifest = json.loads((fake_settings.index_dir / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == [BULLETIN_ID, "ban-tin-2021-03-y-te-so"]
    assert sum(d["passages"] for d in manifest["documents"]) == manifest["passage_count"]
    pdf = manifest["documents"][1]
    assert pdf["sha256"] == bot.index.documents["ban-tin-2021-03-y-te-so"].sha256
    assert pdf["path"] == "ban-tin-2021-03-y-te-so.pdf"


def test_unchanged_pdf_and_docx_are_not_parsed_again(bot, files, fake_settings, monkeypatch):
    bot.add([files["pdf"], files["docx"]])

    def refuse(path):
        raise AssertionError(f"{path.name} was parsed again")

    monkeypatch.setattr(formats, "read_pdf", refuse)
    monkeypatch.setattr(formats, "read_docx", refuse)
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert again.notices == [] and again.sources == bot.sources
    assert [p.page for p in again.index.passages] == [p.page for p in bot.index.passages]


def test_cli_list_and_add_errors_need_no_model(bot, files, fake_settings):
    from .test_cli import run

    bot.add([files["pdf"]])
    shutil.copy(files["md"], fake_settings.corpus_dir)
    where = ["--corpus", str(fake_settings.corpus_dir), "--index", str(fake_settings.index_dir)]
    listing = run("list", *where)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["id", "passages", "pages", "document"]
    pdf = entry(bot, "ban-tin-2021-03-y-te-so")
    assert lines[2].split()[:4] == ["ban-tin-2021-03-y-te-so", str(pdf.passages), "2", "Số"]
    assert lines[3].startswith("sejong") and "not indexed" in lines[3]
    assert "updated on the next" in listing.stderr

    for path, message in [
        (files["scan"], "no text layer"),
        (files["pdf"].with_name("nope.pdf"), "cannot read"),
    ]:
        result = run("add", str(path), *where, env={"ASSISTANT_MODEL": "no-such/model"})
        assert result.returncode == 2 and message in result.stderr
        assert "Traceback" not in result.stderr
