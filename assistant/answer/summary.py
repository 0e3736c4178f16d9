"""Summary questions: recognise them, find the section they name, answer with its brief.

"Tóm tắt kinh nghiệm của Singapore", "tom tat ban tin", "Give me a brief on Japan's public
sector innovation", "What does the bulletin say about Korea overall?" ask for a brief, not a
fact: `summary_request` says so (and what they name), `resolve` finds the section through
the section tree (titles folded, place names in English or Vietnamese, section numbers),
and `brief_answer` turns the stored brief into an `Answer` whose every sentence is quoted
and cited. A topic that is no section ("tóm tắt về thành phố thông minh") gets a brief of
the passages retrieval finds for it, chosen the same way and pulled toward the question.

>>> summary_request("Tóm tắt kinh nghiệm của Singapore")
'singapore'
>>> summary_request("tom tat ban tin")
'ban tin'
>>> summary_request("Give me a brief on Japan's public sector innovation")
'japan public sector innovation'
>>> summary_request("What does the bulletin say about Korea overall?")
'korea'
>>> summary_request("Khái niệm đổi mới sáng tạo dịch vụ công là gì?") is None
True
"""

from __future__ import annotations

import re
import time

import numpy as np

from ..errors import CorpusError
from ..models import Answer, AnswerSentence, BriefSentence, Citation, Hit, QueryInfo
from ..retrieve.search import Searcher
from ..store.index import Index
from ..text import clean, fold, glossary_terms, place_words, places_in
from . import brief as brief_mod
from .extractive import citation, compose

_POLITE = r"(?:(?:xin|hay|vui long|lam on|ban|co the|cho toi|cho minh|giup toi|giup minh|please|can you|could you|would you|kindly)\s+)*"
_VI_START = re.compile(
    rf"^{_POLITE}(?:tom tat|tom luoc|khai quat|tong quan|neu khai quat|diem qua|"
    r"(?:nhung |cac )?(?:diem chinh|y chinh|noi dung chinh))\b(?P<rest>.*)$"
)
_VI_ANYWHERE = re.compile(r"\b(?:ban |phan )?tom tat\b(?P<rest>.*)$")
_VI_OVERALL = re.compile(
    r"^ban tin (?:noi|viet|de cap|trinh bay) (?:gi|nhung gi) ve (?P<rest>.+?) (?:noi chung|tong the|nhin chung)$"
)
_EN_START = re.compile(
    rf"^{_POLITE}(?:summari[sz]e|sum up|brief me (?:on|about)|give (?:me |us )?(?:a |an )?(?:short |quick )?"
    r"(?:brief|summary|overview|rundown|gist)|(?:a |an )?(?:short |quick )?(?:brief|summary|overview|gist)|"
    r"what are the (?:main|key) points|tl ?dr)\b(?P<rest>.*)$"
)
_EN_OVERALL = re.compile(
    r"^what does (?:the )?(?:bulletin|document|text|report|it) say (?:about|on) (?P<rest>.+?) "
    r"(?:overall|in general|as a whole|broadly)$"
)
# A question ("… là gì?", "how …?") that happens to start like a request is still a question.
_QUESTION = re.compile(
    r"\b(?:la gi|nhu the nao|ra sao|bao nhieu|tai sao|vi sao|khi nao|o dau|la ai|co phai|"
    r"how|why|when|which|who|how many|what is|what are)\b"
)
_LEADING = re.compile(
    r"^(?:(?:lai|ngan gon|nhanh|giup toi|cho toi|ve|cua|o|doi voi|noi dung|phan|muc|chuong|"
    r"kinh nghiem|tinh hinh|the|of|on|about|for|me|us|briefly|quickly|please|what|the bulletin says|"
    r"section|part|chapter|bulletin|says|say|does|"
    r"says|in|s)\b[\s:,-]*)+"
)
_TRAILING = re.compile(
    r"(?:[\s,]+(?:noi chung|tong the|nhin chung|giup toi|cho toi|ngan gon|duoc khong|nhe|"
    r"overall|in general|as a whole|please|briefly|in brief|for me))+$"
)
TOPIC_K = 8  # passages a topic brief is chosen from
WHOLE = {
    "",
    "ban tin",
    "ban tin nay",
    "toan bo ban tin",
    "ca ban tin",
    "tai lieu",
    "tai lieu nay",
    "bai viet",
    "bai viet nay",
    "so nay",
    "toan van",
    "bulletin",
    "the bulletin",
    "this bulletin",
    "the whole bulletin",
    "the document",
    "document",
    "it",
    "everything",
    "tat ca",
}
# English words for the bulletin's section titles that the glossary leaves out.
SECTION_WORDS = {
    "implications": "ham y",
    "implication": "ham y",
    "lessons": "ham y",
    "overview": "khai quat",
    "introduction": "khai quat",
    "experience": "kinh nghiem",
    "experiences": "kinh nghiem",
}
TITLE = {
    "vi": "Tóm tắt {what}:",
    "vi-unaccented": "Tóm tắt {what}:",
    "en": "Brief of {what}, quoted in Vietnamese, its original language:",
}
# A numbered point ("1. Tận dụng thế mạnh: …", "(d) Tăng tính …") starts a line of its own.
POINT = re.compile(r"^(?:\d+\.|\([a-z]\))\s")
WHOLE_TITLE = {"vi": "bản tin", "vi-unaccented": "bản tin", "en": "the bulletin"}


def summary_request(question: str) -> str | None:
    """What a question asks a brief of (folded, fillers left out; "ban tin": the whole bulletin), or None.

    None for every question that asks for a fact: a summary detector that swallowed them
    would stop answering them.
    """
    text = re.sub(r"[?!…]+|\.(?!\d)", " ", fold(question)).strip()
    text = re.sub(r"\s+", " ", text)
    for pattern, questions_too in (
        (_VI_OVERALL, True),
        (_EN_OVERALL, True),
        (_VI_START, False),
        (_EN_START, False),
        (_VI_ANYWHERE, False),
    ):
        m = pattern.search(text)
        if m and (questions_too or pattern is _VI_ANYWHERE or not _QUESTION.search(m["rest"])):
            return target(m["rest"])
    return None


def original(what: str, question: str) -> str:
    """The words of `question` that `what` (folded) is, as the user wrote them.

    >>> original("nhat ban", "Tóm tắt về Nhật Bản?")
    'Nhật Bản'
    """
    text = clean(question)
    at = fold(text).find(what)
    if at < 0 or len(fold(text)) != len(text):
        return what
    return text[at : at + len(what)]


def target(rest: str) -> str:
    """The words of a request that name what to summarise, without fillers."""
    rest = rest.replace("'s ", " ").replace("’s ", " ").strip(" :,-")
    before = None
    while before != rest:
        before = rest
        rest = _TRAILING.sub("", _LEADING.sub("", rest)).strip(" :,-")
    return rest


def resolve(
    what: str, index: Index, *, documents: list[str] | None = None
) -> tuple[str, tuple[str, ...]] | None:
    """(document id, section path) a request names; path () is the whole document.

    A section number ("2.4", "muc 3"); else the places the request names (the shallowest
    section whose titles name exactly those places, then, while the other words pick one
    of its subsections' titles out, that subsection); else the one section whose title the
    words match best. None when nothing matches, or two sections match alike: retrieval
    then decides.
    """
    docs = [d for d in index.documents if not documents or d in documents]
    if not docs:
        return None
    if what in WHOLE:
        return docs[0], ()
    trees = {d: brief_mod.sections(index, d) for d in docs}
    paths = [
        (d, path)
        for d, tree in trees.items()
        for path in tree
        if any(index.passages[r].kind == "paragraph" for r in tree[path])
    ]
    asked = places_in(what)
    titles = {w for _, p in paths for w in _words(p[-1], index)}
    words = [w for w in _words(what, index) if w in index.vocabulary.folded_words | titles]
    number = re.search(r"\b(\d+(?:\.\d+)*)\b", what)
    if number:
        numbered = [
            (d, p)
            for d, p in paths
            if len(p) <= 2 and re.match(rf"^{re.escape(number[1])}\.?\s", p[-1])
        ]
        if numbered:  # "1." is a main section and a policy point: the words decide
            return max(numbered, key=lambda dp: _match(words, dp[1], index))
    if asked:
        named = [(d, p) for d, p in paths if _places(p) == asked]
        if not named:
            return None
        d, path = min(named, key=lambda dp: len(dp[1]))
        while words:
            children = [
                c for e, c in paths if e == d and len(c) == len(path) + 1 and c[:-1] == path
            ]
            scored = sorted(((_match(words, c, index), c) for c in children), reverse=True)
            if (
                not scored
                or scored[0][0] < 0.5
                or (len(scored) > 1 and scored[1][0] == scored[0][0])
            ):
                break
            path = scored[0][1]
        return d, path
    if not words:
        return None
    scored = [(_match(words, p, index), d, p) for d, p in paths]
    top = max(s for s, _, _ in scored)
    if top < 0.6:
        return None
    tied = sorted(((d, p) for s, d, p in scored if s == top), key=lambda dp: len(dp[1]))
    d, path = tied[0]
    if all(e == d and p[: len(path)] == path for e, p in tied):
        return d, path
    return None


def _places(path: tuple[str, ...]) -> set[int]:
    """The places a section's titles name (below the top one, which may name them all)."""
    titles = path[1:] if len(path) > 1 else path
    return set().union(*(places_in(fold(t)) for t in titles))


def _match(words: list[str], path: tuple[str, ...], index: Index) -> float:
    """The share of the request's words that the section's own title has."""
    title = set(_words(path[-1], index))
    return sum(w in title for w in words) / len(words) if words else 0.0


def _words(text: str, index: Index) -> list[str]:
    """Folded content words, acronyms spelled out, English place and field terms translated."""
    folded = fold(text)
    for en, vi in SECTION_WORDS.items():
        folded = re.sub(rf"\b{en}\b", vi, folded)
    extra = glossary_terms(folded)
    out = index.lexical_terms(folded) + extra
    stop = {"va", "cac", "cua", "o", "ve", "the", "and", "of", "in", "a", "an", "s", "khu", "vuc"}
    places = place_words(places_in(folded))
    return [w for w in dict.fromkeys(out) if w not in stop and w not in places and len(w) > 1]


def brief_answer(
    sentences: list[BriefSentence],
    index: Index,
    *,
    question: str,
    query: str,
    language: str,
    what: str,
    confidence: float = 1.0,
) -> Answer:
    """An `Answer` (kind "summary") quoting a brief's sentences, one citation each, in order."""
    citations: list[Citation] = []
    out: list[AnswerSentence] = []
    lines: list[str] = []
    for s in sentences:
        row = index.position.get(s.passage_id)
        if row is None:
            continue
        hit = Hit(passage=index.passages[row], score=1.0)
        number = len(citations) + 1
        citations.append(citation(number, hit, s.start, s.end, index))
        text = index.passages[row].text[s.start : s.end]
        out.append(AnswerSentence(text=text, citations=[number], label=s.label or None))
        quoted = f"{text} [{number}]"
        same = len(out) > 1 and out[-1].label == out[-2].label
        if same and not POINT.match(text):
            lines[-1] += f" {quoted}"
        elif same or not s.label or s.label.rstrip("…") in text[: len(s.label) + 8]:
            # a point of a list, or "1. Tận dụng thế mạnh: …", which names its own heading
            lines.append(quoted)
        else:
            lines.append(f"{s.label}: {quoted}")
    head = TITLE[language].format(what=what)
    return Answer(
        question=question,
        query=query,
        language=language,  # type: ignore[arg-type]
        text="\n".join([head, *lines]),
        sentences=out,
        citations=citations,
        confidence=confidence,
        kind="summary",
    )


def brief(
    section_or_question: str,
    searcher: Searcher,
    index: Index,
    *,
    documents: list[str] | None = None,
    bands: dict | None = None,
) -> Answer:
    """The brief a request or a section name asks for (see `Assistant.brief`)."""
    started = time.perf_counter()
    question = section_or_question.strip()
    info = None
    language, what = "vi", ""
    if question:
        info = searcher.analyze(question)
        request = summary_request(question)
        what = target(fold(question)) if request is None else request
        # a bare section number ("2.4") is no English
        language = info.language if re.search(r"[^\W\d_]", question) else "vi"
    found = resolve(what, index, documents=documents)
    result = None
    if found is not None:
        result = section_answer(index, *found, question=question, language=language)
    if result is None and info is not None:
        topic = searcher.analyze(original(what, question)) if what else info
        topic.original = question
        hits, qvec, _ = searcher.run(topic, k=TOPIC_K, documents=documents)
        result = topic_answer(topic, hits, qvec, index, bands=bands)
    if result is None:
        raise CorpusError("there is nothing to summarise: the index has no passages")
    result.timings = {"brief": round((time.perf_counter() - started) * 1000, 2)}
    return result


def section_answer(
    index: Index, doc_id: str, path: tuple[str, ...], *, question: str, language: str
) -> Answer | None:
    """The stored brief of a section as an answer; None when there is none."""
    stored = brief_mod.find(index, doc_id, path)
    if stored is None or not stored.sentences:
        return None
    what = f"“{path[-1]}”" if path else WHOLE_TITLE[language]
    return brief_answer(
        stored.sentences, index, question=question, query=question, language=language, what=what
    )


def topic_answer(
    info: QueryInfo, hits: list[Hit], qvec: np.ndarray | None, index: Index, *, bands: dict | None
) -> Answer:
    """A brief of what retrieval finds for a topic that is no section; abstains like `ask`."""
    plain = compose(info, hits, qvec, index, bands=bands)
    if plain.abstained:
        return plain.model_copy(update={"kind": "summary"})
    rows = [index.position[h.passage.id] for h in hits]
    candidates = brief_mod.candidates(index, rows)
    if not candidates or qvec is None:
        return plain.model_copy(update={"kind": "summary"})
    cosines = index.sentence_embeddings[candidates] @ qvec
    relevance = np.clip((cosines - cosines.min()) / max(1e-6, float(np.ptp(cosines))), 0, 1)
    parts = [hash(tuple(brief_mod.section_of(index, s))) for s in candidates]
    chosen = brief_mod.select(index, candidates, parts, relevance=relevance)
    sentences = brief_mod.stored(index, chosen, None)
    for s in sentences:  # the sections differ: "Trung Quốc › ĐMST mạng lưới"
        context = index.passages[index.position[s.passage_id]].context
        s.label = context if len(context) <= 64 else context[:63].rsplit(" ", 1)[0] + "…"
    return brief_answer(
        sentences,
        index,
        question=info.original,
        query=info.normalized,
        language=info.language,
        what=f"“{info.normalized.rstrip(' ?!.')}”",
        confidence=plain.confidence,
    )
