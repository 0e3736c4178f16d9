"""Reading PDF, Word, Markdown and text: pages, headings, furniture, metadata, clear errors."""

import json
import re
import shutil

import pytest

from assistant import Assistant, CorpusError, Settings
from assistant.embed.embedder import HashEmbedder
from assistant.ingest import documents, formats, passages
from assistant.models import JOINER, Layout

from . import make_documents as make
from .conftest import BULLETIN, CORPUS


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make.sample_files(tmp_path_factory.mktemp("files"))


def split(source: documents.SourceDocument):
    return passages.split(source.text, source.document.id, layout=source.layout)


def assert_offsets_exact(source, parts):
    for p in parts:
        assert JOINER.join(source.text[s.start : s.end] for s in p.spans) == p.text
        assert p.text == p.text.strip()


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_keeps_pages_and_leaves_out_headers_footers_and_page_numbers(files):
    source = documents.load(files["pdf"])
    parts = split(source)
    assert source.document.pages == 2 and source.layout.pages[0] == 0
    assert_offsets_exact(source, parts)
    furniture = [source.text[f.start : f.end] for f in source.layout.furniture]
    assert furniture == [make.PDF_HEADER, "Trang 1", make.PDF_HEADER, "Trang 2"]
    assert not any(make.PDF_HEADER in p.text or "Trang " in p.text for p in parts)
    fact = next(p for p in parts if make.PDF_FACT in p.text)
    assert fact.page == 2 and fact.section == ["2. Estonia"]
    assert all(p.page == 1 for p in parts if "Phần Lan" in p.text)


def test_pdf_paragraph_cut_by_the_page_break_is_joined(files):
    source = documents.load(files["pdf"])
    joined = [p for p in split(source) if make.PDF_CUT[0] in p.text]
    assert len(joined) == 1 and " ".join(make.PDF_CUT) in joined[0].text
    assert joined[0].page == 1 and len(joined[0].spans) == 2
    assert source.layout.page_at(joined[0].spans[1].start) == 2


def test_pdf_lines_of_a_paragraph_become_one_block(files):
    source = documents.load(files["pdf"])
    body = [p for p in split(source) if p.kind == "paragraph"]
    assert [len(p.spans) for p in body].count(1) == len(body) - 1  # only the cut one has two
    assert all("\n" not in p.text for p in body)
    first = body[0].text
    assert first.startswith("Chuyển đổi số trong ngành y tế") and first.endswith("người bệnh.")


def test_pdf_metadata_from_the_file_and_its_text(files):
    doc = documents.load(files["pdf"]).document
    assert doc.title == "Chuyển đổi số trong y tế: kinh nghiệm châu Âu"
    assert doc.publisher == "Trung tâm Thông tin và Thống kê KH&CN"
    assert (doc.issue, doc.year, doc.language) == ("Số 3/2021", 2021, "vi")


def test_scanned_pdf_without_ocr_installed_says_what_to_install(files, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ocrmypdf, no tesseract
    with pytest.raises(CorpusError, match="no text layer") as err:
        documents.load(files["scan"])
    message = str(err.value)
    assert "OCR" in message and "scan.pdf" in message
    assert "apt-get install ocrmypdf tesseract-ocr-vie" in message


def test_scanned_pdf_with_ocr_off_says_so(files):
    with pytest.raises(CorpusError, match="no text layer.*OCR is off"):
        formats.read(files["scan"], ocr=False)


@pytest.mark.parametrize(
    "name, message",
    [
        ("broken.pdf", "cannot be read as a PDF"),
        ("broken.docx", "cannot be read as a Word .docx file"),
        ("old.doc", "save it as .docx"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, message):
    path = tmp_path / name
    path.write_bytes(b"this is not what the name says\x00\x01" * 10)
    with pytest.raises(CorpusError, match=message):
        documents.load(path)


def test_scanned_file_in_the_corpus_is_skipped_with_a_warning(files, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no OCR installed
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copy(files["scan"], tmp_path / "corpus")
    sources, warnings = documents.load_corpus(tmp_path / "corpus")
    assert [s.document.path for s in sources] == [BULLETIN.name]
    assert len(warnings) == 1 and "no text layer" in warnings[0]


# --- Word ----------------------------------------------------------------------------------


def test_docx_heading_styles_become_the_section_path(files):
    source = documents.load(files["docx"])
    parts = split(source)
    assert_offsets_exact(source, parts)
    fact = next(p for p in parts if make.DOCX_FACT in p.text)
    assert fact.section == [
        "Kinh tế tuần hoàn ở Hà Lan",
        "2. Thành phố Amsterdam",
        "2.1. Chiến lược 2020–2025",
    ]
    assert fact.context == "Thành phố Amsterdam › Chiến lược 2020–2025"
    assert fact.page == 2
    table = next(p for p in parts if "Nhựa | Tái chế 100% bao bì" in p.text)
    assert table.page == 1 and table.section[-1] == "1. Chính sách quốc gia"
    issue_line = next(p for p in parts if p.text == "Số 4/2021")
    assert issue_line.kind == "front"


def test_docx_metadata_from_core_properties(files):
    doc = documents.load(files["docx"]).document
    assert doc.title == "Kinh tế tuần hoàn ở Hà Lan"
    assert doc.publisher == "Viện Chiến lược phát triển"
    assert (doc.issue, doc.language, doc.pages) == ("Số 4/2021", "vi", 2)
    assert doc.date == ""  # python-docx's template date is not the document's


def test_docx_without_page_breaks_has_no_pages(tmp_path):
    import docx

    doc = docx.Document()
    doc.add_heading("Tiêu đề", level=1)
    doc.add_paragraph("Một đoạn văn ngắn về chính phủ số.")
    doc.save(str(tmp_path / "short.docx"))
    source = documents.load(tmp_path / "short.docx")
    assert source.layout.pages == [] and source.document.pages is None
    assert [p.page for p in split(source)] == [None]


# --- Markdown and text ---------------------------------------------------------------------


def test_markdown_headings_front_matter_and_exact_text(files):
    source = documents.load(files["md"])
    assert source.text == make.MARKDOWN  # nothing stripped
    parts = split(source)
    assert_offsets_exact(source, parts)
    assert not any("publisher:" in p.text or p.text.startswith("#") for p in parts)
    fact = next(p for p in parts if make.MD_FACT in p.text)
    assert fact.section == ["Thành phố thông minh Sejong", "Giao thông"] and fact.page is None
    doc = source.document
    assert (doc.title, doc.issue) == ("Thành phố thông minh Sejong", "Số 5/2021")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# Một\n\nVăn bản.\n## Hai ##\nVăn bản.\n", [(1, "Một"), (2, "Hai")]),
        ("Tiêu đề\n=======\n\nVăn bản.\n\nMục\n---\n\nVăn bản.\n", [(1, "Tiêu đề"), (2, "Mục")]),
        ("```\n# không phải tiêu đề\n```\n\n#hashtag\n", []),
    ],
)
def test_markdown_heading_forms(text, expected):
    layout = formats.read_markdown_text(text).layout
    assert [(h.level, h.title) for h in layout.headings or []] == expected


def test_markdown_heading_right_above_its_paragraph_is_not_part_of_it():
    text = "# Chính phủ số\nEstonia cung cấp 99% dịch vụ công trực tuyến.\n"
    extracted = formats.read_markdown_text(text)
    [p] = passages.split(text, "d", layout=extracted.layout)
    assert p.section == ["Chính phủ số"] and p.text.startswith("Estonia")


def test_markdown_without_headings_is_read_like_the_bulletin(source):
    extracted = formats.read_markdown_text(source)
    assert extracted.layout.headings is None
    assert passages.split(source, "b", layout=extracted.layout) == passages.split(source, "b")


def test_an_empty_layout_changes_nothing_for_the_bulletin(source):
    assert passages.split(source, "b", layout=Layout()) == passages.split(source, "b")


def test_sidecar_wins_over_what_the_file_says(files, tmp_path):
    path = shutil.copy(files["pdf"], tmp_path / "issue3.pdf")
    (tmp_path / "issue3.meta.json").write_text(
        '{"title": "Y tế số", "issue": "Số 3/2021 (bản sửa)"}', encoding="utf-8"
    )
    doc = documents.load(path).document
    assert (doc.title, doc.issue) == ("Y tế số", "Số 3/2021 (bản sửa)")
    assert doc.publisher == "Trung tâm Thông tin và Thống kê KH&CN"  # from the PDF still


# --- answers cite document and page --------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_bot(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copytree(CORPUS, folder / "corpus")
    for kind in ("pdf", "docx", "md"):
        shutil.copy(files[kind], folder / "corpus")
    settings = Settings(
        corpus_dir=folder / "corpus", index_dir=folder / "index", show_progress=False
    )
    return Assistant.load(settings, embedder=HashEmbedder())


QUESTIONS = [
    (
        "Estonia đã số hóa bao nhiêu phần trăm đơn thuốc?",
        "ban-tin-2021-03-y-te-so",
        2,
        "99%",
    ),
    (
        "Amsterdam đặt mục tiêu giảm bao nhiêu nguyên liệu thô mới vào năm 2030?",
        "kinh-te-tuan-hoan-ha-lan",
        2,
        "50%",
    ),
    ("Sejong vận hành xe buýt gì từ năm 2019?", "sejong", None, "tự lái"),
]


@pytest.mark.parametrize("question, doc_id, page, fact", QUESTIONS)
def test_answers_cite_the_document_and_page(mixed_bot, question, doc_id, page, fact):
    answer = mixed_bot.ask(question)
    assert not answer.abstained, answer.text
    first = answer.citations[0]
    assert (first.doc_id, first.page) == (doc_id, page)
    assert fact in first.quote
    if page:
        assert f"tr. {page}" in first.where


def test_ask_and_search_filter_by_document_and_section(mixed_bot):
    only = ["kinh-te-tuan-hoan-ha-lan"]
    hits = mixed_bot.search("kinh tế tuần hoàn", documents=only, k=10)
    assert hits and {h.passage.doc_id for h in hits} == set(only)
    answer = mixed_bot.ask("Estonia đã số hóa bao nhiêu phần trăm đơn thuốc?", documents=only)
    assert all(c.doc_id in only for c in answer.citations)
    hits = mixed_bot.search("dữ liệu", section="Giao thông", k=10)
    assert hits and all("Giao thông" in h.passage.section_path for h in hits)
    with pytest.raises(CorpusError, match="no document 'nope'"):
        mixed_bot.check_scope(["nope"])
    # a section no heading contains finds nothing: said as such, not as "not covered"
    with pytest.raises(CorpusError, match="no section matches 'Không có mục này'.*Giao thông"):
        mixed_bot.check_scope(None, "Không có mục này")
    mixed_bot.check_scope(None, "giao thong")  # accents and case ignored, as the search does


# --- the real model, through the command line ----------------------------------------------


@pytest.mark.model
@pytest.mark.slow
def test_cli_add_ask_list_remove_with_the_real_model(real_bot, real_settings, files, tmp_path):
    from .test_cli import run

    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(real_settings.index_dir, tmp_path / "index")  # the bulletin, encoded once
    where = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    env = {"ASSISTANT_CACHE_DIR": str(real_settings.cache_dir)}

    added = run("add", str(files["pdf"]), str(files["docx"]), *where, env=env)
    assert added.returncode == 0, added.stderr
    assert "added ban-tin-2021-03-y-te-so (ban-tin-2021-03-y-te-so.pdf, 2 pages)" in added.stdout
    assert "of 2 document(s); kept the stored vectors of 1" in added.stdout

    pdf_question = "Estonia đã số hóa bao nhiêu phần trăm đơn thuốc?"
    answer = run("ask", pdf_question, "--json", *where, env=env)
    assert answer.returncode == 0, answer.stderr
    first = json.loads(answer.stdout)["citations"][0]
    assert (first["doc_id"], first["page"]) == ("ban-tin-2021-03-y-te-so", 2)
    assert "99%" in first["quote"]
    docx_question = "Amsterdam muốn giảm bao nhiêu nguyên liệu thô mới?"
    text = run("ask", docx_question, "--doc", "kinh-te-tuan-hoan-ha-lan", *where, env=env)
    assert text.returncode == 0, text.stderr
    assert "[1] Số 4/2021 · " in text.stdout and "· tr. 2" in text.stdout and "50%" in text.stdout

    bulletin = run("ask", "WeChat có bao nhiêu người dùng?", "--json", *where, env=env)
    assert json.loads(bulletin.stdout)["citations"][0]["doc_id"] == BULLETIN.stem

    listing = run("list", *where)
    assert listing.returncode == 0
    assert re.search(r"^ban-tin-2021-03-y-te-so +5 +2 +Số 3/2021", listing.stdout, re.M)
    removed = run("remove", "kinh-te-tuan-hoan-ha-lan", *where, env=env)
    assert removed.returncode == 0, removed.stderr
    assert "kinh-te-tuan-hoan-ha-lan" not in run("list", *where).stdout
    unknown = run("ask", "Amsterdam?", "--doc", "kinh-te-tuan-hoan-ha-lan", *where, env=env)
    assert unknown.returncode == 2 and "no document 'kinh-te-tuan-hoan-ha-lan'" in unknown.stderr
