"""Sections that follow one another: what "and after that?" moves along.

A week-by-week schedule ("Week 1: ...", "Weeks 2-4: ...", "Post-Program: ...") or numbered steps are
sibling sections in document order. After an answer from one of them, "and after that?" asks for the
next one, which shares no words with the question; the document's order answers it, not the index.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from .models import Chunk

# Siblings are an ordered sequence when at least this many of their headings carry a number and the
# numbers rise in document order ("Week 1", "Weeks 2-4", "Weeks 5-8"). A comparison's rows
# ("Length of Treatment", "Hours per Week") carry none: "after that" means nothing there.
MIN_NUMBERED = 2
_NUMBER = re.compile(r"\d+")

# How a follow-up asks for the neighbouring section: +1 for the one after, -1 for the one before.
STEP_PATTERNS: tuple[tuple[int, str], ...] = (
    (1, r"\bafter (?:that|this|it|it's|its|those|these)\b|\b(?:what(?:'s|s| is)?|and)(?: \w+){0,2}?(?: comes| happens)? next\b"
        # "whats left" after a stage: the stages still to come
        r"|\bwhat(?:'s|s| is) left\b"
        r"|^\W*(?:and )?next\W*$|\bthen what\b|\bwhat (?:comes|happens) (?:then|later|afterwards?)\b|\band then\W*$"
        r"|\b(?:the )?(?:phase|week|weeks|step|stage|part) (?:right |just )?after\W*$"),
    (-1, r"\bbefore (?:that|this|it|those|these)\b|\bwhat (?:comes|happens) (?:first|earlier|before)\W*$"
         r"|\b(?:the )?(?:phase|week|weeks|step|stage|part) (?:right |just )?before\W*$"),
)
_STEPS = tuple((step, re.compile(pattern, re.I)) for step, pattern in STEP_PATTERNS)


def step_of(question: str) -> int:
    """+1 if the question asks what comes after the last answer, -1 for before, 0 otherwise."""
    q = question.replace("’", "'")
    return next((step for step, pattern in _STEPS if pattern.search(q)), 0)


def _ordered(headings: Sequence[str]) -> bool:
    numbers = [int(m.group()) for m in map(_NUMBER.search, headings) if m]
    return len(numbers) >= MIN_NUMBERED and all(a < b for a, b in zip(numbers, numbers[1:]))


def neighbours(chunks: Sequence[Chunk]) -> Mapping[str, Mapping[int, tuple[str, ...]]]:
    """For each chunk in an ordered run of sibling sections: the heading paths one step either way."""
    members: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # (doc, section) -> its chunks, in document order
    for chunk in chunks:
        if len(chunk.heading_path) >= 2:  # top-level sections are a page's chapters, not steps
            members.setdefault((chunk.doc_id, chunk.heading_path), []).append(chunk.id)
    siblings: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = {}
    for doc_id, path in members:
        siblings.setdefault((doc_id, path[:-1]), []).append(path)
    result: dict[str, dict[int, tuple[str, ...]]] = {}
    for (doc_id, _), paths in siblings.items():
        if not _ordered([p[-1] for p in paths]):
            continue
        for i, path in enumerate(paths):
            around = {step: paths[i + step] for step in (-1, 1) if 0 <= i + step < len(paths)}
            for chunk_id in members[(doc_id, path)]:
                result[chunk_id] = around
    return result
