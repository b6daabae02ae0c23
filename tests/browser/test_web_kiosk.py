"""The waiting-room kiosk (/kiosk) in a real browser: topics, on-screen keyboard, sources in place, idle reset."""

from __future__ import annotations

import pytest

from browser_support import fulfil_json, run_axe

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

pytestmark = pytest.mark.browser

CRISIS = {
    "type": "crisis", "answer": "You matter. Please reach out now.", "citations": [], "confidence": 1.0,
    "suggestions": [], "disclaimer": "", "note": None,
    "resources": [
        {"name": "988 Suicide & Crisis Lifeline", "phone": "988", "sms": "988", "sms_body": None,
         "url": "https://988lifeline.org", "description": "24/7."},
        {"name": "Crisis Text Line", "phone": None, "sms": "741741", "sms_body": "HOME", "url": None,
         "description": ""},
    ],
}


@pytest.fixture
def idle_seconds(app, monkeypatch):
    """Shorten the kiosk's idle timeout for one test (the page reads it on each load)."""
    def set_to(seconds: int):
        monkeypatch.setitem(app.config, "KIOSK_IDLE_SECONDS", seconds)
    return set_to


def touch_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    return context, context.new_page()


def test_topic_button_answers_with_sources_in_place(page, live_server):
    page.goto(live_server + "/kiosk")
    with page.expect_request("**/api/ask") as req:
        page.get_by_role("button", name="How long is it?").click()
    assert req.value.post_data_json == {"question": "How long does an IOP last?", "history": []}
    source = page.locator(".sources button").first
    expect(source).to_be_visible()
    expect(page.locator(".asked")).to_have_text("How long does an IOP last?")
    passage = page.locator(".passage").first
    expect(passage).to_be_hidden()
    source.click()
    expect(source).to_have_attribute("aria-expanded", "true")
    expect(passage).to_be_visible()
    expect(page.locator("a[href]")).to_have_count(0)  # nothing leads away from the kiosk


def test_follow_up_sends_history(page, live_server):
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="What is an IOP?").click()
    suggestion = page.locator(".suggestion").first
    expect(suggestion).to_be_visible()
    text = suggestion.inner_text()
    with page.expect_request("**/api/ask") as req:
        suggestion.click()
    assert req.value.post_data_json == {"question": text,
                                        "history": ["What is an intensive outpatient program (IOP)?"]}


def test_on_screen_keyboard_types_and_asks(browser, live_server):
    context, page = touch_page(browser)
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="Type a question").first.tap()
    keys = page.locator("#keys")
    for ch in "how long":
        keys.get_by_role("button", name="Space" if ch == " " else ch, exact=True).tap()
    keys.get_by_role("button", name="?", exact=True).tap()
    keys.get_by_role("button", name="Delete").tap()
    keys.get_by_role("button", name="?", exact=True).tap()
    expect(page.get_by_role("textbox", name="Your question")).to_have_value("How long?")
    assert page.get_by_role("textbox", name="Your question").get_attribute("inputmode") == "none"
    with page.expect_request("**/api/ask") as req:
        page.get_by_role("button", name="Ask", exact=True).tap()
    assert req.value.post_data_json["question"] == "How long?"
    expect(page.locator("#keyboard")).to_be_hidden()
    expect(page.locator(".answer").first).to_be_visible()
    context.close()


def test_idle_countdown_then_reset(page, live_server, idle_seconds):
    idle_seconds(4)  # warns for the last 2 s
    page.goto(live_server + "/kiosk")
    assert page.locator("body").get_attribute("data-idle-seconds") == "4"
    page.get_by_role("button", name="What is an IOP?").click()
    expect(page.locator(".answer").first).to_be_visible()
    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_visible(timeout=4000)
    expect(warning).to_contain_text("Starting over in")
    expect(warning.get_by_role("button", name="Tap to continue")).to_be_visible()
    expect(page.get_by_role("heading", name="What would you like to know?")).to_be_visible(timeout=4000)
    expect(warning).to_be_hidden()
    expect(page.locator("#reply")).to_be_empty()
    expect(page.get_by_role("button", name="Start over")).to_be_hidden()
    with page.expect_request("**/api/ask") as req:  # the next visitor starts with no history
        page.get_by_role("button", name="How do I start?").click()
    assert req.value.post_data_json["history"] == []


def test_touch_during_countdown_keeps_conversation(page, live_server, idle_seconds):
    idle_seconds(4)
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="What is an IOP?").click()
    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_visible(timeout=4000)
    warning.get_by_role("button", name="Tap to continue").click()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(1000)  # past the moment the reset would have come
    expect(page.locator(".answer").first).to_be_visible()


def test_start_over_button_wipes(page, live_server):
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="What is an IOP?").click()
    expect(page.locator(".answer").first).to_be_visible()
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_role("heading", name="What would you like to know?")).to_be_visible()
    expect(page.locator("#reply")).to_be_empty()
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0


def test_crisis_numbers_are_large_and_not_links(page, live_server):
    page.route("**/api/ask", lambda route: fulfil_json(route, CRISIS))
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="Type a question").first.click()
    page.get_by_role("textbox", name="Your question").fill("I want to end it all")
    page.get_by_role("button", name="Ask", exact=True).click()
    crisis = page.locator(".crisis")
    expect(crisis).to_contain_text("You matter.")
    expect(crisis.locator(".big").first).to_have_text("Call 988")
    expect(crisis).to_contain_text("Text HOME to 741741")
    assert float(crisis.locator(".big").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    expect(page.locator("a[href]")).to_have_count(0)
    expect(page.locator(".asked")).to_be_hidden()  # not repeated in large type for the waiting room


def test_server_down_offers_try_again(page, live_server):
    page.route("**/api/ask", lambda route: route.abort("connectionrefused"))
    page.goto(live_server + "/kiosk")
    page.get_by_role("button", name="What is an IOP?").click()
    expect(page.locator(".error")).to_contain_text("aren't available right now")
    page.unroute("**/api/ask")
    page.get_by_role("button", name="Try again").click()
    expect(page.locator(".answer").first).to_be_visible()


def test_accessibility_audit(axe_page, live_server):
    axe_page.goto(live_server + "/kiosk")
    assert run_axe(axe_page) == []
    axe_page.get_by_role("button", name="What is an IOP?").click()
    axe_page.locator(".sources button").first.click()
    assert run_axe(axe_page) == []
    axe_page.get_by_role("button", name="Type a question").first.click()
    assert run_axe(axe_page) == []
