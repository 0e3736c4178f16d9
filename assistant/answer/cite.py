"""Citations: a passage range quoted verbatim with its place in the document, and the
LLM mode's checked sentences turned into a cited answer."""

from __future__ import annotations

from ..models import Answer, AnswerSentence, Citation, Hit, QueryInfo
from ..store.index import Index
from ..text import tokens
from .joins import cited


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
