"""Sentences scored against a question, and the short contiguous excerpt that answers it.

The pattern is sentence-window retrieval: a sentence is scored (see `score_sentences`),
then the best one grows into an excerpt of its passage with the neighbours that complete
it (see `expand`): the sentence before when the answer leans on it ("Dự án này…"), the
one after when it holds what the question's kind asks for (the number, the date, the
name, the list), or when the question's words are spread over both. About 150–600
characters, never across passages.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..models import Hit, QueryInfo
from ..retrieve.answer_types import has_answer_type
from ..retrieve.question import Question, source_kinds, unit_class
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import NAME_GROUPS, fold, glossary_terms, places_in, tokens, with_countries
from ..text.language import same_language
from ..text.lexicon import glossary_matches
from . import ranker
from .lists import LISTY, continuation, front_matter, list_items
from .signals import bridge_terms, content_pairs, defines, holds_value, value_kinds
from .spans import Candidate, Excerpt

# Cosine bands are the model's: e5 cosines are compressed, unrelated text sits near 0.75
# and a sentence that answers the question near 0.85–0.9; an English question against
# Vietnamese sentences sits lower and narrower. An embedder may carry its own bands as
# `cosine_bands` (the fake one in the tests does); these are multilingual-e5-small's.
E5_BANDS = {"same": (0.75, 0.15), "cross": (0.78, 0.08)}

MIN_CHARS, MAX_CHARS = 150, 600
# "Scores nearly as well": a second excerpt, or a comparison side's sentence that names
# its side, competes with the best when its score is at least this share of the best's.
KEEP_RATIO = 0.92
# The runner-up sentence is quoted beside the best when the ranker finds it at least this
# share as likely to answer (the ratio of their softmax shares). Chosen on the grouped
# cross-validation of both corpora's question sets (`python -m assistant calibrate`
# prints the curve): at 0.3 an answer quotes 1.3 sentences on average, and the sentences
# quoted hold the fact 6–8 points more often than the best alone, in every group.
RUNNER_SHARE = 0.3
ANSWER_KINDS = {"paragraph", "caption", "footnote"}

# Sentences that lean on the one before them ("Điều này…", "Dự án này…", "Họ…").
DEPENDENT = re.compile(
    r"^(?:[\w-]+\s){1,2}(?:này|đó|ấy)\b"
    r"|^(?:họ|nó|đây|đó là|tuy nhiên|do đó|vì vậy|kết quả là|trong đó|sau đó|thêm vào đó|"
    r"they|it|this|these|however|as a result)\b",
    re.IGNORECASE,
)
# A sentence that opens the next item of an enumeration starts a new topic.
NEW_ITEM = re.compile(
    r"^(thu hai|thu ba|thu tu|cuoi cung|mot vi du khac|second|third|finally|\(?\d+[.)]|\([a-z]\))"
)
# An example right after a general statement completes it ("… Ví dụ, Bệnh viện …").
EXAMPLE = re.compile(r"^(ví dụ|chẳng hạn|điển hình|for example|for instance|e\.g\.)", re.IGNORECASE)


def idf_weights(index: Index) -> dict[str, float]:
    """Inverse document frequency of each folded token over the passages (cached on the index)."""
    cached = getattr(index, "_idf", None)
    if cached is not None:
        return cached
    df: dict[str, int] = {}
    for p in index.passages:
        for t in set(tokens(p.indexed_text)):
            df[t] = df.get(t, 0) + 1
    n = max(1, len(index.passages))
    idf = {t: math.log(1 + n / c) for t, c in df.items()}
    index._idf = idf  # type: ignore[attr-defined]
    return idf


def coverage(terms: list[str], words: set[str], context: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of `terms` found in `words` (in `context` they count half).

    Terms the corpus never uses weigh the most: a question about Indonesia is not
    answered by a sentence about Singapore.
    """
    if not terms:
        return 0.0
    top = max(idf.values(), default=1.0)
    total = found = 0.0
    for t in terms:
        w = idf.get(t, top)
        total += w
        if t in words:
            found += w
        elif t in context:
            found += 0.5 * w
    return found / total if total else 0.0


def scaled(cosine: float, band: tuple[float, float], *, clip: bool = True) -> float:
    """A cosine on the band's scale: 0 at its floor, 1 at floor + span (clipped to
    [0, 1] unless `clip` is False: the learned models read the whole range, since on
    another corpus the cosines of answering sentences may sit under the band)."""
    floor, span = band
    value = (cosine - floor) / span
    return min(1.0, max(0.0, value)) if clip else value


def terms_for(info: QueryInfo, question: Question, index: Index) -> list[str]:
    """The focus words that lexical coverage counts.

    For English: the question's words the corpus uses (names, numbers, acronyms; an
    English plural meets the corpus's singular, "robots" ~ "robot"), then the Vietnamese
    words of its glossary terms and of the places it names ("payments" → "thanh toan",
    "Japan" → "nhat ban"), which are how the bulletin writes them.
    """
    terms = [t for t in question.focus if t not in ENGLISH_WORDS or info.language != "en"]
    if info.language != "en":
        return terms
    idf = idf_weights(index)
    folded = fold(info.normalized)
    # an English word the glossary translates counts as the bulletin's words for it
    # ("smart nation" → "quốc gia thông minh"), not as itself (the English reference list
    # has it)
    covered = {w for term in glossary_matches(folded) for w in term.split()}
    terms = [t if t in idf or t[:-1] not in idf else t[:-1] for t in terms if t not in covered]
    terms = [t for t in terms if t in idf and not places_in(t)]
    translated = glossary_terms(folded)
    for group in sorted(places_in(folded)):
        translated += [w for form in sorted(NAME_GROUPS[group]) for w in form.split()]
    return list(dict.fromkeys(terms + [w for w in translated if w in idf]))


def score_sentences(
    info: QueryInfo,
    question: Question,
    hits: list[Hit],
    qvec: np.ndarray | None,
    index: Index,
    bands: dict,
    *,
    given: set[str] = frozenset(),
) -> list[Candidate]:
    """Every sentence of the answer-bearing hits, best first.

    `given` are words every hit is known to be about (a comparison's side, whose passages
    are chosen for it): they do not count toward a sentence's words.

    Each sentence's features (`ranker.FEATURES`) are read here and scored by the learned
    ranker: the score is P(the sentence holds the answer).
    """
    idf = idf_weights(index)
    terms = [t for t in terms_for(info, question, index) if t not in given]
    bridges = [t for t in bridge_terms(info.normalized) if t not in given]
    # pairs of the words the hits are known to be about ("nhat ban") say nothing (a set:
    # never joined in its iteration order, which varies from process to process)
    pairs = {p for p in content_pairs(info.normalized) if not (p[0] in given and p[1] in given)}
    loose, unit = value_kinds(question), unit_class(question)
    asked_places = places_in(fold(info.normalized))
    # a question about the document itself (its publisher, its references) is answered
    # from its title page or reference list when the hits hold one
    sources = source_kinds(info.normalized)
    kinds = sources if any(h.passage.kind in sources for h in hits) else ANSWER_KINDS
    out: list[Candidate] = []
    rows: list[dict[str, float]] = []
    for h, hit in enumerate(hits):
        if hit.passage.kind not in kinds:
            continue  # the reference list and the title page name things; they answer only about themselves
        row = index.position[hit.passage.id]
        context = set(tokens(hit.passage.context))
        passage_places = places_in(fold(hit.passage.context)) or places_in(fold(hit.passage.text))
        elsewhere = bool(asked_places and passage_places and not with_countries(asked_places) & passage_places)
        # an English question about an English passage is not cross-lingual
        same = same_language(info.language, hit.passage.language)
        band = bands["same"] if same else bands["cross"]
        for n, s in enumerate(index.sentence_rows[row]):
            _, start, end = index.sentences[s].tolist()
            if hit.passage.is_instruction(start, end):
                continue  # addressed to an assistant: data, never an answer
            text = hit.passage.text[start:end]
            cosine = float(index.sentence_embeddings[s] @ qvec) if qvec is not None else band[0]
            similarity = scaled(cosine, band, clip=False)
            words = set(tokens(text))
            lexical = coverage(terms, words, context, idf)
            typed = has_answer_type(question, text)
            folded = tokens(text)
            rows.append({
                "text": text,
                "dense": similarity,
                "lexical": lexical,
                "bridged": sum(b in words for b in bridges) / len(bridges) if bridges else 0.0,
                "bigram": len(pairs & set(zip(folded, folded[1:]))) / len(pairs) if pairs else 0.0,
                "value": float(bool(loose) and holds_value(loose, text, question, unit)),
                "defines": float(defines(question, text)),
                "passage": hit.score,
                "passage_first": float(h == 0),
                "typed": float(typed is True),
                "untyped": float(typed is False),
                "first": float(n == 0),
                "short": float(len(text) < 25),
                "elsewhere": float(elsewhere),
                "cross": float(not same),
                "passage_row": float(row),
                "position": float(n),
            })  # fmt: skip
            out.append(Candidate(s, h, start, end, text, min(1.0, max(0.0, similarity)), lexical, 0.0, elsewhere, similarity))
    ranker.relative(rows)
    points, shares = ranker.scores(rows)
    for c, score, share in zip(out, points, shares):
        c.score, c.share = score, share
    out.sort(key=lambda c: -c.score)
    return out


def _sentence(index: Index, hits: list[Hit], hit: int, row: int, known: dict[int, Candidate]) -> Candidate:
    if row in known:
        return known[row]
    _, start, end = index.sentences[row].tolist()
    return Candidate(row, hit, start, end, hits[hit].passage.text[start:end], 0.0, 0.0)


def widen(excerpt: Excerpt, other: Candidate, hits: list[Hit], index: Index, candidates: list[Candidate]) -> Excerpt | None:
    """The excerpt grown to take in `other`, another sentence of its passage, and the
    sentences between them; None when that passes MAX_CHARS or takes in a sentence
    addressed to an assistant."""
    known = {c.row: c for c in candidates}
    passage = hits[excerpt.hit].passage
    rows = list(index.sentence_rows[index.position[passage.id]])
    j = rows.index(other.row)
    lo, hi = min(rows.index(excerpt.sentences[0].row), j), max(rows.index(excerpt.sentences[-1].row), j)
    run = [_sentence(index, hits, excerpt.hit, rows[k], known) for k in range(lo, hi + 1)]
    if any(passage.is_instruction(c.start, c.end) for c in run) or sum(len(c.text) + 1 for c in run) > MAX_CHARS:
        return None
    return Excerpt(excerpt.hit, run, excerpt.anchor, label=excerpt.label, coverage=excerpt.coverage, extra=excerpt.extra)


def expand(
    anchor: Candidate,
    question: Question,
    info: QueryInfo,
    hits: list[Hit],
    index: Index,
    candidates: list[Candidate],
) -> Excerpt:
    """Grow the anchor sentence into the excerpt that answers, within its passage."""
    known = {c.row: c for c in candidates}
    passage = hits[anchor.hit].passage
    rows = list(index.sentence_rows[index.position[passage.id]])
    i = rows.index(anchor.row)
    # a sentence addressed to an assistant bounds the excerpt: it is never quoted
    flagged = [passage.is_instruction(*index.sentences[r].tolist()[1:]) for r in rows]
    first = max((j + 1 for j in range(i) if flagged[j]), default=0)
    rows = rows[first : next((j for j in range(i + 1, len(rows)) if flagged[j]), len(rows))]
    i -= first
    lo = hi = i
    idf = idf_weights(index)
    terms = terms_for(info, question, index)
    context = set(tokens(passage.context))

    def sent(j: int) -> Candidate:
        return _sentence(index, hits, anchor.hit, rows[j], known)

    def length(a: int, b: int) -> int:
        return sum(len(sent(j).text) + 1 for j in range(a, b + 1))

    def cov(a: int, b: int) -> float:
        words = set().union(*(set(tokens(sent(j).text)) for j in range(a, b + 1)))
        return coverage(terms, words, context, idf)

    def text(a: int, b: int) -> str:
        return " ".join(sent(j).text for j in range(a, b + 1))

    # the sentence before, when this one leans on it (twice at most: "Họ… Dự án này…")
    while lo > 0 and DEPENDENT.match(sent(lo).text) and length(lo - 1, hi) <= MAX_CHARS and i - lo < 2:
        lo -= 1
    # the sentences after that complete it
    for _ in range(3):
        j = hi + 1
        if j >= len(rows) or length(lo, j) > MAX_CHARS:
            break
        nxt = sent(j).text
        current = text(lo, hi)
        wanted = has_answer_type(question, current) is False and has_answer_type(question, nxt)
        lead_in = current.rstrip().endswith(":")
        new_item = bool(NEW_ITEM.match(fold(nxt)))
        # an enumeration ("Đầu tiên, … Thứ hai, …") is what a list question asks for
        listing = question.kind == "list" and (bool(LISTY.search(nxt)) or new_item)
        leans = (bool(DEPENDENT.match(nxt)) or (hi == i and bool(EXAMPLE.match(nxt)))) and not new_item
        # a definition, a "how" or a "why" is usually completed by the next sentence
        explains = question.kind in ("definition", "how", "why") and hi == i and not new_item
        spread = cov(lo, j) - cov(lo, hi) >= 0.15
        if wanted or lead_in or listing or leans or explains or spread:
            hi = j
        else:
            break
    # what the kind asks for (the number, the date, the name) a little further on: reach
    # it, or, when that would be too long, move the excerpt onto it (it answers)
    if has_answer_type(question, text(lo, hi)) is False:
        ahead = [j for j in range(hi + 1, min(len(rows), hi + 4)) if has_answer_type(question, sent(j).text)]
        if ahead:
            j = ahead[0]
            if length(lo, j) <= MAX_CHARS:
                hi = j
            else:
                lo, hi = j, j
                while lo > i and length(lo - 1, hi) <= MAX_CHARS:
                    lo -= 1
                anchor = sent(j)
    # a one-line excerpt gets the neighbour that scores better, when it fits
    if length(lo, hi) < MIN_CHARS:
        options = [j for j in (lo - 1, hi + 1) if 0 <= j < len(rows) and length(min(lo, j), max(hi, j)) <= MAX_CHARS]
        options = [j for j in options if not (j > hi and NEW_ITEM.match(fold(sent(j).text)))]
        if options:
            j = max(options, key=lambda j: (sent(j).score, j > hi))
            lo, hi = min(lo, j), max(hi, j)
    excerpt = Excerpt(anchor.hit, [sent(j) for j in range(lo, hi + 1)], anchor, coverage=cov(lo, hi))
    excerpt.extra = list_items(excerpt, question, hits, index)
    if not excerpt.extra and hi == len(rows) - 1 and has_answer_type(question, excerpt.text) is False:
        excerpt.extra = continuation(passage, question, index)
    if passage.kind == "front" and not excerpt.extra:
        excerpt.extra = front_matter(passage, index)
    return excerpt


