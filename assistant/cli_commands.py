"""The command line's subcommands (`cli.py` parses the arguments and calls them): each
`cmd_…` takes the parsed arguments and returns the exit status; an AssistantError it raises
is printed by `cli.main`.
"""

from __future__ import annotations

import argparse
import json
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
        backend=getattr(args, "backend", None),
        llm_url=getattr(args, "llm_url", None),
        llm_model=getattr(args, "llm_model", None),
        llm_timeout=getattr(args, "llm_timeout", None),
        answer_mode="llm" if llm else None,
        glossary=getattr(args, "glossary", None),
    )


def _load(args: argparse.Namespace, *, rebuild: bool = False):
    from .api import Assistant

    settings = _settings(args)
    if not rebuild and not (Path(settings.index_dir) / "manifest.json").exists():
        # said before the wait, not after it: a corpus's first index takes a minute or so
        print(f"note: building the index of {settings.corpus_dir} (the first time for this corpus; a minute or so)", file=sys.stderr, flush=True)
    bot = Assistant.load(settings, rebuild=rebuild)
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
    from .retrieve.search import check_query

    check_query(args.query, Settings().max_query_chars)  # before loading the model
    bot = _load(args)
    bot.check_scope(args.doc, args.section)
    hits = bot.search(
        args.query, k=args.k, mode=args.mode, section=args.section, documents=args.doc
    )
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
        page = f" · tr. {p.page}" if p.page else ""
        print(
            f"    {p.doc_id} · {p.section_path or p.kind} ¶{p.paragraph}{page}  chars {p.start}–{p.end}"
        )
        print(f"    {p.text[:300]}{'…' if len(p.text) > 300 else ''}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .models import Answer
    from .render import as_text
    from .retrieve.search import check_query

    check_query(args.question, Settings().max_query_chars)  # before loading the model
    from .retrieve.intake import foreign_script

    if script := foreign_script(args.question):
        raise AssistantError(
            f"the question is written in another script ({script}); the assistant answers questions "
            "in Vietnamese (with or without diacritics) and English"
        )
    history = list(args.history or [])
    if any(not turn.strip() for turn in history):
        raise AssistantError("a --history turn is empty; give each earlier question its own --history \"…\"")
    if args.conversation:
        from .evaluate import read_turns

        history = read_turns(args.conversation) + history
    bot = _load(args)
    bot.check_scope(args.doc, args.section)
    # An LLM on a CPU takes a while: on a terminal, stderr shows it is still working.
    progress = bot.settings.answer_mode == "llm" and sys.stderr.isatty()
    for step in bot.ask_stream(
        args.question,
        k=args.k,
        history=history or None,
        documents=args.doc,
        section=args.section,
    ):
        answer = step
        if progress and not isinstance(step, Answer):
            doing = "writing" if step.text else "reading the passages"
            print(f"\rthe model is {doing}: {step.seconds:.0f} s ", end="", file=sys.stderr)
    if progress:
        print("\r\033[K", end="", file=sys.stderr)
    if args.json:
        print(answer.model_dump_json(indent=1))
    else:
        print(as_text(answer))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from .models import SECTION_SEP
    from .render import as_text

    bot = _load(args)
    bot.check_scope(args.doc)
    if args.list:
        for b in bot.index.briefs.briefs if bot.index.briefs else []:
            if not args.doc or b.doc_id in args.doc:
                where = SECTION_SEP.join(b.section) or "(the whole document)"
                print(f"{b.doc_id}  {where}  ({len(b.sentences)} sentences)")
        return 0
    answer = bot.brief(args.section or "", documents=args.doc)
    print(answer.model_dump_json(indent=1) if args.json else as_text(answer))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from .ingest import documents

    known = {}
    for path in args.paths:  # read every file before loading the model
        source = documents.load(path, ocr=True if args.ocr else None)
        known[source.document.sha256] = source.extracted
    bot = _load(args)
    bot.index.extracted.update(known)  # read (and OCR'd) once
    added = bot.add(args.paths, force=args.force, ocr=args.ocr)
    for notice in bot.notices:
        print(f"note: {notice}", file=sys.stderr)
    m = bot.index.manifest
    encoded = [e for e in m.documents if e.id in m.embedded]
    for doc, entry in bot.documents():
        if doc.id in added:
            pages = f", {doc.pages} pages" if doc.pages else ""
            print(f"added {doc.id} ({doc.path}{pages}): {entry.passages} passages")
    print(
        f"encoded {sum(e.passages for e in encoded)} passages and "
        f"{sum(e.sentences for e in encoded)} sentences of {len(encoded)} document(s); "
        f"kept the stored vectors of {m.document_count - len(encoded)} → {bot.settings.index_dir}"
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    bot = _load(args)
    for doc_id in args.doc_ids:
        bot.remove(doc_id)
        print(f"removed {doc_id}")
    m = bot.index.manifest
    print(f"{m.passage_count} passages from {m.document_count} document(s) remain")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """The corpus documents and their passage counts, from the manifest (no model needed)."""
    from .errors import IndexProblem
    from .ingest import documents
    from .store import index as index_mod

    settings = _settings(args)
    sources, warnings = documents.load_corpus(
        Path(settings.corpus_dir), known=index_mod.read_extracted(Path(settings.index_dir))
    )
    try:
        entries = {e.id: e for e in index_mod.read_manifest(Path(settings.index_dir)).documents}
    except IndexProblem:
        entries = {}
    rows = []
    for source in sources:
        doc = source.document
        entry = entries.get(doc.id)
        count = str(entry.passages) if entry and entry.sha256 == doc.sha256 else "not indexed"
        rows.append((doc.id, count, str(doc.pages or ""), doc.label, doc.path))
    if args.json:
        keys = ("id", "passages", "pages", "document", "file")
        print(json.dumps([dict(zip(keys, r)) for r in rows], ensure_ascii=False, indent=1))
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        header = ("id", "passages", "pages")
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  document")
        for r in rows:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths)) + f"  {r[3]} ({r[4]})")
    for warning in warnings:
        print(f"note: {warning}", file=sys.stderr)
    gone = sorted(set(entries) - {r[0] for r in rows})
    if gone:
        print(
            f"note: no longer in the corpus but still indexed: {', '.join(gone)}", file=sys.stderr
        )
    if gone or any(r[1] == "not indexed" for r in rows):
        print("note: the index is updated on the next build, search or ask", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from . import evaluate as ev

    items = ev.read_files([Path(f) for f in args.file])
    bot = _load(args)
    modes = ["hybrid", "dense", "lexical"] if args.all_modes else [args.mode]
    reports = [ev.evaluate_retrieval(bot, items, k=args.k, mode=mode) for mode in modes]
    answers = None if args.retrieval_only else ev.evaluate_answers(bot, items, k=args.k)
    cv = None
    if args.cv and answers is not None:
        from .calibrate_abstention import decisions, format_cv

        rows = [{**a, "kind": a["answer"].get("kind"), "evidence": a["answer"]["evidence"]} for a in answers.answers]
        cv = format_cv(rows, decisions(rows, k=args.cv), None, args.cv)
    if args.json:
        out: dict = {"retrieval": [r.model_dump() for r in reports]}
        if answers is not None:
            out["answers"] = answers.model_dump()
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(ev.format_retrieval(r) for r in reports))
        if answers is not None:
            print()
            print(ev.format_answers(answers))
        if cv:
            print()
            print(cv)
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibrate import calibrate

    print(calibrate(_settings(args), Path(args.manifest), k=args.cv, ranker_too=not args.abstention_only))
    return 0
