"""Vietnamese-aware text handling: normalisation, diacritic folding, tokens, acronyms.

The glossary and the place names are data: see `lexicon.py` and `lexicons/`.

>>> fold("Đổi mới sáng tạo")
'doi moi sang tao'
>>> tokens("Singapo hỗ trợ  doanh nghiệp vừa và nhỏ!")
['singapo', 'ho', 'tro', 'doanh', 'nghiep', 'vua', 'va', 'nho']
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Invisible characters pasted inside words: zero-width space, joiners and marks, word
# joiner, BOM, soft hyphen. They are removed, not replaced: "Inno\u200bLeap" is InnoLeap.
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
# Vietnamese letters that carry a diacritic (after NFC). Any of them marks accented text.
_VI_MARKED = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    """NFC, no control or bidi characters, single spaces, stripped."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Lower case without diacritics: what a user typing without accents would write.

    Cached: the answer stage folds the same passages for every question."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", text)


def tokens(text: str) -> list[str]:
    """Folded word tokens (letters and digits); the unit of lexical search."""
    return _WORD.findall(fold(text))


def has_diacritics(text: str) -> bool:
    return bool(_VI_MARKED.search(unicodedata.normalize("NFC", text)))


# Acronyms: "đổi mới sáng tạo (ĐMST)" defines ĐMST. Mined from the corpus, matched both ways.
_DEFINITION = re.compile(r"((?:[\w]+[ \-]){1,8}?[\w]+)\s*\(([A-ZĐ][A-ZĐ0-9&]{1,9})\)")


def mine_acronyms(texts: list[str]) -> dict[str, str]:
    """Find `long form (ABBR)` definitions whose initials spell the acronym.

    >>> mine_acronyms(["các chương trình đổi mới sáng tạo (ĐMST) và"])
    {'ĐMST': 'đổi mới sáng tạo'}
    """
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINITION.finditer(text):
            words, abbr = match.group(1).split(), match.group(2)
            initials = [fold(w)[0] for w in words]
            want = [fold(c) for c in abbr if c.isalpha()]
            n = len(want)
            # The long form is the shortest tail of the preceding words whose initials spell it.
            if n and len(initials) >= n and initials[-n:] == want:
                found.setdefault(abbr, " ".join(words[-n:]))
    return found


# How many times each way of asking counts in the restoration model, chosen on XQuAD
# dev's 616 unaccented questions against their accented originals (the first kind read
# agrees for all but 33 / 10 / 5 / 4 / 5 questions at 0 / 1 / 10 / 30 / 100; asking
# words restored right 0.953 / 0.983 / 0.988 / 0.990 / 0.985, all words 0.957–0.958).
GRAMMAR_COUNT = 30


def _cased(form: str, typed: str) -> str:
    """A restored form in the case the word was typed in ("Nha" → "Nhà")."""
    if typed.isupper() and len(typed) > 1:
        return form.upper()
    return form[:1].upper() + form[1:] if typed[:1].isupper() else form


@functools.cache
def question_grammar() -> tuple[str, ...]:
    """The ways of asking as Vietnamese writes them ("bao nhiêu", "có mấy", "ở đâu"):
    `question-forms.json` `asking` `vi_grammar`."""
    from .lexicon import read_lexicon

    return tuple(read_lexicon("question-forms.json")["asking"]["vi_grammar"].split("|"))


class Vocabulary:
    """What the corpus itself teaches about its words.

    - acronyms, to expand `ĐMST` into `đổi mới sáng tạo` and back;
    - the accented form of each folded word sequence, to restore diacritics in a query
      typed without them ("ho tro doanh nghiep" → "hỗ trợ doanh nghiệp"), which the
      embedder needs: it barely understands unaccented Vietnamese.
    """

    def __init__(
        self,
        texts: list[str],
        acronyms: dict[str, str] | None = None,
        *,
        others: list[str] | tuple[str, ...] = (),
        grammar: list[str] | tuple[str, ...] | None = None,
    ):
        """`texts` are the Vietnamese texts; `others` (texts in other languages) add their
        words to `folded_words` and `folded_pairs` (what the corpus names) but not to the
        diacritic-restoration model or `vietnamese_share`: an English "an" must not
        outvote "ấn". `grammar` (by default the lexicon's ways of asking as written,
        `question-forms.json` `vi_grammar`) counts `GRAMMAR_COUNT` times each in the
        restoration model only: a document rarely asks, a question always does."""
        self.acronyms = acronyms if acronyms is not None else mine_acronyms([*texts, *others])
        self._folded_acronyms = {fold(a): fold(long) for a, long in self.acronyms.items()}
        self._unigrams: Counter = Counter()
        self._bigrams: Counter = Counter()
        self._forms: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            for line in unicodedata.normalize("NFC", text).splitlines():
                words = [w.lower() for w in _WORD.findall(line)]
                self._unigrams.update(words)
                self._bigrams.update(zip(words, words[1:], strict=False))
                for w in words:
                    self._forms[fold(w)].add(w)
        self._vietnamese = set(self._forms)
        self.folded_words = set(self._forms)
        self.folded_pairs = {(fold(a), fold(b)) for a, b in self._bigrams}
        for text in others:
            for line in text.splitlines():
                words = tokens(line)
                self.folded_words.update(words)
                self.folded_pairs.update(zip(words, words[1:], strict=False))
        for phrase in question_grammar() if grammar is None else grammar:
            words = phrase.lower().split()
            for _ in range(GRAMMAR_COUNT):
                self._unigrams.update(words)
                self._bigrams.update(zip(words, words[1:], strict=False))
            for w in words:
                self._forms[fold(w)].add(w)
        self._total = sum(self._unigrams.values()) or 1

    def restore(self, text: str, *, keep_written: bool = False) -> str:
        """Put diacritics back on words typed without them, the likeliest sequence first.

        A bigram model of the corpus's own words picks, for each folded word, the accented
        form that best fits its neighbours (Viterbi). Words the corpus never uses stay as
        typed; words typed with diacritics are kept. With `keep_written` (a question typed
        with diacritics but for a few words: "Singapore có bao nhieu dan?"), so is a bare
        word the corpus writes bare ("thua", "bao"): only those it never writes so change.

        >>> Vocabulary(["Chính phủ hỗ trợ doanh nghiệp vừa và nhỏ."]).restore("ho tro doanh nghiep")
        'hỗ trợ doanh nghiệp'
        """
        words = _WORD.findall(text)
        if not words:
            return text

        def kept(w: str) -> bool:
            return has_diacritics(w) or fold(w) not in self._forms or (keep_written and w.lower() in self._forms[fold(w)])

        options = [[w.lower()] if kept(w) else sorted(self._forms[fold(w)]) for w in words]
        # best[i][form] = (log-probability, previous form)
        best: list[dict[str, tuple[float, str | None]]] = [
            {f: (self._log_unigram(f), None) for f in options[0]}
        ]
        for i in range(1, len(words)):
            column = {}
            for form in options[i]:
                column[form] = max(
                    (score + self._log_bigram(prev, form), prev)
                    for prev, (score, _) in best[-1].items()
                )
            best.append(column)
        form = max(best[-1], key=lambda f: best[-1][f][0])
        out = [form]
        for i in range(len(words) - 1, 0, -1):
            form = best[i][form][1]  # type: ignore[assignment]
            out.append(form)
        # each word in its place, punctuation kept (a "?" or a comma is part of how it asks)
        restored = iter(reversed(out))

        def put(m: re.Match) -> str:
            form = next(restored)
            return m.group() if form == m.group().lower() else _cased(form, m.group())  # "DECnet" stays

        return _WORD.sub(put, text)

    def unwritten(self, text: str) -> int:
        """How many of the text's words are typed bare where the corpus never writes them
        so ("nhieu", "dan"): more than one in a question typed with diacritics, and it was
        typed partly without them."""
        return sum(
            not has_diacritics(w) and fold(w) in self._forms and w.lower() not in self._forms[fold(w)]
            for w in _WORD.findall(text)
        )

    def _log_unigram(self, word: str) -> float:
        return math.log((self._unigrams[word] + 0.1) / self._total)

    def _log_bigram(self, previous: str, word: str) -> float:
        # Interpolated: the pair's own count, backed off to how common the word is.
        pair = self._bigrams[(previous, word)]
        context = self._unigrams[previous] + 1
        return math.log(0.7 * pair / context + 0.3 * (self._unigrams[word] + 0.1) / self._total)

    def expand(self, folded_tokens: list[str]) -> list[str]:
        """Tokens plus the other side of every acronym they contain or spell out."""
        out = list(folded_tokens)
        for abbr, long in self._folded_acronyms.items():
            long_tokens = long.split()
            if abbr in folded_tokens:
                out.extend(long_tokens)
            n = len(long_tokens)
            for i in range(len(folded_tokens) - n + 1):
                if folded_tokens[i : i + n] == long_tokens:
                    out.append(abbr)
        return out

    def spell_out(self, text: str) -> str:
        """Replace each acronym by its long form, for the embedder (it does not know ĐMST)."""
        for abbr, long in self.acronyms.items():
            text = re.sub(rf"(?<!\w){re.escape(abbr)}(?!\w)", long, text)
        return text

    def vietnamese_share(self, folded_tokens: list[str]) -> float:
        """Share of the tokens that are words of the (Vietnamese) corpus."""
        words = [t for t in folded_tokens if not t.isdigit()]
        if not words:
            return 0.0
        return sum(t in self._vietnamese for t in words) / len(words)
