"""Save PNG screenshots of the widget, kiosk and staff console into docs/screenshots/.

Starts the real app (bot.app.create_app) on 127.0.0.1 and drives Debian's Chromium with Playwright:
    python bench/screenshots.py [--out docs/screenshots] [--only widget|kiosk|staff]
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--hide-scrollbars", "--font-render-hinting=none"]


def make_app():
    """The real app, its rate limit lifted: the shots fire requests faster than a person would."""
    sys.path.insert(0, str(ROOT))
    from bot.app import create_app

    return create_app({"RATE_LIMIT": "10000/second"})


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def widget(browser, base, out: Path, name: str, viewport: dict, mobile: bool, question: str = "What is an IOP?"):
    """The demo page with the widget open on an answer whose first source is expanded."""
    ctx = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile,
                              device_scale_factor=2 if mobile else 1)
    page = ctx.new_page()
    page.goto(base + "/")
    page.get_by_role("button", name="Questions about IOP").click()
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")
    summary = page.locator("iop-chat summary").first
    expect(summary).to_be_visible()
    summary.click()
    box.blur()
    # Start the view at the question, as a visitor scrolling back up would see it.
    page.locator("iop-chat .log").evaluate(
        "log => { const q = [...log.querySelectorAll('.user')].pop(); log.scrollTop = q.offsetTop - 16; }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / name))
    ctx.close()


def widget_crisis(browser, base, out: Path):
    """The crisis card on a phone, with the header's "Need help now?" button."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    page = ctx.new_page()
    page.goto(base + "/")
    page.get_by_role("button", name="Questions about IOP").click()
    box = page.get_by_role("textbox", name="Your question")
    box.fill("I want to kill myself")
    box.press("Enter")
    expect(page.locator("iop-chat .crisis")).to_be_visible()
    box.blur()
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "widget-crisis-phone.png"))
    ctx.close()


def kiosk(browser, base, out: Path):
    """The kiosk's start screen, then an answer with a source open."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    page = ctx.new_page()
    page.goto(base + "/kiosk")
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "kiosk-start.png"))
    page.get_by_role("button", name="What is an IOP?").click()
    source = page.locator(".sources button").first
    expect(source).to_be_visible()
    source.click()
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "kiosk-answer.png"))
    page.get_by_role("button", name="Type a question").click()
    page.wait_for_timeout(200)
    page.screenshot(path=str(out / "kiosk-keyboard.png"))
    ctx.close()


def staff(browser, base, out: Path):
    """The staff console mid-search, with the bot's answer above the results."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(base + "/staff")
    page.keyboard.type("does insurance cover iop", delay=30)
    expect(page.locator(".result").first).to_be_visible()
    expect(page.locator(".bot-answer p").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "staff.png"))
    ctx.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=["widget", "kiosk", "staff"], help="take one set of shots")
    parser.add_argument("--question", default="What is an IOP?", help="what the widget shots ask")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    server, base = serve(make_app())
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            if args.only in (None, "widget"):
                widget(browser, base, args.out, "widget-desktop.png", {"width": 1280, "height": 800}, False,
                       args.question)
                widget(browser, base, args.out, "widget-phone.png", {"width": 390, "height": 844}, True,
                       args.question)
                widget_crisis(browser, base, args.out)
            if args.only in (None, "kiosk"):
                kiosk(browser, base, args.out)
            if args.only in (None, "staff"):
                staff(browser, base, args.out)
            browser.close()
    finally:
        server.shutdown()
    for png in sorted(args.out.glob("*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
