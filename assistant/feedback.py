"""Likes and dislikes on answers, kept append-only as JSON lines under `Settings.data_dir`.

One click is one line. Each line is written with a single `write` to a file opened with
`O_APPEND`, under a lock (threads) and `flock` (processes), then `fsync`ed: two people
clicking at once never interleave or lose a line, and earlier lines are never rewritten.

>>> log = FeedbackLog(Path(tmp) / "feedback.jsonl")                 # doctest: +SKIP
>>> log.record(answer, rating="like", comment="rõ ràng")          # doctest: +SKIP

With `ASSISTANT_FEEDBACK_URL=postgresql://…` (`Settings.feedback_url`) the same rows go to
a PostgreSQL table instead (`PostgresFeedback`, psycopg 3), which any number of app
processes share; `open_feedback(settings)` picks one or the other.
"""

from __future__ import annotations

import fcntl
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .errors import AssistantError
from .models import Answer
from .text import clean

FILENAME = "feedback.jsonl"
MAX_COMMENT_CHARS = 2_000

Rating = Literal["like", "dislike", "none"]


class CitedQuote(BaseModel):
    number: int
    passage_id: str
    where: str
    quote: str


class Feedback(BaseModel):
    """One click: the rating, the optional comment, and the answer it was about."""

    timestamp: str
    rating: Rating
    comment: str = ""
    question: str
    query: str
    answer: str
    abstained: bool
    mode: str
    citations: list[CitedQuote] = Field(default_factory=list)
    turn: int | None = None
    session: str | None = None

    @classmethod
    def about(
        cls,
        answer: Answer,
        *,
        rating: Rating,
        comment: str = "",
        turn: int | None = None,
        session: str | None = None,
    ) -> Feedback:
        """The entry for one rating of `answer`, stamped now (UTC, milliseconds)."""
        return cls(
            timestamp=datetime.now(UTC).isoformat(timespec="milliseconds"),
            rating=rating,
            comment=clean(comment or "")[:MAX_COMMENT_CHARS],
            question=answer.question,
            query=answer.query,
            answer=answer.text,
            abstained=answer.abstained,
            mode=answer.mode,
            citations=[
                CitedQuote(number=c.number, passage_id=c.passage_id, where=c.where, quote=c.quote)
                for c in answer.citations
            ],
            turn=turn,
            session=session,
        )


class FeedbackStore:
    """Where ratings go: a JSONL file (`FeedbackLog`) or a PostgreSQL table
    (`PostgresFeedback`); each writes one entry with `write`."""

    def write(self, entry: Feedback) -> None:  # pragma: no cover - an interface
        raise NotImplementedError

    def record(
        self,
        answer: Answer,
        *,
        rating: Rating,
        comment: str = "",
        turn: int | None = None,
        session: str | None = None,
    ) -> Feedback:
        """Write one entry for this rating of `answer`, and return what was written."""
        entry = Feedback.about(answer, rating=rating, comment=comment, turn=turn, session=session)
        self.write(entry)
        return entry


class FeedbackLog(FeedbackStore):
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_folder(cls, data_dir: Path) -> FeedbackLog:
        return cls(Path(data_dir) / FILENAME)

    def write(self, entry: Feedback) -> None:
        """Append the entry as one line (see `FeedbackStore.record`)."""
        self.append(entry.model_dump_json() + "\n")

    def append(self, line: str) -> None:
        data = line.encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    written = 0
                    while written < len(data):  # a regular file takes it all in one write
                        written += os.write(fd, data[written:])
                    os.fsync(fd)
                finally:
                    os.close(fd)  # closing releases the flock
        except OSError as exc:
            raise AssistantError(
                f"could not save the feedback to {self.path} ({exc.strerror or exc}); "
                "check that the data folder is writable (set ASSISTANT_DATA_DIR to move it)"
            ) from exc

    def read(self) -> list[Feedback]:
        """Every entry, oldest first (an empty list when nobody has rated anything yet)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            return [Feedback.model_validate_json(line) for line in f if line.strip()]


TABLE = "assistant_feedback"
# Two writers creating the table at once would collide on the catalog; an advisory lock
# (any fixed number) makes the second wait for the first.
_CREATE_LOCK = 716_001
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    created timestamptz NOT NULL,
    rating text NOT NULL,
    session text,
    turn integer,
    entry jsonb NOT NULL
)"""


class PostgresFeedback(FeedbackStore):
    """The same entries as `FeedbackLog`, one row each in a PostgreSQL table.

    The table is created if missing. Each `record` is one INSERT, committed at once, so any
    number of threads and processes can write together without losing a row. One
    connection per object, opened on first use and reopened once if it has dropped.
    """

    def __init__(self, url: str):
        self.url = url
        self._lock = threading.Lock()
        self._connection = None

    def _connect(self, psycopg):
        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
            connection.execute(_CREATE)
        return connection

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            import psycopg
        except ImportError as exc:
            raise AssistantError(
                'feedback in PostgreSQL needs psycopg 3: pip install -e ".[postgres]"'
            ) from exc
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is None or self._connection.closed:
                        self._connection = self._connect(psycopg)
                    cursor = self._connection.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError as exc:
                    self._connection = None
                    if attempt == 2:
                        raise AssistantError(
                            f"could not reach the feedback database ({_first_line(exc)}); "
                            "check ASSISTANT_FEEDBACK_URL and that PostgreSQL is running"
                        ) from exc
                except psycopg.Error as exc:
                    raise AssistantError(
                        f"the feedback database refused the row ({_first_line(exc)}); "
                        "check that the user in ASSISTANT_FEEDBACK_URL may create and write "
                        f"the table {TABLE}"
                    ) from exc
        return []

    def write(self, entry: Feedback) -> None:
        """Insert the entry as one row (see `FeedbackStore.record`)."""
        self.insert(entry)

    def insert(self, entry: Feedback) -> None:
        self._run(
            f"INSERT INTO {TABLE} (created, rating, session, turn, entry) "
            "VALUES (%s::timestamptz, %s, %s, %s, %s::jsonb)",
            (entry.timestamp, entry.rating, entry.session, entry.turn, entry.model_dump_json()),
        )

    def read(self) -> list[Feedback]:
        """Every entry, oldest first (an empty list when nobody has rated anything yet)."""
        rows = self._run(f"SELECT entry::text FROM {TABLE} ORDER BY id")
        return [Feedback.model_validate_json(text) for (text,) in rows]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def open_feedback(settings) -> FeedbackLog | PostgresFeedback:
    """PostgreSQL when `settings.feedback_url` is a postgresql:// URL, else the JSONL file."""
    url = settings.feedback_url
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise AssistantError(
                f"ASSISTANT_FEEDBACK_URL must be a postgresql:// URL, not {url.split(':')[0]!r}; "
                "leave it unset to keep feedback in data/feedback.jsonl"
            )
        return PostgresFeedback(url)
    return FeedbackLog.in_folder(settings.data_dir)
