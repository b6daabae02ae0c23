"""The evaluation's own arithmetic: snippet matching, ranks, and the confidence cut."""

from __future__ import annotations

from bot.evaluate import answers, eval_sets, format_retrieval, retrieval_report


def test_a_snippet_matches_across_case_and_whitespace():
    assert answers("IOPs typically last\n8 to 12  weeks.", ["iops typically last 8 to 12 weeks"])
    assert not answers("IOPs typically last 8 weeks.", ["8 to 12 weeks"])


def test_a_list_item_said_in_a_joined_list_still_matches_its_snippet():
    reply = "Specifically designed for stimulants; Focuses on building self-esteem and self-worth; Incorporates testing. [1]"
    assert answers(reply, ["Focuses on building self-esteem and self-worth."])
    assert not answers(reply, ["Focuses on building self-esteem and self-worth, always."])


def test_retrieval_report_counts_ranks_and_the_cut(fake_engine):
    fake_engine.settings = {"CONFIDENCE_THRESHOLD": 0.5}
    gold = [{"q": "how long does an iop last", "expect": ["Most IOPs last 8 to 12 weeks"]},
            {"q": "does insurance cover iop", "expect": ["Many insurance plans cover IOP treatment"]}]
    out = [{"q": "weather in boston", "expect": None}]
    report = retrieval_report(fake_engine, gold, out)
    assert report["questions"] == 2 and report["hit@3"] == 1.0
    assert report["out_of_scope_recognized"] == 1.0 and report["cut_precision"] == 1.0


def test_held_out_misses_are_never_printed(fake_engine):
    fake_engine.settings = {"CONFIDENCE_THRESHOLD": 0.99}
    report = retrieval_report(fake_engine, [{"q": "what is an iop", "expect": ["not in any passage"]}], [])
    assert len(format_retrieval(report, show_misses=True)) > len(format_retrieval(report, show_misses=False)) == 3
    assert [s.show_misses for s in eval_sets()] == [True, False]


def test_a_passage_only_snippet_marks_the_answering_passage_for_retrieval_but_not_for_a_reply(fake_engine):
    fake_engine.settings = {"CONFIDENCE_THRESHOLD": 0.0}
    passage = fake_engine.search("how long does an iop last").hits[0].chunk.text
    lead = " ".join(passage.split()[:6])
    case = {"q": "how long does an iop last", "expect": ["not in any passage"], "passage_expect": [lead]}
    assert retrieval_report(fake_engine, [case], [])["hit@1"] == 1.0
    assert retrieval_report(fake_engine, [{**case, "passage_expect": []}], [])["hit@1"] == 0.0
    assert not answers(lead, case["expect"])
