"""A clone carries what its tests read: nothing beside the repository is opened.

The audit in `conftest.py` fails any test that opens a file under the repository's parent
folder but outside the repository (`../shared/eval/…`, another clone); these tests prove it
catches such an open, in the pytest process and in a Python subprocess, and that the data
the tests read is in the repository.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import AUDIT, DEV_SET, EVAL, ROOT, audit_findings

BESIDE = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def test_an_open_beside_the_repository_is_caught_in_this_process():
    audit_findings()
    try:
        open(BESIDE, encoding="utf-8").close()
    except OSError:
        pass  # absent on a fresh clone: the attempt is what counts
    assert audit_findings() == [f"this process: {BESIDE}"]


def test_an_open_beside_the_repository_is_caught_in_a_subprocess():
    audit_findings()
    code = f"try:\n    open({str(BESIDE)!r})\nexcept OSError:\n    pass\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
    found = audit_findings()
    assert len(found) == 1 and found[0].endswith(f": {BESIDE}"), found


def test_opens_inside_the_repository_and_in_temporary_folders_pass(tmp_path):
    audit_findings()
    DEV_SET.read_text(encoding="utf-8")
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    assert audit_findings() == []
    assert not AUDIT.forbidden(ROOT / "corpus" / "x") and AUDIT.forbidden(BESIDE)


def test_the_development_sets_are_in_the_repository():
    for name in ("dev.jsonl", "dev2.jsonl", "dev2_followups.jsonl", "paraphrase-dev.jsonl"):
        assert (EVAL / name).stat().st_size > 0, name
    assert EVAL.parent == ROOT


def test_no_test_bench_or_make_target_names_a_folder_beside_the_repository():
    here = Path(__file__).resolve()
    files = [
        *ROOT.glob("tests/*.py"),
        *ROOT.glob("bench/*.py"),
        ROOT / "Makefile",
        ROOT / ".ci" / "run",
    ]
    beside = re.compile(r"ROOT\.parent|\.\./shared/eval|\"shared\" / \"eval\"")
    named = [
        f.name
        for f in files
        if f.resolve() != here and beside.search(f.read_text(encoding="utf-8"))
    ]
    assert named == [], named


def test_ci_runs_make_test_and_nothing_else():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]
    assert commands[-1] == "make test", commands
    assert not [c for c in commands if re.search(r"apt-get|pip |playwright", c)], commands


def test_the_readme_is_for_users_and_links_what_moved_to_docs():
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 12_000
    assert text.index("## Two commands") < text.index("## Command line")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    assert "docs/how-it-works.md" in links and "docs/measurements.md" in links
    assert [x for x in links if not x.startswith("http") and not (ROOT / x).exists()] == []
