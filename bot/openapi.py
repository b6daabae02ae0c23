"""The OpenAPI 3.1 description of /api, as a Python dict, served at GET /api/openapi.json.

It describes what the server does, not what we wish it did: tests/test_openapi.py drives the real app with
Schemathesis and checks every response against this document.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

NULLABLE_STRING = {"type": ["string", "null"]}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"], "additionalProperties": False,
        "properties": {"code": {"type": "string", "minLength": 1}, "message": {"type": "string", "minLength": 1}},
    }},
}

RESOURCE = {
    "type": "object",
    "required": ["name", "phone", "sms", "sms_body", "url", "description"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "phone": NULLABLE_STRING, "sms": NULLABLE_STRING,
                   "sms_body": NULLABLE_STRING, "url": NULLABLE_STRING, "description": NULLABLE_STRING},
}

RATE_LIMITED = {
    "allOf": [{"$ref": "#/components/schemas/Error"}],
    "properties": {"resources": {"type": "array", "items": {"$ref": "#/components/schemas/Resource"}},
                   "note": {"type": "string"}},
    "required": ["error", "resources", "note"],
}

CITATION = {
    "type": "object",
    "required": ["n", "id", "doc_id", "title", "section", "text", "url", "score"],
    "additionalProperties": False,
    "properties": {"n": {"type": "integer", "minimum": 1}, "id": {"type": "string"}, "doc_id": {"type": "string"},
                   "title": {"type": "string"}, "section": {"type": "string"}, "text": {"type": "string"},
                   "url": NULLABLE_STRING, "score": {"type": "number"}},
}

REPLY = {
    "type": "object",
    "required": ["type", "answer", "citations", "confidence", "suggestions", "disclaimer", "resources", "note"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "enum": ["answer", "fallback", "smalltalk", "crisis"]},
        "answer": {"type": "string"},
        "citations": {"type": "array", "items": {"$ref": "#/components/schemas/Citation"}},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "disclaimer": {"type": "string"},
        "resources": {"type": "array", "items": {"$ref": "#/components/schemas/Resource"}},
        "note": NULLABLE_STRING,
        "resolved_question": {"type": "string",
                              "description": "The question after follow-up resolution; absent on crisis replies."},
    },
}

ASK_REQUEST = {
    "type": "object",
    "required": ["question"],
    "properties": {
        "question": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": r"\S"},
        "history": {"type": ["array", "null"], "maxItems": 10, "items": {"type": "string", "maxLength": 1000},
                    "description": "Earlier questions of the conversation, oldest first; null means none."},
    },
}

SEARCH_RESULT = {
    "type": "object",
    "required": ["id", "doc_id", "title", "section", "text", "url", "score", "highlights"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"}, "doc_id": {"type": "string"}, "title": {"type": "string"},
        "section": {"type": "string"}, "text": {"type": "string"}, "url": NULLABLE_STRING, "score": {"type": "number"},
        "highlights": {"type": "array", "description": "[start, end) character spans of matched words in text.",
                       "items": {"type": "array", "items": {"type": "integer", "minimum": 0},
                                 "minItems": 2, "maxItems": 2}},
    },
}

SEARCH = {
    "type": "object", "required": ["query", "confidence", "results"], "additionalProperties": False,
    "properties": {"query": {"type": "string"}, "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                   "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}}},
}

HEALTH = {
    "type": "object", "required": ["status", "documents", "passages", "version"], "additionalProperties": False,
    "properties": {"status": {"type": "string", "enum": ["ok", "degraded"]},
                   "documents": {"type": "integer", "minimum": 0}, "passages": {"type": "integer", "minimum": 0},
                   "version": {"type": "string"}},
}

SOURCE = {
    "type": "object", "required": ["id", "title", "source", "format"],
    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "source": {"type": "string"},
                   "format": {"type": "string", "enum": ["text", "markdown", "html"]},
                   "publisher": NULLABLE_STRING, "url": NULLABLE_STRING, "published": NULLABLE_STRING,
                   "updated": NULLABLE_STRING},
}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string", "pattern": r"^\d+$"}}}
TOO_MANY = _json(_ref("RateLimited"), "Too many requests from this client; crisis lines included.", RETRY_AFTER)
BAD = _json(_ref("Error"), "The request is invalid.")

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {"title": "IOP answer desk", "version": "1",
             "description": "Answers questions about Intensive Outpatient Programs from its documents, with "
                            "citations. Not medical advice. Dialogue state is held by the client (history)."},
    "paths": {
        "/api/ask": {"post": {
            "operationId": "ask", "summary": "Answer one question, given the earlier questions.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("AskRequest")}}},
            "responses": {
                "200": _json(_ref("Reply"), "The reply."),
                "400": BAD,
                "413": _json(_ref("Error"), "The body is larger than MAX_BODY_BYTES."),
                "415": _json(_ref("Error"), "The body is not application/json."),
                "429": TOO_MANY,
            },
        }},
        "/api/search": {"get": {
            "operationId": "search", "summary": "Ranked passages for a query, with highlight spans.",
            "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "schema": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": r"\S"}},
                {"name": "k", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}},
            ],
            "responses": {"200": _json(_ref("Search"), "Passages, best first."), "400": BAD, "429": TOO_MANY},
        }},
        "/api/health": {"get": {
            "operationId": "health", "summary": "Whether the corpus is loaded.",
            "responses": {"200": _json(_ref("Health"), "Status and corpus size.")},
        }},
        "/api/sources": {"get": {
            "operationId": "sources", "summary": "The documents the bot answers from.",
            "responses": {"200": _json({"type": "object", "required": ["sources"], "additionalProperties": False,
                                        "properties": {"sources": {"type": "array", "items": _ref("Source")}}},
                                       "Document metadata.")},
        }},
        "/api/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document.",
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
        }},
    },
    "components": {"schemas": {
        "AskRequest": ASK_REQUEST, "Reply": REPLY, "Citation": CITATION, "Resource": RESOURCE, "Error": ERROR,
        "RateLimited": RATE_LIMITED, "Search": SEARCH, "SearchResult": SEARCH_RESULT, "Health": HEALTH,
        "Source": SOURCE,
    }},
}

# The prefix lives here so the document is at /api/openapi.json however the blueprint is registered.
bp = Blueprint("openapi", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI document."""
    return jsonify(SPEC)
