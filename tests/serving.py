"""Serve the web app on a free local port for a test, and stop it afterwards."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant import Assistant
from assistant.feedback import FeedbackLog


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    bot: Assistant, feedback_path: Path, *, public_url: str | None = None
) -> Iterator[str]:
    """The app over `bot` on http://127.0.0.1:<free port>/, writing feedback to `feedback_path`
    (its copied links made on `public_url` when given)."""
    from assistant import app

    demo = app.build(bot, feedback=FeedbackLog(feedback_path), public_url=public_url)
    app.launch(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True)
    try:
        yield demo.local_url
    finally:
        demo.close()
