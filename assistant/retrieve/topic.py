"""What a question is about and what it asks, read from its words without an LLM.

A follow-up inherits the thread's topic (`topic_words`: its names and particular words,
never the asking ones) and keeps its own ask (`asks`, `bare`); a question opening a
conversation that points back to nothing says so (`dangling`). `followup.py` decides from
these how a question relates to the thread.

>>> topic_words("GovTech xây dựng ứng dụng Parking.sg để làm gì?")
'GovTech xây dựng ứng dụng Parking.sg'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..text import NAME_GROUPS, clean, fold, has_diacritics, places_in, tokens
from ..text.language import ENGLISH_WORDS, detect_language, is_vietnamese_syllable
from ..text.lexicon import glossary_matches

# Words that point back to something said before.
_ANAPHORA = re.compile(
    r"\b(đó|này|ấy|kia|họ|nó|do|nay|ay|it|its|they|them|their|this|that|these|those|there|he|she)\b",
    re.IGNORECASE,
)
# Question words and particles: a question made only of these (and a few verbs) has no topic.
_FUNCTION = set(
    """ai gi sao nao dau bao nhieu may khi luc la co duoc the nhu lam thi ra vay con va
    who what when where why how which much many is are was were did does do the a an of
    it its they them their this that these those there tien money cost year nam when
    thuc hien ai chi phi bat dau start started launched begin qua kenh via through by
    worth cover covers sector sectors which right""".split()
)
# The English words of `_FUNCTION` that fold like Vietnamese ones ("an" / "án", "do" / "đó").
_ENGLISH_ONLY = {"a", "an", "the", "of", "do", "does", "did", "is", "it", "its", "by", "they", "them", "this", "that", "there"}
# What a question with no thread may point back to: a demonstrative after its noun
# ("dự án đó", "chương trình này"; typed without diacritics, only at the end: "du an do"),
# a personal pronoun, or an English demonstrative with its noun at the end ("that project").
_POINTER = {
    "vi": re.compile(r"(?:\w+\s){0,2}(?:đó|này|ấy|kia)\b|\b(?:họ|nó)\b", re.IGNORECASE),
    "vi-unaccented": re.compile(r"(?:\w+\s){1,2}(?:do|nay|ay)(?=\s*[?.!]*$)", re.IGNORECASE),
    "en": re.compile(r"\b(?:it|its|they|them|their)\b|\b(?:this|that|these|those)\s+\w+(?=\s*[?.!]*$)", re.IGNORECASE),
}


# What such words may point to without a thread: the document itself ("bản tin này",
# "this bulletin") or a set it names ("bốn quốc gia này", "these four countries").
_SELF = re.compile(
    r"\b(?:ban tin|bai viet|tai lieu|bao cao|an pham|bulletin|report|document|publication|article)\b"
    r"|^(?:hai|ba|bon|nam|sau|bay|tam|chin|muoi|two|three|four|five|six|seven|eight|\d+)\b"
)
UNRESOLVED = {
    "vi": "Câu hỏi nhắc đến “{pointer}” nhưng chưa có câu hỏi nào trước đó để biết là gì{guess}. "
    "Hãy nêu tên dự án, chương trình hoặc nước được hỏi.",
    "en": "The question refers to “{pointer}”, but no earlier question says what that is{guess}. "
    "Name the project, programme or country you mean.",
}
GUESS = {"vi": ", nên câu trả lời chỉ là đoạn gần nhất với câu hỏi", "en": ", so the answer is only the passage nearest the question"}


def dangling(question: str, language: str, specific: Callable[[str], bool]) -> str | None:
    """The words a question opening a conversation points back with, when it names
    nothing particular ("Ai thực hiện dự án đó?" → "dự án đó"); None otherwise. Such a
    question cannot be resolved; the answer says so beside its guess."""
    question = clean(question)
    found = _POINTER.get(language, _POINTER["en"]).search(question)
    if found is None or not _names_nothing(question, specific):
        return None
    before = question[: found.start()].split()[-1:]  # "bốn" of "bốn quốc gia này"
    if _SELF.search(fold(" ".join([*before, found.group()]))):
        return None
    return found.group().strip()


def _names_nothing(question: str, specific: Callable[[str], bool]) -> bool:
    """No place, no name, no word that names something particular (see `plan`)."""
    return (
        not places_in(fold(question))
        and not re.search(r"(?<!^)\b[A-ZĐ]\w*|\w[A-Z]", question)
        and not any(specific(t) for t in tokens(question) if t not in _FUNCTION)
    )


# Words that ask in a Vietnamese question together with the question word after them:
# "tốn bao nhiêu", "mất bao lâu", "kênh nào", "bao giờ" (the word before the asking word).
_ASKED_AFTER = {"bao", "may", "nao", "gi", "dau", "sao"}
# Vietnamese words that join, as written ("để", "của"), and their folded forms that
# are never content even without diacritics.
_JOINING = {"vì", "để", "của", "ở", "tại", "về", "với", "trong", "thì", "đã", "đang", "sẽ", "bị", "từ", "đến", "cho", "theo", "hơn", "rất", "nữa", "thêm"}
_JOINING_FOLDED = {"cua", "voi", "thi", "da", "dang", "se", "bi", "nua", "cho"}
_WORD = re.compile(r"[\w'’&-]+(?:\.\w+)*")


def _has_topic(question: str) -> bool:
    return any(t not in _FUNCTION and not t.isdigit() for t in tokens(question))


def _asking() -> set[str]:
    from .question import asking_words

    return asking_words() | _FUNCTION | ENGLISH_WORDS


def asks(text: str) -> bool:
    """Whether a text asks something of its own (a way of asking, or a question word),
    beyond naming a topic ("in Japan, who runs …" asks; "bên y tế", "Japan" do not)."""
    from .question import kinds_of

    folded = fold(text)
    if kinds_of(text):
        return True
    return bool(re.search(r"\b(?:ai|gi|dau|nao|bao nhieu|bao lau|bao gio|may|sao|who|what|when|where|why|how|which)\b", folded))


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of what a text names: places (any spelling of the lexicon), capitalised
    names (past the first word, or a first word that is no Vietnamese or English word),
    words with a capital inside or a dot ("GovTech", "Parking.sg"), quoted phrases."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    if len(folded) == len(text):
        for group in places_in(folded):
            for form in sorted(NAME_GROUPS[group], key=len, reverse=True):
                for m in re.finditer(rf"\b{re.escape(form)}\b", folded):
                    spans.append((m.start(), m.end()))
    for m in re.finditer(r"[“\"'‘]([^”\"'’]{2,60})[”\"'’]", text):
        spans.append((m.start(1), m.end(1)))
    asking = _asking()
    for i, w in enumerate(_WORD.finditer(text)):
        word = w.group()
        first = i == 0 or bool(re.search(r"[.!?:]\s*$", text[: w.start()]))
        inner = any(c.isupper() for c in word[1:]) or "." in word.strip(".")
        if inner and fold(word) in asking and word.isupper():  # "AI", "IT": acronyms are names
            inner = True
        if word[:1].isupper() and not first and fold(word) not in ENGLISH_WORDS:
            spans.append((w.start(), w.end()))
        elif word[:1].isupper() and first and fold(word) not in asking and not is_vietnamese_syllable(fold(word)):
            spans.append((w.start(), w.end()))  # "Songdo là gì?", "Korea announced …"
        elif inner:
            spans.append((w.start(), w.end()))
    return spans


def names_something(question: str) -> bool:
    """Whether a question names a place or a name of its own (see `_name_spans`)."""
    return bool(_name_spans(clean(question)))


def topic_words(
    question: str, specific: Callable[[str], bool] | None = None, known: Callable[[str], bool] | None = None
) -> str:
    """What a question is about, as written: its words without the ones that only ask
    ("là gì", "bao nhiêu", "how many", "the") or only join ("để", "của"), and without
    the words that point back ("đó", "it"); its names and places whole.

    With `specific` (a folded word names something particular: rare in the corpus) and
    `known` (the corpus uses it), a question that names something (a name, a place, a
    number, a particular word; for English, a term of the glossary) is about that: the
    other words are what it asks of it ("GovTech xây dựng ứng dụng Parking.sg để làm gì?"
    is about "GovTech Parking.sg"); a word between two such words stays with them
    ("Quốc gia Thông minh").

    >>> topic_words("GovTech xây dựng ứng dụng Parking.sg để làm gì?")
    'GovTech xây dựng ứng dụng Parking.sg'
    >>> topic_words("Tell me about Gwanghwamoon 1st Street")
    'Gwanghwamoon 1st Street'
    """
    from .question import QUESTION_WORDS, forms, unasked, written_otherwise

    text = unasked(clean(question))
    names = _name_spans(text)
    english = detect_language(text) == "en"
    accented = has_diacritics(text)
    asking = forms()["asking"]["vi"] | (forms()["asking"]["en"] | ENGLISH_WORDS if english else set())
    # a syllable of an asking phrase asks only inside it ("lược" of "tóm lược", not of
    # "chiến lược"); a word written otherwise than the asking word it folds to is
    # content ("Bộ não" is not "bộ nào")
    phrases = forms()["phrases"]
    alone = {w for phrase in phrases for w in phrase.split()} - QUESTION_WORDS
    words = list(_WORD.finditer(text))
    folded = [fold(w.group()) for w in words]
    paired = {j for i in range(len(words) - 1) if f"{folded[i]} {folded[i + 1]}" in phrases for j in (i, i + 1)}
    otherwise = {m.start() for m in written_otherwise(text)}
    kept: list[str] = []
    for i, w in enumerate(words):
        word, f = w.group(), folded[i]
        named = any(s <= w.start() and w.end() <= e for s, e in names)
        if not named and w.start() not in otherwise:
            # (a word typed with diacritics is no English word: "án" is not "an")
            function = f in _FUNCTION and not (has_diacritics(word) and f in _ENGLISH_ONLY)
            if (f in asking or function) and not (f in alone and i not in paired):
                continue
            if _ANAPHORA.fullmatch(word) or (len(f) < 2 and not (accented and f.isalpha())):
                continue
            if word.lower() in _JOINING if accented else f in _JOINING_FOLDED:
                continue
        kept.append((word, named or f[:1].isdigit()))
    if specific is not None:
        translated = {w for term in glossary_matches(fold(text)) for w in term.split()} if english else set()

        def particular(word: str) -> bool:
            f = fold(word)
            if english:
                return f in translated or (known is not None and known(f) and specific(f))
            return specific(f)

        anchors = [named or particular(word) for word, named in kept]

        def names_a_thing(word: str) -> bool:
            # a place alone is too broad a topic ("Singapore …"), a name the corpus does
            # not know ("Sing") says nothing of the passages
            words = tokens(word)
            # and a name every other passage uses ("ĐMST") does not say which passage
            return (
                bool(words)
                and not places_in(fold(word))
                and not words[0].isdigit()
                and (known is None or all(map(known, words)))
                and any(map(specific, words))
            )

        if any(a and names_a_thing(word) for a, (word, _) in zip(anchors, kept)):
            kept = [
                (word, True)
                for i, (word, _) in enumerate(kept)
                if anchors[i] or (0 < i < len(kept) - 1 and anchors[i - 1] and anchors[i + 1])
            ]
    return " ".join(word for word, _ in kept)


def bare(ask: str) -> bool:
    """Whether a question is only a question word ("Khi nào?", "As of when?", "Why?",
    "Vì sao?"): no word of its own beyond the asking, joining and pointing ones."""
    from .question import QUESTION_WORDS, asking_words

    plain = asking_words() | QUESTION_WORDS | ENGLISH_WORDS | {fold(w) for w in _JOINING} | _JOINING_FOLDED
    plain |= {"vay", "nhi", "ha", "chu", "lam"}  # particles ("Tại sao vậy?"), "để làm gì"
    return all(t in plain or _ANAPHORA.fullmatch(t) for t in tokens(ask))


def _ask_words(question: str) -> set[str]:
    """The folded words of a question that belong to its asking: the asking words, and the
    word right before a Vietnamese question word ("tốn bao nhiêu", "kênh nào")."""
    words = tokens(question)
    out = {w for w in words if w in _asking()}
    out |= {words[i - 1] for i in range(1, len(words)) if words[i] in _ASKED_AFTER}
    out |= {words[i + 1] for i in range(len(words) - 1) if words[i] == "bao"}  # "bao lâu", "bao giờ"
    return out
