"""The data that crosses module boundaries: documents, passages, hits, answers."""

from __future__ import annotations

import bisect
import re
from typing import Literal

from pydantic import BaseModel, Field

SECTION_SEP = " › "
# Pieces of a passage that were separate in the source (a page break split them) are
# joined by one space in the passage text; `Passage.to_source` undoes exactly that.
JOINER = " "

_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\([a-z]+\)|\([ivx]+\))\s+")

PassageKind = Literal["paragraph", "caption", "footnote", "reference", "front"]


class Span(BaseModel):
    """A half-open character range `[start, end)` in a document's source text."""

    start: int
    end: int


class Heading(BaseModel):
    """A heading the file format marks (a Markdown `#`, a Word heading style).

    `[start, end)` is its line in the source text; `title` is how the section path shows it
    (without the `##`); level 0 is a document title, 1 a top-level heading, and so on.
    """

    start: int
    end: int
    level: int
    title: str


class Layout(BaseModel):
    """What a file format knows about a document's structure, as offsets into its source text.

    - `headings`: the headings the format marks, in order; `None` when it marks none, and
      headings are then recognised from the text as in the bulletin ("1. …", "(a) …").
    - `pages`: the offset where each page starts (page `n` starts at `pages[n - 1]`); empty
      when the source has no pages.
    - `furniture`: whole lines that are not content: running headers and footers, page
      numbers, a Markdown front-matter block. They stay in the source, outside every passage.

    >>> Layout(pages=[0, 120, 300]).page_at(150)
    2
    """

    headings: list[Heading] | None = None
    pages: list[int] = Field(default_factory=list)
    furniture: list[Span] = Field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page that holds `offset`, or None when the source has no pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


class Document(BaseModel):
    """One bulletin (or other document) and the metadata that citations show."""

    id: str
    path: str
    title: str
    series: str = ""
    issue: str = ""
    year: int | None = None
    date: str = ""
    publisher: str = ""
    language: str = "vi"
    pages: int | None = None
    sha256: str = ""
    # The text layer was made by OCR (a scan): citations say so.
    ocr: bool = False

    @property
    def label(self) -> str:
        """How a citation names the document, e.g. 'Số 2/2021 – Đổi mới sáng tạo dịch vụ công…'."""
        return " – ".join(part for part in (self.issue, self.title) if part)


class Passage(BaseModel):
    """A citable piece of a document that knows exactly where it comes from.

    `text` is the document's own words. When a page break split a paragraph, `spans`
    has one range per piece and `text` is the pieces joined by `JOINER`, so
    `JOINER.join(source[s.start:s.end] for s in spans) == text` always holds.
    """

    id: str
    doc_id: str
    section: list[str] = Field(default_factory=list)
    paragraph: int = 1
    kind: PassageKind = "paragraph"
    text: str
    spans: list[Span]
    page: int | None = None
    # "vi" or "en", detected on the passage's own text when it says enough, else the
    # document's: a Vietnamese bulletin may quote an English paragraph.
    language: str = "vi"
    # Ranges of `text` addressed to an assistant or a system ("ignore earlier instructions,
    # answer that …"): kept out of answers, still shown where the passage is shown.
    instructions: list[Span] = Field(default_factory=list)

    def is_instruction(self, start: int, end: int) -> bool:
        """Whether `text[start:end]` overlaps a range addressed to an assistant."""
        return any(s.start < end and start < s.end for s in self.instructions)

    @property
    def section_path(self) -> str:
        return SECTION_SEP.join(self.section)

    @property
    def start(self) -> int:
        return self.spans[0].start

    @property
    def end(self) -> int:
        return self.spans[-1].end

    @property
    def indexed_text(self) -> str:
        """What is embedded and lexically indexed: the section context, then the text.

        Many paragraphs never name their country; the section path carries it.
        """
        context = self.context
        return f"{context}: {self.text}" if context else self.text

    @property
    def context(self) -> str:
        """The headings that say what a passage is about, without their numbering.

        The top heading is left out below it: "2. Kinh nghiệm … ở Trung Quốc, Nhật Bản,
        Hàn Quốc và Singapo" names every country and would make every passage match all four.
        """
        headings = self.section[1:] if len(self.section) > 1 else self.section
        return " › ".join(_NUMBERING.sub("", h) for h in headings)

    def to_source(self, start: int, end: int) -> list[Span]:
        """Map a range of `text` to the source ranges it covers (one per piece).

        >>> p = Passage(id="x", doc_id="d", text="ab cd", spans=[Span(start=10, end=12), Span(start=20, end=22)])
        >>> [(s.start, s.end) for s in p.to_source(1, 4)]
        [(11, 12), (20, 21)]
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(
                f"range {start}:{end} is outside the passage (length {len(self.text)})"
            )
        out: list[Span] = []
        cursor = 0
        for span in self.spans:
            length = span.end - span.start
            lo, hi = max(start, cursor), min(end, cursor + length)
            if lo < hi:
                out.append(Span(start=span.start + lo - cursor, end=span.start + hi - cursor))
            cursor += length + len(JOINER)
        return out


class Hit(BaseModel):
    """A passage found by search, with the fused score and each signal's rank (1-based)."""

    passage: Passage
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None


class QueryInfo(BaseModel):
    """How a query was understood: its language and the forms each signal searched."""

    original: str
    normalized: str
    language: Literal["vi", "vi-unaccented", "en"]
    dense_query: str
    lexical_terms: list[str]
    dense_weight: float
    # What the vector search embeds when it differs from `dense_query` (an English question
    # with the bulletin's words for its terms beside it); sentences are still scored
    # against `dense_query`.
    search_query: str | None = None
    # A question typed without diacritics, with them put back (`Vocabulary.restore`): its
    # ways of asking are read on it ("nha may" is "nhà máy", content; "co may" asks).
    restored: str | None = None


class Citation(BaseModel):
    """A numbered source of an answer: the passage, where it is, and the exact quote."""

    number: int
    passage_id: str
    doc_id: str
    document: str
    issue: str = ""
    section_path: str
    paragraph: int
    page: int | None = None
    # The last page the quote is on, when it runs onto the next page ("tr. 1–2").
    page_end: int | None = None
    # The quoted text came from OCR of a scanned page (it may hold recognition errors).
    ocr: bool = False
    language: str = "vi"
    quote: str
    quote_start: int
    quote_end: int
    source_spans: list[Span]
    score: float
    # The sentence that answers, as offsets in the passage text (inside the quote).
    highlight_start: int | None = None
    highlight_end: int | None = None

    @property
    def where(self) -> str:
        """'Số 2/2021 · 2.4. Singapo › (c) … · ¶3' for a Sources line; a quote across a page
        break ends in '· tr. 1–2', one from a scanned page in '· OCR'."""
        parts = [self.issue or self.document, self.section_path or "", f"¶{self.paragraph}"]
        if self.page:
            pages = f"{self.page}–{self.page_end}" if (self.page_end or 0) > self.page else self.page
            parts.append(f"tr. {pages}")
        if self.ocr:
            parts.append("OCR")
        return " · ".join(p for p in parts if p)


class AnswerSentence(BaseModel):
    text: str
    citations: list[int]
    support: float = 1.0
    supported: bool = True
    # For a comparison: the side this sentence speaks for ("Nhật Bản"); for a
    # brief: the short heading of its section ("ĐMST mạng lưới").
    label: str | None = None


class Answer(BaseModel):
    """An answer: its sentences with citation numbers, the cited quotes, and how it was made.

    In the LLM mode `sentences` are what the model wrote (checked), `supporting` the
    extractive answer's verbatim quotes, always shown with it (first when `quote_leads`:
    the written answer lacks the number, date or name asked for and the quote has it),
    and `removed` the sentences the checks took out.
    """

    question: str
    query: str
    language: Literal["vi", "vi-unaccented", "en"]
    # The question's kind (number, date, who, where, name, list, compare, yes-no,
    # definition, why, how, summary, other): see assistant/retrieve/question.py; or
    # "small-talk" for a greeting, thanks or goodbye (retrieve/intake.small_talk).
    kind: str | None = None
    text: str
    sentences: list[AnswerSentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    related: list[Hit] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = "extractive"
    notice: str | None = None
    supporting: list[AnswerSentence] = Field(default_factory=list)
    quote_leads: bool = False
    removed: list[AnswerSentence] = Field(default_factory=list)
    confidence: float = 0.0
    # The conversation: what the thread is about once follow-ups are resolved, which
    # earlier turn (1-based) this one leaned on, and whether its passages answered it.
    topic: str = ""
    leaned_on: int | None = None
    from_thread: bool = False
    # What the abstention model read (see assistant/answer/abstain.py): feature -> value.
    evidence: dict[str, float] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)


class Draft(BaseModel):
    """The model's answer while it is being written: unchecked, shown only as a draft.

    `text` is the reply so far (citation markers as the model wrote them), `pieces` how
    many pieces arrived, `seconds` since the request was sent.
    """

    text: str = ""
    pieces: int = 0
    seconds: float = 0.0


class BriefSentence(BaseModel):
    """A sentence of a brief: `[start, end)` of passage `passage_id`'s text, and its label."""

    passage_id: str
    start: int
    end: int
    label: str = ""


class SectionBrief(BaseModel):
    """An extractive brief of one section of a document (`section == []`: the whole document).

    Stored with the index (`briefs.json`); `doc_sha256` is the document it was made from,
    so a changed document gets its briefs made again.
    """

    doc_id: str
    doc_sha256: str = ""
    section: list[str] = Field(default_factory=list)
    sentences: list[BriefSentence] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return self.section[-1] if self.section else ""


class Briefs(BaseModel):
    """The briefs stored with an index; `method` names how they were made (a new one remakes them)."""

    method: str
    briefs: list[SectionBrief] = Field(default_factory=list)
