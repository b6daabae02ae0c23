"""Text analysis: offline nltk, synonyms, abbreviations, typo correction and sentence spans."""

from __future__ import annotations

from pathlib import Path

import nltk
from nltk.metrics.distance import edit_distance
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from bot.settings import load_settings
from bot.text import (CONTEXT_SHARE, FORM_PREFIX, NARROWER_SHARE, SYNONYM_PREFIX, WEEK_PREFIX, Analyzer, load_forms,
                      load_synonyms, normalize, stem, train_sentence_splitter, week_tokens, words)

CORPUS = Path(load_settings({}, environ={})["CORPUS_DIR"])
SYNONYMS = load_synonyms(CORPUS / "synonyms.toml")
FORMS = load_forms(CORPUS / "synonyms.toml")
TEXTS = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt"))]
TRAINED = Analyzer(splitter=train_sentence_splitter(TEXTS))


@pytest.fixture(scope="module")
def analyzer():
    a = Analyzer(synonyms=SYNONYMS, forms=FORMS, splitter=train_sentence_splitter(TEXTS))
    a.learn_vocabulary(TEXTS)
    return a


def test_no_nltk_data_needed(monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [])
    a = Analyzer(synonyms=SYNONYMS, splitter=train_sentence_splitter(TEXTS[:2]))
    a.learn_vocabulary(TEXTS[:2])
    assert a.terms("How long does an IOP last, e.g. in weeks?", query=True)


def test_no_nltk_data_needed_for_sentences(monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [])
    assert Analyzer(splitter=train_sentence_splitter(TEXTS[:1])).sentence_spans("One. Two.") == [(0, 4), (5, 9)]


# --- words and stems ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("12-step programs", ["12", "step", "programs"]),
    ("It’s the patient's plan", ["it", "the", "patient", "plan"]),
    ("$4,939 for 12 weeks", ["$4,939", "for", "12", "weeks"]),
    ("my doctor said 'I.O.P.'", ["my", "doctor", "said", "iop"]),
    ("who shouldn't go", ["who", "should", "not", "go"]),
    ("I can't", ["i", "can", "not"]),
    ("IOP", ["iop"]),
    ("?!?!", []),
    ("", []),
])
def test_words(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("a, b", [("therapy", "therapies"), ("week", "weeks"), ("insurance", "insured")])
def test_stems_conflate(a, b):
    assert stem(a) == stem(b)


def test_normalize_is_nfkc_lowercase_plain_apostrophe():
    assert normalize("IT’S ＩＯＰ") == "it's iop"


# --- synonyms -----------------------------------------------------------------------------------
def _groups(analyzer, text):
    return {t for t in analyzer.terms(text) if t.startswith(SYNONYM_PREFIX)}


@pytest.mark.parametrize("a, b", [
    ("insurance", "coverage"),
    ("insurance", "pay for"),
    ("intensive outpatient program", "IOP"),
    ("partial hospitalization", "PHP"),
    ("cognitive behavioral therapy", "CBT"),
    ("OCD", "obsessive-compulsive disorder"),
    ("do they handle meds at all", "medication management"),
    ("does that help when someone is unsure", "ambivalence"),  # unsure of changing is the doubt MI works with
    ("what should they ask the programs", "questions to ask"),  # whoever asks, it is the list of questions
    ("she's being discharged friday", "step down"),  # leaving a hospital or a residential stay  # handling medicine is managing it, not why it is used
])
def test_synonyms_share_a_token(analyzer, a, b):
    assert _groups(analyzer, a) & _groups(analyzer, b)


# --- question forms -----------------------------------------------------------------------------
def _forms(analyzer, text, query):
    return {t[len(FORM_PREFIX):] for t in analyzer.terms(text, query=query) if t.startswith(FORM_PREFIX)}


@pytest.mark.parametrize("question, form", [
    ("how long does it last?", "duration"),
    ("iop duration", "duration"),
    ("is it a 30 day thing or longer", "duration"),
    ("how many hours a week", "hours"),
    ("for how long each day?", "hours"),
    ("how many days a week is iop", "frequency"),
    ("is it monday thru friday", "frequency"),
    ("how much does it cost", "money"),
    ("can i afford it", "money"),
    ("how much is iop", "money"),
    ("iop, how much?", "money"),
    ("who is iop for", "audience"),
    ("what is an iop", "definition"),
    ("iop vs php", "comparison"),
    ("how do i get into a program", "steps"),
    ("does iop work", "effectiveness"),
    ("when did these programs first start?", "history"),
    ("and each day how long?", "daily_hours"),  # the day named first: still a day's length
    ("who decides if i need it", "role"),  # whose job it is: a person who acts, not who the program suits
    ("who makes the treatment plan", "role"),
    ("who should i ask about that?", "role"),
])
def test_questions_ask_for_a_form(analyzer, question, form):
    assert form in _forms(analyzer, question, query=True)


@pytest.mark.parametrize("passage, form", [
    ("IOPs typically last 8 to 12 weeks.", "duration"),
    ("Most run for several weeks to a few months.", "duration"),
    ("A minimum of 9 hours (usually 3-hour sessions).", "hours"),
    ("Participants attend sessions three to five days per week.", "frequency"),
    ("average cost $4,939 for 12 weeks", "money"),
    ("recommended for people leaving residential treatment", "audience"),
    ("This treatment is designed to help individuals struggling with substance abuse.", "audience"),
    ("An IOP is a structured treatment program for adults.", "definition"),
    ("IOPs got popular in the late 1980s.", "history"),
    ("Care coordinators often guide treatment plans.", "role"),
    ("A qualified mental health professional can determine if an IOP is right.", "role"),
    ("The length is determined by the recommendations of their care team.", "role"),
])
def test_passages_give_a_form(analyzer, passage, form):
    assert form in _forms(analyzer, passage, query=False)


@pytest.mark.parametrize("passage, form", [
    ("Outpatient Treatment: 1-2 hours per week", "duration"),  # "per week" is a rate, not a length
    ("Group therapy helps people feel less alone.", "money"),
])
def test_passages_do_not_give_an_unrelated_form(analyzer, passage, form):
    assert form not in _forms(analyzer, passage, query=False)


@pytest.mark.parametrize("question, form", [
    ("who invented dbt", "audience"),  # who made it, not who it is for
    ("who makes the treatment plan", "audience"),  # whose job it is, not who it is for
    ("who should i ask about that?", "audience"),
    ("who invented dbt", "role"),  # who first made it: its history, not a role in treatment
    ("how much of my time does it take", "money"),
    ("how much supervision is there in outpatient", "money"),
    ("for how long each day?", "duration"),
    ("and each day how long?", "duration"),
    ("how do i check my benefits online", "telehealth"),  # the insurer's website, not sessions over video
    ("i live somewhere remote, is there an iop near me", "telehealth"),
    ("my insurance approved iop, how many days a week will it be", "insurance_rules"),
])
def test_questions_do_not_ask_for_an_unrelated_form(analyzer, question, form):
    assert form not in _forms(analyzer, question, query=True)


def test_a_question_of_punctuation_asks_for_no_form(analyzer):
    assert analyzer.terms("  ?!  ", query=True) == []


def test_a_framed_word_is_read_in_the_sense_the_question_gives_it(analyzer):
    # "does iop work" asks whether it is effective; "can i work during iop" is about a job.
    effective = analyzer.terms("does iop actually work", query=True)
    assert "effect" in effective and "work" not in effective
    how = analyzer.terms("how does it work", query=True)  # how it works: neither whether it does nor a job
    assert "#how_it_works" in how and "effect" not in how and "work" not in how
    job = analyzer.terms("can i work during iop", query=True)
    assert "work" in job and "effect" not in job


@pytest.mark.parametrize("question", ["does iop really works", "any proof it works", "can you tell me if iop works"])
def test_whether_it_works_is_read_as_effective_however_the_verb_is_inflected_or_asked(analyzer, question):
    # the framed word is replaced as typed: "works" and "working" as well as "work"
    terms = analyzer.terms(question, query=True)
    assert "effect" in terms and "work" not in terms


@pytest.mark.parametrize("question", ["how do they know if its working", "how do i know whether it is working",
                                      "do they check in on progress"])
def test_whether_it_is_working_for_someone_now_is_their_progress_checked(analyzer, question):
    terms = analyzer.terms(question, query=True)
    assert "~progress_tracking" in terms and "~work" not in terms


def test_whether_it_works_for_a_schedule_stays_a_job_word(analyzer):
    assert "work" in analyzer.terms("check if it works for my schedule", query=True)


@pytest.mark.parametrize("question", ["would they cover anger in the sessions", "what topics do they cover",
                                      "do the groups cover anger"])
def test_what_sessions_cover_is_their_topics_not_insurance(analyzer, question):
    terms = analyzer.terms(question, query=True)
    assert "~topics" in terms and "~insurance" not in terms


@pytest.mark.parametrize("question", ["does insurance cover group sessions", "will they cover it"])
def test_covering_a_bill_or_a_program_stays_insurance(analyzer, question):
    assert "~insurance" in analyzer.terms(question, query=True)


def test_how_they_know_it_works_asks_for_the_studies_not_a_drug_test(analyzer):
    evidence = analyzer.terms("how do they know that? does it work", query=True)
    assert "#evidence" in evidence and "studi" in evidence and "~drug_test" not in evidence
    drug_test = analyzer.terms("how do they know if he is using", query=True)
    assert "~drug_test" in drug_test and "#evidence" not in drug_test


@pytest.mark.parametrize("question", ["does it stay the same the whole time?", "will the schedule stay 3 days a week"])
def test_whether_the_pace_stays_asks_whether_it_lightens_not_about_a_stay(analyzer, question):
    terms = analyzer.terms(question, query=True)
    assert "#tapering" in terms and "stay" not in terms


def test_staying_somewhere_is_still_a_stay(analyzer):
    terms = analyzer.terms("can i stay at home", query=True)
    assert "stay" in terms and "#tapering" not in terms


def test_look_only_frames_a_question_while_looking_for_or_into_a_program_is_finding_one(analyzer):
    assert "look" not in analyzer.terms("what would the schedule look like", query=True)
    assert "~find" in analyzer.terms("is iop worth looking into", query=True)


@pytest.mark.parametrize("question", ["im already on lexapro, is that ok", "he is currently taking antidepressants"])
def test_a_medicine_taken_now_asks_how_medication_is_managed(analyzer, question):
    assert "#current_medication" in analyzer.terms(question, query=True)


@pytest.mark.parametrize("question", ["would IOP be appropriate", "is an iop suitable for him"])
def test_whether_a_program_is_appropriate_asks_who_it_suits(analyzer, question):
    assert "#audience" in analyzer.terms(question, query=True)


def test_the_usual_guidance_is_who_qualifies(analyzer):
    assert "~eligibility" in analyzer.terms("is it ok per the usual guidance", query=True)


def test_being_allowed_to_join_a_program_asks_who_it_is_for_not_its_rules(analyzer):
    join = analyzer.terms("am i allowed to do iop", query=True)
    assert "#audience" in join and "#program_rules" not in join
    assert "#program_rules" in analyzer.terms("am i allowed to bring my phone", query=True)


@pytest.mark.parametrize("question", ["is that how they all work?", "how does emdr actually work"])
def test_how_a_program_works_is_how_it_goes_about_it_not_a_job(analyzer, question):
    terms = analyzer.terms(question, query=True)
    assert "#how_it_works" in terms and "~work" not in terms


def test_working_around_a_job_stays_a_job(analyzer):
    assert "~work" in analyzer.terms("how do they work around my job", query=True)


@pytest.mark.parametrize("question", ["what kind of treatment works for that", "is iop something that would work for her"])
def test_a_treatment_that_works_for_someone_treats_them_not_a_job(analyzer, question):
    terms = analyzer.terms(question, query=True)
    assert "treat" in terms and "work" not in terms


def test_a_program_that_works_for_a_schedule_is_still_about_work(analyzer):
    assert "work" in analyzer.terms("which program works best for my schedule", query=True)


def test_more_long_is_longer(analyzer):
    terms = analyzer.terms("can be more long?", query=True)
    assert "#duration" in terms and "~adjust_length" in terms


def test_when_a_program_started_is_its_history_not_how_to_begin_one(analyzer):
    history = analyzer.terms("when did these programs first start?", query=True)
    assert "~history" in history and "start" not in history
    assert "start" in analyzer.terms("how do i start an iop", query=True)


def test_how_long_something_has_been_around_is_its_history_not_its_length(analyzer):
    terms = analyzer.terms("how long have these programs been around?", query=True)
    assert "#history" in terms and "#duration" not in terms and "around" not in terms
    assert "#duration" in analyzer.terms("how long is the program", query=True)


def test_the_last_weeks_are_the_end_of_a_program_not_how_long_it_lasts(analyzer):
    end = analyzer.terms("what happens in the last two weeks", query=True)
    assert "~aftercare" in end and "last" not in end
    assert "last" in analyzer.terms("how long does iop last", query=True)
    assert "last" in analyzer.terms("she finished rehab last week", query=True)  # last week is a date


def test_a_frame_is_optional_and_read_from_its_form(tmp_path):
    path = tmp_path / "synonyms.toml"
    path.write_text('[forms.a]\nask = ["x"]\nanswer = ["y"]\n'
                    '[forms.b]\nask = ["x"]\nanswer = ["y"]\nframe = ["does it (run)"]\nframe_as = "operate"\n',
                    encoding="utf-8")
    first, second = load_forms(path)
    assert first.frame is None and second.frame.search("does it run") and second.frame_as == "operate"


def test_bad_form_patterns_are_a_clear_error(tmp_path):
    path = tmp_path / "synonyms.toml"
    path.write_text('[forms.broken]\nask = ["(unclosed"]\nanswer = ["x"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="forms.broken"):
        load_forms(path)


# --- spelling and specificity -------------------------------------------------------------------
@pytest.mark.parametrize("word", ["coming", "decides", "touring"])
def test_real_english_words_are_never_taken_for_typos(analyzer, word):
    assert analyzer.spell(word) == word


@pytest.mark.parametrize("question", ["can it be shorter?", "what is the shortest program"])
def test_a_comparative_of_a_corpus_word_is_no_unknown_word(analyzer, question):
    # the stemmer keeps "shorter" apart from "short", which the corpus uses
    assert analyzer.unknown_words(question) == []


def test_typos_that_are_no_english_word_are_corrected(analyzer):
    assert analyzer.spell("insurence") == "insurance"


@pytest.mark.parametrize("typo, word", [("cheeper", "cheaper"), ("tanking", "tanking"), ("prep", "prep")])
def test_a_rare_english_word_one_typo_from_a_far_commoner_corpus_word_is_that_word(analyzer, typo, word):
    # "cheeper" is in the dictionary, but so rare beside "cheaper" that a question means the cost word
    assert analyzer.spell(typo) == word


def test_unknown_names_weigh_more_than_common_words(analyzer):
    weights = analyzer.unknown_specificity("does Medicare pay if I drive a car, says my Aetna plan")
    assert weights["aetna"] == 1.0 and weights["medicare"] == 1.0
    assert weights["car"] < 0.5


@pytest.mark.parametrize("question, place", [("best iop in chicago", "chicago"), ("iop in florida", "florida"),
                                             ("price in los angeles", "angeles"), ("does medicaid cover iop", "medicaid")])
def test_a_place_or_insurer_typed_in_lowercase_weighs_as_a_name(analyzer, question, place):
    assert analyzer.unknown_specificity(question)[place] == 1.0


@pytest.mark.parametrize("text, weeks", [
    ("Weeks 5-8: Continued", [5, 6, 7, 8]), ("around week 6 or 7", [6, 7]), ("week one", [1]),
    ("weeks 9 and 10", [9, 10]), ("around weeks five to eight", [5, 6, 7, 8]), ("at least 12 weeks", []),
    ("three sessions per week (3 hours each)", []),
])
def test_week_tokens_name_every_week_of_a_range(text, weeks):
    assert week_tokens(normalize(text)) == [f"{WEEK_PREFIX}{n}" for n in weeks]


def test_a_question_about_one_week_finds_the_range_that_covers_it(analyzer):
    assert f"{WEEK_PREFIX}6" in analyzer.terms("whats going on around week 6", query=True)


def test_a_typo_of_a_short_common_word_is_read_as_that_word(analyzer):
    # "teh" is "the" (shorthand.txt); "hsa" is no misspelt "has" but an account the corpus never names
    assert "teh" not in analyzer.unknown_specificity("how many weeks is teh program")
    assert analyzer.unknown_specificity("can i pay with my hsa card")["hsa"] > 0.9


def test_an_acronym_is_a_name_unless_the_message_is_shouted(analyzer):
    assert analyzer.unknown_specificity("is ECT ever part of intensive outpatient")["ect"] == 1.0
    assert analyzer.unknown_specificity("HOW LONG IS IOP FOR WEED")["weed"] < 1.0


def test_the_generic_words_of_place_names_are_no_names(analyzer):
    weights = analyzer.unknown_specificity("is there one in my city near the beach")
    assert all(w < 1.0 for w in weights.values())


@pytest.mark.parametrize("phrase, group", [
    ("pay for", "insurance"), ("IOP", "iop"), ("CBT", "cbt"), ("PHP", "php"), ("coverage", "insurance"),
    ("when someone is unsure", "doubt"),  # not knowing whether to change, as "doubts" and "uncertainty" say
])
def test_phrase_maps_to_group(analyzer, phrase, group):
    assert SYNONYM_PREFIX + group in analyzer.terms(phrase)


def test_longest_phrase_wins(analyzer):
    assert analyzer.synonym_groups(words("intensive outpatient program")) == [SYNONYM_PREFIX + "iop"]


def test_unrelated_words_share_no_token(analyzer):
    assert not _groups(analyzer, "insurance") & _groups(analyzer, "weather")


@pytest.mark.parametrize("content, error", [("[groups]\nx = 'not a list'", ValueError), ("[groups", ValueError)])
def test_bad_synonyms_file(tmp_path, content, error):
    path = tmp_path / "synonyms.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match="synonyms.toml"):
        load_synonyms(path)


def test_missing_synonyms_file_means_none(tmp_path):
    assert load_synonyms(tmp_path / "nope.toml") == {}


# --- typo correction ----------------------------------------------------------------------------
@pytest.mark.parametrize("typo, word", [("insurence", "insurance"), ("therpy", "therapy"), ("grop", "group")])
def test_typo_corrected_to_corpus_word(analyzer, typo, word):
    assert analyzer.correct(typo) == word


@pytest.mark.parametrize("word", ["insurance", "weeks", "hom", "cbt", "xyzzyq", "1234"])
def test_word_left_alone(analyzer, word):
    """Corpus words, short words (under 4 letters), non-words and far-off words stay as they are."""
    assert analyzer.correct(word) == word


def test_corrects_only_to_corpus_vocabulary():
    a = Analyzer(vocabulary={"weeks": 3})
    assert a.correct("insurence") == "insurence"


def test_ambiguous_typo_left_alone():
    a = Analyzer(vocabulary={"cost": 5, "cast": 5})
    assert a.correct("cist") == "cist"


def test_clear_winner_among_close_words():
    a = Analyzer(vocabulary={"cost": 50, "cast": 2})
    assert a.correct("cist") == "cost"


def _scan_within(vocabulary: dict[str, int], word: str, limit: int) -> list:
    best = []
    for candidate, freq in vocabulary.items():
        if abs(len(candidate) - len(word)) > limit or (candidate[0] != word[0] and candidate[-1] != word[-1]):
            continue
        distance = edit_distance(word, candidate, transpositions=True)
        if distance <= limit:
            best.append((distance, -freq, candidate))
    return best


def _nearest_by_scanning(vocabulary: dict[str, int], word: str) -> str:
    """The corrector's rule by a scan of the whole vocabulary: one edit, two for words of seven letters."""
    best = _scan_within(vocabulary, word, 1)
    if not best and len(word) >= 7:
        best = _scan_within(vocabulary, word, 2)
    if not best:
        return word
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0] and stem(best[0][2]) != stem(best[1][2]):
        if -best[0][1] < 3 * -best[1][1]:
            return word
    return best[0][2]


# A four-letter alphabet makes neighbours, swaps and ties common; "'" as in "o'brien".
SPELLED = st.text(alphabet="abst'", min_size=1, max_size=7)


@hsettings(max_examples=300, deadline=None, database=None)
@given(vocabulary=st.dictionaries(SPELLED, st.integers(min_value=1, max_value=20), min_size=1, max_size=60),
       word=SPELLED)
def test_fast_corrector_agrees_with_a_vocabulary_scan(vocabulary, word):
    assert Analyzer(vocabulary=dict(vocabulary))._nearest(word) == _nearest_by_scanning(vocabulary, word)


@hsettings(max_examples=100, deadline=None, database=None)
@given(data=st.data())
def test_fast_corrector_agrees_on_corpus_typos(analyzer, data):
    """Real words with one random edit, corrected against the five pages' vocabulary."""
    word = data.draw(st.sampled_from(sorted(w for w in analyzer.vocabulary if len(w) >= 4 and w.isalpha())))
    at = data.draw(st.integers(min_value=0, max_value=len(word) - 1))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    typo = data.draw(st.sampled_from([word[:at] + word[at + 1:], word[:at] + letter + word[at:],
                                      word[:at] + letter + word[at + 1:], word[:at] + word[at + 1:at + 2] + word[at] + word[at + 2:]]))
    assert analyzer._nearest(typo) == _nearest_by_scanning(analyzer.vocabulary, typo)


def test_corrector_follows_a_growing_vocabulary():
    a = Analyzer(vocabulary={"weeks": 3})
    assert a.correct("therpy") == "therpy"
    a.learn_vocabulary(["therapy"])
    assert a._nearest("therpy") == "therapy"


def test_no_correction_without_vocabulary():
    assert Analyzer().terms("insurence", query=True) == [stem("insurence")]


def test_query_terms_corrected(analyzer):
    assert analyzer.terms("insurence", query=True) == analyzer.terms("insurance", query=True)


def test_passage_terms_not_corrected(analyzer):
    assert analyzer.terms("insurence") == [stem("insurence")]


# --- sentence spans -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, sentences", [
    ("Some therapies, e.g. CBT, help. Next one.", ["Some therapies, e.g. CBT, help.", "Next one."]),
    ("Use skills, i.e. coping. Then rest.", ["Use skills, i.e. coping.", "Then rest."]),
    ("Line one without stop\nLine two", ["Line one without stop", "Line two"]),
    ("- item one\n- item two", ["- item one", "- item two"]),
    ("  padded.  ", ["padded."]),
    ("", []),
])
def test_sentence_spans(analyzer, text, sentences):
    assert [text[a:b] for a, b in analyzer.sentence_spans(text)] == sentences


@hsettings(max_examples=75, deadline=None, database=None)
@given(st.lists(st.sampled_from(["IOP", "e.g.", "therapy", "Dr.", "12", "weeks.", "Yes!", "vs.", "care"]),
                max_size=30).map(" ".join))
def test_sentence_spans_never_split_eg(text):
    a = TRAINED
    assert all(not text[s:e].endswith("e.g.") for s, e in a.sentence_spans(text)[:-1])


@hsettings(max_examples=75, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n")), max_size=60))
def test_sentence_spans_are_ordered_stripped_and_within_lines(text):
    spans = Analyzer().sentence_spans(text)
    assert all(text[s:e] == text[s:e].strip() and "\n" not in text[s:e] and s < e for s, e in spans)


def test_a_long_word_is_corrected_across_two_edits():
    a = Analyzer()
    a.learn_vocabulary(["typical discharge"])
    assert a.correct("typicle") == "typical" and a.correct("dischared") == "discharge"


def test_a_short_word_two_edits_away_is_left_alone():
    a = Analyzer()
    a.learn_vocabulary(["cost"])
    assert a.correct("cats") == "cats"


def test_a_huge_word_is_not_corrected(analyzer):
    assert analyzer.spell("x" * 2000) == "x" * 2000
    assert analyzer.unknown_specificity("x" * 2000) == {"x" * 2000: 1.0}


@pytest.mark.parametrize("text", [
    "programs can bridge the gap. If you need more care, ask.",
    "your time in the program comes to an end. This may involve a step down.",
    "to maintain their everyday lives. With evidence-based therapies, IOPs help.",
])
def test_shipped_corpus_splitter_ends_sentences_at_ordinary_words(engine, text):
    # Punkt trained on five pages took "gap" and "end" for abbreviations and ("lives", "with") for a
    # collocation; a sentence ending in an ordinary word must still end there.
    assert len(engine.analyzer.sentence_spans(text)) == 2


def test_splitter_learns_no_collocation_of_ordinary_words():
    texts = ["They keep their everyday lives. With help they heal. Busy lives. With care. Our lives. With hope."] * 5
    splitter = train_sentence_splitter(texts)
    assert not splitter._params.collocations
    assert {"e.g", "vs"} <= splitter._params.abbrev_types
    assert len(splitter.tokenize("Busy lives. With care.")) == 2


def test_chat_shorthand_is_read_as_the_words_it_stands_for(engine):
    a = engine.analyzer
    assert a.terms("hw many hrs a day", query=True) == a.terms("how many hours a day", query=True)
    assert "#hours" in a.form_tokens("hw many hrs a day", query=True)
    # ... and never weighs as a name the corpus lacks
    assert a.unknown_specificity("is this real therapy w a professional") == {}


def test_shorthand_list_maps_to_words():
    from bot.text import default_shorthand
    table = default_shorthand()
    assert table["ppl"] == ("people",) and table["idk"] == ("i", "do", "not", "know")
    assert all(meaning for meaning in table.values())


def test_a_narrower_word_finds_its_group_but_counts_half_unknown_where_the_corpus_never_uses_it():
    a = Analyzer(synonyms={"medication": ("medication", "meds")}, narrower={"medication": ("antidepressants",)})
    a.learn_vocabulary(["Medication management is allowed in most programs."])
    assert "~medication" in a.terms("are antidepressants allowed", query=True)
    plain = Analyzer().unknown_specificity("are antidepressants allowed")["antidepressants"]
    assert a.unknown_specificity("are antidepressants allowed") == {
        "antidepressants": pytest.approx(NARROWER_SHARE * plain)}
    b = Analyzer(synonyms=a.synonyms, narrower=a.narrower)
    b.learn_vocabulary(["Medication is allowed; some take antidepressants."])  # the documents name the kind
    assert b.unknown_specificity("are antidepressants allowed") == {}


def test_shipped_lexicon_reads_lay_words_as_corpus_concepts(engine):
    terms = engine.analyzer.terms
    assert "~drug_test" in terms("will they make me pee in a cup", query=True)
    assert "~home" in terms("is it live in or do u commute", query=True)
    assert "~sobriety" in terms("i want to stay sober", query=True)


def test_stretched_letters_are_read_plainly(engine):
    a = engine.analyzer
    assert a.terms("sooo how much does iop cost", query=True) == a.terms("so how much does iop cost", query=True)
    assert a.terms("pleeease", query=True) == a.terms("please", query=True)


def test_an_unknown_word_of_the_askers_situation_weighs_less_than_one_in_the_question(engine):
    a = engine.analyzer
    told = a.unknown_specificity("My dad is a carpenter. Could he do the outpatient kind?")["carpenter"]
    asked = a.unknown_specificity("Could a carpenter do the outpatient kind?")["carpenter"]
    assert told == pytest.approx(CONTEXT_SHARE * asked)


def test_a_narrower_word_of_the_askers_situation_weighs_less_too():
    a = Analyzer(synonyms={"medication": ("medication", "meds")}, narrower={"medication": ("antidepressants",)})
    a.learn_vocabulary(["Medication management is allowed in most programs."])
    told = a.unknown_specificity("Do they handle meds? I'm on antidepressants.")["antidepressants"]
    asked = a.unknown_specificity("Do they handle antidepressants?")["antidepressants"]
    assert told == pytest.approx(CONTEXT_SHARE * asked)


def test_threads_asking_at_once_on_a_fresh_analyzer_all_get_an_answer():
    # A server's threads meet an analyzer whose remembered tables are still empty: none may see half of one.
    import threading

    errors: list[BaseException] = []
    for _ in range(40):
        a = Analyzer(synonyms=SYNONYMS, forms=FORMS)
        a.learn_vocabulary(TEXTS)
        barrier = threading.Barrier(8)

        def ask():
            barrier.wait()
            try:
                a.unknown_specificity("does medicaid cover iop for my teen")
            except BaseException as exc:  # noqa: BLE001 - the test is that nothing escapes
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_concept_phrases_are_the_lexicons_words_in_a_text(analyzer):
    found = analyzer.concept_phrases("she has anorexia and works nights")
    assert "anorexia" in found and "has" not in found and "she" not in found


def test_a_letter_typed_alone_is_no_unknown_word(analyzer):
    # what the tokenizer leaves of "w/o" and "3x" names nothing; "zzzz" is still no word of the corpus
    assert "x" not in analyzer.unknown_words("is it 3x a week the whole time")
    assert "o" not in analyzer.unknown_words("how do i check my insurance w/o asking my mom")
    assert analyzer.unknown_words("zzzz")


def test_a_year_the_documents_never_name_is_an_unknown_word(analyzer):
    assert "2000" in analyzer.unknown_specificity("how many people got treated for substance abuse in 2000")
    assert not analyzer.unknown_specificity("how many patients were treated from 2010 to 2019")  # the pages give these
    assert not analyzer.unknown_specificity("is it 3 days a week")  # a plain number asks about no topic


def test_a_place_in_an_order_is_not_asked_for_a_definition(engine):
    # "what's the next level up?" asks what comes after, not what a word means
    a = engine.analyzer
    assert "#definition" not in a.form_tokens("what's the next level up?", query=True)
    assert "#definition" not in a.form_tokens("whats the highest level of care", query=True)
    assert "#definition" in a.form_tokens("what's a process group?", query=True)


def test_getting_better_is_improving_not_a_comparison(engine):
    a = engine.analyzer
    assert "#comparison" not in a.form_tokens("how many people get better?", query=True)
    assert "#comparison" not in a.form_tokens("will i feel better", query=True)
    assert "#comparison" in a.form_tokens("is iop better for me", query=True)
    assert "#comparison" in a.form_tokens("would he get better care inpatient", query=True)


def test_where_someone_sleeps_is_where_they_live(engine):
    a = engine.analyzer
    assert "~home" in a.terms("so where does he sleep?", query=True)
    assert "~home" in a.terms("do patients live at home", query=True)
