"""Chunking: sections to passages of bounded size, never cut mid-sentence.

The bound (CHUNK_MAX_WORDS, 100 words by default) keeps a passage to about half a phone screen, which is
what a citation card shows whole, and keeps passages comparable in length so BM25's length
normalisation ranks them fairly. A section under the bound is one passage; a longer one is cut
between paragraphs, keeping a list together with the sentence that introduces it; a single
paragraph over the bound is cut between sentences. A list too long for one passage is cut between
its items, and the passages that continue it carry its lead-in as context (indexed, never shown).
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable

from bot.models import Chunk, CleanedDocument, Section

SentenceSpans = Callable[[str], list[tuple[int, int]]]


def _units(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs, each list glued to its lead-in line (the line before it ending in ':' or ';')."""
    units: list[list[int]] = []
    offset = 0
    previous = ""
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        is_item = line.startswith("- ")
        if units and is_item and (previous.startswith("- ") or previous.rstrip().endswith((":", ";"))):
            units[-1][1] = end
        else:
            units.append([start, end])
        previous = line
        offset = end + 1
    return [(a, b) for a, b in units]


def _word_count(text: str) -> int:
    return len(text.split())


def _pieces(section: Section, max_words: int, sentence_spans: SentenceSpans) -> list[tuple[int, int]]:
    """Spans (in section text) of the passages a section is cut into."""
    text = section.text
    spans: list[tuple[int, int]] = []
    for start, end in _units(text):
        if _word_count(text[start:end]) <= max_words:
            spans.append((start, end))
            continue
        for s_start, s_end in sentence_spans(text[start:end]):  # one paragraph over the bound
            spans.append((start + s_start, start + s_end))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and _word_count(text[merged[-1][0]:end]) <= max_words:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def chunk_id(doc_id: str, heading_path: tuple[str, ...], text: str) -> str:
    """Stable across rebuilds: the same passage under the same heading keeps its id."""
    digest = hashlib.sha1("\x1f".join((doc_id, *heading_path, text)).encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}:{digest}"


def _list_lead_in(text: str, start: int) -> str:
    """The lead-in line of the list a passage starting at ``start`` continues, or "" if it continues none."""
    if not text.startswith("- ", start):
        return ""
    for a, b in _units(text):
        if a < start < b:
            first = text[a:text.find("\n", a)]
            return "" if first.startswith("- ") else first
    return ""


def chunk_document(cleaned: CleanedDocument, max_words: int, sentence_spans: SentenceSpans) -> list[Chunk]:
    """Every passage of one cleaned document, in document order."""
    doc = cleaned.document
    chunks = []
    for section in cleaned.sections:
        for start, end in _pieces(section, max_words, sentence_spans):
            text = section.text[start:end]
            chunks.append(Chunk(
                id=chunk_id(doc.id, section.heading_path, text), doc_id=doc.id, title=doc.title,
                heading_path=section.heading_path, text=text,
                start=section.start + start, end=section.start + end, url=doc.url,
                context=_list_lead_in(section.text, start)))
    return chunks


def chunk_all(cleaned: Iterable[CleanedDocument], max_words: int, sentence_spans: SentenceSpans) -> list[Chunk]:
    return [c for doc in cleaned for c in chunk_document(doc, max_words, sentence_spans)]
