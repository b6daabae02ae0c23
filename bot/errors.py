"""One JSON error shape, ``{"error": {"code", "message"}}``, produced here and nowhere else."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the API refuses: carries the HTTP status and a stable machine-readable code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Werkzeug's exceptions mapped to our codes; anything else uses its name in snake case.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The one place the error body is built."""
    return jsonify({"error": {"code": code, "message": message}}), status


def _wants_json() -> bool:
    """API paths always get JSON errors; web pages keep Flask's own error pages."""
    return request.path == "/api" or request.path.startswith("/api/")


def handle_api_error(error: ApiError) -> tuple[Response, int]:
    return error_response(error.status, error.code, error.message)


def handle_http_exception(error: HTTPException):
    if not _wants_json():
        return error
    status = error.code or 500
    code = HTTP_CODES.get(status) or (error.name or "error").lower().replace(" ", "_")
    response, status = error_response(status, code, error.description or error.name or "error")
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status


def handle_unexpected(error: Exception) -> tuple[Response, int]:
    # Logged with its traceback for operators; the client only ever sees the JSON shape.
    log.exception("unhandled error on %s", request.path)
    return error_response(500, "internal_error", "Something went wrong on our side. Please try again.")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers app-wide so 404/405 on unknown /api paths are JSON too."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
