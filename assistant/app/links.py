"""Only http(s) links stay live in what the app shows and exports.

Documents are data. A Markdown link in a document, `[click](javascript:alert(1))`, would
become a live link once the chat (which renders Markdown) or an exported conversation shows
the quote. Links to http(s) are kept; any other target is written out as plain text.

>>> inert("see [the site](https://example.org) or [this](javascript:alert(1))")
'see [the site](https://example.org) or this (javascript:alert(1))'
>>> inert("<javascript:alert(1)> and <https://example.org>")
'javascript:alert(1) and <https://example.org>'
"""

from __future__ import annotations

import re

# [label](target "title"), the target possibly in <>; nested parentheses one level deep.
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+[^)]*)?\)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]*)>")
_AUTOLINK_ESCAPED = re.compile(r"&lt;([a-zA-Z][a-zA-Z0-9+.-]{1,31}:(?:(?!&gt;)[^<>\s])*)&gt;")
_LIVE = re.compile(r"^https?://", re.IGNORECASE)


def inert(text: str) -> str:
    """`text` with every Markdown link or autolink whose target is not http(s) made plain."""

    def link(m: re.Match) -> str:
        bang, label, target = m.groups()
        if _LIVE.match(target):
            return m.group(0)
        return f"{label} ({target})" if label else target

    def auto(m: re.Match) -> str:
        return m.group(0) if _LIVE.match(m.group(1)) else m.group(1)

    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(auto, text)
    return _AUTOLINK_ESCAPED.sub(auto, text)
