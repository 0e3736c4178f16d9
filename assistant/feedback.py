"""Likes and dislikes on answers, kept append-only as JSON lines under `Settings.data_dir`.

One click is one line. Each line is written with a single `write` to a file opened with
`O_APPEND`, under a lock (threads) and `flock` (processes), then `fsync`ed: two people
clicking at once never interleave or lose a line, and earlier lines are never rewritten.

>>> log = FeedbackLog(Path(tmp) / "feedback.jsonl")                 # doctest: +SKIP
>>> log.record(answer, rating="like", comment="rõ ràng")          # doctest: +SKIP
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


class FeedbackLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_folder(cls, data_dir: Path) -> FeedbackLog:
        return cls(Path(data_dir) / FILENAME)

    def record(
        self,
        answer: Answer,
        *,
        rating: Rating,
        comment: str = "",
        turn: int | None = None,
        session: str | None = None,
    ) -> Feedback:
        """Append one line for this rating of `answer`, and return what was written."""
        entry = Feedback(
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
        self.append(entry.model_dump_json() + "\n")
        return entry

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
