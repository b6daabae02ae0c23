"""The protective shell around the app: rate limits, CORS, security headers, request limits and access logs.

``install(app, settings)`` is called once at the end of ``create_app``; it is idempotent and records itself as
``app.extensions["bot_protect"]``. Nothing here changes what the bot answers, only who may ask and what is logged.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any, Mapping

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from . import errors

log = logging.getLogger(__name__)
access_log = logging.getLogger("bot.access")

LIMITED_ENDPOINTS = frozenset({"api.ask", "api.search"})
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# What a browser calling the API from an allowed origin may send, and how long it may cache that answer.
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Content-Type"
CORS_MAX_AGE = "600"
# Someone in crisis who is throttled must still see the numbers: the lines shown for the gravest kind.
RATE_LIMIT_RESOURCE_KINDS = ("suicide",)


def allowed_origins(value: str) -> frozenset[str]:
    """The ALLOWED_ORIGINS setting as a set of ``scheme://host[:port]`` strings, without trailing slashes."""
    return frozenset(o.strip().rstrip("/") for o in str(value or "").split(",") if o.strip())


def _is_embeddable(path: str) -> bool:
    """The widget script and static assets are loaded by other sites; pages and the API are not."""
    return path == "/widget.js" or path.startswith("/web/")


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


# ----------------------------------------------------------------------------------------------------------
# Redaction: used only when LOG_QUESTIONS=1, and never on a crisis message
# ----------------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_DIGIT = re.compile(r"\d")


def redact(text: str) -> str:
    """Emails, phone numbers and every remaining digit masked; the words of the question kept."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _DIGIT.sub("#", text)


class _DropLimiterBreachLog(logging.Filter):
    """Flask-Limiter logs each breach with its key, which is the client address; we never log addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("ratelimit ")


# ----------------------------------------------------------------------------------------------------------
# Rate limits
# ----------------------------------------------------------------------------------------------------------

def _client_address() -> str:
    """The limiter's key: the peer address, which ProxyFix has already replaced when proxies are trusted."""
    return request.remote_addr or "unknown"


def _crisis_resources(settings: Mapping[str, Any]) -> list[dict]:
    from . import safety

    try:
        resources = safety.load_resources(settings["CRISIS_RESOURCES_FILE"])
    except (OSError, ValueError):
        log.exception("crisis resources unavailable; 429 replies will carry only the note")
        return []
    return [r.to_dict() for r in safety.select_resources(resources, RATE_LIMIT_RESOURCE_KINDS)]


def rate_limited_response(limit: RequestLimit | None, resources: list[dict]) -> Response:
    """429 in the one error shape, with Retry-After, plus the crisis lines and the resources note."""
    from . import safety

    retry_after = max(1, int(limit.reset_at - time.time()) + 1) if limit is not None else 1
    response, status = errors.error_response(
        429, "rate_limited", f"Too many requests. Please wait {retry_after} seconds and try again.")
    body = response.get_json()
    body["resources"] = resources
    body["note"] = safety.resources_note()
    response.set_data(json.dumps(body))
    response.status_code = status
    response.headers["Retry-After"] = str(retry_after)
    return response


def _make_limiter(app: Flask, settings: Mapping[str, Any]) -> Limiter:
    resources = _crisis_resources(settings)

    def exempt() -> bool:
        return request.method == "OPTIONS" or request.endpoint not in LIMITED_ENDPOINTS

    limiter = Limiter(
        _client_address,
        default_limits=[str(settings["RATE_LIMIT"])],
        default_limits_exempt_when=exempt,
        storage_uri=str(settings["RATELIMIT_STORAGE_URI"]),
        # A shared store (Redis) that goes away degrades to per-instance counts with a logged warning;
        # any other storage error is logged and the request is served rather than refused.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix="iop-bot",
    )
    limiter.init_app(app)
    # Staff search as they type: one request per pause, so it gets its own, higher allowance.
    if "api.search" in app.view_functions:
        app.view_functions["api.search"] = limiter.limit(str(settings["SEARCH_RATE_LIMIT"]))(
            app.view_functions["api.search"])
    # More specific than the HTTPException handler in bot.errors, so Flask picks this one for a breach.
    app.register_error_handler(RateLimitExceeded, lambda _: rate_limited_response(limiter.current_limit, resources))
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, _DropLimiterBreachLog) for f in limiter_log.filters):
        limiter_log.addFilter(_DropLimiterBreachLog())
    return limiter


# ----------------------------------------------------------------------------------------------------------
# Hooks
# ----------------------------------------------------------------------------------------------------------

def _cors_origin(origins: frozenset[str]) -> str | None:
    """The request's Origin if it may read the response: an allowlisted origin or our own."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    if origin in origins or origin == request.host_url.rstrip("/"):
        return origin
    return None


def _install_hooks(app: Flask, settings: Mapping[str, Any]) -> None:
    origins = allowed_origins(settings["ALLOWED_ORIGINS"])
    max_body = int(settings["MAX_BODY_BYTES"])
    log_questions = bool(int(settings["LOG_QUESTIONS"]))

    @app.before_request
    def start_request():
        g.request_id = uuid.uuid4().hex
        g.started = time.perf_counter()
        if request.method == "OPTIONS" and _is_api(request.path):
            return Response(status=204)  # preflight: the CORS headers are added below
        if request.method == "POST" and _is_api(request.path) and request.routing_exception is None:
            # Only on routes that take POST: a POST to a GET-only route stays a 405.
            if request.content_length is not None and request.content_length > max_body:
                raise RequestEntityTooLarge()  # refused before the body is read
            if request.mimetype != "application/json":
                return errors.error_response(415, "unsupported_media_type",
                                             "Send the request body as application/json.")
            if log_questions and request.endpoint == "api.ask":
                request.get_data(cache=True)  # kept, so the view's read and the log line see the same bytes
        return None

    @app.after_request
    def finish_request(response: Response) -> Response:
        path = request.path
        headers = response.headers
        headers["X-Request-Id"] = getattr(g, "request_id", "")
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if _is_embeddable(path):
            headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        else:
            headers["Content-Security-Policy"] = PAGE_CSP
            headers["X-Frame-Options"] = "DENY"
        if _is_api(path):
            origin = _cors_origin(origins)
            headers.add("Vary", "Origin")
            if origin:
                headers["Access-Control-Allow-Origin"] = origin
                headers["Access-Control-Expose-Headers"] = "Retry-After, X-Request-Id"
                if request.method == "OPTIONS":
                    headers["Access-Control-Allow-Methods"] = CORS_METHODS
                    headers["Access-Control-Allow-Headers"] = CORS_HEADERS
                    headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        _log_request(response, log_questions)
        return response


def _log_request(response: Response, log_questions: bool) -> None:
    """One JSON line per request: never the question, history, query string or client address by default."""
    started = getattr(g, "started", None)
    entry = {
        "event": "request",
        "request_id": getattr(g, "request_id", ""),
        "method": request.method,
        "path": request.path,  # without the query string: /api/search?q= carries a question
        "status": response.status_code,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2) if started is not None else None,
    }
    if log_questions and request.endpoint == "api.ask" and response.status_code == 200:
        question = _loggable_question(response)
        if question is not None:
            entry["question"] = question
    access_log.info(json.dumps(entry))


def _loggable_question(response: Response) -> str | None:
    """The redacted question, or None when the reply was a crisis reply (those are never logged)."""
    reply = response.get_json(silent=True) or {}
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        return None
    question = body.get("question") if isinstance(body, dict) else None
    if reply.get("type") == "crisis" or not isinstance(question, str):
        return None
    return redact(question)


def install(app: Flask, settings: Mapping[str, Any] | None = None) -> Limiter:
    """Wrap ``app`` once: proxy trust, rate limits, CORS, security headers, body limits and JSON access logs."""
    if "bot_protect" in app.extensions:
        return app.extensions["bot_protect"]
    settings = app.config if settings is None else settings
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY_BYTES"])
    proxies = int(settings["TRUST_PROXY"])
    if proxies > 0:
        # Only then is X-Forwarded-For believed: otherwise any client could pick its own rate-limit key.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    _install_hooks(app, settings)  # before the limiter's hook, so preflights and 415s are never counted
    limiter = _make_limiter(app, settings)
    app.extensions["bot_protect"] = limiter
    return limiter
