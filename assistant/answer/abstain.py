"""Abstention from data: a small logistic model over features of the evidence.

Whether the bulletin answers a question is read from the best excerpt found for it, by
a bounded logistic regression (scipy's L-BFGS-B, fit by `python -m assistant
calibrate` on two corpora, see below) whose coefficients are kept in `abstention.json`
beside this file, so answering needs no scikit-learn. The features (`FEATURES`):

- `dense`: the anchor sentence's cosine to the question, scaled by the model's
  band for the question's language;
- `coverage`: the IDF-weighted share of the question's focus words in the excerpt (its
  section context counting half);
- `type_coverage`: the same for the excerpt's sentence that holds what the question's kind
  asks for (a number, a date, a name), the best of them; 0 when none does (for kinds
  that ask for nothing checkable, the excerpt's coverage);
- `type_missing`: 1 when the question's kind asks for a number, date or name and the
  excerpt has none (beyond what the question gives), else 0;
- `unknown`: how many names or words of the question the corpus never uses (at most 2);
- `margin`: the best excerpt's score minus the best from another passage;
- `english`: 1 for an English question (cross-lingual cosines run lower);
- `given_missing`: the share of the question's own numbers (a year, an amount) that the
  excerpt and its section heading never give ("Năm 2020 Nhật Bản đứng thứ mấy…" against
  a ranking of 2012–2018); 0 when the question gives none;
- `score`: the sentence ranker's P(the anchor sentence holds the answer) (`ranker.py`);
- `bridge_missing`: the share of the question's names and numbers (words every language
  writes the same: "Tesla", "1900") that the excerpt and its heading never give;
- `passage_coverage`: the focus words' coverage by the excerpt's whole passage;
- `unknown_place`: 1 when the question names a place the corpus never names ("Indonesia");
- `value_missing`: 1 when the question asks for a count, a year or a name and the excerpt
  gives none in any unit or wording (`type_missing` asks for the unit too: "bao nhiêu
  dân" wants "dân … người" beside the number).

The model is fit on two corpora and all wordings by `python -m assistant calibrate`
(see `calibrate.py`), with sign constraints (`BOUNDS`) where the meaning is certain:
more of the question covered never lowers P(answerable), a missing value of the asked
kind, a name the corpus never uses or a question's own name or number the excerpt lacks
never raises it.

`probability(features)` is the model's P(answerable); the answer abstains below the
threshold saved with the coefficients.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

FEATURES = (
    "dense",
    "coverage",
    "type_coverage",
    "type_missing",
    "unknown",
    "margin",
    "english",
    "given_missing",
    "score",
    "bridge_missing",
    "passage_coverage",
    "unknown_place",
    "value_missing",
)
# (low, high) of each coefficient; None: free.
BOUNDS = {
    "dense": (0.0, None),
    "coverage": (0.0, None),
    "type_coverage": (0.0, None),
    "type_missing": (None, 0.0),
    "unknown": (None, 0.0),
    "margin": (None, None),
    "english": (None, None),
    "given_missing": (None, 0.0),
    "score": (0.0, None),
    "bridge_missing": (None, 0.0),
    "passage_coverage": (0.0, None),
    "unknown_place": (None, 0.0),
    "value_missing": (None, 0.0),
}
MODEL_FILE = Path(__file__).with_name("abstention.json")


@functools.cache
def model(path: Path = MODEL_FILE) -> dict:
    """The saved coefficients: {"features", "coef", "intercept", "threshold", …}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fit on features {data['features']}, not {list(FEATURES)}; run `python -m assistant calibrate`")
    return data


def probability(features: dict[str, float], path: Path = MODEL_FILE) -> float:
    """P(the bulletin answers the question), from the saved logistic model, in [0, 1]."""
    m = model(path)
    z = m["intercept"] + sum(c * features[name] for c, name in zip(m["coef"], FEATURES))
    return 1.0 / (1.0 + math.exp(-z))


def threshold(path: Path = MODEL_FILE) -> float:
    return float(model(path)["threshold"])
