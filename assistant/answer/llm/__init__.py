"""The optional LLM answer mode: ask an OpenAI-compatible endpoint, then check every sentence.

A small local model writes fluent Vietnamese but drops citations, invents numbers and
follows instructions it finds in the passages, so nothing it writes is shown unchecked:

    messages = build_messages(question, language, hits)   # prompt.py: passages are data, [1]..[n]
    reply = complete(config, messages)                    # client.py: LLMError on any failure
    # or, as it is written: for piece in stream(config, messages): …   (stream.py)
    sentences = parse(reply)                              # prompt.py: [("WeChat có …", [1]), …]
    checked = judge(reply, hits, embedder)                # checks.py, facts.py: kept and removed

`answer` does it all with a whole reply and keeps the supported sentences.
"""

from .checks import (
    COS_CROSS_LANGUAGE,
    COS_SAME_LANGUAGE,
    THRESHOLD,
    Checked,
    answer,
    check,
    check_with_reasons,
    cosine_support,
    judge,
    lexical_support,
    same_language,
    support,
)
from .client import (
    CONNECT_TIMEOUT,
    LOCAL_IDLE_TIMEOUT,
    MAX_REPLY_BYTES,
    REMOTE_IDLE_TIMEOUT,
    LLMConfig,
    LLMError,
    complete,
    is_local,
)
from .facts import STOPWORDS, UNCHECKED_NAME_WORDS, missing_facts, names, number_forms, numbers
from .prompt import (
    LANGUAGES,
    MAX_PASSAGE_CHARS,
    NO_ANSWER,
    SYSTEM_PROMPT,
    build_messages,
    is_no_answer,
    parse,
)
from .stream import stream

__all__ = [
    "CONNECT_TIMEOUT",
    "COS_CROSS_LANGUAGE",
    "COS_SAME_LANGUAGE",
    "LANGUAGES",
    "LOCAL_IDLE_TIMEOUT",
    "MAX_PASSAGE_CHARS",
    "MAX_REPLY_BYTES",
    "NO_ANSWER",
    "REMOTE_IDLE_TIMEOUT",
    "STOPWORDS",
    "SYSTEM_PROMPT",
    "THRESHOLD",
    "UNCHECKED_NAME_WORDS",
    "Checked",
    "LLMConfig",
    "LLMError",
    "answer",
    "build_messages",
    "check",
    "check_with_reasons",
    "complete",
    "cosine_support",
    "is_local",
    "is_no_answer",
    "judge",
    "lexical_support",
    "missing_facts",
    "names",
    "number_forms",
    "numbers",
    "parse",
    "same_language",
    "stream",
    "support",
]
