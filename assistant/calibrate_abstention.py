"""The abstention model's fitting, for `calibrate.py`: a logistic regression bounded by
sign constraints, its threshold, and its figures (grouped k-fold, fit on the other corpus)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .answer import abstain
from .errors import AssistantError

FALSE_ABSTENTION_COST = 2.0
L2 = 1.0  # the penalty of scikit-learn's C = 1, on the mean log-loss


def _sklearn():
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold
    except ImportError as exc:  # pragma: no cover - a dev dependency
        raise AssistantError("calibrating needs scikit-learn: pip install -e '.[dev]' (answering does not)") from exc
    return LogisticRegression, GroupKFold


# ---------------------------------------------------------------- the bounded model


def fit_logistic(x: np.ndarray, y: np.ndarray, bounds: list[tuple[float | None, float | None]], *, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Coefficients and intercept of an L2-regularised logistic regression whose
    coefficients lie within `bounds` (one (low, high) a column, None: unbounded), by
    L-BFGS-B on the weighted mean log-loss (scipy.optimize.minimize).

    Raises AssistantError when `y` has one class only."""
    from scipy.optimize import minimize

    if len(set(y.tolist())) < 2:
        raise AssistantError("calibrating needs both classes (answerable and unanswerable questions)")
    n, d = x.shape
    w = np.ones(n) if weights is None else weights
    w = w / w.sum()
    mu, sd = x.mean(0), x.std(0) + 1e-9  # standardised, as scikit-learn's solvers like it

    z = (x - mu) / sd

    def loss(theta):
        coef, b = theta[:d], theta[d]
        margin = z @ coef + b
        p = 1 / (1 + np.exp(-margin))
        value = np.sum(w * (np.logaddexp(0, margin) - y * margin)) + 0.5 * L2 / n * coef @ coef
        grad = z.T @ (w * (p - y)) + L2 / n * coef
        return value, np.append(grad, np.sum(w * (p - y)))

    # bounds hold on the original scale too: sd > 0 keeps each coefficient's sign
    result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)])
    coef = result.x[:d] / sd
    return coef, float(result.x[d] - coef @ mu)


def balanced(y: np.ndarray, strata: np.ndarray | None = None) -> np.ndarray:
    """Sample weights that give each (stratum, class) the same total weight."""
    strata = np.zeros(len(y), dtype=int) if strata is None else strata
    w = np.zeros(len(y))
    cells = {(s, c) for s, c in zip(strata.tolist(), y.tolist())}
    for s, c in cells:
        mask = (strata == s) & (y == c)
        w[mask] = 1.0 / (mask.sum() * len(cells))
    return w * len(y)


def predict(coef: np.ndarray, intercept: float, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ coef + intercept)))


def best_threshold(p: np.ndarray, y: np.ndarray, strata: np.ndarray | None = None) -> float:
    """The cut that maximises TNR − 2·FNR (each stratum weighing the same; ties: the
    lower cut)."""
    strata = np.zeros(len(y), dtype=int) if strata is None else strata
    best, best_value = 0.5, -np.inf
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        value = 0.0
        for s in np.unique(strata):
            m = strata == s
            neg, pos = m & (y == 0), m & (y == 1)
            tnr = float(np.mean(p[neg] < t)) if neg.any() else 0.0
            fnr = float(np.mean(p[pos] < t)) if pos.any() else 0.0
            value += tnr - FALSE_ABSTENTION_COST * fnr
        if value > best_value + 1e-9:
            best, best_value = float(t), value
    return best


# ---------------------------------------------------------------- abstention


def matrix(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Features (n × len(abstain.FEATURES)) and labels (1 = answerable) of collected rows."""
    x = np.array([[r["evidence"].get(f, 0.0) for f in abstain.FEATURES] for r in rows], dtype=float)
    return x.reshape(len(rows), len(abstain.FEATURES)), np.array([int(r["answerable"]) for r in rows])


def _strata(rows: list[dict]) -> np.ndarray:
    names = sorted({r.get("corpus", "") for r in rows})
    return np.array([names.index(r.get("corpus", "")) for r in rows])


def fit_abstention(rows: list[dict], *, threshold_rows: np.ndarray | None = None) -> dict:
    """The abstention model of `rows` (collected, not rule-decided), in the shape
    `abstention.json` keeps; the threshold from out-of-fold probabilities."""
    x, y = matrix(rows)
    strata = _strata(rows)
    coef, intercept = fit_logistic(x, y, [abstain.BOUNDS[f] for f in abstain.FEATURES], weights=balanced(y, strata))
    p = out_of_fold(rows) if threshold_rows is None else threshold_rows
    return {
        "features": list(abstain.FEATURES),
        "coef": [round(float(c), 4) for c in coef],
        "intercept": round(intercept, 4),
        "threshold": best_threshold(p, y, strata),
        "fit_on": {"answerable": int(y.sum()), "unanswerable": int((y == 0).sum()),
                   "corpora": sorted({r.get("corpus", "") for r in rows})},
    }  # fmt: skip


def folds(rows: list[dict], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped k-fold splits (a row's `fold_group` never straddles folds)."""
    _, GroupKFold = _sklearn()
    groups = [r.get("fold_group") or r.get("id") or str(i) for i, r in enumerate(rows)]
    k = max(2, min(k, len(set(groups))))
    return list(GroupKFold(k).split(np.zeros(len(rows)), groups=groups))


def out_of_fold(rows: list[dict], *, k: int = 5) -> np.ndarray:
    """P(answerable) of each row from a model fit without its fold."""
    x, y = matrix(rows)
    strata = _strata(rows)
    p = np.zeros(len(rows))
    for train, test in folds(rows, k):
        coef, b = fit_logistic(x[train], y[train], [abstain.BOUNDS[f] for f in abstain.FEATURES], weights=balanced(y[train], strata[train]))
        p[test] = predict(coef, b, x[test])
    return p


def decided(rows: list[dict]) -> list[dict]:
    """The rows the model decides: not those a rule already abstains on (gibberish, a
    place the corpus never names, no evidence), whose features say nothing of the model."""
    return [r for r in rows if not r["evidence"].get("blocked", 0.0)]


def training(rows: list[dict]) -> list[dict]:
    """The rows the abstention model learns from: those it decides (`decided`), less the
    answerable ones whose quote misses the fact. The model learns whether the evidence it
    is shown answers; a wrong sentence of an answerable question is the ranker's miss, and
    labelled "answerable" it taught the model to answer on evidence that answers nothing
    (grouped 5-fold, both corpora: refused 9.2 → 7.8% on the bulletin, 13.7 → 11.6% on
    XQuAD, right answers +1.3 and +1.8 points, left-out articles abstained the same)."""
    return [r for r in decided(rows) if not r["answerable"] or r.get("quotes_fact", True)]


def decisions(rows: list[dict], *, k: int = 5) -> np.ndarray:
    """Cross-validated abstention per row (0 or 1): the model's, fit (threshold
    included) without the row's fold on its `training` rows; 1 for rule-decided rows."""
    out = np.ones(len(rows))
    free = [i for i, r in enumerate(rows) if not r["evidence"].get("blocked", 0.0)]
    sub = [rows[i] for i in free]
    x, _ = matrix(sub)
    result = np.zeros(len(sub))
    for train, test in folds(sub, k):
        m = fit_abstention(training([sub[i] for i in train]))
        result[test] = predict(np.array(m["coef"]), m["intercept"], x[test]) < m["threshold"]
    out[free] = result
    return out


def leave_one_corpus_out(rows: list[dict]) -> dict[str, np.ndarray]:
    """For each corpus, its rows' abstentions (0/1) under a model fit on the others."""
    out = {}
    corpora = sorted({r.get("corpus", "") for r in rows})
    for held in corpora if len(corpora) > 1 else []:
        train = training([r for r in rows if r.get("corpus") != held])
        test = [r for r in rows if r.get("corpus") == held]
        m = fit_abstention(train)
        x, _ = matrix(test)
        p = predict(np.array(m["coef"]), m["intercept"], x)
        out[held] = np.array([1.0 if r["evidence"].get("blocked") else float(pi < m["threshold"]) for r, pi in zip(test, p)])
    return out


def format_cv(rows: list[dict], cv: np.ndarray, model: dict | None, k: int, *, loco: dict | None = None) -> str:
    """Abstention figures per corpus and group: grouped k-fold, and (with `loco`) fit on
    the other corpus."""
    lines = []
    if model:
        lines.append(
            "abstention model: "
            + ", ".join(f"{f} {c:+.2f}" for f, c in zip(model["features"], model["coef"]))
            + f", intercept {model['intercept']:+.2f}, threshold {model['threshold']:.2f}"
        )
    lines.append(f"abstention, cross-validated ({k} folds, grouped by fact / article)" + (" and fit on the other corpus" if loco else ""))
    lines.append(f"{'corpus / group':<26}{'answerable':>11}{'refused':>9}{'unanswerable':>13}{'abstained':>10}" + (f"{'refused':>9}{'abstained':>10}" if loco else ""))
    keys = defaultdict(list)
    for i, r in enumerate(rows):
        keys[(r.get("corpus", ""), "all")].append(i)
        keys[(r.get("corpus", ""), r["group"])].append(i)
    position = {corpus: {i: n for n, i in enumerate(j for j, r in enumerate(rows) if r.get("corpus", "") == corpus)} for corpus, _ in keys}
    for (corpus, group), idx in sorted(keys.items()):
        ans = [i for i in idx if rows[i]["answerable"]]
        una = [i for i in idx if not rows[i]["answerable"]]
        line = (f"{(corpus + '/' if corpus else '') + group:<26}{len(ans):>11}{cv[ans].mean() if ans else 0:>9.1%}"
                f"{len(una):>13}{cv[una].mean() if una else 0:>10.1%}")  # fmt: skip
        if loco and corpus in loco:
            other = loco[corpus]
            a = [position[corpus][i] for i in ans]
            u = [position[corpus][i] for i in una]
            line += f"{other[a].mean() if a else 0:>9.1%}{other[u].mean() if u else 0:>10.1%}"
        lines.append(line)
    return "\n".join(lines)
