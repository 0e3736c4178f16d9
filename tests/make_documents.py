"""Small real documents with known facts, written by the libraries people use to make them.

- `pdf`: a two-page Vietnamese PDF (fpdf2, DejaVu Sans) with a running header, a footer
  with the page number, a paragraph cut by the page break, and a fact on page 2.
- `docx`: a Word file (python-docx) with Title / Heading 1 / Heading 2 styles, a table, a
  hard page break, and a fact on page 2.
- `markdown`: a Markdown file with front matter and `#` headings.
- `scanned_pdf`: a PDF whose only page is an image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PDF_HEADER = "Bản tin chọn lọc phục vụ lãnh đạo – Số 3/2021"
PDF_FACT = "Estonia đã số hóa 99% đơn thuốc"
PDF_CUT = ("được chia sẻ an toàn giữa các bệnh", "viện và phòng khám tư nhân")
DOCX_FACT = "giảm 50% lượng nguyên liệu thô mới"
MD_FACT = "xe buýt tự lái chở khách miễn phí"

_PDF_PAGE_1 = [
    (
        "Chuyển đổi số trong ngành y tế đang diễn ra mạnh mẽ ở nhiều quốc gia châu Âu. "
        "Các chính phủ coi dữ liệu sức khỏe là hạ tầng công cộng, cần được quản lý thống "
        "nhất, bảo vệ nghiêm ngặt và khai thác vì lợi ích của người bệnh."
    ),
    (
        "Phần Lan xây dựng hệ thống hồ sơ sức khỏe điện tử quốc gia Kanta từ năm 2010. "
        "Mỗi người dân có thể xem đơn thuốc, kết quả xét nghiệm và lịch sử khám bệnh của "
        "mình trên một cổng thông tin duy nhất, còn bác sĩ ở bất kỳ bệnh viện công nào cũng "
        "truy cập được hồ sơ khi người bệnh đồng ý."
    ),
    (
        "Đan Mạch thành lập cơ quan y tế số trực thuộc Bộ Y tế để điều phối các dự án công "
        "nghệ thông tin của các vùng. Cơ quan này đặt ra tiêu chuẩn chung về dữ liệu, nhờ đó "
        "thông tin về thuốc, dị ứng và tiền sử bệnh " + PDF_CUT[0]
    ),
]
_PDF_PAGE_2 = [
    (
        PDF_CUT[1] + " trên toàn quốc, giúp giảm các xét nghiệm trùng lặp và tiết kiệm chi "
        "phí cho cả người bệnh lẫn ngân sách nhà nước."
    ),
    (
        "Đến năm 2020, " + PDF_FACT + " nhờ hệ thống đơn thuốc điện tử. Người dân có thể "
        "nhận thuốc tại bất kỳ hiệu thuốc nào chỉ bằng thẻ căn cước điện tử, không cần giấy "
        "tờ, và bác sĩ được cảnh báo ngay khi kê hai loại thuốc tương tác với nhau."
    ),
    (
        "Kinh nghiệm của các nước này cho thấy chuyển đổi số y tế thành công khi có khung "
        "pháp lý rõ ràng về bảo vệ dữ liệu cá nhân và sự tham gia của người dân."
    ),
]


def pdf(path: Path) -> Path:
    """Two pages; page 2 holds the Estonia fact and the rest of a paragraph cut on page 1."""
    from fpdf import FPDF

    if not FONT.exists():  # .ci/run installs it
        pytest.skip(f"needs {FONT} for Vietnamese text: apt-get install fonts-dejavu-core")

    class Bulletin(FPDF):
        def header(self):
            self.set_font("dejavu", size=9)
            self.cell(0, 8, PDF_HEADER, align="C")
            self.ln(14)

        def footer(self):
            self.set_y(-15)
            self.set_font("dejavu", size=9)
            self.cell(0, 10, f"Trang {self.page_no()}", align="C")

    doc = Bulletin()
    doc.add_font("dejavu", fname=str(FONT))
    doc.set_title("Chuyển đổi số trong y tế: kinh nghiệm châu Âu")
    doc.set_author("Trung tâm Thông tin và Thống kê KH&CN")
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_font("dejavu", size=14)
    doc.multi_cell(0, 8, "1. CHUYỂN ĐỔI SỐ Y TẾ Ở CHÂU ÂU")
    doc.ln(4)
    doc.set_font("dejavu", size=11)
    for paragraph in _PDF_PAGE_1:
        doc.multi_cell(0, 6, paragraph)
        doc.ln(4)
    doc.add_page()
    doc.set_font("dejavu", size=11)
    for i, paragraph in enumerate(_PDF_PAGE_2):
        if i == 1:
            doc.set_font("dejavu", size=14)
            doc.multi_cell(0, 8, "2. ESTONIA")
            doc.ln(4)
            doc.set_font("dejavu", size=11)
        doc.multi_cell(0, 6, paragraph)
        doc.ln(4)
    doc.output(str(path))
    return path


def docx(path: Path) -> Path:
    """Title, headings, a table, a hard page break; the Amsterdam fact is on page 2."""
    import docx as python_docx

    doc = python_docx.Document()
    doc.core_properties.title = "Kinh tế tuần hoàn ở Hà Lan"
    doc.core_properties.author = "Viện Chiến lược phát triển"
    doc.core_properties.language = "vi-VN"
    doc.add_heading("Kinh tế tuần hoàn ở Hà Lan", level=0)
    doc.add_paragraph("Số 4/2021")
    doc.add_heading("1. Chính sách quốc gia", level=1)
    doc.add_paragraph(
        "Năm 2016, Chính phủ Hà Lan ban hành chương trình quốc gia về kinh tế tuần hoàn, "
        "đặt mục tiêu đến năm 2050 nền kinh tế vận hành hoàn toàn dựa trên nguyên liệu tái "
        "tạo và tái chế. Chương trình ưu tiên năm lĩnh vực: sinh khối và thực phẩm, nhựa, "
        "công nghiệp chế tạo, xây dựng và hàng tiêu dùng."
    )
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Lĩnh vực", "Mục tiêu"
    table.cell(1, 0).text, table.cell(1, 1).text = "Nhựa", "Tái chế 100% bao bì"
    doc.add_page_break()
    doc.add_heading("2. Thành phố Amsterdam", level=1)
    doc.add_heading("2.1. Chiến lược 2020–2025", level=2)
    doc.add_paragraph(
        "Amsterdam là thành phố đầu tiên áp dụng mô hình kinh tế “bánh vòng”. Thành phố "
        "đặt mục tiêu " + DOCX_FACT + " vào năm 2030 và trở thành thành phố tuần hoàn hoàn "
        "toàn vào năm 2050, bắt đầu từ xây dựng, thực phẩm và hàng tiêu dùng."
    )
    doc.save(str(path))
    return path


MARKDOWN = f"""---
title: Thành phố thông minh Sejong
issue: Số 5/2021
publisher: Trung tâm Thông tin và Thống kê KH&CN
---

# Thành phố thông minh Sejong

Sejong là thành phố hành chính mới của Hàn Quốc, nơi đặt nhiều bộ, ngành của chính phủ.

## Giao thông

Từ năm 2019, thành phố vận hành {MD_FACT} trên tuyến đường nối nhà ga với khu
trung tâm hành chính. Các xe được giám sát từ một trung tâm điều hành và dữ liệu hành
trình được công khai cho người dân.

## Dữ liệu

Thành phố xây dựng nền tảng dữ liệu mở, nơi người dân và doanh nghiệp có thể đề xuất
dịch vụ mới dựa trên dữ liệu giao thông và năng lượng.
"""


def markdown(path: Path) -> Path:
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


def scanned_pdf(path: Path) -> Path:
    """A one-page PDF that is only a picture of text, as a scanner makes it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "Scanned page, no text layer", fill="black")
    picture = path.with_suffix(".png")
    image.save(picture)
    doc = FPDF()
    doc.add_page()
    doc.image(str(picture), x=10, y=10, w=180)
    doc.output(str(path))
    picture.unlink()
    return path


def sample_files(folder: Path) -> dict[str, Path]:
    """One document of each kind the tests add: a PDF, a DOCX, Markdown, a scanned PDF."""
    return {
        "pdf": pdf(folder / "ban-tin-2021-03-y-te-so.pdf"),
        "docx": docx(folder / "kinh-te-tuan-hoan-ha-lan.docx"),
        "md": markdown(folder / "sejong.md"),
        "scan": scanned_pdf(folder / "scan.pdf"),
    }
