"""The web blueprint (bot/web.py) and the rules the files in web/ keep; no browser needed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from flask import Flask

from bot.web import bp

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = sorted(WEB.glob("*.html"))
SCRIPTS = sorted(WEB.glob("*.js"))


def make_app(**config) -> Flask:
    app = Flask(__name__)
    app.config.update({"WEB_DIR": str(WEB), "KIOSK_IDLE_SECONDS": 90, **config})
    app.register_blueprint(bp)
    return app


@pytest.fixture
def client():
    return make_app().test_client()


def fetch(client, path: str):
    """GET a path and close the response (file responses hold the file open until closed)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("path, mimetype", [
    ("/", "text/html"),
    ("/kiosk", "text/html"),
    ("/staff", "text/html"),
    ("/widget.js", "text/javascript"),
    ("/web/kiosk.js", "text/javascript"),
    ("/web/staff.css", "text/css"),
    ("/web/icon.svg", "image/svg+xml"),
])
def test_routes(client, path, mimetype):
    response = fetch(client, path)
    assert response.status_code == 200
    assert response.mimetype in (mimetype, mimetype.replace("text/", "application/"))


def test_widget_is_embeddable_and_cached_briefly(client):
    response = fetch(client, "/widget.js")
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.cache_control.max_age == 300


def test_kiosk_gets_idle_seconds_from_config():
    body = make_app(KIOSK_IDLE_SECONDS=7).test_client().get("/kiosk").get_data(as_text=True)
    assert '<body class="kiosk" data-idle-seconds="7">' in body


def test_web_dir_comes_from_config(tmp_path):
    (tmp_path / "staff.html").write_text("custom staff page", encoding="utf-8")
    response = fetch(make_app(WEB_DIR=str(tmp_path)).test_client(), "/staff")
    assert response.get_data(as_text=True) == "custom staff page"


@pytest.mark.parametrize("path", ["/web/../bot/web.py", "/web/%2e%2e/bot/web.py", "/web/missing.js"])
def test_assets_stay_inside_web_dir(client, path):
    assert fetch(client, path).status_code == 404


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_need_no_inline_code_or_outside_hosts(page):
    """The CSP forbids inline scripts, handlers and style attributes; the pages must work offline."""
    html = page.read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r"""<[a-z]+\b[^>]*\s(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_never_parse_html(script):
    """Server text reaches the page through text nodes only."""
    code = script.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code


def test_widget_is_small():
    size = len(gzip.compress((WEB / "widget.js").read_bytes(), 9))
    assert size < 15 * 1024, f"widget.js is {size} bytes gzipped"


def test_readme_documents_every_widget_setting():
    code = (WEB / "widget.js").read_text(encoding="utf-8")
    body = code[code.index("function readConfig"):]
    body = body[:body.index("\n  }\n")]
    names = {re.sub(r"[A-Z]", lambda m: "-" + m.group().lower(), n) for n in re.findall(r"\bd\.(\w+)", body)}
    readme = (WEB / "README-widget.md").read_text(encoding="utf-8")
    assert names == {"endpoint", "timeout", "title", "greeting", "color", "position", "open"}
    for name in names:
        assert f"`data-{name}`" in readme
