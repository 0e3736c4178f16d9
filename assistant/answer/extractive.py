"""Extractive answers: a short cited excerpt of the bulletin, or a clear abstention.

Every answer is the bulletin's own words: contiguous excerpts of the retrieved passages
(see `excerpt.py`), each cited with its exact offsets, the sentence that answers marked
as the citation's highlight. Nothing is paraphrased or translated; an English question
gets the Vietnamese quotes, introduced in English.

The question's kind (see `question.py`) shapes the answer: a comparison gets one
labelled excerpt per side, each found by its own sub-query; a list gets its items, in
one sentence ("Đó là: …") or numbered paragraphs; a number, date or name question wants
an excerpt that holds one. Whether to answer at all is decided by a calibrated logistic
model over features of the evidence (see `abstain.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..models import Answer, AnswerSentence, Citation, Hit, QueryInfo
from ..retrieve.question import (
    Question,
    analyze,
    asked_types,
    asking_words,
    has_answer_type,
    holds_type,
)
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import NAME_GROUPS, fold, place_match, place_words, places_in, tokens, with_countries
from ..text.language import is_vietnamese_syllable, same_language
from ..text.lexicon import english_name
from . import abstain
from .cite import citation, from_llm  # noqa: F401  (from_llm: the LLM mode's answers)
from .excerpt import (
    E5_BANDS,
    MAX_CHARS,
    bridge_terms,
    holds_value,
    value_kinds,
    Candidate,
    Excerpt,
    coverage,
    expand,
    idf_weights,
    score_sentences,
    terms_for,
)
from .heading import heading
from .names import capitalised_runs, understood, unknown_places, unknown_words

# A second excerpt from another passage joins only when it scores nearly as well, or
# when it holds clearly more of the question's words than the best one does (the
# sentence nearest in meaning and the one that says what was asked disagree).
KEEP_RATIO = 0.92
WORDS_LEAD = 0.15
# Re-search for one side of a comparison: (query) -> (analysed query, hits, query vector).
SideSearch = Callable[[str], tuple[QueryInfo, list[Hit], "np.ndarray | None"]]

NOT_COVERED = {
    "vi": "Bản tin không đề cập đến {topic}.",
    "vi-unaccented": "Bản tin không đề cập đến {topic}.",
    "en": "The bulletin does not cover {topic}.",
}
COVERS = {"vi": "Bản tin có các phần về: {places}.", "en": "The bulletin has sections on: {places}."}
ONE_SIDE = {
    "vi": "Bản tin không đề cập đến {place}, nên không so sánh được. Về {side}, bản tin viết: “{nearest}”",
    "en": "The bulletin does not cover {place}, so it cannot compare. On {side} it says: “{nearest}”",
}
ELSEWHERE = {
    "vi": "Bản tin không nói điều này về {asked}. Đoạn gần nhất nói về {other}: “{nearest}”",
    "en": "The bulletin does not say this of {asked}. The nearest passage is about {other}: “{nearest}”",
}
NOT_GIVEN = {
    "vi": "Bản tin có nói về {topic} nhưng không nêu {what}. Câu gần nhất: “{nearest}”",
    "en": "The bulletin mentions {topic} but does not give {what}. The nearest sentence: “{nearest}”",
}
UNSURE = {
    "vi": "Bản tin không trả lời rõ câu hỏi này về {topic}. Câu gần nhất, có thể không phải câu trả lời: “{nearest}”",
    "en": "The bulletin does not clearly answer this about {topic}. The nearest sentence, which may not be the answer: “{nearest}”",
}
WHAT = {
    "vi": {"money": "số tiền", "number": "con số được hỏi", "date": "thời điểm được hỏi",
           "who": "người hoặc tổ chức được hỏi", "name": "tên được hỏi", "where": "địa điểm được hỏi"},
    "en": {"money": "the amount", "number": "that number", "date": "that date",
           "who": "who it was", "name": "that name", "where": "that place"},
}  # fmt: skip
SIDE_MISSING = {
    "vi": "Bản tin không nêu thông tin này về {side}.",
    "en": "The bulletin gives nothing on this for {side}.",
}
ENGLISH_PREFIX = "The bulletin says (quoted in Vietnamese, its original language):"


# Small counts as the text may write them ("hai động lực" for "the 2 drivers"), folded.
NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


def _said_of_another_place(info: QueryInfo, excerpt: Excerpt, hits: list[Hit]) -> tuple[str, str] | None:
    """(asked place, other place) when the best excerpt's passage is about another place
    than the one the question names and never names it (or its country): the bulletin
    says this of Korea, the question asks it of China ("Trung Quốc dùng robot để làm
    gì?"). None otherwise."""
    if not excerpt.anchor.elsewhere:
        return None
    passage = hits[excerpt.hit].passage
    asked = places_in(fold(info.normalized))
    if not asked or with_countries(asked) & places_in(fold(passage.text)):
        return None
    where = passage.context if places_in(fold(passage.context)) else passage.text
    others = places_in(fold(where))
    if info.language == "en":  # the passage is Vietnamese: its place in English
        return _as_written(info.normalized, asked), ", ".join(english_name(g).title() for g in sorted(others))
    return _as_written(info.normalized, asked), _as_written(where, others)


def _section_places(index: Index, *, english: bool = False) -> str:
    """The places the documents have sections on ("2.2. Nhật Bản"), as their headings
    write them (or their English names), in reading order (cached on the index)."""
    cache = index.__dict__.setdefault("_section_places", {})
    if english not in cache:
        cache[english] = _places_of_sections(index, english)
    return cache[english]


def _places_of_sections(index: Index, english: bool) -> str:
    found: dict[int, str] = {}
    for p in index.passages:
        for title in p.section:
            groups = places_in(fold(title))
            if len(groups) == 1 and next(iter(groups)) not in found:
                g = next(iter(groups))
                found[g] = english_name(g).title() if english else _as_written(title, groups)
    return ", ".join(found.values())


def _as_written(text: str, groups: set[int]) -> str:
    """The places of `groups` as `text` writes them ("Nhật Bản", "Korea"), or their
    English names where it does not."""
    folded, names = fold(text), []
    for g in sorted(groups):
        m = place_match(folded, g)
        names.append(text[m.start() : m.end()] if m and len(folded) == len(text) else english_name(g).title())
    return ", ".join(dict.fromkeys(names))


def _lang(language: str) -> str:
    return "en" if language == "en" else "vi"


def features(
    excerpt: Excerpt, candidates: list[Candidate], question: Question, info: QueryInfo, unknown: list[str], hits: list[Hit], index: Index
) -> dict[str, float]:
    """The abstention model's inputs for an excerpt (see `abstain.FEATURES`)."""
    from .excerpt import coverage, terms_for

    passage = hits[excerpt.hit].passage
    other = next((c.score for c in candidates if c.hit != excerpt.hit), 0.0)
    terms, context, idf = terms_for(info, question, index), set(tokens(passage.context)), idf_weights(index)
    extra = [index.passages[r].text[s:e] for r, s, e in excerpt.extra]
    typed = has_answer_type(question, " ".join([excerpt.text, *extra]))
    # the question's words around what the kind asks for: the best coverage of a
    # sentence that holds it ("dân số 5 triệu" about Singapore does not answer Songdo)
    # (a question asking two things, "từ năm nào … mấy dự án", takes the mean over them:
    # the year and the count may sit in two sentences)
    texts = [*(c.text for c in excerpt.sentences), *extra]
    kinds = asked_types(question)
    loose = value_kinds(question)
    type_coverage = excerpt.coverage if typed is None else sum(
        max((coverage(terms, set(tokens(t)), context, idf) for t in texts if holds_type(question, kind, t)), default=0.0)
        for kind in kinds
    ) / len(kinds)
    # the question's own numbers ("năm 2020", "449 triệu USD") the excerpt never gives:
    # it answers about another year or amount
    given = set(question.given if question.given is not None else re.findall(r"\d+", question.text))
    if question.kind == "yes-no":
        given = set()  # "Có phải … 50 tỷ USD không?": the bulletin's other number is the answer
    shown_text = " ".join([excerpt.text, *extra, passage.context])
    shown = set(re.findall(r"\d+", shown_text)) | {str(n) for w, n in NUMBER_WORDS.items() if w in tokens(shown_text)}
    shown_words = set(tokens(shown_text))
    bridges = set(bridge_terms(info.normalized)) - set(place_words(places_in(fold(info.normalized))))
    passage_words = set(tokens(f"{passage.text} {passage.context}"))
    return {
        "dense": excerpt.anchor.similarity,
        "coverage": excerpt.coverage,
        "passage_coverage": coverage(terms, passage_words, set(), idf),
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
        "value_missing": float(bool(loose) and not holds_value(loose, " ".join(texts), question.text)),
    }


def best_excerpts(
    question: Question, info: QueryInfo, hits: list[Hit], qvec: np.ndarray | None, index: Index, bands: dict
) -> tuple[list[Excerpt], list[Candidate]]:
    """The best excerpt, and a second from another passage when it scores nearly as well,
    or when it says more of what was asked (see `_says_more`)."""
    candidates = score_sentences(info, question, hits, qvec, index, bands)
    if not candidates:
        return [], candidates
    best = expand(candidates[0], question, info, hits, index, candidates)
    out = [best]
    others = [c for c in candidates if c.hit != best.hit and not c.elsewhere]
    second = others[0] if others else None
    if second is not None and second.score < KEEP_RATIO * candidates[0].score:
        second = _says_more(candidates[0], others, info, question, index)
    if second is not None:
        more = expand(second, question, info, hits, index, candidates)
        # a passage already quoted as one of the best excerpt's list items adds nothing
        listed = {row for row, _, _ in best.extra}
        if (
            len(best.text) + len(more.text) <= MAX_CHARS
            and _overlap(best.text, more.text) < 0.6
            and index.position[hits[more.hit].passage.id] not in listed
        ):
            out.append(more)
    return out, candidates


def _says_more(best: Candidate, others: list[Candidate], info: QueryInfo, question: Question, index: Index) -> Candidate | None:
    """The sentence of another passage that holds clearly more of the question's words
    than the best sentence, places aside (every sentence of a passage about Singapore
    "mentions" Singapore), and is near the question in meaning too; None if none does.

    The sentence nearest in meaning and the one that says what was asked can disagree,
    most of all across languages, where the embedder's cosines are compressed ("How did
    Singapore's National Environment Agency use data to fight dengue fever?": the
    nearest is the SDG section's dengue sentence, the one naming the agency is the
    answer): then both are shown.
    """
    named = place_words(places_in(fold(info.normalized)))
    terms = [t for t in terms_for(info, question, index) if t not in named]
    if not terms:
        return None
    idf = idf_weights(index)

    def says(c: Candidate) -> float:
        return coverage(terms, set(tokens(c.text)), set(), idf)

    near = [c for c in others if c.dense > 0]
    if not near:
        return None
    wordy = max(near, key=says)
    return wordy if says(wordy) >= says(best) + WORDS_LEAD else None


def _overlap(a: str, b: str) -> float:
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / max(1, len(x | y))


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


def compose(
    info: QueryInfo,
    hits: list[Hit],
    qvec: np.ndarray | None,
    index: Index,
    *,
    bands: dict | None = None,
    search: SideSearch | None = None,
    question: Question | None = None,
) -> Answer:
    """An extractive answer (or an abstention) for an analysed query and its hits.

    `search` re-runs retrieval for a comparison's sides (without it, a comparison is
    answered from `hits` alone); `question` is the analysed user question (by default
    the query's own analysis).
    """
    bands = bands or E5_BANDS
    question = question or analyze(info.normalized)
    unknown = unknown_words(info, index)
    if question.kind == "compare" and len(question.sides) >= 2 and search is not None:
        return _compose_compare(info, hits, question, index, bands, search, unknown)
    excerpts, candidates = best_excerpts(question, info, hits, qvec, index, bands)
    if not excerpts:
        return _abstain(info, question, hits, 0.0, None)
    feats = features(excerpts[0], candidates, question, info, unknown, hits, index)
    # what the bulletin says of another place ("không đề cập đến Indonesia", "this is said
    # of Korea") is evidence for the model, and names the abstention
    never = unknown_places(info, index)
    elsewhere = None if never else _said_of_another_place(info, excerpts[0], hits)
    feats["unknown_place"] = float(bool(never))
    feats["elsewhere"] = float(elsewhere is not None)
    # gibberish is no question: a rule, not the model
    known = understood(info, index)
    conf = abstain.probability(feats) if known else 0.0
    feats["blocked"] = float(not known)  # abstains whatever the model says (not a feature)
    if info.language == "en" and not feats["english"] and not feats["coverage"]:
        # English about English: the model was fit on cross-lingual pairs, where words
        # are not shared; here an excerpt sharing no word of the question does not answer
        conf = 0.0
    if conf < abstain.threshold():
        answer = _abstain(info, question, hits, conf, excerpts[0], feats, elsewhere=elsewhere)
        if never and elsewhere is None:
            # "không đề cập đến Indonesia", and the countries it does cover
            lang = _lang(info.language)
            place = _as_written(info.normalized, set().union(*(places_in(fold(p)) for p in never))) or ", ".join(never)
            answer.text = NOT_COVERED[info.language].format(topic=place)
            if places := _section_places(index, english=lang == "en"):
                answer.text += " " + COVERS[lang].format(places=places)
    else:
        answer = _answer(info, question, [(e, hits) for e in excerpts], index, conf)
    answer.evidence = {k: round(v, 4) for k, v in feats.items()}
    return answer


def _compose_compare(info, hits, question, index, bands, search, unknown) -> Answer:
    sides = compare_excerpts(question, info, index, bands, search)
    found = [(e, sub_hits) for _, e, _, _, sub_hits in sides if e is not None]
    if not found:
        return _abstain(info, question, hits, 0.0, None)
    # a side the bulletin never covers ("So sánh Singapore và Indonesia") is said so
    # beside the others; its names are not unknown words of the sides that are answered
    missing = [side for side, e, *_ in sides if e is None]
    apart = set().union(*(tokens(s) for s in missing)) if missing else set()
    unknown = [u for u in unknown if not set(tokens(u)) <= apart]
    feats = [
        features(e, cands, question, sub_info, unknown, sub_hits, index)
        for _, e, cands, sub_info, sub_hits in sides
        if e is not None
    ]
    never = unknown_places(info, index)
    places = [p for p in never if not set(tokens(p)) <= apart]
    absent = [p for p in never if set(tokens(p)) <= apart]
    for f in feats:
        f.update(unknown_place=float(bool(places)), elsewhere=0.0)
    mean = {k: round(sum(f[k] for f in feats) / len(feats), 4) for k in feats[0]}
    conf = round(sum(abstain.probability(f) for f in feats) / len(feats), 3)
    if absent and not places and conf >= abstain.threshold():
        # no comparison with a place the bulletin never names: say so, and what it says
        # of the other side
        side, excerpt = next((side, e) for side, e, *_ in sides if e is not None)
        place = _as_written(info.normalized, set().union(*(places_in(fold(p)) for p in absent))) or ", ".join(absent)
        text = ONE_SIDE[_lang(info.language)].format(place=place, side=side, nearest=excerpt.anchor.text)
        answer = Answer(**_about(info, question), text=text, abstained=True, related=hits[:3], confidence=conf)
        answer.evidence = mean
        return answer
    if conf < abstain.threshold() or places or (not understood(info, index) and not missing):
        answer = _abstain(info, question, hits, conf, None)
        answer.evidence = mean
        return answer
    answer = _answer(info, question, found, index, conf)
    answer.evidence = mean
    if missing:
        note = " ".join(SIDE_MISSING[_lang(info.language)].format(side=s) for s in missing)
        answer.text = f"{answer.text}\n\n{note}"
    return answer


def _answer(info: QueryInfo, question: Question, excerpts: list[tuple[Excerpt, list[Hit]]], index: Index, conf: float) -> Answer:
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    blocks: list[str] = []
    for excerpt, hits in excerpts:
        hit = hits[excerpt.hit]
        number = len(citations) + 1
        cited = citation(number, hit, excerpt.start, excerpt.end, index)
        cited.highlight_start, cited.highlight_end = excerpt.anchor.start, excerpt.anchor.end
        citations.append(cited)
        for c in excerpt.sentences:
            sentences.append(
                AnswerSentence(text=c.text, citations=[number], support=round(max(c.score, 0.0), 3), label=excerpt.label)
            )
        block = f"{cited.quote} [{number}]"  # the passage's own words, as the citation quotes them
        for row, s, e in excerpt.extra:
            item_hit = next((h for h in hits if index.position[h.passage.id] == row), None)
            item_hit = item_hit or Hit(passage=index.passages[row], score=0.0)
            number = len(citations) + 1
            citations.append(citation(number, item_hit, s, e, index))
            item = index.passages[row].text[s:e]
            sentences.append(AnswerSentence(text=item, citations=[number], support=0.0, label=excerpt.label))
            block += f"\n{item} [{number}]"
        blocks.append(f"{excerpt.label}: {block}" if excerpt.label else block)
    body = "\n\n".join(blocks)
    prefix = heading(info.language, [hits[excerpt.hit].passage.language for excerpt, hits in excerpts])
    if question.kind == "yes-no" and (said := verdict(question.text, excerpts[0][0].anchor.text, _lang(info.language))):
        prefix = f"{prefix}\n\n{said}" if prefix else said
    text = f"{prefix}\n\n{body}" if prefix else body
    return Answer(
        **_about(info, question), text=text, sentences=sentences, citations=citations, confidence=round(conf, 3)
    )


VERDICT = {
    "vi": {True: "Đúng, bản tin viết như vậy.", False: "Không: bản tin ghi {value}."},
    "en": {True: "Yes, the bulletin says so.", False: "No: the bulletin gives {value}."},
}


def verdict(claim: str, sentence: str, lang: str) -> str | None:
    """Yes or no for a claim to check that gives a number ("Was … launched in 2015?",
    "Có đúng là … 500 triệu USD không?"), read off the answering sentence: yes when it
    gives all the claim's numbers, no (with its own) when it gives none of them but a
    number of the same shape (a year for a year, a count for a count); None otherwise,
    and for claims without numbers, which the quote answers alone.

    >>> verdict("Was it launched in 2015?", "được đưa ra vào tháng 11 năm 2014", "en")
    'No: the bulletin gives 2014.'
    """
    asked = re.findall(r"\d[\d.,]*\d|\d", claim)
    if not asked:
        return None
    given = re.findall(r"\d[\d.,]*\d|\d", sentence)
    if all(n in given for n in asked):
        return VERDICT[lang][True]

    def year(n: str) -> bool:
        return bool(re.fullmatch(r"(1[5-9]|20)\d\d", n))

    if any(n in given for n in asked):
        return None
    same = [n for n in given if any(year(n) == year(a) for a in asked)]
    # with the claim's unit where the sentence writes it too ("449 triệu USD")
    units = [m.group(1) for a in asked if (m := re.search(rf"{re.escape(a)}\s+((?:[^\W\d_]+\s?){{1,2}})", claim))]
    values = []
    for n in same:
        m = next((m for u in units if (m := re.search(rf"{re.escape(n)}\s+{re.escape(u.strip())}", sentence))), None)
        values.append(m.group() if m else n)
    return VERDICT[lang][False].format(value=", ".join(dict.fromkeys(values))) if values else None


def _abstain(
    info: QueryInfo,
    question: Question,
    hits: list[Hit],
    conf: float,
    nearest: Excerpt | None,
    feats: dict | None = None,
    *,
    elsewhere: tuple[str, str] | None = None,
) -> Answer:
    """'The bulletin does not cover …', or, when the bulletin has the topic but not what
    the kind asks for, 'The bulletin mentions X but does not give Y', with the nearest
    sentence, or, when the nearest says it of another place, 'The bulletin says this of
    Korea, not of China'; the nearest passages are listed as related reading, not as
    citations."""
    lang = _lang(info.language)
    text = NOT_COVERED[info.language].format(topic=topic_of(info))
    if nearest is not None and elsewhere is not None:
        asked, other = elsewhere
        return Answer(
            **_about(info, question),
            text=ELSEWHERE[lang].format(asked=asked, other=other, nearest=nearest.anchor.text),
            abstained=True,
            related=hits[:3],
            confidence=round(conf, 3),
        )
    if nearest is not None and feats and feats["unknown"] == 0 and feats["coverage"] >= 0.5:
        what = "money" if question.unit and "usd" in question.unit else question.kind
        topic = _topic_names(info) or topic_of(info)
        # "does not give the number" only when the nearest excerpt gives none in any unit
        # or wording: a sentence that gives it is quoted as possibly not the answer
        loose = value_kinds(question)
        gives = bool(loose) and holds_value(loose, nearest.anchor.text, question.text)
        if feats["type_missing"] and what in WHAT[lang] and not gives:
            text = NOT_GIVEN[lang].format(topic=topic, what=WHAT[lang][what], nearest=nearest.anchor.text)
        else:
            text = UNSURE[lang].format(topic=topic, nearest=nearest.anchor.text)
    return Answer(**_about(info, question), text=text, abstained=True, related=hits[:3], confidence=round(conf, 3))


def _about(info: QueryInfo, question: Question) -> dict:
    """What every answer says about its question: as asked, as searched, language, kind."""
    return {"question": info.original, "query": info.normalized, "language": info.language, "kind": question.kind}


def reframe(answer: Answer, language: str) -> Answer:
    """The answer introduced in `language` (a follow-up's own), whatever language the
    query it searched was in; the quotes are the bulletin's either way. An abstention
    is said again in that language about what the query names (never the user's whole
    question)."""
    if language == answer.language or language not in NOT_COVERED:
        return answer
    text = answer.text
    if answer.abstained:
        text = NOT_COVERED[language].format(topic=_topic_phrase(answer.query, language))
    elif answer.language == "en" and text.startswith(ENGLISH_PREFIX):
        text = text[len(ENGLISH_PREFIX) :].lstrip("\n")
    elif language == "en":
        text = f"{ENGLISH_PREFIX}\n\n{text}"
    return answer.model_copy(update={"text": text, "language": language})


def _topic_names(info: QueryInfo) -> str:
    """The names a question is about ("Parking.sg", "Songdo", "Nhật Bản"), for an
    abstention's message; a run of capitalised words is one name."""
    names = []
    for first, run in capitalised_runs(info.normalized):
        words = list(run)
        # a question's first word is capitalised anyway; it names something when it is no
        # Vietnamese word ("Songdo có bao nhiêu dân?") or starts a place ("Nhật Bản …")
        if first == 0 and is_vietnamese_syllable(fold(words[0])) and not places_in(fold(" ".join(words))):
            words = words[1:]
        words = [w for w in words if fold(w) not in asking_words() and fold(w) not in ENGLISH_WORDS]
        if words:
            names.append(" ".join(words[:3]))
    # typed in lower case, a name with a dot still shows ("app parking.sg …")
    names += re.findall(r"\b\w+(?:\.\w+)+\b", info.normalized)
    return ", ".join(dict.fromkeys(names[:3]))


# What an abstention says it does not cover: "this", or "this" about the names the
# question is about; never the user's whole question.
THIS = {"vi": "điều này", "en": "this"}
THIS_ABOUT = {"vi": "điều này về {names}", "en": "this about {names}"}


def topic_of(info: QueryInfo) -> str:
    """What 'The bulletin does not cover …' says: "this", about the names the question
    is about when it names any ("điều này về Songdo"), never the question itself."""
    return _topic_phrase(info.normalized, info.language)


def _topic_phrase(text: str, language: str) -> str:
    lang = _lang(language)
    names = _topic_names(QueryInfo(original=text, normalized=text, language=language, dense_query=text, lexical_terms=[], dense_weight=0.5))
    return THIS_ABOUT[lang].format(names=names) if names else THIS[lang]
