"""Shared fixtures: the real bulletin, a fast fake embedder, and (once) the real model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.embed.embedder import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BULLETIN = CORPUS / "ban-tin-2021-02-dmst-dich-vu-cong.txt"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`python -m assistant ARGS` as a user runs it, from the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def source() -> str:
    return BULLETIN.read_text(encoding="utf-8")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


@pytest.fixture
def fake_settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    return Settings(
        corpus_dir=corpus_copy,
        index_dir=tmp_path / "index",
        show_progress=False,
        data_dir=tmp_path / "data",
    )


@pytest.fixture
def fake_bot(fake_settings: Settings) -> Assistant:
    return Assistant.load(fake_settings, embedder=HashEmbedder())


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("real")
    # ASSISTANT_CACHE_DIR (if set) says where the converted model is cached.
    return Settings.from_env(
        corpus_dir=CORPUS, index_dir=folder / "index", show_progress=False, data_dir=folder / "data"
    )


@pytest.fixture(scope="session")
def real_bot(real_settings: Settings) -> Assistant:
    """The real converted e5 model over the real bulletin (converted once per machine)."""
    return Assistant.load(real_settings)
