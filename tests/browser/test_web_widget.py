"""The embeddable chat widget (web/widget.js) in a real browser, on the demo page and on hostile host pages."""

from __future__ import annotations

import json

import pytest

from browser_support import fulfil_json, run_axe

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">'

HOSTILE_CSS = """
* { font-size: 40px !important; color: red; display: block; line-height: 3; letter-spacing: 4px;
    box-sizing: content-box; margin: 7px; text-transform: uppercase }
button, input { all: unset; background: lime !important; }
iop-chat { opacity: .5; filter: blur(1px) }
"""


def answer_reply(**extra) -> dict:
    reply = {
        "type": "answer", "answer": "An IOP meets several days a week [1]. Most last 6-12 weeks [2].",
        "citations": [
            {"n": 1, "id": "a#1", "doc_id": "a", "title": "What is an IOP?", "section": "Overview",
             "text": "Whole passage one.", "url": "https://example.org/iop", "score": 3.1},
            {"n": 2, "id": "b#2", "doc_id": "b", "title": "IOP guide: length", "section": "Length",
             "text": "Whole passage two.", "url": None, "score": 2.0},
        ],
        "confidence": 0.8, "suggestions": ["Does insurance cover IOP?", "What happens in a day?"],
        "disclaimer": "Information only.", "resources": [], "note": None,
    }
    reply.update(extra)
    return reply


CRISIS = {
    "type": "crisis", "answer": "You deserve support right now. You can reach someone any time.",
    "citations": [], "confidence": 1.0, "suggestions": [], "disclaimer": "Information only.", "note": None,
    "resources": [
        {"name": "988 Suicide & Crisis Lifeline", "phone": "988", "sms": "988", "sms_body": None,
         "url": "https://988lifeline.org", "description": "Call or text, 24/7."},
        {"name": "Crisis Text Line", "phone": None, "sms": "741741", "sms_body": "HOME", "url": None,
         "description": "Text with a trained counselor."},
    ],
}


def shadow(page, selector: str):
    """A locator inside the widget's shadow root (Playwright's CSS engine pierces open shadow roots)."""
    return page.locator(f"iop-chat {selector}")


def open_demo(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Questions about IOP").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def ask(page, question: str):
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")


def host_page(page, live_server, attrs: str = "", css: str = "", path: str = "/test-host"):
    """Serve a page that only embeds the widget (optionally with hostile CSS) and open it."""
    html = (f"<!doctype html><html lang=en><head><title>Host</title><style>{css}</style></head>"
            f"<body><h1>Some provider</h1><p>Text.</p>"
            f'<script src="{live_server}/widget.js" data-endpoint="{live_server}" {attrs} defer></script>'
            f"</body></html>")
    page.route(live_server + path, lambda route: route.fulfill(content_type="text/html", body=html))
    page.goto(live_server + path)


def test_answer_shows_sources_that_expand(page, live_server):
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    reply = shadow(page, ".msg.bot:has(.label)")
    expect(reply).to_contain_text("[1]")
    expect(reply.locator(".label")).to_have_text("Sources")
    first = reply.locator("details").first
    passage = first.locator("blockquote")
    expect(passage).to_be_hidden()
    first.locator("summary").click()
    expect(passage).to_be_visible()
    assert len(passage.inner_text().strip()) > 20
    expect(shadow(page, ".chip").first).to_be_visible()  # suggestions for a follow-up


def test_table_cells_of_an_answer_read_one_per_line(page, live_server):
    reply = answer_reply(answer="Intensive Outpatient (IOP): Moderate [1]\nOutpatient Treatment: Low [1]")
    page.route("**/api/ask", lambda route: fulfil_json(route, reply))
    open_demo(page, live_server)
    ask(page, "iop vs outpatient cost")
    low = shadow(page, ".msg.bot:has(.label) p").filter(has_text="Treatment: Low")
    expect(low).to_have_count(1)
    expect(low).not_to_contain_text("Moderate")  # its own paragraph, not run on from the IOP cell
    expect(shadow(page, ".msg.bot:has(.label) p").filter(has_text="(IOP): Moderate")).to_have_count(1)


def test_source_link_only_where_url_given(page, live_server):
    page.route("**/api/ask", lambda route: fulfil_json(route, answer_reply(note="Relapse is common; ask for help.")))
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    cards = shadow(page, "details")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator("summary")).to_contain_text("What is an IOP?")
    expect(cards.nth(0).locator("summary")).to_contain_text("Overview")
    expect(cards.nth(1).locator("summary")).to_have_text("[2]IOP guide: length")  # section "Length" is in the title
    assert cards.nth(0).locator("a").get_attribute("href") == "https://example.org/iop"
    expect(cards.nth(1).locator("a")).to_have_count(0)
    expect(shadow(page, ".note")).to_have_text("Relapse is common; ask for help.")
    expect(shadow(page, ".disclaimer")).to_have_text("Information only.")


def test_unsafe_source_url_is_not_a_link(page, live_server):
    reply = answer_reply()
    reply["citations"][0]["url"] = "javascript:alert(1)"
    page.route("**/api/ask", lambda route: fulfil_json(route, reply))
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    expect(shadow(page, "details")).to_have_count(2)
    expect(shadow(page, "details a")).to_have_count(0)


def test_follow_up_sends_earlier_questions_as_history(page, live_server):
    open_demo(page, live_server)
    with page.expect_request("**/api/ask") as first:
        ask(page, "What is an IOP?")
    assert first.value.post_data_json == {"question": "What is an IOP?", "history": []}
    expect(shadow(page, ".chip").first).to_be_visible()
    chip = shadow(page, ".chip").first
    follow_up = chip.inner_text()
    with page.expect_request("**/api/ask") as second:
        chip.click()
    assert second.value.post_data_json == {"question": follow_up, "history": ["What is an IOP?"]}


def test_history_is_capped_at_ten(page, live_server):
    page.route("**/api/ask", lambda route: fulfil_json(route, answer_reply()))
    page.goto(live_server + "/")
    turns = [{"q": f"question {i}", "r": answer_reply()} for i in range(12)]
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)",
                  [f"iop-chat:{live_server}", json.dumps({"turns": turns, "resources": [], "open": True})])
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # the open state survives a page change
    expect(shadow(page, ".msg.user")).to_have_count(12)
    expect(shadow(page, ".chip")).to_have_text(answer_reply()["suggestions"])  # the last turn's follow-ups
    with page.expect_request("**/api/ask") as req:
        ask(page, "next")
    assert req.value.post_data_json["history"] == [f"question {i}" for i in range(2, 12)]


def test_markup_in_questions_and_replies_stays_text(page, live_server):
    reply = answer_reply(answer=f"Answer {XSS} [1]", suggestions=[XSS])
    reply["citations"][0].update(title=f"Title {XSS}", section=XSS, text=f"Passage {XSS}")
    page.route("**/api/ask", lambda route: fulfil_json(route, reply))
    page.on("dialog", lambda d: pytest.fail("a dialog opened: " + d.message))
    open_demo(page, live_server)
    ask(page, f"Question {XSS}")
    expect(shadow(page, ".msg.user")).to_have_text(f"You: Question {XSS}")
    expect(shadow(page, ".msg.bot").last).to_contain_text(f"Answer {XSS}")
    shadow(page, "summary").first.click()
    expect(shadow(page, "blockquote").first).to_contain_text(f"Passage {XSS}")
    expect(shadow(page, ".chip")).to_have_text([XSS])
    assert page.evaluate("document.querySelector('iop-chat').shadowRoot.querySelectorAll('img').length") == 0
    assert page.evaluate("window.__xss") is None


def test_crisis_card_calls_texts_and_keeps_help_in_header(page, live_server):
    replies = [CRISIS, answer_reply()]
    page.route("**/api/ask", lambda route: fulfil_json(route, replies.pop(0)))
    open_demo(page, live_server)
    help_link = page.get_by_role("button", name="Need help now?")
    expect(help_link).to_be_hidden()
    ask(page, "I don't want to live anymore")
    card = shadow(page, ".crisis")
    expect(card).to_contain_text("You deserve support right now")
    expect(card.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(card.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(card.get_by_role("link", name="Text HOME to 741741")).to_have_attribute("href", "sms:741741?&body=HOME")
    expect(help_link).to_be_visible()
    ask(page, "What is an IOP?")
    expect(shadow(page, "details").first).to_be_visible()
    expect(help_link).to_be_visible()
    page.reload()  # the rest of the conversation includes the next page of the site
    expect(help_link).to_be_visible()
    help_link.click()
    expect(shadow(page, ".crisis")).to_have_count(2)
    expect(shadow(page, ".crisis").last).to_contain_text("Help is available now")
    expect(shadow(page, ".crisis").last.get_by_role("link", name="Call 988")).to_be_visible()
    expect(shadow(page, ".crisis").last).to_be_focused()


def test_real_crisis_question_gets_crisis_card(page, live_server):
    open_demo(page, live_server)
    ask(page, "I want to kill myself")
    expect(shadow(page, ".crisis a[href^='tel:']").first).to_be_visible()
    expect(page.get_by_role("button", name="Need help now?")).to_be_visible()


def test_clear_conversation_wipes_storage_and_history(page, live_server):
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    expect(shadow(page, ".msg.user")).to_have_count(1)
    expect(shadow(page, ".msg.bot")).to_have_count(2)
    page.get_by_role("button", name="Clear conversation").click()
    expect(shadow(page, ".msg.user")).to_have_count(0)
    stored = page.evaluate(f"JSON.parse(sessionStorage.getItem('iop-chat:{live_server}'))")
    assert stored["turns"] == []
    with page.expect_request("**/api/ask") as req:
        ask(page, "How long is it?")
    assert req.value.post_data_json["history"] == []
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""


def test_keyboard_only(page, live_server):
    page.goto(live_server + "/")
    focused_in_widget = "document.querySelector('iop-chat').shadowRoot.activeElement?.className || ''"
    for _ in range(12):  # Tab through the host page's links to the launcher
        page.keyboard.press("Tab")
        if "launcher" in page.evaluate(focused_in_widget):
            break
    assert "launcher" in page.evaluate(focused_in_widget)
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    page.keyboard.type("What is an IOP?")
    page.keyboard.press("Enter")
    expect(shadow(page, "summary").first).to_be_visible()
    summary = shadow(page, "summary").first
    for _ in range(12):  # Tab until the first source card
        page.keyboard.press("Shift+Tab")
        if summary.evaluate("s => s.getRootNode().activeElement === s"):
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(shadow(page, "blockquote").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    launcher = page.get_by_role("button", name="Questions about IOP")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_host_page_css_does_not_leak_in(page, live_server):
    host_page(page, live_server, css=HOSTILE_CSS)
    launcher = page.get_by_role("button", name="Questions about IOP")
    assert launcher.evaluate("b => getComputedStyle(b).fontSize") == "16px"
    launcher.click()
    box = page.get_by_role("textbox", name="Your question")
    style = box.evaluate("i => [getComputedStyle(i).fontSize, getComputedStyle(i).color]")
    assert style == ["16px", "rgb(29, 39, 48)"]
    panel = page.get_by_role("dialog").bounding_box()
    assert panel["width"] == 384 and panel["height"] <= 800
    ask(page, "What is an IOP?")
    expect(shadow(page, "summary").first).to_be_visible()
    assert shadow(page, ".msg.bot").last.evaluate("m => getComputedStyle(m).fontSize") == "16px"


def test_embedded_on_another_site(app, page, live_server, provider):
    preflight = app.test_client().options("/api/ask", headers={
        "Origin": provider.origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    if preflight.headers.get("Access-Control-Allow-Origin") not in (provider.origin, "*"):
        pytest.skip("the app does not answer CORS preflights for ALLOWED_ORIGINS yet")
    provider.pages["/embed"] = (f"<!doctype html><html lang=en><head><title>Provider</title></head><body><h1>Hi</h1>"
                                f'<script src="{live_server}/widget.js" data-open defer></script></body></html>')
    page.goto(provider.origin + "/embed")
    expect(page.get_by_role("dialog")).to_be_visible()
    ask(page, "What is an IOP?")
    expect(shadow(page, "summary").first).to_be_visible()
    stored = page.evaluate("Object.keys(sessionStorage)")
    assert stored == [f"iop-chat:{live_server}"]


def test_server_unreachable_then_retry(page, live_server):
    page.route("**/api/ask", lambda route: route.abort("connectionrefused"))
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    error = shadow(page, ".error")
    expect(error).to_contain_text("couldn't reach the service")
    page.unroute("**/api/ask")
    with page.expect_request("**/api/ask") as req:
        error.get_by_role("button", name="Retry").click()
    assert req.value.post_data_json == {"question": "What is an IOP?", "history": []}
    expect(shadow(page, ".error")).to_have_count(0)
    expect(shadow(page, "summary").first).to_be_visible()
    expect(shadow(page, ".msg.user")).to_have_count(1)  # retrying does not repeat the question


def test_slow_server_times_out(page, live_server):
    held = []
    page.route("**/api/ask", lambda route: held.append(route))  # never answered
    host_page(page, live_server, attrs='data-timeout="1" data-open')
    ask(page, "What is an IOP?")
    expect(shadow(page, ".error")).to_contain_text("taking too long")
    expect(shadow(page, ".typing")).to_have_count(0)
    expect(shadow(page, ".error button")).to_have_text("Retry")


def test_rate_limited_shows_wait_and_resources(page, live_server):
    body = {"error": {"code": "rate_limited", "message": "Too many requests"}, "resources": CRISIS["resources"]}
    page.route("**/api/ask", lambda route: fulfil_json(route, body, status=429, headers={"Retry-After": "7"}))
    open_demo(page, live_server)
    ask(page, "What is an IOP?")
    expect(shadow(page, ".error")).to_contain_text("wait 7 seconds")
    expect(shadow(page, ".crisis a[href='tel:988']")).to_be_visible()


def test_bad_request_shows_server_message_without_retry(page, live_server):
    body = {"error": {"code": "too_long", "message": "Please keep questions under 1000 characters."}}
    page.route("**/api/ask", lambda route: fulfil_json(route, body, status=400))
    open_demo(page, live_server)
    ask(page, "x")
    expect(shadow(page, ".error")).to_contain_text("under 1000 characters")
    expect(shadow(page, ".error button")).to_have_count(0)


def test_settings_from_data_attributes(page, live_server):
    host_page(page, live_server,
              attrs='data-title="Ask Riverbend" data-greeting="Welcome!" data-color="#ffeb3b" '
                    'data-position="left" data-open')
    dialog = page.get_by_role("dialog", name="Ask Riverbend")
    expect(dialog).to_be_visible()
    expect(shadow(page, ".msg.bot").first).to_contain_text("Welcome!")
    assert dialog.bounding_box()["x"] == 20  # left
    header = shadow(page, "header")
    # A light brand colour gets dark text, so the header keeps AA contrast.
    assert header.evaluate("h => getComputedStyle(h).color") == "rgb(17, 24, 32)"
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(255, 235, 59)"


def test_phone_panel_fills_screen(phone_page, live_server):
    open_demo(phone_page, live_server)
    box = phone_page.get_by_role("dialog").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    expect(phone_page.get_by_role("button", name="Questions about IOP")).to_be_hidden()
    ask(phone_page, "What is an IOP?")
    expect(shadow(phone_page, "summary").first).to_be_visible()
    assert phone_page.get_by_role("textbox", name="Your question").evaluate(
        "i => getComputedStyle(i).fontSize") == "16px"  # iOS zooms into inputs under 16px


def test_narrow_320_has_no_horizontal_overflow(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 568})
    pg = context.new_page()
    pg.route("**/api/ask", lambda route: fulfil_json(route, answer_reply()))
    open_demo(pg, live_server)
    ask(pg, "What is an IOP?")
    expect(shadow(pg, "summary").first).to_be_visible()
    widths = shadow(pg, ".log").evaluate("l => [l.scrollWidth, l.clientWidth]")
    assert widths[0] <= widths[1]
    context.close()


def test_accessibility_audit(axe_page, live_server):
    replies = [answer_reply(note="A note."), CRISIS]
    axe_page.route("**/api/ask", lambda route: fulfil_json(route, replies.pop(0)))
    open_demo(axe_page, live_server)
    ask(axe_page, "What is an IOP?")
    shadow(axe_page, "summary").first.click()
    ask(axe_page, "I feel hopeless")
    expect(shadow(axe_page, ".crisis")).to_be_visible()
    assert run_axe(axe_page) == []


def test_unreadable_stored_state_starts_fresh(page, live_server):
    page.goto(live_server + "/")
    page.evaluate(f"sessionStorage.setItem('iop-chat:{live_server}', '{{\"turns\": 5}}')")
    page.reload()
    page.get_by_role("button", name="Questions about IOP").click()
    expect(shadow(page, ".chip").first).to_be_visible()  # the greeting's starter questions


def test_visitor_closing_beats_data_open(page, live_server):
    host_page(page, live_server, attrs="data-open")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("button", name="Close chat").click()
    page.reload()
    expect(page.get_by_role("button", name="Questions about IOP")).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_hidden()
