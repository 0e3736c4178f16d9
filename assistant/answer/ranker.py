"""Which sentence answers: a learned linear ranker over features that hold across corpora.

Every sentence of the retrieved passages is a candidate. Its features (`FEATURES`) are
chosen to mean the same on any corpus and in either language, so that what is learned
on the bulletin and on XQuAD-vi transfers to a bulletin nobody has seen:

- `dense`: the sentence's cosine to the question, scaled to [0, 1] by the embedder's band
  for the language pair; `dense_gap`: its distance to the best candidate's (≤ 0), and
  `dense_first`: 1 for the nearest sentence. Across languages e5's cosines are compressed
  into a narrow band, so the rank says more than the raw value.
- `lexical`: the IDF-weighted share of the question's focus words the sentence holds
  (for English through the bridges: shared names and numbers, the glossary, the places);
  `lexical_gap`: its distance to the best candidate's (≤ 0).
- `bridged`: the share of the question's names and numbers (words written the same in
  both languages: "Tesla", "1900", "WeChat") the sentence holds.
- `passage`: the passage's fused retrieval score; `passage_first`: 1 for the top passage.
- `typed`: 1 when the sentence holds what the question's kind asks for (a number, a year,
  a name, a place), `untyped`: 1 when the kind asks for one and it holds none; both 0 for
  kinds that ask for nothing checkable.
- `first`: 1 for the first sentence of its passage; `short`: 1 for a fragment under 25
  characters; `elsewhere`: 1 when the passage is about another place than the one asked.
- `cross_dense`, `cross_lexical`: `dense` and `lexical` again for a cross-language pair
  (an English question, a Vietnamese passage), so each language weighs them its own way.
- `bigram`: the share of the question's adjacent content-word pairs the sentence holds
  as pairs; `value`: 1 when it holds a value of the kind asked, read loosely (any count,
  a year, a name; no unit); `passage_best`: 1 for its passage's nearest sentence;
  `defines`: 1 when a definition is asked and the sentence reads as one ("… được định
  nghĩa là …", "… refers to …").
- `lexical_rank`: 1 / (1 + the sentence's rank by `lexical` in the set);
  `passage_dense_rank`: the same by `dense` among its passage's sentences (issue 25: the
  rank, not the raw cosine, says which sentence of a passage is nearest across
  languages); `next_lexical`, `next_dense_gap`: the next sentence's `lexical` and its
  `dense_gap` (−1 when it is the passage's last), since a question often names the topic
  of the sentence before the one that answers it.

The score is the logistic model's P(the sentence holds the answer), fit by `python -m
assistant calibrate` on question sets of two corpora (labels: the sentence holds one of
the question's facts), cross-validated by fact and article; the coefficients live in
`ranker.json` beside this file.

`recording()` collects every candidate set the answer stage scores, with its features,
for fitting: calibration asks the questions as users would and reads what was scored.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

FEATURES = (
    "dense",
    "dense_gap",
    "dense_first",
    "lexical",
    "lexical_gap",
    "bridged",
    "passage",
    "passage_first",
    "typed",
    "untyped",
    "first",
    "short",
    "elsewhere",
    "cross_dense",
    "cross_lexical",
    "bigram",
    "value",
    "passage_best",
    "defines",
    "lexical_rank",
    "passage_dense_rank",
    "next_lexical",
    "next_dense_gap",
)
MODEL_FILE = Path(__file__).with_name("ranker.json")

_recorder: contextvars.ContextVar[list | None] = contextvars.ContextVar("ranker_recorder", default=None)


@functools.cache
def model(path: Path = MODEL_FILE) -> dict:
    """The saved coefficients: {"features", "coef", "intercept", …}.

    Raises ValueError when the file was fit on other features (refit with `calibrate`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fit on features {data['features']}, not {list(FEATURES)}; run `python -m assistant calibrate`")
    return data


def _rank(values: list[float]) -> list[float]:
    """1 / (1 + rank) of each value, the largest first (ties: the earlier first)."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    out = [0.0] * len(values)
    for r, i in enumerate(order):
        out[i] = 1.0 / (1 + r)
    return out


def relative(rows: list[dict[str, float]]) -> None:
    """Fill in the features that compare a candidate with the others of its set, in place
    (`dense_gap`, `dense_first`, `lexical_gap`, `cross_*`, the ranks, the next
    sentence's). A row's passage is `passage_row`, its place there `position`."""
    if not rows:
        return
    best_dense = max(r["dense"] for r in rows)
    best_lexical = max(r["lexical"] for r in rows)
    first = max(range(len(rows)), key=lambda i: rows[i]["dense"])
    best_of = {}
    for i, r in enumerate(rows):
        key = r.get("passage_row", 0.0)
        if key not in best_of or r["dense"] > rows[best_of[key]]["dense"]:
            best_of[key] = i
    for i, r in enumerate(rows):
        r["passage_best"] = float(best_of[r.get("passage_row", 0.0)] == i)
        r["dense_gap"] = r["dense"] - best_dense
        r["lexical_gap"] = r["lexical"] - best_lexical
        r["dense_first"] = float(i == first)
        r["cross_dense"] = r["dense"] * r["cross"]
        r["cross_lexical"] = r["lexical"] * r["cross"]
    for i, value in enumerate(_rank([r["lexical"] for r in rows])):
        rows[i]["lexical_rank"] = value
    by_passage: dict[float, list[int]] = {}
    for i, r in enumerate(rows):
        by_passage.setdefault(r.get("passage_row", 0.0), []).append(i)
    for members in by_passage.values():
        for i, value in zip(members, _rank([rows[i]["dense"] for i in members])):
            rows[i]["passage_dense_rank"] = value
    at = {(r.get("passage_row", 0.0), r.get("position", 0.0)): r for r in rows}
    for r in rows:
        nxt = at.get((r.get("passage_row", 0.0), r.get("position", 0.0) + 1))
        r["next_lexical"] = nxt["lexical"] if nxt else 0.0
        r["next_dense_gap"] = nxt["dense"] - best_dense if nxt else -1.0


def matrix(rows: list[dict[str, float]]) -> np.ndarray:
    """Candidates × FEATURES."""
    return np.array([[r.get(f, 0.0) for f in FEATURES] for r in rows], dtype=float).reshape(len(rows), len(FEATURES))


def scores(rows: list[dict[str, float]], path: Path = MODEL_FILE) -> tuple[list[float], list[float]]:
    """Each candidate's (after `relative`) P(holds the answer), in [0, 1], and its share
    of the set: P(it is the one that answers | one of the set does), the softmax of the
    listwise model's scores (they sum to 1)."""
    m = model(path)
    z = matrix(rows) @ np.array(m["coef"])
    points = [1.0 / (1.0 + math.exp(-float(v + m["intercept"]))) for v in z]
    listwise = z / m.get("scale", 1.0)
    e = np.exp(listwise - listwise.max()) if len(z) else listwise
    shares = (e / e.sum()).tolist() if len(z) else []
    if (rec := _recorder.get()) is not None:
        rec.append([dict(r) for r in rows])
    return points, shares


@contextlib.contextmanager
def recording() -> Iterator[list[list[dict]]]:
    """Collect every candidate set scored inside the block: a list of sets, each a list of
    feature dicts (with the candidate's `text`)."""
    sets: list[list[dict]] = []
    token = _recorder.set(sets)
    try:
        yield sets
    finally:
        _recorder.reset(token)
