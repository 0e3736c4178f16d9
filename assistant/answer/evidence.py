"""What the abstention model reads of an excerpt: its features (see `abstain.FEATURES`)."""

from __future__ import annotations

import re

from ..models import Hit, QueryInfo
from ..retrieve.answer_types import asked_types, has_answer_type, holds_type, own_numbers
from ..retrieve.question import Question, unit_class
from ..store.index import Index
from ..text import fold, place_words, places_in, tokens
from ..text.language import same_language
from .excerpt import coverage, idf_weights, terms_for
from .signals import bridge_terms, holds_value, value_kinds
from .spans import Candidate, Excerpt

# Small counts as the text may write them ("hai động lực" for "the 2 drivers"), folded.
NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


def features(
    excerpt: Excerpt,
    candidates: list[Candidate],
    question: Question,
    info: QueryInfo,
    unknown: list[str],
    hits: list[Hit],
    index: Index,
    *,
    topic: set[str] = frozenset(),
) -> dict[str, float]:
    """The abstention model's inputs for an excerpt (see `abstain.FEATURES`).

    `topic` are folded words the excerpt is known to be about beyond its section's
    heading (a follow-up's topic, which the thread's passages were chosen for): they count
    as the heading's words do, half."""
    passage = hits[excerpt.hit].passage
    other = next((c.score for c in candidates if c.hit != excerpt.hit), 0.0)
    terms, idf = terms_for(info, question, index), idf_weights(index)
    context = set(tokens(passage.context)) | set(topic)
    extra = [index.passages[r].text[s:e] for r, s, e in excerpt.extra]
    typed = has_answer_type(question, " ".join([excerpt.text, *extra]))
    # the question's words around what the kind asks for: the best coverage of a
    # sentence that holds it ("dân số 5 triệu" about Singapore does not answer Songdo)
    # (a question asking two things, "từ năm nào … mấy dự án", takes the mean over them:
    # the year and the count may sit in two sentences)
    # (a sentence's predecessor in the excerpt counts as its context, as the heading does,
    # half: "Đặc điểm của Singapo là diện tích nhỏ … Ví dụ: … 720 km²")
    texts = [*(c.text for c in excerpt.sentences), *extra]
    before = ["", *(c.text for c in excerpt.sentences)][: len(excerpt.sentences)] + [""] * len(extra)
    kinds = asked_types(question)
    loose = value_kinds(question)
    type_coverage = excerpt.coverage if typed is None else sum(
        max((coverage(terms, set(tokens(t)), context | set(tokens(b)), idf) for t, b in zip(texts, before) if holds_type(question, kind, t)), default=0.0)
        for kind in kinds
    ) / len(kinds)
    # the question's own numbers ("năm 2020", "449 triệu USD") the excerpt never gives:
    # it answers about another year or amount
    given = own_numbers(question)  # none for a claim: "Có phải … 50 tỷ USD không?" → "35 tỷ USD"
    shown_text = " ".join([excerpt.text, *extra, passage.context, *topic])
    shown = set(re.findall(r"\d+", shown_text)) | {str(n) for w, n in NUMBER_WORDS.items() if w in tokens(shown_text)}
    shown_words = set(tokens(shown_text))
    bridges = set(bridge_terms(info.normalized)) - set(place_words(places_in(fold(info.normalized))))
    if question.kind == "yes-no":
        bridges = {b for b in bridges if not b.isdigit()}  # the claim's number is the one to check
    passage_words = set(tokens(f"{passage.text} {passage.context}"))
    return {
        "dense": excerpt.anchor.similarity,
        "coverage": coverage(terms, set(tokens(excerpt.text)), context, idf) if topic else excerpt.coverage,
        "passage_coverage": coverage(terms, passage_words, set(topic), idf),  # the topic as its heading, half
        "type_coverage": type_coverage,
        "type_missing": float(typed is False),
        "unknown": float(min(2, len(unknown))),
        "margin": excerpt.anchor.score - other,
        # cross-lingual, as the model was fit (English questions, Vietnamese passages)
        "english": float(not same_language(info.language, passage.language)),
        "given_missing": len(given - shown) / len(given) if given else 0.0,
        "score": excerpt.anchor.score,
        "bridge_missing": len(bridges - shown_words) / len(bridges) if bridges else 0.0,
        # no value of the asked kind in any unit or wording (type_missing: none with the unit)
        "value_missing": float(bool(loose) and not holds_value(loose, " ".join(texts), question, unit_class(question))),
    }
