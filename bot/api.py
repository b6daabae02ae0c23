"""The /api blueprint: ask, search, health and sources. Validation here; answers come from dialogue."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from . import dialogue
from .errors import ApiError

bp = Blueprint("api", __name__)

SEARCH_MAX_K = 50
SEARCH_DEFAULT_K = 10


def get_engine():
    """The engine built once by create_app."""
    return current_app.extensions["bot_engine"]


def _settings() -> dict[str, Any]:
    return current_app.config


def _json_body() -> dict:
    """The request body as a JSON object, or a 4xx ApiError saying what is wrong with it."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the request body as application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The request body is not valid UTF-8.") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting too deep to parse
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    return body


def _question(value: Any, field: str = "question") -> str:
    limit = int(_settings()["MAX_QUESTION_CHARS"])
    if value is None:
        raise ApiError(400, "missing_question", f"'{field}' is required.")
    if not isinstance(value, str):
        raise ApiError(400, "invalid_question", f"'{field}' must be a string.")
    if not value.strip():
        raise ApiError(400, "empty_question", f"'{field}' must not be empty.")
    if len(value) > limit:
        raise ApiError(400, "question_too_long", f"'{field}' must be at most {limit} characters.")
    return value


def _history(value: Any) -> list[str]:
    if value is None:
        return []
    limit = int(_settings()["MAX_HISTORY"])
    chars = int(_settings()["MAX_QUESTION_CHARS"])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(400, "invalid_history", "'history' must be a list of strings.")
    if len(value) > limit:
        raise ApiError(400, "history_too_long", f"'history' may hold at most {limit} questions.")
    if any(len(item) > chars for item in value):
        raise ApiError(400, "history_item_too_long", f"Each history entry must be at most {chars} characters.")
    return value


@bp.post("/ask")
def ask() -> Response:
    """Answer one question, given the earlier questions of the conversation."""
    body = _json_body()
    question = _question(body.get("question"))
    history = _history(body.get("history"))
    reply = dialogue.respond(get_engine(), _settings(), question, history)
    return jsonify(reply.to_dict())


def _k(value: str | None) -> int:
    if value is None:  # absent: the default; present but empty is a malformed number like any other
        return SEARCH_DEFAULT_K
    try:
        k = int(value)
    except ValueError:
        raise ApiError(400, "invalid_k", f"'k' must be a whole number from 1 to {SEARCH_MAX_K}.") from None
    if not 1 <= k <= SEARCH_MAX_K:
        raise ApiError(400, "invalid_k", f"'k' must be a whole number from 1 to {SEARCH_MAX_K}.")
    return k


@bp.get("/search")
def search() -> Response:
    """Ranked passages for a query, with the character spans of matched words for highlighting."""
    q = _question(request.args.get("q"), field="q")
    k = _k(request.args.get("k"))
    engine = get_engine()
    result = engine.search(q, k=k)
    terms = list(result.terms)
    results = []
    for hit in result.hits[:k]:
        chunk = hit.chunk
        spans = engine.analyzer.match_spans(chunk.text, terms) if terms else []
        results.append({"id": chunk.id, "doc_id": chunk.doc_id, "title": chunk.title, "section": chunk.section,
                        "text": chunk.text, "url": chunk.url, "score": float(hit.score),
                        "highlights": [[int(s), int(e)] for s, e in spans]})
    return jsonify({"query": q, "confidence": round(float(result.confidence), 4), "results": results})


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
        import bot
        return str(getattr(bot, "__version__", None) or version("bot"))
    except Exception:  # not installed as a distribution: running from a clone
        return "0+unknown"


@bp.get("/health")
def health() -> Response:
    """Whether the corpus is loaded, and how much of it."""
    engine = get_engine()
    documents, passages = len(engine.documents), len(engine.chunks)
    status = "ok" if documents and passages else "degraded"
    return jsonify({"status": status, "documents": documents, "passages": passages, "version": _version()})


@bp.get("/sources")
def sources() -> Response:
    """The documents the bot answers from, with their metadata."""
    return jsonify({"sources": [d.to_dict() for d in get_engine().documents]})
