"""What `add` checks and says about new documents before it indexes them.

- a copy of an indexed document's text is refused (CorpusError), unless forced; a
  near-duplicate is added with a warning (`duplicates`);
- each sentence addressed to an assistant is listed with its file and line (`instructions`);
- a scan read by OCR without being asked to is pointed out.
"""

from __future__ import annotations

from ..models import Passage
from . import duplicates, instructions, passages
from .documents import SourceDocument


def check(
    incoming: list[SourceDocument], indexed: list[Passage], *, force: bool, ocr: bool
) -> list[str]:
    """The notices for documents about to be added beside the `indexed` passages;
    CorpusError for a duplicate unless `force`."""
    texts: dict[str, list[str]] = {}
    for p in indexed:
        texts.setdefault(p.doc_id, []).append(p.text)
    notices: list[str] = []
    for source in incoming:
        doc = source.document
        parts = passages.split(source.text, doc.id, layout=source.layout, language=doc.language)
        others = {d: t for d, t in texts.items() if d != doc.id}  # not itself, when updated
        notices += duplicates.check(doc.path, [p.text for p in parts], others, force=force)
        notices += instructions.warnings(doc.path, source.text, parts)
        if doc.ocr and not ocr:
            notices.append(
                f"{doc.path} has no text layer (a scan): its text comes from OCR "
                "(ocrmypdf, Vietnamese and English); its citations say so"
            )
    return notices
