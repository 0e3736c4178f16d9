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

import numpy as np

from ..models import Answer, AnswerSentence, Citation, Hit, QueryInfo
from ..retrieve.answer_types import has_answer_type
from ..retrieve.intake import small_talk
from ..retrieve.question import Question, analyze, source_kinds
from ..store.index import Index
from ..text import fold, place_words, places_in, tokens, with_countries
from ..text.lexicon import english_name
from . import abstain
from .cite import citation, from_llm  # noqa: F401  (from_llm: the LLM mode's answers)
from .compare import SideSearch, compare_excerpts
from .evidence import features
from .excerpt import (
    E5_BANDS,
    KEEP_RATIO,
    MAX_CHARS,
    RUNNER_SHARE,
    Candidate,
    Excerpt,
    coverage,
    expand,
    idf_weights,
    score_sentences,
    terms_for,
    widen,
)
from .heading import heading
from .messages import (
    COVERS,
    ELSEWHERE,
    NOT_COVERED,
    NOT_GIVEN,
    ONE_SIDE,
    SIDE_MISSING,
    SMALL_TALK,
    UNSURE,
    UNSURE_PLAIN,
    WHAT,
    as_written,
    lang_of,
    reframe,  # noqa: F401  (api re-frames a follow-up's answer)
    section_places,
    topic_names,
    topic_of,
)
from .names import understood, unknown_places, unknown_words
from .signals import holds_value, value_kinds
from .verdict import verdict

# A second excerpt from another passage joins only when it scores nearly as well
# (KEEP_RATIO), or when it holds clearly more of the question's words than the best one
# does (the sentence nearest in meaning and the one that says what was asked disagree).
WORDS_LEAD = 0.15


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
        return as_written(info.normalized, asked), ", ".join(english_name(g).title() for g in sorted(others))
    return as_written(info.normalized, asked), as_written(where, others)


def best_excerpts(
    question: Question,
    info: QueryInfo,
    hits: list[Hit],
    qvec: np.ndarray | None,
    index: Index,
    bands: dict,
) -> tuple[list[Excerpt], list[Candidate]]:
    """The best excerpt, and a second from another passage when it scores nearly as well,
    or when it says more of what was asked (see `_says_more`)."""
    candidates = score_sentences(info, question, hits, qvec, index, bands)
    if not candidates:
        return [], candidates
    # a passage of the asked place's own section answers before another place's that only
    # mentions it ("Nhật Bản dùng robot …": not the Korea section's "Như ở Nhật Bản"); one
    # that never names it is said so (`_said_of_another_place`)
    asked = with_countries(places_in(fold(info.normalized)))
    if candidates[0].elsewhere and asked & places_in(fold(hits[candidates[0].hit].passage.text)):
        candidates = [c for c in candidates if not c.elsewhere] + [c for c in candidates if c.elsewhere]
    best = expand(candidates[0], question, info, hits, index, candidates)
    out = [best]
    # the sentence the ranker finds next most likely to answer, when it is at least
    # RUNNER_SHARE as likely as the best: within reach, the excerpt grows to take it in;
    # otherwise it is quoted on its own, unless another passage's excerpt joins (below)
    quoted = {c.row for c in best.sentences}
    runner = next((c for c in candidates[1:] if not c.elsewhere and c.row not in quoted), None)
    if runner is not None and runner.share < RUNNER_SHARE * candidates[0].share:
        runner = None
    if runner is not None and runner.hit == best.hit and (wider := widen(best, runner, hits, index, candidates)) is not None:
        out[0] = best = wider
        runner = None
    others = [c for c in candidates if c.hit != best.hit and not c.elsewhere]
    second = others[0] if others else None
    if second is not None and second.score < KEEP_RATIO * candidates[0].score:
        second = _says_more(candidates[0], others, info, question, hits, index)
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
    if len(out) == 1 and runner is not None and len(best.text) + len(runner.text) <= MAX_CHARS + MAX_CHARS // 2:
        out.append(Excerpt(runner.hit, [runner], runner))
    return out, candidates


def _says_more(
    best: Candidate, others: list[Candidate], info: QueryInfo, question: Question, hits: list[Hit], index: Index
) -> Candidate | None:
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
        # its section's heading says it too ("3. Hàm ý chính sách"), counting half
        return coverage(terms, set(tokens(c.text)), set(tokens(hits[c.hit].passage.context)), idf)

    near = [c for c in others if c.dense > 0]
    if not near:
        return None
    wordy = max(near, key=says)
    return wordy if says(wordy) >= says(best) + WORDS_LEAD else None


def _overlap(a: str, b: str) -> float:
    x, y = set(tokens(a)), set(tokens(b))
    return len(x & y) / max(1, len(x | y))


def compose(
    info: QueryInfo,
    hits: list[Hit],
    qvec: np.ndarray | None,
    index: Index,
    *,
    bands: dict | None = None,
    search: SideSearch | None = None,
    question: Question | None = None,
    topic: dict[str, set[str]] | None = None,
) -> Answer:
    """An extractive answer (or an abstention) for an analysed query and its hits.

    `search` re-runs retrieval for a comparison's sides (without it, a comparison is
    answered from `hits` alone); `question` is the analysed user question (by default
    the query's own analysis); `topic` maps a passage id to the folded words it is known
    to be about beyond its heading (a follow-up's topic, carried by the passages the
    thread quoted), which the abstention model reads as the heading's words.
    """
    bands = bands or E5_BANDS
    question = question or analyze(info.normalized, info.restored)
    if talk := small_talk(info.original):  # "xin chào", "thanks": no question to quote for
        about = _about(info, question) | {"kind": "small-talk"}
        return Answer(**about, text=SMALL_TALK[lang_of(info.language)][talk], abstained=True, related=[])
    unknown = unknown_words(info, index)
    if question.kind == "compare" and len(question.sides) >= 2 and search is not None:
        return _compose_compare(info, hits, question, index, bands, search, unknown)
    excerpts, candidates = best_excerpts(question, info, hits, qvec, index, bands)
    if not excerpts:
        return _abstain(info, question, hits, 0.0, None)
    carried = (topic or {}).get(hits[excerpts[0].hit].passage.id, set())
    feats = features(excerpts[0], candidates, question, info, unknown, hits, index, topic=carried)
    # a place the corpus never names ("Indonesia") is evidence for the model, and names
    # the abstention
    never = unknown_places(info, index)
    feats["unknown_place"] = float(bool(never))
    # Two rules stand beside the model, each a fact checked in the text, not a guess:
    # gibberish is no question, and what the text says of another place is no answer
    # about this one ("Trung Quốc dùng robot …" against a passage on Korea's robots that
    # never names China). A question about the document itself is answered by its title
    # page or reference list when the hits hold one (the model was fit on content).
    elsewhere = None if never else _said_of_another_place(info, excerpts[0], hits)
    known = understood(info, index) and elsewhere is None
    about_document = hits[excerpts[0].hit].passage.kind in source_kinds(info.normalized)
    conf = (1.0 if about_document else abstain.probability(feats)) if known else 0.0
    feats["blocked"] = float(not known or about_document)  # decided by a rule, not the model
    if info.language == "en" and not feats["english"] and not feats["coverage"]:
        # English about English: the model was fit on cross-lingual pairs, where words
        # are not shared; here an excerpt sharing no word of the question does not answer
        conf = 0.0
    if conf < abstain.threshold():
        answer = _abstain(info, question, hits, conf, excerpts[0], feats, elsewhere=elsewhere)
        if never and elsewhere is None:
            # "không đề cập đến Indonesia", and the countries it does cover
            lang = lang_of(info.language)
            place = as_written(info.normalized, set().union(*(places_in(fold(p)) for p in never))) or ", ".join(never)
            answer.text = NOT_COVERED[info.language].format(topic=place)
            if places := section_places(index, english=lang == "en"):
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
        f.update(unknown_place=float(bool(places)))
    mean = {k: round(sum(f[k] for f in feats) / len(feats), 4) for k in feats[0]}
    conf = round(sum(abstain.probability(f) for f in feats) / len(feats), 3)
    if absent and not places and conf >= abstain.threshold():
        # no comparison with a place the bulletin never names: say so, and what it says
        # of the other side
        side, excerpt = next((side, e) for side, e, *_ in sides if e is not None)
        place = as_written(info.normalized, set().union(*(places_in(fold(p)) for p in absent))) or ", ".join(absent)
        text = ONE_SIDE[lang_of(info.language)].format(place=place, side=side, nearest=excerpt.anchor.text)
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
        note = " ".join(SIDE_MISSING[lang_of(info.language)].format(side=s) for s in missing)
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
    if question.kind == "yes-no" and (said := verdict(question.text, excerpts[0][0].anchor.text, lang_of(info.language))):
        prefix = f"{said}\n\n{prefix}" if prefix else said  # the verdict first, then the quote
    text = f"{prefix}\n\n{body}" if prefix else body
    return Answer(
        **_about(info, question), text=text, sentences=sentences, citations=citations, confidence=round(conf, 3)
    )


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
    lang = lang_of(info.language)
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
        topic = topic_names(info) or topic_of(info)
        # "does not give the number" only when the nearest excerpt gives none in any unit
        # or wording: a sentence that gives it is quoted as possibly not the answer
        # (with the unit the question counts, when it names one: "sáu tháng" is no amount)
        loose = value_kinds(question)
        if question.unit:
            gives = bool(has_answer_type(question, nearest.anchor.text))
        else:
            gives = bool(loose) and holds_value(loose, nearest.anchor.text, question)
        if feats["type_missing"] and what in WHAT[lang] and not gives:
            text = NOT_GIVEN[lang].format(topic=topic, what=WHAT[lang][what], nearest=nearest.anchor.text)
        elif topic_names(info):
            text = UNSURE[lang].format(topic=topic, nearest=nearest.anchor.text)
        else:  # no name to say it of: "… về điều này" would say nothing
            text = UNSURE_PLAIN[lang].format(nearest=nearest.anchor.text)
    return Answer(**_about(info, question), text=text, abstained=True, related=hits[:3], confidence=round(conf, 3))


def _about(info: QueryInfo, question: Question) -> dict:
    """What every answer says about its question: as asked, as searched, language, kind."""
    return {"question": info.original, "query": info.normalized, "language": info.language, "kind": question.kind}


def quote(info: QueryInfo, question: Question, excerpt: Excerpt, hits: list[Hit], index: Index, *, conf: float) -> Answer:
    """An answer that quotes an excerpt chosen by a fact checked in the text, not by the
    evidence model (the item of a list a follow-up asks for by its number)."""
    return _answer(info, question, [(excerpt, hits)], index, conf)
