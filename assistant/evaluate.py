"""Measure retrieval on a question set in the format of `eval/dev.jsonl`.

A hit is a retrieved passage whose text contains one of the evidence strings (whitespace
folded). Unanswerable lines are skipped for retrieval.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from .errors import AssistantError
from .text import has_diacritics

GROUPS = ("vi", "vi-unaccented", "en")


class EvalItem(BaseModel):
    """One line of a question set; a conversation has `turns` and is scored on its last."""

    id: str
    question: str = ""
    turns: list[str] = Field(default_factory=list)
    lang: str = "vi"
    group: str = ""
    kind: str = "-"
    evidence: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    answerable: bool = True
    # a paraphrase set: the fact a line asks about (its wordings share it) and its style
    fact_id: str = ""
    style: str = ""

    @model_validator(mode="after")
    def _complete(self) -> EvalItem:
        if not self.question and self.turns:
            self.question = self.turns[-1]
        if not self.question:
            raise ValueError("a line needs a question or turns")
        if not self.turns:
            self.turns = [self.question]
        if not self.group:
            unaccented = self.lang == "vi" and not has_diacritics(" ".join(self.turns))
            self.group = "vi-unaccented" if unaccented else self.lang
        if len(self.turns) > 1 and self.kind == "-":
            self.kind = "conversation"
        return self


def read_files(paths: list[Path]) -> list[EvalItem]:
    """The questions of several files, in order (ids need only be unique within a file)."""
    return [item for path in paths for item in read_items(path)]


def read_turns(path: Path) -> list[str]:
    """The earlier turns of a chat from a JSONL file: one {"question": …} (or a bare
    JSON string) a line, oldest first."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read the conversation {path}: {exc}") from exc
    turns = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{number} is not JSON: {exc.msg}") from exc
        question = value.get("question") if isinstance(value, dict) else value
        if not isinstance(question, str) or not question.strip():
            raise AssistantError(f'{path}:{number} needs a "question" string')
        turns.append(question)
    return turns


def read_items(path: Path) -> list[EvalItem]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read {path}: {exc}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(EvalItem.model_validate_json(line))
        except ValidationError as exc:
            raise AssistantError(
                f"{path}:{number} is not a valid question line: {exc.errors()[0]['msg']}"
            ) from exc
    if not items:
        raise AssistantError(f"{path} has no questions")
    return items


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def contains_evidence(text: str, evidence: list[str]) -> bool:
    folded = squash(text)
    return any(squash(e) in folded for e in evidence)


class RetrievalScores(BaseModel):
    count: int = 0
    r1: float = 0.0
    r5: float = 0.0
    mrr: float = 0.0
    top5_chars: float = 0.0


class RetrievalReport(BaseModel):
    mode: str
    overall: RetrievalScores
    groups: dict[str, RetrievalScores]
    misses: list[dict]


def evaluate_retrieval(
    assistant, items: list[EvalItem], *, k: int = 5, mode: str = "hybrid"
) -> RetrievalReport:
    rows = defaultdict(list)
    misses = []
    for item in items:
        if not item.answerable or not item.evidence or len(item.turns) > 1:
            continue  # a conversation's last turn is searched through its thread: see answers
        hits = assistant.search(item.question, k=k, mode=mode)
        rank = next(
            (r for r, h in enumerate(hits, 1) if contains_evidence(h.passage.text, item.evidence)),
            None,
        )
        chars = sum(len(h.passage.text) for h in hits)
        row = (rank, chars)
        rows[item.group].append(row)
        rows["overall"].append(row)
        if rank != 1:
            misses.append(
                {
                    "id": item.id,
                    "group": item.group,
                    "question": item.question,
                    "rank": rank,
                    "top": hits[0].passage.text[:100] if hits else "",
                }
            )

    def scores(values: list[tuple[int | None, int]]) -> RetrievalScores:
        n = len(values)
        if not n:
            return RetrievalScores()
        return RetrievalScores(
            count=n,
            r1=round(sum(r == 1 for r, _ in values) / n, 3),
            r5=round(sum(r is not None and r <= 5 for r, _ in values) / n, 3),
            mrr=round(sum(1 / r for r, _ in values if r) / n, 3),
            top5_chars=round(sum(c for _, c in values) / n, 1),
        )

    return RetrievalReport(
        mode=mode,
        overall=scores(rows["overall"]),
        groups={g: scores(rows[g]) for g in GROUPS if rows[g]},
        misses=misses,
    )


def format_retrieval(report: RetrievalReport) -> str:
    if not report.overall.count:
        return f"retrieval ({report.mode}): no single-turn answerable question to score (conversations are scored on their answers)"
    lines = [
        f"retrieval ({report.mode})",
        f"{'group':<15}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR':>8}{'top5 chars':>12}",
    ]
    for name, s in [("overall", report.overall), *report.groups.items()]:
        lines.append(
            f"{name:<15}{s.count:>4}{s.r1:>8.3f}{s.r5:>8.3f}{s.mrr:>8.3f}{s.top5_chars:>12.0f}"
        )
    if report.misses:
        lines.append("not ranked first:")
        for m in report.misses[:SHOWN]:
            where = f"rank {m['rank']}" if m["rank"] else "not in top k"
            lines.append(f"  {m['id']} [{m['group']}] {where}: {m['question']}")
        lines += more(len(report.misses))
    return "\n".join(lines)


# Misses listed under a table (the rest are in --json): a list of hundreds buries the figures.
SHOWN = 25


def more(count: int) -> list[str]:
    return [f"  … and {count - SHOWN} more (--json lists them all)"] if count > SHOWN else []


def to_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


class AnswerScores(BaseModel):
    answerable: int = 0
    unanswerable: int = 0
    fact_recall: float = 0.0
    citation_hit: float = 0.0
    quote_fidelity: float = 0.0
    abstained_unanswerable: int = 0
    false_abstentions: int = 0


class ParaphraseScores(BaseModel):
    """Consistency over the wordings of each fact (a paraphrase set: `fact_id`, `style`).

    A wording is right when an answerable fact is answered with all its facts, or a near
    miss is abstained on; a fact is consistent when all its wordings are right."""

    facts: int = 0
    facts_consistent: int = 0
    near_misses: int = 0
    near_misses_consistent: int = 0
    styles: dict[str, float] = Field(default_factory=dict)  # style -> share of its wordings right
    inconsistent: list[str] = Field(default_factory=list)  # the fact_ids not right under every wording


class AnswerReport(BaseModel):
    overall: AnswerScores
    groups: dict[str, AnswerScores]
    kinds: dict[str, AnswerScores] = Field(default_factory=dict)
    answers: list[dict]
    paraphrase: ParaphraseScores | None = None


def right(row: dict) -> bool:
    """An answer row is right: an answerable question answered with all its facts, an
    unanswerable one abstained on."""
    if not row["answerable"]:
        return bool(row["abstained"])
    return not row["abstained"] and all(row["facts"])


def paraphrase_scores(items: list[EvalItem], rows: list[dict]) -> ParaphraseScores | None:
    """Consistency per fact and per style (see `ParaphraseScores`); None when no line
    carries a `fact_id`."""
    by_fact: dict[str, list[bool]] = defaultdict(list)
    by_style: dict[str, list[bool]] = defaultdict(list)
    answerable: dict[str, bool] = {}
    for item, row in zip(items, rows):
        if not item.fact_id:
            continue
        ok = right(row)
        by_fact[item.fact_id].append(ok)
        by_style[item.style or "-"].append(ok)
        answerable[item.fact_id] = item.answerable
    if not by_fact:
        return None
    facts = [f for f in by_fact if answerable[f]]
    misses = [f for f in by_fact if not answerable[f]]
    return ParaphraseScores(
        facts=len(facts),
        facts_consistent=sum(all(by_fact[f]) for f in facts),
        near_misses=len(misses),
        near_misses_consistent=sum(all(by_fact[f]) for f in misses),
        styles={s: round(sum(v) / len(v), 3) for s, v in sorted(by_style.items())},
        inconsistent=[f for f in by_fact if not all(by_fact[f])],
    )


def quotes_are_verbatim(answer, assistant) -> bool:
    """Every citation's quote is its passage's text at its offsets, and maps to the source."""
    for c in answer.citations:
        p = assistant.passage(c.passage_id)
        if p.text[c.quote_start : c.quote_end] != c.quote:
            return False
        source = assistant.sources.get(p.doc_id, "")
        if " ".join(source[s.start : s.end] for s in c.source_spans) != c.quote:
            return False
    for s in answer.sentences:
        if not any(s.text in c.quote for c in answer.citations if c.number in s.citations):
            return False
    return True


def evaluate_answers(assistant, items: list[EvalItem], *, k: int = 5) -> AnswerReport:
    rows: dict[str, list[dict]] = defaultdict(list)
    answers = []
    ordered = []
    for item in items:
        history = []
        for turn in item.turns[:-1]:
            history.append(assistant.ask(turn, k=k, history=history))
        a = assistant.ask(item.question, k=k, history=history)
        cited = [assistant.passage(c.passage_id).text for c in a.citations]
        row = {
            "answerable": item.answerable,
            "abstained": a.abstained,
            "facts": [f.lower() in a.text.lower() for f in item.facts] if item.answerable else [],
            "cited": any(contains_evidence(t, item.evidence) for t in cited)
            if item.answerable
            else None,
            "verbatim": quotes_are_verbatim(a, assistant),
        }
        rows[item.group].append(row)
        rows["overall"].append(row)
        rows[f"kind:{item.kind}"].append(row)
        ordered.append(row)
        answers.append(
            {"id": item.id, "group": item.group, **row, "answer": a.model_dump(exclude={"related"})}
        )

    def scores(values: list[dict]) -> AnswerScores:
        ans = [v for v in values if v["answerable"]]
        facts = [f for v in ans for f in v["facts"]]
        with_quotes = [v for v in values if not v["abstained"]]
        return AnswerScores(
            answerable=len(ans),
            unanswerable=len(values) - len(ans),
            fact_recall=round(sum(facts) / len(facts), 3) if facts else 0.0,
            citation_hit=round(sum(bool(v["cited"]) for v in ans) / len(ans), 3) if ans else 0.0,
            quote_fidelity=round(sum(v["verbatim"] for v in with_quotes) / len(with_quotes), 3)
            if with_quotes
            else 1.0,
            abstained_unanswerable=sum(v["abstained"] for v in values if not v["answerable"]),
            false_abstentions=sum(v["abstained"] for v in ans),
        )

    return AnswerReport(
        overall=scores(rows["overall"]),
        groups={g: scores(rows[g]) for g in GROUPS if rows[g]},
        kinds={key[5:]: scores(v) for key, v in sorted(rows.items()) if key.startswith("kind:")},
        answers=answers,
        paraphrase=paraphrase_scores(items, ordered),
    )


def format_answers(report: AnswerReport) -> str:
    head = f"{'group':<15}{'ans':>4}{'facts':>8}{'cited':>8}{'quotes':>8}{'abstain':>10}{'false abst':>11}"
    lines = ["answers (extractive)", head]
    kinds = [(f"  {k}", s) for k, s in report.kinds.items()] if len(report.kinds) > 1 else []
    for name, s in [("overall", report.overall), *report.groups.items(), *kinds]:
        lines.append(
            f"{name:<15}{s.answerable:>4}{s.fact_recall:>8.3f}{s.citation_hit:>8.3f}{s.quote_fidelity:>8.3f}"
            f"{f'{s.abstained_unanswerable}/{s.unanswerable}':>10}{s.false_abstentions:>11}"
        )
    if (p := report.paraphrase) is not None:
        lines.append(
            f"paraphrases: facts right under every wording {p.facts_consistent}/{p.facts}, "
            f"near misses abstained under every wording {p.near_misses_consistent}/{p.near_misses}"
        )
        lines.append("  right per style: " + ", ".join(f"{s} {v:.3f}" for s, v in p.styles.items()))
        if p.inconsistent:
            lines.append("  not right under every wording: " + ", ".join(p.inconsistent))
    misses = [
        a for a in report.answers if a["answerable"] and (not all(a["facts"]) or not a["cited"])
    ]
    if misses:
        lines.append("answers missing a fact or a citation:")
        lines += [f"  {a['id']} [{a['group']}]: {a['answer']['question']}" for a in misses[:SHOWN]]
        lines += more(len(misses))
    return "\n".join(lines)
