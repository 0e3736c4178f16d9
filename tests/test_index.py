import json
import os
import stat

import pytest

from assistant import Assistant, IndexProblem
from assistant.embed.embedder import HashEmbedder
from assistant.store import index as index_mod

QUERIES = [
    "singapore ho tro doanh nghiep vua va nho",
    "Hàn Quốc dùng robot làm gì?",
    "WeChat users",
]


def results(bot):
    return [[(h.passage.id, h.score) for h in bot.search(q, k=5)] for q in QUERIES]


def test_save_then_load_gives_identical_results(fake_bot, fake_settings):
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert again.notices == []
    assert again.index.manifest.built_at == fake_bot.index.manifest.built_at  # loaded, not rebuilt
    assert results(again) == results(fake_bot)


def test_manifest_describes_the_index(fake_bot, fake_settings):
    manifest = json.loads((fake_settings.index_dir / "manifest.json").read_text())
    assert manifest["format_version"] == index_mod.FORMAT_VERSION
    assert manifest["model"] == "hash-embedder" and manifest["dim"] == 64
    assert manifest["passage_count"] == len(fake_bot.index.passages)
    assert set(manifest["files"]) >= {
        "passages.jsonl",
        "embeddings.npy",
        "dense.faiss",
        "documents.json",
    }
    assert (fake_settings.index_dir / "README.md").read_text() == index_mod.README


def test_no_pickle_in_the_index(fake_bot, fake_settings):
    for path in fake_settings.index_dir.rglob("*"):
        assert path.suffix in {".json", ".jsonl", ".npy", ".faiss", ".md", ""}, path


def test_changed_corpus_triggers_a_rebuild(fake_bot, fake_settings):
    doc = next(fake_settings.corpus_dir.glob("*.txt"))
    doc.write_text(
        doc.read_text() + "\n\nMột đoạn mới về Việt Nam và chính phủ số.\n", encoding="utf-8"
    )
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any("corpus has changed" in n for n in again.notices)
    assert any("Việt Nam" in p.text for p in again.index.passages)


def test_other_model_triggers_a_rebuild(fake_bot, fake_settings):
    again = Assistant.load(fake_settings, embedder=HashEmbedder(dim=32, name="other"))
    assert any("built with model" in n for n in again.notices)
    assert again.index.manifest.dim == 32


@pytest.mark.parametrize(
    "name",
    ["passages.jsonl", "embeddings.npy", "dense.faiss", "documents.json", "bm25/params.index.json"],
)
def test_truncated_file_is_detected_and_rebuilt(fake_bot, fake_settings, name):
    path = fake_settings.index_dir / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexProblem, match="corrupt or truncated"):
        index_mod.load(fake_settings.index_dir)
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any("corrupt" in n for n in again.notices)
    assert results(again) == results(fake_bot)


def test_garbage_manifest_is_rebuilt(fake_bot, fake_settings):
    (fake_settings.index_dir / "manifest.json").write_text("{not json")
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any("unreadable" in n for n in again.notices)
    assert results(again) == results(fake_bot)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_index_folder_gives_a_clear_message(fake_settings, tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        settings = fake_settings.model_copy(update={"index_dir": parent / "index"})
        with pytest.raises(IndexProblem, match="cannot write the index"):
            Assistant.load(settings, embedder=HashEmbedder())
    finally:
        parent.chmod(stat.S_IRWXU)


def test_unwritable_index_location_gives_a_clear_message(fake_settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = fake_settings.model_copy(update={"index_dir": blocker / "index"})
    with pytest.raises(IndexProblem, match="cannot write the index"):
        Assistant.load(settings, embedder=HashEmbedder())
