"""The application factory: settings, the engine (built once per process), blueprints and error handlers."""

from __future__ import annotations

import threading
from typing import Any, Mapping

from flask import Flask

from .settings import load_settings

_ENGINES: dict[tuple, Any] = {}
_ENGINES_LOCK = threading.Lock()
# Settings that change what the engine indexes; apps that agree on them share one engine.
ENGINE_KEYS = ("CORPUS_DIR", "INDEX_DIR", "SYNONYMS_FILE", "CLEANING_FILE", "BM25_VARIANT", "BM25_K1",
               "BM25_B", "HEADING_WEIGHT", "TITLE_WEIGHT", "CHUNK_MAX_WORDS", "ONE_PASSAGE_PER_DOCUMENT")


def get_engine(settings: Mapping[str, Any]):
    """The engine for these settings, built on first use and reused for the life of the process."""
    from .dialogue import corpus_state
    from .engine import Engine

    key = tuple(str(settings.get(name)) for name in ENGINE_KEYS)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            engine = Engine.from_settings(dict(settings))
            corpus_state(engine)  # sentences and headings too, before a server forks its workers
            engine.analyzer.prepare()  # and the analyzer's lazily built tables (stems, typo candidates)
            _ENGINES[key] = engine
        return _ENGINES[key]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then BOT_* environment variables, then ``test_config``."""
    from . import api, errors, openapi, protect, web

    settings = load_settings(test_config)
    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_BODY_BYTES"])
    app.json.sort_keys = False
    app.extensions["bot_engine"] = get_engine(settings)
    errors.register_error_handlers(app)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(web.bp)
    app.register_blueprint(openapi.bp)  # carries its own /api prefix
    protect.install(app, settings)  # rate limits, CORS, security headers, request limits, JSON logs
    return app
