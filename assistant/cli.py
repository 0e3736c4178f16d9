"""The command line: `python -m assistant build | add | remove | list | search | ask | brief | eval …`.

Errors are printed as one message for people, with a non-zero exit; never a traceback.
The subcommands' handlers are in `cli_commands.py`; this module parses and dispatches.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .cli_commands import (
    cmd_add,
    cmd_ask,
    cmd_brief,
    cmd_build,
    cmd_calibrate,
    cmd_eval,
    cmd_list,
    cmd_remove,
    cmd_search,
)
from .errors import AssistantError


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
        p.add_argument(
            "--backend",
            choices=["torch", "onnx", "onnx-int8"],
            help="how the model runs (default onnx: ONNX Runtime fp32, same vectors as torch; see bench/)",
        )
        p.add_argument(
            "--no-glossary", dest="glossary", action="store_false", default=None,
            help="answer English questions without the hand-made glossary (to measure what it adds)",
        )  # fmt: skip

    p = sub.add_parser("build", help="(re)build the index from the corpus")
    common(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("search", help="show the passages that best match a query")
    common(p)
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument("--section", help="only passages whose section path contains this text")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document (repeat)")
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
        "--conversation",
        type=Path,
        metavar="FILE.jsonl",
        help='earlier turns from a file, one {"question": …} a line, oldest first (before --history)',
    )
    p.add_argument(
        "--llm-url",
        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (key from $ASSISTANT_LLM_API_KEY)",
    )
    p.add_argument("--llm-model", help="model name at that endpoint")
    p.add_argument(
        "--llm-timeout",
        type=float,
        metavar="SECONDS",
        help="how long to wait for the model's next token, the first one included "
        "(default 300 for a server on this machine, 60 for a remote one; $ASSISTANT_LLM_TIMEOUT)",
    )
    p.add_argument(
        "--doc", action="append", metavar="DOC_ID", help="answer from this document (repeat)"
    )
    p.add_argument("--section", help="answer from passages whose section path contains this")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "brief", help="a cited extractive brief of a section, a country or the whole document"
    )
    common(p)
    p.add_argument(
        "section",
        nargs="?",
        help='a section ("2.4", "Singapo", "Japan", "Hàm ý chính sách") or a request; '
        "none: the whole document",
    )
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="of this document")
    p.add_argument("--list", action="store_true", help="list the sections that have a brief")
    p.add_argument("--json", action="store_true", help="print the brief as JSON")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser(
        "add", help="copy .pdf, .docx, .md or .txt files into the corpus and index them"
    )
    common(p)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument(
        "--force", action="store_true", help="add a file even if its text is already indexed"
    )
    p.add_argument(
        "--ocr",
        action="store_true",
        help="read PDFs by OCR (ocrmypdf) even when they have a text layer; "
        "scans without one are OCR'd anyway when it is installed",
    )
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="take documents out of the corpus and the index")
    common(p)
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="as `list` shows it")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("list", help="show the documents with their passage counts")
    common(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "eval", help="measure retrieval and answers on JSONL question sets (and conversations)"
    )
    common(p)
    p.add_argument("file", nargs="+", help="question files in the dev-set format")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    p.add_argument(
        "--all-modes", action="store_true", help="also report dense-only and lexical-only"
    )
    p.add_argument("--retrieval-only", action="store_true", help="skip the answer metrics")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--cv", type=int, metavar="K", help="also print the abstention model's K-fold cross-validated figures"
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "calibrate",
        help="refit the sentence ranker and the abstention model on the manifest's corpora and question sets "
        "(writes answer/ranker.json and answer/abstention.json)",
    )
    common(p)
    p.add_argument(
        "manifest", nargs="?", default="eval/calibration.json",
        help="corpora and question files to fit on (default eval/calibration.json)",
    )  # fmt: skip
    p.add_argument("--cv", type=int, default=5, metavar="K", help="folds for the reported figures")
    p.add_argument(
        "--abstention-only", action="store_true",
        help="keep the saved sentence ranker and refit the abstention model alone (after a change to what it reads)",
    )  # fmt: skip
    p.set_defaults(func=cmd_calibrate)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    index = getattr(args, "index", None)
    if index and Path(index).exists() and not Path(index).is_dir():
        print(f"error: --index {index} is a file; give a folder (it is created if missing)", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`… | head -1`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
