"""Extractive answers: the best one to three sentences of the retrieved passages, cited.

Every answer sentence is a verbatim quote of the passage it cites; nothing is paraphrased
or translated. For an English question the answer says, in English, that it quotes the
Vietnamese text.

Sentences are scored against the question by three signals (see `score_sentences`):
the embedder (each sentence's vector is in the index), the share of the question's
informative words the sentence (or its section context) contains, and the rank of its
passage. When the best evidence is too weak, the answer abstains and lists the nearest
passages as related reading, not as citations (see `ABSTAIN_BELOW`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..models import Answer, AnswerSentence, Citation, Hit, QueryInfo
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import GLOSSARY, NAME_GROUPS, fold, glossary_terms, places_in, tokens
from .joins import cited

# Cosine bands are the model's: e5 cosines are compressed, unrelated text sits near 0.75
# and a sentence that answers the question near 0.85–0.9; an English question against
# Vietnamese sentences sits lower and narrower. An embedder may carry its own bands as
# `cosine_bands` (the fake one in the tests does); these are multilingual-e5-small's,
# measured on the dev set.
E5_BANDS = {"same": (0.75, 0.15), "cross": (0.78, 0.08)}
UNKNOWN_PENALTY = 0.5

# A second or third sentence joins the answer only when it scores nearly as well as the best.
KEEP_RATIO = 0.85
MAX_SENTENCES = 3
MAX_ANSWER_CHARS = 700

# Abstain when the confidence (see `confidence`) is below this. Calibrated on the dev set
# and the unanswerable probes in tests/data/unanswerable.jsonl: see README "Abstention".
ABSTAIN_BELOW = {"vi": 0.45, "vi-unaccented": 0.45, "en": 0.2}

# Questions that ask for a quantity or a date want a sentence with a number in it.
_WANTS_NUMBER = re.compile(
    r"\b(bao nhieu|may|nam nao|khi nao|luc nao|bao gio|how many|how much|when|what year|how large|how big|how long|how old)\b"
)
# Sentences that lean on the one before them ("Điều này…", "Dự án này…", "Họ…").
_DEPENDENT = re.compile(
    r"^(?:[\w-]+\s){1,2}(?:này|đó|ấy)\b"  # "Dự án này…", "Đề án này…", "Điều đó…"
    r"|^(?:họ|nó|đây|đó là|tuy nhiên|ngoài ra|do đó|vì vậy|kết quả là|trong đó|sau đó|thêm vào đó|"
    r"they|it|this|these|however|as a result)\b",
    re.IGNORECASE,
)
# "X là gì?", "What is X?": the sentence after the definition usually completes it.
_DEFINITION = re.compile(
    r"(\bla gi\b|\bnghia la gi\b|\bla ai\b|^what (is|are|was|were)\b|^who (is|are|was)\b)"
)
# A sentence that opens the next item of an enumeration starts a new topic.
_NEW_ITEM = re.compile(
    r"^(thu hai|thu ba|thu tu|cuoi cung|mot vi du khac|second|third|finally|\(?\d+[.)]|\([a-z]\))"
)
FOLLOW_RATIO = 0.6
ANSWER_KINDS = {"paragraph", "caption", "footnote"}
_ITEM = re.compile(r"^(?:\(?[0-9]{1,2}[.)]|\([a-z]\)|[-–•])\s+")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-ZĐ][\w&-]*[A-Z][\w&-]*|[A-Z][a-z]+[A-Z]\w*)\b")

NOT_COVERED = {
    "vi": "Bản tin không đề cập đến {topic}.",
    "vi-unaccented": "Bản tin không đề cập đến {topic}.",
    "en": "The bulletin does not cover {topic}.",
}
RELATED = {
    "vi": "Các đoạn gần nhất để tham khảo:",
    "vi-unaccented": "Các đoạn gần nhất để tham khảo:",
    "en": "Nearest passages, for further reading:",
}
ENGLISH_PREFIX = "The bulletin says (quoted in Vietnamese, its original language):"


@dataclass
class Candidate:
    row: int  # sentence row in the index
    hit: int  # position of its passage among the hits
    start: int
    end: int
    text: str
    dense: float
    lexical: float
    score: float = 0.0


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


def question_terms(info: QueryInfo) -> list[str]:
    """The informative words of a question, folded, without English function words."""
    return [
        t
        for t in dict.fromkeys(tokens(info.normalized))
        if t not in ENGLISH_WORDS and len(t) > 1 or t.isdigit()
    ]


def coverage(
    terms: list[str], sentence: set[str], context: set[str], idf: dict[str, float]
) -> float:
    """IDF-weighted share of the question's terms found in the sentence (context counts half).

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
        if t in sentence:
            found += w
        elif t in context:
            found += 0.5 * w
    return found / total if total else 0.0


def _scaled(cosine: float, band: tuple[float, float]) -> float:
    floor, span = band
    return min(1.0, max(0.0, (cosine - floor) / span))


def score_sentences(
    info: QueryInfo, hits: list[Hit], qvec: np.ndarray | None, index: Index, bands: dict = E5_BANDS
) -> list[Candidate]:
    idf = idf_weights(index)
    terms = [t for t in question_terms(info) if info.language != "en" or t in idf]
    if info.language == "en":
        # Place names are spelled differently in the Vietnamese text ("Singapore" ~
        # "Singapo"); the place check below handles them, not word coverage.
        terms = [t for t in terms if not places_in(t)]
    band = bands["cross"] if info.language == "en" else bands["same"]
    wants_number = bool(_WANTS_NUMBER.search(fold(info.normalized)))
    names = {fold(n) for n in _NAME.findall(info.normalized)}
    asked_places = places_in(fold(info.normalized))
    w = info.dense_weight
    out: list[Candidate] = []
    for h, hit in enumerate(hits):
        if hit.passage.kind not in ANSWER_KINDS:
            continue  # the reference list and the title page name things, they answer nothing
        row = index.position[hit.passage.id]
        context = set(tokens(hit.passage.context))
        # A question about Japan is not answered by a passage about Korea.
        passage_places = places_in(fold(hit.passage.context)) or places_in(fold(hit.passage.text))
        elsewhere = bool(asked_places and passage_places and not asked_places & passage_places)
        for s in index.sentence_rows[row]:
            _, start, end = index.sentences[s].tolist()
            text = hit.passage.text[start:end]
            words = set(tokens(text))
            dense = float(index.sentence_embeddings[s] @ qvec) if qvec is not None else 0.0
            lexical = coverage(terms, words, context, idf)
            score = w * _scaled(dense, band) + (1 - w) * lexical + 0.15 * hit.score
            if wants_number and re.search(r"\d", text):
                score += 0.1
            if names and any(n in fold(text) for n in names):
                score += 0.1
            if len(text) < 25:  # a heading-like fragment says little on its own
                score -= 0.2
            if elsewhere:
                score -= 0.25
            out.append(Candidate(s, h, start, end, text, dense, lexical, score))
    out.sort(key=lambda c: -c.score)
    return out


# Vietnamese question words and particles: they ask, they do not name a topic.
QUESTION_WORDS = set(
    "gi sao nao dau ai bao nhieu may the nhu lam khong chua co phai hay hoac duoc ra khi luc".split()
)


def capitalised_runs(text: str) -> list[tuple[int, list[str]]]:
    """Runs of capitalised words with the index of their first word: names, mostly."""
    runs: list[tuple[int, list[str]]] = []
    words = re.findall(r"[\w'’-]+", text)
    for i, word in enumerate(words):
        if word[:1].isupper():
            if runs and runs[-1][0] + len(runs[-1][1]) == i:
                runs[-1][1].append(word)
            else:
                runs.append((i, [word]))
    return runs


def mentioned_places(index: Index) -> set[int]:
    """The place groups the corpus names: a form's words are corpus words, in corpus order.

    Read from the vocabulary the index already holds, so it costs the same for one
    bulletin as for a million passages.
    """
    vocab = index.vocabulary

    def named(form: str) -> bool:
        words = form.split()
        return all(w in vocab.folded_words for w in words) and all(
            pair in vocab.folded_pairs for pair in zip(words, words[1:])
        )

    return {i for i, group in enumerate(NAME_GROUPS) if any(named(f) for f in group)}


def unknown_words(info: QueryInfo, index: Index) -> list[str]:
    """Names and words of the question that the bulletin never uses.

    Such a word is usually the very thing asked about ("Indonesia", "Việt Nam"), so the
    bulletin cannot answer. Ordinary English words are of course absent from a Vietnamese
    text, so for English only names count (runs of capitalised words; a run is known when
    any of its words is: "Winter Olympics" ~ "Olympic"). A word also matches a corpus word
    by its first five letters ("Olympics" ~ "Olympic"). A Vietnamese name of two syllables
    ("Thái Lan") is known only if the bulletin has that very pair.
    """
    idf = idf_weights(index)
    prefixes = getattr(index, "_prefixes", None)
    if prefixes is None:
        prefixes = {w[:5] for w in idf if len(w) >= 5}
        index._prefixes = prefixes  # type: ignore[attr-defined]

    def is_known(word: str) -> bool:
        return word in idf or (len(word) >= 5 and word[:5] in prefixes)

    def translated_known(word: str) -> bool:
        return any(all(w in idf for w in form.split()) for form in GLOSSARY.get(word, ()))

    text = info.normalized
    unknown: list[str] = []
    for first, run in capitalised_runs(text):
        words = [fold(w).removesuffix("'s").removesuffix("’s") for w in run]
        words = [w for w in words if w not in ENGLISH_WORDS and w not in QUESTION_WORDS]
        if not words or (first == 0 and len(words) == 1):
            continue  # the first word of a sentence is capitalised anyway
        if info.language == "en" and all(w.rstrip("s").isupper() for w in run):
            # An English acronym is known if the bulletin uses it ("AI", "OECD") or the
            # Vietnamese words the glossary gives for it ("SMEs": doanh nghiệp vừa và nhỏ).
            if not any(is_known(w) or translated_known(w) for w in words):
                unknown.append(" ".join(words))
            continue
        if info.language == "en" and len(words) > 1:
            continue  # "State Council", "Smart Nation": institutions are translated in the text
        if not any(is_known(w) for w in words):
            unknown.append(" ".join(words))
        elif info.language != "en" and len(words) >= 2:
            pairs = index.vocabulary.folded_pairs
            if not all((a, b) in pairs for a, b in zip(words, words[1:])):
                unknown.append(" ".join(words))
    # A place the question names that the bulletin never names ("Malaysia", "ma lai xi a"),
    # whatever the words it is written in.
    folded = fold(text)
    for group in places_in(folded) - mentioned_places(index):
        named = [f for f in NAME_GROUPS[group] if re.search(rf"\b{re.escape(f)}\b", folded)]
        form = max(named, key=len)
        if " " in form or len(form) >= 5:  # "anh", "my", "uc" are syllables first
            unknown.append(form)
    if info.language != "en":
        unknown += [
            t
            for t in tokens(text)
            if not t.isdigit() and t not in QUESTION_WORDS and not is_known(t) and t not in unknown
        ]
    return list(dict.fromkeys(unknown))


def understood(info: QueryInfo, index: Index) -> bool:
    """Whether a question has any word to go by: for English, a word of the language's
    grammar ("what", "the"), of the bulletin, or of the glossary.

    Text classed as English by default ("asdf qwer", "lorem ipsum", a path, markup) has
    none, and its nearest sentence would be an answer to nothing.
    """
    if info.language != "en":
        return True
    words = [t for t in tokens(info.normalized) if not t.isdigit()]
    idf = idf_weights(index)
    return any(w in ENGLISH_WORDS or w in idf or w in GLOSSARY for w in words) or bool(
        glossary_terms(fold(info.normalized))
    )


def confidence(
    best: Candidate, info: QueryInfo, unknown: list[str], bands: dict = E5_BANDS
) -> float:
    """How sure we are that the best sentence answers the question, in [0, 1].

    English questions share few words with the Vietnamese text, so they are judged by the
    embedder alone, on a band set for cross-lingual cosines (lower than same-language
    ones). Vietnamese ones by the embedder and the words they share. A word the bulletin
    never uses costs a lot: it is usually the very thing asked about ("Indonesia").
    """
    if info.language == "en":
        value = _scaled(best.dense, bands["cross"])
    else:
        value = 0.5 * _scaled(best.dense, bands["same"]) + 0.5 * best.lexical
    value -= UNKNOWN_PENALTY * min(2, len(unknown))
    return round(max(0.0, min(1.0, value)), 3)


def should_abstain(conf: float, info: QueryInfo) -> bool:
    return conf < ABSTAIN_BELOW[info.language]


def _jaccard(a: str, b: str) -> float:
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / max(1, len(x | y))


def choose(
    candidates: list[Candidate], index: Index, hits: list[Hit], *, definition: bool = False
) -> list[list[Candidate]]:
    """Groups of sentences to quote: the best, then up to two more nearly as good.

    A sentence that leans on the one before it brings that one along (same group). The
    sentence right after the best one joins its group when it scores well too, or always
    for a "what is X?" question (the definition's second sentence completes it), unless
    it opens the next item of an enumeration ("Thứ hai, …").
    """
    if not candidates:
        return []
    best = candidates[0]
    groups: list[list[Candidate]] = []
    used: set[int] = set()
    length = 0
    by_row = {c.row: c for c in candidates}

    def same_passage(a: int, b: int) -> bool:
        return (
            0 <= a < len(index.sentences)
            and 0 <= b < len(index.sentences)
            and index.sentences[a][0] == index.sentences[b][0]
        )

    for c in candidates:
        if len(groups) >= MAX_SENTENCES or c.score < KEEP_RATIO * best.score:
            break
        if c.row in used or any(_jaccard(c.text, g.text) > 0.6 for grp in groups for g in grp):
            continue
        group = [c]
        prev = c.row - 1
        if _DEPENDENT.match(c.text.lower()) and same_passage(prev, c.row) and prev not in used:
            group.insert(0, by_row.get(prev) or _candidate_for(prev, c.hit, index, hits))
        if not groups:
            nxt = c.row + 1
            follower = by_row.get(nxt)
            if (
                follower is not None
                and same_passage(nxt, c.row)
                and not _NEW_ITEM.match(fold(follower.text))
                and (definition or follower.score >= FOLLOW_RATIO * c.score)
            ):
                group.append(follower)
        size = sum(len(g.text) for g in group)
        if groups and length + size > MAX_ANSWER_CHARS:
            continue
        groups.append(group)
        used.update(g.row for g in group)
        length += size
    return groups


def _candidate_for(row: int, hit: int, index: Index, hits: list[Hit]) -> Candidate:
    _, start, end = index.sentences[row].tolist()
    return Candidate(row, hit, start, end, hits[hit].passage.text[start:end], 0.0, 0.0)


def list_items(
    group: list[Candidate], index: Index, hits: list[Hit], limit: int = 6
) -> list[tuple[int, int, int]]:
    """For a sentence that introduces a list ("… các chủ đề sau:"), the items' titles.

    Returns (passage row, start, end) of each item's title in the passages that follow.
    """
    last = group[-1]
    if not last.text.rstrip().endswith(":"):
        return []
    row = index.position[hits[last.hit].passage.id]
    doc = index.passages[row].doc_id
    items = []
    for nxt in range(row + 1, min(len(index.passages), row + 1 + limit)):
        p = index.passages[nxt]
        if p.doc_id != doc or not _ITEM.match(p.text):
            break
        colon = p.text.find(":")
        end = (
            colon
            if 0 < colon <= 160
            else (
                index.sentences[index.sentence_rows[nxt][0]][2]
                if index.sentence_rows[nxt]
                else len(p.text)
            )
        )
        items.append((nxt, 0, int(end)))
    return items


def citation(number: int, hit: Hit, start: int, end: int, index: Index) -> Citation:
    p = hit.passage
    doc = index.documents.get(p.doc_id)
    return Citation(
        number=number,
        passage_id=p.id,
        doc_id=p.doc_id,
        document=doc.title if doc else p.doc_id,
        issue=doc.issue if doc else "",
        section_path=p.section_path,
        paragraph=p.paragraph,
        page=p.page,
        quote=p.text[start:end],
        quote_start=start,
        quote_end=end,
        source_spans=p.to_source(start, end),
        score=hit.score,
    )


def topic_of(info: QueryInfo) -> str:
    """The question as a topic for 'The bulletin does not cover …'."""
    text = info.normalized.rstrip(" ?!.")
    return f"“{text}”"


def compose(
    info: QueryInfo,
    hits: list[Hit],
    qvec: np.ndarray | None,
    index: Index,
    *,
    bands: dict | None = None,
) -> Answer:
    """An extractive answer (or an abstention) for an analysed question and its hits."""
    language = info.language
    bands = bands or E5_BANDS
    candidates = score_sentences(info, hits, qvec, index, bands)
    unknown = unknown_words(info, index)
    conf = confidence(candidates[0], info, unknown, bands) if candidates else 0.0
    if not understood(info, index):
        conf = 0.0
    if not candidates or should_abstain(conf, info):
        return Answer(
            question=info.original,
            query=info.normalized,
            language=language,
            text=f"{NOT_COVERED[language].format(topic=topic_of(info))}",
            abstained=True,
            related=hits[:3],
            confidence=conf,
        )
    groups = choose(
        candidates, index, hits, definition=bool(_DEFINITION.search(fold(info.normalized)))
    )
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for group in groups:
        hit = hits[group[0].hit]
        start, end = min(g.start for g in group), max(g.end for g in group)
        number = len(citations) + 1
        citations.append(citation(number, hit, start, end, index))
        for g in sorted(group, key=lambda g: g.start):
            sentences.append(
                AnswerSentence(text=g.text, citations=[number], support=round(max(g.score, 0.0), 3))
            )
        for row, s, e in list_items(group, index, hits):
            item_hit = next((h for h in hits if index.position[h.passage.id] == row), None)
            item_hit = item_hit or Hit(passage=index.passages[row], score=0.0)
            number = len(citations) + 1
            citations.append(citation(number, item_hit, s, e, index))
            sentences.append(
                AnswerSentence(text=index.passages[row].text[s:e], citations=[number], support=0.0)
            )
    body = cited(sentences, verbatim=True)
    text = f"{ENGLISH_PREFIX}\n\n{body}" if language == "en" else body
    return Answer(
        question=info.original,
        query=info.normalized,
        language=language,
        text=text,
        sentences=sentences,
        citations=citations,
        confidence=conf,
    )


def _best_quote(sentence: str, passage_text: str) -> tuple[int, int]:
    """The passage sentence that shares most words with `sentence` (its supporting span)."""
    from ..ingest import sentences as sentence_mod

    words = set(tokens(sentence))
    spans = sentence_mod.spans(passage_text) or [(0, len(passage_text))]
    return max(spans, key=lambda se: len(words & set(tokens(passage_text[se[0] : se[1]]))))


def from_llm(
    info: QueryInfo,
    hits: list[Hit],
    sentences: list[AnswerSentence],
    index: Index,
    *,
    notice: str | None,
) -> Answer:
    """An answer from the LLM's checked sentences, its citations renumbered in order of use.

    Each citation quotes the sentence of the cited passage that best supports the answer
    sentence, so an evaluator sees the exact words behind it.
    """
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    out: list[AnswerSentence] = []
    for s in sentences:
        renumbered = []
        for n in s.citations:
            if n not in numbers:
                hit = hits[n - 1]
                start, end = _best_quote(s.text, hit.passage.text)
                numbers[n] = len(citations) + 1
                citations.append(citation(numbers[n], hit, start, end, index))
            renumbered.append(numbers[n])
        out.append(s.model_copy(update={"citations": renumbered}))
    text = cited(out)
    return Answer(
        question=info.original,
        query=info.normalized,
        language=info.language,
        text=text,
        sentences=out,
        citations=citations,
        mode="llm",
        notice=notice,
        confidence=min(s.support for s in out),
    )
