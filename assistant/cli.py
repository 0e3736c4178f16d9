"""The command line: `python -m assistant build | search | eval …`.

Errors are printed as one message for people, with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .errors import AssistantError
from .settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    llm = bool(getattr(args, "llm_url", None))
    return Settings.from_env(
        corpus_dir=getattr(args, "corpus", None),
        index_dir=getattr(args, "index", None),
        model=getattr(args, "model", None),
        llm_url=getattr(args, "llm_url", None),
        llm_model=getattr(args, "llm_model", None),
        answer_mode="llm" if llm else None,
    )


def _load(args: argparse.Namespace, *, rebuild: bool = False):
    from .api import Assistant

    bot = Assistant.load(_settings(args), rebuild=rebuild)
    for notice in bot.notices:
        print(f"note: {notice}", file=sys.stderr)
    return bot


def cmd_build(args: argparse.Namespace) -> int:
    bot = _load(args, rebuild=True)
    m = bot.index.manifest
    print(
        f"indexed {m.passage_count} passages from {m.document_count} document(s) with {m.model} "
        f"(dim {m.dim}, {m.index_type}) in {m.build_seconds:.1f}s → {bot.settings.index_dir}"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .search import check_query

    check_query(args.query, Settings().max_query_chars)  # before loading the model
    bot = _load(args)
    hits = bot.search(args.query, k=args.k, mode=args.mode, section=args.section)
    if args.json:
        print(json.dumps([h.model_dump() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("no passage matches")
    for rank, hit in enumerate(hits, 1):
        p = hit.passage
        print(
            f"[{rank}] score {hit.score:.3f} (dense #{hit.dense_rank}, lexical #{hit.lexical_rank})"
        )
        print(f"    {p.section_path or p.kind} ¶{p.paragraph}  chars {p.start}–{p.end}")
        print(f"    {p.text[:300]}{'…' if len(p.text) > 300 else ''}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .render import as_text
    from .search import check_query

    check_query(args.question, Settings().max_query_chars)  # before loading the model
    bot = _load(args)
    answer = bot.ask(args.question, k=args.k, history=args.history or None)
    if args.json:
        print(answer.model_dump_json(indent=1))
    else:
        print(as_text(answer))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import (
        evaluate_answers,
        evaluate_retrieval,
        format_answers,
        format_retrieval,
        read_items,
    )

    items = read_items(Path(args.file))
    bot = _load(args)
    modes = ["hybrid", "dense", "lexical"] if args.all_modes else [args.mode]
    reports = [evaluate_retrieval(bot, items, k=args.k, mode=mode) for mode in modes]
    answers = None if args.retrieval_only else evaluate_answers(bot, items, k=args.k)
    if args.json:
        out: dict = {"retrieval": [r.model_dump() for r in reports]}
        if answers is not None:
            out["answers"] = answers.model_dump()
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(format_retrieval(r) for r in reports))
        if answers is not None:
            print()
            print(format_answers(answers))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m assistant", description=__doc__.splitlines()[0])
    top.add_argument("-v", "--verbose", action="store_true", help="log progress and details")
    sub = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", type=Path, help="folder of documents (default: corpus/)")
        p.add_argument("--index", type=Path, help="index folder (default: index/)")
        p.add_argument(
            "--model", help="sentence-transformers model name or folder (default: bundled e5-small)"
        )

    p = sub.add_parser("build", help="(re)build the index from the corpus")
    common(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("search", help="show the passages that best match a query")
    common(p)
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument("--section", help="only passages whose section path contains this text")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations")
    common(p)
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5, help="passages to answer from (default 5)")
    p.add_argument(
        "--history",
        action="append",
        metavar="QUESTION",
        help="an earlier question of the chat (repeat, oldest first)",
    )
    p.add_argument(
        "--llm-url",
        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (key from $ASSISTANT_LLM_API_KEY)",
    )
    p.add_argument("--llm-model", help="model name at that endpoint")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="measure retrieval and answers on a JSONL question set")
    common(p)
    p.add_argument("file")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument(
        "--all-modes", action="store_true", help="also report dense-only and lexical-only"
    )
    p.add_argument("--retrieval-only", action="store_true", help="skip the answer metrics")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_eval)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
