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
from dataclasses import dataclass, field

import numpy as np

from ..models import Hit, QueryInfo
from ..retrieve.question import Question, asking_words, has_answer_type, source_kinds
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import NAME_GROUPS, fold, glossary_terms, places_in, tokens, with_countries
from ..text.language import is_vietnamese_syllable, same_language
from ..text.lexicon import glossary_matches
from . import ranker

# Cosine bands are the model's: e5 cosines are compressed, unrelated text sits near 0.75
# and a sentence that answers the question near 0.85–0.9; an English question against
# Vietnamese sentences sits lower and narrower. An embedder may carry its own bands as
# `cosine_bands` (the fake one in the tests does); these are multilingual-e5-small's.
E5_BANDS = {"same": (0.75, 0.15), "cross": (0.78, 0.08)}

MIN_CHARS, MAX_CHARS = 150, 600
# "Scores nearly as well": a second excerpt, or a comparison side's sentence that names
# its side, competes with the best when its score is at least this share of the best's.
KEEP_RATIO = 0.92
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
ITEM = re.compile(r"^(?:\(?[0-9]{1,2}[.)]|\([a-z]\)|[-–•])\s+")
LISTY = re.compile(r";|:\s|\(\d\)|^[-–•]\s")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-ZĐ][\w&-]*[A-Z][\w&-]*|[A-Z][a-z]+[A-Z]\w*)\b")


@dataclass
class Candidate:
    """One sentence of a retrieved passage and how well it matches the question."""

    row: int  # sentence row in the index
    hit: int  # position of its passage among the hits
    start: int  # offsets in the passage text
    end: int
    text: str
    dense: float  # cosine to the query, scaled to [0, 1] by the model's band
    lexical: float  # IDF-weighted share of the focus words, context counting half
    score: float = 0.0
    elsewhere: bool = False
    similarity: float = 0.0  # the cosine scaled by the band, not clipped: what the models read


@dataclass
class Excerpt:
    """A contiguous run of sentences of one passage; `anchor` is the one that answers."""

    hit: int
    sentences: list[Candidate]
    anchor: Candidate
    label: str | None = None
    coverage: float = 0.0
    extra: list[tuple[int, int, int]] = field(default_factory=list)  # list items elsewhere

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.sentences)


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


def bridge_terms(text: str) -> list[str]:
    """The question's words that every language writes the same: numbers ("1900",
    "180.706"), acronyms ("GDP", "NEA") and names past the first word ("Tesla",
    "WeChat", "Kawasaki"), folded; never an asking word.

    >>> bridge_terms("When did Tesla move to New York in 1884?")
    ['tesla', 'new', 'york', '1884']
    """
    out = []
    for i, m in enumerate(re.finditer(r"[\w&.'’-]+", text)):
        word = m.group().strip(".'’-")
        if not word:
            continue
        named = word[:1].isupper() and (i > 0 or not is_vietnamese_syllable(fold(word)))
        if any(ch.isdigit() for ch in word) or sum(ch.isupper() for ch in word) >= 2 or named:
            out += [t for t in tokens(word) if t not in ENGLISH_WORDS and t not in asking_words()]
    return list(dict.fromkeys(out))


def content_pairs(text: str) -> set[tuple[str, str]]:
    """The question's adjacent pairs of folded words that both carry content (no asking
    or function word): "doanh nghiệp vừa và nhỏ" → {("doanh", "nghiep"), ("vua", "va")…}."""
    words = tokens(text)
    skip = asking_words() | ENGLISH_WORDS
    return {(a, b) for a, b in zip(words, words[1:]) if a not in skip and b not in skip}


def value_kinds(question: Question) -> set[str]:
    """The kinds of value the question asks for, read loosely (no unit): "number",
    "year", "name"; empty for kinds that ask for none."""
    kinds = {question.kind, *question.also}
    out = set()
    if "number" in kinds:
        out.add("number")
    if "date" in kinds:
        out.add("year")
    if kinds & {"who", "name", "where"}:
        out.add("name")
    return out


def holds_value(kinds: set[str], text: str, asked: str) -> bool:
    """Whether a sentence holds a value of one of `kinds` the question does not give:
    any number (a year is no count), a year or date, a name (a capitalised word past the
    first that is no Vietnamese syllable, an acronym, a capitalised run)."""
    given = set(re.findall(r"\d+", asked))
    numbers = [n for n in re.findall(r"\d[\d.,]*", text) if n.strip(".,") not in given]
    if "number" in kinds and any(not re.fullmatch(r"(1[5-9]|20)\d{2}", n.strip(".,")) for n in numbers):
        return True
    if "year" in kinds and any(re.fullmatch(r"(1[0-9]|20)\d{2}", n.strip(".,")) for n in numbers):
        return True
    if "name" in kinds:
        asked_words = set(tokens(asked))
        names = re.findall(r"(?<!^)\b[A-ZĐ][\w-]+", text)
        return any(fold(n) not in asked_words for n in names)
    return False


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
    pairs = content_pairs(info.normalized) - {p for p in content_pairs(" ".join(given))}
    loose = value_kinds(question)
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
                "value": float(bool(loose) and holds_value(loose, text, question.text)),
                "passage": hit.score,
                "passage_first": float(h == 0),
                "typed": float(typed is True),
                "untyped": float(typed is False),
                "first": float(n == 0),
                "short": float(len(text) < 25),
                "elsewhere": float(elsewhere),
                "cross": float(not same),
                "passage_row": float(row),
            })  # fmt: skip
            out.append(Candidate(s, h, start, end, text, min(1.0, max(0.0, similarity)), lexical, 0.0, elsewhere, similarity))
    ranker.relative(rows)
    for c, score in zip(out, ranker.scores(rows)):
        c.score = score
    out.sort(key=lambda c: -c.score)
    return out


def _sentence(index: Index, hits: list[Hit], hit: int, row: int, known: dict[int, Candidate]) -> Candidate:
    if row in known:
        return known[row]
    _, start, end = index.sentences[row].tolist()
    return Candidate(row, hit, start, end, hits[hit].passage.text[start:end], 0.0, 0.0)


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
