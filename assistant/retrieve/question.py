"""Question analysis: what kind of answer a question asks for, and what it is about.

The kinds follow the usual taxonomy of question answering (expected answer types):
number, date, who, where, name, list, compare, yes-no, definition, why, how, summary,
and "other". They are recognised from the ways of asking in `text/lexicons/question-forms.json`
(Vietnamese folded, so typed-without-accents questions match too, and English);
imperatives ("Liệt kê…", "So sánh…", "List…") are question forms like any other.

>>> q = analyze("So sánh việc dùng robot ở Nhật Bản và Hàn Quốc")
>>> q.kind, q.sides
('compare', ['Nhật Bản', 'Hàn Quốc'])
>>> analyze("How many proposals did the initiative receive?").kind
'number'
>>> analyze("Liệt kê các lĩnh vực mà Nhật Bản đặt mục tiêu dùng AI").focus
['linh', 'vuc', 'nhat', 'ban', 'dat', 'muc', 'tieu', 'dung', 'ai']
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel, Field

from ..text import GLOSSARY, fold, has_diacritics, place_match, places_in, tokens
from ..text.language import detect_language
from ..text.lexicon import read_lexicon

Kind = Literal[
    "summary", "compare", "list", "number", "date", "who", "where", "name",
    "definition", "why", "how", "yes-no", "other",
]  # fmt: skip


class Question(BaseModel):
    """A question as the answer stage reads it.

    - `kind`: the expected answer type (see the module docstring).
    - `focus`: the folded content words, without the words that only ask ("liệt kê",
      "bao nhiêu", "what", "the"): what an answer must be about.
    - `sides`: for a comparison, the things compared, as written in the question.
    - `unit`: for a number question, a pattern the number's unit must match in the
      answer ("bao nhiêu tiền" wants a currency), or None.
    """

    text: str
    kind: Kind = "other"
    focus: list[str] = Field(default_factory=list)
    sides: list[str] = Field(default_factory=list)
    unit: str | None = None
    # Other checkable kinds the question also asks ("ở thành phố nào, khi nào?").
    also: list[str] = Field(default_factory=list)
    # The numbers the user gave ("năm 2020"); None: those of `text`. A follow-up's text is
    # rewritten with the thread's words, its own numbers are the user's.
    given: list[str] | None = None


@functools.cache
def forms() -> dict:
    """The question-form lexicon, compiled once: kinds in precedence order, asking words."""
    raw = read_lexicon("question-forms.json")
    kinds = {
        lang: {
            kind: re.compile("|".join(rf"(?:(?<!\w){p}(?!\w))" for p in by_language[lang]) or r"(?!x)x")
            for kind, by_language in raw["kinds"].items()
        }
        for lang in ("vi", "en")
    }
    asking = {lang: set(raw["asking"][lang].split()) for lang in ("vi", "en")}
    types = raw["answer_types"]
    units = [(re.compile(q), _next_to_a_number(e)) for q, e in types["units"].items()]  # fmt: skip
    return {
        "written": set(raw["asking"]["vi_written"].split()),
        "phrases": set(raw["asking"]["vi_phrases"].split("|")),
        "kinds": kinds, "asking": asking, "number": types["number"], "date": types["date"], "units": units,
        "number_words": types["number_words"],
        "numeral": re.compile(rf"(?<!\w)({'|'.join(types['number_words'])})(?!\w)"),
        "date_range": re.compile(rf"\b(?:{types['date_range']})\b"),
        "naming": re.compile(rf"(?:{types['naming_words']})\s+$", re.IGNORECASE),
        "named_place": re.compile(rf"\b(?:{types['named_place']})\b"),
        # the word that introduces a place, then at most two lower-case words ("thành phố
        # ven biển Kawasaki")
        "place_before_name": re.compile(rf"(?:^|\s)(?:{types['place_before_name']})(?:\s+[^\W\d_A-ZĐ][\w-]*){{0,2}}\s+$"),
    }  # fmt: skip


def source_kinds(text: str) -> set[str]:
    """The kinds of secondary passage a question may be answered from: "front" (the title
    page: "Bản tin này do đơn vị nào thực hiện?") and "reference" (the reference list:
    "… cited in the references?"), from `about_sources` in the question-form lexicon."""
    folded = fold(text)
    return {
        kind
        for kind, patterns in _source_forms().items()
        if any(re.search(rf"(?<!\w){p}(?!\w)", folded) for p in patterns)
    }


@functools.cache
def _source_forms() -> dict[str, list[str]]:
    return {k: v for k, v in read_lexicon("question-forms.json").get("about_sources", {}).items() if not k.startswith("_")}


def asking_words() -> set[str]:
    f = forms()
    return f["asking"]["vi"] | f["asking"]["en"]


CHECKABLE = ("number", "date", "who", "where", "name")


# The question words proper: the asking words a way of asking is built on ("cơ quan nào"
# is a way of asking whose "cơ" must stay as it is).
QUESTION_WORDS = {"ai", "gi", "dau", "nao", "bao", "nhieu", "may", "khi", "luc", "sao"}


def written_otherwise(text: str, among: set[str] | None = None) -> list[re.Match]:
    """The words of a question typed with diacritics that fold to a Vietnamese asking word
    (of `among`, by default any) but are written otherwise ("Bộ não" is not "bộ nào",
    "năng lực" not "lúc nào", "máy bay" not "mấy"): content, not asking. Without
    diacritics every such word stays ambiguous."""
    if not has_diacritics(text):
        return []
    f = forms()
    among = f["asking"]["vi"] if among is None else among
    return [m for m in re.finditer(r"\w+", text) if fold(m.group()) in among and m.group().lower() not in f["written"]]


def fold_question(text: str) -> str:
    """`fold(text)` for matching ways of asking: a question word `written_otherwise` is
    marked off (a "_" after it) so that no asking pattern takes it; "AI" the acronym is
    not "ai"."""
    text = re.sub(r"\bAI\b", "A.I.", text)
    folded = fold(text)
    if len(folded) == len(text):  # offsets agree (composed text)
        for m in reversed(written_otherwise(text, QUESTION_WORDS)):
            folded = folded[: m.end()] + "_" + folded[m.end() :]
    return folded


# English asking words; "when" after one of them, or opening a clause before one, joins
# clauses and asks nothing ("How old was Manning when he played …?", "When many are
# arrested, what …?")
_ENGLISH_ASKING = r"\b(?:what|who|whom|how|which|where|why)\b"


def _conjunction_when(folded: str) -> str:
    """The folded English question with each "when" that asks nothing marked off ("_")."""
    for m in reversed(list(re.finditer(r"\bwhen\b", folded))):
        if re.search(_ENGLISH_ASKING, folded[: m.start()]) or re.match(rf"[^,?]*,\s*{_ENGLISH_ASKING}", folded[m.end() :]):
            folded = folded[: m.end()] + "_" + folded[m.end() :]
    return folded


def kinds_of(text: str) -> list[str]:
    """Every kind whose forms the question uses, in the lexicon's order of precedence;
    the forms of the question's own language only (English, or Vietnamese with or
    without accents)."""
    folded = fold_question(text).strip()
    english = detect_language(text) == "en"
    if english:
        folded = _conjunction_when(folded)
    out = []
    for kind, pattern in forms()["kinds"]["en" if english else "vi"].items():
        if pattern.search(folded):
            if kind == "compare" and len(compared_sides(text)) < 2 and not _explicit_compare(folded):
                continue  # "each of them", "both … and" without two things named
            if kind == "compare" and _CLAIM.match(folded):
                continue  # a claim to check that compares ("Is it true that … compared with …?")
            out.append(kind)
    return out


# A claim put to the bulletin to check: what follows is one statement, true or not.
_CLAIM = re.compile(r"\s*(?:is it (?:true|correct|right)(?: that)?|co (?:dung|that|phai) (?:la|rang)|co phai(?: la)?|phai chang)\b")


def kind_of(text: str) -> Kind:
    """The first kind (in the lexicon's order of precedence) whose forms the question uses."""
    kinds = kinds_of(text)
    return kinds[0] if kinds else "other"  # type: ignore[return-value]


def _explicit_compare(folded: str) -> bool:
    return bool(re.search(r"\b(so sanh|compare[sd]?|comparison|contrast(s|ed)?|doi chieu|khac nhau|khac biet|versus|vs)\b", folded))


def compared_sides(text: str) -> list[str]:
    """The two (or more) things a comparison names: places first, then names, then the
    phrases around "và / với / and / vs".

    >>> compared_sides("Compare how China and Japan moved up in the rankings")
    ['China', 'Japan']
    """
    text = unasked(text)
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for group in places_in(folded):
        m = place_match(folded, group)
        if m:
            found.append((m.start(), text[m.start() : m.end()]))
    if len(found) >= 2:
        return [s for _, s in sorted(found)]
    names = [m for m in re.finditer(r"\b[A-Z][\w.-]*[A-Z][\w.-]*\b|\b[A-Z][a-z]+[A-Z]\w*\b", text)]
    if len({n.group().lower() for n in names}) >= 2:
        return list(dict.fromkeys(n.group() for n in names))[:3]
    m = re.search(
        r"(?:so sánh|so sanh|compare|giữa|giua|between)?\s*(?P<a>[^,:;?]+?)\s+(?:và|va|với|voi|and|vs\.?|versus)\s+(?P<b>[^,:;?]+)",
        text,
        re.IGNORECASE,
    )
    if m:
        a = _trim_side(m.group("a"))
        b = _trim_side(m.group("b"))
        if a and b:
            return [a, b]
    return []


# A request made politely ("so sánh giúp tôi …", "cho mình hỏi …"): who asks, not what.
_POLITE = re.compile(
    r"(?<!\w)(?:(?:gi[úu]p|gi[ùu]m|h[ộo]|cho)\s+(?:t[ôo]i|m[ìi]nh|ch[úu]ng t[ôo]i|tui|em)(?!\w)(?:\s+h[ỏo]i)?"
    r"|(?:t[ôo]i|em|m[ìi]nh|tui)\s+(?:mu[ốo]n|c[ầa]n)\s+(?:h[ỏo]i|bi[ếe]t)(?:\s+l[àa])?|xin\s+h[ỏo]i"
    r"|(?:anh|ch[ịi]|b[ạa]n|em|ad)\s+[ơo]i)(?!\w)",
    re.IGNORECASE,
)


def polite_free(text: str) -> str:
    """The question without the words of who asks and how politely ("Em muốn hỏi …",
    "Cho tôi hỏi …", "Anh ơi, …"); the text itself when nothing else is left."""
    left = re.sub(r"^[\s,.:;!-]+", "", re.sub(r"\s{2,}", " ", _POLITE.sub(" ", text))).strip()
    return left if re.search(r"\w", left) else text


def unasked(text: str) -> str:
    """The question without its polite framing ("So sánh giúp tôi A với B" → "So sánh A
    với B") or the frame of a claim to check ("Is it true that …", "Có đúng là …"): the
    words of who asks are neither a side nor a focus word ("true" would match "ngoại
    trú")."""
    text = polite_free(text)
    folded = fold(text)
    if len(folded) == len(text) and (m := _CLAIM.match(folded)):  # offsets agree (composed text)
        text = text[m.end() :]
    return re.sub(r"\s+", " ", text).strip()


def _trim_side(side: str) -> str:
    """A side without the words that ask ("So sánh …", "… khác nhau ở điểm nào")."""
    words = side.split()
    asking = asking_words()
    # ("Ten Million Imagination Oasis" is a name, not "tên": capitalised words stay)
    while words and fold(words[0]) in asking | {"viec", "how", "the"} and not words[0][:1].isupper():
        words.pop(0)
    cut = len(words)
    for i, w in enumerate(words):
        if fold(w) in {"khac", "giong", "differ", "moved", "use", "dung", "su"} and i > 0:
            cut = i
            break
    return " ".join(words[:cut][:6]).strip(" ,.?")


def focus_terms(text: str) -> list[str]:
    """The folded content words of a question, in order, without the words that only ask."""
    text = unasked(text)
    asking = asking_words() - {fold(m.group()) for m in written_otherwise(text)}
    if re.search(r"\bAI\b", text):
        asking = asking - {"ai"}  # the acronym, not "ai" (who)
    words = tokens(text)
    # a syllable of an asking phrase asks only inside it ("trình bày", not "quy trình")
    phrases = forms()["phrases"]
    paired = {j for i in range(len(words) - 1) if f"{words[i]} {words[i + 1]}" in phrases for j in (i, i + 1)}
    alone = {w for p in phrases for w in p.split()}
    kept = [
        t
        for i, t in enumerate(words)
        if t.isdigit() or (len(t) > 1 and (t not in asking or (t in alone and i not in paired)))
    ]
    return list(dict.fromkeys(kept))


def number_unit(text: str) -> str | None:
    """A pattern the answer's number must match, from what the question counts.

    Money, shares, ranks and durations have their units (`question-forms.json`), when
    named right after the asking words (or before "là bao nhiêu");
    otherwise the noun after "bao nhiêu / mấy / how many" must follow the number within
    two words ("bao nhiêu đề xuất" → "180.706 đề xuất"), an English noun as it is or
    through the glossary's Vietnamese ("how many proposals" → "proposals", "đề xuất").
    """
    folded = fold_question(text)
    # what is counted is named right after the asking words ("bao nhiêu % chi phí", "mấy
    # dự án" even in "lập ngân sách … chọn mấy dự án"); elsewhere only when nothing is
    # (with the word before: "thứ mấy" asks a rank, whatever follows: "về dân số")
    asked = re.search(r"(?:\w+\s+)?(?:\b(?:bao nhieu|may|by how much|how many|how much|what|which|how \w+)|%)((?:\s*\S+){0,4})", folded)
    window = asked.group(0) if asked else ""
    for pattern, unit in forms()["units"]:
        if pattern.search(window):
            return unit
    m = re.search(r"\b(?:bao nhieu|may)\s+(\w+)(?:\s+(\w+))?", folded)
    nouns = []
    if m and m.group(1) not in asking_words():
        # a two-letter syllable is ambiguous alone ("de" is "để" and "đề"): keep the next
        nouns = [f"{m.group(1)} {m.group(2)}" if len(m.group(1)) <= 2 and m.group(2) else m.group(1)]
    m = re.search(r"\bhow many\s+(\w+)(?:\s+(\w+))?", folded)
    if m:
        words = [w for w in m.groups() if w]
        # the English noun too: an English document counts "100,000 people"
        nouns = next(([w, *GLOSSARY[w]] for w in words if w in GLOSSARY), [])
    if not nouns:
        # "Ngân sách của dự án là bao nhiêu?": the unit named before "là bao nhiêu", or in
        # the two words right before "bao nhiêu" ("Songdo trị giá bao nhiêu?"); any other
        # word of the question ("góp tiền …, góp bao nhiêu?") says too little
        before = re.search(r"^(.*)\b(?:la|bang|khoang) bao nhieu\b", folded) or re.search(r"((?:\w+ ){1,2})bao nhieu\b", folded)
        if not before:
            return None
        return next((unit for pattern, unit in forms()["units"] if pattern.search(before.group(1))), None)
    # a unit with its exponent is its base unit as the text writes it ("km2" is "km vuông")
    nouns += [base for n in nouns if (base := re.sub(r"(?<=[a-z])[23]$", "", n)) != n]
    noun = "|".join(map(re.escape, nouns))
    # "180.706 đề xuất" ("bốn đặc điểm" once its numeral is a digit: see `numerals`), or
    # the noun first: "dân số hơn 5 triệu người"
    return rf"\d[\d.,]*\S*(?:\s+\S+){{0,2}}\s+(?:{noun})\b|\b(?:{noun})(?:\s+\S+){{0,3}}\s+\d"


def unit_class(question: Question) -> str | None:
    """The question's unit when it is a class of units (`question-forms.json` `units`:
    money, shares, ranks, durations, population, area), which lists every unit and
    wording of the class; None for a counted noun ("bao nhiêu đề xuất", whose count the
    text may give with another noun) or no unit."""
    return question.unit if question.unit in {unit for _, unit in forms()["units"]} else None


def stands_in(unit: str, written: str) -> bool:
    """Whether a unit's pattern (`Question.unit`) matches a text with its counts as digits
    (`numerals`), as written or folded ("449 triệu USD", "dan so 17.786.419")."""
    return bool(re.search(unit, written) or re.search(unit, fold(written)))


def given_numbers(text: str) -> list[str]:
    """The numbers a question gives as values (a year, an amount: "năm 2020", "50 tỷ"),
    each run of digits; not the digits of a unit or a name ("km2", "5G", "CO2").

    >>> given_numbers("Năm 2020 Songdo rộng bao nhiêu km2, có mạng 5G không?")
    ['2020']
    """
    return re.findall(r"(?<![^\W\d_])\d+(?![^\W\d_])", text)


def claimed_kinds(kind: str, text: str) -> list[str]:
    """What a claim to check asks of the evidence: a yes-no question that gives a value
    ("… launched in 2015?", "Có phải … 50 tỷ USD không?") is checked against a value of
    the same kind, a year or a number; without one the bulletin can say neither yes nor no."""
    if kind != "yes-no" or not (numbers := given_numbers(text)):
        return []
    return ["date" if any(re.fullmatch(r"(1[5-9]|20)\d{2}", n) for n in numbers) else "number"]


def numerals(text: str) -> str:
    """Lower-case text with counts written as words turned into digits ("bốn đặc điểm" →
    "4 đặc điểm"), read as written: folded, "hai" (two) would also be "hại" (harm)."""
    f = forms()
    return f["numeral"].sub(lambda m: f["number_words"][m.group(1)], text.lower())


def analyze(text: str, restored: str | None = None) -> Question:
    """Kind, focus words, compared sides and number unit of a cleaned question. For a
    question typed without diacritics, `restored` (the same words with them put back:
    `QueryInfo.restored`) says which of its words ask: "nha may" restored "nhà máy" is
    content, where folded it would be read "mấy" (how many)."""
    kinds = kinds_of(restored or text)
    kind = kinds[0] if kinds else "other"
    return Question(
        text=text,
        kind=kind,
        # a second thing asked counts beside a checkable kind ("ở thành phố nào, khi nào?");
        # beside a list, a how or a why it only describes ("ba loại …, tức là ai thúc đẩy")
        also=[k for k in kinds[1:] if k in CHECKABLE and k != kind] if kind in CHECKABLE else claimed_kinds(kind, text),
        focus=focus_terms(text),
        sides=compared_sides(text) if kind == "compare" else [],
        unit=number_unit(text) if kind == "number" else None,
    )


def _next_to_a_number(unit: str | dict) -> str:
    """A unit's pattern as it must stand in the answer: beside a number ("449 triệu USD",
    "92%", or after a currency sign: "$95"), not anywhere ("tỷ lệ", "cộng đồng" hold
    "tỷ", "đồng"). A pattern with its own digits ("thứ \\d") stays as it is. A unit given
    as {"after": …, "before": …} may also be the quantity's name with the number after
    it, at most three words on ("dân số 17.786.419", "population of 3.9 million"; folded)."""
    if isinstance(unit, dict):
        return f"{_next_to_a_number(unit['after'])}|\\b{unit['before']}(?:\\s+\\S+){{0,3}}?\\s+\\d"
    if r"\d" in unit:
        return unit
    return rf"\d[\d.,]*\s*(?:[^\s\d]+\s+){{0,2}}?{unit}(?![a-zA-Zà-ỹÀ-Ỹđ])|[$€£]\s*\d"
