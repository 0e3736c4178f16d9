"""Fit the answer stage's two learned decisions on question sets of several corpora.

`python -m assistant calibrate [MANIFEST]` (default `eval/calibration.json`) reads a
manifest of corpora and question files, asks every question as a user would, and fits:

1. **the sentence ranker** (`answer/ranker.py`, `ranker.json`): a logistic regression
   over each candidate sentence's features, labelled by whether the sentence holds one of
   the question's facts (answerable questions whose candidates hold one);
2. **the abstention model** (`answer/abstain.py`, `abstention.json`): P(answerable) from
   features of the evidence the answer found, after the ranker is refit, with sign
   constraints where meaning is certain (more of the question covered never lowers
   P(answerable); a name the corpus never uses never raises it): a bounded logistic
   regression (scipy's L-BFGS-B), class weights balanced. It learns from the unanswerable
   questions and the answerable ones whose quote holds the fact (`training`): whether the
   evidence shown answers, not whether some other sentence would have.

Both are reported with cross-validation grouped so that what belongs together never
straddles folds (the six wordings of a paraphrased fact, the questions of one XQuAD
article in all three languages: `group_by` in the manifest), and with a
leave-one-corpus-out figure (fit on every corpus but one, scored on the one left out).

The abstention threshold maximises TNR − 2·FNR over out-of-fold probabilities, each
corpus weighing the same: a false abstention (an answerable question refused) costs
twice a wrong answer, which is still a cited quote the reader can check.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from .answer import abstain, ranker
from .answer.excerpt import RUNNER_SHARE
from .errors import AssistantError

FALSE_ABSTENTION_COST = 2.0
L2 = 1.0  # the penalty of scikit-learn's C = 1, on the mean log-loss
MANIFEST = Path("eval/calibration.json")


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


def quotes_a_fact(row: dict, model: dict | None = None) -> bool:
    """Whether the answer stage's quote for an answerable row holds one of its facts: the
    ranker's best sentence of the first candidate set, and the runner-up it quotes beside
    it (`excerpt.RUNNER_SHARE`), under `model` (the saved ranker by default). True for a
    question with no facts listed."""
    if not row.get("facts"):
        return True
    for cands in row.get("sets", [])[:1]:
        take, _ = _quoted(cands, model or ranker.model(), RUNNER_SHARE)
        return any(t and any(f.lower() in c["text"].lower() for f in row["facts"]) for t, c in zip(take, cands))
    return False


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


# ---------------------------------------------------------------- the ranker


def ranker_sets(rows: list[dict]) -> list[tuple[dict, list[dict], np.ndarray]]:
    """(row, candidates, labels) of each answerable question's first scored set that
    holds a fact (a comparison's sides are sets of their own)."""
    out = []
    for r in rows:
        if not r["answerable"] or not r.get("facts"):
            continue
        for cands in r.get("sets", []):
            labels = np.array([any(f.lower() in c["text"].lower() for f in r["facts"]) for c in cands], dtype=int)
            if labels.any() and not labels.all():
                out.append((r, cands, labels))
    return out


def fit_ranker(sets: list[tuple[dict, list[dict], np.ndarray]], *, l2: float = 1.0) -> dict:
    """The ranker's coefficients, in the shape `ranker.json` keeps.

    The weights are a conditional logit over each question's candidates (listwise: the
    softmax of the scores puts the mass on the sentences that hold a fact, L2-penalised,
    by L-BFGS), which ranks better than a model of each sentence alone; then one scale
    and intercept are fit on all sentences (scikit-learn's LogisticRegression on the
    score), so that the score reads as P(the sentence holds the answer)."""
    from scipy.optimize import minimize

    LogisticRegression, _ = _sklearn()
    data = [(ranker.matrix(c), labels) for _, c, labels in sets]
    d = len(ranker.FEATURES)

    def loss(w):
        value, grad = 0.0, np.zeros(d)
        for x, labels in data:
            s = x @ w
            e = np.exp(s - s.max())
            p, on = e / e.sum(), e * labels
            value -= np.log(on.sum() / e.sum())
            grad -= x.T @ (on / on.sum()) - x.T @ p
        return (value + 0.5 * l2 * w @ w) / len(data), (grad + l2 * w) / len(data)

    w = minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B").x
    s = np.concatenate([x @ w for x, _ in data]).reshape(-1, 1)
    y = np.concatenate([labels for _, labels in data])
    scale = LogisticRegression(C=1.0, max_iter=1000).fit(s, y)
    a = float(scale.coef_[0][0])
    return {
        "features": list(ranker.FEATURES),
        "coef": [round(float(c) * a, 4) for c in w],
        "intercept": round(float(scale.intercept_[0]), 4),
        "scale": round(a, 4),  # the listwise scores are x · coef / scale
        "fit_on": {"questions": len(sets), "sentences": int(len(y)), "positive": int(y.sum())},
    }


def top1(sets, models: list[dict], *, runner: float | None = None) -> np.ndarray:
    """For each set, whether its best-scored candidate holds a fact, under the model
    given for it; with `runner`, whether the best or the runner-up does when the
    runner-up's share is at least `runner` times the best's (the answer quotes both:
    `excerpt.RUNNER_SHARE`)."""
    return np.array([_quoted(cands, m, runner)[0] @ labels > 0 for (_, cands, labels), m in zip(sets, models)])


def _quoted(cands: list[dict], m: dict, runner: float | None) -> tuple[np.ndarray, int]:
    """(0/1 per candidate: quoted, how many are)."""
    z = ranker.matrix(cands) @ np.array(m["coef"]) / m.get("scale", 1.0)
    order = np.argsort(-z)
    take = np.zeros(len(z), dtype=int)
    take[order[0]] = 1
    if runner is not None and len(z) > 1 and np.exp(z[order[1]] - z[order[0]]) >= runner:
        take[order[1]] = 1
    return take, int(take.sum())


def runner_curve(sets, models: list[dict], rows: list[dict]) -> str:
    """How often the quoted sentences hold a fact, and how many are quoted, for each
    runner-up share (out-of-fold models): what `excerpt.RUNNER_SHARE` is chosen on."""
    keys = sorted({(r["corpus"], r["group"]) for r in rows})
    lines = ["runner-up quoted when its share ≥ r × the best's: quoted sentences hold a fact (5-fold), per group",
             f"{'r':>5}{'sentences':>10}" + "".join(f"{'/'.join(k)[:22]:>24}" for k in keys)]  # fmt: skip
    for r in (None, 0.5, 0.4, 0.3, 0.2, 0.1):
        held = top1(sets, models, runner=r)
        size = np.mean([_quoted(c, m, r)[1] for (_, c, _), m in zip(sets, models)])
        cells = "".join(f"{held[[i for i, x in enumerate(rows) if (x['corpus'], x['group']) == k]].mean():>24.3f}" for k in keys)
        lines.append(f"{'-' if r is None else r:>5}{size:>10.2f}{cells}")
    return "\n".join(lines)


def ranker_report(sets) -> str:
    """Top-1 (the best-scored sentence holds a fact): in-sample, grouped 5-fold, and
    leave one corpus out, per corpus and group."""
    full = fit_ranker(sets)
    rows = [r for r, _, _ in sets]
    cv_models: list[dict | None] = [None] * len(sets)
    for train, test in folds(rows, 5):
        m = fit_ranker([sets[i] for i in train])
        for i in test:
            cv_models[i] = m
    loco_models: list[dict | None] = [None] * len(sets)
    corpora = sorted({r["corpus"] for r in rows})
    for held in corpora if len(corpora) > 1 else []:
        m = fit_ranker([s for s in sets if s[0]["corpus"] != held])
        for i, r in enumerate(rows):
            if r["corpus"] == held:
                loco_models[i] = m
    ins, cv = top1(sets, [full] * len(sets)), top1(sets, cv_models)
    loco = top1(sets, loco_models) if len(corpora) > 1 else None
    lines = ["sentence ranker: top-1 sentence holds a fact (questions whose candidates hold one)",
             f"{'corpus / group':<26}{'n':>5}{'in-sample':>11}{'5-fold':>9}{'other corpus':>14}"]  # fmt: skip
    for key in sorted({(r["corpus"], r["group"]) for r in rows}):
        idx = [i for i, r in enumerate(rows) if (r["corpus"], r["group"]) == key]
        lo = f"{loco[idx].mean():.3f}" if loco is not None else "-"
        lines.append(f"{'/'.join(key):<26}{len(idx):>5}{ins[idx].mean():>11.3f}{cv[idx].mean():>9.3f}{lo:>14}")
    return "\n".join(lines) + "\n\n" + runner_curve(sets, cv_models, rows)


# ---------------------------------------------------------------- collecting


def _fold_group(item, corpus: str, group_by: str, run: int, doc: str | None) -> str:
    if group_by == "fact_id" and item.fact_id:
        return f"{corpus}:{item.fact_id}"
    if group_by == "document":
        return f"{corpus}:{doc}" if doc else f"{corpus}:unanswerable-run-{run}"
    return f"{corpus}:{item.id}"


def collect(bot, items, *, corpus: str = "", group_by: str = "id") -> list[dict]:
    """Ask each question (one turn, or a conversation's turns) and keep what the two
    models read: the abstention features and every scored candidate set."""
    from .evaluate import contains_evidence

    rows, run, answerable_before = [], 0, True
    for item in items:
        if answerable_before and not item.answerable:
            run += 1  # a block of unanswerable questions is one left-out article
        answerable_before = item.answerable
        doc = next((p.doc_id for p in bot.index.passages if contains_evidence(p.text, item.evidence)), None) if item.evidence else None
        history = []
        for turn in item.turns[:-1]:
            history.append(bot.ask(turn, history=history))
        with ranker.recording() as sets:
            answer = bot.ask(item.question, history=history)
        rows.append({
            "id": item.id, "question": item.question, "group": item.group, "kind": item.kind, "style": item.style,
            "answerable": item.answerable, "facts": item.facts, "corpus": corpus,
            "fold_group": _fold_group(item, corpus, group_by, run, doc),
            "evidence": answer.evidence, "sets": sets, "abstained": answer.abstained,
        })  # fmt: skip
    return rows


def read_manifest(path: Path) -> list[dict]:
    """The corpora of a calibration manifest, paths resolved against its folder's parent
    (the project root for `eval/calibration.json`). Raises AssistantError when unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AssistantError(f"cannot read the calibration manifest {path}: {exc}") from exc
    root = Path(path).resolve().parent.parent
    out = []
    try:
        for c in data["corpora"]:
            out.append({
                "name": c["name"],
                "corpus": root / c["corpus"],
                "files": [{"path": root / f["path"], "group_by": f.get("group_by", "id")} for f in c["files"]],
            })  # fmt: skip
    except (KeyError, TypeError, AttributeError) as exc:
        raise AssistantError(
            f"{path} is not a calibration manifest: it needs {{\"corpora\": [{{\"name\", \"corpus\", "
            f"\"files\": [{{\"path\", \"group_by\"}}]}}]}} (see eval/calibration.json); missing or wrong: {exc}"
        ) from None
    return out


def collect_all(settings, manifest: Path) -> list[dict]:
    """Every question of every corpus of the manifest, asked against its own index
    (built once under the cache folder for a corpus other than the settings' own:
    `Settings.index_for`)."""
    from .api import Assistant
    from .evaluate import read_items

    rows = []
    for c in read_manifest(manifest):
        same = c["corpus"].resolve() == Path(settings.corpus_dir).resolve()
        index_dir = settings.index_dir if same else settings.index_for(c["corpus"], settings.cache_dir)
        bot = Assistant.load(settings.model_copy(update={"corpus_dir": c["corpus"], "index_dir": index_dir}))
        for f in c["files"]:
            rows += collect(bot, read_items(f["path"]), corpus=c["name"], group_by=f["group_by"])
    return rows


def calibrate(settings, manifest: Path = MANIFEST, *, k: int = 5, ranker_too: bool = True) -> str:
    """Refit the ranker (unless `ranker_too` is False: the saved one stays), then the
    abstention model, on the manifest's questions; write the files and return the
    cross-validated report."""
    report = []
    if ranker_too:
        sets = ranker_sets(collect_all(settings, manifest))
        ranker.MODEL_FILE.write_text(json.dumps(fit_ranker(sets), indent=1) + "\n", encoding="utf-8")
        report.append(ranker_report(sets))
        ranker.model.cache_clear()
    rows = collect_all(settings, manifest)  # the evidence the (refit) ranker finds
    for r in rows:
        r["quotes_fact"] = r["answerable"] and quotes_a_fact(r)
    model = fit_abstention(training(rows))
    abstain.MODEL_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    abstain.model.cache_clear()
    report.append(format_cv(rows, decisions(rows, k=k), model, k, loco=leave_one_corpus_out(rows)))
    return "\n\n".join(report)


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
