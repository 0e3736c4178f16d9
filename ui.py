"""Start the web app: `python ui.py` serves the chat on http://127.0.0.1:7860.

The model and the index load once, before the server starts (the index is built on the
first run). Flags: --host, --port, --auth user:password or --auth-file FILE (one
user:password a line), --share (off unless asked for), --public-url (or ASSISTANT_PUBLIC_URL)
for the address every copied link is made on, --llm-url/--llm-model for the LLM answer mode,
--corpus/--index/--model/--data-dir like the command line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import Settings


def parse_auth(value: str) -> tuple[str, str]:
    """'user:password' as a pair; the password may itself contain ':'."""
    user, sep, password = value.strip().partition(":")
    if not sep or not user or not password:
        raise ValueError("write it as user:password (both non-empty)")
    return user, password


def read_auth_file(path: Path) -> list[tuple[str, str]]:
    """The users of a file with one user:password a line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    users = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            users.append(parse_auth(line))
        except ValueError as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from exc
    if not users:
        raise ValueError(f"{path} has no user:password line")
    return users


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python ui.py", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--auth", metavar="USER:PASSWORD", help="require this login")
    who.add_argument(
        "--auth-file", type=Path, metavar="FILE", help="logins, one user:password a line"
    )
    p.add_argument("--share", action="store_true", help="also open a public gradio.live link")
    p.add_argument(
        "--public-url",
        default=os.environ.get("ASSISTANT_PUBLIC_URL") or None,
        metavar="URL",
        help="the address colleagues open the app at (e.g. https://hoidap.example.vn/); every "
        "copied passage link is made on it (default: $ASSISTANT_PUBLIC_URL, else the page's own)",
    )
    p.add_argument(
        "--language", choices=["vi", "en"], default="vi", help="UI language (default vi)"
    )
    p.add_argument("--corpus", type=Path, help="folder of documents (default: corpus/)")
    p.add_argument("--index", type=Path, help="index folder (default: index/)")
    p.add_argument("--model", help="sentence-transformers model name or folder")
    p.add_argument(
        "--backend",
        choices=["torch", "onnx", "onnx-int8"],
        help="how the model runs (default onnx: ONNX Runtime fp32, same vectors as torch; see bench/)",
    )
    p.add_argument("--data-dir", type=Path, help="where feedback is saved (default: data/)")
    p.add_argument("--llm-url", help="OpenAI-compatible endpoint for the LLM answer mode")
    p.add_argument("--llm-model", help="model name at that endpoint")
    p.add_argument(
        "--llm-timeout",
        type=float,
        metavar="SECONDS",
        help="seconds to wait for the model's next token (default 300 local, 60 remote)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress and details")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus_dir=args.corpus,
        index_dir=args.index,
        model=args.model,
        backend=args.backend,
        data_dir=args.data_dir,
        llm_url=args.llm_url,
        llm_model=args.llm_model,
        llm_timeout=args.llm_timeout,
        answer_mode="llm" if args.llm_url and args.llm_model else None,
    )


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        p.error(f"--public-url: write it as http(s)://host[:port]/path, not {args.public_url!r}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    try:
        auth = [parse_auth(args.auth)] if args.auth else None
        if args.auth_file:
            auth = read_auth_file(args.auth_file)
    except ValueError as exc:
        p.error(f"--auth: {exc}" if args.auth else f"--auth-file: {exc}")
    if args.host not in ("127.0.0.1", "localhost", "::1") and not auth:
        print(
            f"warning: serving on {args.host} without --auth: anyone on the network can use it",
            file=sys.stderr,
        )
    try:
        from assistant.api import Assistant

        print("Loading the model and the index (the first run builds the index)…", file=sys.stderr)
        bot = Assistant.load(settings_from(args))
        for notice in bot.notices:
            print(f"note: {notice}", file=sys.stderr)
        from assistant import app

        demo = app.build(bot, lang=args.language, public_url=args.public_url)
        print(f"Open http://{args.host}:{args.port} in a browser (Ctrl+C stops).", file=sys.stderr)
        if args.public_url:
            print(f"Copied links point to {args.public_url}", file=sys.stderr)
        app.launch(demo, host=args.host, port=args.port, auth=auth, share=args.share)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
