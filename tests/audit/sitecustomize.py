"""The test suite's guard: nothing opens a file beside the repository (`../shared/…`, another clone).

Loaded twice: by `tests/conftest.py` into the pytest process, and, because the conftest puts this
folder first on `PYTHONPATH`, as `sitecustomize` by every Python subprocess a test starts (the
CLI, `python ui.py`), which inherit `ASSISTANT_TEST_AUDIT` from the pytest process.

The rule: an `open` of a path under the repository's parent folder but outside the repository is
recorded when the path's first part below that parent is a folder that was there when the run
started (a sibling such as `shared` or another clone) or is `shared`. Hidden entries (`.cache`,
`.config` when the parent is the home folder) and the folders the run itself uses there (the
temporary folder's pytest and Gradio files, a virtual environment, Python itself) are allowed:
with a clone in `/tmp`, its parent is the temporary folder every test writes to.
"""

from __future__ import annotations

import json
import os
import sys

ENV = "ASSISTANT_TEST_AUDIT"


class Audit:
    def __init__(self, root: str, parent: str, siblings: list[str], log: str):
        self.root, self.parent, self.siblings, self.log = root, parent, set(siblings), log
        self.found: list[str] = []  # this process's forbidden opens, oldest first
        self.busy = False  # the hook's own open of the log file

    @classmethod
    def start(cls, root: str, log: str, allowed: list[str]) -> Audit:
        """The audit for a run starting now: the siblings are the parent's entries of this moment."""
        root = os.path.realpath(root)
        parent = os.path.dirname(root)
        keep = {os.path.basename(root)}
        for path in allowed:  # folders the run itself uses below the parent
            path = os.path.realpath(path)
            if path.startswith(parent + os.sep):
                keep.add(path[len(parent) + 1 :].split(os.sep)[0])
        names = {n for n in os.listdir(parent) if not n.startswith(".")} - keep
        return cls(root, parent, sorted(names | ({"shared"} - keep)), log)

    def env(self) -> str:
        return json.dumps(
            {
                "root": self.root,
                "parent": self.parent,
                "siblings": sorted(self.siblings),
                "log": self.log,
            }
        )

    def forbidden(self, path) -> bool:
        if isinstance(path, int):
            return False  # a file descriptor
        try:
            path = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        if not path.startswith(self.parent + os.sep) or path.startswith(self.root + os.sep):
            return False
        return path[len(self.parent) + 1 :].split(os.sep)[0] in self.siblings

    def hook(self, event: str, args: tuple) -> None:
        if event != "open" or self.busy or not args or not self.forbidden(args[0]):
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        self.found.append(path)
        if self.log and os.getpid() != self.owner:
            self.busy = True
            try:  # a subprocess: tell the pytest process through the log file
                with open(self.log, "a", encoding="utf-8") as out:
                    out.write(f"{' '.join(sys.argv)[:200]}: {path}\n")
            except OSError:
                pass
            finally:
                self.busy = False

    def install(self, owner: int | None = None) -> Audit:
        self.owner = owner if owner is not None else os.getpid()
        sys.addaudithook(self.hook)
        return self


def _in_subprocess() -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    try:
        data = json.loads(spec)
        Audit(data["root"], data["parent"], data["siblings"], data["log"]).install(owner=-1)
    except (ValueError, KeyError, TypeError):
        pass


def _chain() -> None:
    """Run the sitecustomize this one hides (Debian's Python has one), if any."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


if __name__ == "sitecustomize":
    _in_subprocess()
    _chain()
