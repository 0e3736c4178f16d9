"""The same text twice: a document already indexed, or most of one, under another name.

Texts are compared normalised: NFC, lower case, punctuation and spacing ignored, so a
re-typed quote mark or a re-flowed line does not hide a copy.

- A document whose passages, joined, are the same text as an indexed document's is a
  duplicate: `add` refuses it and names the document that has it (`--force` adds it anyway).
- A document most of whose passages (`NEAR_SHARE`) are passages of one indexed document is a
  near-duplicate (a revised copy, a reprint): it is added, with a warning.
- Search shows a passage text once, whichever copy ranks first (see `retrieve.search`).

>>> normalized("  Singapo “hỗ trợ”\\n doanh nghiệp. ")
'singapo hỗ trợ doanh nghiệp'
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel

from ..errors import CorpusError

NEAR_SHARE = 0.5

_NOT_WORD = re.compile(r"[\W_]+")


def normalized(text: str) -> str:
    """The words of `text`, NFC and lower case, separated by single spaces."""
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", text).lower()).split())


class Overlap(BaseModel):
    """How much of a new document an indexed one already holds."""

    doc_id: str
    same: bool  # the whole text is the same
    share: float  # share of the new document's passages that are passages of `doc_id`

    @property
    def near(self) -> bool:
        return not self.same and self.share >= NEAR_SHARE


def overlaps(new: list[str], indexed: dict[str, list[str]]) -> list[Overlap]:
    """Indexed documents (id → passage texts) that hold a new document's passage texts,
    the largest overlap first; documents sharing nothing are left out."""
    keys = [normalized(t) for t in new if t.strip()]
    if not keys:
        return []
    whole = " ".join(keys)
    out = []
    for doc_id, texts in indexed.items():
        theirs = [normalized(t) for t in texts if t.strip()]
        shared = set(theirs)
        share = sum(k in shared for k in keys) / len(keys)
        same = whole == " ".join(theirs)
        if share or same:
            out.append(Overlap(doc_id=doc_id, same=same, share=round(share, 3)))
    return sorted(out, key=lambda o: (not o.same, -o.share))


def check(name: str, new: list[str], indexed: dict[str, list[str]], *, force: bool) -> list[str]:
    """Warnings for a new document `name` (its passage texts) against the indexed documents.

    CorpusError when an indexed document has the same text, unless `force`.
    """
    found = overlaps(new, indexed)
    same = [o for o in found if o.same]
    if same and not force:
        raise CorpusError(
            f"{name} has the same text as the indexed document {same[0].doc_id!r}; it is not "
            "added. Add it anyway with --force (force=True): search shows each passage once."
        )
    if same:
        return [f"{name} has the same text as {same[0].doc_id!r}; added anyway (--force)"]
    return [
        f"{name} is a near-duplicate of {o.doc_id!r}: {o.share:.0%} of its passages are "
        "passages of that document (a revised copy?); added, and search shows each passage once"
        for o in found
        if o.near
    ]
