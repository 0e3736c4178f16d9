"""The LLM mode of the assistant (`Settings.answer_mode` "llm"): a language model writes
the answer from the passages found, shown as Drafts while it writes; every sentence is
checked against the passages, and the extractive quotes go with it. When no model is
configured, it fails, or the passages support none of what it wrote, the extractive answer
stays, with a notice (used by `Assistant.ask_stream`, see `api.py`).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import AbstractContextManager

from .models import Answer, Draft, Hit


class LLMMode:
    """The LLM mode for `Assistant`: it expects `settings`, `index` and `embedder` on the
    instance."""

    def _with_llm(
        self, extractive: Answer, info, hits: list[Hit], guard: AbstractContextManager
    ) -> Generator[Draft, None, Answer]:
        """Drafts while the model writes; returns its checked answer with the extractive
        quotes, or the extractive answer with a notice when it fails."""
        from .answer import extractive as answer_mod
        from .answer import llm
        from .answer.supporting import with_quotes

        s = self.settings
        if not (s.llm_url and s.llm_model):
            extractive.notice = (
                "LLM mode needs --llm-url and --llm-model; showing the extractive answer."
            )
            return extractive
        text, pieces, started = "", 0, time.monotonic()
        try:
            config = llm.LLMConfig(
                url=s.llm_url,
                model=s.llm_model,
                api_key_env=s.llm_api_key_env,
                timeout=s.llm_timeout,
            )
            messages = llm.build_messages(info.normalized, info.language, hits)
            yield Draft()
            for piece in llm.stream(config, messages, tick=1.0):
                if piece:
                    text, pieces = text + piece, pieces + 1
                yield Draft(text=text, pieces=pieces, seconds=round(time.monotonic() - started, 1))
        except (llm.LLMError, ValueError) as exc:
            extractive.notice = (
                f"The language model could not answer ({exc}); showing the extractive answer."
            )
            return extractive
        with guard:
            checked = llm.judge(text, hits, self.embedder)
        if not checked.kept:
            extractive.notice = (
                f"The language model's answer was not supported by the passages "
                f"({checked.notice}); showing the extractive answer."
            )
            extractive.removed = checked.removed
            return extractive
        written = answer_mod.from_llm(info, hits, checked.kept, self.index, notice=checked.notice)
        written.removed = checked.removed
        return with_quotes(written, extractive)
