"""Feedback in PostgreSQL: a real server, started here on a temporary data folder and port.

The server is Debian's `postgresql` package (`make test` installs it when missing, as root; `sudo make system-deps`); without it,
or without psycopg, these tests are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant import Settings
from assistant.errors import AssistantError
from assistant.feedback import FeedbackLog, PostgresFeedback, open_feedback
from assistant.models import Answer, AnswerSentence, Citation, Passage, Span

psycopg = pytest.importorskip(
    "psycopg", reason='psycopg 3 is not installed (pip install -e ".[dev]")'
)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="module")
def postgres():
    """The URL of a fresh PostgreSQL server on 127.0.0.1, stopped and removed afterwards."""
    bin_dir = _binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (sudo make system-deps)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data, sockets = home / "data", home / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        _as_postgres(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                str(sockets),
                "-c",
                "fsync=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not start: {server.stderr.read().decode()[-500:]}"  # type: ignore[union-attr]
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()  # "smart" shutdown; the clients are gone by now
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()  # type: ignore[union-attr]
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def database(postgres: str) -> str:
    """A new empty database on the server, so each test starts without the table."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres.rsplit("/", 1)[0] + f"/{name}"


def _answer(text: str = "Singapo hỗ trợ doanh nghiệp nhỏ.") -> Answer:
    passage = Passage(
        id="doc#p1",
        doc_id="doc",
        section=["2. Kinh nghiệm", "2.4. Singapo"],
        paragraph=3,
        text=text,
        spans=[Span(start=0, end=len(text))],
    )
    citation = Citation(
        number=1,
        passage_id=passage.id,
        doc_id=passage.doc_id,
        document="Bản tin",
        issue="Số 2/2021",
        section_path=passage.section_path,
        paragraph=passage.paragraph,
        quote=text,
        quote_start=0,
        quote_end=len(text),
        source_spans=passage.to_source(0, len(text)),
        score=0.9,
    )
    return Answer(
        question="Singapo hỗ trợ doanh nghiệp thế nào?",
        query="Singapo hỗ trợ doanh nghiệp thế nào?",
        language="vi",
        text=f"{text} [1]",
        sentences=[AnswerSentence(text=text, citations=[1], support=0.7)],
        citations=[citation],
    )


def test_the_table_is_created_and_entries_read_back_as_written(database):
    log = PostgresFeedback(database)
    assert log.read() == []  # the table is created on first use
    written = log.record(_answer(), rating="dislike", comment="  thiếu\x00 nguồn  ", turn=2)
    (entry,) = log.read()
    assert entry == written
    assert entry.comment == "thiếu nguồn" and entry.turn == 2 and entry.rating == "dislike"
    assert entry.citations[0].quote == "Singapo hỗ trợ doanh nghiệp nhỏ."
    log.close()
    # A second writer (another app process) finds the table and the row.
    assert PostgresFeedback(database).read() == [written]


def test_sixteen_concurrent_writers_lose_nothing(database):
    # 16 writers, each its own connection (as 16 app processes would be), start at once on a
    # database without the table: they race to create it, then to insert.
    writers = [PostgresFeedback(database) for _ in range(16)]
    answer = _answer()

    def write(i: int) -> None:
        for j in range(25):
            writers[i].record(answer, rating="like", comment=f"{i}-{j}", session=f"s{i}", turn=j)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, range(16)))
    entries = PostgresFeedback(database).read()
    assert len(entries) == 16 * 25
    assert {e.comment for e in entries} == {f"{i}-{j}" for i in range(16) for j in range(25)}
    # each writer's rows in the order it wrote them
    for i in range(16):
        assert [e.turn for e in entries if e.session == f"s{i}"] == list(range(25))
    for writer in writers:
        writer.close()


def test_one_writer_shared_by_threads_loses_nothing(database):
    log = PostgresFeedback(database)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: log.record(_answer(), rating="like", comment=str(i)), range(80)))
    assert sorted(int(e.comment) for e in log.read()) == list(range(80))


def test_a_database_that_is_down_gives_a_message(postgres):
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(AssistantError, match="check ASSISTANT_FEEDBACK_URL"):
        PostgresFeedback(url).record(_answer(), rating="like")


def test_the_setting_picks_the_store(tmp_path, database, monkeypatch):
    assert isinstance(open_feedback(Settings(data_dir=tmp_path)), FeedbackLog)
    log = open_feedback(Settings(data_dir=tmp_path, feedback_url=database))
    assert isinstance(log, PostgresFeedback)
    monkeypatch.setenv("ASSISTANT_FEEDBACK_URL", database)
    assert Settings.from_env().feedback_url == database
    with pytest.raises(AssistantError, match="postgresql://"):
        open_feedback(Settings(data_dir=tmp_path, feedback_url="mysql://x@y/z"))
