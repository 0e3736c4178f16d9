"""The endpoint: where it is, how long to wait for it, and one whole reply from it.

`stream.py` reads the reply as it is written; `complete` waits for all of it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import BaseModel, Field, field_validator

# The server's JSON answer is read into memory; a reply larger than this is not an answer.
MAX_REPLY_BYTES = 2_000_000

# Seconds to wait for the next piece of an answer (see `LLMConfig.timeout`). A small
# model on this 2-core machine (Qwen2.5 0.5B, llama.cpp) took over 20 s to read five
# passages before its first token; a 3-7B model takes minutes. A hosted one answers fast.
LOCAL_IDLE_TIMEOUT = 300.0
REMOTE_IDLE_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0


def is_local(url: str) -> bool:
    """Whether the endpoint is on this machine (a CPU model; no proxy is ever right for it).

    >>> is_local("http://127.0.0.1:11434/v1"), is_local("https://api.example.org/v1")
    (True, False)
    """
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")


class LLMConfig(BaseModel):
    """Where the OpenAI-compatible chat endpoint is and how to call it.

    `url` is the server's base URL. A URL without a path gets `/v1` appended, so
    `http://127.0.0.1:11434` and `http://127.0.0.1:11434/v1` (trailing slash or not) are
    the same endpoint; a URL with a path is used as given (`https://host/api/v1`), and a
    URL that already ends with `/chat/completions` is used as is.

    The API key is never stored here: it is read from the environment variable named by
    `api_key_env` at call time and sent as `Authorization: Bearer …` when set.

    `timeout` is how long to wait for the next piece of the answer, in seconds: for the
    first one from when the request is sent, then from the last one received (a reply
    sent whole is one piece). None picks it by endpoint (`idle_timeout`): a model on this
    machine runs on a CPU and reads the prompt slowly. `connect_timeout` bounds connecting.
    """

    url: str
    model: str = Field(min_length=1)
    api_key_env: str = "ASSISTANT_LLM_API_KEY"
    timeout: float | None = Field(None, gt=0, le=3600)
    connect_timeout: float = Field(CONNECT_TIMEOUT, gt=0, le=60)
    max_tokens: int = Field(400, gt=0)
    temperature: float = Field(0.0, ge=0, le=2)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"the LLM url {value!r} is not an http(s) URL; give the server's base URL, "
                "e.g. http://127.0.0.1:11434/v1"
            )
        return value

    @property
    def idle_timeout(self) -> float:
        """`timeout`, or the default for the endpoint: generous for a local one.

        >>> LLMConfig(url="http://127.0.0.1:8080", model="m").idle_timeout
        300.0
        """
        if self.timeout is not None:
            return self.timeout
        return LOCAL_IDLE_TIMEOUT if is_local(self.url) else REMOTE_IDLE_TIMEOUT

    @property
    def endpoint(self) -> str:
        """The chat completions URL.

        >>> LLMConfig(url="http://127.0.0.1:11434/", model="m").endpoint
        'http://127.0.0.1:11434/v1/chat/completions'
        """
        parts = urlsplit(self.url)
        path = parts.path.rstrip("/")
        if not path.endswith("/chat/completions"):
            path = (path or "/v1") + "/chat/completions"
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


class LLMError(Exception):
    """The endpoint could not give an answer; the message says why, in a few words."""


# ---------------------------------------------------------------- transport



def request(config: LLMConfig, messages: list[dict], *, stream: bool) -> tuple[dict, dict]:
    """The headers and JSON body of a chat-completions request (the API key, if any, from
    `config.api_key_env`); `stream` asks for server-sent events."""
    key = os.environ.get(config.api_key_env) or None
    headers = {"Accept": "text/event-stream, application/json" if stream else "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = {
        "model": config.model,
        "messages": messages,
        "max_tokens": config.max_tokens,
        "temperature": config.temperature,
        "stream": stream,
    }
    return headers, body


def complete(config: LLMConfig, messages: list[dict]) -> str:
    """The assistant message content for `messages`, or LLMError.

    The request runs in a worker thread and the caller waits at most `config.timeout`
    seconds: httpx's timeouts are per operation (a server that trickles one byte a
    second never trips a read timeout), so only a deadline bounds the whole call. No
    retries: a retry could double the wait. The worker, if abandoned, stops on its own
    within about one more `timeout` (its own timeouts and deadline checks).
    """
    key = os.environ.get(config.api_key_env) or None  # kept out of error messages
    headers, body = request(config, messages, stream=False)
    deadline = time.monotonic() + config.idle_timeout
    outcome: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["reply"] = _post(config, headers, body, deadline)
        except LLMError as exc:
            outcome["error"] = exc
        except Exception as exc:  # anything else the stack raises is still "no answer"
            outcome["error"] = LLMError(f"the LLM request failed: {type(exc).__name__}: {exc}")
        finally:
            done.set()

    threading.Thread(target=run, name="llm-request", daemon=True).start()
    if not done.wait(max(0.0, deadline - time.monotonic())):
        raise LLMError(_timeout_message(config))
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, LLMError)
        raise LLMError(_redact(str(error), key)) from None
    reply = outcome["reply"]
    assert isinstance(reply, str)
    return reply


def _post(config: LLMConfig, headers: dict[str, str], body: dict, deadline: float) -> str:
    url = config.endpoint
    # A proxy from the environment is never right for a server on this machine.
    trust_env = not is_local(url)
    timeout = httpx.Timeout(config.idle_timeout, connect=config.connect_timeout)
    try:
        with httpx.Client(timeout=timeout, trust_env=trust_env, follow_redirects=False) as client:
            with client.stream("POST", url, json=body, headers=headers) as response:
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw.extend(chunk)
                    if len(raw) > MAX_REPLY_BYTES:
                        raise LLMError(f"the LLM endpoint sent more than {MAX_REPLY_BYTES:,} bytes")
                    if time.monotonic() > deadline:
                        raise LLMError(_timeout_message(config))
    except httpx.TimeoutException:
        raise LLMError(_timeout_message(config)) from None
    except httpx.ConnectError as exc:
        raise LLMError(
            f"cannot reach the LLM endpoint {url}: is the server running? ({exc})"
        ) from None
    except httpx.HTTPError as exc:
        raise LLMError(f"the LLM request to {url} failed: {type(exc).__name__}: {exc}") from None
    return _content(config, response.status_code, response.headers, bytes(raw))


def _content(config: LLMConfig, status: int, headers: httpx.Headers, raw: bytes) -> str:
    """The reply text from an OpenAI-style chat completion, or LLMError saying what is wrong."""
    url = config.endpoint
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not 200 <= status < 300:
        detail = _error_detail(data) or raw[:200].decode("utf-8", "replace").strip()
        detail = f": {detail[:200]}" if detail else ""
        if status == 429:
            wait = headers.get("retry-after")
            hint = f"retry after {wait} s" if wait else "wait and try again"
            raise LLMError(f"the LLM endpoint is rate limiting requests (HTTP 429); {hint}{detail}")
        if status in (401, 403):
            raise LLMError(
                f"the LLM endpoint refused the request (HTTP {status}); "
                f"check the API key in ${config.api_key_env}{detail}"
            )
        if status == 404:
            raise LLMError(
                f"HTTP 404 from {url}; check the url and the model name {config.model!r}{detail}"
            )
        raise LLMError(f"the LLM endpoint answered HTTP {status}{detail}")
    if data is None:
        raise LLMError(
            f"the LLM endpoint {url} did not answer with JSON; is the url an OpenAI-compatible API?"
        )
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        detail = _error_detail(data)
        raise LLMError(
            "the LLM reply has no choices[0].message.content"
            + (f": {detail[:200]}" if detail else "")
        ) from None
    if isinstance(content, list):  # some servers send content parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        raise LLMError("the LLM reply has no text content (null or not a string)")
    return content


def _error_detail(data: object) -> str:
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    return str(error).strip() if error else ""


def _timeout_message(config: LLMConfig) -> str:
    return f"the LLM endpoint {config.endpoint} did not answer within {config.idle_timeout:g} s"


def _redact(text: str, key: str | None) -> str:
    return text.replace(key, "***") if key else text
