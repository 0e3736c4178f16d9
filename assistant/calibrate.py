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

The abstention model's fitting and figures are in `calibrate_abstention.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .answer import abstain, ranker
from .answer.excerpt import RUNNER_SHARE
from .calibrate_abstention import (
    _sklearn,
    decisions,
    fit_abstention,
    folds,
    format_cv,
    leave_one_corpus_out,
    training,
)
from .errors import AssistantError

MANIFEST = Path("eval/calibration.json")


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
