"""Bad input and faults lose nothing: each gets a clear message, and the index survives.

What was tried and what happened is tabled in tests/README.md. The wide matrix runs on the
Python API with the fake embedder; a few subprocess runs go through the real CLI (those
that load the real model are marked `model`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError, BadQuery, CorpusError, IndexProblem
from assistant.embed.embedder import HashEmbedder
from assistant.store import index as index_mod

from .conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["Hàn Quốc dùng robot làm gì?", "singapore ho tro doanh nghiep", "WeChat users"]

# Valid but hostile questions: each is answered (or abstained on) like any other.
ODD = {
    "control characters and NUL": "Hàn Quốc\x00 dùng\x07 robot\x1b[31m làm gì?\x7f",
    "right-to-left": "ما هي الحكومة الرقمية في سنغافورة؟ \u202eHàn Quốc",
    "emoji": "🤖 Hàn Quốc dùng robot 🇰🇷 làm gì? 👍🏽",
    "HTML and script": "<script>alert('x')</script><b>Singapore</b> &amp; <img src=x onerror=1>",
    "SQL-looking": "'; DROP TABLE passages; -- OR 1=1 UNION SELECT * FROM users",
    "path-looking": "../../../../etc/passwd C:\\Windows\\System32\\config ~/.ssh/id_rsa",
    "format strings": "{0} {__class__} %s %(x)d $HOME `id` Singapore",
    "combining marks only after a word": "robot" + "\u0301" * 500,
}
# Questions that cannot be searched: a BadQuery that says why.
BAD = {
    "empty": ("", "empty"),
    "whitespace only": (" \t\n\u00a0\u3000 ", "empty"),
    "20,000 characters": ("Singapore " * 1_999 + "Singapore?", "20,000 characters"),
    "control characters only": ("\x00\x01\x02\x1b\x7f", "empty"),
    "symbols and emoji only": ("🤖🤖 ?!… 👍", "no words"),
}


def results(bot: Assistant) -> list[list[tuple[str, float]]]:
    return [[(h.passage.id, h.score) for h in bot.search(q, k=5)] for q in QUERIES]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- bad input, Python API


@pytest.mark.parametrize("question", list(ODD.values()), ids=list(ODD))
def test_odd_questions_are_answered_or_abstained_on(fake_bot, question):
    hits = fake_bot.search(question)
    answer = fake_bot.ask(question)
    assert all(fake_bot.passage(h.passage.id) == h.passage for h in hits)
    assert answer.abstained or answer.citations
    json.loads(answer.model_dump_json())  # serialisable for the CLI and the UI


@pytest.mark.parametrize("question, message", list(BAD.values()), ids=list(BAD))
def test_unsearchable_questions_say_why(fake_bot, question, message):
    for call in (fake_bot.search, fake_bot.ask):
        with pytest.raises(BadQuery, match=message):
            call(question)


@pytest.mark.parametrize(
    "message, language, reply",
    [
        ("Xin chào!", "vi", "Xin chào! Tôi trả lời câu hỏi về bản tin"),
        ("hi there", "en", "Hello! I answer questions about the bulletin"),
        ("Cám ơn bạn nhiều nhé", "vi", "Không có gì."),
        ("thank you!", "en", "You're welcome."),
        ("thanks a lot", "en", "You're welcome."),  # "a" is no polite ending here
        ("Tạm biệt", "vi", "Tạm biệt!"),
    ],
)
def test_a_greeting_or_thanks_gets_a_reply_not_a_quote(fake_bot, message, language, reply):
    # they used to get a cited passage found for words that ask nothing
    answer = fake_bot.ask(message)
    assert answer.abstained and not answer.citations and not answer.related and answer.kind == "small-talk"
    assert answer.text.startswith(reply) and answer.language == language
    # the app shows the reply, not under "no answer found", and has nothing to verify
    from html import escape

    from assistant.app.render_answer import answer_html
    from assistant.app.render_common import labels
    from assistant.app.render_verify import verify_html

    page = answer_html(answer, lang="vi")
    assert escape(reply) in page and labels("vi")["abstained"] not in page
    assert labels("vi")["verify_empty"] in verify_html(answer, {}, lang="vi")


def test_a_question_that_starts_with_a_greeting_is_answered_as_a_question(fake_bot):
    answer = fake_bot.ask("Chào bạn, Songdo là gì?")
    assert "Tôi trả lời câu hỏi" not in answer.text


def test_a_question_that_is_not_text_says_so(fake_bot):
    with pytest.raises(BadQuery, match="must be text"):
        fake_bot.search(b"Singapore")  # type: ignore[arg-type]


def test_odd_questions_leave_later_answers_unchanged(fake_bot):
    before = results(fake_bot)
    for question in ODD.values():
        fake_bot.ask(question)
    for question, _ in BAD.values():
        with pytest.raises(BadQuery):
            fake_bot.ask(question)
    assert results(fake_bot) == before


# ---------------------------------------------------------------- bad corpus files

BAD_FILES = {
    "invalid UTF-8": ("latin1.txt", "Chính phủ số".encode("cp1258", "replace") + b"\xff\xfe\xc3"),
    "empty": ("empty.txt", b""),
    "whitespace only": ("blank.md", b" \n\t\n"),
    "binary named .txt": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
}
BAD_FILE_MESSAGES = {
    "invalid UTF-8": "not valid UTF-8",
    "empty": "empty",
    "whitespace only": "empty",
    "binary named .txt": "binary",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_next_to_good_ones_is_skipped_with_a_notice(fake_settings, kind):
    name, data = BAD_FILES[kind]
    (fake_settings.corpus_dir / name).write_bytes(data)
    bot = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any(name in n and BAD_FILE_MESSAGES[kind] in n for n in bot.notices), bot.notices
    assert bot.search(QUERIES[0])


def test_a_corpus_of_bad_files_only_says_why_for_each(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, data in BAD_FILES.values():
        (folder / name).write_bytes(data)
    settings = {"corpus_dir": folder, "index_dir": tmp_path / "index", "show_progress": False}
    from assistant import Settings

    with pytest.raises(CorpusError) as caught:
        Assistant.load(Settings(**settings), embedder=HashEmbedder())
    for kind, (name, _) in BAD_FILES.items():
        assert name in str(caught.value) and BAD_FILE_MESSAGES[kind] in str(caught.value)
    assert not (tmp_path / "index").exists()


# ---------------------------------------------------------------- bad input, the CLI


cli = functools.partial(run_cli, timeout=120)


def assert_clean_error(done: subprocess.CompletedProcess, message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    "question, message",
    [(BAD[k][0], BAD[k][1]) for k in ("whitespace only", "symbols and emoji only")],
    ids=["whitespace only", "symbols and emoji only"],
)
def test_cli_rejects_unsearchable_questions_before_loading_anything(tmp_path, question, message):
    started = time.perf_counter()
    done = cli("ask", question, "--index", str(tmp_path / "index"))
    assert_clean_error(done, message)
    assert not (tmp_path / "index").exists()
    assert time.perf_counter() - started < 30  # no model was loaded


def test_cli_build_from_a_corpus_of_bad_files(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, data in BAD_FILES.values():
        (folder / name).write_bytes(data)
    done = cli("build", "--corpus", str(folder), "--index", str(tmp_path / "index"))
    assert_clean_error(done, "no readable document")
    for kind, (name, _) in BAD_FILES.items():
        assert name in done.stderr and BAD_FILE_MESSAGES[kind] in done.stderr


def test_cli_with_a_corpus_path_that_is_a_file(tmp_path):
    not_a_folder = tmp_path / "corpus.txt"
    not_a_folder.write_text("Singapore", encoding="utf-8")
    done = cli("search", "Singapore", "--corpus", str(not_a_folder))
    assert_clean_error(done, "does not exist")


def test_cli_with_an_index_path_that_is_a_file_refuses_and_keeps_the_file(tmp_path):
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("keep me", encoding="utf-8")
    done = cli("ask", "Singapore", "--index", str(not_a_folder))
    assert_clean_error(done, "is a file; give a folder")
    assert not_a_folder.read_text(encoding="utf-8") == "keep me"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_adding_a_named_pipe_is_refused_without_waiting(tmp_path):
    pipe = tmp_path / "notes.txt"
    os.mkfifo(pipe)
    done = cli("add", str(pipe), "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index"), timeout=60)
    assert_clean_error(done, "not a regular file")


@pytest.mark.model
@pytest.mark.slow
def test_a_reader_that_goes_away_is_no_traceback(real_bot, real_settings):
    # `python -m assistant search … | head -c 1`: the pipe closes after the first byte
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "Singapore", "-k", "20",
         "--corpus", str(real_settings.corpus_dir), "--index", str(real_settings.index_dir)],  # fmt: skip
        cwd=Path(__file__).resolve().parents[1],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    reader.stdin.close()
    reader.wait()
    assert "Traceback" not in done.stderr and done.returncode in (0, 1)


@pytest.mark.model
@pytest.mark.parametrize("command", ["search", "ask"])
def test_cli_names_a_section_that_matches_nothing(real_bot, real_settings, tmp_path, command):
    # it used to answer "Bản tin không đề cập đến …": the filter, not the bulletin, was empty
    env = {
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
        "ASSISTANT_CACHE_DIR": str(real_settings.cache_dir),
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    done = cli(command, "Singapore có bao nhiêu dân?", "--section", "khong ton tai", env=env, timeout=300)
    assert_clean_error(done, "no section matches 'khong ton tai'")
    assert "2.4. Singapo" in done.stderr  # the headings it could have been


@pytest.mark.model
@pytest.mark.parametrize("command", ["search", "ask"])
def test_cli_answers_hostile_text_with_the_real_model(real_bot, real_settings, tmp_path, command):
    # NUL cannot travel in argv (execve ends the string there); the API test covers it.
    question = " ".join(v for k, v in ODD.items() if k != "control characters and NUL")
    question += " \x07\x1b[2J Hàn Quốc dùng robot làm gì?"
    env = {
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
        "ASSISTANT_CACHE_DIR": str(real_settings.cache_dir),
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    done = cli(command, question, "--json", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    json.loads(done.stdout)


# ---------------------------------------------------------------- faults: a killed build

# A build in a subprocess, through the real CLI, with two seams: the fake embedder in place
# of the model (fast, deterministic), and a pause at one point of the build announced on
# stdout, so the test kills it exactly there.
KILLABLE_BUILD = textwrap.dedent(
    """
    import sys, time
    from assistant import cli
    from assistant.embed import embedder
    from assistant.store import disk as index, vectors  # save and its renames live in disk.py
    pause_at = sys.argv[1]

    def pause(point):
        if point == pause_at:
            print(point, flush=True)
            time.sleep(60)

    class Fake(embedder.HashEmbedder):
        def encode_documents(self, texts, *, progress=False):
            pause("encoding")
            return super().encode_documents(texts)

    embedder.load = lambda settings: Fake()
    save_vectors = vectors.VectorIndex.save
    def slow_save(self, path):
        pause("writing")  # some files of the new index are written, others not yet
        save_vectors(self, path)
    vectors.VectorIndex.save = slow_save
    replace = index.os.replace
    def slow_replace(src, dst):
        pause("renaming" if ".tmp-" in str(src) else "setting-aside")
        replace(src, dst)
    index.os.replace = slow_replace
    pause("started")
    sys.exit(cli.main(["build", "--corpus", sys.argv[2], "--index", sys.argv[3]]))
    """
)


@pytest.mark.parametrize("point", ["started", "encoding", "writing", "setting-aside", "renaming"])
def test_a_build_killed_at_any_point_leaves_the_previous_index(fake_bot, fake_settings, point):
    folder = fake_settings.index_dir
    before, answers = digests(folder), results(fake_bot)
    # A changed corpus, so a build that got through would leave a different index.
    doc = next(fake_settings.corpus_dir.glob("*.txt"))
    original = doc.read_bytes()
    doc.write_text(doc.read_text(encoding="utf-8") + "\n\nMột đoạn mới.\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_BUILD, point, str(fake_settings.corpus_dir), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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
    doc.write_bytes(original)
    # The previous index loads without a rebuild, whole byte for byte, and nothing of the
    # killed build is left over (killed between its renames, the set-aside index is put back).
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert again.notices == []
    assert again.index.manifest.built_at == fake_bot.index.manifest.built_at
    assert results(again) == answers
    assert digests(folder) == before
    assert not list(folder.parent.glob(f".{folder.name}.*"))


@pytest.mark.model
@pytest.mark.parametrize("delay", [0.5, 3.0, 8.0])
def test_the_real_build_killed_while_it_starts_changes_nothing(fake_bot, fake_settings, delay):
    folder = fake_settings.index_dir
    before = digests(folder)
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(folder)}
    env["ASSISTANT_CORPUS_DIR"] = str(fake_settings.corpus_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "build"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # Importing, loading or encoding: the index folder was not touched. The ONNX backend
    # can reach the atomic rename within seconds: then the folder is the whole new index.
    if process.returncode == -signal.SIGKILL and digests(folder) != before:
        rebuilt = index_mod.load(folder)  # every file's checksum verified
        assert rebuilt.manifest.corpus_fingerprint == fake_bot.index.manifest.corpus_fingerprint
    assert results(Assistant.load(fake_settings, embedder=HashEmbedder())) == results(fake_bot)


# ---------------------------------------------------------------- faults: damaged files


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "one byte flipped":
        i = len(data) // 2
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1 :])
    elif how == "deleted":
        path.unlink()
    elif how == "grown":
        path.write_bytes(data + b"\n{}\n")


HOW = ["truncated", "emptied", "one byte flipped", "deleted", "grown"]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    """One index built with the fake embedder, copied by each test that damages it."""
    from assistant import Settings

    folder = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOT / "corpus", folder / "corpus")
    Assistant.load(
        Settings(corpus_dir=folder / "corpus", index_dir=folder / "index", show_progress=False),
        embedder=HashEmbedder(),
    )
    return folder / "index"


def index_files(folder: Path) -> list[str]:
    return sorted(json.loads((folder / "manifest.json").read_text())["files"])


def test_every_file_of_the_index_is_under_the_manifest(built_index):
    on_disk = {p.relative_to(built_index).as_posix() for p in built_index.rglob("*") if p.is_file()}
    assert on_disk - set(index_files(built_index)) == {"manifest.json", "README.md"}


@pytest.mark.parametrize("how", HOW)
def test_each_damaged_file_is_detected_by_name(built_index, tmp_path, how):
    for name in index_files(built_index):
        if how != "deleted" and how != "grown" and not (built_index / name).stat().st_size:
            continue  # an empty file (no PDF or Word sources) cannot be cut or flipped
        copy = tmp_path / name.replace("/", "_")
        shutil.copytree(built_index, copy)
        damage(copy / name, how)
        with pytest.raises(IndexProblem) as caught:
            index_mod.load(copy)
        assert name in str(caught.value), (name, how, str(caught.value))


@pytest.mark.parametrize(
    "name", ["passages.jsonl", "dense.faiss", "sentences.npy", "bm25/vocab.index.json"]
)
def test_a_damaged_index_is_rebuilt_with_a_notice_and_answers_the_same(
    fake_bot, fake_settings, name
):
    answers = results(fake_bot)
    damage(fake_settings.index_dir / name, "one byte flipped")
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any(name in n and "corrupt" in n for n in again.notices), again.notices
    assert results(again) == answers
    index_mod.load(fake_settings.index_dir)  # whole again


@pytest.mark.parametrize(
    "change",
    ["deleted", "emptied", "truncated", "not an object", "wrong field type", "unknown format"],
)
def test_a_damaged_manifest_is_rebuilt(fake_bot, fake_settings, change):
    path = fake_settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    if change == "deleted":
        path.unlink()
    elif change == "emptied":
        path.write_text("")
    elif change == "truncated":
        path.write_text(path.read_text()[:100])
    elif change == "not an object":
        path.write_text("[1, 2, 3]")
    elif change == "wrong field type":
        path.write_text(json.dumps({**manifest, "passage_count": "many"}))
    elif change == "unknown format":
        path.write_text(json.dumps({**manifest, "format_version": 999}))
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert results(again) == results(fake_bot)
    if change != "deleted":
        assert again.notices, change
    assert (
        index_mod.load(fake_settings.index_dir).manifest.format_version == index_mod.FORMAT_VERSION
    )


def test_a_manifest_that_lies_about_the_counts_is_caught(fake_settings, fake_bot):
    path = fake_settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "passage_count": manifest["passage_count"] + 1}))
    with pytest.raises(IndexProblem, match="disagree"):
        index_mod.load(fake_settings.index_dir)
    assert results(Assistant.load(fake_settings, embedder=HashEmbedder())) == results(fake_bot)


# ---------------------------------------------------------------- faults: someone else's index


def test_an_index_of_another_corpus_is_rebuilt(fake_bot, fake_settings, tmp_path):
    from assistant import Settings

    other = tmp_path / "other-corpus"
    other.mkdir()
    (other / "note.md").write_text(
        "# Ghi chú\n\nMột tài liệu khác về Nhật Bản.\n", encoding="utf-8"
    )
    foreign = tmp_path / "foreign-index"
    Assistant.load(
        Settings(corpus_dir=other, index_dir=foreign, show_progress=False), embedder=HashEmbedder()
    )
    shutil.rmtree(fake_settings.index_dir)
    shutil.copytree(foreign, fake_settings.index_dir)
    again = Assistant.load(fake_settings, embedder=HashEmbedder())
    assert any("corpus has changed" in n for n in again.notices), again.notices
    assert {p.doc_id for p in again.index.passages} == {p.doc_id for p in fake_bot.index.passages}
    assert results(again) == results(fake_bot)


def test_an_index_of_another_model_with_the_same_dimension_is_rebuilt(fake_bot, fake_settings):
    again = Assistant.load(fake_settings, embedder=HashEmbedder(dim=64, name="another-model"))
    assert any("built with model" in n for n in again.notices)
    assert index_mod.read_manifest(fake_settings.index_dir).model == "another-model"


# ---------------------------------------------------------------- faults: nowhere to write


def immutable(path: Path) -> bool:
    """Make `path` unwritable even for root (`chattr +i`), or by permissions for others."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return True
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    return done.returncode == 0


def mutable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        path.chmod(0o755)


@pytest.mark.skipif(
    shutil.which("chattr") is None and os.name == "posix" and os.geteuid() == 0,
    reason="root without chattr: nothing makes a folder read-only",
)
def test_a_read_only_index_location_gives_a_clear_message(fake_settings, tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    if not immutable(parent):
        pytest.skip("chattr +i is not supported on this file system")
    try:
        settings = fake_settings.model_copy(update={"index_dir": parent / "index"})
        with pytest.raises(IndexProblem, match="cannot write the index") as caught:
            Assistant.load(settings, embedder=HashEmbedder())
        assert "--index" in str(caught.value)  # says what to do
    finally:
        mutable(parent)


@pytest.mark.skipif(
    shutil.which("chattr") is None and os.name == "posix" and os.geteuid() == 0,
    reason="root without chattr: nothing makes a folder read-only",
)
def test_a_current_index_in_a_read_only_folder_still_answers(fake_bot, fake_settings):
    folder = fake_settings.index_dir
    if not immutable(folder.parent):
        pytest.skip("chattr +i is not supported on this file system")
    try:
        again = Assistant.load(fake_settings, embedder=HashEmbedder())
        assert again.notices == [] and results(again) == results(fake_bot)
        # A stale one cannot be rebuilt there: a clear message, and the old index stays.
        doc = next(fake_settings.corpus_dir.glob("*.txt"))
        doc.write_text(doc.read_text(encoding="utf-8") + "\n\nMột đoạn mới.\n", encoding="utf-8")
        before = digests(folder)
        with pytest.raises(IndexProblem, match="cannot write the index"):
            Assistant.load(fake_settings, embedder=HashEmbedder())
        assert digests(folder) == before
    finally:
        mutable(folder.parent)


def test_errors_are_assistant_errors_for_the_cli_and_ui():
    for error in (BadQuery, CorpusError, IndexProblem):
        assert issubclass(error, AssistantError)


# The CLI with the fake embedder in place of the model (fast, deterministic).
FAKE_CLI = textwrap.dedent(
    """
    import sys
    from assistant import cli
    from assistant.embed import embedder
    embedder.load = lambda settings: embedder.HashEmbedder()
    sys.exit(cli.main(sys.argv[1:]))
    """
)


def test_a_stale_index_is_announced_once_and_the_rebuild_is_quiet(fake_settings, tmp_path):
    corpus, folder = tmp_path / "stale" / "corpus", tmp_path / "stale" / "index"
    shutil.copytree(fake_settings.corpus_dir, corpus)
    run = functools.partial(subprocess.run, cwd=ROOT, capture_output=True, text=True, timeout=300)
    built = run([sys.executable, "-c", FAKE_CLI, "build", "--corpus", str(corpus), "--index", str(folder)])
    assert built.returncode == 0, built.stderr
    doc = next(corpus.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\n\nMột đoạn mới.\n", encoding="utf-8")
    done = run([sys.executable, "-c", FAKE_CLI, "ask", "Songdo trị giá bao nhiêu?", "--corpus", str(corpus), "--index", str(folder)])
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("the corpus has changed since the index was built") == 1  # it printed twice
    assert "Building index from tokens" not in done.stderr  # bm25s's own debug line
