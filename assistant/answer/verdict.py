"""Yes or no for a claim to check that gives a number, read off the sentence that answers it.

"Có đúng là Hàn Quốc dành 500 triệu USD cho robot không?" against "kế hoạch trị giá 449
triệu USD" is "Không: bản tin ghi 449 triệu USD". A claim's number and the sentence's are
the same value when their digits, their scale ("5 triệu" is no "5 tỷ") and their unit's
class (money, people, a share) agree, and the sentence does not give it of another
thing: the names of the number's clause ("… 500 triệu người dùng" of "Didi Chuxing", "gần
1,4 tỷ của Trung Quốc") must include one of the claim's, when both name any. Anything
less sure gives no verdict, and the quote answers alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold, places_in
from ..text.language import ENGLISH_WORDS, is_vietnamese_syllable

VERDICT = {
    "vi": {True: "Đúng, bản tin viết như vậy.", False: "Không: bản tin ghi {value}."},
    "en": {True: "Yes, the bulletin says so.", False: "No: the bulletin gives {value}."},
}

# The scale words of both languages, each to one name: "triệu" is "million".
_SCALES = {"nghin ty": "trillion", "nghin": "thousand", "ngan": "thousand", "trieu": "million", "ty": "billion",
           "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}  # fmt: skip
# A number's unit by its class, in both languages (folded): "đô la" and "dollars" are money.
_UNITS = {
    "money": r"usd|us\$|\$|do la|dollars?|dong|yen|won|euro|€|£|nhan dan te|yuan",
    "people": r"nguoi|dan|people|persons|residents|inhabitants|citizens",
    "share": r"%|phan tram|percent",
}
# Where a clause ends, for whose number it is: "WeChat có 1 tỷ người dùng trong khi Didi …".
_CLAUSE = re.compile(r"[,;:()]|\b(?:trong khi|so voi|va|con|nhung|while|whereas|compared (?:with|to)|against|and|but)\b")
# What may follow a number as its scale and unit, as the sentence writes them ("5 triệu",
# "35 tỷ USD", "92%", "720 km²").
_SCALE = r"(?:%|(?:(?:nghìn tỷ|nghìn|ngàn|triệu|tỷ|thousand|million|billion)(?!\w)\s*)?(?:USD|US\$|đô la|đồng|yên|won|nhân dân tệ|euro|km²|km|người dùng|người)?(?!\w))"
# A date with its month, as Vietnamese and English write it: "ngày 5 tháng 11 năm 2017",
# "tháng 11/2017", "November 2014".
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = (
    r"(?:ngày\s+\d{1,2}\s+)?tháng\s+\d{1,2}(?:\s*(?:năm\s+|/)\d{4})?"
    rf"|(?i:(?:\d{{1,2}}\s+)?(?:{_MONTHS})(?:\s+\d{{1,2}},?)?\s+\d{{4}})"
)


@dataclass
class Value:
    """A number of a text: as written, its digits (`_digits`), its scale ("million") and
    its unit's class ("money"), None when the text writes none, the names of its clause
    (folded capitalised words and place groups), and whether it is part of a date."""

    raw: str
    digits: str
    scale: str | None
    unit: str | None
    names: set[str]
    dated: bool = False  # a part of a date ("tháng 8 năm 2016"): no count

    @property
    def year(self) -> bool:
        return self.dated or bool(re.fullmatch(r"(1[5-9]|20)\d\d", self.digits))

    def like(self, other: Value) -> bool:
        """Of the same shape (a year, or a count of the same unit class) and said of the
        same thing, as far as the two texts tell."""
        unit = self.unit is None or other.unit is None or self.unit == other.unit
        about = not self.names or not other.names or bool(self.names & other.names)
        return self.year == other.year and unit and about

    def same(self, other: Value) -> bool:
        """The same value, said of the same thing."""
        return self.digits == other.digits and self.scale == other.scale and self.like(other)


def values(text: str) -> list[Value]:
    """The numbers of a text, each with its scale, unit class and clause's names. A month
    named in English beside a number is one too ("March 2011": 3 and 2011; "may have" is
    no month)."""
    text = re.sub(
        rf"\b({_MONTHS})\b(?=\s+\d)",
        lambda m: f"tháng {_MONTHS.split('|').index(m.group().lower()) + 1}",
        text,
        flags=re.IGNORECASE,
    )
    folded = fold(text)
    same_length = len(folded) == len(text)
    dates = [m.span() for m in re.finditer(_DATE, text)]
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(folded)), len(folded)] if same_length else [0, len(folded)]
    out = []
    for m in re.finditer(r"\d[\d.,]*\d|\d", text):
        after = folded[m.end() : m.end() + 40] if same_length else ""
        scaled = re.match(rf"\s*({'|'.join(_SCALES)})(?!\w)", after)
        rest = after[scaled.end() :] if scaled else after
        before = folded[max(0, m.start() - 25) : m.start()] if same_length else ""
        unit = None
        for window in (" ".join(re.findall(r"[^\W\d_]+|[%$€£]", rest)[:2]), " ".join(re.findall(r"[^\W\d_]+|[$€£]", before)[-3:])):
            unit = unit or next((c for c, p in _UNITS.items() if re.search(rf"(?<!\w)(?:{p})(?!\w)|^[%$€£]", window)), None)
        lo = max(b for b in bounds if b <= m.start())
        hi = min(b for b in bounds if b >= m.end()) if any(b >= m.end() for b in bounds) else len(text)
        dated = any(a <= m.start() and m.end() <= b for a, b in dates)
        out.append(Value(m.group(), _digits(m.group()), _SCALES[scaled.group(1)] if scaled else None, unit, _names(text[lo:hi]), dated))
    return out


def _names(clause: str) -> set[str]:
    """A clause's names: its capitalised words past the first, the first too when it is no
    Vietnamese word ("WeChat có …"), and its places as groups."""
    clause = clause.strip()
    words = re.findall(r"(?<!^)(?<![.!?]\s)\b[A-ZĐ][\w-]+", clause)
    first = re.match(r"[A-ZĐ][\w-]*", clause)
    plain = fold(first.group()) if first else ""
    if first and (sum(c.isupper() for c in first.group()) > 1 or not (is_vietnamese_syllable(plain) or plain in ENGLISH_WORDS)):
        words.append(first.group())
    return {fold(w) for w in words} | {f"place:{g}" for g in places_in(fold(clause))}


def verdict(claim: str, sentence: str, lang: str) -> str | None:
    """Yes or no for a claim to check that gives a number ("Was … launched in 2015?",
    "Có đúng là … 500 triệu USD không?"), read off the answering sentence: yes when it
    gives each of the claim's values (`Value.same`); no, with its own, when it gives for
    each wrong one a value of the same shape (a year for a year, a count of the same unit
    class; for a claim partly right, of the same scale too); None otherwise, and for
    claims without numbers, which the quote answers alone.

    >>> verdict("Was it launched in 2015?", "được đưa ra vào tháng 11 năm 2014", "en")
    'No: the bulletin gives November 2014.'
    >>> verdict("Does Singapore have 50 million people?", "với dân số hơn 5 triệu người", "en")
    'No: the bulletin gives 5 triệu người.'
    >>> verdict("Có đúng là Singapore có 5 tỷ dân không?", "với dân số hơn 5 triệu người", "vi")
    'Không: bản tin ghi 5 triệu người.'
    >>> verdict("Is it 50 million against 1.4 billion?", "720 km², 5 triệu dân so với gần 1,4 tỷ", "en")
    'No: the bulletin gives 5 triệu.'
    >>> verdict("Có phải ra mắt vào tháng 3 năm 2011 không?", "ra mắt vào tháng 11 năm 2017", "vi")
    'Không: bản tin ghi tháng 11 năm 2017.'
    >>> verdict("Was it launched in March 2011?", "sau sóng thần năm 2011", "en") is None  # not March
    True
    >>> verdict("Có đúng là Trung Quốc có 1.4 tỷ dân?", "WeChat có 1 tỷ người dùng, Didi 500 triệu", "vi") is None
    True
    >>> verdict("Did PSD give a 95,000 dollar prize?", "PSD đưa ra thử thách vào tháng 8 năm 2016", "en") is None
    True
    >>> verdict("Was it launched in March 2014?", "được đưa ra vào tháng 11 năm 2014", "en")
    'No: the bulletin gives November 2014.'
    >>> verdict("Có đúng là WeChat có 500 triệu người dùng?", "WeChat có 1 tỷ người dùng trong khi Didi Chuxing có 500 triệu người dùng", "vi")
    'Không: bản tin ghi 1 tỷ người dùng.'
    """
    asked, found = values(claim), values(sentence)
    if not asked:
        return None
    missing = [a for a in asked if not any(a.same(f) for f in found)]
    if not missing:
        return VERDICT[lang][True]
    # the sentence's other values of the same shape and unit class; never one with a
    # claimed value's digits and scale (said of something else, it refutes nothing)
    same = [
        f
        for f in found
        if not any(a.same(f) or (a.digits, a.scale) == (f.digits, f.scale) for a in asked)
        and any(a.like(f) for a in missing)
    ]
    if len(missing) < len(asked):
        # partly right: only a number of the scale the wrong one was claimed in says which
        # (a date's month: another month of it)
        same = [f for f in same if f.year or f.scale in {a.scale for a in missing} - {None}]
    dates = list(re.finditer(_DATE, sentence))
    shown = []
    for f in same:
        # with its scale and unit as the sentence writes them ("5 triệu", "449 triệu USD"),
        # a month as its date ("tháng 11 năm 2017", not "11, 2017")
        date = next((m.group() for m in dates if re.search(rf"(?<![\d.,]){re.escape(f.raw)}(?![\d.,])", m.group())), None)
        scaled = re.search(rf"{re.escape(f.raw)}\s*{_SCALE}", sentence)
        shown.append(_date_in(date, lang) if date else scaled.group().strip() if scaled else f.raw)
    shown = list(dict.fromkeys(shown))
    # one value for each wrong number, or the sentence is no counterpart of the claim:
    # "1,4 tỷ dân" against "1 tỷ người dùng … 500 triệu người dùng" (app users) says nothing
    if not shown or len(shown) > len(missing):
        return None
    return VERDICT[lang][False].format(value=", ".join(shown))


def _date_in(date: str, lang: str) -> str:
    """A Vietnamese date as the answer's language writes it: "tháng 11 năm 2014" is
    "November 2014" in English; any other date stays as written."""
    m = re.fullmatch(r"(?:ngày\s+(\d{1,2})\s+)?tháng\s+(\d{1,2})(?:\s*(?:năm\s+|/)(\d{4}))?", date)
    if lang != "en" or not m or not 1 <= int(m.group(2)) <= 12:
        return date
    day, month, year = m.groups()
    return " ".join(p for p in (day, _MONTHS.split("|")[int(month) - 1].title(), year) if p)


def _digits(number: str) -> str:
    """A number's digits with its separators as one sign: "1,4" (Vietnamese) and "1.4"
    (English) are the same number, as are "17.786.419" and "17,786,419"; a decimal part
    of zeros says nothing ("40,0" is "40"; "1.000", a thousand, keeps its group)."""
    return re.sub(r"\|0{1,2}$", "", re.sub(r"[.,]", "|", number))
