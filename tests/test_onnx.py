"""The ONNX Runtime backends (the default, "onnx", and "onnx-int8") against torch.

The default backend answers without importing torch: checked here in fresh processes
(the CLI's `ask` and `search`, and the app's load path) through `sys.modules`.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.embed.embedder import OnnxEmbedder, SentenceTransformerEmbedder, load, model_path
from assistant.errors import ModelNotFound

from .conftest import CORPUS, ROOT

TEXTS = [
    "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?",
    "singapore ho tro doanh nghiep vua va nho",
    "How does Singapore procure from SMEs?",
    "Chính phủ điều hành chương trình InnoLeap, đặt ra một thách thức.",
]
HEAVY = ("torch", "sentence_transformers", "transformers")


def test_the_default_backend_is_onnx_fp32():
    assert Settings().backend == "onnx"


@pytest.fixture(scope="module")
def exported(real_bot):
    from assistant.embed import onnx_export as onnxexport

    return onnxexport.ensure(model_path(real_bot.settings))


@pytest.fixture(scope="module")
def torch_bot(real_bot, real_settings, tmp_path_factory):
    """The torch backend over a copy of the default backend's index, which it reuses."""
    folder = tmp_path_factory.mktemp("torch") / "index"
    shutil.copytree(real_settings.index_dir, folder)
    settings = real_settings.model_copy(update={"backend": "torch", "index_dir": folder})
    return Assistant.load(settings)


@pytest.mark.model
@pytest.mark.parametrize("file, least", [("model.onnx", 0.9999), ("model_qint8.onnx", 0.98)])
def test_the_export_gives_the_torch_model_s_vectors(torch_bot, exported, file, least):
    onnx = OnnxEmbedder(exported, "check", file=file)
    for encode in ("encode_queries", "encode_documents"):
        ours = getattr(onnx, encode)(TEXTS)
        theirs = getattr(torch_bot.embedder, encode)(TEXTS)
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
def test_torch_and_onnx_share_an_index_and_answer_alike(real_bot, torch_bot):
    # torch loaded the default backend's index as it was: no notice, nothing re-encoded.
    assert isinstance(real_bot.embedder, OnnxEmbedder) and real_bot.embedder.backend == "onnx"
    assert isinstance(torch_bot.embedder, SentenceTransformerEmbedder)
    assert torch_bot.notices == []
    assert torch_bot.index.manifest == real_bot.index.manifest
    assert real_bot.index.manifest.backend == "onnx"
    for question in TEXTS + ["WeChat có bao nhiêu người dùng?", "Indonesia có bao nhiêu dân?"]:
        ours, theirs = real_bot.ask(question), torch_bot.ask(question)
        assert ours.abstained == theirs.abstained
        assert [c.passage_id for c in ours.citations] == [c.passage_id for c in theirs.citations]
        assert ours.text == theirs.text


@pytest.mark.model
@pytest.mark.slow
def test_int8_keeps_its_own_index_and_answers_like_torch(torch_bot, real_settings, tmp_path):
    # Same dimension, slightly different vectors: an fp32 index is rebuilt for int8 rather
    # than searched with int8 query vectors.
    shutil.copytree(real_settings.index_dir, tmp_path / "index")
    settings = real_settings.model_copy(
        update={"backend": "onnx-int8", "index_dir": tmp_path / "index"}
    )
    bot = Assistant.load(settings)
    assert isinstance(bot.embedder, OnnxEmbedder)
    assert any("+onnx-int8" in n for n in bot.notices), bot.notices
    assert bot.index.manifest.model.endswith("+onnx-int8")
    assert bot.index.manifest.backend == "onnx-int8"
    for question in TEXTS[:3] + ["WeChat có bao nhiêu người dùng?"]:
        ours, theirs = bot.ask(question), torch_bot.ask(question)
        assert not ours.abstained and not theirs.abstained
        assert ours.citations[0].passage_id == theirs.citations[0].passage_id
    assert bot.ask("Indonesia có bao nhiêu dân?").abstained


def test_an_index_named_by_the_older_onnx_name_is_the_same_vector_space():
    from assistant.embed.base import same_vectors

    assert same_vectors("m", "m+onnx") and same_vectors("m+onnx", "m")
    assert not same_vectors("m", "m+onnx-int8") and not same_vectors("m+onnx", "m+onnx-int8")
    assert not same_vectors("m", "other")


# A fresh process does what a user's does, then reports the heavy modules it imported.
CHILD = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""
CLI_BODY = """
from assistant.cli import main
for argv in {argvs!r}:
    assert main(argv) == 0, argv
"""
APP_BODY = """
from assistant import Assistant, Settings
from assistant import app
bot = Assistant.load(Settings.from_env())
app.build(bot)
bot.ask("WeChat có bao nhiêu người dùng?")
"""


def heavy_modules_in_child(body: str, env: dict) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(body=body, heavy=HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        # the default backend: whatever ASSISTANT_BACKEND the tests run with is left out
        env={**{k: v for k, v in os.environ.items() if k != "ASSISTANT_BACKEND"}, **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.model
def test_asking_and_searching_never_import_torch(real_bot, real_settings):
    if real_settings.backend != "onnx":
        pytest.skip("the real index here is built by ASSISTANT_BACKEND, not the default")
    common = ["--corpus", str(CORPUS), "--index", str(real_settings.index_dir)]
    argvs = [
        ["ask", "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?", *common],
        ["search", "WeChat có bao nhiêu người dùng?", *common],
    ]
    env = {"ASSISTANT_CACHE_DIR": str(real_settings.cache_dir)}
    assert heavy_modules_in_child(CLI_BODY.format(argvs=argvs), env) == []


@pytest.mark.model
@pytest.mark.slow
def test_the_app_loads_and_answers_without_torch(real_bot, real_settings):
    if real_settings.backend != "onnx":
        pytest.skip("the real index here is built by ASSISTANT_BACKEND, not the default")
    pytest.importorskip("gradio")
    env = {
        "ASSISTANT_CORPUS_DIR": str(CORPUS),
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
        "ASSISTANT_CACHE_DIR": str(real_settings.cache_dir),
    }
    assert heavy_modules_in_child(APP_BODY, env) == []


@pytest.mark.model
@pytest.mark.slow
def test_the_probe_sees_torch_when_it_is_loaded():
    # The checks above are not vacuous: the same probe sees what sentence-transformers
    # (the torch backend) brings in.
    assert set(HEAVY) <= set(heavy_modules_in_child("import sentence_transformers", {}))


def test_a_hub_name_needs_a_local_folder_for_onnx():
    settings = Settings(model="some-org/some-model", backend="onnx-int8")
    with pytest.raises(ModelNotFound, match="--model PATH"):
        load(settings)
