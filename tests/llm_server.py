"""A scripted OpenAI-compatible chat server on 127.0.0.1 for the LLM tests (real HTTP, no mocks).

Each request takes the next step of the script: a whole JSON reply (`reply`, `respond`)
or an event stream (`stream`) whose pieces come at a set pace, and which can end
properly, stall (send nothing more until the test ends) or drop the connection.

    with serve() as fake:
        fake.stream(["WeChat có ", "hơn 1 tỷ người dùng [1]."], every=0.2)
        ...  # point LLMConfig(url=fake.url, …) at it
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal


class FakeLLM:
    """What the server answers (in order), what it was asked, and when it sent each piece."""

    def __init__(self) -> None:
        self.script: list[dict] = []
        self.requests: list[dict] = []
        self.sent: list[float] = []  # time.monotonic() of each streamed piece
        self.release = threading.Event()  # set at teardown: slow handlers stop waiting
        self.proceed = threading.Event()  # a held stream goes on when the test sets it
        self.url = ""

    def reply(self, content: str | None) -> None:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "qwen2.5:1.5b",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        self.respond(200, json.dumps(body, ensure_ascii=False))

    def respond(
        self,
        status: int,
        body: str,
        *,
        headers: dict | None = None,
        delay: float = 0.0,
        trickle: bool = False,
    ) -> None:
        self.script.append(
            {
                "status": status,
                "body": body.encode(),
                "headers": headers or {},
                "delay": delay,
                "trickle": trickle,
            }
        )

    def stream(
        self,
        pieces: list[str],
        *,
        every: float = 0.0,
        first: float | None = None,
        end: Literal["done", "stall", "drop"] = "done",
        keepalive: float | None = None,
        hold: int | None = None,
    ) -> None:
        """An event stream: `pieces` one `every` seconds apart (the first after `first`).

        `end`: "done" finishes properly, "stall" keeps the connection open and silent,
        "drop" closes it without finishing. `keepalive` sends an SSE comment that often
        while waiting (bytes that carry no token). `hold`: after that many pieces, wait
        until the test sets `proceed` (proof without timing that pieces arrive one by one).
        """
        self.script.append(
            {
                "stream": pieces,
                "every": every,
                "first": every if first is None else first,
                "end": end,
                "keepalive": keepalive,
                "hold": hold,
            }
        )

    @property
    def last(self) -> dict:
        return self.requests[-1]


def _chunk(content: str, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


class Handler(BaseHTTPRequestHandler):
    fake: FakeLLM

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.fake.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)}
        )
        step = (
            self.fake.script.pop(0)
            if self.fake.script
            else {"status": 500, "body": b"no script", "headers": {}, "delay": 0, "trickle": False}
        )
        try:
            if "stream" in step:
                self._stream(step)
            else:
                self._whole(step)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _whole(self, step: dict) -> None:
        if step["delay"]:
            self.fake.release.wait(step["delay"])
        self.send_response(step["status"])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(step["body"])))
        for name, value in step["headers"].items():
            self.send_header(name, value)
        self.end_headers()
        if step["trickle"]:  # one byte every 0.1 s: no single read ever times out
            for byte in step["body"]:
                if self.fake.release.wait(0.1):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        else:
            self.wfile.write(step["body"])

    def _stream(self, step: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # no length: the body ends when the connection closes
        self.wfile.flush()
        for i, piece in enumerate(step["stream"]):
            if i and i == step["hold"]:
                while not self.fake.proceed.wait(0.05):
                    if self.fake.release.is_set():
                        return
            if self._wait(step["first"] if i == 0 else step["every"], step["keepalive"]):
                return
            self.wfile.write(_chunk(piece))
            self.wfile.flush()
            self.fake.sent.append(time.monotonic())
        if step["end"] == "stall":
            self._wait(3600, step["keepalive"])
            return
        if step["end"] == "drop":
            return
        self.wfile.write(_chunk("", "stop") + b"data: [DONE]\n\n")
        self.wfile.flush()

    def _wait(self, seconds: float, keepalive: float | None) -> bool:
        """Wait `seconds` (sending keep-alive comments if asked); True when the test ended."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            if self.fake.release.wait(min(left, keepalive or left)):
                return True
            if keepalive and until - time.monotonic() > 0:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        return self.fake.release.is_set()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve() -> Iterator[FakeLLM]:
    """A scripted server on a free port of 127.0.0.1, stopped (and its waits released) after."""
    fake = FakeLLM()
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("ScriptedHandler", (Handler,), {"fake": fake})
    )
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield fake
    finally:
        fake.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)
