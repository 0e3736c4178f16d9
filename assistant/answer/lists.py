"""Lists, the title page, and a number just past a passage cut: what an excerpt brings in
from the passages after it (each quoted by its own citation).
"""

from __future__ import annotations

import re

from ..models import Hit
from ..retrieve.answer_types import has_answer_type
from ..retrieve.question import Question
from ..store.index import Index
from .spans import Excerpt

ITEM = re.compile(r"^(?:\(?[0-9]{1,2}[.)]|\([a-z]\)|[-–•])\s+")


LISTY = re.compile(r";|:\s|\(\d\)|^[-–•]\s")


def front_matter(passage, index: Index, limit: int = 2) -> list[tuple[int, int, int]]:
    """The document's other title-page passages (the publisher beside the title): a
    question about the document reads its front matter as one block. Rows of front
    passages per document are found once and cached on the index."""
    fronts = index.__dict__.get("_front_rows")
    if fronts is None:
        fronts = {}
        for row, p in enumerate(index.passages):
            if p.kind == "front":
                fronts.setdefault(p.doc_id, []).append(row)
        index.__dict__["_front_rows"] = fronts
    own = index.position[passage.id]
    rows = [r for r in fronts.get(passage.doc_id, []) if r != own][:limit]
    return [(r, 0, len(index.passages[r].text)) for r in rows]


def continuation(passage, question: Question, index: Index) -> list[tuple[int, int, int]]:
    """What the kind asks for, at the start of the next passage of the same section.

    A long paragraph is cut into passages at sentence boundaries; the number that
    answers may sit just past the cut. Returns (passage row, start, end) of the next
    passage's first sentences, up to the first that holds it; [] if none does.
    """
    row = index.position[passage.id] + 1
    if row >= len(index.passages):
        return []
    nxt = index.passages[row]
    if nxt.doc_id != passage.doc_id or nxt.section != passage.section:
        return []
    for s in index.sentence_rows[row][:2]:
        _, _, end = index.sentences[s].tolist()
        if has_answer_type(question, nxt.text[:end]):
            return [(row, 0, int(end))]
    return []


def _subsections_follow(passages: list, row: int) -> bool:
    """Whether the passage after `row` opens a numbered subsection of `row`'s section
    ("3. Hàm ý chính sách" ¶1, then "1. Tận dụng thế mạnh: …")."""
    if row + 1 >= len(passages):
        return False
    here, nxt = passages[row], passages[row + 1]
    return (
        nxt.doc_id == here.doc_id
        and bool(ITEM.match(nxt.text))
        and len(nxt.section) == len(here.section) + 1
        and nxt.section[:-1] == here.section
    )


def list_items(excerpt: Excerpt, question: Question, hits: list[Hit], index: Index, limit: int = 6) -> list[tuple[int, int, int]]:
    """The items of a list that continues in the passages after the excerpt.

    When the excerpt ends in a lead-in ("… các chủ đề sau:"), or a list question's excerpt
    sits in a numbered paragraph ("(1) …"), the items are the paragraphs that follow (and,
    for a numbered one, its siblings); each item is quoted by its first sentence, or its
    title up to a colon. Returns (passage row, start, end) of each item's quote.
    """
    row = index.position[hits[excerpt.hit].passage.id]
    passages = index.passages
    doc = passages[row].doc_id
    first = row + 1
    # a later paragraph of a numbered item ("4. …: Khi …" then "Các thành phố …") is in
    # that item: the item begins where its section does
    start = row
    while (
        not ITEM.match(passages[start].text)
        and start > 0
        and passages[start - 1].doc_id == doc
        and passages[start - 1].section == passages[row].section
    ):
        start -= 1
    if question.kind == "list" and ITEM.match(passages[start].text):
        first = start
        while first > 0 and passages[first - 1].doc_id == doc and ITEM.match(passages[first - 1].text):
            first -= 1  # back to the first sibling
    elif not (
        excerpt.text.rstrip().endswith(":")
        # a list question whose passage introduces a list, or holds its first item
        or question.kind == "list" and (passages[row].text.rstrip().endswith(":") or LISTY.search(excerpt.sentences[-1].text))
        # or a section's introduction, whose numbered subsections follow
        or question.kind == "list" and _subsections_follow(passages, row)
    ):
        return []
    items = []
    for i in range(first, len(passages)):
        p = passages[i]
        if len(items) == limit:
            break
        if p.kind == "footnote" or (i == row and excerpt.start == 0):
            continue  # a footnote between two items; the excerpt quotes its own item's start
        if p.doc_id != doc or not ITEM.match(p.text):
            break
        # an item is quoted by its title up to a colon, or else by its first sentence: a
        # colon past that sentence is another's ("… người dân. Ví dụ: …")
        colon = p.text.find(":")
        rows = index.sentence_rows[i]
        first_end = int(index.sentences[rows[0]][2]) if rows else len(p.text)
        end = colon if 0 < colon <= min(160, first_end) else first_end
        items.append((i, 0, int(end)))
    return items
