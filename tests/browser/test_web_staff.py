"""The staff console (/staff) in a real browser: search as you type, highlights, keyboard, copy, bot answer."""

from __future__ import annotations

import pytest

from browser_support import fulfil_json, run_axe

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def clip_page(browser):
    """A page allowed to read and write the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def search(page, live_server, query: str):
    page.goto(live_server + "/staff")
    page.keyboard.type(query)
    expect(page.locator(".result").first).to_be_visible()


def test_search_box_focused_on_load(page, live_server):
    page.goto(live_server + "/staff")
    expect(page.get_by_role("searchbox", name="Search the knowledge base")).to_be_focused()


def test_results_as_you_type_with_highlights(page, live_server):
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/search" in r.url else None)
    search(page, live_server, "insurance")
    marks = page.locator(".result mark")
    expect(marks.first).to_be_visible()
    assert all("insur" in m.lower() for m in marks.all_inner_texts())
    assert 1 <= len(requests) < len("insurance")  # debounced, not one request per key
    expect(page.get_by_role("status")).to_contain_text("for “insurance”")
    expect(page.locator(".result .title").first).not_to_be_empty()


def test_highlights_follow_spans_exactly(page, live_server):
    body = {"results": [{"id": "x#1", "doc_id": "x", "title": "T", "section": "S", "url": None, "score": 1.0,
                         "text": "Alpha beta gamma beta", "highlights": [[6, 10], [17, 21], [0, 2], [1, 3]]}]}
    page.route("**/api/search*", lambda route: fulfil_json(route, body))
    search(page, live_server, "beta")
    expect(page.locator(".result .snippet mark")).to_have_text(["Alp", "beta", "beta"])
    expect(page.locator(".result .snippet")).to_have_text("Alpha beta gamma beta")


def test_bot_answer_above_results(page, live_server):
    search(page, live_server, "what is an iop")
    answer = page.get_by_role("region", name="Bot's answer")
    expect(answer).to_be_visible()
    expect(answer.locator(".text")).not_to_be_empty()
    above = page.evaluate("document.getElementById('answer').compareDocumentPosition("
                          "document.getElementById('results')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert above


def test_keyboard_navigation(page, live_server):
    search(page, live_server, "iop")
    toggles = page.locator(".result .toggle")
    expect(toggles.nth(1)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(toggles.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(toggles.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(toggles.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggles.nth(0)).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".result .full").first).to_be_visible()
    page.keyboard.press("ArrowUp")
    box = page.get_by_role("searchbox", name="Search the knowledge base")
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # into the open passage's tools
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("iop")  # "/" moved focus; it was not typed


def test_copy_passage_with_citation_line(clip_page, live_server):
    search(clip_page, live_server, "insurance")
    first = clip_page.locator(".result").first
    title = first.locator(".title").inner_text()
    section = first.locator(".section").first.inner_text() if first.locator(".toggle .section").count() else ""
    first.locator(".toggle").click()
    passage = first.locator(".full .text").inner_text()
    first.get_by_role("button", name="Copy passage").click()
    expect(first.get_by_role("button", name="Copied")).to_be_visible()
    copied = clip_page.evaluate("navigator.clipboard.readText()")
    citation = "— " + ", ".join(x for x in (title, section) if x)
    assert copied.startswith(f'"{passage}"\n{citation}')
    link = first.locator(".tools a")
    if link.count():
        assert copied.endswith(f"({link.get_attribute('href')})")


def test_results_are_text_not_markup(page, live_server):
    body = {"results": [{"id": "x#1", "doc_id": "x", "title": XSS, "section": XSS, "url": None, "score": 1.0,
                         "text": f"{XSS} beta", "highlights": [[len(XSS) + 1, len(XSS) + 5]]}]}
    page.route("**/api/search*", lambda route: fulfil_json(route, body))
    search(page, live_server, "beta")
    expect(page.locator(".result .title")).to_have_text(XSS)
    expect(page.locator(".result .snippet")).to_have_text(f"{XSS} beta")
    assert page.locator("main img").count() == 0
    assert page.evaluate("window.__xss") is None


def test_search_error_is_shown(page, live_server):
    page.route("**/api/search*", lambda route: fulfil_json(
        route, {"error": {"code": "rate_limited", "message": "Slow down"}}, status=429, headers={"Retry-After": "3"}))
    page.goto(live_server + "/staff")
    page.keyboard.type("iop")
    expect(page.get_by_role("status")).to_contain_text("Slow down")


def test_accessibility_audit(axe_page, live_server):
    axe_page.goto(live_server + "/staff")
    assert run_axe(axe_page) == []
    axe_page.keyboard.type("insurance")
    expect(axe_page.locator(".result").first).to_be_visible()
    expect(axe_page.locator("#answer")).to_be_visible()
    axe_page.locator(".result .toggle").first.click()
    assert run_axe(axe_page) == []
