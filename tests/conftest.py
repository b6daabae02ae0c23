"""Shared fixtures: settings with a private index folder, the real engine, an app and its client."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.app import create_app, get_engine
from bot.models import Chunk, Hit, SearchResult
from bot.settings import load_settings


@pytest.fixture(scope="session")
def test_config(tmp_path_factory) -> dict:
    """Overrides every test app uses: its own index cache, and limits high enough that only the
    rate-limit tests (which set their own) ever see a 429."""
    return {"TESTING": True, "INDEX_DIR": str(tmp_path_factory.mktemp("index")),
            "RATE_LIMIT": "100000/minute", "SEARCH_RATE_LIMIT": "100000/minute"}


@pytest.fixture(scope="session")
def settings(test_config) -> dict:
    return load_settings(test_config)


@pytest.fixture(scope="session")
def engine(settings):
    """The real engine over the shipped corpus, built once for the session."""
    return get_engine(settings)


@pytest.fixture
def app(test_config):
    return create_app(test_config)


@pytest.fixture
def client(app):
    return app.test_client()


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Every failure has the one error shape: {"error": {"code": str, "message": str}} and its status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture(name="assert_error")
def assert_error_fixture():
    return assert_error


# --- a tiny fake engine with the real one's interface, for tests that must not depend on the corpus ---

_WORD = re.compile(r"[a-z0-9$]+")
_STOP = frozenset("a an the is are of to in and or for it does do what how with be by on as at can".split())


class FakeAnalyzer:
    """Words, lowercased, without stopwords; sentences end at . ! ? or a line break."""

    def terms(self, text: str, query: bool = False, forms: bool = True) -> list[str]:
        return [w for w in _WORD.findall(text.lower()) if w not in _STOP]

    def form_tokens(self, text: str, query: bool = False) -> list[str]:
        return []  # no question forms: composition falls back to plain term overlap

    def is_spanish(self, text: str) -> bool:
        return False

    def concept_phrases(self, text: str) -> list[str]:
        return []  # no lexicon: nothing a person tells is carried

    def paired_terms(self) -> tuple[frozenset[str], frozenset[str]]:
        return frozenset(), frozenset()  # no subjects answered with their facts

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]?", text) if m.group().strip()]

    def match_spans(self, text: str, terms) -> list[tuple[int, int]]:
        wanted = set(terms)
        return [(m.start(), m.end()) for m in _WORD.finditer(text.lower()) if m.group() in wanted]


def make_chunk(n: int, doc_id: str, heading: str, text: str) -> Chunk:
    return Chunk(id=f"{doc_id}-{n}", doc_id=doc_id, title=f"Title {doc_id}", heading_path=(heading,),
                 text=text, start=0, end=len(text), url=None)


@dataclass
class FakeEngine:
    """Scores a passage by how many query terms it shares; confidence is the best share."""

    chunks: tuple
    documents: tuple = ()

    def __post_init__(self):
        self.analyzer = FakeAnalyzer()

    def search(self, question: str, k: int = 10, asked: str | None = None) -> SearchResult:
        terms = tuple(dict.fromkeys(self.analyzer.terms(question, query=True)))
        hits = []
        for chunk in self.chunks:
            have = set(self.analyzer.terms(chunk.text + " " + " ".join(chunk.heading_path)))
            matched = tuple(t for t in terms if t in have)
            if matched:
                hits.append(Hit(chunk, float(len(matched)), matched))
        hits.sort(key=lambda h: (-h.score, h.chunk.id))
        confidence = hits[0].score / len(terms) if hits and terms else 0.0
        return SearchResult(question, terms, tuple(hits[:k]), confidence)


FAKE_CHUNKS = (
    make_chunk(1, "alpha", "What is an IOP?",
               "An IOP is a structured outpatient program for mental health and addiction. "
               "People live at home during treatment.\nMany people find it helpful."),
    make_chunk(2, "alpha", "How long does an IOP last?",
               "Programs vary a great deal between providers. Most IOPs last 8 to 12 weeks in total."),
    make_chunk(3, "beta", "Does insurance cover IOP?",
               "Many insurance plans cover IOP treatment, though details vary by plan. "
               "The average cost is $4,939 for 12 weeks."),
    make_chunk(4, "beta", "IOP versus PHP",
               "A PHP is a full-day program five days a week. An IOP meets three hours a day, three days a week."),
    make_chunk(5, "gamma", "What is an intensive outpatient program?",
               "Most insurance plans cover IOP treatment, though the details vary from plan to plan."),
    make_chunk(6, "gamma", "Therapies",
               "Many programs offer EMDR to their clients. It is a psychotherapy developed to treat trauma."),
)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine(FAKE_CHUNKS)
