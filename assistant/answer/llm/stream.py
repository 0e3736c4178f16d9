"""The model's answer as it is written: OpenAI-compatible streaming, with timeouts that fit a CPU.

    for piece in stream(config, messages, tick=1.0):
        text += piece          # "" when `tick` seconds passed without a token: a heartbeat

A local model on a CPU reads the prompt for tens of seconds before its first token and
then writes a few tokens a second, so no fixed deadline fits it. Two timeouts do:

- connecting: `LLMConfig.connect_timeout` (a few seconds; a server that is not there
  fails fast);
- waiting for the next token (`LLMConfig.idle_timeout`): counted from the request until
  the first token, then from the last token received. A 60-second answer whose tokens
  arrive every second never times out; a server that stops sending does. Bytes that
  carry no token (keep-alive comments, a JSON body trickling in) do not reset it.

A server that answers with one JSON body instead of an event stream (it ignores
`"stream": true`) works too: its whole reply is the first and only piece.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections.abc import Iterator

import httpx

from .client import MAX_REPLY_BYTES, LLMConfig, LLMError, _content, _redact, is_local, request


def stream(config: LLMConfig, messages: list[dict], *, tick: float | None = None) -> Iterator[str]:
    """The reply's text, piece by piece as the server sends it; LLMError when it fails.

    With `tick`, an empty piece is yielded every `tick` seconds that pass without a
    token, so the caller can show that it is still waiting. Closing the iterator early
    stops the request.
    """
    key = os.environ.get(config.api_key_env) or None  # kept out of error messages
    headers, body = request(config, messages, stream=True)
    idle = config.idle_timeout
    pieces: queue.Queue[tuple[str, object]] = queue.Queue()
    stop = threading.Event()
    worker = threading.Thread(
        target=_read, args=(config, headers, body, pieces, stop), name="llm-stream", daemon=True
    )
    worker.start()
    received = 0
    deadline = time.monotonic() + idle
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LLMError(_idle_message(config, received))
            try:
                kind, value = pieces.get(timeout=min(left, tick) if tick else left)
            except queue.Empty:
                if tick and time.monotonic() < deadline:
                    yield ""
                continue
            if kind == "text":
                deadline = time.monotonic() + idle
                received += 1
                if value:
                    yield str(value)
            elif kind == "alive":  # a token the reader shows nobody (reasoning): still writing
                deadline = time.monotonic() + idle
            elif kind == "error":
                raise LLMError(_redact(str(value), key)) from None
            else:
                return
    finally:
        stop.set()


def _read(
    config: LLMConfig,
    headers: dict[str, str],
    body: dict,
    out: queue.Queue,
    stop: threading.Event,
) -> None:
    """The worker: reads the response and puts ("text"|"alive"|"error"|"done", value) on `out`."""
    url = config.endpoint
    # The caller's idle deadline counts tokens; this read timeout is only a backstop that
    # ends a worker whose caller has given up.
    timeout = httpx.Timeout(
        connect=config.connect_timeout,
        read=config.idle_timeout + 2.0,
        write=config.connect_timeout,
        pool=config.connect_timeout,
    )
    try:
        with httpx.Client(timeout=timeout, trust_env=not is_local(url)) as client:
            with client.stream("POST", url, json=body, headers=headers) as response:
                kind = response.headers.get("content-type", "")
                if response.status_code // 100 != 2 or "text/event-stream" not in kind:
                    raw = bytearray()
                    for chunk in response.iter_bytes():
                        if stop.is_set():
                            return
                        raw.extend(chunk)
                        if len(raw) > MAX_REPLY_BYTES:
                            raise LLMError(
                                f"the LLM endpoint sent more than {MAX_REPLY_BYTES:,} bytes"
                            )
                    text = _content(config, response.status_code, response.headers, bytes(raw))
                    out.put(("text", text))
                    out.put(("done", None))
                    return
                size = 0
                for line in response.iter_lines():
                    if stop.is_set():
                        return
                    size += len(line) + 1
                    if size > MAX_REPLY_BYTES:
                        raise LLMError(f"the LLM endpoint sent more than {MAX_REPLY_BYTES:,} bytes")
                    event = _event(line)
                    if event is None:
                        continue
                    if event == "[DONE]":
                        out.put(("done", None))
                        return
                    text, alive, finished = _delta(event)
                    if text:
                        out.put(("text", text))
                    elif alive:
                        out.put(("alive", None))
                    if finished:
                        out.put(("done", None))
                        return
        out.put(("error", LLMError("the LLM stream broke off before the model finished")))
    except LLMError as exc:
        out.put(("error", exc))
    except httpx.ConnectTimeout:
        out.put(("error", LLMError(
            f"cannot reach the LLM endpoint {url} within {config.connect_timeout:g} s; "
            "is the server running?"
        )))  # fmt: skip
    except httpx.ConnectError as exc:
        out.put(("error", LLMError(
            f"cannot reach the LLM endpoint {url}: is the server running? ({exc})"
        )))  # fmt: skip
    except httpx.ReadTimeout:
        out.put(("error", LLMError(_idle_message(config, None))))
    except httpx.RemoteProtocolError:
        out.put(("error", LLMError("the LLM stream broke off before the model finished")))
    except Exception as exc:  # anything else the stack raises is still "no answer"
        out.put(("error", LLMError(f"the LLM request failed: {type(exc).__name__}: {exc}")))


def _event(line: str) -> str | None:
    """The data of one server-sent-event line; None for comments, other fields, blanks."""
    if not line.startswith("data:"):
        return None
    return line[5:].strip() or None


def _delta(data: str) -> tuple[str, bool, bool]:
    """(text, any token at all, finished) from one streamed chunk; LLMError if it is not one.

    OpenAI servers send `choices[0].delta.content`; some send the whole `message`, the
    legacy `text`, or a reasoning model's `reasoning_content` (a token, not answer text).
    """
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise LLMError(f"the LLM stream sent something that is not JSON: {data[:80]!r}") from None
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise LLMError(f"the LLM endpoint reported an error: {str(message)[:200]}")
    try:
        choice = chunk["choices"][0]
    except (KeyError, IndexError, TypeError):
        return "", False, False  # a usage or keep-alive chunk
    delta = choice.get("delta") or choice.get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is None:
        content = choice.get("text")
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    text = content if isinstance(content, str) else ""
    reasoning = isinstance(delta, dict) and bool(delta.get("reasoning_content"))
    return text, bool(text) or reasoning, bool(choice.get("finish_reason"))


def _idle_message(config: LLMConfig, received: int | None) -> str:
    if not received:
        return (
            f"the LLM endpoint {config.endpoint} sent no answer within "
            f"{config.idle_timeout:g} s; raise --llm-timeout for a slow model"
        )
    return (
        f"the LLM endpoint stopped sending for {config.idle_timeout:g} s after {received} "
        "pieces of its answer"
    )
