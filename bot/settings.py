"""Every setting in one table: name, default and help. Read once, at start-up, and passed down.

Order of precedence: the defaults below, then ``BOT_<NAME>`` environment variables, then explicit
overrides (a test's ``test_config`` or command-line flags). No other module reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _default_dir(name: str) -> str:
    """A folder beside the package in a clone, or the copy shipped inside an installed package."""
    beside = PROJECT_DIR / name
    return str(beside if beside.is_dir() else PACKAGE_DIR / "_shipped" / name)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("CORPUS_DIR", _default_dir("corpus"), "Folder of source documents and their metadata.toml."),
    Setting("INDEX_DIR", "", "Where the index cache is written; empty = a 'bot-index' folder in the system temp dir."),
    Setting("WEB_DIR", _default_dir("web"), "Folder of the widget, kiosk and staff pages."),
    Setting("SYNONYMS_FILE", "", "Synonyms and abbreviations; empty = synonyms.toml in the corpus folder, if any."),
    Setting("CLEANING_FILE", "", "Per-corpus cleaning rules; empty = cleaning.toml in the corpus folder, if any."),
    Setting("CRISIS_RESOURCES_FILE", str(PACKAGE_DIR / "data" / "crisis_resources.toml"),
            "Crisis lines shown to a person at risk (name, phone, text option, when to show)."),
    Setting("BM25_VARIANT", "okapi", "rank_bm25 scoring: okapi, plus or l (measured: see README)."),
    Setting("BM25_K1", 1.2, "BM25 term-frequency saturation.", float),
    Setting("BM25_B", 0.4, "BM25 length normalisation.", float),
    Setting("HEADING_WEIGHT", 2, "How many times a passage's heading words count in its index entry.", int),
    Setting("TITLE_WEIGHT", 0, "How many times its document's title words count in a passage's index entry.", int),
    Setting("ONE_PASSAGE_PER_DOCUMENT", 0, "1 = results hold only each document's best passage (distinct sources).", int),
    Setting("CHUNK_MAX_WORDS", 100, "Largest passage, in words; sections above it are split at sentences.", int),
    Setting("CONFIDENCE_THRESHOLD", 0.14, "Below this confidence the bot falls back instead of answering.", float),
    Setting("ANSWER_MAX_WORDS", 80, "Target length of a composed answer.", int),
    Setting("HANDOFF_TEXT",
            "call the program's admissions line, or the SAMHSA National Helpline at 1-800-662-4357 "
            "(free, confidential, 24/7)",
            "How a person reaches a human; used in fallbacks and the disclaimer."),
    Setting("MAX_QUESTION_CHARS", 1000, "Longest question the API accepts.", int),
    Setting("MAX_HISTORY", 10, "Most earlier questions the API accepts as history.", int),
    Setting("MAX_BODY_BYTES", 16384, "Largest request body.", int),
    Setting("ALLOWED_ORIGINS", "", "Comma-separated origins allowed to call the API from a browser (CORS)."),
    Setting("RATE_LIMIT", "30/minute;10/second", "Per-client limits on /api/ask (Flask-Limiter syntax)."),
    Setting("SEARCH_RATE_LIMIT", "120/minute;20/second", "Per-client limit on /api/search (staff search as they type)."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Where rate-limit counts live; a redis:// URL shares them between instances."),
    Setting("TRUST_PROXY", 0, "How many proxies in front to trust for X-Forwarded-For (0 = none).", int),
    Setting("KIOSK_IDLE_SECONDS", 90, "Kiosk wipes the conversation after this long without a touch.", int),
    Setting("WORKERS", 0, "gunicorn worker processes; 0 = one per core, capped at 8.", int),
    Setting("THREADS", 4, "Threads per gunicorn worker (for slow clients; answering is CPU-bound).", int),
    Setting("TIMEOUT", 30, "Seconds before a stuck worker is restarted.", int),
    Setting("CLIENT_TIMEOUT", 10, "Seconds a client may stall while sending a request or reading a reply.", int),
    Setting("LOG_LEVEL", "INFO", "Python log level."),
    Setting("LOG_QUESTIONS", 0, "1 = include redacted question text in logs (off by default, for privacy).", int),
)


def _coerce(setting: Setting, value: Any) -> Any:
    if isinstance(value, str) and setting.type is not str:
        return setting.type(value.strip())
    return value


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then ``BOT_*`` environment variables, then ``overrides``; unknown names are errors."""
    environ = os.environ if environ is None else environ
    known = {s.name: s for s in SETTINGS}
    values = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        if f"BOT_{setting.name}" in environ:
            values[setting.name] = _coerce(setting, environ[f"BOT_{setting.name}"])
    for name, value in (overrides or {}).items():
        if name not in known:
            if name.isupper():
                values[name] = value  # Flask's own keys (TESTING...) pass through untouched
                continue
            raise KeyError(f"unknown setting {name!r}")
        values[name] = _coerce(known[name], value)
    return values
