"""Fit the abstention model on question sets, and score it by cross-validation.

`python -m assistant calibrate dev.jsonl dev2.jsonl` asks every question, reads the
features of the evidence the answer stage found (`Answer.evidence`, see
`answer/abstain.py`), fits a logistic regression (scikit-learn, class weights balanced:
the sets hold far fewer unanswerable questions than answerable ones) and writes its
coefficients and threshold to `answer/abstention.json`.

The threshold is the one that maximises TNR − 2·FNR over out-of-fold probabilities of
the fitting questions (each the mean over 20 fold splits of models fit without its fold; in-sample probabilities
are over-confident and put the cut at an edge of the data): a false
abstention (an answerable question refused) is counted twice as costly as answering an
unanswerable one, because the answer is still a cited quote the reader can check.

The model is fit on the questions no rule decides (see `decided`): a question about a
place the bulletin never names abstains whatever its features, so it teaches the model
nothing about the evidence. Figures are reported by k-fold cross-validation (stratified, repeated with 5 seeds):
each question's decision comes from a model fit, threshold included, on the other folds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .answer import abstain
from .errors import AssistantError

FALSE_ABSTENTION_COST = 2.0
C = 1.0


def _sklearn():
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
    except ImportError as exc:  # pragma: no cover - a dev dependency
        raise AssistantError(
            "calibrating needs scikit-learn: pip install -e '.[dev]' (answering does not)"
        ) from exc
    return LogisticRegression, StratifiedKFold


def matrix(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Features (n × len(FEATURES)) and labels (1 = answerable) from collected rows."""
    x = np.array([[r["evidence"].get(f, 0.0) for f in abstain.FEATURES] for r in rows], dtype=float)
    y = np.array([int(r["answerable"]) for r in rows])
    return x, y


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut that maximises TNR − 2·FNR (ties: the lower cut)."""
    best, best_value = 0.5, -np.inf
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        tnr = float(np.mean(p[y == 0] < t)) if (y == 0).any() else 0.0
        fnr = float(np.mean(p[y == 1] < t)) if (y == 1).any() else 0.0
        value = tnr - FALSE_ABSTENTION_COST * fnr
        if value > best_value + 1e-9:
            best, best_value = float(t), value
    return best


def fit(x: np.ndarray, y: np.ndarray) -> dict:
    """Coefficients, intercept and threshold, in the shape `abstention.json` keeps."""
    LogisticRegression, _ = _sklearn()
    if len(set(y.tolist())) < 2:
        raise AssistantError("calibrating needs both answerable and unanswerable questions")
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000).fit(x, y)
    return {
        "features": list(abstain.FEATURES),
        "coef": [round(float(c), 4) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 4),
        "threshold": best_threshold(out_of_fold(x, y), y),
        "fit_on": {"answerable": int(y.sum()), "unanswerable": int((y == 0).sum())},
    }


def out_of_fold(x: np.ndarray, y: np.ndarray, *, k: int = 5, seeds: int = 20) -> np.ndarray:
    """P(answerable) of each row from models fit without its fold, averaged over `seeds`
    fold splits (repeated k-fold): what the threshold is chosen on, since probabilities
    on the fitting rows are over-confident. On a hundred-odd questions one split alone
    put the cut anywhere from 0.28 to 0.56 depending on its seed."""
    LogisticRegression, StratifiedKFold = _sklearn()
    k = max(2, min(k, int((y == 0).sum()), int(y.sum())))
    p = np.zeros(len(y))
    for seed in range(seeds):
        for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(x, y):
            model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000).fit(x[train], y[train])
            p[test] += model.predict_proba(x[test])[:, 1] / seeds
    return p


def cross_validated(x: np.ndarray, y: np.ndarray, *, k: int = 5, seeds: int = 5) -> np.ndarray:
    """For each row, how often (0–1) it abstains when the model is fit without its fold."""
    LogisticRegression, StratifiedKFold = _sklearn()
    k = max(2, min(k, int((y == 0).sum()), int(y.sum())))
    abstains = np.zeros(len(y))
    for seed in range(seeds):
        for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(x, y):
            m = fit(x[train], y[train])
            z = m["intercept"] + x[test] @ np.array(m["coef"])
            p = 1 / (1 + np.exp(-z))
            abstains[test] += (p < m["threshold"]) / seeds
    return abstains


def decided(rows: list[dict]) -> list[dict]:
    """The rows the model decides: not those a rule already abstains on (gibberish, a
    place the corpus never names, no evidence), whose features say nothing of the model."""
    return [r for r in rows if not r["evidence"].get("blocked", 0.0)]


def decisions(rows: list[dict], *, k: int = 5) -> np.ndarray:
    """Cross-validated abstention per row (0–1): the model's, fit without the row's fold
    on the rows it decides; 1 for the rows a rule abstains on."""
    out = np.ones(len(rows))
    free = [i for i, r in enumerate(rows) if not r["evidence"].get("blocked", 0.0)]
    x, y = matrix([rows[i] for i in free])
    out[free] = cross_validated(x, y, k=k)
    return out


def collect(bot, items) -> list[dict]:
    """Ask each question (one turn, or a conversation's turns) and keep what the model reads."""
    rows = []
    for item in items:
        history = []
        for turn in item.turns[:-1]:
            history.append(bot.ask(turn, history=history))
        answer = bot.ask(item.question, history=history)
        rows.append(
            {"id": item.id, "group": item.group, "kind": item.kind, "answerable": item.answerable,
             "evidence": answer.evidence}  # fmt: skip
        )
    return rows


def calibrate(bot, items, *, out: Path = abstain.MODEL_FILE, k: int = 5) -> str:
    """Fit on `items`, write the model to `out`, and return a report of the CV figures."""
    rows = collect(bot, items)
    x, y = matrix(decided(rows))
    model = fit(x, y)
    cv = decisions(rows, k=k)
    out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    abstain.model.cache_clear()
    return format_cv(rows, cv, model, k)


def format_cv(rows: list[dict], cv: np.ndarray, model: dict | None, k: int) -> str:
    lines = []
    if model:
        lines.append(
            "abstention model: "
            + ", ".join(f"{f} {c:+.2f}" for f, c in zip(model["features"], model["coef"]))
            + f", intercept {model['intercept']:+.2f}, threshold {model['threshold']:.2f}"
        )
    lines.append(f"cross-validated ({k} folds × 5 seeds; mean decisions per question)")
    lines.append(f"{'group':<15}{'answerable':>11}{'false abst':>12}{'unanswerable':>14}{'abstained':>11}")
    for name in ("overall", "vi", "vi-unaccented", "en"):
        idx = [i for i, r in enumerate(rows) if name == "overall" or r["group"] == name]
        if not idx:
            continue
        ans = [i for i in idx if rows[i]["answerable"]]
        una = [i for i in idx if not rows[i]["answerable"]]
        fa = sum(cv[i] for i in ans)
        ua = sum(cv[i] for i in una)
        lines.append(
            f"{name:<15}{len(ans):>11}{f'{fa:.1f} ({fa / max(1, len(ans)):.0%})':>12}{len(una):>14}"
            f"{f'{ua:.1f} ({ua / max(1, len(una)):.0%})':>11}"
        )
    return "\n".join(lines)
