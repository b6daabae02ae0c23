"""Answer composition: verbatim sentences, markers that match citations, duplicates merged, suggestions."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from bot import compose
from bot.models import Hit
from tests.conftest import FakeAnalyzer, make_chunk


def _compose(engine, question, max_words=80):
    stats = compose.corpus_stats(engine.chunks, engine.analyzer)
    result = engine.search(question)
    return compose.compose_answer(question, result.terms, result, engine.analyzer, stats, max_words)


def _one_passage_result(analyzer, chunk, question):
    """A search result whose one hit is ``chunk``: what sentence choice gets for a one-passage corpus."""
    return compose.SearchResult(question, tuple(analyzer.terms(question)), (Hit(chunk, 1.0),), 1.0)


def _stats_beside_unrelated(chunk, analyzer):
    """Term weights of a corpus where ``chunk`` stands beside six passages about something else, so its words are rare."""
    filler = [make_chunk(n, "beta", "Other", f"Passage {n} is about something else entirely.") for n in range(2, 8)]
    return compose.corpus_stats([chunk, *filler], analyzer)


def _sentences(answer):
    """The answer split back into (sentence, [marker numbers])."""
    return [(m.group(1).strip(), [int(n) for n in re.findall(r"\d+", m.group(2))])
            for m in re.finditer(r"(.+?)\s((?:\[\d+\])+)(?:\s|$)", answer)]


@pytest.mark.parametrize("question", ["what is an iop", "how long does an iop last",
                                      "does insurance cover iop", "iop versus php hours"])
def test_every_sentence_is_verbatim_from_a_cited_passage(fake_engine, question):
    answer, citations = _compose(fake_engine, question)
    parts = _sentences(answer)
    assert 1 <= len(parts) <= compose.MAX_SENTENCES
    for sentence, numbers in parts:
        # Taken from the first passage it cites; further markers are sources saying the same thing.
        assert sentence in citations[numbers[0] - 1].text


def test_markers_number_citations_one_to_n_in_order(fake_engine):
    answer, citations = _compose(fake_engine, "does insurance cover iop and what does it cost")
    assert compose.markers_in(answer) == [c.n for c in citations] == list(range(1, len(citations) + 1))


def test_citation_carries_the_whole_passage_and_its_provenance(fake_engine):
    _, citations = _compose(fake_engine, "how long does an iop last")
    chunk = fake_engine.chunks[1]
    assert citations[0].id == chunk.id and citations[0].text == chunk.text
    assert citations[0].section == "How long does an IOP last?" and citations[0].doc_id == "alpha"


def _score(text, weights, kinds=(), heading=""):
    """score_sentence for one sentence alone in a passage under ``heading``."""
    analyzer = FakeAnalyzer()
    chunk = make_chunk(1, "alpha", heading, text)
    terms = frozenset(analyzer.terms(text)) | {k for k in kinds if k in text}
    part = compose.PassageSentence(0, len(text), text, terms, frozenset(), None,
                                   heading=frozenset(analyzer.terms(heading)))
    return compose.score_sentence(compose.Sentence(0, Hit(chunk, 1.0), part), weights, kinds, 1.0, 80)


def test_the_kind_of_answer_counts_only_about_what_was_asked():
    # "IOP is the process of ... #definition" must not win "what's a process group" on its form alone.
    weights = {"process": 1.0, "group": 1.0}
    unrelated = _score("Patients learn new coping skills over many weeks #definition", weights, ("#definition",))
    assert unrelated == 0.0
    related = _score("Process groups share experiences and support each other #definition", weights,
                     ("#definition",))
    assert related > _score("Process groups share experiences and support each other", weights, ("#definition",))


def test_a_sentence_borrows_the_question_terms_of_its_heading():
    weights = {"iop": 1.0, "last": 1.0}
    answer = "Most run for several weeks to a few months #duration"
    under = _score(answer, weights, ("#duration",), heading="How long does an IOP last?")
    assert under > _score(answer, weights, ("#duration",), heading="Scheduling")
    # ...but a heading makes no sentence relevant that neither matches nor answers the question's kind.
    assert _score("Programs vary a great deal between providers", weights, ("#duration",),
                  heading="How long does an IOP last?") == 0.0


def test_a_sentence_that_only_repeats_the_question_counts_half(monkeypatch):
    weights = {"case": 1.0, "management": 1.0}
    repeat = _score("Case management and care coordination", weights)
    monkeypatch.setattr(compose, "MIN_NEW_TERMS", 0)
    assert repeat == pytest.approx(0.5 * _score("Case management and care coordination", weights))


def test_duration_question_prefers_the_sentence_with_a_length(fake_engine):
    answer, _ = _compose(fake_engine, "how long does an iop last")
    assert answer.startswith("Most IOPs last 8 to 12 weeks in total.")


def test_cost_question_prefers_a_dollar_amount(fake_engine):
    answer, _ = _compose(fake_engine, "how much does iop treatment cost")
    assert "$4,939" in answer


def test_near_duplicates_from_two_documents_are_said_once_and_both_cited(fake_engine):
    answer, citations = _compose(fake_engine, "does insurance cover iop treatment plans")
    assert answer.count("cover IOP treatment") == 1
    first_sentence, numbers = _sentences(answer)[0]
    assert len(numbers) == 2
    assert {citations[n - 1].doc_id for n in numbers} == {"beta", "gamma"}


def test_a_pronoun_led_sentence_brings_the_sentence_it_refers_to(fake_engine):
    answer, _ = _compose(fake_engine, "what is emdr psychotherapy trauma")
    assert "Many programs offer EMDR to their clients. [1] It is a psychotherapy" in answer


def test_answer_stays_within_the_word_budget(fake_engine):
    answer, _ = _compose(fake_engine, "iop php program week hours day", max_words=25)
    assert len(re.sub(r"\[\d+\]", "", answer).split()) <= 25


def test_no_overlap_gives_no_answer(fake_engine):
    assert _compose(fake_engine, "banana bread recipe") == ("", ())


@pytest.mark.parametrize("question, kinds", [
    ("how long is it", {"#duration"}),
    ("how much does it cost", {"#money"}),
    ("iop vs php", {"#comparison"}),
    ("which one has more supervision", {"#comparison"}),
])
def test_cue_kinds_are_the_question_forms_asked(engine, question, kinds):
    assert kinds <= set(compose.cue_kinds(question, engine.analyzer))


@pytest.mark.parametrize("question", ["who manages it", "who oversees the medication"])
def test_who_does_a_task_asks_for_a_role_not_who_a_program_suits(engine, question):
    assert "#audience" not in compose.cue_kinds(question, engine.analyzer)


def test_question_headings_are_distinct_questions(fake_engine):
    headings = compose.question_headings(fake_engine.chunks, fake_engine.analyzer)
    texts = [h.text for h in headings]
    assert "IOP versus PHP" not in texts
    assert all(t.endswith("?") for t in texts) and len(texts) == len(set(texts))


def test_suggestions_skip_the_question_just_answered(fake_engine):
    headings = compose.question_headings(fake_engine.chunks, fake_engine.analyzer)
    answered = fake_engine.chunks[1]  # "How long does an IOP last?"
    citations = [compose.Citation(1, answered.id, answered.doc_id, answered.title, answered.section, answered.text,
                                  None, 1.0)]
    popular = compose.popular_topics(headings, fake_engine.analyzer)
    picks = compose.suggest(headings, ["long", "last", "iop"], citations, popular)
    assert 2 <= len(picks) <= 4
    assert "How long does an IOP last?" not in picks


@pytest.mark.parametrize("text, cleaned", [
    ("1. Does IOP offer Group Therapy?", "Does IOP offer Group Therapy?"),
    ("Intensive Outpatient Program (IOP) – What is IOP in Mental Health?", "What is IOP in Mental Health?"),
    ("  • How long do people stay?", "How long do people stay?"),
])
def test_clean_heading(text, cleaned):
    assert compose.clean_heading(text) == cleaned


def test_disclaimer_is_one_sentence_with_the_handoff():
    text = compose.disclaimer("call 555")
    assert "not medical advice" in text and "call 555" in text and text.count(". ") == 0


def _gold_questions(limit: int = 30) -> list[str]:
    path = Path(__file__).parent / "eval" / "gold.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item["q"] for item in lines[:limit]]


def test_on_the_corpus_answers_are_verbatim_numbered_and_short(engine, settings):
    """Invariants over many real questions: nothing invented, markers 1..n, within the word budget."""
    stats = compose.corpus_stats(engine.chunks, engine.analyzer)
    for question in _gold_questions():
        result = engine.search(question)
        answer, citations = compose.compose_answer(question, result.terms, result, engine.analyzer, stats,
                                                   settings["ANSWER_MAX_WORDS"])
        assert compose.markers_in(answer) == list(range(1, len(citations) + 1)), question
        for sentence, numbers in _sentences(answer):
            # A list is read as one sentence ("including: A; B; C."): the same words, in order.
            assert _words_only(sentence) in _words_only(citations[numbers[0] - 1].text), question
        assert len(re.sub(r"\[\d+\]", "", answer).split()) <= settings["ANSWER_MAX_WORDS"] + 60, question


def _words_only(text: str) -> str:
    return " ".join(re.findall(r"[\w’'$%,()/&-]+", text.replace("\n- ", " ")))


@pytest.mark.parametrize("question, column", [
    ("how much does outpatient cost for a month?", "Outpatient Treatment:"),
    ("how many hours a week is outpatient", "Outpatient Treatment:"),
    ("iop cost?", "Intensive Outpatient (IOP):"),
])
def test_a_question_about_one_column_leads_with_its_cell(engine, question, column):
    answer, _ = _compose(engine, question)
    assert answer.startswith(column)


@pytest.mark.parametrize("question, cells", [
    ("iop vs outpatient cost", ("Intensive Outpatient (IOP): Moderate", "Outpatient Treatment: Low")),
    ("is iop cheaper than inpatient", ("Intensive Outpatient (IOP): Moderate", "Inpatient Treatment: High")),
    ("how is iop different from inpatient", ("Intensive Outpatient (IOP): Individuals",
                                             "Inpatient Treatment: Individuals")),
])
def test_a_comparison_answered_from_a_table_gives_both_cells_of_the_row(engine, question, cells):
    answer, _ = _compose(engine, question)
    assert all(cell in answer for cell in cells)
    # cells are facts side by side: each starts a line of its own
    assert all(("\n" + cell in answer) or answer.startswith(cell) for cell in cells)


@pytest.mark.parametrize("question", ["iop and outpatient, supervision wise?", "inpatient and iop: living situation"])
def test_a_question_naming_two_columns_of_a_row_gets_both_cells(engine, question):
    """Naming two levels of care compares them, with or without a comparison word."""
    answer, _ = _compose(engine, question)
    cells = [line for line in answer.split("\n") if re.match(r"(Intensive Outpatient \(IOP\)|Outpatient Treatment"
                                                             r"|Inpatient Treatment): ", line)]
    assert len({cell.split(":")[0] for cell in cells}) >= 2


@pytest.mark.parametrize("question", ["do they have social workers", "what are the benefits of group therapy",
                                      "who is iop for", "what conditions does iop treat"])
def test_a_list_and_its_own_item_are_never_both_in_an_answer(engine, question):
    stats = compose.corpus_stats(engine.chunks, engine.analyzer)
    result = engine.search(question)
    chosen = [s for s, _ in compose.select_sentences(result.terms, result, engine.analyzer, stats, question, 80)]
    spans = [(s.hit.chunk.id, s.start, s.part.end) for s in chosen]
    assert not any(a != b and a[0] == b[0] and a[1] < b[2] and b[1] < a[2] for a in spans for b in spans)


def test_a_list_is_one_sentence_with_its_lead_in(engine):
    chunk = compose.Chunk(id="x:1", doc_id="x", title="T", heading_path=("H",), start=0, end=0, url=None,
                          text="IOPs help many people. They are beneficial for individuals, including:\n"
                               "- Pregnant women\n- Adolescents\n- Women with children")
    units = [s for s in compose.split_passage(chunk, engine.analyzer) if s.listed]
    assert [u.text for u in units] == [
        "They are beneficial for individuals, including: Pregnant women; Adolescents; Women with children."]


def test_a_list_under_its_heading_alone_is_one_sentence_about_what_its_items_share(engine):
    chunk = compose.Chunk(id="x:1", doc_id="x", title="T", heading_path=("Group Therapy",), start=0, end=0,
                          url=None, text="- Process groups for sharing experiences.\n"
                                         "- Skills groups to teach coping skills.")
    units = [s for s in compose.split_passage(chunk, engine.analyzer) if s.listed]
    assert [u.text for u in units] == ["Process groups for sharing experiences; Skills groups to teach coping skills."]
    assert "group" in units[0].lead and "process" not in units[0].lead


def test_a_question_about_the_kinds_listed_gets_the_whole_list(engine):
    answer, _ = _compose(engine, "what kinds of groups are there")
    assert answer.count("groups") >= 3


def test_a_question_naming_one_item_of_a_list_gets_that_item(engine):
    answer, _ = _compose(engine, "what's a process group")
    assert answer.startswith("Process groups for sharing experiences") and "Skills development" not in answer


def test_a_list_led_in_by_this_refers_to_the_sentence_before_it(engine):
    chunk = compose.Chunk(id="x:1", doc_id="x", title="T", heading_path=("H",), start=0, end=0, url=None,
                          text="Programs offer several extra services beyond therapy. These include:\n"
                               "- Yoga\n- Art therapy\n- Equine therapy")
    sentences = compose.split_passage(chunk, engine.analyzer)
    unit = next(s for s in sentences if s.listed)
    assert unit.antecedent is not None and sentences[unit.antecedent].text.startswith("Programs offer")


def test_a_question_about_a_list_item_gets_the_list(engine):
    answer, _ = _compose(engine, "is intensive outpatient a good option for pregnant women")
    assert "including: Those with psychiatric conditions; Pregnant women;" in answer


def test_a_question_the_page_lists_to_ask_answers_only_what_to_ask(engine):
    asked, _ = _compose(engine, "what questions should i ask a program about insurance")
    assert "Are they in-network members of your insurance?" in asked
    assert "?" not in _compose(engine, "how long do people stay in an iop")[0]


def test_what_to_ask_gets_the_questions_its_lead_in_names_even_from_the_passage_continuing_the_list(engine):
    answer, _ = _compose(engine, "what should i ask about the therapists")
    assert "you can also have a list of questions in mind" in answer
    assert "What expertise do the therapists have?" in answer  # an item of the list's second passage


class _LengthCueAnalyzer(FakeAnalyzer):
    """FakeAnalyzer with one question form: "how long" asks for a length, "N weeks" gives one."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        return found + (["#duration"] if forms and re.search(r"\d+ weeks", text) else [])

    def form_tokens(self, text, query=False):
        return ["#duration"] if "how long" in text.lower() else []


def test_a_further_sentence_need_not_give_the_kind_of_answer_itself():
    # "who decides how long...": the length, then who decides it, though that sentence gives no length
    analyzer = _LengthCueAnalyzer()
    chunk = make_chunk(1, "alpha", "Length", "Most people stay in an IOP for 12 weeks. "
                                             "How long is ultimately decided by progress and the care team.")
    question = "how long do people stay in an iop and who decided"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk], analyzer)
    chosen = [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 80)]
    assert chosen == ["Most people stay in an IOP for 12 weeks.",
                      "How long is ultimately decided by progress and the care team."]


def test_a_further_sentence_half_as_good_as_the_best_is_kept():
    # The second sentence repeats two of the first's three query terms, late: a little over half its score.
    analyzer = FakeAnalyzer()
    chunk = make_chunk(1, "alpha", "Programs",
                       "Alpha beta gamma programs help many people recover. "
                       "Most clinics here also describe things like alpha and beta differently.")
    question = "alpha beta gamma"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk], analyzer)
    chosen = compose.select_sentences(result.terms, result, analyzer, stats, question, 80)
    assert len(chosen) == 2


def test_a_sentence_of_a_passage_retrieved_at_half_the_best_keeps_three_quarters_of_its_score():
    analyzer = FakeAnalyzer()
    text = "Most programs run for several weeks in total"
    chunk = make_chunk(1, "alpha", "Length", text)
    part = compose.PassageSentence(0, len(text), text, frozenset(analyzer.terms(text)), frozenset(), None)
    weights = {"programs": 1.0, "weeks": 1.0}

    def score(hit_score):
        return compose.score_sentence(compose.Sentence(1, Hit(chunk, hit_score), part), weights, (), 1.0, 80)

    assert score(0.5) == pytest.approx(0.75 * score(1.0))


@pytest.mark.parametrize("question", ["should i ask about the therapists qualifications",
                                      "is it ok to ask if they've treated people with the same problem as me"])
def test_whether_to_ask_something_is_answered_with_the_questions_the_page_lists(engine, question):
    answer, _ = _compose(engine, question)
    assert "What expertise do the therapists have?" in answer or "the same health complications" in answer


def test_a_list_items_short_label_is_what_the_rest_of_its_line_explains():
    chunk = make_chunk(1, "alpha", "Services", "- Case management and care coordination. A team of professionals "
                                               "shares the treatment plan with other physicians.\n"
                                               "- Family therapy sessions. Relatives learn how to help.")
    sentences = compose.split_passage(chunk, FakeAnalyzer())
    texts = [s.text for s in sentences]
    explained = sentences[texts.index("A team of professionals shares the treatment plan with other physicians.")]
    assert explained.antecedent == texts.index("Case management and care coordination.")
    # "Family therapy sessions." is too short to keep: the next line's sentence is not explained by the label
    # of the item before it
    relatives = sentences[texts.index("Relatives learn how to help.")]
    assert relatives.antecedent is None


class _CbtAnalyzer(FakeAnalyzer):
    """FakeAnalyzer with one synonym group: "cbt" and "cognitive behavioral therapy" are "~cbt"."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        low = text.lower()
        return found + (["~cbt"] if "cbt" in found or "cognitive behavioral therapy" in low else [])

    def concept_phrases(self, text):
        return ["cbt"] if "cbt" in super().terms(text) else []


def test_a_question_word_is_said_by_a_sentence_naming_its_concept_in_other_words():
    # "do iops use cbt": the sentence saying it is used names CBT by its full name, and is not outranked
    # by one that repeats the asker's acronym but says nothing about iops.
    analyzer = _CbtAnalyzer()
    chunk = make_chunk(1, "alpha", "Therapies", "Therapists explain cbt with worksheets and homework. "
                                                "Cognitive behavioral therapy is used in most iops today.")
    question = "do iops use cbt"
    result = _one_passage_result(analyzer, chunk, question)
    stats = _stats_beside_unrelated(chunk, analyzer)
    weights = {t: stats.idf(t) for t in result.terms}
    named = compose.named_concepts(question, weights, analyzer, stats)
    assert named == {"cbt": compose.ConceptWord(frozenset({"~cbt"}), 1.0)}
    chosen = [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 12)]
    assert chosen[0] == "Cognitive behavioral therapy is used in most iops today."


def test_a_concept_the_whole_corpus_names_lends_its_word_only_in_part():
    # "~iop" is in nearly every passage: a sentence naming it another way says "iop" only at a lesser share.
    analyzer = _CbtAnalyzer()
    chunks = [make_chunk(n, "alpha", "All", f"Cbt passage {n}.") for n in range(1, 6)]
    stats = compose.corpus_stats(chunks, analyzer)
    weights = {t: stats.idf(t) for t in ("cbt", "~cbt")}
    named = compose.named_concepts("cbt", weights, analyzer, stats)
    assert named == {"cbt": compose.ConceptWord(frozenset({"~cbt"}), compose.COMMON_CONCEPT_SHARE)}
    assert compose.COMMON_CONCEPT_SHARE < 1.0


def test_cbt_in_iop_is_answered_by_the_sentence_that_says_so(engine):
    answer, _ = _compose(engine, "cbt in iop?")
    assert "cognitive behavioral therapy is especially beneficial in an intensive outpatient" in answer


class _FindAnalyzer(FakeAnalyzer):
    """FakeAnalyzer with one phrase group: "find one near me" and "choose" are "~find"."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        return found + (["~find"] if "find one near me" in text.lower() or "choose" in found else [])

    def concept_phrases(self, text):
        return ["find one near me"] if "find one near me" in text.lower() else []


def test_a_word_of_a_longer_phrase_is_said_through_its_concept_only_in_part():
    # "how do i find one near me": "Once you choose a program..." names the concept, not where to look.
    analyzer = _FindAnalyzer()
    chunks = [make_chunk(1, "alpha", "Finding", "Search near your home to find a program. Once you choose a program, call it.")]
    chunks += [make_chunk(n, "beta", "Other", f"Passage {n} is about something else entirely.") for n in range(2, 8)]
    stats = compose.corpus_stats(chunks, analyzer)
    question = "how do i find one near me"
    weights = {t: stats.idf(t) for t in analyzer.terms(question)}
    named = compose.named_concepts(question, weights, analyzer, stats)
    assert named["near"] == compose.ConceptWord(frozenset({"~find"}), compose.PHRASE_WORD_SHARE)
    split = compose.split_passage(chunks[0], analyzer)
    search, choose = (compose.Sentence(0, Hit(chunks[0], 1.0), part) for part in split)
    assert compose.said_share(search, "near", named) == 1.0
    assert compose.said_share(choose, "near", named) == compose.PHRASE_WORD_SHARE
    assert compose.said_share(choose, "one", {}) == 0.0


def test_the_sentence_after_a_short_topic_sentence_is_among_the_further_ones():
    # "benefits of groups": the best sentence only names the topic; the one after it says what they are.
    analyzer = FakeAnalyzer()
    chunk = make_chunk(1, "alpha", "Groups", "Groups offer great benefits to patients. "
                                             "Namely, peers share experiences and support one another. "
                                             "Groups meet weekly and members list their benefits.")
    question = "benefits of groups"
    result = _one_passage_result(analyzer, chunk, question)
    candidates = compose.candidate_sentences(result, analyzer)
    head, follower, later = candidates
    assert follower.previous is head and later.previous is follower
    scored = [(3.0, 0, 0, head), (2.0, 0, -60, later), (0.0, 0, -40, follower)]
    raised = compose._with_topic_follower(scored, 3.0)
    assert [s for *_, s in raised] == [head, follower, later]
    assert raised[1][0] == pytest.approx(compose.FOLLOWER_SHARE * 3.0)
    # a long opening sentence states more than its topic: nothing is raised
    long_head = dataclasses.replace(head, part=dataclasses.replace(head.part, text=" ".join(["word"] * 13)))
    long_follower = dataclasses.replace(follower, previous=long_head)
    scored = [(3.0, 0, 0, long_head), (2.0, 0, -60, later), (0.0, 0, -40, long_follower)]
    assert compose._with_topic_follower(scored, 3.0) == scored


def test_benefits_of_iop_says_what_the_benefits_are(engine):
    answer, _ = _compose(engine, "benefits of iop")
    assert "these intensive programs provide intensive treatment less intrusively" in answer


def test_a_listed_question_to_ask_is_not_halved_for_repeating_the_question():
    # "should i ask about the therapists' expertise": "What expertise do the therapists have?" is the answer
    analyzer = FakeAnalyzer()
    text = "What expertise do the therapists have?"
    chunk = make_chunk(1, "alpha", "Questions", "- " + text)
    weights = {"expertise": 1.0, "therapists": 1.0}

    def score(to_ask):
        part = compose.PassageSentence(2, 2 + len(text), text, frozenset(analyzer.terms(text)), frozenset(), None,
                                       to_ask=to_ask)
        return compose.score_sentence(compose.Sentence(0, Hit(chunk, 1.0), part), weights, (), 1.0, 80)

    assert score(True) == pytest.approx(2 * score(False))


def test_what_to_ask_about_the_therapists_is_the_listed_question_about_them(engine):
    answer, _ = _compose(engine, "should i ask about their therapists qualifications")
    assert "What expertise do the therapists have?" in answer


def _pronoun_pair(weights):
    """The score of "It is a psychotherapy for trauma." after "For example, EMDR is often a great option."."""
    analyzer = FakeAnalyzer()
    text = "For example, EMDR is often a great option. It is a psychotherapy developed to treat trauma."
    chunk = make_chunk(1, "alpha", "Other therapies", text)
    split = compose.split_passage(chunk, analyzer)
    assert split[1].antecedent == 0
    hit = Hit(chunk, 1.0)
    before = compose.Sentence(0, hit, split[0])
    after = compose.Sentence(0, hit, split[1], antecedent=before, previous=before)
    return compose.score_sentence(after, weights, (), 1.0, 80)


def test_a_pronoun_standing_for_the_asked_thing_leads_its_sentence(monkeypatch):
    # "It" is EMDR: the sentence is about what is asked from its first word, as if it said "EMDR is..."
    weights = {"emdr": 2.0}
    with_lead = _pronoun_pair(weights)
    monkeypatch.setattr(compose, "LEAD_BONUS", 0.0)
    assert with_lead == pytest.approx(_pronoun_pair(weights) + 0.5 * 2.0)


def test_a_pronoun_for_a_minor_question_term_earns_no_lead(monkeypatch):
    # "example" weighs below the question's mean: "It" standing for it says nothing of the main subject
    weights = {"example": 0.5, "trauma": 3.0}
    with_lead = _pronoun_pair(weights)
    monkeypatch.setattr(compose, "LEAD_BONUS", 0.0)
    assert with_lead == pytest.approx(_pronoun_pair(weights))


def test_a_pronoun_for_a_term_near_the_mean_still_leads(monkeypatch):
    # "emdr" weighs a little under the mean (1.0 of 1.25): still what the sentence is about
    weights = {"emdr": 1.0, "trauma": 1.5}
    with_lead = _pronoun_pair(weights)
    monkeypatch.setattr(compose, "LEAD_BONUS", 0.0)
    assert with_lead == pytest.approx(_pronoun_pair(weights) + 0.5 * 1.25)


def test_a_further_sentence_giving_the_asked_kind_no_chosen_one_gives_is_kept():
    # "how long ... start iop": the best sentence matches the words (how to start), the weaker one the kind
    # of answer asked for (a length), which nothing chosen gives; it adds no word but still answers.
    analyzer = _LengthCueAnalyzer()
    chunk = make_chunk(1, "alpha", "Starting", "To start an IOP program, take time to assess your needs and call "
                                               "the chosen program to start treatment. "
                                               "Most people stay about 12 weeks in an IOP.")
    question = "how long will the iop program take to start"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk], analyzer)
    chosen = [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 80)]
    assert chosen[-1] == "Most people stay about 12 weeks in an IOP."
    first, second = compose.candidate_sentences(result, analyzer)
    assert compose._gives_missing_kind(second, ("#duration",), [])
    assert not compose._gives_missing_kind(second, ("#duration",), [(second, [])])
    assert not compose._gives_missing_kind(first, ("#duration",), [])


def test_two_sentences_giving_the_same_kind_of_answer_are_not_duplicates_for_it():
    # Both give a length ("#duration"), of different things: the form token is no shared content.
    chunk = make_chunk(1, "alpha", "Length", "x")

    def sentence(*terms):
        part = compose.PassageSentence(0, 1, "x", frozenset(terms), frozenset(), None)
        return compose.Sentence(0, Hit(chunk, 1.0), part)

    iop = sentence("iop", "typically", "several", "months", "#duration")
    cost = sentence("iop", "typically", "cost", "12", "#duration")
    assert compose.near_duplicate(iop.terms, cost.terms)  # the form token tips the overlap
    assert not compose.near_duplicate(compose._content(iop), compose._content(cost))
    assert compose._content(iop) == {"iop", "typically", "several", "months"}


def test_they_for_what_the_corpus_is_about_reads_without_the_sentence_before():
    chunk = make_chunk(1, "alpha", "Who", "x")
    stats = compose.CorpusStats({"~iop": 10, "~emdr": 1}, 10)  # every passage names IOPs, one EMDR

    def sentence(text, lead=frozenset(), antecedent=None):
        part = compose.PassageSentence(0, 1, text, frozenset(), frozenset(lead), None)
        return compose.Sentence(0, Hit(chunk, 1.0), part, antecedent=antecedent)

    iops = sentence("Initially, intensive outpatient programs were used for addiction.", {"~iop"})
    emdr = sentence("For example, EMDR is often a great option.", {"~emdr"})
    assert compose._stands_for_the_corpus_topic(sentence("They are specifically helpful for people.", antecedent=iops), stats)
    # "It" for something particular, "This" for what the sentence before says, "equally" going on from it
    assert not compose._stands_for_the_corpus_topic(sentence("It's a type of psychotherapy.", antecedent=emdr), stats)
    assert not compose._stands_for_the_corpus_topic(sentence("This process allows experts to judge.", antecedent=iops), stats)
    assert not compose._stands_for_the_corpus_topic(sentence("They are equally valuable for people.", antecedent=iops), stats)
    assert not compose._stands_for_the_corpus_topic(sentence("They are helpful for people."), stats)


@pytest.mark.parametrize("asked, resolved, kinds", [
    ("for how many weeks?", "for how many weeks? ok so 9 hours a week", ("#duration",)),
    ("and for how many weeks", "and for how many weeks how many hours a week", ("#duration",)),
    # a turn asking no kind of its own asks the one carried
    ("and for teens?", "and for teens? how many hours a week", None),
])
def test_a_follow_up_asks_for_the_kind_of_answer_its_own_words_ask_for(engine, asked, resolved, kinds):
    carried = compose.cue_kinds(resolved, engine.analyzer)
    assert compose._asked_kinds(asked, carried, engine.analyzer) == (kinds or carried)


def test_a_follow_up_asking_a_length_after_told_hours_is_answered_with_a_length(engine):
    stats = compose.corpus_stats(engine.chunks, engine.analyzer)
    question = "for how many weeks? ok so 9 hours a week"
    result = engine.search(question)
    def lengths(asked):
        chosen = compose.select_sentences(result.terms, result, engine.analyzer, stats, question, 80, asked=asked)
        return [s for s, _ in chosen if "#duration" in s.terms]

    assert lengths("for how many weeks?")
    assert not lengths(None)  # read whole, the question asks for hours as much as for a length


def test_a_pronoun_after_lines_of_one_sentence_each_is_not_the_last_line(engine):
    """Lines written as a list without bullets: "These programs" opening the paragraph after them are not the
    last line's; in running text "It" still refers back."""
    lines = make_chunk(1, "alpha", "After", "Post-program: participation in support groups and therapy.\n"
                       "Ongoing application of coping strategies and techniques.\n"
                       "Continued involvement in community resources and networks.\n"
                       "These programs are highly adaptable, with sessions for at least twelve weeks.")
    prose = make_chunk(2, "alpha", "EMDR", "EMDR is often a great option for trauma.\n"
                       "It works by helping patients reprocess emotions and memories.")
    these = compose.split_passage(lines, engine.analyzer)[-1]
    it = compose.split_passage(prose, engine.analyzer)[-1]
    assert these.text.startswith("These programs") and these.antecedent is None
    assert it.text.startswith("It works") and it.antecedent == 0


def test_a_sentence_whose_it_is_what_the_best_sentence_names_is_raised():
    """"It helps by..." after the best "Motivational interviewing is..." goes on about it, needing nothing more."""
    chunk = make_chunk(1, "alpha", "MI", "x")
    stats = compose.CorpusStats({"~iop": 10, "~mi": 1}, 10)

    def sentence(text, lead=frozenset(), antecedent=None):
        part = compose.PassageSentence(0, 1, text, frozenset(), frozenset(lead), None)
        return compose.Sentence(0, Hit(chunk, 1.0), part, antecedent=antecedent)

    best = sentence("Motivational interviewing is a type of counseling.", {"~mi"})
    other = sentence("Overall, motivational interviewing encourages you to explore.", {"~mi"})
    sequel = sentence("It helps by providing an environment to discuss doubts.", antecedent=best)
    ranked = [s for *_, s in compose._with_its_sequel([(1.0, 0, 0, best), (0.9, 0, -1, other), (0.85, 0, -2, sequel)],
                                                      stats)]
    assert ranked == [best, sequel, other]
    # "They" for IOPs, which every passage names, and "This" for what the sentence before says, are not raised
    iops = sentence("Initially, intensive outpatient programs were used for addiction.", {"~iop"})
    for text, head in (("They are specifically helpful for people.", iops), ("This lets you discuss doubts.", best)):
        follower = sentence(text, antecedent=head)
        ranked = [s for *_, s in compose._with_its_sequel([(1.0, 0, 0, head), (0.9, 0, -1, other),
                                                           (0.85, 0, -2, follower)], stats)]
        assert ranked == [head, other, follower]


def test_a_further_sentence_giving_a_kind_of_answer_none_chosen_gives_is_kept(monkeypatch):
    # "how long ... and does insurance cover it": the coverage sentence scores best; the length, which says
    # only "iop" of the question, already said, is kept for the length asked for, at a lesser share of the best.
    analyzer = _LengthCueAnalyzer()
    coverage = "Insurance plans cover iop costs for members of the larger health plans in this state."
    length = "Most people finish within 12 weeks at an iop."
    chunk = make_chunk(1, "alpha", "Plans", f"{coverage} {length}")
    question = "how long is iop and does insurance cover iop costs"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk], analyzer)

    def chosen():
        return [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 80)]

    assert chosen() == [coverage, length]
    monkeypatch.setattr(compose, "_gives_missing_kind", lambda *args: False)
    assert chosen() == [coverage]


def test_a_list_without_lead_in_is_narrowed_to_the_one_item_saying_the_main_word(monkeypatch):
    # "does the matrix thing work on confidence": the item on self-esteem, not the whole list
    analyzer = FakeAnalyzer()
    chunk = make_chunk(1, "alpha", "Groups", "- Alpha groups for sharing stories together.\n"
                                             "- Beta groups to practise calm breathing daily.\n"
                                             "- Gamma groups about money planning basics.")
    fillers = [make_chunk(n, "beta", "Other", "Many groups help here weekly.") for n in range(2, 5)]
    question = "which groups help with breathing"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk, *fillers], analyzer)

    def chosen():
        return [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 80)]

    assert "Beta groups to practise calm breathing daily." in chosen()
    assert not any("; " in text for text in chosen())
    monkeypatch.setattr(compose, "_one_item_says_the_main_word", lambda *args: False)
    assert chosen()[0].startswith("Alpha groups for sharing stories together; Beta groups")


def test_the_last_place_waits_for_the_kind_of_answer_asked_for(monkeypatch):
    # Three coverage sentences outscore the length, but the question asks how long: the third place is its.
    analyzer = _LengthCueAnalyzer()
    coverage = "Insurance plans cover iop costs for members of the larger health plans in this state."
    more = "Your insurance company decides which iop costs are paid by the member afterwards."
    again = "Some employers also cover iop fees through separate wellness benefits each year."
    length = "Most people finish within 12 weeks at an iop."
    chunk = make_chunk(1, "alpha", "Plans", f"{coverage} {more} {again} {length}")
    question = "how long is iop and does insurance cover iop costs"
    result = _one_passage_result(analyzer, chunk, question)
    stats = compose.corpus_stats([chunk], analyzer)

    def chosen():
        return [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 80)]

    assert chosen() == [coverage, more, length]
    monkeypatch.setattr(compose, "_kind_waits", lambda *args: False)
    assert chosen() == [coverage, more, again]


def test_a_list_item_naming_what_running_text_also_says_is_a_passing_mention():
    # "These sessions can offer support and guidance on: Depression; Anxiety; Trauma; ..." names trauma in one
    # item of eleven: beside a sentence of running text about trauma, the list counts the word at a share.
    chunk = make_chunk(1, "alpha", "Topics", "x")
    weights = {"trauma": 2.0, "therapi": 1.0}
    listed = compose.PassageSentence(0, 1, "These sessions offer guidance on: Depression; Trauma.",
                                     frozenset({"session", "guidanc", "depress", "trauma"}), frozenset(), None,
                                     listed=True, lead_in_terms=frozenset({"session", "guidanc"}))
    unit = compose.Sentence(0, Hit(chunk, 1.0), listed)
    prose = frozenset({"trauma", "emdr", "reprocess"})
    assert compose._passing_mention(unit, "trauma", prose)
    assert not compose._passing_mention(unit, "trauma", frozenset({"pregnant"}))  # no other sentence says it
    lead_said = dataclasses.replace(listed, lead_in_terms=frozenset({"session", "trauma"}))
    assert not compose._passing_mention(compose.Sentence(0, Hit(chunk, 1.0), lead_said), "trauma", prose)
    full = compose.score_sentence(unit, weights, (), 1.0, 80)
    shared = compose.score_sentence(unit, weights, (), 1.0, 80, prose_terms=prose)
    assert shared < full


def test_a_concession_opening_on_they_refers_back_and_one_on_it_does_not(engine):
    """"While they might not be a part of every IOP, ..." is about what the sentence before names; "While it
    is easy to find one, ..." names nothing before it."""
    chunk = make_chunk(1, "alpha", "Groups", "Support groups are helpful for many people. "
                       "While they might not be a part of every program, they are worth a try. "
                       "While it is easy to find a program, ask for a recommendation first.")
    split = compose.split_passage(chunk, engine.analyzer)
    assert split[1].text.startswith("While they") and split[1].antecedent == 0
    assert split[2].text.startswith("While it") and split[2].antecedent is None


class _AaAnalyzer(FakeAnalyzer):
    """FakeAnalyzer with one concept: "aa" and "12-step" are "~twelve" (the asker's word, the page's)."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        return found + (["~twelve"] if {"aa", "12"} & set(found) else [])

    def concept_phrases(self, text):
        return ["aa"] if "aa" in super().terms(text) else []


def test_a_pronoun_says_a_question_word_its_antecedent_says_through_the_word_s_concept():
    """"is AA part of every program": "They" in "While they might not be part of every program" stands for
    "12-step groups", which says "AA" as a sentence naming them would; it answers, not the sentence about
    12-step groups alone."""
    analyzer = _AaAnalyzer()
    chunk = make_chunk(1, "alpha", "Support", "Many people like 12-step groups a lot. "
                       "While they might not be part of every program, they help.")
    question = "is aa part of every program"
    result = _one_passage_result(analyzer, chunk, question)
    stats = _stats_beside_unrelated(chunk, analyzer)
    chosen = [s.text for s, _ in compose.select_sentences(result.terms, result, analyzer, stats, question, 40)]
    assert chosen == ["Many people like 12-step groups a lot.",
                      "While they might not be part of every program, they help."]
    split = compose.split_passage(chunk, analyzer)
    sentences = [compose.Sentence(0, Hit(chunk, 1.0), part) for part in split]
    they = dataclasses.replace(sentences[1], antecedent=sentences[0])
    weights = {t: stats.idf(t) for t in result.terms}
    named = compose.named_concepts(question, weights, analyzer, stats)
    lent = compose.score_sentence(they, weights, (), 1.0, 80, named)
    alone = compose.score_sentence(dataclasses.replace(they, antecedent=None), weights, (), 1.0, 80, named)
    assert lent - alone >= compose.ANTECEDENT_SHARE * weights["aa"]


class _TwelveStepAnalyzer(FakeAnalyzer):
    """FakeAnalyzer with one concept named two ways: "aa" and "12 step" (also "alcoholics anonymous") are "~twelve"."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        return found + (["~twelve"] if {"aa", "12", "alcoholics"} & set(found) else [])

    def concept_phrases(self, text):
        found = super().terms(text)
        return (["12 step"] if "12" in found else []) + (["aa"] if "aa" in found else [])

    def form_tokens(self, text, query=False):
        return ["#comparison"] if "compare" in text else []


@pytest.mark.parametrize("asked, relates", [("is that like aa", True), ("isn't it just aa", True),
                                            ("how does aa compare", True),
                                            ("tell me about aa", False), (None, False)])
def test_a_follow_up_naming_a_concept_anew_asks_about_both_names(asked, relates):
    """"is that like AA?" after "do iops use 12 step stuff": a sentence saying "12-step" names the concept in
    the carried words and says nothing of AA; one saying "Alcoholics Anonymous" says AA. A follow-up not asking
    what the named thing is, or a question read whole, lets either name say both."""
    analyzer = _TwelveStepAnalyzer()
    chunk = make_chunk(1, "alpha", "Steps", "The 12 step programs help. You know them from alcoholics anonymous.")
    stats = _stats_beside_unrelated(chunk, analyzer)
    question = f"{asked or 'is that like aa'} 12 step"
    weights = {t: stats.idf(t) for t in analyzer.terms(question)}
    named = compose.named_concepts(question, weights, analyzer, stats, asked)
    steps, anonymous = (compose.Sentence(0, Hit(chunk, 1.0), part) for part in compose.split_passage(chunk, analyzer))
    assert compose.said_share(anonymous, "aa", named) == 1.0
    assert compose.said_share(steps, "aa", named) == (0.0 if relates else 1.0)
    assert compose.said_share(anonymous, "step", named) == compose.PHRASE_WORD_SHARE


class _SubjectAnalyzer(FakeAnalyzer):
    """FakeAnalyzer where "cbt" is a subject ([answered_together]) and "iop" the corpus topic, each a group."""

    def terms(self, text, query=False, forms=True):
        found = super().terms(text, query, forms)
        return found + [f"~{w}" for w in ("cbt", "iop") if w in found]

    def paired_terms(self):
        return frozenset({"~cbt"}), frozenset()


def test_a_sentence_naming_a_subject_in_the_corpus_topic_answers_how_it_stands_there():
    """"is it used in iop?" after "what is cbt": "IOP" weighs next to nothing, so a sentence about CBT alone
    beat "CBT is especially beneficial in an IOP"; naming both answers. Only when the turn as typed names the
    topic: "is it for anxiety?" asks nothing about CBT in an IOP."""
    analyzer = _SubjectAnalyzer()
    stats = compose.CorpusStats({"~iop": 8, "iop": 8, "cbt": 1, "~cbt": 1, "used": 1}, 10)
    question = "is it used in iop cbt"
    weights = {t: stats.idf(t) for t in analyzer.terms(question)}
    together = compose._asked_together(weights, analyzer, stats, "is it used in iop")
    assert together == {"~iop", "~cbt"}
    assert compose._asked_together(weights, analyzer, stats, "is it for anxiety") == frozenset()
    chunk = make_chunk(1, "alpha", "CBT", "x")

    def score(text, together):
        part = compose.PassageSentence(0, 1, text, frozenset(analyzer.terms(text)), frozenset(), None)
        return compose.score_sentence(compose.Sentence(0, Hit(chunk, 1.0), part), weights, (), 1.0, 80,
                                      together=together)

    alone = "Patients are taught how cbt is used against distortions."
    both = "Still, cbt is especially beneficial in an iop for most patients."
    assert score(alone, together) > score(both, frozenset())
    assert score(both, together) > score(alone, together)


def test_a_near_duplicate_saying_a_question_word_the_chosen_one_leaves_out_is_no_duplicate():
    """"anything gentle, like yoga or art?": two passages list the same therapies, one naming yoga, one art;
    the second says what the first leaves out, so it is read out, not only cited beside the first."""
    analyzer = FakeAnalyzer()
    yoga = "Programs may include mindfulness practices and experiential yoga therapies."
    art = "Programs may also include mindfulness practices, experiential and art therapies."
    chunks = [make_chunk(1, "alpha", "Therapies", yoga), make_chunk(2, "beta", "Therapies", art)]
    chunks += [make_chunk(n, "gamma", "Other", f"Passage {n} is about something else entirely.") for n in range(3, 9)]
    stats = compose.corpus_stats(chunks, analyzer)
    question = "do programs include yoga or art"
    result = compose.SearchResult(question, tuple(analyzer.terms(question)),
                                  (Hit(chunks[0], 2.0), Hit(chunks[1], 1.9)), 1.0)
    assert compose.near_duplicate(frozenset(analyzer.terms(yoga)), frozenset(analyzer.terms(art)))
    chosen = compose.select_sentences(result.terms, result, analyzer, stats, question, 80)
    assert [(s.text, dups) for s, dups in chosen] == [(yoga, []), (art, [])]
    # one saying nothing more is cited beside it
    same = make_chunk(2, "beta", "Therapies", "Programs may also include mindfulness practices and experiential yoga therapies.")
    again = compose.SearchResult(question, result.terms, (Hit(chunks[0], 2.0), Hit(same, 1.9)), 1.0)
    (only, dups), = compose.select_sentences(again.terms, again, analyzer, stats, question, 80)
    assert only.text == yoga and [d.hit.chunk.doc_id for d in dups] == ["beta"]
