"""The evaluation tab: score an uploaded question file with the project's own evaluation.

The numbers are `assistant.evaluate`'s (the same functions `python -m assistant eval` runs,
hybrid retrieval, k = 5): this module only reads the upload, reports progress, groups the
rows by kind as well as by group, and draws the table, the misses and a CSV.

A question file is the dev-set format (one JSON object a line: id, question, group, kind,
evidence, facts, answerable); a conversation file has `turns` instead of `question` and is
scored on its last turn, asked with the earlier turns as history.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from .. import evaluate as ev
from ..errors import AssistantError
from .render_common import escape
from .texts import EVALUATION

MAX_LINES = 100  # questions (or conversations) run from one upload
MAX_BYTES = 2_000_000
K = 5


def labels(lang: str) -> dict[str, str]:
    return EVALUATION.get(lang, EVALUATION["vi"])


class Upload(BaseModel):
    items: list[ev.EvalItem] = Field(default_factory=list)
    kinds: dict[str, str] = Field(default_factory=dict)  # item id → kind
    total: int = 0  # lines in the file, before the cap


def read_upload(path: str | Path) -> Upload:
    """Questions and conversations of an uploaded file, capped at `MAX_LINES`.

    Raises AssistantError with what to fix: unreadable, too big, not JSON lines, or a line
    that is neither a question nor a conversation.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise AssistantError(
                f"{path.name} is {path.stat().st_size:,} bytes; the limit here is {MAX_BYTES:,}. "
                "Split it, or run it with python -m assistant eval"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read {path.name}: {exc}; upload a UTF-8 .jsonl file") from exc
    up = Upload()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        up.total += 1
        if up.total > MAX_LINES:
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            item = ev.EvalItem.model_validate(data)
            up.items.append(item)
            kind = str(getattr(item, "kind", None) or data.get("kind") or "")
            up.kinds[item.id] = "" if kind == "-" else kind
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise AssistantError(
                f"line {number} of {path.name} is not a question line ({reason}); each line is "
                'a JSON object like {"id": "q1", "question": "…", "evidence": ["…"], "facts": ["…"]}'
            ) from exc
    if not up.total:
        raise AssistantError(f"{path.name} has no questions; upload a .jsonl file, one a line")
    return up


class _Tally:
    """The assistant as the evaluation sees it, each call counted and remembered.

    Scoring a subset again (per kind) reuses the answers already computed, so every
    question is asked and searched once.
    """

    def __init__(self, bot, tick: Callable[[], None], lock=None):
        self.bot = bot
        self.tick = tick
        self.lock = lock
        self.sources = bot.sources
        self._asked: dict[tuple, Any] = {}
        self._searched: dict[tuple, Any] = {}

    def _call(self, fn, *args, **kwargs):
        if self.lock is None:
            return fn(*args, **kwargs)
        with self.lock:
            return fn(*args, **kwargs)

    def ask(self, question: str, *, k: int = K, history=None, **kwargs):
        # A turn of a conversation is the same question only after the same answers.
        key = (question, k, tuple(id(a) for a in history or []))
        if history:
            kwargs["history"] = history
        if key not in self._asked:
            self._asked[key] = self._call(self.bot.ask, question, k=k, **kwargs)
            self.tick()
        return self._asked[key]

    def search(self, query: str, *, k: int = K, mode: str = "hybrid", **kwargs):
        key = (query, k, mode)
        if key not in self._searched:
            self._searched[key] = self._call(self.bot.search, query, k=k, mode=mode, **kwargs)
            self.tick()
        return self._searched[key]

    def passage(self, passage_id: str):
        return self.bot.passage(passage_id)


class Row(BaseModel):
    """One line of the metrics table."""

    name: str
    retrieval: ev.RetrievalScores
    answers: ev.AnswerScores


class Result(BaseModel):
    rows: list[Row]
    details: list[dict]  # one per question: what the CSV holds
    notes: list[str] = Field(default_factory=list)


def run(
    bot, up: Upload, *, progress: Callable[[int, int], None] | None = None, lock=None
) -> Result:
    """Score the upload; `progress(done, total)` after each model call."""
    turns = [_turns(i) for i in up.items]
    retrievable = [
        i for i, t in zip(up.items, turns) if i.answerable and i.evidence and len(t) == 1
    ]
    total = len(retrievable) + sum(map(len, turns))
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress:
            progress(done[0], total)

    tally = _Tally(bot, tick, lock)
    rows: list[Row] = []
    details: list[dict] = []
    if up.items:
        retrieval = ev.evaluate_retrieval(tally, up.items, k=K, mode="hybrid")
        answers = ev.evaluate_answers(tally, up.items, k=K)
        rows.append(Row(name="overall", retrieval=retrieval.overall, answers=answers.overall))
        for group, scores in answers.groups.items():
            rows.append(
                Row(
                    name=group,
                    retrieval=retrieval.groups.get(group, ev.RetrievalScores()),
                    answers=scores,
                )
            )
        kinds = sorted({k for k in up.kinds.values() if k})
        for kind in kinds:
            subset = [i for i in up.items if up.kinds.get(i.id) == kind]
            r = ev.evaluate_retrieval(tally, subset, k=K, mode="hybrid")
            a = ev.evaluate_answers(tally, subset, k=K)
            rows.append(Row(name=f"kind: {kind}", retrieval=r.overall, answers=a.overall))
        ranks = {m["id"]: m["rank"] for m in retrieval.misses}
        by_id = {i.id: i for i in up.items}
        for a in answers.answers:
            item = by_id[a["id"]]
            details.append(_detail(item, a, up.kinds.get(item.id, ""), ranks.get(item.id, 1)))
    return Result(rows=rows, details=details)


def _turns(item: ev.EvalItem) -> list[str]:
    return getattr(item, "turns", None) or [item.question]


def _detail(item: ev.EvalItem, row: dict, kind: str, rank: int | None) -> dict:
    answer = row["answer"]
    return {
        "id": item.id,
        "group": item.group,
        "kind": kind,
        "question": item.question,
        "answerable": item.answerable,
        "abstained": row["abstained"],
        "facts": item.facts,
        "facts_found": row["facts"],
        "cited": row["cited"],
        "verbatim": row["verbatim"],
        "rank": rank if item.answerable and item.evidence and len(_turns(item)) == 1 else None,
        "answer": answer["text"],
        "cited_text": [c["quote"] for c in answer.get("citations", [])],
        "evidence": item.evidence,
    }


def summary(upload: Upload, lang: str) -> tuple[str, bool]:
    """What was scored, with the cap's message when the file was longer; and whether it was."""
    lab = labels(lang)
    conversations = sum(len(_turns(i)) > 1 for i in upload.items)
    text = lab["done"].format(n=len(upload.items) - conversations, c=conversations)
    capped = upload.total > MAX_LINES
    if capped:
        text += " " + lab["capped"].format(n=upload.total, max=MAX_LINES)
    return text, capped


def why_missed(d: dict, lang: str) -> list[str]:
    """What went wrong with one answer; empty when nothing did."""
    lab = labels(lang)
    if not d["answerable"]:
        return [] if d["abstained"] else [lab["answered_unanswerable"]]
    if d["abstained"]:
        return [lab["false_abstain"]]
    out = []
    missing = [f for f, ok in zip(d["facts"], d["facts_found"], strict=False) if not ok]
    if missing:
        out.append(lab["missing_facts"].format(f=", ".join(missing)))
    if d["cited"] is False:
        out.append(lab["no_cite"])
    return out


def table_html(result: Result, *, lang: str = "vi") -> str:
    lab = labels(lang)
    head = ["row", "n", "R@1", "R@5", "MRR", "facts", "cited", "quotes", "abstain", "false"]
    cells = "".join(f"<th>{escape(lab.get(h, h))}</th>" for h in head)
    body = []
    for r in result.rows:
        a, s = r.answers, r.retrieval
        values = [
            r.name, str(a.answerable + a.unanswerable), f"{s.r1:.3f}", f"{s.r5:.3f}",
            f"{s.mrr:.3f}", f"{a.fact_recall:.3f}", f"{a.citation_hit:.3f}",
            f"{a.quote_fidelity:.3f}", f"{a.abstained_unanswerable}/{a.unanswerable}",
            str(a.false_abstentions),
        ]  # fmt: skip
        body.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>")
    return (
        f'<div class="ba-scroll"><table class="ba-vtable ba-etable"><thead><tr>{cells}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def misses_html(result: Result, *, lang: str = "vi") -> str:
    lab = labels(lang)
    misses = [(d, why_missed(d, lang)) for d in result.details]
    misses = [(d, why) for d, why in misses if why]
    if not misses:
        return f'<p class="ba-empty">{escape(lab["no_misses"])}</p>'
    parts = [
        f'<div class="ba-h">{escape(lab["misses"].format(n=len(misses)))}</div><ol class="ba-misses">'
    ]
    for d, why in misses:
        rank = f" · {lab['rank']} {d['rank'] or '—'}" if d["rank"] != 1 and d["answerable"] else ""
        cited = "".join(f"<q class='ba-quote'>{escape(q)}</q>" for q in d["cited_text"]) or "—"
        expected = "".join(f"<q class='ba-quote'>{escape(e)}</q>" for e in d["evidence"]) or "—"
        parts.append(
            f'<li class="ba-miss"><div><b>{escape(d["id"])}</b> '
            f'<span class="ba-where">{escape(lab["group"])} {escape(d["group"])}'
            f"{' · ' + escape(lab['kind']) + ' ' + escape(d['kind']) if d['kind'] else ''}"
            f"{escape(rank)}</span></div>"
            f'<div class="ba-why">{escape("; ".join(why))}</div>'
            f"<div><b>{escape(lab['question'])}:</b> {escape(d['question'])}</div>"
            f"<div><b>{escape(lab['answer'])}:</b> {escape(d['answer'])}</div>"
            f"<div><b>{escape(lab['cited_text'])}:</b> {cited}</div>"
            f"<div><b>{escape(lab['expected'])}:</b> {expected}</div></li>"
        )
    parts.append("</ol>")
    return "".join(parts)


CSV_COLUMNS = [
    "id", "group", "kind", "question", "answerable", "abstained", "facts", "facts_found", "cited",
    "verbatim", "rank", "answer", "cited_text", "evidence",
]  # fmt: skip


def write_csv(result: Result, path: Path) -> Path:
    """One row per question (lists joined by ' | '), UTF-8 with a BOM so spreadsheets read it."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        out.writeheader()
        for d in result.details:
            out.writerow(
                {
                    k: " | ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                    for k, v in d.items()
                }
            )
    return Path(path)
