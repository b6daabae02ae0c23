"""The protective shell: rate limits (memory and real Redis), CORS, headers, request limits and JSON logs."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time

import pytest

from bot.app import create_app
from bot.protect import PAGE_CSP, install, redact

QUESTION = "does my insurance cover an intensive outpatient program"


def make_app(test_config, **overrides):
    """An app with the shell installed, whether or not create_app already installs it."""
    app = create_app({**test_config, **overrides})
    if "bot_protect" not in app.extensions:
        install(app, app.config)
    return app


@pytest.fixture
def protected(test_config):
    return make_app(test_config, RATE_LIMIT="1000/minute")


def fetch(app, path, **kwargs):
    """GET a path and close the response, so file-backed responses release their file."""
    with app.test_client().get(path, **kwargs) as r:
        r.get_data()
        return r


def ask(client, question=QUESTION, **kwargs):
    return client.post("/api/ask", json={"question": question}, **kwargs)


def test_install_is_idempotent(protected):
    limiter = protected.extensions["bot_protect"]
    assert install(protected, protected.config) is limiter


# --- headers on each kind of response ---

PAGES = ["/", "/kiosk", "/staff"]
EMBEDDABLE = ["/widget.js", "/web/kiosk.css"]


@pytest.mark.parametrize("path", PAGES + EMBEDDABLE + ["/api/health"])
def test_common_security_headers(protected, path):
    r = fetch(protected, path)
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert len(r.headers["X-Request-Id"]) == 32
    assert "Strict-Transport-Security" not in r.headers  # plain http


@pytest.mark.parametrize("path", PAGES + ["/api/health"])
def test_pages_get_the_strict_csp(protected, path):
    r = fetch(protected, path)
    assert r.headers["Content-Security-Policy"] == PAGE_CSP
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", EMBEDDABLE)
def test_embeddable_assets_stay_cross_origin(protected, path):
    r = fetch(protected, path)
    assert r.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Content-Security-Policy" not in r.headers and "X-Frame-Options" not in r.headers


@pytest.mark.parametrize("path", ["/", "/api/health"])
def test_hsts_only_over_https(protected, path):
    r = fetch(protected, path, base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


# --- CORS ---

def test_cors_default_allows_no_other_origin(protected):
    r = ask(protected.test_client(), headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_same_origin_always_allowed(protected):
    r = ask(protected.test_client(), headers={"Origin": "http://localhost"})
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost"


def test_cors_allowlisted_origin(test_config):
    app = make_app(test_config, ALLOWED_ORIGINS="https://clinic.example, https://b.example/")
    client = app.test_client()
    r = ask(client, headers={"Origin": "https://clinic.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Origin" in r.headers.get_all("Vary")
    assert "*" not in r.headers.get("Access-Control-Allow-Origin", "")
    assert ask(client, headers={"Origin": "https://b.example"}).headers["Access-Control-Allow-Origin"]
    assert "Access-Control-Allow-Origin" not in ask(client, headers={"Origin": "https://evil.example"}).headers


def test_cors_preflight(test_config):
    client = make_app(test_config, ALLOWED_ORIGINS="https://clinic.example").test_client()
    headers = {"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    r = client.options("/api/ask", headers=headers)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    refused = client.options("/api/ask", headers={**headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


# --- request limits ---

def test_body_too_large_is_413_json(protected, assert_error):
    body = json.dumps({"question": "x" * 20000})
    r = protected.test_client().post("/api/ask", data=body, content_type="application/json")
    assert_error(r, 413, "body_too_large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_post_must_be_json(protected, assert_error, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    r = protected.test_client().post("/api/ask", data=json.dumps({"question": QUESTION}), **kwargs)
    assert_error(r, 415, "unsupported_media_type")


# --- rate limits ---

def assert_rate_limited(response):
    """429 in the one error shape, plus Retry-After and the crisis lines someone throttled must still see."""
    assert response.status_code == 429
    body = response.get_json()
    assert set(body["error"]) == {"code", "message"} and body["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
    assert any(r["phone"] == "988" for r in body["resources"])
    assert "988" in body["note"]


def test_rate_limit_returns_429_with_resources(test_config):
    client = make_app(test_config, RATE_LIMIT="3/minute", SEARCH_RATE_LIMIT="4/minute").test_client()
    assert [ask(client).status_code for _ in range(3)] == [200, 200, 200]
    assert_rate_limited(ask(client))
    statuses = [client.get("/api/search", query_string={"q": "iop"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # search has its own, separate allowance


def test_rate_limit_spares_health_and_pages(test_config):
    client = make_app(test_config, RATE_LIMIT="1/minute").test_client()
    assert all(client.get("/api/health").status_code == 200 for _ in range(5))
    assert all(fetch(client.application, "/").status_code == 200 for _ in range(5))


def test_rate_limit_is_per_client(test_config):
    client = make_app(test_config, RATE_LIMIT="2/minute").test_client()
    a, b = {"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "10.0.0.2"}
    assert [ask(client, environ_base=a).status_code for _ in range(3)] == [200, 200, 429]
    assert ask(client, environ_base=b).status_code == 200


def test_forwarded_for_ignored_without_trust_proxy(test_config):
    client = make_app(test_config, RATE_LIMIT="2/minute").test_client()
    codes = [ask(client, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]  # a client cannot pick a fresh key by inventing a header


def test_forwarded_for_trusted_with_trust_proxy(test_config):
    app = make_app(test_config, RATE_LIMIT="2/minute", TRUST_PROXY=1)
    client = app.test_client()
    codes = [ask(client, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 200]
    same = [ask(client, headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(3)]
    assert same == [200, 200, 429]
    https = fetch(app, "/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in https.headers


# --- logs ---

def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "bot.access"]


def test_logs_are_json_without_question_or_address(protected, caplog):
    caplog.set_level(logging.INFO)
    client = protected.test_client()
    ask(client, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    client.get("/api/search", query_string={"q": "insurance coverage"})
    lines = access_lines(caplog)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/api/ask", 200), ("GET", "/api/search", 200)]
    for line in lines:
        assert set(line) == {"event", "request_id", "method", "path", "status", "latency_ms"}
        assert len(line["request_id"]) == 32 and line["latency_ms"] >= 0
    text = caplog.text
    assert "insurance" not in text and "192.0.2.44" not in text


def test_request_id_echoed_matches_log(protected, caplog):
    caplog.set_level(logging.INFO)
    r = protected.test_client().get("/api/health")
    assert access_lines(caplog)[-1]["request_id"] == r.headers["X-Request-Id"]


def test_log_questions_redacts(test_config, caplog):
    caplog.set_level(logging.INFO)
    client = make_app(test_config, LOG_QUESTIONS=1, RATE_LIMIT="1000/minute").test_client()
    ask(client, "my email is sam@example.com and phone 555-123-4567, is IOP 3 days a week?")
    line = access_lines(caplog)[-1]
    assert "sam@example.com" not in line["question"] and "555" not in line["question"]
    assert "[email]" in line["question"] and "[phone]" in line["question"] and "IOP" in line["question"]


def test_crisis_messages_never_logged(test_config, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_app(test_config, LOG_QUESTIONS=1, RATE_LIMIT="1000/minute").test_client()
    r = ask(client, "I want to kill myself tonight")
    assert r.get_json()["type"] == "crisis"
    assert "question" not in access_lines(caplog)[-1]
    assert "kill myself" not in caplog.text


@pytest.mark.parametrize("text, expected", [
    ("call 555-123-4567 now", "call [phone] now"),
    ("a@b.org", "[email]"),
    ("I am 34", "I am ##"),
])
def test_redact(text, expected):
    assert redact(text) == expected


# --- a real Redis shared between two apps ---

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); CI installs it")
    pytest.importorskip("redis")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield proc, f"redis://127.0.0.1:{port}"
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:redis")
def test_redis_shares_counts_and_falls_back_when_it_dies(test_config, redis_server, caplog):
    proc, uri = redis_server
    first = make_app(test_config, RATE_LIMIT="4/minute", RATELIMIT_STORAGE_URI=uri).test_client()
    second = make_app(test_config, RATE_LIMIT="4/minute", RATELIMIT_STORAGE_URI=uri).test_client()
    codes = [ask(client).status_code for client in (first, second, first, second)]
    assert codes == [200, 200, 200, 200]
    assert_rate_limited(ask(first))  # the fifth request overall, the third from this app
    assert_rate_limited(ask(second))

    proc.kill()
    proc.wait(timeout=10)
    caplog.set_level(logging.WARNING, logger="flask-limiter")
    fresh = {"REMOTE_ADDR": "10.9.9.9"}
    assert ask(first, environ_base=fresh).status_code == 200  # per-instance counts now, never an error
    assert ask(second, environ_base=fresh).status_code == 200
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records if r.name == "flask-limiter")
