"""Shared fixtures: the real bulletin, a fast fake embedder, and (once) the real model.

Every test runs under an audit (`tests/audit/sitecustomize.py`): a test, or a Python subprocess
it starts, that opens a file beside the repository (`../shared/…`, another clone) fails.
"""

from __future__ import annotations

import getpass
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.embed.embedder import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BULLETIN = CORPUS / "ban-tin-2021-02-dmst-dich-vu-cong.txt"
EVAL = ROOT / "eval"  # the development sets, carried by the repository
DEV_SET = EVAL / "dev.jsonl"


def _start_audit():
    """The audit of this run, in this process and (through PYTHONPATH) in its Python children."""
    folder = Path(__file__).resolve().parent / "audit"
    spec = importlib.util.spec_from_file_location(
        "assistant_test_audit", folder / "sitecustomize.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    temp = tempfile.gettempdir()
    allowed = [
        os.path.join(temp, f"pytest-of-{getpass.getuser()}"),
        os.environ.get("GRADIO_TEMP_DIR") or os.path.join(temp, "gradio"),
        sys.prefix,
        sys.base_prefix,
        *site.getsitepackages(),
        os.path.expanduser("~"),
        os.environ.get("ASSISTANT_CACHE_DIR") or os.path.expanduser("~/.cache"),
    ]
    audit = module.Audit.start(str(ROOT), log="", allowed=allowed)
    handle, audit.log = tempfile.mkstemp(prefix="assistant-audit-", suffix=".log")
    os.close(handle)
    os.environ[module.ENV] = audit.env()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(folder), os.environ.get("PYTHONPATH")])
    )
    return audit.install()


AUDIT = _start_audit()


def audit_findings() -> list[str]:
    """The forbidden opens since the last call, in this process and in subprocesses (then forgotten)."""
    found = [f"this process: {path}" for path in AUDIT.found]
    AUDIT.found.clear()
    with open(AUDIT.log, "r+", encoding="utf-8") as log:
        found += log.read().splitlines()
        log.seek(0)
        log.truncate()
    return found


@pytest.fixture(autouse=True)
def _opens_nothing_beside_the_repository():
    yield
    found = audit_findings()
    if found:
        pytest.fail(
            "opened a file outside the repository, beside it (the tests carry their data):\n  "
            + "\n  ".join(found),
            pytrace=False,
        )


def pytest_sessionfinish(session, exitstatus):
    found = audit_findings()
    if found:
        print(
            "\nopened outside the repository, beside it:\n  " + "\n  ".join(found), file=sys.stderr
        )
        session.exitstatus = 1
    try:
        os.unlink(AUDIT.log)
    except OSError:
        pass


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
