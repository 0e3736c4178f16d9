"""What arrives before a question is searched: which part of a long paste is the question,
whether it is written in a language the assistant answers, and whether a search found
anything relevant at all.

Small checks of their own, called by the edges (the app, `Assistant.ask_stream`):

>>> question_of("Đoạn dài đã dán. " * 40 + "Vậy Singapo hỗ trợ doanh nghiệp nhỏ thế nào?")
'Vậy Singapo hỗ trợ doanh nghiệp nhỏ thế nào?'
>>> question_of("Singapo hỗ trợ doanh nghiệp nhỏ thế nào?")
'Singapo hỗ trợ doanh nghiệp nhỏ thế nào?'
>>> foreign_script("新加坡如何支持中小企业？"), foreign_script("싱가포르는 어떻게?"), foreign_script("Singapo 新加坡")
('zh', 'ko', None)
>>> small_talk("Xin chào!"), small_talk("thanks a lot"), small_talk("Chào Singapore hỗ trợ gì?")
('greeting', 'thanks', None)
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import BadQuery
from ..models import Hit
from ..text import fold

# A question longer than this is read as a paste, whose question is its last one.
PASTE_CHARS = 300
# The question found in a paste is at most this long (else the paste is kept whole).
QUESTION_CHARS = 300
_QUESTION = re.compile(r"[^.!?…\n]*[?？]")

# Scripts the bulletin's languages (Vietnamese, English) are not written in: the first
# word of a letter's Unicode name -> a language code the app names.
SCRIPTS = {
    "CJK": "zh",
    "HANGUL": "ko",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "THAI": "th",
    "LAO": "lo",
    "KHMER": "km",
    "CYRILLIC": "ru",
    "ARABIC": "ar",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "GREEK": "el",
}


# What people type to a chat that is no question: a greeting, thanks, a goodbye (the whole
# message, folded; "chào" alone, "cảm ơn bạn nhiều", "hi there", "thank you!").
SMALL_TALK = {
    "greeting": re.compile(r"(xin )?chao( ban| anh| chi| em)?|hi( there)?|hello( there)?|hey|good (morning|afternoon|evening)"),
    "thanks": re.compile(r"(xin )?cam on( ban| nhieu| ban nhieu)?|thanks?( you)?( (a lot|so much|very much))?|ty|tks|ok(ay)?,? thanks?"),
    "goodbye": re.compile(r"tam biet|bye|goodbye|see you"),
}


def small_talk(text: str) -> str | None:
    """"greeting", "thanks" or "goodbye" when the whole message is one (its punctuation
    and a polite ending aside), else None: it gets a reply saying what the assistant does,
    never a quote found for words that ask nothing."""
    words = re.sub(r"[^\w\s]", " ", fold(text)).split()
    while words and words[-1] in {"a", "oi", "nhe", "nha"}:  # a polite ending ("cảm ơn ạ")
        words.pop()
    folded = " ".join(words)
    for kind, pattern in SMALL_TALK.items():
        if pattern.fullmatch(folded):
            return kind
    return None


def question_of(text: str) -> str:
    """The question a long paste ends with ("… Vậy Singapo hỗ trợ … thế nào?"): its last
    sentence ending in a question mark. A short text, or a paste with no question of at most
    QUESTION_CHARS, is returned as it is. BadQuery when it is no text (`ask(None)`)."""
    if not isinstance(text, str):
        raise BadQuery("the question must be text")
    if len(text) <= PASTE_CHARS:
        return text
    asked = [q.strip() for q in _QUESTION.findall(text) if re.search(r"\w{2}", q)]
    if asked and len(asked[-1]) <= QUESTION_CHARS:
        return asked[-1]
    return text


def foreign_script(text: str) -> str | None:
    """The language code of the script most of the letters are in, when it is not Latin
    (a question in Chinese, Korean, Russian…); None for Vietnamese and English, and for a
    Latin question that names something in another script ("Singapo 新加坡")."""
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        script = SCRIPTS.get(name.split(" ", 1)[0])
        if script is None and name.startswith("HALFWIDTH KATAKANA"):
            script = "ja"
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts or not letters:
        return None
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 2 <= letters:
        return None
    # Japanese mixes kana with Chinese characters: any kana makes it Japanese
    return "ja" if script == "zh" and counts.get("ja") else script


def nothing_relevant(hits: list[Hit], band: tuple[float, float]) -> bool:
    """Whether a search found nothing relevant: the nearest passage in meaning is far (below
    27% of the model's cosine band), or not near (below 63%) and no passage shares a word
    with the query. `band` is the embedder's (low, width) for same-language text; for
    multilingual-e5-small, (0.75, 0.15), these are cosines 0.79 and 0.845. Measured: junk
    ("asdkjh qwe zxcv", "football world cup", "lorem ipsum dolor sit amet", "How to cook
    rice?", "Who won the 2018 World Cup?") sits at 0.76–0.84 with no word in common or
    below 0.79; every question of the dev sets has words in common and sits at 0.80 or
    above. Junk that shares a folded word ("recipe for pho": "phố") still gets its hits."""
    if not hits:
        return True
    low, width = band
    top = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
    if top is None:
        return False  # a lexical-only search: its hits share the query's words
    if top < low + 0.27 * width:
        return True
    return top < low + 0.63 * width and not any(h.lexical_rank for h in hits)
