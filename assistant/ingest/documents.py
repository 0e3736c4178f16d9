"""Read the documents of a corpus folder, with the metadata that citations show.

Files are read by `formats` (.txt, .md, .pdf, .docx). Metadata comes from a sidecar
`NAME.meta.json` (title, series, issue, year, date, publisher, language) first, then from the
file itself (PDF information, Word properties, Markdown front matter, the first heading, an
issue line such as "Số 3/2021"). Files that cannot be read are skipped with a warning that
says why; a folder with no readable document is an error.

`change(folder)` puts files into the folder or takes them out, and undoes it all if the
work that follows fails: `add` and `remove` use it so a failed update leaves the corpus
(and therefore the index) as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from ..errors import CorpusError
from ..models import Document, Layout
from ..text.language import text_language
from . import formats

log = logging.getLogger(__name__)

SUFFIXES = formats.SUFFIXES
_ISSUE = re.compile(r"\b[Ss]ố\s+(\d{1,3})\s*/\s*((?:19|20)\d{2})\b")


class SourceDocument:
    """A document and what its file gave: the source text that passage offsets point into,
    the layout, and the metadata the file carries."""

    def __init__(self, document: Document, extracted: formats.Extracted):
        self.document = document
        self.extracted = extracted

    @property
    def text(self) -> str:
        return self.extracted.text

    @property
    def layout(self) -> Layout | None:
        return self.extracted.layout


def doc_id_for(path: Path) -> str:
    """A stable, readable id from the file name: 'ban-tin-2021-02-dmst-dich-vu-cong'."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"


def sidecar_for(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


def read_metadata(path: Path) -> dict:
    sidecar = sidecar_for(path)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable metadata %s: %s", sidecar.name, exc)
        return {}
    if not isinstance(meta, dict):
        log.warning("ignoring metadata %s: it is not a JSON object", sidecar.name)
        return {}
    return meta


def is_document(path: Path) -> bool:
    """Whether a file in the corpus folder is a document (not a sidecar, README or lock file)."""
    name = path.name
    return (
        path.is_file()
        and not name.endswith(".meta.json")
        and not name.startswith((".", "~$"))
        and name.lower() != "readme.md"
    )


def load(
    path: Path, *, known: dict[str, formats.Extracted] | None = None, ocr: bool | None = None
) -> SourceDocument:
    """One document from a file; CorpusError says why it cannot be read.

    `known` maps the sha256 of files read before to what they gave (the index keeps it for
    PDF and Word files), so an unchanged file is not parsed again.
    """
    if path.exists() and not path.is_file():
        # a folder, a named pipe (reading it would wait forever), a device
        raise CorpusError(f"cannot read {path}: not a regular file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    sha256 = hashlib.sha256(raw).hexdigest()
    cached = (known or {}).get(sha256)
    if cached is not None and ocr and not cached.meta.get("ocr"):
        cached = None  # read by OCR this time
    extracted = cached or formats.read(path, ocr=ocr)
    meta = {**_found_metadata(extracted), **read_metadata(path)}
    fields = set(Document.model_fields) - {"id", "path", "sha256"}
    values = {k: v for k, v in meta.items() if k in fields and v not in (None, "")}
    values.setdefault("title", path.stem)
    try:
        document = Document(
            id=doc_id_for(path),
            path=path.name,
            sha256=sha256,
            **values,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise CorpusError(
            f"the metadata of {path.name} (in {sidecar_for(path).name} or the file) has a bad "
            f"{field!r}: {error['msg']}; fix it or remove it"
        ) from exc
    return SourceDocument(document, extracted)


def _found_metadata(extracted: formats.Extracted) -> dict:
    """What the file says about itself, plus the issue number and language its text shows."""
    meta = dict(extracted.meta)
    head = extracted.text[:3000]
    if "issue" not in meta and (m := _ISSUE.search(head)):
        meta["issue"] = f"Số {m.group(1)}/{m.group(2)}"
        meta.setdefault("year", int(m.group(2)))
    if "language" not in meta:
        meta["language"] = text_language(extracted.text[:5000])
    return meta


def load_corpus(
    folder: Path, *, known: dict[str, formats.Extracted] | None = None
) -> tuple[list[SourceDocument], list[str]]:
    """All readable documents in `folder` (sorted by name) and a warning per skipped file."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} does not exist; pass --corpus DIR")
    documents: list[SourceDocument] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if not is_document(path):
            continue
        try:
            source = load(path, known=known)
        except CorpusError as exc:
            warnings.append(str(exc))
            log.warning("%s", exc)
            continue
        doc_id = source.document.id
        if doc_id in seen:
            message = (
                f"{path.name} is skipped: {seen[doc_id]} already has the id {doc_id!r}; "
                "rename one of them"
            )
            warnings.append(message)
            log.warning("%s", message)
            continue
        seen[doc_id] = path.name
        documents.append(source)
    if not documents:
        detail = "; ".join(warnings) if warnings else f"no {', '.join(SUFFIXES)} files"
        raise CorpusError(f"no readable document in {folder} ({detail})")
    return documents, warnings


def find(folder: Path, doc_id: str) -> Path:
    """The file of a document in the corpus folder, by id."""
    matches = [p for p in sorted(folder.iterdir()) if is_document(p) and doc_id_for(p) == doc_id]
    if not matches:
        known = sorted({doc_id_for(p) for p in folder.iterdir() if is_document(p)})
        raise CorpusError(
            f"no document {doc_id!r} in {folder}; the ids are: {', '.join(known) or 'none'}"
        )
    return matches[0]


class Change:
    """Files put into or taken out of a corpus folder, with what is needed to undo it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.backup = folder / f".pending-{os.getpid()}"
        self._undo: list[tuple[Path, Path | None]] = []  # (path in corpus, its backup or None)

    def put(self, path: Path) -> Path:
        """Copy a file (and its sidecar) into the folder, replacing a file of the same name."""
        target = self.folder / path.name
        if path.resolve() == target.resolve():
            return target
        for src in (path, sidecar_for(path)):
            if src.exists():
                self._copy(src, self.folder / src.name)
        return target

    def take(self, path: Path) -> None:
        """Move a document (and its sidecar) out of the folder."""
        for src in (path, sidecar_for(path)):
            if src.exists():
                self._set_aside(src)

    def _copy(self, src: Path, target: Path) -> None:
        if target.exists():
            self._set_aside(target)
        else:
            self._undo.append((target, None))
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)

    def _set_aside(self, path: Path) -> None:
        self.backup.mkdir(exist_ok=True)
        kept = self.backup / path.name
        os.replace(path, kept)
        self._undo.append((path, kept))

    def undo(self) -> None:
        for path, kept in reversed(self._undo):
            if kept is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(kept, path)
        self._undo = []
        shutil.rmtree(self.backup, ignore_errors=True)

    def commit(self) -> None:
        self._undo = []
        shutil.rmtree(self.backup, ignore_errors=True)


@contextmanager
def change(folder: Path) -> Iterator[Change]:
    """Change the corpus folder; if the block raises (or is interrupted), undo every change."""
    work = Change(folder)
    try:
        yield work
    except BaseException:
        work.undo()
        raise
    work.commit()
