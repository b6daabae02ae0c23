"""Chunking: passages cover their section in order, index the cleaned text, and respect the bound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from bot.chunk import chunk_all, chunk_document
from bot.clean import clean_document, load_rules
from bot.models import CleanedDocument, Document, Section
from bot.settings import load_settings
from bot.sources import load_folder
from bot.text import Analyzer, train_sentence_splitter

SETTINGS = load_settings({}, environ={})
CORPUS = Path(SETTINGS["CORPUS_DIR"])
MAX_WORDS = int(SETTINGS["CHUNK_MAX_WORDS"])


def _build():
    rules = load_rules(CORPUS / "cleaning.toml")
    cleaned = [clean_document(d, rules) for d in load_folder(CORPUS)]
    analyzer = Analyzer(splitter=train_sentence_splitter(c.text for c in cleaned))
    return cleaned, analyzer, chunk_all(cleaned, MAX_WORDS, analyzer.sentence_spans)


CLEANED, ANALYZER, CHUNKS = _build()
BY_DOC = {c.document.id: c for c in CLEANED}
SECTIONS = [(c, s) for c in CLEANED for s in c.sections]


def _section_chunks(section: Section):
    return [ch for ch in CHUNKS if ch.doc_id == section.doc_id and section.start <= ch.start and ch.end <= section.end]


def _covers_in_order(text: str, offset: int, spans: list[tuple[int, int]]) -> bool:
    """Spans are in order, don't overlap, and everything between them is whitespace."""
    position = offset
    for start, end in spans:
        if start < position or text[position:start].strip():
            return False
        position = end
    return not text[position:].strip()


@pytest.mark.parametrize("cleaned, section", SECTIONS, ids=[f"{c.document.id}-{i}" for i, (c, _) in enumerate(SECTIONS)])
def test_chunks_cover_their_section_in_order(cleaned, section):
    spans = [(ch.start - section.start, ch.end - section.start) for ch in _section_chunks(section)]
    assert _covers_in_order(section.text, 0, spans)


def test_every_chunk_lies_in_one_section():
    assert all(any(s.doc_id == ch.doc_id and s.start <= ch.start and ch.end <= s.end and s.heading_path == ch.heading_path
                   for _, s in SECTIONS) for ch in CHUNKS)


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_span_indexes_cleaned_text(chunk):
    assert BY_DOC[chunk.doc_id].text[chunk.start:chunk.end] == chunk.text


def _one_unit(text: str) -> bool:
    """One sentence, or one list (with its lead-in): what may exceed the bound."""
    lines = text.split("\n")
    if len(lines) == 1:
        return len(ANALYZER.sentence_spans(text)) == 1
    return all(line.startswith("- ") for line in lines[1:])


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_chunk_within_bound_unless_one_unit(chunk):
    assert len(chunk.text.split()) <= MAX_WORDS or _one_unit(chunk.text)


@pytest.mark.parametrize("chunk", CHUNKS, ids=[c.id for c in CHUNKS])
def test_chunk_does_not_end_mid_sentence(chunk):
    """A chunk ends where one of its section's sentences (or lines) ends."""
    (section,) = [s for _, s in SECTIONS if s.doc_id == chunk.doc_id and s.start <= chunk.start < s.end]
    ends = {section.start + end for _, end in ANALYZER.sentence_spans(section.text)}
    assert chunk.end in ends


def test_ids_unique():
    assert len({c.id for c in CHUNKS}) == len(CHUNKS)


def test_ids_stable_across_builds():
    assert [c.id for c in _build()[2]] == [c.id for c in CHUNKS]


def test_chunk_ids_name_their_document():
    assert all(c.id.startswith(c.doc_id + ":") for c in CHUNKS)


def test_lead_in_and_list_in_one_chunk():
    (chunk,) = [c for c in CHUNKS if "Here are some areas where IOP can help you;" in c.text]
    assert "\n- " in chunk.text


def test_a_list_cut_for_the_bound_carries_its_lead_in_on():
    # "...questions you might want to ask. This may include;" heads nine items, too many for one passage
    (first,) = [c for c in CHUNKS if "questions in mind that you might want to ask" in c.text]
    (rest,) = [c for c in CHUNKS if c.text.startswith("- ") and "What expertise do the therapists have?" in c.text]
    assert first.context == "" and rest.context == first.text.split("\n")[0]
    assert all(not c.context for c in CHUNKS if not c.text.startswith("- "))


def test_no_empty_chunks():
    assert all(c.text.strip() for c in CHUNKS)


# --- generated sections -------------------------------------------------------------------------
_WORD = st.sampled_from(["IOP", "therapy", "weeks", "group", "e.g.", "care", "12", "home", "plan", "cost"])
_SENTENCE = st.lists(_WORD, min_size=1, max_size=30).map(lambda ws: " ".join(ws) + ".")
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=6).map(" ".join)
_ITEM = _SENTENCE.map(lambda s: "- " + s)
_LINE = st.one_of(_PARAGRAPH, _ITEM, _SENTENCE.map(lambda s: s[:-1] + ":"))
_SECTION_TEXT = st.lists(_LINE, min_size=1, max_size=12).map("\n".join)


def _generated(text: str, max_words: int, use_punkt: bool):
    doc = Document("g", "Generated", text, "g.txt")
    cleaned = CleanedDocument(doc, "lead\n\n" + text, (Section("g", ("H",), text, 6, 6 + len(text)),))
    splitter = ANALYZER.sentence_spans if use_punkt else Analyzer().sentence_spans
    return cleaned, splitter, chunk_document(cleaned, max_words, splitter)


GENERATED = dict(text=_SECTION_TEXT, max_words=st.integers(min_value=5, max_value=60), use_punkt=st.booleans())


@hsettings(max_examples=75, deadline=None, database=None)
@given(**GENERATED)
def test_generated_sections_are_covered_in_order(text, max_words, use_punkt):
    cleaned, _, chunks = _generated(text, max_words, use_punkt)
    assert _covers_in_order(cleaned.text, 6, [(c.start, c.end) for c in chunks])


@hsettings(max_examples=75, deadline=None, database=None)
@given(**GENERATED)
def test_generated_spans_index_the_text(text, max_words, use_punkt):
    cleaned, _, chunks = _generated(text, max_words, use_punkt)
    assert all(cleaned.text[c.start:c.end] == c.text for c in chunks)


@hsettings(max_examples=75, deadline=None, database=None)
@given(**GENERATED)
def test_generated_chunks_within_bound_unless_one_unit(text, max_words, use_punkt):
    _, splitter, chunks = _generated(text, max_words, use_punkt)
    assert all(len(c.text.split()) <= max_words or len(splitter(c.text)) == 1
               or all(line.startswith("- ") for line in c.text.split("\n")[1:]) for c in chunks)
