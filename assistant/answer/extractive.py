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
from ..retrieve.question import Question, analyze, asking_words, has_answer_type
from ..retrieve.search import ENGLISH_WORDS
from ..store.index import Index
from ..text import GLOSSARY, NAME_GROUPS, fold, glossary_terms, places_in, tokens
from ..text.language import same_language
from . import abstain
from .excerpt import E5_BANDS, MAX_CHARS, Candidate, Excerpt, expand, idf_weights, score_sentences
from .heading import heading
from .joins import cited

# A second excerpt from another passage joins only when it scores nearly as well.
KEEP_RATIO = 0.92
# Re-search for one side of a comparison: (query) -> (analysed query, hits, query vector).
SideSearch = Callable[[str], tuple[QueryInfo, list[Hit], "np.ndarray | None"]]

NOT_COVERED = {
    "vi": "Bản tin không đề cập đến {topic}.",
    "vi-unaccented": "Bản tin không đề cập đến {topic}.",
    "en": "The bulletin does not cover {topic}.",
}
NOT_GIVEN = {
    "vi": "Bản tin có nói về {topic} nhưng không nêu {what}. Câu gần nhất: “{nearest}”",
    "en": "The bulletin mentions {topic} but does not give {what}. The nearest sentence: “{nearest}”",
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


def _lang(language: str) -> str:
    return "en" if language == "en" else "vi"


# Vietnamese question words and particles: they ask, they do not name a topic.
QUESTION_WORDS = set(
    "gi sao nao dau ai bao nhieu may the nhu lam khong chua co phai hay hoac duoc ra khi luc".split()
)


def _asking() -> set[str]:
    return QUESTION_WORDS | asking_words()


def capitalised_runs(text: str) -> list[tuple[int, list[str]]]:
    """Runs of capitalised words with the index of their first word: names, mostly."""
    runs: list[tuple[int, list[str]]] = []
    words = re.findall(r"[\w'’-]+(?:\.[\w]+)*", text)
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
    """Names in the question that the bulletin never uses.

    Such a name is usually the very thing asked about ("Indonesia", "Việt Nam"), so the
    bulletin cannot answer. Only names count, in both languages (runs of capitalised
    words, and the places of the place lexicon in any spelling): a typo ("nhữg"), an
    abbreviation ("TQ") or an English word in a Vietnamese question ("big data") is not an
    unknown topic (a run is known when
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
        if "-" in word or "." in word:  # "Jae-in", "X-Road", "Parking.sg": as the corpus splits them
            return all(is_known(part) for part in re.split(r"[-.]", word) if part)
        return word in idf or (len(word) >= 5 and word[:5] in prefixes)

    def translated_known(word: str) -> bool:
        return any(all(w in idf for w in form.split()) for form in GLOSSARY.get(word, ()))

    text = info.normalized
    unknown: list[str] = []
    for first, run in capitalised_runs(text):
        words = [fold(w).removesuffix("'s").removesuffix("’s") for w in run]
        words = [w for w in words if w not in ENGLISH_WORDS and w not in _asking()]
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
    unknown += unknown_places(info, index)
    return list(dict.fromkeys(unknown))


def unknown_places(info: QueryInfo, index: Index) -> list[str]:
    """Places the question names that the corpus never names ("Malaysia", "ma lai xi a"),
    in any of the place lexicon's spellings. Unlike another unknown name (which may be a
    typo: "City Brian"), such a place is what the question is about, and the bulletin is
    silent on it: the answer abstains."""
    folded = fold(info.normalized)
    out = []
    for group in places_in(folded) - mentioned_places(index):
        named = [f for f in NAME_GROUPS[group] if re.search(rf"\b{re.escape(f)}\b", folded)]
        form = max(named, key=len)
        if " " in form or len(form) >= 5:  # "anh", "my", "uc" are syllables first
            out.append(form)
    return out


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
    type_coverage = excerpt.coverage if typed is None else max(
        (coverage(terms, set(tokens(t)), context, idf) for t in [*(c.text for c in excerpt.sentences), *extra] if has_answer_type(question, t)),
        default=0.0,
    )
    return {
        "dense": excerpt.anchor.dense,
        "coverage": excerpt.coverage,
        "type_coverage": type_coverage,
        "type_missing": float(typed is False),
        "unknown": float(min(2, len(unknown))),
        "margin": excerpt.anchor.score - other,
        # cross-lingual, as the model was fit (English questions, Vietnamese passages)
        "english": float(not same_language(info.language, passage.language)),
    }


def best_excerpts(
    question: Question, info: QueryInfo, hits: list[Hit], qvec: np.ndarray | None, index: Index, bands: dict
) -> tuple[list[Excerpt], list[Candidate]]:
    """The best excerpt, and a second from another passage when it scores nearly as well."""
    candidates = score_sentences(info, question, hits, qvec, index, bands)
    if not candidates:
        return [], candidates
    best = expand(candidates[0], question, info, hits, index, candidates)
    out = [best]
    second = next((c for c in candidates if c.hit != best.hit), None)
    if second is not None and second.score >= KEEP_RATIO * candidates[0].score and not second.elsewhere:
        more = expand(second, question, info, hits, index, candidates)
        if len(best.text) + len(more.text) <= MAX_CHARS and _overlap(best.text, more.text) < 0.6:
            out.append(more)
    return out, candidates


def _overlap(a: str, b: str) -> float:
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / max(1, len(x | y))


def _mentions(side: str, others: list[str], passage) -> bool:
    """Whether a passage is about one side of a comparison: its place, or most of the
    words that set it apart from the other sides ("quy trình" vs "sản phẩm")."""
    folded = fold(f"{passage.context} {passage.text}")
    groups = places_in(fold(side))
    if groups:
        return any(re.search(rf"\b{re.escape(f)}\b", folded) for g in groups for f in NAME_GROUPS[g])
    shared = set().union(*(tokens(o) for o in others)) if others else set()
    words = [w for w in tokens(side) if w not in asking_words() and w not in shared]
    present = set(tokens(folded))
    return bool(words) and sum(w in present for w in words) >= max(1, (len(words) + 1) // 2)


def compare_excerpts(
    question: Question, info: QueryInfo, index: Index, bands: dict, search: SideSearch
) -> list[tuple[str, Excerpt | None, list[Candidate], QueryInfo, list[Hit]]]:
    """One excerpt per side of a comparison, each from its own sub-query.

    The sub-query is the question without the other sides; its excerpt must come from a
    passage about that side. A side the bulletin says nothing on gets None.
    """
    out = []
    for side in question.sides:
        query = info.normalized
        for other in question.sides:
            if other != side:
                query = re.sub(re.escape(other), " ", query, flags=re.IGNORECASE)
        sub_info, sub_hits, sub_qvec = search(re.sub(r"\s+", " ", query).strip())
        sub_q = question.model_copy(update={"focus": analyze(sub_info.normalized).focus})
        candidates = score_sentences(sub_info, sub_q, sub_hits, sub_qvec, index, bands)
        others = [o for o in question.sides if o != side]
        taken = {(e.anchor.row) for _, e, *_ in out if e is not None}
        candidates = [
            c for c in candidates if _mentions(side, others, sub_hits[c.hit].passage) and c.row not in taken
        ]
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
    known = understood(info, index) and not unknown_places(info, index)
    conf = abstain.probability(feats) if known else 0.0
    feats["blocked"] = float(not known)  # abstains whatever the model says (not a feature)
    if info.language == "en" and not feats["english"] and not feats["coverage"]:
        # English about English: the model was fit on cross-lingual pairs, where words
        # are not shared; here an excerpt sharing no word of the question does not answer
        conf = 0.0
    if conf < abstain.threshold():
        answer = _abstain(info, question, hits, conf, excerpts[0], feats)
    else:
        answer = _answer(info, question, [(e, hits) for e in excerpts], index, conf)
    answer.evidence = {k: round(v, 4) for k, v in feats.items()}
    return answer


def _compose_compare(info, hits, question, index, bands, search, unknown) -> Answer:
    sides = compare_excerpts(question, info, index, bands, search)
    found = [(e, sub_hits) for _, e, _, _, sub_hits in sides if e is not None]
    if not found:
        return _abstain(info, question, hits, 0.0, None)
    feats = [
        features(e, cands, question, sub_info, unknown, sub_hits, index)
        for _, e, cands, sub_info, sub_hits in sides
        if e is not None
    ]
    mean = {k: round(sum(f[k] for f in feats) / len(feats), 4) for k in feats[0]}
    conf = round(sum(abstain.probability(f) for f in feats) / len(feats), 3)
    if conf < abstain.threshold() or not understood(info, index) or unknown_places(info, index):
        answer = _abstain(info, question, hits, conf, None)
        answer.evidence = mean
        return answer
    missing = [side for side, e, *_ in sides if e is None]
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
    text = f"{prefix}\n\n{body}" if prefix else body
    return Answer(
        question=info.original,
        query=info.normalized,
        language=info.language,
        kind=question.kind,
        text=text,
        sentences=sentences,
        citations=citations,
        confidence=round(conf, 3),
    )


def _abstain(info: QueryInfo, question: Question, hits: list[Hit], conf: float, nearest: Excerpt | None, feats: dict | None = None) -> Answer:
    """'The bulletin does not cover …', or, when the bulletin has the topic but not what
    the kind asks for, 'The bulletin mentions X but does not give Y', with the nearest
    sentence; the nearest passages are listed as related reading, not as citations."""
    lang = _lang(info.language)
    text = NOT_COVERED[info.language].format(topic=topic_of(info))
    if nearest is not None and feats and feats["type_missing"] and feats["unknown"] == 0 and feats["coverage"] >= 0.5:
        what = "money" if question.unit and "usd" in question.unit else question.kind
        if what in WHAT[lang]:
            topic = _topic_names(info) or topic_of(info)
            text = NOT_GIVEN[lang].format(topic=topic, what=WHAT[lang][what], nearest=nearest.anchor.text)
    return Answer(
        question=info.original,
        query=info.normalized,
        language=info.language,
        kind=question.kind,
        text=text,
        abstained=True,
        related=hits[:3],
        confidence=round(conf, 3),
    )


def reframe(answer: Answer, language: str) -> Answer:
    """The answer introduced in `language` (a follow-up's own), whatever language the
    query it searched was in; the quotes are the bulletin's either way."""
    if language == answer.language or language not in NOT_COVERED:
        return answer
    text = answer.text
    if answer.abstained:
        text = NOT_COVERED[language].format(topic=f"“{answer.question.strip(' ?!.')}”")
    elif answer.language == "en" and text.startswith(ENGLISH_PREFIX):
        text = text[len(ENGLISH_PREFIX) :].lstrip("\n")
    elif language == "en":
        text = f"{ENGLISH_PREFIX}\n\n{text}"
    return answer.model_copy(update={"text": text, "language": language})


def _topic_names(info: QueryInfo) -> str:
    """The names a question is about ("Parking.sg", "Songdo"), for an abstention's message."""
    runs = [w for first, run in capitalised_runs(info.normalized) for w in (run[1:] if first == 0 else run)[:3]]
    names = [w for i, w in enumerate(runs) if fold(w) not in asking_words() and fold(w) not in ENGLISH_WORDS]
    return ", ".join(dict.fromkeys(names[:3]))


def topic_of(info: QueryInfo) -> str:
    """The question as a topic for 'The bulletin does not cover …'."""
    text = info.normalized.rstrip(" ?!.")
    return f"“{text}”"


def citation(number: int, hit: Hit, start: int, end: int, index: Index) -> Citation:
    p = hit.passage
    doc = index.documents.get(p.doc_id)
    spans = p.to_source(start, end)
    first, last = index.pages_of(p.doc_id, spans)
    return Citation(
        number=number,
        passage_id=p.id,
        doc_id=p.doc_id,
        document=doc.title if doc else p.doc_id,
        issue=doc.issue if doc else "",
        section_path=p.section_path,
        paragraph=p.paragraph,
        page=first or p.page,
        page_end=last if last and first and last > first else None,
        ocr=bool(doc and doc.ocr),
        language=p.language,
        quote=p.text[start:end],
        quote_start=start,
        quote_end=end,
        source_spans=spans,
        score=hit.score,
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
