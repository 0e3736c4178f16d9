"""The ONNX Runtime backends: the same model, exported once, giving the same answers."""

import json
import shutil

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.embed.embedder import OnnxEmbedder, load, model_path
from assistant.errors import ModelNotFound

pytest.importorskip("onnxruntime", reason="the ONNX backends need `pip install -e '.[onnx]'`")

TEXTS = [
    "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?",
    "singapore ho tro doanh nghiep vua va nho",
    "How does Singapore procure from SMEs?",
    "Chính phủ điều hành chương trình InnoLeap, đặt ra một thách thức.",
]


@pytest.fixture(scope="module")
def exported(real_bot):
    from assistant.embed import onnx_export as onnxexport

    return onnxexport.ensure(model_path(real_bot.settings))


@pytest.mark.model
@pytest.mark.parametrize("file, least", [("model.onnx", 0.9999), ("model_qint8.onnx", 0.98)])
def test_the_export_gives_the_torch_model_s_vectors(real_bot, exported, file, least):
    onnx = OnnxEmbedder(exported, "check", file=file)
    for encode in ("encode_queries", "encode_documents"):
        ours = getattr(onnx, encode)(TEXTS)
        theirs = getattr(real_bot.embedder, encode)(TEXTS)
        assert ours.shape == theirs.shape
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert np.min(np.sum(ours * theirs, axis=1)) >= least
    spec = json.loads((exported / "export.json").read_text(encoding="utf-8"))
    assert spec["cosine"][file] >= least  # what the export measured, recorded


@pytest.mark.model
def test_an_export_is_made_once_and_reused(exported):
    from assistant.embed import onnx_export as onnxexport

    before = (exported / "model_qint8.onnx").stat().st_mtime_ns
    assert onnxexport.is_current(exported.parent)
    assert onnxexport.ensure(exported.parent) == exported
    assert (exported / "model_qint8.onnx").stat().st_mtime_ns == before


@pytest.mark.model
def test_int8_answers_like_torch(real_bot, real_settings, exported, tmp_path):
    settings = real_settings.model_copy(
        update={"backend": "onnx-int8", "index_dir": tmp_path / "index"}
    )
    bot = Assistant.load(settings)
    assert isinstance(bot.embedder, OnnxEmbedder)
    assert bot.index.manifest.model.endswith("+onnx-int8")  # its own vectors, its own index
    for question in TEXTS[:3] + ["WeChat có bao nhiêu người dùng?"]:
        ours, theirs = bot.ask(question), real_bot.ask(question)
        assert not ours.abstained and not theirs.abstained
        assert ours.citations[0].passage_id == theirs.citations[0].passage_id
    assert bot.ask("Indonesia có bao nhiêu dân?").abstained


@pytest.mark.model
def test_a_torch_index_is_not_used_by_another_backend(real_bot, real_settings, exported, tmp_path):
    # Same dimension, slightly different vectors: the manifest names the backend, so a
    # torch index is rebuilt rather than searched with another backend's query vectors.
    shutil.copytree(real_settings.index_dir, tmp_path / "index")
    settings = real_settings.model_copy(update={"backend": "onnx", "index_dir": tmp_path / "index"})
    bot = Assistant.load(settings)
    assert any("+onnx" in n for n in bot.notices), bot.notices
    assert bot.index.manifest.model.endswith("+onnx")


def test_a_hub_name_needs_a_local_folder_for_onnx():
    settings = Settings(model="some-org/some-model", backend="onnx-int8")
    with pytest.raises(ModelNotFound, match="--model PATH"):
        load(settings)
