"""Vietnamese-aware text handling: normalisation, diacritic folding, tokens, acronyms.

>>> fold("Đổi mới sáng tạo")
'doi moi sang tao'
>>> tokens("Singapo hỗ trợ  doanh nghiệp vừa và nhỏ!")
['singapo', 'ho', 'tro', 'doanh', 'nghiep', 'vua', 'va', 'nho']
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
# Vietnamese letters that carry a diacritic (after NFC). Any of them marks accented text.
_VI_MARKED = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)


# Places the bulletin names, in English and Vietnamese: a name matches a passage that has
# any form of its group. Short forms that are also common syllables ("anh", "my") make
# the check lenient for those names only.
NAME_GROUPS = [
    {"china", "chinese", "trung quoc", "trung hoa"},
    {"japan", "japanese", "nhat ban"},
    {"korea", "korean", "south korea", "han quoc"},
    {"singapore", "singaporean", "singapo"},
    {"vietnam", "vietnamese", "viet nam"},
    {"guangzhou", "quang chau"},
    {"guangdong", "quang dong"},
    {"beijing", "bac kinh"},
    {"shanghai", "thuong hai"},
    {"hangzhou", "hang chau"},
    {"shenzhen", "tham quyen"},
    {"australia", "australian", "uc"},
    {"united kingdom", "uk", "britain", "british", "anh"},
    {"northern ireland", "bac ireland"},
    {"united nations", "un", "lien hop quoc"},
    {"united states", "usa", "america", "american", "hoa ky", "my"},
    # Not "an do": folded, "dự án đó" (that project) reads the same as Ấn Độ.
    {"india", "indian"},
    {"indonesia", "indonesian"},
    {"malaysia", "malaysian", "malaixia", "ma lai xi a"},
    {"thailand", "thai lan"},
    {"philippines", "philippine", "philippin", "phi lip pin"},
    {"asia", "asian", "chau a"},
    {"europe", "european", "chau au"},
]


# English terms of public-sector innovation and their Vietnamese forms (folded), for the
# lexical side of English questions over the Vietnamese text: without them an English
# question shares only names and numbers with the bulletin. General vocabulary of the
# field, not phrases of particular answers; the longest English form is matched first.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "smart nation": ("quoc gia thong minh",),
    "smart city": ("thanh pho thong minh", "do thi thong minh"),
    "smart cities": ("thanh pho thong minh", "do thi thong minh"),
    "prime minister": ("thu tuong",),
    "minister": ("bo truong",),
    "ministry": ("bo",),
    "state council": ("quoc vu vien",),
    "government": ("chinh phu",),
    "e-government": ("chinh phu dien tu",),
    "digital government": ("chinh phu so",),
    "public sector": ("khu vuc cong",),
    "public service": ("dich vu cong",),
    "public services": ("dich vu cong",),
    "civil servant": ("cong chuc",),
    "civil servants": ("cong chuc",),
    "innovation": ("doi moi sang tao", "dmst"),
    "innovate": ("doi moi sang tao",),
    "citizen": ("cong dan", "nguoi dan"),
    "citizens": ("cong dan", "nguoi dan"),
    "procurement": ("mua sam", "dau thau"),
    "procure": ("mua sam", "dau thau"),
    "tender": ("dau thau",),
    "sme": ("doanh nghiep vua va nho",),
    "smes": ("doanh nghiep vua va nho",),
    "small and medium": ("doanh nghiep vua va nho",),
    "startup": ("khoi nghiep",),
    "startups": ("khoi nghiep",),
    "enterprise": ("doanh nghiep",),
    "enterprises": ("doanh nghiep",),
    "business": ("doanh nghiep",),
    "businesses": ("doanh nghiep",),
    "company": ("cong ty",),
    "companies": ("cong ty",),
    "private sector": ("khu vuc tu nhan",),
    "artificial intelligence": ("tri tue nhan tao",),
    "big data": ("du lieu lon",),
    "data": ("du lieu",),
    "data analytics": ("phan tich du lieu",),
    "open data": ("du lieu mo",),
    "internet of things": ("internet van vat",),
    "cloud": ("dien toan dam may",),
    "platform": ("nen tang",),
    "platforms": ("nen tang",),
    "technology": ("cong nghe",),
    "digital": ("so", "so hoa"),
    "digitalization": ("so hoa",),
    "digitization": ("so hoa",),
    "transformation": ("chuyen doi",),
    "strategy": ("chien luoc",),
    "policy": ("chinh sach",),
    "policies": ("chinh sach",),
    "regulation": ("quy dinh",),
    "regulations": ("quy dinh",),
    "regulatory sandbox": ("co che quan ly thu nghiem",),
    "sandbox": ("thu nghiem",),
    "pilot": ("thi diem", "thu nghiem"),
    "pilots": ("thi diem", "thu nghiem"),
    "experiment": ("thu nghiem",),
    "funding": ("tai tro", "kinh phi"),
    "fund": ("quy",),
    "budget": ("ngan sach",),
    "investment": ("dau tu",),
    "research and development": ("nghien cuu va phat trien",),
    "r&d": ("nghien cuu va phat trien",),
    "university": ("truong dai hoc",),
    "universities": ("truong dai hoc",),
    "population": ("dan so",),
    "people": ("nguoi",),
    "users": ("nguoi dung",),
    "area": ("dien tich",),
    "health": ("y te", "suc khoe"),
    "healthcare": ("y te", "cham soc suc khoe"),
    "hospital": ("benh vien",),
    "hospitals": ("benh vien",),
    "education": ("giao duc",),
    "transport": ("giao thong",),
    "traffic": ("giao thong",),
    "tax": ("thue",),
    "payment": ("thanh toan",),
    "payments": ("thanh toan",),
    "credit": ("tin dung",),
    "identity": ("danh tinh",),
    "robot": ("robot",),
    "robots": ("robot",),
    "olympics": ("olympic", "the van hoi"),
    "winter olympics": ("olympic mua dong", "the van hoi mua dong"),
    "hackathon": ("hackathon",),
    "challenge": ("thach thuc",),
    "challenges": ("thach thuc",),
    "sustainable development goals": ("muc tieu phat trien ben vung",),
    "sustainable development": ("phat trien ben vung",),
    "vision": ("tam nhin",),
    "office": ("van phong",),
    "agency": ("co quan",),
    "agencies": ("co quan",),
    "local government": ("chinh quyen dia phuong",),
    "local": ("dia phuong",),
    "central": ("trung uong",),
    "program": ("chuong trinh",),
    "programme": ("chuong trinh",),
    "project": ("du an",),
    "projects": ("du an",),
    "trust": ("tin tuong", "niem tin"),
    "privacy": ("quyen rieng tu",),
    "security": ("an ninh", "bao mat"),
    "crowd": ("dam dong",),
    "facial recognition": ("nhan dang khuon mat",),
}


def glossary_terms(folded: str) -> list[str]:
    """The Vietnamese words (folded) for the field's English terms in a folded text.

    Longest terms first, and a matched stretch is not matched again by a shorter term
    inside it ("smart city" does not also give "city").
    """
    out: list[str] = []
    taken = folded
    for term, pattern in _GLOSSARY_PATTERNS:
        taken, found = pattern.subn(" ", taken)
        if found:
            for form in GLOSSARY[term]:
                out += form.split()
    return list(dict.fromkeys(out))


_GLOSSARY_PATTERNS = [
    (term, re.compile(rf"(?<![\w&-]){re.escape(term)}(?![\w&-])"))
    for term in sorted(GLOSSARY, key=len, reverse=True)
]

def places_in(folded: str) -> set[int]:
    """Which place groups a folded text names ("nhat ban" or "japan" → Japan's group)."""
    found = set()
    for i, group in enumerate(NAME_GROUPS):
        if any(re.search(rf"\b{re.escape(form)}\b", folded) for form in group):
            found.add(i)
    return found


def clean(text: str) -> str:
    """NFC, no control or bidi characters, single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower case without diacritics: what a user typing without accents would write."""
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


class Vocabulary:
    """What the corpus itself teaches about its words.

    - acronyms, to expand `ĐMST` into `đổi mới sáng tạo` and back;
    - the accented form of each folded word sequence, to restore diacritics in a query
      typed without them ("ho tro doanh nghiep" → "hỗ trợ doanh nghiệp"), which the
      embedder needs: it barely understands unaccented Vietnamese.
    """

    def __init__(self, texts: list[str], acronyms: dict[str, str] | None = None):
        self.acronyms = acronyms if acronyms is not None else mine_acronyms(texts)
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
        self._total = sum(self._unigrams.values()) or 1
        self.folded_words = set(self._forms)
        self.folded_pairs = {(fold(a), fold(b)) for a, b in self._bigrams}

    def restore(self, text: str) -> str:
        """Put diacritics back on words typed without them, the likeliest sequence first.

        A bigram model of the corpus's own words picks, for each folded word, the accented
        form that best fits its neighbours (Viterbi). Words the corpus never uses stay as
        typed; words typed with diacritics are kept.

        >>> Vocabulary(["Chính phủ hỗ trợ doanh nghiệp vừa và nhỏ."]).restore("ho tro doanh nghiep")
        'hỗ trợ doanh nghiệp'
        """
        words = _WORD.findall(text)
        if not words:
            return text
        options = [
            [w.lower()]
            if has_diacritics(w) or fold(w) not in self._forms
            else sorted(self._forms[fold(w)])
            for w in words
        ]
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
        return " ".join(reversed(out))

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
        return sum(t in self.folded_words for t in words) / len(words)
