"""The /api contract through Flask's test client: every reply type, every field, every error."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import dialogue
from bot.app import create_app

REPLY_FIELDS = {"type": str, "answer": str, "citations": list, "confidence": float, "suggestions": list,
                "disclaimer": str, "resources": list}
CITATION_FIELDS = {"n": int, "id": str, "doc_id": str, "title": str, "section": str, "text": str, "score": float}


def ask(client, question, history=None):
    body = {"question": question} if history is None else {"question": question, "history": history}
    return client.post("/api/ask", json=body)


def assert_reply(body: dict, type_: str) -> None:
    """The reply contract: every field and type; markers in the answer number the citations 1..n."""
    assert body["type"] == type_
    for name, kind in REPLY_FIELDS.items():
        assert isinstance(body[name], kind if kind is not float else (int, float)), name
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["note"] is None or isinstance(body["note"], str)
    assert body["disclaimer"] and body["disclaimer"].count(". ") == 0
    assert all(isinstance(s, str) and s.endswith("?") for s in body["suggestions"])
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])]
    if type_ == "answer":
        assert 2 <= len(body["suggestions"]) <= 4
        assert sorted(set(markers)) == [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
        for citation in body["citations"]:
            for name, kind in CITATION_FIELDS.items():
                assert isinstance(citation[name], kind if kind is not float else (int, float)), name
            assert citation["url"] is None or isinstance(citation["url"], str)
        text = re.sub(r"\s*(?:\[\d+\])+", "", body["answer"])
        assert len(text.split()) <= 120
    else:
        assert body["citations"] == [] and markers == []
    if type_ in ("fallback", "smalltalk"):
        assert 2 <= len(body["suggestions"]) <= 4


def test_answer(client):
    response = ask(client, "How long does an intensive outpatient program last?")
    assert response.status_code == 200
    body = response.get_json()
    assert_reply(body, "answer")
    assert "week" in body["answer"]


@pytest.mark.parametrize("question", ["does insurance cover iop", "how much does iop cost", "iop vs php",
                                      "what is an iop"])
def test_answers_keep_the_contract(client, question):
    assert_reply(ask(client, question).get_json(), "answer")


def test_citation_text_is_the_whole_passage(client, engine):
    body = ask(client, "does insurance cover iop").get_json()
    passages = {c.id: c.text for c in engine.chunks}
    for citation in body["citations"]:
        assert citation["text"] == passages[citation["id"]]


@pytest.mark.parametrize("question", ["what is the capital of australia", "give me a recipe for banana bread"])
def test_fallback(client, settings, question):
    body = ask(client, question).get_json()
    assert_reply(body, "fallback")
    assert settings["HANDOFF_TEXT"] in body["answer"]


@pytest.mark.parametrize("question", ["hi", "thank you", "bye", "who are you?", "are you a person?"])
def test_smalltalk(client, question):
    assert_reply(ask(client, question).get_json(), "smalltalk")


def test_crisis_with_a_stand_in_safety_module(client, monkeypatch):
    assessment = types.SimpleNamespace(crisis=True, kinds=("suicide",), sensitive_topic=True, reasons=(), spanish=False)
    fake = types.SimpleNamespace(
        assess=lambda message, history: assessment, load_resources=lambda path: (),
        select_resources=lambda resources, kinds: (), crisis_message=lambda kinds, spanish=False: "You matter. Call 988.",
        resources_note=lambda: "")
    monkeypatch.setattr(dialogue, "_safety", lambda: fake)
    body = ask(client, "anything at all").get_json()
    assert_reply(body, "crisis")
    assert body["answer"] == "You matter. Call 988."


def test_crisis_with_the_real_safety_module(client, settings):
    pytest.importorskip("bot.safety")
    body = ask(client, "I want to kill myself").get_json()
    assert_reply(body, "crisis")
    if Path(settings["CRISIS_RESOURCES_FILE"]).is_file():
        assert body["resources"] and all(r["name"] for r in body["resources"])


@pytest.mark.parametrize("turns, expect", [
    (["what is an iop?", "how long does it last?"], "week"),
    (["how much does iop cost", "what about inpatient"], "$"),
    (["what is partial hospitalization?", "how is it different from iop?"], "PHP"),
])
def test_multi_turn(client, turns, expect):
    body = ask(client, turns[-1], turns[:-1]).get_json()
    assert_reply(body, "answer")
    assert expect in body["answer"]


def test_a_new_full_question_ignores_history(client):
    alone = ask(client, "does insurance cover iop").get_json()
    after = ask(client, "does insurance cover iop", ["what is cbt"]).get_json()
    assert after["answer"] == alone["answer"]


# --- errors: one shape, checked by one helper on every path ------------------------------------

@pytest.mark.parametrize("body, code", [
    ({}, "missing_question"),
    ({"question": None}, "missing_question"),
    ({"question": 42}, "invalid_question"),
    ({"question": ["what"]}, "invalid_question"),
    ({"question": "   "}, "empty_question"),
    ({"question": "x" * 1001}, "question_too_long"),
    ({"question": "what is iop", "history": "what is cbt"}, "invalid_history"),
    ({"question": "what is iop", "history": [1, 2]}, "invalid_history"),
    ({"question": "what is iop", "history": ["q"] * 11}, "history_too_long"),
    ({"question": "what is iop", "history": ["x" * 1001]}, "history_item_too_long"),
])
def test_ask_rejects_bad_fields(client, assert_error, body, code):
    assert_error(client.post("/api/ask", json=body), 400, code)


@pytest.mark.parametrize("data, code", [
    (b"{not json", "invalid_json"),
    (b"\xff\xfe{}", "invalid_encoding"),
    (b"[1, 2]", "invalid_body"),
    (b'"just a string"', "invalid_body"),
    (b"", "invalid_json"),
    (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    (b'{"question": NaN}', "invalid_question"),
])
def test_ask_rejects_bad_bodies(client, assert_error, data, code):
    assert_error(client.post("/api/ask", data=data, content_type="application/json"), 400, code)


def test_ask_rejects_other_content_types(client, assert_error):
    assert_error(client.post("/api/ask", data="question=hi", content_type="application/x-www-form-urlencoded"),
                 415, "unsupported_media_type")


def test_ask_rejects_a_body_over_the_limit(client, assert_error):
    big = b'{"question": "' + b"a" * 17000 + b'"}'
    assert_error(client.post("/api/ask", data=big, content_type="application/json"), 413, "body_too_large")


def test_wrong_method(client, assert_error):
    assert_error(client.get("/api/ask"), 405, "method_not_allowed")
    assert_error(client.post("/api/health"), 405, "method_not_allowed")


def test_unknown_api_path(client, assert_error):
    assert_error(client.get("/api/nope"), 404, "not_found")


@pytest.mark.parametrize("query, code", [
    ("", "missing_question"), ("?q=", "empty_question"), ("?q=%20", "empty_question"),
    ("?q=iop&k=0", "invalid_k"), ("?q=iop&k=51", "invalid_k"), ("?q=iop&k=ten", "invalid_k"),
    ("?q=iop&k=-1", "invalid_k"), ("?q=iop&k=", "invalid_k"), ("?q=" + "x" * 1001, "question_too_long"),
])
def test_search_rejects_bad_parameters(client, assert_error, query, code):
    assert_error(client.get("/api/search" + query), 400, code)


def test_unexpected_errors_become_json(test_config, assert_error, monkeypatch):
    app = create_app(test_config)

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dialogue, "respond", boom)
    error = assert_error(app.test_client().post("/api/ask", json={"question": "hi"}), 500, "internal_error")
    assert "boom" not in error["message"]


# --- the other endpoints ------------------------------------------------------------------------

def test_search(client):
    response = client.get("/api/search?q=insurance%20coverage&k=3")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert 1 <= len(results) <= 3
    for result in results:
        assert set(result) >= {"id", "doc_id", "title", "section", "text", "url", "score", "highlights"}
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(result["text"])
    assert any(r["highlights"] for r in results)


def test_search_default_k(client):
    assert len(client.get("/api/search?q=iop").get_json()["results"]) <= 10


def test_health(client, engine):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["documents"] == len(engine.documents) and body["passages"] == len(engine.chunks)
    assert isinstance(body["version"], str)


def test_sources(client, engine):
    sources = client.get("/api/sources").get_json()["sources"]
    assert [s["id"] for s in sources] == [d.id for d in engine.documents]
    assert all("text" not in s and "title" in s for s in sources)


def test_engine_is_built_once_per_process(test_config):
    assert create_app(test_config).extensions["bot_engine"] is create_app(test_config).extensions["bot_engine"]


def test_web_pages_are_registered(app):
    assert "web.widget" in app.view_functions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=200), history=st.lists(st.text(max_size=50), max_size=3))
def test_no_question_produces_a_server_error(client, question, history):
    response = ask(client, question, history)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_json()["type"] in {"answer", "fallback", "smalltalk", "crisis"}


def test_a_question_in_spanish_gets_the_spanish_fallback(client):
    body = ask(client, "¿cuántas horas por semana es un IOP?").get_json()
    assert_reply(body, "fallback")
    assert "español" in body["answer"] and "1-800-662-4357" in body["answer"] and body["citations"] == []


def test_a_crisis_in_spanish_gets_the_lines_first(client):
    body = ask(client, "ya no quiero vivir").get_json()
    assert body["type"] == "crisis" and "988 y oprima 2" in body["answer"] and body["resources"]
