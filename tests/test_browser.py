"""The app in a real browser: Debian's headless Chromium, driven by Playwright's Python API.

Types a question, waits for the answer, opens a citation in the source viewer and checks the
highlighted quote against the passage's offsets, likes the answer; saves the screenshots
docs/chat.png, docs/source-viewer.png and docs/verify.png. Playwright cannot download a
browser here, so it is pointed at /usr/bin/chromium (`.ci/run` installs it); without it the
tests are skipped with the reason.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.app import render as ui_render
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
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
WAIT_MS = 60_000

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def browser():
    """Chromium, or a skip that says what is missing (checked before the model loads)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
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
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
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
    # The empty chat offers the three example questions.
    for example in ("singapore ho tro doanh nghiep vua va nho", "How does Singapore procure"):
        assert page.get_by_text(example).count() >= 1

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
