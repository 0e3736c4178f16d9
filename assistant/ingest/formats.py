"""Read a file into its source text, what its format knows about structure, and its metadata.

Each reader returns an `Extracted`: the source text that passage offsets point into, a
`Layout` (marked headings, page starts, furniture lines) and the metadata the file itself
carries. Nothing is removed from a source text after it is made; lines that are not content
are marked as furniture instead, so every offset stays exact.

- `.txt`: the file as it is. Structure is recognised from the text (the bulletin).
- `.md`: the file as it is. `#` and underlined headings (outside code fences) are marked; a
  front-matter block (`---` … `---`) and thematic breaks are furniture, and the front
  matter's `key: value` lines are metadata.
- `.pdf` (pypdf): one text per page, joined by `PAGE_BREAK`. Lines of a paragraph are joined
  by a space and paragraphs by a blank line; a paragraph ends where the gap between lines
  widens, the font size changes, or a short line closes a sentence. Lines repeated at the
  top or bottom of most pages (running headers and footers) and page-number lines are
  furniture. A PDF without a text layer (a scan) is an error that says so.
- `.docx` (python-docx): paragraphs and tables in reading order, a blank line between them.
  Paragraph styles "Title" and "Heading 1…9" (or an outline level) are marked headings.
  Pages come from the page breaks Word saved when it last laid the file out, or else from
  hard page breaks; a file with neither has no page numbers.

>>> extracted = read_markdown_text("# Tiêu đề\\nMột đoạn văn.\\n")
>>> [(h.level, h.title) for h in extracted.layout.headings]
[(1, 'Tiêu đề')]
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError
from .extracted import PAGE_BREAK, SUFFIXES, Extracted
from .readers.docx import read_docx
from .readers.pdf import read_pdf
from .readers.txt_md import META_KEYS, read_markdown_text, read_text

__all__ = [
    "META_KEYS",
    "PAGE_BREAK",
    "SUFFIXES",
    "Extracted",
    "read",
    "read_docx",
    "read_markdown_text",
    "read_pdf",
    "read_text",
]


def read(path: Path, *, ocr: bool | None = None) -> Extracted:
    """Read any supported file; CorpusError says why a file cannot be read.

    `ocr` is for PDFs (see `read_pdf`): True to OCR it anyway, None to OCR a scan.
    """
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return read_pdf(path, ocr=ocr)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".md":
        return read_markdown_text(read_text(path).text)
    if suffix == ".txt":
        return read_text(path)
    hint = " (save it as .docx)" if suffix == ".doc" else ""
    raise CorpusError(
        f"{path.name}: unsupported format {path.suffix!r}{hint}; supported: {', '.join(SUFFIXES)}"
    )


