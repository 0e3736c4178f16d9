"""The facts a sentence states that its passage must also hold: numbers and proper names.

>>> missing_facts("WeChat có hơn 2 tỷ người dùng ở Nhật Bản.", ["WeChat có hơn 1 tỷ người dùng."])
['2', 'Nhật Bản']
"""

from __future__ import annotations

import re

from ...text import NAME_GROUPS, tokens

_WORD = re.compile(r"\w+(?:['’\-&]\w+)*")

# Folded function words, Vietnamese and English: they say nothing about support.
STOPWORDS = set(
    """va cua la cac nhung mot co duoc trong cho voi de nay do tu tai theo ve nhu khi thi ma
    da dang se cung rat nhieu hon nen neu vi boi bang den ra vao len tren sau truoc giua qua
    con chi moi hay hoac nao gi ai dau sao bao khong chua van lai viec su ca rang cua cai chiec
    nguoi nhu vay the day kia ay minh ho chung toi ban no o
    a an the of in on at to for from by with about as is are was were be been being do does did
    has have had how what which who whom whose why when where can could would should will may
    might must and or not no this that these those it its their there they them he she his her
    we our you your me my than then also into over under such more most some any all each other
    only very so if but""".split()
)


# ---------------------------------------------------------------- facts: numbers and names

_NUMBER = re.compile(r"(?<!\d)\d+(?:[.,]\d+)*")


def number_forms(raw: str) -> set[str]:
    """Canonical values a written number can mean, for comparing across conventions.

    Vietnamese groups thousands with '.' and writes decimals with ','; English does the
    reverse. A separator followed by exactly three digits is read as a thousands
    separator in both ("1.700" = "1,700" = 1700), any other single separator as the
    decimal point ("3,5" = "3.5").

    >>> sorted(number_forms("1.700")), sorted(number_forms("3,5")), sorted(number_forms("1.234,5"))
    (['1700'], ['3.5'], ['1234.5'])
    """
    groups = re.split(r"[.,]", raw)
    seps = re.findall(r"[.,]", raw)
    if not seps:
        return {_canonical(raw, "")}
    if len(set(seps)) == 2:  # "1.234,5": the last kind is the decimal point
        if seps.count(seps[-1]) == 1 and all(len(g) == 3 for g in groups[1:-1]):
            return {_canonical("".join(groups[:-1]), groups[-1])}
        return {_canonical(g, "") for g in groups}
    if groups[0] != "0" and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return {_canonical("".join(groups), "")}
    if len(seps) == 1:
        return {_canonical(groups[0], groups[1])}
    return {_canonical(g, "") for g in groups}  # a list such as "1,2,3"


def _canonical(integer: str, fraction: str) -> str:
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def numbers(text: str) -> list[str]:
    """The numbers written in a text, as written."""
    return _NUMBER.findall(text)


# English words that are capitalised inside names ("Ministry of Manpower", "Smart Nation")
# but stand for Vietnamese words in the passages ("Bộ Nhân lực"): in an English sentence
# their spelling proves nothing, so the support score judges them. Months and weekdays too.
UNCHECKED_NAME_WORDS = set(
    """ministry minister department office agency bureau government council committee
    authority commission service services public civil national nation state smart economy
    economic trade industry industrial finance financial affairs home interior internal
    manpower health hospital labour labor welfare security information communications media
    development innovation innovative digital technology technologies science research data
    protection personal prime president mayor city cities province provincial local central
    university institute center centre lab labs program programme project initiative
    division unit team group board fund bank street people citizens citizen jury panel
    transition movement strategy vision plan sandbox regulatory police tourism general
    bulletin policy policies agile design justice challenge competition award prize
    electronic online platform app patent patents trademark tax customs immigration energy
    transport transportation education environment culture defence defense foreign land
    housing employment safety disaster emergency planning management federation business
    businesses association chamber enterprise enterprises administration cabinet secretariat
    secretary chief officer director directors new first
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)

_NAME_GROUP = {form: group for group in NAME_GROUPS for form in group}

# A name's word and a passage word match when equal, or when the shorter (at least 5
# letters) is a prefix of the longer and at most 4 letters shorter: the English and
# Vietnamese spellings of one name, Singapore ~ Singapo, Korean ~ Korea, Japanese ~ Japan.
PREFIX_MIN = 5
PREFIX_SLACK = 4


def _distinctive(word: str) -> bool:
    """WeChat, GovTech, PSD, ĐMST, 5G: capitals inside the word, or letters with digits."""
    has_digit = any(c.isdigit() for c in word)
    return any(c.isupper() for c in word[1:]) or (has_digit and any(c.isalpha() for c in word))


def names(sentence: str) -> list[str]:
    """Proper names: runs of capitalised words, less a lone capitalised first word.

    The first word of a sentence (or after a colon) is capitalised anyway, so alone it is
    not taken for a name unless it looks like one (WeChat, PSD); a run that starts the
    sentence is (Nhật Bản, Moon Jae-in).

    >>> names("Năm 2017, GovTech được chuyển vào Văn phòng Thủ tướng.")
    ['GovTech', 'Văn', 'Thủ']
    >>> names("Nhật Bản dành 18 triệu USD cho WeChat Pay ở Trung Quốc.")
    ['Nhật Bản', 'USD', 'WeChat Pay', 'Trung Quốc']
    """
    runs: list[list[tuple[str, bool]]] = []
    previous_end = -1
    for match in _WORD.finditer(sentence):
        word = match.group()
        if not word[0].isupper() and not _distinctive(word):
            previous_end = -1
            continue
        before = sentence[: match.start()].rstrip(" \t\"'“‘(«")
        initial = not re.search(r"\w", before) or before.endswith((":", ";"))
        if previous_end >= 0 and not sentence[previous_end : match.start()].strip():
            runs[-1].append((word, initial))
        else:
            runs.append([(word, initial)])
        previous_end = match.end()
    out = []
    for run in runs:
        # "Tại Nhật Bản", "In Japan": a function word capitalised by position is no part of it.
        if run[0][1] and len(run) > 1 and " ".join(tokens(run[0][0])) in STOPWORDS:
            run = [(word, False) for word, _ in run[1:]]
        if not (len(run) == 1 and run[0][1] and not _distinctive(run[0][0])):
            out.append(" ".join(word for word, _ in run))
    return out


class _Facts:
    """The words and numbers of the passages that support a sentence."""

    def __init__(self, texts: list[str]):
        self.words = {t for text in texts for t in tokens(text)}
        self.joined = " " + " ".join(" ".join(tokens(text)) for text in texts) + " "
        self.numbers = {
            form for text in texts for raw in numbers(text) for form in number_forms(raw)
        }

    def has_word(self, word: str) -> bool:
        if word in self.words:
            return True
        return len(word) >= PREFIX_MIN and any(
            len(w) >= PREFIX_MIN
            and abs(len(w) - len(word)) <= PREFIX_SLACK
            and (w.startswith(word) or word.startswith(w))
            for w in self.words
        )

    def has_phrase(self, phrase: str) -> bool:
        if " " not in phrase:
            return self.has_word(phrase)
        return f" {phrase} " in self.joined

    def has_group(self, key: str) -> bool:
        return any(self.has_phrase(form) for form in _NAME_GROUP[key])

    def has_name(self, name: str) -> bool:
        whole = " ".join(tokens(name))
        if whole in _NAME_GROUP:
            return self.has_group(whole)
        if self.has_phrase(whole):
            return True
        # Word by word, so "Japan's" is checked as Japan and "Smart Nation" not at all.
        for word in _WORD.findall(name):
            parts = tokens(word)
            if " ".join(parts) in _NAME_GROUP:
                if not self.has_group(" ".join(parts)):
                    return False
                continue
            for part in parts:
                if len(part) < 2 or part in UNCHECKED_NAME_WORDS or part in STOPWORDS:
                    continue
                if part in _NAME_GROUP:
                    if not self.has_group(part):
                        return False
                elif not self.has_word(part):
                    return False
        return True


def missing_facts(sentence: str, passage_texts: list[str]) -> list[str]:
    """The numbers and names of `sentence` that none of the passages contains.

    >>> missing_facts("WeChat có hơn 2 tỷ người dùng ở Nhật Bản.", ["WeChat có hơn 1 tỷ người dùng."])
    ['2', 'Nhật Bản']
    """
    facts = _Facts(passage_texts)
    missing = [raw for raw in numbers(sentence) if not number_forms(raw) & facts.numbers]
    missing += [name for name in names(sentence) if not facts.has_name(name)]
    return missing
