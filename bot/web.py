"""The web blueprint: the embeddable widget, its demo page, the kiosk and the staff console, served from WEB_DIR."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template_string, send_from_directory

bp = Blueprint("web", __name__)

WIDGET_MAX_AGE = 300  # seconds: sites embed /widget.js without a version, so a fix must reach them soon


def _web_dir() -> Path:
    """The folder holding the pages, found through the WEB_DIR setting."""
    return Path(current_app.config["WEB_DIR"])


@bp.get("/widget.js")
def widget() -> Response:
    """The embed script that other sites load with one <script> tag."""
    response = send_from_directory(_web_dir(), "widget.js", max_age=WIDGET_MAX_AGE)
    # Other origins load this file; a same-origin Cross-Origin-Resource-Policy set app-wide would block it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/")
def demo() -> Response:
    """A demo provider page with the widget on it."""
    return send_from_directory(_web_dir(), "index.html", max_age=0)


@bp.get("/staff")
def staff() -> Response:
    """The search console for helpline staff."""
    return send_from_directory(_web_dir(), "staff.html", max_age=0)


@bp.get("/kiosk")
def kiosk() -> str:
    """The waiting-room kiosk; the idle timeout reaches its script as <body data-idle-seconds>."""
    source = (_web_dir() / "kiosk.html").read_text(encoding="utf-8")
    idle = max(1, int(current_app.config.get("KIOSK_IDLE_SECONDS", 90)))
    return render_template_string(source, idle_seconds=idle)  # autoescaped; the value is an int anyway


@bp.get("/web/<path:filename>")
def asset(filename: str) -> Response:
    """Static files (scripts, styles, icons); send_from_directory refuses paths that leave the folder."""
    return send_from_directory(_web_dir(), filename, max_age=WIDGET_MAX_AGE)
