"""Briefs: cited extractive summaries of a section, a country or a whole document.

A brief quotes the section's own sentences, each cited like any answer sentence. They are
chosen by LexRank (Erkan & Radev, 2004: PageRank over the sentences' similarity graph, so
a sentence that many others resemble is central) over the sentence vectors the index
already holds, then by MMR (Carbonell & Goldstein, 1998) so that the brief spans the
section's subsections instead of repeating the most central one; the chosen sentences are
shown in reading order, under their subsection's heading as a short label, within
`BUDGET` characters. A whole document gets one or two sentences per main section and the
first sentence of each numbered point of a section made of them ("3. Hàm ý chính sách").

Briefs depend only on the text, so they are made when the index is built (`make`) and
stored with it (`briefs.json`); nothing is encoded to show one. `assistant.summary`
recognises the questions that ask for one and finds the section they name.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..models import Briefs, BriefSentence, SectionBrief
from ..store.index import Index

# Bump when the way briefs are chosen changes: stored briefs are then made again.
METHOD = "lexrank-mmr/1"
BUDGET = 1200  # characters of quoted text in a section's brief
HARD_CAP = 1300
DOCUMENT_BUDGET = 1700  # the whole document: a few sentences per main section, the points
MAX_SENTENCES = 8
PER_MAIN_SECTION = 2
SHORTEST, LONGEST = 40, 330  # a fragment says little; a very long sentence eats the budget
DAMPING = 0.85
LAMBDA = 0.7  # MMR: weight of centrality against redundancy
SAME_PART = 0.25  # redundancy added between two sentences of one subsection
LEAD = 0.15  # a passage's first sentence tends to state its topic
LABEL_CHARS = 48
BRIEF_KINDS = {"paragraph"}

# Sentences that lean on the one before, or introduce a list, read badly out of context.
_LEANING = re.compile(
    r"^(?:(?:[\w-]+\s){1,3}(?:này|đó|ấy)\b|(?:họ|nó|đây|đó là|điều này|tuy nhiên|ngoài ra|"
    r"do đó|vì vậy|kết quả là|trong đó|sau đó|thêm vào đó|tương tự|hơn nữa|chúng|thứ hai|"
    r"thứ ba|thứ tư|cuối cùng)\b|[^,.]{0,30}\bcủa (?:nó|họ)\b)",
    re.IGNORECASE,
)
# List items are weaker summary sentences than the statements they belong to; examples
# ("Ví dụ: một nền tảng…") are left out unless a section has too few other sentences.
_MINOR = re.compile(r"^(?:\(\d+\)|[-–•])")
_EXAMPLE = re.compile(r"^(?:ví dụ|chẳng hạn|một ví dụ)\b", re.IGNORECASE)
MINOR = 0.3
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\([a-z]+\)|\([ivx]+\))\s+")
_POINT = re.compile(r"^\d+\.\s")  # "1. Tận dụng thế mạnh", not "2.1. Trung Quốc"
_PART = re.compile(r"^\d+\.\d+\.?\s")  # "2.1. Trung Quốc"


# -- choosing sentences ---------------------------------------------------------------------


def lexrank(vectors: np.ndarray, *, damping: float = DAMPING, iterations: int = 200) -> np.ndarray:
    """Continuous LexRank centrality of unit row vectors `[n × dim]`, scaled so the max is 1.

    e5 cosines are compressed (unrelated sentences sit near 0.75), so edge weights are the
    cosines above the section's median, rescaled to [0, 1]; otherwise every sentence would
    be about as central as every other.

    >>> v = np.array([[1, 0], [0.9, 0.436], [0, 1]], np.float32)
    >>> [round(float(x), 2) for x in lexrank(v)]
    [1.0, 1.0, 0.15]
    """
    n = len(vectors)
    if n <= 2:
        return np.ones(n)
    weights = _graph(vectors @ vectors.T)
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, weights / np.where(totals > 0, totals, 1), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        nxt = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(nxt - rank).sum() < 1e-9:
            rank = nxt
            break
        rank = nxt
    return rank / rank.max()


def _graph(sims: np.ndarray) -> np.ndarray:
    """Similarities above the median off-diagonal one, rescaled to [0, 1]; zero diagonal."""
    n = len(sims)
    off = sims[~np.eye(n, dtype=bool)]
    floor = float(np.median(off)) if len(off) else 0.0
    weights = np.clip((sims - floor) / max(1e-6, 1.0 - floor), 0.0, None)
    np.fill_diagonal(weights, 0.0)
    return weights


def select(
    index: Index,
    rows: list[int],
    parts: list[int],
    *,
    budget: int = BUDGET,
    limit: int = MAX_SENTENCES,
    relevance: np.ndarray | None = None,
    seeds: list[int] | None = None,
    bonus: np.ndarray | None = None,
) -> list[int]:
    """The sentence rows of a brief, in reading order.

    `rows` are candidate sentence rows, `parts[i]` the subsection of `rows[i]` (MMR treats
    two sentences of one subsection as partly redundant, and no subsection gives more than
    its share). `relevance` (one value a row, 0–1) adds a query's pull to the centrality.
    `seeds` (some of `rows`) must be in the brief: the numbered points of a section.
    `bonus` (one value a row) is added to the centrality.
    """
    if not rows:
        return []
    vectors = index.sentence_embeddings[rows]
    score = lexrank(vectors)
    starts = index.sentences[rows, 1]
    score = score + LEAD * (starts == 0)
    score = score - MINOR * np.array([bool(_MINOR.match(_text(index, r))) for r in rows])
    if relevance is not None:
        score = 0.5 * score + relevance
    if bonus is not None:
        score = score + bonus
    redundancy = _graph(vectors @ vectors.T)
    same = np.equal.outer(parts, parts)
    redundancy = redundancy + SAME_PART * same
    lengths = [_length(index, r) for r in rows]
    share = max(2, math.ceil(limit / max(1, len(set(parts)))))
    chosen: list[int] = [rows.index(s) for s in seeds or [] if s in rows]
    used = sum(lengths[i] + 1 for i in chosen)
    while len(chosen) < limit:
        best, best_value = None, -math.inf
        for i in range(len(rows)):
            if i in chosen or used + lengths[i] + 1 > budget:
                continue
            if sum(parts[j] == parts[i] for j in chosen) >= share:
                continue
            penalty = max((redundancy[i, j] for j in chosen), default=0.0)
            value = LAMBDA * score[i] - (1 - LAMBDA) * penalty
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        used += lengths[best] + 1
    return sorted(rows[i] for i in chosen)


def _text(index: Index, row: int) -> str:
    p, start, end = index.sentences[row].tolist()
    return index.passages[p].text[start:end]


def _length(index: Index, row: int) -> int:
    return int(index.sentences[row, 2] - index.sentences[row, 1])


def candidates(index: Index, passage_rows: list[int], *, longest: int = LONGEST) -> list[int]:
    """Sentence rows that can stand alone in a brief: whole statements of a readable length."""
    out, examples = [], []
    for p in passage_rows:
        passage = index.passages[p]
        if passage.kind not in BRIEF_KINDS:
            continue
        for s in index.sentence_rows[p]:
            _, start, end = index.sentences[s].tolist()
            text = passage.text[start:end].strip()
            if not SHORTEST <= len(text) <= longest or text.endswith(":"):
                continue
            if _LEANING.match(text):
                continue
            (examples if _EXAMPLE.match(text) else out).append(s)
    return out if len(out) >= MAX_SENTENCES else sorted(out + examples)


# -- the section tree and the stored briefs --------------------------------------------------


def sections(index: Index, doc_id: str) -> dict[tuple[str, ...], list[int]]:
    """Every section of a document (each prefix of a section path) → its passage rows."""
    out: dict[tuple[str, ...], list[int]] = {}
    for row in index.rows.get(doc_id, range(0)):
        path = tuple(index.passages[row].section)
        for depth in range(1, len(path) + 1):
            out.setdefault(path[:depth], []).append(row)
    return out


def points(tree: dict[tuple[str, ...], list[int]], path: tuple[str, ...]) -> list[int]:
    """The first passage row of each numbered point ("1. …", "2. …") right under `path`."""
    found = [
        rows[0]
        for sub, rows in tree.items()
        if len(sub) == len(path) + 1 and sub[: len(path)] == path and _POINT.match(sub[-1])
    ]
    return found if len(found) >= 2 else []


def section_brief(
    index: Index, path: tuple[str, ...], rows: list[int], *, seeds: list[int] | None = None
) -> list[int]:
    """The sentence rows of one section's brief (`seeds`: sentence rows it must include)."""
    seeds = _within([s for s in seeds or [] if _length(index, s) <= 2 * LONGEST], index, BUDGET)
    sentence_rows = candidates(index, rows)
    sentence_rows += [s for s in seeds if s not in sentence_rows]
    depth = len(path)
    parts_by_title: dict[str, int] = {}
    parts = []
    for s in sentence_rows:
        section = index.passages[int(index.sentences[s, 0])].section
        title = section[depth] if len(section) > depth else ""
        parts.append(parts_by_title.setdefault(title, len(parts_by_title)))
    order = sorted(range(len(sentence_rows)), key=lambda i: sentence_rows[i])
    return select(index, [sentence_rows[i] for i in order], [parts[i] for i in order], seeds=seeds)


def section_of(index: Index, row: int) -> list[str]:
    return index.passages[int(index.sentences[row, 0])].section


def _first_sentences(index: Index, passage_rows: list[int]) -> list[int]:
    return [index.sentence_rows[r][0] for r in passage_rows if index.sentence_rows[r]]


def document_brief(index: Index, doc_id: str) -> list[int]:
    """A few sentences per main section, in reading order.

    A section of numbered points ("3. Hàm ý chính sách": 1.–4.) gives each point's first
    sentence; a section of parallel parts ("2.1. Trung Quốc" … "2.4. Singapo") the most
    central sentence of each part; any other section its `PER_MAIN_SECTION` best.
    """
    tree = sections(index, doc_id)
    out: list[int] = []
    for path, rows in tree.items():
        if len(path) != 1 or not any(index.passages[r].kind in BRIEF_KINDS for r in rows):
            continue
        numbered = points(tree, path)
        parts = [sub for sub in tree if len(sub) == 2 and sub[0] == path[0] and _PART.match(sub[1])]
        if numbered:
            out += _first_sentences(index, numbered)
        elif len(parts) >= 2:
            for part in parts:
                # the part's own opening paragraphs say what it is about
                best = candidates(index, tree[part], longest=2 * LONGEST)
                best = [s for s in best if len(section_of(index, s)) == 2] or best
                out += select(index, best, [0] * len(best), budget=2 * LONGEST, limit=1)
        else:
            best = candidates(index, rows)
            out += select(
                index, best, [0] * len(best), budget=DOCUMENT_BUDGET // 4, limit=PER_MAIN_SECTION
            )
    return _within(sorted(out), index, DOCUMENT_BUDGET)


def _within(rows: list[int], index: Index, budget: int) -> list[int]:
    """The first of `rows` whose sentences (a space between) fit in `budget` characters."""
    out, used = [], 0
    for row in rows:
        if used + _length(index, row) + 1 > budget + 1:
            break
        out.append(row)
        used += _length(index, row) + 1
    return out


def label(section: list[str], depth: int) -> str:
    """The short heading of the subsection (below `depth`) a sentence is in, or ''."""
    if len(section) <= depth:
        return ""
    title = _NUMBERING.sub("", section[depth]).strip()
    if len(title) > LABEL_CHARS:
        title = title[:LABEL_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return title


def stored(index: Index, rows: list[int], depth: int | None) -> list[BriefSentence]:
    """`depth` None (a whole document): a part's title ("Singapo") or the main section's."""
    out = []
    for s in rows:
        p, start, end = index.sentences[s].tolist()
        section = index.passages[p].section
        at = depth
        if at is None:
            at = 1 if len(section) > 1 and _PART.match(section[1]) else 0
        out.append(
            BriefSentence(
                passage_id=index.passages[p].id, start=start, end=end, label=label(section, at)
            )
        )
    return out


def make(index: Index, *, previous: Briefs | None = None) -> Briefs:
    """The brief of every section of every document, and of each whole document.

    Briefs of a document that has not changed since `previous` was made are kept.
    """
    kept: dict[str, list[SectionBrief]] = {}
    if previous is not None and previous.method == METHOD:
        for b in previous.briefs:
            kept.setdefault(f"{b.doc_id}:{b.doc_sha256}", []).append(b)
    out: list[SectionBrief] = []
    for doc_id, doc in index.documents.items():
        key = f"{doc_id}:{doc.sha256}"
        if key in kept and all(
            b.passage_id in index.position for k in kept[key] for b in k.sentences
        ):
            out += kept[key]
            continue
        out.append(
            SectionBrief(
                doc_id=doc_id,
                doc_sha256=doc.sha256,
                sentences=stored(index, document_brief(index, doc_id), None),
            )
        )
        tree = sections(index, doc_id)
        for path, rows in tree.items():
            seeds = _first_sentences(index, points(tree, path))
            chosen = section_brief(index, path, rows, seeds=seeds)
            if chosen:
                out.append(
                    SectionBrief(
                        doc_id=doc_id,
                        doc_sha256=doc.sha256,
                        section=list(path),
                        sentences=stored(index, chosen, len(path)),
                    )
                )
    return Briefs(method=METHOD, briefs=out)


def is_current(index: Index) -> bool:
    """The index has briefs, made by this method, of every document as it is now."""
    if index.briefs is None or index.briefs.method != METHOD:
        return False
    made = {(b.doc_id, b.doc_sha256) for b in index.briefs.briefs if not b.section}
    return made == {(d.id, d.sha256) for d in index.documents.values()}


def find(index: Index, doc_id: str, path: tuple[str, ...]) -> SectionBrief | None:
    for b in index.briefs.briefs if index.briefs else []:
        if b.doc_id == doc_id and tuple(b.section) == path:
            return b
    return None
