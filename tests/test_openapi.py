"""The OpenAPI document against the real app: Schemathesis drives every operation, Hypothesis the question."""

from __future__ import annotations

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import openapi
from bot.app import create_app
from bot.protect import install

EXAMPLES = 30


def make_app(config):
    """The app as production wires it: shell installed and the document served."""
    app = create_app({**config, "RATE_LIMIT": "100000/minute", "SEARCH_RATE_LIMIT": "100000/minute"})
    if "bot_protect" not in app.extensions:
        install(app, app.config)
    if "openapi.openapi_json" not in app.view_functions:
        app.register_blueprint(openapi.bp)
    return app


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    return make_app({"TESTING": True, "INDEX_DIR": str(tmp_path_factory.mktemp("index"))})


def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component schema, resolving $refs within the document."""
    schema = {**openapi.SPEC["components"]["schemas"][name], "components": openapi.SPEC["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_document_is_served(api_app):
    r = api_app.test_client().get("/api/openapi.json")
    assert r.status_code == 200 and r.get_json() == openapi.SPEC
    assert openapi.SPEC["openapi"].startswith("3.1")


def test_every_route_under_api_is_documented(api_app):
    routes = {rule.rule for rule in api_app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == set(openapi.SPEC["paths"])


# A body too large for the server (413, documented) rejects schema-breaking data as surely as a 400 does;
# Schemathesis's default list of rejection statuses leaves 413 out, so a huge invalid body was a flaky failure.
CONFIG = schemathesis.config.SchemathesisConfig.from_str(
    '[checks.negative_data_rejection]\nexpected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]\n')
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", make_app({"TESTING": True}), config=CONFIG)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    case.call_and_validate()


REPLY = validator("Reply")
ERROR = validator("Error")


@given(question=st.text(max_size=1000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_question_gets_a_reply_or_a_clean_400(api_app, question):
    r = api_app.test_client().post("/api/ask", json={"question": question})
    if question.strip():
        assert r.status_code == 200, r.get_data(as_text=True)
        REPLY.validate(r.get_json())
    else:
        assert r.status_code == 400
        ERROR.validate(r.get_json())


@given(question=st.text(min_size=1, max_size=1000).filter(str.strip),
       history=st.lists(st.text(max_size=200), max_size=10))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_question_with_history_gets_a_valid_reply(api_app, question, history):
    r = api_app.test_client().post("/api/ask", json={"question": question, "history": history})
    assert r.status_code == 200, r.get_data(as_text=True)
    REPLY.validate(r.get_json())


def test_rate_limited_body_matches_document(tmp_path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path), "RATE_LIMIT": "1/minute"})
    if "bot_protect" not in app.extensions:
        install(app, app.config)
    client = app.test_client()
    client.post("/api/ask", json={"question": "what is an iop"})
    r = client.post("/api/ask", json={"question": "what is an iop"})
    assert r.status_code == 429
    validator("RateLimited").validate(r.get_json())
