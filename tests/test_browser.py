"""The app in a real browser: Debian's headless Chromium, driven by Playwright's Python API.

Types a question, waits for the answer, opens a citation in the source viewer and checks the
highlighted quote against the passage's offsets, likes the answer, follows the answer's link
into the reader; reads a section from the contents, opens `?p=PASSAGE` directly, copies a
citation, scores a 5-question file in the evaluation tab, checks a compare answer's blocks;
and the phone layout at 390 px. With UPDATE_SCREENSHOTS=1, saves the screenshots docs/chat.png, docs/source-viewer.png,
docs/verify.png, docs/reader.png, docs/evaluate.png and docs/phone-*.png (the first
screen, an answer, the reader, the evaluation). Playwright cannot download a
browser here, so it is pointed at /usr/bin/chromium (`make test` installs it as root; `sudo make system-deps`); without it the
tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from assistant.app import reader
from assistant.app import render as ui_render
from assistant.models import Answer
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
# The screenshots refresh the README's in docs/ only when asked (`UPDATE_SCREENSHOTS=1
# python -m pytest tests/test_browser.py`): a test run leaves the tree as it was.
DOCS = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") else Path(tempfile.mkdtemp(prefix="ba-screenshots-"))
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?"
DEV2 = ROOT / "eval" / "dev2.jsonl"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
WAIT_MS = 60_000

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def browser():
    """Chromium, or a skip that says what is missing (checked before the model loads)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (sudo make system-deps)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(browser, real_bot, tmp_path_factory):
    log = tmp_path_factory.mktemp("browser") / "feedback.jsonl"
    with serving(real_bot, log) as url:
        yield url, log


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served[0])
    page.wait_for_selector("#ba-question textarea")
    yield page
    context.close()
    assert not errors, errors


def ask(page, question: str, answers: int = 1) -> None:
    page.fill("#ba-question textarea", question)
    page.press("#ba-question textarea", "Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#ba-chat .ba-answer').length >= {answers}",
        timeout=WAIT_MS,
    )
    time.sleep(0.3)  # let the chat finish scrolling before a screenshot


def log_lines(path: Path) -> list[dict]:
    return (
        [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        if path.exists()
        else []
    )


def test_ask_open_a_citation_see_the_quote_and_like(page, served, real_bot):
    DOCS.mkdir(exist_ok=True)
    # The empty chat suggests a question for each main section, made from the headings.
    for example in ("Đổi mới sáng tạo khu vực công là gì?", "Hàm ý chính sách là gì?"):
        assert page.get_by_text(example).count() >= 1
    # On the desktop the chat fills the height of the window.
    assert page.locator("#ba-chat").bounding_box()["height"] >= 0.6 * DESKTOP["height"]

    ask(page, QUESTION)
    answer = page.locator("#ba-chat .ba-answer").last
    assert answer.locator(".ba-sources li").count() >= 1
    assert answer.locator(".ba-text button.ba-cite").count() >= 1
    assert page.locator("#ba-chat .ba-q").first.inner_text() == QUESTION
    page.screenshot(path=str(DOCS / "chat.png"))

    cite = answer.locator(".ba-sources button.ba-cite").first
    passage_id, start, end = ui_render.parse_ref(cite.get_attribute("value"))
    cite.click()
    mark = page.locator("#ba-viewer mark.ba-hl")
    mark.wait_for()
    assert mark.inner_text() == real_bot.passage(passage_id).text[start:end]
    focus = page.locator("#ba-viewer .ba-focus")
    assert focus.get_attribute("data-passage") == passage_id
    assert page.locator("#ba-viewer .ba-crumbs").inner_text().count("›") >= 2
    page.wait_for_function(
        "(() => { const r = document.querySelector('#ba-viewer .ba-focus').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; })()"
    )
    page.screenshot(path=str(DOCS / "source-viewer.png"))

    _, log = served
    page.locator("#ba-chat button[aria-label='Like']").last.click()
    page.wait_for_function("document.querySelector('#ba-fb-status').innerText.includes('Cảm ơn')")
    # The comment form is folded under the answers; it opens on a click.
    page.get_by_text("Góp ý thêm cho câu trả lời").click()
    page.fill("#ba-comment textarea", "Rõ ràng, có nguồn.")
    page.click("#ba-like")
    page.wait_for_function(
        "document.querySelector('#ba-comment textarea').value === ''", timeout=WAIT_MS
    )
    entries = log_lines(log)
    assert [(e["rating"], e["comment"]) for e in entries[-2:]] == [
        ("like", ""),
        ("like", "Rõ ràng, có nguồn."),
    ]
    assert entries[-1]["question"] == QUESTION and entries[-1]["citations"]

    page.get_by_role("tab", name="Kiểm chứng").click()
    table = page.locator("#ba-verify table.ba-vtable")
    table.wait_for()
    assert table.locator("tbody tr").count() >= 1
    assert table.locator("mark.ba-hl").count() >= 1
    page.screenshot(path=str(DOCS / "verify.png"))

    # The answer's "read in its section" link opens the reader at the cited passage.
    page.get_by_role("tab", name="Hỏi đáp").click()
    answer.locator("button.ba-plink").first.click()
    focus = page.locator("#ba-reader .ba-focus")
    focus.wait_for()
    assert focus.get_attribute("data-passage") == passage_id
    assert f"?p={quote(passage_id, safe='')}" in page.url


def test_markup_in_a_question_stays_text(page):
    question = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> Singapore?'
    ask(page, question)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#ba-chat .ba-q").first.inner_text() == question


def test_abstention_in_english_then_search_opens_the_viewer(page):
    page.get_by_label("English").check()
    page.wait_for_function("document.querySelector('#ba-send').innerText.trim() === 'Send'")
    ask(page, "Indonesia đã làm gì để đổi mới dịch vụ công?")
    abstained = page.locator("#ba-chat .ba-abstained")
    assert abstained.count() == 1
    assert "Nearest passages" in abstained.inner_text()
    assert abstained.locator("button.ba-cite").count() == 0

    page.get_by_role("tab", name="Search passages").click()
    page.fill("#ba-search-q textarea", "chính phủ điện tử")
    page.click("#ba-search-btn")
    results = page.locator("#ba-results li.ba-result")
    results.first.wait_for()
    assert results.count() == 10
    results.nth(1).locator("button.ba-open").click()
    page.wait_for_function(
        "document.querySelector('#ba-viewer .ba-focus') !== null"
        " && document.querySelector('#ba-viewer').innerText.includes('Position in the source file')"
    )


def test_read_a_section_from_the_contents_and_copy_a_citation(page, real_bot):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("tab", name="Bản tin").click()
    page.locator("#ba-toc button.ba-sec", has_text="2.2. Nhật Bản").click()
    (tree,) = reader.toc(real_bot.index.passages)
    japan = tree.children[1].children[1]
    want = reader.in_section(real_bot.index.passages, japan.key)
    page.wait_for_function(
        f"document.querySelectorAll('#ba-reader .ba-rpara').length === {len(want)}"
    )
    got = page.eval_on_selector_all(
        "#ba-reader .ba-rpara", "els => els.map(e => e.dataset.passage)"
    )
    assert got == [p.id for p in want]
    numbers = page.locator("#ba-reader .ba-rpara .ba-pnum").all_inner_texts()
    assert numbers == [f"¶{p.paragraph}" for p in want]
    assert page.locator("#ba-reader h3.ba-rhead").first.inner_text() == "(a) ĐMST cấp trung ương"
    page.screenshot(path=str(DOCS / "reader.png"))

    p = want[2]
    page.locator("#ba-reader .ba-rpara").nth(2).locator("button.ba-copy").click()
    page.wait_for_function("window.baCopied !== undefined")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Số 2/2021 – Đổi mới sáng tạo dịch vụ công")
    assert f"{p.section_path} · ¶{p.paragraph}" in copied and "2.2. Nhật Bản" in copied
    assert f"“{p.text}”" in copied
    assert copied.rstrip().endswith(f"?p={quote(p.id, safe='')}")


def test_a_passage_link_opens_the_reader_at_it(browser, served, real_bot):
    p = real_bot.index.passages[60]
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(served[0] + f"?p={quote(p.id, safe='')}")
    focus = page.locator("#ba-reader .ba-focus")
    focus.wait_for()
    assert focus.get_attribute("data-passage") == p.id
    assert page.get_by_role("tab", name="Bản tin").get_attribute("aria-selected") == "true"
    page.wait_for_function(
        "(() => { const r = document.querySelector('#ba-reader .ba-focus').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; })()"
    )
    context.close()


def test_the_evaluation_tab_scores_a_five_question_file(page, tmp_path):
    path = tmp_path / "five.jsonl"
    path.write_text("\n".join(DEV2.read_text(encoding="utf-8").splitlines()[:5]), encoding="utf-8")
    page.get_by_role("tab", name="Đánh giá").click()
    page.set_input_files("#ba-eval-file input[type=file]", str(path))
    page.get_by_text("five.jsonl").first.wait_for()
    page.click("#ba-eval-run")
    table = page.locator("#ba-eval-table table")
    table.wait_for(timeout=4 * WAIT_MS)
    first = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[:2] == ["overall", "5"]
    assert table.locator("tbody tr", has_text="kind: compare").count() == 1
    assert "Đã chấm 5 câu hỏi" in page.locator("#ba-eval-status").inner_text()
    assert page.locator("#ba-eval-csv").is_visible()
    page.screenshot(path=str(DOCS / "evaluate.png"), full_page=True)


def test_a_compare_answer_is_one_block_per_entity(page):
    if "kind" not in Answer.model_fields:
        pytest.skip("Answer.kind (the answer stage's question kinds) has not landed yet")
    ask(page, "So sánh việc dùng robot ở Nhật Bản và Hàn Quốc")
    blocks = page.locator("#ba-chat .ba-answer").last.locator(".ba-compare .ba-entity")
    assert blocks.count() >= 2
    names = blocks.locator(".ba-entity-h").all_inner_texts()
    assert any("Nhật Bản" in n for n in names) and any("Hàn Quốc" in n for n in names)


# A text column is the nearest block box around a piece of text (inline boxes are skipped)
# whose text wraps onto more than one line; the check lists the visible ones narrower than
# 200 px that hold 15 characters or more (a one-line label or button is not a column).
NARROW = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    if (text.length < 15) continue;
    let el = walker.currentNode.parentElement;
    while (el && ['inline', 'contents'].includes(getComputedStyle(el).display)) el = el.parentElement;
    if (!el || el.closest('[aria-hidden="true"], .visually-hidden, .hide')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
    const box = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
      .reduce((sum, k) => sum + (parseFloat(style[k]) || 0), 0);
    const wraps = r.height - box > 1.6 * line;
    if (r.width < 200 && wraps) out.push(`${Math.round(r.width)}px: ${text.slice(0, 50)}`);
  }
  return out;
}
"""


def test_the_phone_layout(browser, served, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(served[0])
    page.wait_for_selector("#ba-question textarea")
    time.sleep(0.5)
    # The header stacks: the title over the whole width, the language switch below it.
    title, switch = (
        page.locator("#ba-title").bounding_box(),
        page.locator("#ba-lang").bounding_box(),
    )
    assert title["width"] >= 300 and switch["y"] >= title["y"] + title["height"] - 1
    # Every tab fits in the bar (none hidden in an overflow menu).
    tabs = page.locator("#ba-tabs [role=tab]")
    assert tabs.all_inner_texts() == [
        "Hỏi đáp",
        "Bản tin",
        "Tìm đoạn văn",
        "Kiểm chứng",
        "Đánh giá",
    ]
    for box in (tabs.nth(i).bounding_box() for i in range(5)):
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    clipped = tabs.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert clipped == 0  # each tab's name shows whole
    assert page.evaluate(NARROW) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "phone-start.png"))

    ask(page, QUESTION)
    answer = page.locator("#ba-chat .ba-answer").last
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "phone-chat.png"))
    answer.locator(".ba-sources button.ba-cite").first.click()
    page.locator("#ba-viewer .ba-focus").wait_for()
    # The source viewer opens below the answer, the chat keeps the width of the screen.
    assert (
        page.locator("#ba-viewer").bounding_box()["y"]
        > page.locator("#ba-chat").bounding_box()["y"]
    )
    assert page.locator("#ba-chat").bounding_box()["width"] >= 300
    assert page.evaluate(NARROW) == []

    page.get_by_role("tab", name="Bản tin").click()
    page.locator("#ba-toc button.ba-sec", has_text="2.4. Singapo").click()
    page.locator("#ba-reader .ba-rpara").first.wait_for()
    assert page.evaluate(NARROW) == []
    page.screenshot(path=str(DOCS / "phone-reader.png"))

    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(DEV2.read_text(encoding="utf-8").splitlines()[:2]), encoding="utf-8")
    page.get_by_role("tab", name="Đánh giá").click()
    page.set_input_files("#ba-eval-file input[type=file]", str(path))
    page.get_by_text("two.jsonl").first.wait_for()
    page.click("#ba-eval-run")
    page.locator("#ba-eval-table table").wait_for(timeout=4 * WAIT_MS)
    assert page.evaluate(NARROW) == []
    page.screenshot(path=str(DOCS / "phone-evaluate.png"))
    context.close()
