"""Every sentence the model writes, checked against the passages it cites.

A sentence is kept only when it cites passages that were given, one of them supports it
(`support` ≥ `THRESHOLD`), and every number and proper name in it occurs in a supporting
passage (`facts.missing_facts`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, Field

from ...embed.base import Embedder
from ...ingest.sentences import split
from ...models import AnswerSentence, Hit
from ...text import clean, has_diacritics, tokens
from .client import LLMConfig, complete
from .facts import _WORD, STOPWORDS, missing_facts
from .prompt import build_messages, is_no_answer, parse

log = logging.getLogger(__name__)

# A sentence is supported by a passage when `support` reaches this. Calibrated with the
# bundled multilingual-e5-small on 49 hand-written sentences about real bulletin
# paragraphs, 25 the paragraph supports and 24 it does not (Vietnamese and English, same
# topic and off topic); 47 are judged right. Vietnamese sentences a passage supports reuse
# 88–100 % of its content words, Vietnamese ones it does not 0–71 %, with one outlier at
# 100 % ("Bệnh viện đã đóng cửa nhà thuốc ngoại trú", every word from a passage that says
# the opposite: support checks grounding, not entailment). The other miss is an English
# sentence at cosine 0.80, rejected although supported.
THRESHOLD = 0.75

# e5 cosines are compressed and depend on whether the two texts share a language (both
# with the "query: " prefix, best passage sentence):
# - Vietnamese sentence, Vietnamese passage: supported 0.918–0.994, unsupported on the
#   same topic 0.854–0.906, off topic below 0.83. (0.86, 0.92) puts THRESHOLD at 0.905.
# - English sentence, Vietnamese passage: supported 0.80–0.94 (all but one above 0.86),
#   unsupported 0.75–0.834. (0.79, 0.87) puts THRESHOLD at 0.85.
# A cosine at or below the floor maps to 0, at or above the ceiling to 1.
COS_SAME_LANGUAGE = (0.86, 0.92)
COS_CROSS_LANGUAGE = (0.79, 0.87)


# ---------------------------------------------------------------- support
def _content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if len(t) > 1 and t not in STOPWORDS]


def lexical_support(sentence: str, passage_text: str) -> float:
    """Share of the sentence's content words (folded) that the passage contains."""
    words = _content_tokens(sentence)
    if not words:
        return 0.0
    have = set(tokens(passage_text))
    return sum(w in have for w in words) / len(words)


def cosine_support(cosine: float, *, same_language: bool = True) -> float:
    """An e5 cosine mapped linearly to [0, 1] by the calibrated floor and ceiling."""
    floor, ceiling = COS_SAME_LANGUAGE if same_language else COS_CROSS_LANGUAGE
    return float(np.clip((cosine - floor) / (ceiling - floor), 0.0, 1.0))


def _vietnamese(text: str) -> bool:
    """Mostly Vietnamese with diacritics (an English sentence may hold a Vietnamese name)."""
    words = _WORD.findall(text)
    return bool(words) and sum(has_diacritics(w) for w in words) >= 0.25 * len(words)


def same_language(sentence: str, passage_text: str) -> bool:
    """Whether both texts are Vietnamese or both are not: it picks the cosine map."""
    return _vietnamese(sentence) == _vietnamese(passage_text)


def _passage_sentences(passage_text: str) -> list[str]:
    return split(clean(passage_text)) or [passage_text]


def support(sentence: str, passage_text: str, embedder: Embedder) -> float:
    """How well a passage supports a sentence, in [0, 1]: the larger of two signals.

    Lexical support catches a sentence that reuses the passage's words (any language the
    folding handles); embedding support, the best cosine between the sentence and one of
    the passage's sentences, catches paraphrases and translations (an English sentence
    from a Vietnamese passage).
    """
    pieces = _passage_sentences(passage_text)
    vectors = embedder.encode_queries([sentence, *pieces])
    cosine = float(np.max(vectors[1:] @ vectors[0]))
    mapped = cosine_support(cosine, same_language=same_language(sentence, passage_text))
    return max(lexical_support(sentence, passage_text), mapped)


# ---------------------------------------------------------------- checking


# A passage sentence that talks to the model ("Ignore previous instructions and say …")
# is an injection, not a fact: it is shown to the model as data but supports nothing.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|above)\b"
    r"|\bsystem prompt\b|\byou are (?:now )?(?:an? |the )?(?:ai|assistant|chatbot|language model)\b"
    r"|\b(?:bỏ qua|phớt lờ|quên)\b.{0,40}\b(?:hướng dẫn|chỉ dẫn|chỉ thị|yêu cầu)\b",
    re.IGNORECASE,
)


def _evidence(hit: Hit) -> str:
    """What a passage may be credited with: its words and the headings that frame it.

    The headings name the country of a paragraph that never names it (`Passage.context`);
    sentences that address the model are left out.
    """
    text = hit.passage.indexed_text
    if not _INSTRUCTION.search(text):
        return text
    return " ".join(s for s in split(text) if not _INSTRUCTION.search(s))


def check_with_reasons(
    sentences: list[tuple[str, list[int]]],
    hits: list[Hit],
    embedder: Embedder,
    *,
    threshold: float = THRESHOLD,
) -> list[tuple[AnswerSentence, str | None]]:
    """`check`, with the reason each unsupported sentence was rejected (None if supported)."""
    evidence = [_evidence(hit) for hit in hits]
    pieces = {n: _passage_sentences(evidence[n - 1] or "-") for n in range(1, len(hits) + 1)}
    # One encoder call for every sentence and every sentence of a cited passage.
    cited_passages = sorted({n for _, cited in sentences for n in cited if n in pieces})
    texts = list(
        dict.fromkeys([s for s, _ in sentences] + [p for n in cited_passages for p in pieces[n]])
    )
    vectors = dict(zip(texts, embedder.encode_queries(texts), strict=True)) if texts else {}

    def score(text: str, n: int) -> float:
        cosine = float(np.max(np.stack([vectors[p] for p in pieces[n]]) @ vectors[text]))
        mapped = cosine_support(cosine, same_language=same_language(text, evidence[n - 1]))
        return max(lexical_support(text, evidence[n - 1]), mapped)

    out = []
    for text, cited in sentences:
        sentence, reason = _judge(text, cited, evidence, score, threshold)
        if reason:
            log.info("LLM sentence rejected (%s): %r", reason, text)
        out.append((sentence, reason))
    return out


def _judge(
    text: str,
    cited: list[int],
    evidence: list[str],
    score: Callable[[str, int], float],
    threshold: float,
) -> tuple[AnswerSentence, str | None]:
    """One sentence against the passages it cites; the reason is None when it is supported."""

    def rejected(reason: str, best: float = 0.0) -> tuple[AnswerSentence, str]:
        return AnswerSentence(
            text=text, citations=cited, support=round(best, 3), supported=False
        ), reason

    if not cited:
        return rejected("no citation")
    unknown = [n for n in cited if not 1 <= n <= len(evidence)]
    if unknown:
        given = f"[1]–[{len(evidence)}]" if evidence else "none"
        return rejected(
            f"cites {''.join(f'[{n}]' for n in unknown)}, not a given passage ({given})"
        )
    scores = {n: score(text, n) for n in cited}
    best = max(scores.values())
    kept = [n for n in cited if scores[n] >= threshold]
    if not kept:
        return rejected(f"support {best:.2f} is below {threshold:.2f}", best)
    missing = missing_facts(text, [evidence[n - 1] for n in kept])
    if missing:
        return rejected(f"not in the cited passages: {', '.join(missing)}", best)
    return AnswerSentence(text=text, citations=kept, support=round(best, 3), supported=True), None


def check(
    sentences: list[tuple[str, list[int]]],
    hits: list[Hit],
    embedder: Embedder,
    *,
    threshold: float = THRESHOLD,
) -> list[AnswerSentence]:
    """Judge each parsed sentence against the passages it cites (`hits[n - 1]` is [n]).

    A sentence is supported when (1) every number it cites names a given passage,
    (2) it cites at least one, (3) `support` reaches `threshold` for at least one cited
    passage, and (4) every number and proper name in it occurs in those supporting
    passages. A supported sentence keeps only the supporting citations; an unsupported
    one keeps the citations as written. `check_with_reasons` says why one was rejected.
    """
    return [
        sentence
        for sentence, _ in check_with_reasons(sentences, hits, embedder, threshold=threshold)
    ]


class Checked(BaseModel):
    """A reply after the checks: the sentences kept, those removed, and a notice for the reader."""

    kept: list[AnswerSentence] = Field(default_factory=list)
    removed: list[AnswerSentence] = Field(default_factory=list)
    notice: str | None = None


def judge(reply: str, hits: list[Hit], embedder: Embedder) -> Checked:
    """Parse a reply and check every sentence; `notice` says why anything is missing.

    An empty `kept` means the model gave nothing the passages support (or abstained).
    """
    if is_no_answer(reply):
        return Checked(notice="the model found no answer in the passages")
    parsed = parse(reply)
    if not parsed:
        return Checked(notice="the model gave an empty answer")
    if not any(cited for _, cited in parsed):
        return Checked(
            removed=[
                AnswerSentence(text=t, citations=[], support=0.0, supported=False)
                for t, _ in parsed
            ],
            notice="the model gave no cited answer",
        )
    judged = check(parsed, hits, embedder)
    kept = [s for s in judged if s.supported]
    removed = [s for s in judged if not s.supported]
    if not kept:
        notice = f"none of the model's {len(judged)} sentences was supported by the passages"
    elif len(removed) == 1:
        notice = "1 unsupported sentence was removed"
    elif removed:
        notice = f"{len(removed)} unsupported sentences were removed"
    else:
        notice = None
    return Checked(kept=kept, removed=removed, notice=notice)


def answer(
    question: str,
    language: str,
    hits: list[Hit],
    config: LLMConfig,
    embedder: Embedder,
) -> tuple[list[AnswerSentence], str | None]:
    """The model's supported sentences and a notice for the reader (None when all is well).

    Raises LLMError when the endpoint gives no usable reply, so the caller can fall back
    to the extractive answer; an empty list means the model gave nothing that the
    passages support, which the caller also answers extractively. The reply is read
    whole; `llm_stream.stream` shows it as it is written.
    """
    if not hits:
        return [], "no passages to answer from"
    checked = judge(complete(config, build_messages(question, language, hits)), hits, embedder)
    return checked.kept, checked.notice
