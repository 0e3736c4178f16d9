"""Comparisons: one excerpt per side, each from its own sub-query.

"So sánh việc dùng robot ở Nhật Bản và Hàn Quốc" is asked twice: "việc dùng robot ở Nhật
Bản" and "việc dùng robot ở Hàn Quốc" (`side_query`); each side's excerpt must come
from a passage about that side (`_mentions`), and in a passage about several sides the
sentence that names the side answers for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..models import Hit, QueryInfo
from ..retrieve.question import Question, analyze, asking_words
from ..store.index import Index
from ..text import NAME_GROUPS, fold, place_words, places_in, tokens
from .excerpt import KEEP_RATIO, Candidate, Excerpt, expand, score_sentences

# Re-search for one side of a comparison: (query) -> (analysed query, hits, query vector).
SideSearch = Callable[[str], tuple[QueryInfo, list[Hit], "np.ndarray | None"]]


def _mentions(side: str, others: list[str], passage) -> bool:
    """Whether a passage is about one side of a comparison (see `_names_side`)."""
    return _names_side(side, others, f"{passage.context} {passage.text}")


def _names_side(side: str, others: list[str], text: str) -> bool:
    """Whether a text names one side of a comparison: its place, when the side is a place
    ("Nhật Bản", "Japan"), or most of the words that set it apart from the other sides
    ("quy trình" vs "sản phẩm"; "Ten Million Imagination Oasis của Seoul" is a programme,
    not Seoul)."""
    folded = fold(text)
    side_folded = fold(side)
    groups = places_in(side_folded)
    place_words = {w for g in groups for f in NAME_GROUPS[g] if re.search(rf"\b{re.escape(f)}\b", side_folded) for w in f.split()}
    shared = set().union(*(tokens(o) for o in others)) if others else set()
    words = [w for w in tokens(side) if w not in asking_words() and w not in shared and w not in place_words]
    if groups and len(words) <= 1:  # the side is a place ("Hàn Quốc", "the city of Seoul")
        return any(re.search(rf"\b{re.escape(f)}\b", folded) for g in groups for f in NAME_GROUPS[g])
    present = set(tokens(folded))
    return bool(words) and sum(w in present for w in words) >= max(1, (len(words) + 1) // 2)


# What a sub-query keeps of a comparison: not the asking ("so sánh", "compare", "vs")
# nor the words that joined the sides ("và", "and", "giữa", "between"); "khác nhau",
# "differ" stay: the text may state the difference in so many words.
_COMPARING = re.compile(
    r"(?<!\w)(so s[áa]nh|compare[sd]?|comparison of|contrast|versus|vs\.?|each of them|m[ỗo]i n[ướu][ớo]c)(?!\w)",
    re.IGNORECASE,
)


_JOINING = r"(?:v[àa]|v[ớo]i|and|or|gi[ữu]a|between|both|c[ảa]|&|,)"


def side_query(text: str, side: str, others: list[str]) -> str:
    """The question as asked of one side: the other sides, the asking words of the
    comparison and the words that joined the sides taken out.

    >>> side_query("So sánh việc dùng robot ở Nhật Bản và Hàn Quốc", "Nhật Bản", ["Hàn Quốc"])
    'việc dùng robot ở Nhật Bản'
    """
    query = text
    for other in others:
        query = re.sub(rf"(?:\s*{_JOINING})*\s*{re.escape(other)}(?:\s*{_JOINING}(?=\s|$))*", " ", query, flags=re.IGNORECASE)
    query = _COMPARING.sub(" ", query)
    query = re.sub(rf"^\s*(?:{_JOINING}\s+)+|(?:\s+{_JOINING})+\s*([?.!]?)\s*$", r" \1", query, flags=re.IGNORECASE)
    query = re.sub(r"\s+([?.!,:;])", r"\1", re.sub(r"\s+", " ", query)).strip(" ,:;")
    return query or side


def compare_excerpts(
    question: Question, info: QueryInfo, index: Index, bands: dict, search: SideSearch
) -> list[tuple[str, Excerpt | None, list[Candidate], QueryInfo, list[Hit]]]:
    """One excerpt per side of a comparison, each from its own sub-query.

    The sub-query is the question without the other sides; its excerpt must come from a
    passage about that side. A side the bulletin says nothing on gets None.
    """
    out = []
    for side in question.sides:
        query = side_query(info.normalized, side, [o for o in question.sides if o != side])
        sub_info, sub_hits, sub_qvec = search(query)
        sub_q = question.model_copy(update={"focus": analyze(sub_info.normalized).focus})
        # the side's place is what every kept passage is about (`_mentions`): its name
        # in a sentence says nothing more
        place = place_words(places_in(fold(side)))
        candidates = score_sentences(sub_info, sub_q, sub_hits, sub_qvec, index, bands, given=place)
        others = [o for o in question.sides if o != side]
        taken = {(e.anchor.row) for _, e, *_ in out if e is not None}
        candidates = [
            c for c in candidates if _mentions(side, others, sub_hits[c.hit].passage) and c.row not in taken
        ]
        # a passage of the side's own section answers for it before one of another place's
        # that only mentions it ("Như ở Nhật Bản" in the Korea section)
        candidates = [c for c in candidates if not c.elsewhere] or candidates
        # in a passage about several sides, a sentence that names its side answers for it
        # before one about all of them, when it scores nearly as well ("Seoul của Hàn
        # Quốc …" before "Điều này …"); in a passage about this side alone every sentence is
        top = candidates[0] if candidates else None
        several = top is not None and any(_mentions(o, [side], sub_hits[top.hit].passage) for o in others)
        if several and not _names_side(side, others, top.text):
            named = next((c for c in candidates if _names_side(side, others, c.text)), None)
            if named is not None and named.score >= KEEP_RATIO * candidates[0].score:
                candidates = [named, *(c for c in candidates if c is not named)]
        excerpt = expand(candidates[0], sub_q, sub_info, sub_hits, index, candidates) if candidates else None
        if excerpt is not None:
            excerpt.label = side
        out.append((side, excerpt, candidates, sub_info, sub_hits))
    return out
