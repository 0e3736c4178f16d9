"""The line that introduces quotes in a language other than the question's.

Answers quote the documents verbatim, never translated. When the quotes are not in the
question's language, one line before them says in which language they are, in the
question's language; when they are, nothing needs saying.

>>> heading("en", ["vi"])
'The bulletin says (quoted in Vietnamese, its original language):'
>>> heading("en", ["en"]) is None
True
>>> heading("vi", ["en"])
'Trích nguyên văn (tiếng Anh, ngôn ngữ gốc của tài liệu):'
"""

from __future__ import annotations

_NAMES = {
    "en": {"vi": "Vietnamese", "en": "English"},
    "vi": {"vi": "tiếng Việt", "en": "tiếng Anh"},
}


def heading(question_language: str, quote_languages: list[str]) -> str | None:
    """The introduction for quotes in `quote_languages` ('vi', 'en') answering a question in
    `question_language` ('vi', 'vi-unaccented', 'en'); None when they are all in its language.
    """
    asked = "en" if question_language == "en" else "vi"
    quoted = list(dict.fromkeys(quote_languages))
    if not quoted or quoted == [asked]:
        return None
    names = [_NAMES[asked].get(lang, lang) for lang in quoted]
    if asked == "en":
        if quoted == ["vi"]:
            return "The bulletin says (quoted in Vietnamese, its original language):"
        return f"The documents say (quoted in {' and '.join(names)}, their original languages):"
    if len(quoted) == 1:
        return f"Trích nguyên văn ({names[0]}, ngôn ngữ gốc của tài liệu):"
    return f"Trích nguyên văn ({' và '.join(names)}, ngôn ngữ gốc của các tài liệu):"
