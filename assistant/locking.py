"""One process at a time: a cross-process lock on a file next to what it guards."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(lock_path: Path, *, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock_path` (created if missing) for the block.

    When another process (or another open of the file) holds it, `waiting` is called once,
    say to tell the user, and the block waits for it. POSIX only; elsewhere there is no
    lock, and callers still publish their work atomically (write to a temporary folder,
    then rename).
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    with Path(lock_path).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
