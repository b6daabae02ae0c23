"""The JSONL loader (MedQuAD's shape) on broken input: every bad record is reported by line and skipped or
handled, nothing crashes, and the engine builds on what survives."""

from __future__ import annotations

import json

import pytest

from bot.engine import Engine
from bot.settings import load_settings
from bot.sources import MAX_RECORD_CHARS, LoadReport, iter_jsonl

QUESTION = "What are the symptoms of Frobnitz fever ?"


def _line(**record) -> bytes:
    return json.dumps(record).encode("utf-8") + b"\n"


@pytest.fixture
def collection(tmp_path):
    big = "Quillwort disease is a long-lasting condition of the garden. " * 90_000  # ~5.5 MB
    lines = [
        _line(id="q1", question=QUESTION, focus="Frobnitz fever", url="https://example.org/frobnitz",
              answer="Frobnitz fever causes a purple rash, aching knees and a high temperature for three days."),
        b'{"id": "q2", "question": "broken", "answer": "no closing brace"\n',  # 2: not JSON
        _line(id="q3", question="What is Zorbal palsy ?", focus="Zorbal palsy"),  # 3: no answer
        _line(id="q1", question="Duplicate ?", answer="A second record reusing id q1."),  # 4: duplicate id
        _line(id="q5", question="What is Quillwort disease ?", focus="Quillwort disease", answer=big),  # 5: 5 MB
        _line(id="q6", question="How to treat Gloomberry syndrome ?", focus="Gloomberry syndrome",
              answer="<p>Gloomberry syndrome is treated with <b>rest</b> and fluids.</p>"
                     "<script>alert('x')</script><ul><li>Drink water</li><li>Sleep well</li></ul>"),  # 6: HTML
        b'{"id": "q7", "question": "Caf\xe9 ?", "answer": "Caf\xe9 au lait spots."}\n',  # 7: Latin-1, not UTF-8
        _line(id="q8", question="What causes Wimble cough ?", focus="<i>Wimble</i> cough",  # 8: HTML in the title
              answer="Wimble cough is caused by breathing cold dust from old barns."),
        b"[1, 2, 3]\n",  # 9: JSON, but not an object
        _line(id="q10", question="Empty ?", answer="   "),  # 10: blank answer
    ]
    path = tmp_path / "medquad.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def test_broken_records_are_reported_by_line_and_skipped(collection):
    report = LoadReport()
    documents = list(iter_jsonl(collection, report))
    assert [d.id for d in documents] == ["q1", "q5", "q6", "q8"]
    assert report.loaded == 4
    problems = {p.split(": ", 1)[0]: p.split(": ", 1)[1] for p in report.problems}
    assert set(problems) == {f"medquad.jsonl:{n}" for n in (2, 3, 4, 7, 9, 10)}
    assert "not JSON" in problems["medquad.jsonl:2"]
    assert problems["medquad.jsonl:3"] == "no answer"
    assert "duplicate id 'q1'" in problems["medquad.jsonl:4"]
    assert "not JSON" in problems["medquad.jsonl:7"]  # the bytes are not UTF-8: reported, not guessed at
    assert problems["medquad.jsonl:9"] == "not a JSON object"
    assert problems["medquad.jsonl:10"] == "no answer"


def test_records_loaded_with_a_change_are_reported_by_line(collection):
    report = LoadReport()
    list(iter_jsonl(collection, report))
    handled = {p.split(": ", 1)[0]: p.split(": ", 1)[1] for p in report.handled}
    assert set(handled) == {f"medquad.jsonl:{n}" for n in (5, 6, 8)}
    assert "cut to" in handled["medquad.jsonl:5"]
    assert "HTML" in handled["medquad.jsonl:6"]
    assert handled["medquad.jsonl:8"] == "HTML tags removed from the title"


def test_records_keep_their_fields(collection):
    documents = {d.id: d for d in iter_jsonl(collection, LoadReport())}
    first = documents["q1"]
    assert first.title == "Frobnitz fever" and first.url == "https://example.org/frobnitz"
    assert first.source == "medquad.jsonl:1" and first.format == "text"
    assert first.text.startswith("Frobnitz fever causes")  # the answer, not the question
    assert len(documents["q5"].text) == MAX_RECORD_CHARS
    assert documents["q6"].format == "html"
    assert documents["q8"].title == "Wimble cough"


def test_loader_without_a_report_still_skips(collection):
    assert len(list(iter_jsonl(collection))) == 4


def test_engine_builds_on_the_survivors_and_finds_the_answer(collection, tmp_path):
    settings = load_settings({"SYNONYMS_FILE": "/nonexistent", "CLEANING_FILE": "/nonexistent",
                              "INDEX_DIR": str(tmp_path / "index")})
    engine = Engine.build(settings, list(iter_jsonl(collection, LoadReport())))
    result = engine.search(QUESTION, 5)
    assert result.hits and result.hits[0].chunk.doc_id == "q1"
    html = engine.search("How to treat Gloomberry syndrome ?", 5)
    assert html.hits[0].chunk.doc_id == "q6"
    text = " ".join(c.text for c in engine.chunks if c.doc_id == "q6")
    assert "<p>" not in text and "<b>" not in text and "alert" not in text  # markup and script removed
    assert "rest" in text
    assert engine.search("What causes Wimble cough ?", 5).hits[0].chunk.doc_id == "q8"
