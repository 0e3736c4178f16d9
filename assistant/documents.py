"""Read the documents of a corpus folder, with the metadata that citations show.

Each document may have a sidecar `NAME.meta.json` (title, series, issue, year, date,
publisher, language). Files that cannot be read are skipped with a warning that says why;
a folder with no readable document is an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from .errors import CorpusError
from .models import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md"}


class SourceDocument:
    """A document and its full source text (the text that passage offsets point into)."""

    def __init__(self, document: Document, text: str):
        self.document = document
        self.text = text


def doc_id_for(path: Path) -> str:
    """A stable, readable id from the file name: 'ban-tin-2021-02-dmst-dich-vu-cong'."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"


def read_text(path: Path) -> str:
    """A text file's content as UTF-8; raises CorpusError with the reason otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"\x00" in raw[:4096]:
        raise CorpusError(
            f"{path.name} looks like a binary file, not text; remove it or convert it to UTF-8 text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path.name} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and rebuild"
        ) from exc
    if not text.strip():
        raise CorpusError(f"{path.name} is empty")
    return text


def read_metadata(path: Path) -> dict:
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.exists():
        return {}
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable metadata %s: %s", sidecar.name, exc)
        return {}


def load(path: Path) -> SourceDocument:
    """One document from a file."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise CorpusError(f"{path.name}: unsupported format {path.suffix!r} (supported: .txt, .md)")
    text = read_text(path)
    meta = read_metadata(path)
    fields = set(Document.model_fields) - {"id", "path", "sha256"}
    document = Document(
        id=doc_id_for(path),
        path=path.name,
        title=meta.get("title") or path.stem,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        **{k: v for k, v in meta.items() if k in fields and k != "title"},
    )
    return SourceDocument(document, text)


def load_corpus(folder: Path) -> tuple[list[SourceDocument], list[str]]:
    """All readable documents in `folder` (sorted by name) and a warning per skipped file."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} does not exist; pass --corpus DIR")
    documents: list[SourceDocument] = []
    warnings: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.endswith(".meta.json") or path.name.startswith("."):
            continue
        if path.name.lower() == "readme.md":
            continue
        try:
            documents.append(load(path))
        except CorpusError as exc:
            warnings.append(str(exc))
            log.warning("%s", exc)
    if not documents:
        detail = "; ".join(warnings) if warnings else "no .txt or .md files"
        raise CorpusError(f"no readable document in {folder} ({detail})")
    return documents, warnings
