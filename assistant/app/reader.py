"""The bulletin as a book to read: its table of contents, a section's paragraphs, citations.

A section is named by a key, `"<doc id>|<heading> › <heading> …"` (the heading path as the
passages carry it; an empty path is the whole document). Every passage has a stable link,
`?p=<passage id>`, which opens the reader at it; its "copy citation" button carries the
citation text (issue, section path, ¶, page, then the quote) for the page's script to copy.

>>> section_key("doc", ["2. Kinh nghiệm", "2.4. Singapo"])
'doc|2. Kinh nghiệm › 2.4. Singapo'
>>> split_key("doc|2. Kinh nghiệm › 2.4. Singapo")
('doc', ['2. Kinh nghiệm', '2.4. Singapo'])
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..models import SECTION_SEP, Document, Passage
from .render_common import escape, highlight, link

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "toc": "Mục lục",
        "passages": "đoạn",
        "copy": "Chép trích dẫn",
        "copied": "Đã chép trích dẫn",
        "link": "Liên kết",
        "page": "tr.",
        "pick": "Chọn một mục trong mục lục để đọc.",
        "no_section": "Không có mục này trong chỉ mục hiện tại.",
        "no_passage": "Không có đoạn văn “{id}” trong chỉ mục hiện tại; có thể bản tin đã thay đổi.",
        "front": "Phần đầu",
    },
    "en": {
        "toc": "Contents",
        "passages": "passages",
        "copy": "Copy citation",
        "copied": "Citation copied",
        "link": "Link",
        "page": "p.",
        "pick": "Pick a section in the contents to read it.",
        "no_section": "This section is not in the current index.",
        "no_passage": "There is no passage “{id}” in the current index; the bulletin may have changed.",
        "front": "Front matter",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["vi"])


class Section(BaseModel):
    """A node of the table of contents: a heading path and the passages in it and below."""

    doc_id: str
    path: list[str] = Field(default_factory=list)
    count: int = 0
    children: list[Section] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return section_key(self.doc_id, self.path)

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else ""


def section_key(doc_id: str, path: list[str]) -> str:
    return f"{doc_id}|{SECTION_SEP.join(path)}"


def split_key(key: str) -> tuple[str, list[str]]:
    """The document id and heading path of a section key; ValueError when it is not one."""
    doc_id, sep, path = str(key).partition("|")
    if not sep or not doc_id:
        raise ValueError(f"not a section key: {str(key)[:80]!r}")
    return doc_id, path.split(SECTION_SEP) if path else []


def toc(passages: list[Passage]) -> list[Section]:
    """One tree per document, in reading order: each node counts the passages under it.

    >>> p = Passage(id="d#1", doc_id="d", section=["1. A", "(a) B"], text="x", spans=[])
    >>> [(s.title, s.count, [c.title for c in s.children]) for s in toc([p])[0].children]
    [('1. A', 1, ['(a) B'])]
    """
    roots: dict[str, Section] = {}
    for p in passages:
        node = roots.setdefault(p.doc_id, Section(doc_id=p.doc_id))
        node.count += 1
        for depth in range(1, len(p.section) + 1):
            path = p.section[:depth]
            child = next((c for c in node.children if c.path == path), None)
            if child is None:
                child = Section(doc_id=p.doc_id, path=path)
                node.children.append(child)
            child.count += 1
            node = child
    return list(roots.values())


def in_section(passages: list[Passage], key: str) -> list[Passage]:
    """The passages of a section and its sub-sections, in reading order."""
    doc_id, path = split_key(key)
    return [p for p in passages if p.doc_id == doc_id and p.section[: len(path)] == path]


def reading_key(passage: Passage) -> str:
    """The section the reader opens for a passage: its sub-section (two levels), not the whole part."""
    return section_key(passage.doc_id, passage.section[:2])


def find_passage(passages: list[Passage], value: str) -> Passage | None:
    """The passage a `?p=` value names: its full id, or the part after '#' alone."""
    value = str(value or "").strip()
    if not value:
        return None
    for p in passages:
        if p.id == value or (("#" not in value) and p.id.endswith("#" + value)):
            return p
    return None


def citation_text(
    passage: Passage, document: Document | None, *, lang: str = "vi", quote_text: str = ""
) -> str:
    """What "copy citation" copies: where the passage is, then the quote (the page adds the link).

    >>> p = Passage(id="d#1", doc_id="d", section=["2.4. Singapo"], paragraph=3, page=5, text="Câu.", spans=[])
    >>> print(citation_text(p, Document(id="d", path="d.pdf", title="Bản tin", issue="Số 2/2021")))
    Số 2/2021 – Bản tin · 2.4. Singapo · ¶3 · tr. 5
    “Câu.”
    """
    parts = [document.label if document else passage.doc_id, passage.section_path]
    parts.append(f"¶{passage.paragraph}")
    if passage.page:
        parts.append(f"{labels(lang)['page']} {passage.page}")
    where = " · ".join(part for part in parts if part)
    return f"{where}\n“{quote_text or passage.text}”"


def toc_html(
    trees: list[Section], documents: dict[str, Document], *, lang: str = "vi", current: str = ""
) -> str:
    """The table of contents: nested lists of section buttons with their passage counts."""
    lab = labels(lang)

    def node(s: Section, depth: int) -> str:
        title = s.title or (documents[s.doc_id].label if s.doc_id in documents else s.doc_id)
        active = " ba-current" if s.key == current else ""
        button = (
            f'<button type="button" class="ba-sec{active}" value="{escape(s.key)}">'
            f'<span class="ba-sec-t">{escape(title)}</span> '
            f'<span class="ba-count" title="{escape(lab["passages"])}">{s.count}</span></button>'
        )
        if not s.children:
            return f"<li>{button}</li>"
        inner = "".join(node(c, depth + 1) for c in s.children)
        # Parts and countries start unfolded; deeper levels fold.
        opened = " open" if depth < 2 else ""
        return f"<li><details{opened}><summary>{button}</summary><ul>{inner}</ul></details></li>"

    items = "".join(node(t, 0) for t in trees)
    return (
        f'<nav class="ba-toc" aria-label="{escape(lab["toc"])}">'
        f'<div class="ba-h">{escape(lab["toc"])}</div><ul>{items}</ul></nav>'
    )


def section_html(
    passages: list[Passage],
    key: str,
    documents: dict[str, Document],
    *,
    focus: str = "",
    start: int = 0,
    end: int = 0,
    lang: str = "vi",
    base: str = "",
) -> str:
    """A section's paragraphs under their sub-headings, each with ¶, page, link and copy button
    (the link on `base`, the app's public address, when there is one)."""
    lab = labels(lang)
    try:
        doc_id, path = split_key(key)
    except ValueError:
        return f'<div class="ba-reader ba-empty">{escape(lab["pick"])}</div>'
    shown = in_section(passages, key)
    if not shown:
        return f'<div class="ba-reader ba-empty">{escape(lab["no_section"])}</div>'
    document = documents.get(doc_id)
    crumbs = ([document.label] if document else [doc_id]) + path
    crumb_html = '<span class="ba-sep"> › </span>'.join(
        f'<span class="ba-crumb">{escape(c)}</span>' for c in crumbs
    )
    parts = [
        f'<div class="ba-reader" data-section="{escape(key)}">'
        f'<nav class="ba-crumbs">{crumb_html}</nav>'
    ]
    heading: list[str] = path
    for p in shown:
        if p.section != heading:
            # The headings this passage opens below the section being read.
            same = next(
                (i for i, (a, b) in enumerate(zip(p.section, heading, strict=False)) if a != b),
                min(len(p.section), len(heading)),
            )
            for depth in range(max(same, len(path)), len(p.section)):
                level = min(6, 3 + depth - len(path))
                parts.append(f'<h{level} class="ba-rhead">{escape(p.section[depth])}</h{level}>')
            if not p.section and heading:
                parts.append(f'<h3 class="ba-rhead">{escape(lab["front"])}</h3>')
            heading = p.section
        parts.append(
            _passage_html(p, document, focus=focus, start=start, end=end, lang=lang, base=base)
        )
    parts.append("</div>")
    return "".join(parts)


def _passage_html(
    p: Passage, document: Document | None, *, focus: str, start: int, end: int, lang: str,
    base: str = "",
) -> str:
    lab = labels(lang)
    is_focus = p.id == focus
    text = highlight(p.text, start, end) if is_focus else escape(p.text)
    page = f'<span class="ba-page">{escape(lab["page"])} {p.page}</span> ' if p.page else ""
    quote_text = p.text[start:end] if is_focus and 0 <= start < end <= len(p.text) else ""
    cite = citation_text(p, document, lang=lang, quote_text=quote_text)
    css = "ba-para ba-rpara ba-focus" if is_focus else "ba-para ba-rpara"
    return (
        f'<div class="{css}" id="{escape(anchor(p.id))}" data-passage="{escape(p.id)}">'
        f'<span class="ba-pnum">¶{p.paragraph}</span> {page}{text}'
        f'<div class="ba-pactions">'
        f'<a class="ba-link" href="{escape(link(p.id, base))}">{escape(lab["link"])}</a> '
        f'<button type="button" class="ba-copy" value="{escape(cite)}" '
        f'data-passage="{escape(p.id)}" data-done="{escape(lab["copied"])}">'
        f"{escape(lab['copy'])}</button></div></div>"
    )


def anchor(passage_id: str) -> str:
    """An HTML id for a passage ('#' and other signs become '-')."""
    return "p-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in passage_id)
