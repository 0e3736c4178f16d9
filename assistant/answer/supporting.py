"""The written (LLM) answer never hides what the extractive answer found.

The extractive answer's verbatim quote, with its citation, is always shown with the
written answer: beneath it, or first when the question asks for a number, a date or a
name that the checked written answer lacks and the quote has. A checker that rightly
removes unsupported sentences can leave "Korea used robots to deliver public services"
for "Hàn Quốc chi bao nhiêu tiền cho kế hoạch robot?", while the quote says 449 triệu USD.

>>> expected_answer_type("Hàn Quốc chi bao nhiêu tiền cho kế hoạch robot?")
'number'
>>> expected_answer_type("PSD đưa ra thử thách ĐMST khi nào?"), expected_answer_type("Who leads GovTech?")
('date', 'name')
"""

from __future__ import annotations

import re
from typing import Literal

from ..models import Answer
from ..text import fold
from .joins import cited
from .llm.facts import names

AnswerType = Literal["number", "date", "name"]

# Folded (no diacritics, lower case) question words for each kind of answer; a date
# question is checked first ("năm nào" asks for a year, not for a count).
_ASKS = {
    "date": re.compile(
        r"\b(khi nao|bao gio|luc nao|nam nao|thang nao|ngay nao|thoi diem nao|tu nam nao|"
        r"when|what year|which year|what date|since when)\b"
    ),
    "number": re.compile(
        r"\b(bao nhieu|may (nguoi|cong ty|du an|quoc gia|lan|nam|thang|ngay|trieu|ty|robot)|"
        r"so luong|ty le|how many|how much|what percentage|what share|how large|how big)\b"
    ),
    "name": re.compile(
        r"(^|\s)(ai|la ai|ten (la )?gi|co quan nao|to chuc nao|bo nao|cong ty nao|don vi nao|"
        r"who|whom|which (agency|ministry|organi[sz]ation|company|body|department)|"
        r"what is the name)\b"
    ),
}
_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")
_DATE_WORDS = re.compile(
    r"\b(thang \d{1,2}|ngay \d{1,2}|quy [1-4i]+|\d{1,2}/\d{1,2}(/\d{2,4})?|january|february|march|"
    r"april|june|july|august|september|october|november|december)\b"  # not "may": "máy"
)

QUOTE_LABEL = {
    "vi": "Bản tin viết:",
    "vi-unaccented": "Bản tin viết:",
    "en": "The bulletin says (quoted in Vietnamese):",
}


def expected_answer_type(question: str) -> AnswerType | None:
    """What the question asks for: a number, a date, a name, or None (a how or a why)."""
    folded = fold(question)
    if _ASKS["date"].search(folded):
        return "date"
    if _ASKS["number"].search(folded) or "mấy" in question.lower():
        return "number"
    if _ASKS["name"].search(folded):
        return "name"
    return None


def has_answer_type(text: str, kind: AnswerType, *, question: str = "") -> bool:
    """Whether `text` holds what a question of this kind asks for.

    A name counts only if the question does not already say it ("Who leads GovTech?" is
    not answered by "GovTech").
    """
    if kind == "number":
        return bool(re.search(r"\d", text))
    if kind == "date":
        return bool(_YEAR.search(text) or _DATE_WORDS.search(fold(text)))
    asked = fold(question)
    return any(fold(name) not in asked for name in names(text))


def with_quotes(written: Answer, extractive: Answer) -> Answer:
    """The written answer with the extractive quotes as `supporting`, renumbered after its own.

    A quote the written answer already cites (the same passage and span) keeps its number.
    `quote_leads` is set when the question asks for a number, date or name that the
    written sentences lack and the quotes have; `text` puts the leading part first.
    """
    if extractive.abstained or not extractive.sentences:
        return written
    citations = list(written.citations)
    same = {(c.passage_id, c.quote_start, c.quote_end): c.number for c in citations}
    numbers: dict[int, int] = {}
    for c in extractive.citations:
        key = (c.passage_id, c.quote_start, c.quote_end)
        if key not in same:
            same[key] = len(citations) + 1
            citations.append(c.model_copy(update={"number": same[key]}))
        numbers[c.number] = same[key]
    supporting = [
        s.model_copy(update={"citations": [numbers[n] for n in s.citations if n in numbers]})
        for s in extractive.sentences
    ]
    kind = expected_answer_type(written.question)
    quote_text = " ".join(s.text for s in supporting)
    written_text = " ".join(s.text for s in written.sentences)
    leads = bool(
        kind
        and not has_answer_type(written_text, kind, question=written.question)
        and has_answer_type(quote_text, kind, question=written.question)
    )
    quotes = f"{QUOTE_LABEL[written.language]} {cited(supporting, verbatim=True)}"
    body = cited(written.sentences)
    text = f"{quotes}\n\n{body}" if leads else f"{body}\n\n{quotes}"
    return written.model_copy(
        update={
            "citations": citations,
            "supporting": supporting,
            "quote_leads": leads,
            "text": text,
        }
    )
