"""Candidate Vietnamese terms of a corpus, for extending the English→Vietnamese glossary.

    python scripts/glossary_candidates.py [corpus/] [--all] [--tsv]

Prints the corpus's content vocabulary, one term a line: the folded term (`text.fold`), its
frequency, the number of paragraphs that use it, why it is a candidate, and whether the
glossary (`assistant/text/lexicons/glossary.en-vi.json`) already gives it as a form
(`yes`), only covers a part of it or a longer phrase holding it (`part`), or not at all
(`no`). Without `--all` only the terms not fully covered are printed: the ones a person
still has to translate. The script never writes the glossary: translating is left to a
person (English terms an official would type, with plurals and spelling variants).

How the candidates are found (no word segmenter is needed; pyvi or underthesea would do
the segmentation better, but neither is a dependency of the project):

- the text is cut into paragraphs (non-empty lines) and each paragraph into stretches
  between punctuation; a stretch is a run of lower-cased syllables, still accented, so
  that function words can be told apart ("có" is a function word, "cơ" in "cơ quan" not);
- every syllable n-gram of 1 to `MAX_N` syllables that neither starts nor ends with a
  function word (`FUNCTION`) nor contains a number is a phrase;
- a phrase is a candidate when it occurs at least `MIN_FREQ` times (`freq`), or its
  paragraph is a heading or caption (a short line without a final full stop: `heading`),
  or it is among the `TOP_PER_PARAGRAPH` phrases of its paragraph by TF-IDF (`tfidf`,
  paragraphs as documents), so that every paragraph's distinctive words are listed;
- a phrase that is mostly a piece of one longer word is dropped (`is_fragment`: "nghiep"
  is "doanh nghiep"), and so is one that only ever occurs inside one longer candidate
  ("moi sang tao" inside "doi moi sang tao", same frequency): the longer one is the term.

The numbers are choices, not measurements: 2 occurrences make a word part of the
bulletin's vocabulary rather than a one-off; phrases of 4 syllables cover the longest
common Vietnamese compounds ("đổi mới sáng tạo", "doanh nghiệp vừa và nhỏ" has 5 but
"vừa và nhỏ" is found); 5 TF-IDF phrases (of at most 2 syllables, weighted by length) a paragraph are enough to
name what it is about; a phrase with the same neighbour in 3 of 4 occurrences is a piece.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.text import fold  # noqa: E402

GLOSSARY = ROOT / "assistant" / "text" / "lexicons" / "glossary.en-vi.json"

MAX_N = 4
MIN_FREQ = 2
TOP_PER_PARAGRAPH = 5
FRAGMENT = 0.75
HEADING_CHARS = 90  # a line this short without a final full stop is a heading or a caption

# Vietnamese function words (accented, lower case): a phrase does not start or end with one.
FUNCTION = set(
    """các những của và là được có trong cho để với này đó đã đang sẽ khi thì mà tại theo như
    bằng cũng rất hơn nhất vào ra lên một hai ba nhiều ở về từ đến cả tất việc sự nên nếu
    hoặc hay vì do bởi qua trên dưới sau trước giữa mỗi từng nào gì ai đây kia đều chỉ còn
    không chưa nhằm đối nó họ chúng ta tôi mình thế vậy nhưng tuy dù lại thêm rằng người
    cách bao gồm ngày năm số này khác cùng đầu vẫn đi làm""".split()
)
_STRETCH = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+)*", re.UNICODE)


def paragraphs(folder: Path) -> list[str]:
    """The non-empty lines of every `*.txt` in the corpus folder."""
    lines = []
    for path in sorted(folder.glob("*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def phrases(paragraph: str) -> list[tuple[str, str, str]]:
    """The paragraph's syllable n-grams that may be content terms, folded, each with the
    syllables just before and after it ("" at a stretch's edge or for a function word)."""
    out = []
    for stretch in _STRETCH.findall(paragraph.lower()):
        words = stretch.split()
        for n in range(1, MAX_N + 1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if gram[0] in FUNCTION or gram[-1] in FUNCTION or len(gram[0]) < 2:
                    continue
                left = words[i - 1] if i > 0 and words[i - 1] not in FUNCTION else ""
                right = words[i + n] if i + n < len(words) and words[i + n] not in FUNCTION else ""
                out.append((fold(" ".join(gram)), fold(left), fold(right)))
    return out


def is_fragment(count: int, left: Counter, right: Counter) -> bool:
    """Whether a phrase seen `count` times (at least twice) is mostly a piece of one longer
    word: `FRAGMENT` of its occurrences have the same content syllable just before it (or
    just after): "nghiep" is "doanh nghiep", "phat trien ben" is "phat trien ben vung"."""
    if count < 2:
        return False
    neighbours = [n for side in (left, right) for w, n in side.items() if w]
    return any(n >= FRAGMENT * count for n in neighbours)


def candidates(folder: Path) -> list[dict]:
    """Every candidate term, folded, with frequency, paragraph count and reasons."""
    paras = paragraphs(folder)
    per_para: list[Counter] = []
    left: dict[str, Counter] = defaultdict(Counter)
    right: dict[str, Counter] = defaultdict(Counter)
    for text in paras:
        counts: Counter = Counter()
        for gram, before, after in phrases(text):
            counts[gram] += 1
            left[gram][before] += 1
            right[gram][after] += 1
        per_para.append(counts)
    freq: Counter = Counter()
    docs: Counter = Counter()
    for counts in per_para:
        freq.update(counts)
        docs.update(counts.keys())
    fragments = {t for t, n in freq.items() if is_fragment(n, left[t], right[t])}
    reasons: dict[str, set[str]] = defaultdict(set)
    for term, count in freq.items():
        if count >= MIN_FREQ:
            reasons[term].add("freq")
    for text, counts in zip(paras, per_para, strict=True):
        if len(text) <= HEADING_CHARS and not text.endswith("."):
            for term in counts:
                reasons[term].add("heading")
        scored = sorted(
            (t for t in counts if len(t.split()) <= 2),
            key=lambda t: -counts[t] * math.log(len(paras) / docs[t]) * len(t.split()),
        )
        for term in scored[:TOP_PER_PARAGRAPH]:
            reasons[term].add("tfidf")
    # a phrase always inside one longer candidate of the same frequency is not a term
    kept = set(reasons) - fragments
    for term in reasons:
        for longer in reasons:
            if len(longer) > len(term) and freq[longer] == freq[term]:
                if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", longer):
                    kept.discard(term)
                    break
    return sorted(
        (
            {"term": t, "freq": freq[t], "paragraphs": docs[t], "why": sorted(reasons[t])}
            for t in kept
        ),
        key=lambda c: (-c["freq"], c["term"]),
    )


def coverage(term: str, forms: set[str]) -> str:
    """'yes' if the glossary has the term as a form, 'part' if a form is inside it or it is
    inside a form, 'no' otherwise."""
    if term in forms:
        return "yes"
    padded = f" {term} "
    if any(f" {f} " in padded or padded in f" {f} " for f in forms):
        return "part"
    return "no"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=ROOT / "corpus", type=Path)
    parser.add_argument("--all", action="store_true", help="also the terms already covered")
    parser.add_argument("--tsv", action="store_true", help="tab-separated, no header")
    args = parser.parse_args(argv)
    glossary = json.loads(GLOSSARY.read_text(encoding="utf-8"))["glossary"]
    forms = {f for fs in glossary.values() for f in fs}
    rows = [(c, coverage(c["term"], forms)) for c in candidates(args.corpus)]
    counts = Counter(cov for _, cov in rows)
    for c, cov in rows:
        if cov == "yes" and not args.all:
            continue
        why = ",".join(c["why"])
        if args.tsv:
            print(f"{c['term']}\t{c['freq']}\t{c['paragraphs']}\t{why}\t{cov}")
        else:
            print(f"{c['term']:<40} {c['freq']:>4} {c['paragraphs']:>4}  {why:<18} {cov}")
    print(
        f"# {len(rows)} candidates: {counts['yes']} covered, {counts['part']} partly, "
        f"{counts['no']} not",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
