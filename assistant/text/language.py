"""Which language a text is in, from the text alone and a fixed lexicon, never from the corpus.

A question's language decides how it is searched and in which language it is answered, so
it must not change when a document in another language is added to the corpus. Three
signals, all fixed:

- diacritics: Vietnamese letters (ă â đ ê ô ơ ư and the tone marks) make it Vietnamese;
- Vietnamese syllable shape: without diacritics, every Vietnamese word is one syllable
  made of an onset ("ngh", "tr", "qu", …) and a rhyme ("uyên" → "uyen", "ương" → "uong",
  "oach"); most English words are not ("public", "services", "available");
- English function words ("the", "which", "how"): the words of English grammar.

>>> detect_language("singapore ho tro doanh nghiep vua va nho")
'vi-unaccented'
>>> detect_language("Which public services are available online through GovTech's Parking.sg app?")
'en'
>>> detect_language("Singapore hỗ trợ doanh nghiệp như thế nào?")
'vi'
"""

from __future__ import annotations

import re
from typing import Literal

from .normalize import fold, has_diacritics, tokens

QueryLanguage = Literal["vi", "vi-unaccented", "en"]

# Frequent English function words; a query without diacritics that uses them is English.
ENGLISH_WORDS = set(
    """a an the of in on at to for from by with about as is are was were be been being do does
    did has have had how what which who whom whose why when where many much did can could
    would should will shall may might must and or not no this that these those it its their
    there they them he she his her we our you your i me my use used using kind any some""".split()
)
# and the months, capitalised in English but no name: Vietnamese writes "tháng 3" for March
ENGLISH_WORDS |= set("january february march april june july august september october november december".split())

# Frequent Vietnamese grammar and question words, folded: they weigh double, as a
# question typed without diacritics about an English name ("ten million imagination oasis
# la gi") has few other Vietnamese words.
VIETNAMESE_WORDS = set(
    """la gi nao the nhu bao nhieu khong co cua cac nhung duoc voi trong cho va de ve den tu
    nay thi sao ai dau khi nam nguoi mot da dang se lam hay hoac con ra tai nhat gium giup
    chua roi nhu vay ma vi sau truoc hon bang theo nhieu it moi tung""".split()
)

# A Vietnamese syllable written without diacritics (đ folded to d): an onset, then a rhyme.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
# Rhymes closed by a consonant: the vowels (and vowel pairs) that can stand before one.
_CLOSED = r"(?:uye|ie|ye|uo|oa|oe|ua|ue|uy|oo|a|e|i|o|u|y)(?:ch|nh|ng|c|m|n|p|t)"
# Open rhymes: vowels and glides.
_OPEN = (
    r"(?:a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|iu|ieu|yeu|oa|oai|oay|oao|oe|oeo|oi|ua|uay|ue"
    r"|ui|uo|uoi|uou|uu|uy|uya|uyu|ya)"
)
_SYLLABLE = re.compile(rf"^{_ONSET}(?:{_CLOSED}|{_OPEN})$")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a folded word has the shape of a Vietnamese syllable.

    >>> [is_vietnamese_syllable(w) for w in ("nghiep", "nguoi", "khuyen", "public", "online")]
    [True, True, True, False, False]
    """
    return bool(_SYLLABLE.match(word))


def detect_language(text: str) -> QueryLanguage:
    """'vi', 'vi-unaccented' or 'en' for a cleaned question.

    Without diacritics, the words shaped like Vietnamese syllables (and not English function
    words) against English function words and words no Vietnamese syllable looks like. A
    word that is both ("to", "an", "the": "tô", "ăn", "thế") counts half on each side, and a
    Vietnamese grammar or question word ("la", "gi", "nao") double. Names
    ("Singapore", "GovTech") count on the English side: a question typed without diacritics
    still has mostly Vietnamese words around them.
    """
    if has_diacritics(text):
        return "vi"
    words = [w for w in tokens(text) if not w.isdigit()]
    if not words:
        return "en"
    vietnamese = english = 0.0
    for word in words:
        syllable = is_vietnamese_syllable(word)
        if word in ENGLISH_WORDS:
            vietnamese += 0.5 if syllable else 0.0
            english += 0.5 if syllable else 1.0
        elif word in VIETNAMESE_WORDS:
            vietnamese += 2.0
        elif syllable:
            vietnamese += 1.0
        else:
            english += 1.0
    if vietnamese >= 1.5 * english and vietnamese > 0:
        return "vi-unaccented"
    return "en"


def text_language(text: str) -> Literal["vi", "en"]:
    """'vi' or 'en' for a passage or a document: Vietnamese when a good share of its words
    carry Vietnamese diacritics (a few names, "Hà Nội", in English text do not make it
    Vietnamese) or, without any, when most of its words are shaped like Vietnamese syllables.

    >>> text_language("Singapore khuyến khích doanh nghiệp đổi mới sáng tạo.")
    'vi'
    >>> text_language("Estonia offers 99% of its public services online.")
    'en'
    """
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return "vi"
    marked = sum(has_diacritics(w) for w in words)
    if marked >= 0.15 * len(words):
        return "vi"
    if marked == 0 and len(words) >= 5:
        folded = [fold(w) for w in words]
        shaped = sum(is_vietnamese_syllable(w) and w not in ENGLISH_WORDS for w in folded)
        if shaped >= 0.8 * len(folded):
            return "vi"
    return "en"


def language_of(text: str, default: str) -> str:
    """A passage's own language when it has a dozen words to tell by, else `default` (its
    document's)."""
    return text_language(text) if len(text.split()) >= 12 else default


def same_language(question: str, passage: str) -> bool:
    """Whether a question ('vi', 'vi-unaccented', 'en') and a passage ('vi', 'en') are in one
    language: their embedder cosines then sit in the same-language band, not the lower
    cross-lingual one.

    >>> same_language("vi-unaccented", "vi"), same_language("en", "vi"), same_language("en", "en")
    (True, False, True)
    """
    return ("en" if question == "en" else "vi") == passage
