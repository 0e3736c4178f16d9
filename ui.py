"""Start the web app: `python ui.py` serves the chat on http://127.0.0.1:7860.

The model and the index load once, before the server starts (the index is built on the
first run). Flags: --host, --port (or ASSISTANT_PORT; `make run PORT=N`), --auth user:password
or --auth-file FILE (one user:password a line), --share (off unless asked for), --public-url
(or ASSISTANT_PUBLIC_URL) for the address every copied link is made on, --llm-url/--llm-model
for the LLM answer mode, --corpus/--index/--model/--data-dir like the command line. Without a
port named, 7860 is used, or the next free port when 7860 is taken.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager
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


DEFAULT_PORT = 7860
# Where the port can be named, in the order they are read (GRADIO_SERVER_PORT: Gradio's own).
PORT_VARIABLES = ("ASSISTANT_PORT", "GRADIO_SERVER_PORT")
HOW_TO_CHOOSE = "make run PORT={n}, python ui.py --port {n}, or ASSISTANT_PORT={n}"


def wanted_port(args: argparse.Namespace, env=os.environ) -> tuple[int, bool]:
    """The port asked for and whether it was named (--port, ASSISTANT_PORT, GRADIO_SERVER_PORT)."""
    if args.port is not None:
        if not 0 < args.port < 65536:
            raise ValueError(f"--port {args.port} is not a port number (1-65535)")
        return args.port, True
    for name in PORT_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise ValueError(f"{name}={value!r} is not a port number (1-65535)")
            return int(value), True
    return DEFAULT_PORT, False


def port_is_free(host: str, port: int) -> bool:
    """Whether the server could bind host:port now (as Gradio does: SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return True  # a bad host is reported by the server itself
    for family, kind, proto, _, address in infos[:1]:
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(address)
            except OSError:
                return False
    return True


def next_free_port(host: str, port: int, tries: int = 100) -> int | None:
    return next(
        (p for p in range(port + 1, min(port + 1 + tries, 65536)) if port_is_free(host, p)), None
    )


def choose_port(host: str, port: int, named: bool) -> int:
    """The port to serve on: the one named, or 7860 or the next free one; ValueError when busy."""
    if port_is_free(host, port):
        return port
    free = next_free_port(host, port)
    if named or free is None:
        hint = HOW_TO_CHOOSE.format(n=free) if free else HOW_TO_CHOOSE.format(n="N")
        raise ValueError(f"port {port} on {host} is in use; choose another: {hint}")
    print(
        f"note: port {port} is in use; serving on {free} instead (choose one with "
        f"{HOW_TO_CHOOSE.format(n='N')})",
        file=sys.stderr,
    )
    return free


# Measured from `python ui.py` to a served page (README "Two commands", docs/measurements.md).
FIRST_RUN = "about 45 s on 2 idle cores, 2-4 minutes on a busy machine"
LATER_RUN = "about 5 s"
TICK_SECONDS = 15


def is_first_run(settings: Settings) -> bool:
    """Whether loading converts the model or builds the index (the slow first run)."""
    from assistant.embed.convert import MODEL_DIRNAME
    from assistant.settings import DEFAULT_MODEL

    converts = settings.model == DEFAULT_MODEL and not (settings.cache_dir / MODEL_DIRNAME).is_dir()
    return converts or not (settings.index_dir / "manifest.json").is_file()


@contextmanager
def ticking(started: float, every: float = TICK_SECONDS):
    """While loading: a line every `every` seconds saying it is still at work, and for how long."""
    done = threading.Event()

    def tick():
        while not done.wait(every):
            print(
                f"… still loading ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True
            )

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python ui.py", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        help="port (default $ASSISTANT_PORT, else 7860 or the next free port when it is taken)",
    )
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
    try:  # before the model loads: a busy port is said at once, not after a minute
        port, named = wanted_port(args)
        port = choose_port(args.host, port, named)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.host not in ("127.0.0.1", "localhost", "::1") and not auth:
        print(
            f"warning: serving on {args.host} without --auth: anyone on the network can use it",
            file=sys.stderr,
        )
    try:
        from assistant.api import Assistant

        started = time.monotonic()
        settings = settings_from(args)
        if is_first_run(settings):
            print(
                "First run: converting the model and building the index, once "
                f"({FIRST_RUN}; later starts {LATER_RUN})…",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(f"Loading the model and the index ({LATER_RUN})…", file=sys.stderr, flush=True)
        with ticking(started):
            bot = Assistant.load(settings)
        for notice in bot.notices:
            print(f"note: {notice}", file=sys.stderr)
        from assistant import app

        demo = app.build(bot, lang=args.language, public_url=args.public_url)
        print(
            f"Open http://{args.host}:{port} in a browser (Ctrl+C stops; "
            f"ready in {time.monotonic() - started:.0f} s).",
            file=sys.stderr,
        )
        if args.public_url:
            print(f"Copied links point to {args.public_url}", file=sys.stderr)
        app.launch(demo, host=args.host, port=port, auth=auth, share=args.share)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if not port_is_free(args.host, port):  # taken while the model loaded
            free = next_free_port(args.host, port)
            print(
                f"error: port {port} on {args.host} is in use; choose another: "
                + HOW_TO_CHOOSE.format(n=free or "N"),
                file=sys.stderr,
            )
        else:
            print(f"error: cannot serve on {args.host}:{port}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
