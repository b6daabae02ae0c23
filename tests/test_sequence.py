"""Ordered sibling sections: what "and after that?" moves along (pure functions over chunks)."""

from __future__ import annotations

import pytest

from bot import sequence
from bot.models import Chunk


def _chunk(n: int, *path: str, doc: str = "d") -> Chunk:
    return Chunk(id=f"{doc}:{n}", doc_id=doc, title="T", heading_path=tuple(path), text=f"text {n}",
                 start=n * 10, end=n * 10 + 5)


SCHEDULE = [
    _chunk(0, "What happens"),
    _chunk(1, "What happens", "Week 1: Orientation"),
    _chunk(2, "What happens", "Weeks 2-4: Treatment"),
    _chunk(3, "What happens", "Weeks 2-4: Treatment"),  # a long section: two chunks, one step
    _chunk(4, "What happens", "Weeks 5-8: Skills"),
    _chunk(5, "What happens", "Post-Program: Aftercare"),
    _chunk(6, "Comparison", "Length of Treatment"),
    _chunk(7, "Comparison", "Hours per Week"),
]


def test_each_section_of_a_numbered_run_knows_its_neighbours():
    around = sequence.neighbours(SCHEDULE)
    assert around["d:1"] == {1: ("What happens", "Weeks 2-4: Treatment")}
    assert around["d:2"] == around["d:3"] == {-1: ("What happens", "Week 1: Orientation"),
                                              1: ("What happens", "Weeks 5-8: Skills")}
    # the unnumbered section that closes the run is still its last step
    assert around["d:4"][1] == ("What happens", "Post-Program: Aftercare")
    assert around["d:5"] == {-1: ("What happens", "Weeks 5-8: Skills")}


def test_unnumbered_siblings_and_top_level_sections_are_no_sequence():
    around = sequence.neighbours(SCHEDULE)
    assert "d:0" not in around  # the parent section itself
    assert "d:6" not in around and "d:7" not in around  # a comparison's rows have no order


def test_numbers_that_do_not_rise_are_no_sequence():
    chunks = [_chunk(1, "Costs", "Plan 3"), _chunk(2, "Costs", "Plan 1"), _chunk(3, "Costs", "Plan 2")]
    assert sequence.neighbours(chunks) == {}


def test_the_same_headings_in_two_documents_stay_apart():
    chunks = [_chunk(1, "S", "Step 1", doc="a"), _chunk(2, "S", "Step 2", doc="a"),
              _chunk(1, "S", "Step 1", doc="b")]
    assert sequence.neighbours(chunks)["a:1"] == {1: ("S", "Step 2")}
    assert "b:1" not in sequence.neighbours(chunks)


@pytest.mark.parametrize("question, step", [
    ("and after that?", 1), ("what's next", 1), ("then what", 1), ("ok and then", 1),
    ("what happens afterwards?", 1), ("and after it's over?", 1),
    ("before that?", -1), ("what comes before", -1), ("next?", 1), ("what usually comes next?", 1), ("whats next", 1),
    ("and the phase right before?", -1), ("the week after", 1),
    # a few words between the question and its "next", and "what's left" of the stages
    ("whats coming up next for him", 1), ("whats left", 1), ("what is left after week 10", 1),
    ("is anything left over", 0),
    ("can she go to an iop next?", 0), ("how long is it", 0), ("what happens after iop", 0),
])
def test_step_of(question, step):
    assert sequence.step_of(question) == step
