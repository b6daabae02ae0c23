"""The turn pipeline: small talk, follow-up resolution (pure functions over the rule table), replies."""

from __future__ import annotations

import re
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import dialogue


@pytest.mark.parametrize("message, kind", [
    ("hi", "greeting"), ("Hello, I need some information", "greeting"), ("good morning!", "greeting"),
    ("thanks so much, that helped", "thanks"), ("thx", "thanks"),
    ("bye!", "goodbye"), ("ok bye thanks", "goodbye"), ("that's all for now", "goodbye"),
    ("who are you?", "identity"), ("are you a real person?", "identity"), ("am i talking to a human", "identity"),
    ("r u a human or ai", "identity"), ("is this a counselor or a computer", "identity"),
    # asking for a person gets the identity reply, which says how to reach one
    ("can i talk to a real person", "identity"), ("live person please", "identity"),
    ("are you a nurse or a counselor?", "identity"), ("who am i talking to", "identity"),
    ("can i speak to someone on the phone instead", "identity"),
    ("gotta go, talk later", "goodbye"), ("ok that's all i needed, goodnight", "goodbye"),
    ("thanks, that actually helps", "thanks"), ("what are you, some kind of bot?", "identity"),
    ("you're a robot?", "identity"), ("is this automated", "identity"), ("can i speak with a counselor", "identity"),
    ("anyone?", "greeting"), ("evening!", "greeting"), ("how are you", "greeting"), ("are you there?", "greeting"),
    ("thanks a bunch", "thanks"), ("Thanks, I appreciate your help.", "thanks"), ("you have been very helpful", "thanks"), ("cheers mate", "thanks"),
    ("night", "goodbye"), ("gn", "goodbye"), ("who runs this chat", "identity"), ("hey there, anyone around?", "greeting"),
    ("hey, morning", "greeting"), ("tysm ur a lifesaver", "thanks"), ("who made this chat thing", "identity"),
    ("wait am i talking to a real person or a bot", "identity"), ("am i talking to AI right now", "identity"),
    # a goodbye may say why, as long as it asks nothing
    ("gotta go, another call coming in", "goodbye"), ("ok they just called my name gotta go", "goodbye"),
    ("Thank you kindly, that was most helpful.", "thanks"), ("That will be all for today. Farewell.", "goodbye"),
    ("thank you for explaining", "thanks"), ("thanks for the info", "thanks"),
    ("Am I speaking with a real person or a machine?", "identity"), ("what do you do", "identity"),
    ("yo whats up", "greeting"), ("who made u", "identity"), ("is this chatgpt lol", "identity"),
    ("are you a robot or what", "identity"), ("ok thanks thats really helpful", "thanks"),
    ("ok im gonna go now, night", "goodbye"), ("hi, um, first time using this", "greeting"),
    ("am i talking to a real person rn?", "identity"),
    ("Good morning. I hope I am typing this in the correct place.", "greeting"),
    ("Thank you kindly for your patience with me.", "thanks"),
    ("ok thanks, that's what I needed", "goodbye"), ("what are you exactly?", "identity"),
    ("what's your name?", "identity"), ("whats ur name", "identity"),
    ("buenas tardes", "greeting"), ("buenos días", "greeting"),
    # taking an answer in, asking nothing
    ("ok", "acknowledgement"), ("okay!", "acknowledgement"), ("got it", "acknowledgement"),
    ("ok cool", "acknowledgement"), ("interesting", "acknowledgement"), ("hmm", "acknowledgement"),
    ("ok thanks", "thanks"),
])
def test_smalltalk_kind(message, kind):
    assert dialogue.smalltalk_kind(message) == kind


@pytest.mark.parametrize("message", [
    "hi, what is an IOP?", "thanks! how long does it last?", "how long is iop", "who is iop for?", "",
    "can i talk to someone about iop costs", "is iop real therapy", "would iop help a person with depression",
    "do i have to go to groups", "i have to go to iop, how long is it",
    "can i talk to my counselor about iop", "night sessions?", "is anyone there who can tell me about iop costs",
    "gotta go, is iop covered by insurance", "bye, but how much is it", "later i want to know about php",
    "what do you do in iop", "who is responsible for paying", "whats up with iop hours",
    "hi, is this the right place to ask about iop?", "hi my son is in iop", "thats what i needed to know about iop costs",
    "ok so what about php", "i see, and for teens?", "right?", "okay how long is it",
    "my son would he have to sleep there or does he come home at night",
])
def test_a_question_of_substance_is_not_smalltalk(message):
    assert dialogue.smalltalk_kind(message) is None


@pytest.mark.parametrize("question, rule", [
    ("and outpatient?", "conjunction"), ("what about PHP?", "what_about"), ("how about for teens", "what_about"),
    ("is it used in IOPs?", "pronoun_lead"), ("how long does it last?", "pronoun"), ("how?", "bare"), ("why not", "bare"),
    ("do i need a referral?", "no_subject"),
    # a turn made only of asking for it again, simpler or shorter, is a re-ask, however it is worded
    ("simpler pls", "rephrase"), ("ok in normal words", "rephrase"), ("explain like i'm 5", "rephrase"),
    ("give me the short version", "rephrase"), ("is there a shorter program", "no_subject"),
    ("ok my english not good. more simple please", "rephrase"), ("i dont understand", "rephrase"), ("lol ok but like in normal words", "rephrase"),
])
def test_followup_rule(question, rule):
    assert dialogue.followup_rule(question)[0] == rule


@pytest.mark.parametrize("question", [
    "what is an intensive outpatient program", "does insurance cover iop",
    "is it true that group therapy in an iop helps with depression and anxiety",
])
def test_a_full_question_has_no_followup_rule(question):
    assert dialogue.followup_rule(question) is None


@pytest.mark.parametrize("history, question, resolved", [
    (["how much does iop cost"], "and outpatient?", "how much does outpatient cost"),
    (["how many hours a week is iop"], "what about PHP?", "how many hours a week is PHP"),
    (["what is cbt"], "is it used in IOPs?", "is it used in IOPs? cbt"),
    (["what is an iop"], "how long does it last?", "how long does it last? iop"),
    # earlier follow-ups are resolved in turn, so the topic carries through a chain
    (["what is iop", "how many hours a day?"], "and how many days?", "and how many days? iop"),
    (["what is residential treatment"], "how long do people stay?", "how long do people stay? residential treatment"),
    (["do iops have group therapy"], "what are the benefits?", "what are the benefits? iops group therapy"),
    # a follow-up with an aspect of its own borrows the subject only, not the aspect already answered
    (["is iop good for depression"], "how long does it take?", "how long does it take? iop"),
    # a follow-up swaps the previous subject of its own kind: a condition for a condition, a level for a level
    (["can iop help with ptsd"], "what about depression?", "can iop help with depression"),
    (["does iop help with anxiety"], "what about php?", "does php help with anxiety"),
    (["what is step down care"], "and step up?", "what is step up"),
    (["how long is inpatient residential"], "and iop?", "how long is iop"),
    # "compared to X" compares the previous question's aspect as well as its subject
    (["how intense is iop"], "compared to inpatient?", "compared to inpatient? how intense is iop"),
    # "vs X" after an amount asks the same amount of X
    (["how much does iop cost"], "vs regular outpatient?", "how much does regular outpatient cost"),
    (["how much does iop usually cost"], "and the live-in kind?", "how much does live-in kind usually cost"),
    (["how long is outpatient rehab"], "and php?", "how long is php"),
    # a subject with a comparison compares it with the last one instead of replacing it
    (["whats php"], "ok and iop, how is that different", "ok and iop, how is that different php"),
    (["inpatient vs iop"], "which has more medical care?", "which has more medical care? inpatient iop"),
    (["what is iop", "how many hrs"], "wait go back, is it only for addiction?", "wait go back, is it only for addiction? iop"),
    # "is that more than X?" compares the last question's measure (its cost), not the subject alone
    (["what does iop cost"], "is that more than outpatient?", "is that more than outpatient? what does iop cost"),
    (["how long is iop"], "is it better than php?", "is it better than php? iop"),
    # a bare subject of another kind swaps the one subject asked about
    (["how long is the matrix model"], "and the regular iop?", "how long is regular iop"),
    (["how long is iop"], "and the matrix one?", "how long is matrix one"),
    (["equine therapy"], "at iop?", "at iop? equine therapy"),
    (["how much is iop roughly"], "same for regular outpatient?", "how much is regular outpatient roughly"),
    # a longer "what about" still swaps its subject, and adds the rest
    (["does iop help with depression"], "what about for my 19 year old who has an eating disorder?",
     "does iop help with eating disorder 19 year old"),
    (["whats dbt"], "and MI?", "whats MI"),
    # "like classes?" gives an example of the last question's aspect: it carries all of it
    (["does iop include education about addiction"], "like classes?", "like classes? does iop include education about addiction"),
    # "and" before a question of its own is no fragment: it leans on the last subject, it does not replace it
    (["what is partial hospitalization"], "and how is iop different?",
     "and how is iop different? partial hospitalization"),
    # a comparison naming one side compares it with the last subject; one naming both stands alone
    (["what is outpatient therapy"], "how is intensive outpatient different",
     "how is intensive outpatient different outpatient therapy"),
    (["what is outpatient therapy"], "how is iop different from php", "how is iop different from php"),
    # "how does that compare" points at the previous question's aspect (the cost) as well as its subject
    (["what does outpatient cost"], "how does that compare to iop", "how does that compare to iop what does outpatient cost"),
    # learning the last answer for oneself asks the last question again; finding a program is an aspect
    (["does insurance cover iop"], "ok how do i find out for sure", "ok how do i find out for sure does insurance cover iop"),
    (["do iops have age limits"], "how would i find out", "how would i find out do iops have age limits"),
    (["what is iop"], "how do i find one", "how do i find one iop"),
    # stacked leads still make a fragment
    (["what is inpatient rehab", "what level of supervision is that"], "and what about iop",
     "what level of supervision is that iop"),
    # "how come?" is a bare "why?": the whole last question
    (["do iops run in the evenings"], "how come?", "how come? do iops run in the evenings"),
    # "that" standing alone points at the last question's point, not only at its program
    (["whats the average iop cost"], "is that per week?", "is that per week? iop average cost"),
    (["is iop effective"], "any actual research on that?", "any actual research on that? iop effective"),
    # ... but not when the question names its own program, or the last turn told rather than asked
    (["is iop covered by insurance"], "and what about outpatient therapy, how much is that",
     "and what about outpatient therapy, how much is that iop"),
    (["he did 4 weeks of iop and wants to quit now"], "is that long enough", "is that long enough iop"),
    # "for that" points at the condition as well: it is carried with the level of care
    (["can iop help with ptsd"], "what therapy do they use for that?", "what therapy do they use for that? iop ptsd"),
    (["is iop ok for teens"], "what kind of family therapy do they do for them",
     "what kind of family therapy do they do for them iop teens"),
    (["is iop good for teens"], "and for women?", "is iop good for women"),
    # a drug is a condition too: "that" after "iop for coke" is the cocaine use
    (["my brother is in an iop for coke"], "which therapy is made for that", "which therapy is made for that iop coke"),
    (["is iop for depression", "what about alcohol"], "and back to depression, what therapy would help",
     "is iop for depression, what therapy would help"),
    # a follow-up whose own words only frame a question ("how do you know?") asks about the whole last one
    (["does iop work"], "how do you know?", "how do you know? does iop work"),
    # "after that" points at the previous question's aspect: it is carried too
    (["what happens weeks 2 to 4"], "and after that?", "and after that? what happens weeks 2 to 4"),
    (["what is inpatient acute care"], "how is that different from iop?",
     "how is that different from iop? inpatient acute care"),
    (["what is motivational interviewing"], "would it help if my husband doesn't want to change?",
     "would it help if my husband doesn't want to change? motivational interviewing"),
    # a bare subject swaps for the last one of its kind, whatever opens the turn
    (["living arrangements iop"], "inpatient?", "living arrangements inpatient"),
    (["iop hrs per week"], "ok and for inpatient?", "inpatient hrs per week"),
    (["outpatient cost per month?"], "ok what about iop", "iop cost per month?"),
    (["how much is iop"], "whoa ok what about regular outpatient", "how much is regular outpatient"),
    # one of two subjects just compared, picked by name; a follow-up weighing one against the other keeps both
    (["whats the difference between iop and op"], "and who is op for", "and who is op for"),
    (["which is cheaper iop or outpatient"], "then why would anyone pay more for iop",
     "then why would anyone pay more for iop iop outpatient"),
    # nothing to swap: the condition narrows the whole last question
    (["what conditions does iop treat"], "depression specifically?", "depression specifically? what conditions does iop treat"),
    # "those" after two subjects compares both, whichever turns named them
    (["what is php", "and iop?"], "wait whats the difference between those",
     "wait whats the difference between those php iop"),
    (["is iop expensive"], "is it cheaper than regular outpatient therapy tho",
     "is it cheaper than regular outpatient therapy tho is iop expensive"),
    (["weeks 9 and 10"], "how many sessions a week at that point", "how many sessions a week at that point weeks 9 and 10"),
    # the stage of the program a question named stays with its subject; a follow-up naming its own does not
    (["weeks 9 and 10 of iop"], "how many sessions then?", "how many sessions then? iop weeks 9 and 10"),
    (["weeks 9 and 10 of iop"], "how long is each one?", "how long is each one? iop weeks 9 and 10"),
    (["what happens in week 6 of iop"], "what about the first week?", "what happens in first week of iop"),
    (["how many sessions are there in weeks 9 and 10"], "and the last two weeks?",
     "how many sessions are there in last two weeks"),
    (["what goes on in weeks nine and ten"], "and the last two weeks", "what goes on in last two weeks"),  # spelt out
    # "back to the first one" is about the conversation's first subject, not its last
    (["how many hours is iop a week", "and php?"], "going back to the first one, how many weeks does it go",
     "how many weeks does it go iop"),
    (["what's emdr", "and ketamine?"], "ok back to the first one - what's it meant to treat", "what's it meant to treat emdr"),
    # a bare level of care with nothing of its kind to swap asks the last question about it
    (["what's the role of a psychiatrist"], "in iop specifically", "in iop specifically what's the role of a psychiatrist"),
    # "I meant X" corrects the last question's subject; "explain that simpler" asks the last question again
    (["I need info on partial hospitalization"], "wait no, I got it mixed up, I meant intensive outpatient. what is it?",
     "I need info on intensive outpatient what is it?"),
    (["whats the difference between iop and php"], "can you explain that simpler? im not a medical person",
     "whats the difference between iop and php"),
    (["what's IOP"], "i asked what it IS. in plain english pls", "what's IOP"),
    (["does insurance cover php"], "sorry typo, iop", "does insurance cover iop"),
    (["how long is iop"], "same question but for php", "how long is php"),
    (["what is iop"], "i mean is it like rehab?", "i mean is it like rehab? what is iop"),  # no correction
    # an exclamation before the follow-up is no topic: "holy crap. and regular outpatient?"
    (["how much is residential for a month"], "holy crap. and regular outpatient?", "how much is regular outpatient for a month"),
    (["how much does PHP cost?"], "fine, what about IOP then", "how much does IOP then cost?"),
    (["how often do you go to regular outpatient"], "ok and the intensive version?", "how often do you go to intensive version"),
    # "like ..." says the last question again in other words; "even" is no topic of its own
    (["what's the goal of the program?"], "like what should I walk away with at the end?",
     "like what should I walk away with at the end? what's the goal of the program"),
    (["how common are iops"], "how many places even offer it", "how many places even offer it iops"),
    # a carried turn leaves its greeting behind: the evening is no aspect of the question
    (["Good evening. I have been reading about these programs for my brother."], "What sort of treatments do they provide?",
     "What sort of treatments do they provide? I have been reading about these programs for my brother"),
    # the carried aspect keeps its question form: "how long", not the word "long"
    (["how long do ppl do residential"], "vs iop", "how long do ppl do iop"),
    (["hours per week for iop"], "and for regular therapy", "hours per week for regular therapy"),
])
def test_resolve(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_a_followup_is_text_not_a_regex_template():
    assert dialogue.resolve(r"and php \g<0>?", ["how much does iop cost"]).resolved == r"how much does php \g<0> cost"


def test_a_standalone_question_ignores_history():
    resolution = dialogue.resolve("does insurance cover iop", ["what is cbt"])
    assert resolution.rule == "standalone" and resolution.resolved == "does insurance cover iop"


def test_smalltalk_in_history_carries_no_topic():
    assert dialogue.resolve("how long does it last?", ["hi"]).resolved == "how long does it last?"


def _concepts(text):
    return [w for w in ("anorexia", "work") if w in text]


def test_a_short_question_after_a_statement_carries_the_told_concepts():
    told = dialogue.told("can iop help", ["my sister has anorexia and wont eat"], _concepts)
    assert told.resolved == "can iop help? anorexia" and told.rule == "told"


def test_told_words_are_carried_after_the_question_ends():
    # no phrase reads across: "can i still do an iop" + "work" must not read "does an iop work"
    told = dialogue.told("can i still do an iop", ["i work full time"], _concepts)
    assert told.resolved == "can i still do an iop? work"
    assert dialogue.told("can iop help?", ["my sister has anorexia"], _concepts).resolved == "can iop help? anorexia"


def test_a_short_statement_about_the_asker_is_told():
    # "im pregnant" or "i work" is two words, but it tells something about the asker; "anorexia iop" is a lookup
    told = dialogue.told("is iop ok for someone like me", ["i work"], _concepts)
    assert told is not None and told.resolved.endswith("work")
    assert dialogue.told("can iop help", ["my anorexia"], _concepts).rule == "told"


def test_a_longer_question_ending_on_what_was_told_carries_it():
    told = dialogue.told("is there anything in between weekly therapy and that?",
                         ["she refuses to go anywhere near work"], _concepts)
    assert told is not None and told.resolved.endswith("work")


@pytest.mark.parametrize("history, question", [
    (["does anorexia get treated in iop?"], "can iop help"),  # a question, not something told
    (["anorexia iop"], "can iop help"),  # a lookup
    (["my sister has anorexia and wont eat"], "would an iop with family therapy help my sister eat again"),  # own topic
    (["i feel so tired all the time"], "can iop help"),  # nothing the lexicon knows
    ([], "can iop help"),
])
def test_nothing_told_is_carried_otherwise(history, question):
    assert dialogue.told(question, history, _concepts) is None


# --- respond() over the fake engine: no corpus, no safety module -----------------------------------

@pytest.fixture
def no_safety(monkeypatch):
    monkeypatch.setattr(dialogue, "_safety", lambda: None)


def test_answer_reply(fake_engine, settings, no_safety):
    reply = dialogue.respond(fake_engine, settings, "how long does an iop last", [])
    assert reply.type == "answer" and reply.citations and "8 to 12 weeks" in reply.answer
    assert reply.resolved_question == "how long does an iop last"
    assert settings["HANDOFF_TEXT"] in reply.disclaimer


def test_followup_reply_uses_history(fake_engine, settings, no_safety):
    reply = dialogue.respond(fake_engine, settings, "how long does it last?", ["what is an iop"])
    assert reply.type == "answer" and "8 to 12 weeks" in reply.answer


def test_fallback_reply_never_cites(fake_engine, settings, no_safety):
    reply = dialogue.respond(fake_engine, settings, "banana bread recipe", [])
    assert reply.type == "fallback" and reply.citations == ()
    assert settings["HANDOFF_TEXT"] in reply.answer and reply.suggestions


def test_an_acknowledgement_gets_a_prompt_not_the_last_answer_again(fake_engine, settings, no_safety):
    reply = dialogue.respond(fake_engine, settings, "ok", ["how long does an iop last"])
    assert reply.type == "smalltalk" and reply.citations == () and "anything else" in reply.answer


def test_an_acknowledgement_in_history_is_skipped():
    assert dialogue.resolve("and how long does it last?", ["what is php", "ok"]).resolved == \
        dialogue.resolve("and how long does it last?", ["what is php"]).resolved


def test_smalltalk_reply(fake_engine, settings, no_safety):
    reply = dialogue.respond(fake_engine, settings, "who are you?", [])
    assert reply.type == "smalltalk" and "not a person" in reply.answer and reply.citations == ()


def _fake_safety(crisis: bool, sensitive: bool):
    assessment = types.SimpleNamespace(crisis=crisis, kinds=("suicide",) if crisis else (),
                                       sensitive_topic=sensitive, reasons=(), spanish=False)
    return types.SimpleNamespace(
        assess=lambda message, history: assessment,
        load_resources=lambda path: ("line",),
        select_resources=lambda resources, kinds: tuple(resources),
        crisis_message=lambda kinds, spanish=False: "Please reach out now.",
        resources_note=lambda: "Help is available.")


def test_crisis_runs_before_everything_else(fake_engine, settings, monkeypatch):
    monkeypatch.setattr(dialogue, "_safety", lambda: _fake_safety(True, True))
    reply = dialogue.respond(fake_engine, settings, "hi", [])
    assert reply.type == "crisis" and reply.answer == "Please reach out now."
    assert reply.citations == () and reply.resources == ("line",)


def test_sensitive_topic_adds_the_resources_note(fake_engine, settings, monkeypatch):
    monkeypatch.setattr(dialogue, "_safety", lambda: _fake_safety(False, True))
    reply = dialogue.respond(fake_engine, settings, "how long does an iop last", [])
    assert reply.type == "answer" and reply.note == "Help is available."


# --- the real engine and corpus ------------------------------------------------------------------

@pytest.mark.parametrize("turns, expect", [
    (["what is an iop?", "how long does it last?"], "weeks"),
    (["how much does iop cost", "and outpatient?"], "$"),
    (["what is cbt", "is it used in IOPs?"], "CBT"),
])
def test_multi_turn_conversations_on_the_corpus(engine, settings, turns, expect):
    reply = dialogue.respond(engine, settings, turns[-1], turns[:-1])
    assert reply.type == "answer" and expect in reply.answer


def test_a_follow_up_sunk_by_the_words_it_carries_is_answered_on_its_own(engine, settings):
    history = ["my son is 16 and has been smoking weed every day"]
    question = "will they involve us parents at all"
    carried = engine.search(dialogue.resolve(question, history).resolved)
    assert carried.confidence < float(settings["CONFIDENCE_THRESHOLD"])  # the case this is about
    reply = dialogue.respond(engine, settings, question, history)
    assert reply.type == "answer" and reply.resolved_question == question


def test_after_that_walks_the_schedule_in_document_order(engine, settings):
    # "and after that?" shares no word with the next week's section: the document's order answers it.
    history = ["what happens in weeks 2-4"]
    reply = dialogue.respond(engine, settings, "and after that?", history)
    assert reply.type == "answer" and reply.citations[0].section.startswith("Weeks 5-8")
    reply = dialogue.respond(engine, settings, "and after that?", history + ["and after that?"])
    assert reply.citations[0].section.startswith("Weeks 9-10")
    reply = dialogue.respond(engine, settings, "before that?", ["what happens in weeks 5-8"])
    assert reply.citations[0].section.startswith("Weeks 2-4")


def test_after_that_outside_a_sequence_keeps_the_previous_question(engine, settings):
    resolution = dialogue.step_resolution(engine, dialogue.corpus_state(engine), "and after that?", ["what is cbt"])
    assert resolution is None  # CBT's section has no numbered siblings
    assert dialogue.respond(engine, settings, "and after that?", ["what is cbt"]).resolved_question == "and after that? what is cbt"


@given(question=st.text(max_size=80), history=st.lists(st.text(max_size=80), max_size=4),
       lead=st.sampled_from(["", "and ", "what about ", "is it ", "and php "]))
def test_resolve_never_fails_and_keeps_the_question(question, history, lead):
    resolution = dialogue.resolve(lead + question, history + ["how much does iop cost"])
    assert isinstance(resolution.resolved, str) and resolution.rule


def test_subject_patterns_have_no_groups_of_their_own():
    # subject_kind reads a match's kind from which group matched: a pattern's own group would shift them.
    assert all(re.compile(pattern).groups == 0 for _, pattern in dialogue.SUBJECTS)
    assert dialogue.subject_kind(dialogue._SUBJECT_RE.search("what about ptsd")) == "condition"


def test_a_question_after_stacked_leads_keeps_its_own_words():
    # "what does that cost" is asked of inpatient rehab, not swapped into "does insurance cover ..."
    resolved = dialogue.resolve("and what about inpatient rehab, what does that cost?", ["does insurance cover iop?"]).resolved
    assert resolved.startswith("and what about inpatient rehab, what does that cost?")


@pytest.mark.parametrize("question, resolved", [
    ("one more q, does it work for depression too", "does it work for depression too"),
    ("actually, one more - what is CBT", "what is CBT"),
    # "one more week" asks for more time, and "one more thing" alone says nothing else
    ("can she do one more week?", "can she do one more week?"), ("one more week?", "one more week?"),
    ("one more thing", "one more thing"),
])
def test_announcing_another_question_is_not_searched(question, resolved):
    resolution = dialogue.resolve(question, ["thanks"])
    assert resolution.resolved == resolved and resolution.question == question


@pytest.mark.parametrize("history, question", [
    (["what is iop"], "and after iop whats the next step down?"),
    (["outpatient cost?"], "and for iop, how long does that price cover"),
])
def test_a_subject_followed_by_a_question_of_its_own_is_not_swapped_in(history, question):
    assert dialogue.resolve(question, history).resolved.startswith(question)


def _told_concepts(text):
    return [w for w in ("finished 30 days", "insurance", "anxiety", "work") if w in text]


@pytest.mark.parametrize("history, question, carried", [
    # "that" or "him" points at what was told, not only at the program the resolution already carries
    (["he just finished 30 days at a rehab place"], "what's usually the next step for someone like him?", "finished 30 days"),
    (["so insurance usually covers iop"], "does the place help w that or do we do it all ourselves", "insurance"),
])
def test_a_pronoun_follow_up_after_a_statement_carries_what_was_told(history, question, carried):
    resolution = dialogue.told_followup(dialogue.resolve(question, history), history, _told_concepts)
    assert resolution.resolved.endswith(carried) and resolution.question == question


@pytest.mark.parametrize("history, question", [
    (["my kid is in an iop and at work"], "do they have anything to teach us parents"),  # "they": the program
    (["thinking about iop for my anxiety"], "is that all group or also 1 on 1"),  # a condition stays an aspect
    (["does insurance cover iop"], "does the place help w that"),  # a question, not something told
])
def test_what_was_told_is_not_carried_otherwise(history, question):
    resolution = dialogue.resolve(question, history)
    assert dialogue.told_followup(resolution, history, _told_concepts) == resolution


@pytest.mark.parametrize("history, question, resolved", [
    (["how much is iop"], "is that per week?", "is that per week? iop how much"),
    (["how much is inpatient"], "is that for the whole stay or", "is that for the whole stay or inpatient how much"),
])
def test_that_pointing_at_an_amount_keeps_what_the_last_question_asked_for(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_that_with_a_form_of_its_own_takes_no_other_form():
    assert "how much" not in dialogue.resolve("how long is that?", ["how much is iop"]).resolved


def test_a_four_word_question_after_a_statement_still_carries_what_was_told():
    told = dialogue.told("would an intensive program be the next step?",
                         ["my mother did weekly therapy for a year but she is getting worse"],
                         lambda text: [w for w in ("weekly therapy", "getting worse") if w in text])
    assert told.resolved == "would an intensive program be the next step? weekly therapy getting worse"


@pytest.mark.parametrize("history, question, resolved", [
    (["what happens in week 1"], "what about the last couple weeks", "what happens in last couple weeks"),
    (["what does the last couple weeks of IOP look like"], "do you still see your family therapist then?",
     "do you still see your family therapist then? IOP last couple weeks"),
    # past the stage: the program's end, not the stage, is what is asked, and what follows it
    (["what happens in the last couple weeks of iop"], "so once its over what", "so once its over what after iop"),
])
def test_a_couple_of_weeks_is_a_stage_of_the_program(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["is there an iop just for cocaine"], "what does that program focus on?", "what does that program focus on? iop cocaine"),
    (["does my insurance cover iop", "what if they want a referral"], "who can give me one",
     "who can give me one iop referral"),
    # "it" is the program, and "which one" picks rather than points back
    (["is iop good for depression"], "how long is it usually", "how long is it usually iop"),
    (["what's the cost of inpatient", "what about iop"], "and which one lasts longer", "and which one lasts longer iop"),
])
def test_that_anywhere_points_back_at_what_the_last_question_asked(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_the_statements_before_a_question_tell_one_story():
    history = ["what is iop?", "my brother did inpatient for cocaine", "he's going to IOP next"]
    concepts = lambda text: [w for w in ("inpatient", "cocaine", "iop", "what") if w in text.lower()]
    told = dialogue.told("is there one for his drug?", history, concepts)
    assert told.resolved == "is there one for his drug? inpatient cocaine iop"  # not the question before them


@pytest.mark.parametrize("history, question, resolved", [
    (["what's involved in the transition phase"], "and the maintenance weeks?", "what's involved in the maintenance weeks"),
    (["what's the transition phase?"], "and the final two weeks?", "what's the final two weeks?"),
])
def test_a_stage_named_by_its_name_is_swapped_like_a_numbered_one(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("message, kind", [("and later on?", None), ("later on?", None), ("ok later", "goodbye"),
                                           ("talk later", "goodbye")])
def test_later_on_asks_about_the_program_later_rather_than_leaving(message, kind):
    assert dialogue.smalltalk_kind(message) == kind


@pytest.mark.parametrize("history, question, resolved", [
    (["is equine therapy real"], "so iops might have it?", "so iops might have it? equine therapy"),
    (["what do you get in iop"], "and inpatient, what does that include", "what do you get in inpatient, what does that include"),
])
def test_a_subject_with_a_pointer_back_is_no_fragment_to_swap(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_a_subject_inside_a_condition_is_not_swapped_in():
    resolved = dialogue.resolve("and if they never needed detox at all, like mild stuff?",
                                ["is iop for people who just left detox"]).resolved
    assert not resolved.startswith("is detox")


@pytest.mark.parametrize("history, question, resolved", [
    (["who is iop meant for"], "and who is regular outpatient for?", "and who is regular outpatient for?"),
    # weighed against the last subject, the last subject stays
    (["who is iop meant for"], "and how is outpatient different?", "and how is outpatient different? iop"),
])
def test_a_question_of_its_own_about_another_subject_carries_no_other(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["does insurance cover iop", "what does inpatient cost"], "going back to insurance, will the program help me check my benefits?",
     "will the program help me check my benefits? iop insurance"),
    (["do IOPs treat anxiety", "my roommate says they're only for addicts"], "ok so back to my anxiety, how many days a week would I go?",
     "how many days a week would I go? IOPs anxiety"),
    # no earlier turn says "length" in so many words: going back passes over the last turn to the one before
    (["how long is iop", "do they do cbt"], "ok going back to the length, can it be extended if i need",
     "can it be extended if i need iop length"),
])
def test_back_to_a_word_of_an_earlier_turn_resumes_that_turn(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_going_back_to_work_is_no_earlier_turn():
    history = ["how many hours is iop", "can i keep my work schedule"]
    assert dialogue.resolve("can i go back to work at the same time?", history).rule != "back"


def test_a_closing_then_leans_on_the_last_question():
    resolution = dialogue.resolve("how many hours is each session then", ["whats in the intensive phase"])
    assert resolution.rule == "then" and resolution.resolved.endswith("whats in the intensive phase")
    assert dialogue.resolve("how many hours is each session then", []).rule == "standalone"


@pytest.mark.parametrize("history, question, resolved", [
    # the last subject named is the one meant, what was not meant goes, a question after a comma stays
    (["how long is inpatient"], "no wait i meant outpatient, the intensive kind", "how long is the intensive kind"),
    (["how long is inpatient rehab"], "sorry I meant outpatient not inpatient, the intensive one", "how long is the intensive one"),
    (["how long is iop"], "i meant weeks not hours", "weeks how long is iop"),
    (["whats php"], "nvm i meant iop, how many hours", "whats iop how many hours"),
    # a question meant of its own replaces the last one's aspect, keeping its subject
    (["does insurance cover iop"], "no i meant the cost without insurance", "the cost without insurance iop"),
    (["how often do you meet with a therapist in iop"], "sorry, i meant how many sessions a week, not hours",
     "how many sessions a week iop"),
])
def test_a_correction_reads_what_was_meant(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, rule", [
    (["what is a therapeutic community"], "is it used in iop or only residential?", "pronoun_lead"),
    (["whats the success rate"], "is it as good as going to rehab", "pronoun_lead"),
    # an "it" standing for what follows leaves a question naming its own topic alone
    (["what is cbt"], "is it true that group therapy helps with depression", "standalone"),
])
def test_a_leading_pronoun_points_back_even_in_a_longer_question(history, question, rule):
    assert dialogue.resolve(question, history).rule == rule


def test_a_therapy_asked_of_a_level_of_care_keeps_the_level():
    resolved = dialogue.resolve("what kind of family therapy would they do", ["can iop help teenagers"]).resolved
    assert resolved.endswith("iop")


def test_with_him_points_at_who_the_last_question_was_about():
    resolved = dialogue.resolve("what kind of family therapy would they do with him", ["can iop help teenagers"]).resolved
    assert resolved == "what kind of family therapy would they do with him iop teenagers"


def test_a_subject_said_with_i_mean_is_a_fragment():
    assert dialogue.resolve("iop i mean", ["how long"]).resolved == "iop i mean how long"


@pytest.mark.parametrize("history, question", [
    (["can my family be involved"], "what about for teens?"),
    (["can families get involved in iop"], "and for teens specifically"),
])
def test_a_led_fragment_with_nothing_to_swap_stands_alone(history, question):
    assert dialogue.resolve(question, history).rule == "standalone"


def test_a_led_fragment_swaps_what_it_can():
    assert dialogue.resolve("and for women?", ["is iop good for teens"]).resolved == "is iop good for women"


def test_a_sunk_follow_up_tries_the_concepts_the_last_turn_named_before_standing_alone(engine, settings):
    history = ["I was in a bad car wreck last year and still get flashbacks"]
    question = "is there a specific therapy for that in these programs"
    carried = engine.search(dialogue.resolve(question, history).resolved)
    assert carried.confidence < float(settings["CONFIDENCE_THRESHOLD"])  # the case this is about
    reply = dialogue.respond(engine, settings, question, history)
    assert reply.type == "answer" and reply.resolved_question == question + " flashbacks"


@pytest.mark.parametrize("history, question, resolved", [
    (["the counselor brought up something called an IOP"], "what even is that", "what even is that IOP"),
    (["hey so my therapist mentioned a step up"], "what is that", "what is that step up"),
    # after a question, "what is that" asks about the whole of it, or about the therapy it named
    (["is iop worth it"], "what is that", "what is that is iop worth it"),
    (["does iop use cbt"], "what is that", "what is that cbt"),
])
def test_what_is_that_after_a_statement_asks_what_the_told_subject_is(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_what_is_that_carries_no_told_concepts_beside_the_subject():
    history = ["the counselor at school brought up something called an IOP"]
    resolution = dialogue.resolve("what even is that", history)
    assert dialogue.told_followup(resolution, history, lambda text: ["school", "iop"]) == resolution


@pytest.mark.parametrize("history, question, resolved", [
    (["can iop treat mental illness and addiction together"], "how common is it to have both?",
     "how common is it to have both? can iop treat mental illness and addiction together"),
    (["what therapies do iops use"], "which one is for handling emotions", "which one is for handling emotions what therapies do iops use"),
    # with two subjects met, they are what is weighed
    (["what is php", "and iop?"], "which is better?", "which is better? php iop"),
])
def test_weighing_with_fewer_than_two_subjects_met_takes_the_whole_last_question(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_same_ones_points_back_at_what_the_last_question_asked_about():
    resolved = dialogue.resolve("same ones?", ["does IOP have therapists like residential"]).resolved
    assert resolved == "same ones? IOP residential therapists"


def test_also_keeps_the_last_questions_point():
    resolved = dialogue.resolve("and for someone who also drinks", ["Is IOP good for depression?"]).resolved
    assert resolved == "and for someone who also drinks IOP depression"


@pytest.mark.parametrize("history, question, resolved", [
    (["how long should iop last"], "why that long?", "why that long? iop"),
    (["how long is iop"], "why does it have to be that long", "why does it have to be that long iop"),
])
def test_why_that_long_asks_the_reason_of_the_subject_not_the_amount_again(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["are iops only in clinics"], "or like at home", "or like at home are iops only in clinics"),
    (["do iops have therapists who are addiction counselors"], "or just general",
     "or just general do iops have therapists who are addiction counselors"),
    (["how long is iop"], "or php?", "how long is php"),  # a subject of its own is still swapped
])
def test_or_offers_another_answer_to_the_whole_last_question(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_why_not_asks_the_whole_last_question_again():
    assert dialogue.resolve("why not", ["is iop the same everywhere"]).resolved == "why not is iop the same everywhere"


def test_a_therapeutic_community_is_a_subject_a_follow_up_carries():
    resolved = dialogue.resolve("is that used in iop?", ["what is a therapeutic community", "like a commune??"]).resolved
    assert resolved == "is that used in iop? therapeutic community"


def test_psychoeducation_is_a_subject_of_its_own():
    # "whats psychoeducational mean" after "what groups are in iop" asks about that group, not about iop
    assert dialogue.followup_rule("whats psychoeducational mean") is None


@pytest.mark.parametrize("history, question, resolved", [
    (["can iop help with anger"], "and stress?", "can iop help with stress"),
    (["does iop help with stress"], "and anxiety?", "does iop help with anxiety"),
])
def test_anger_and_stress_are_conditions_a_follow_up_swaps(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["does iop have drug testing"], "for the matrix model too?", "does the matrix model too have drug testing"),
    (["equine therapy"], "at iop?", "at iop? equine therapy"),  # a level of care asked of a therapy keeps it
])
def test_a_therapy_fragment_swaps_the_one_program_asked_about(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["whats inpatient cost"], "and the cheapest option?", "and the cheapest option? cost"),
    (["which costs most, rehab or iop or outpatient"], "and the cheapest", None),  # the levels weighed stay
])
def test_a_superlative_asks_among_all_levels_not_the_one_just_asked(history, question, resolved):
    got = dialogue.resolve(question, history).resolved
    assert got == resolved if resolved else "iop" in got and "outpatient" in got


@pytest.mark.parametrize("history, question, resolved", [
    (["is emdr used in iop?"], "what is it exactly?", "what is it exactly? emdr"),
    (["do iops do emdr"], "what's it for", "what's it for emdr"),
    (["what is iop"], "what is it for", "what is it for what is iop"),  # no therapy named: the whole question
])
def test_a_definition_follow_up_asks_what_the_therapy_is_not_where_it_is_used(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("question", ["what happens once i finish?", "what does he do after he graduates"])
def test_a_question_about_finishing_carries_no_stage_of_the_program(question):
    resolved = dialogue.resolve(question, ["im in week 10 of my iop"]).resolved
    assert "iop" in resolved and "week 10" not in resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["what therapies do iops use"], "any for trauma?", "any for trauma? what therapies do iops use"),
    (["what is 12 step facilitation"], "only for alcohol?", "only for alcohol? what is 12 step facilitation"),
    (["iop for depression?"], "for teens as well?", "for teens as well?"),  # a condition asked already: alone
])
def test_a_condition_fragment_with_nothing_to_swap_narrows_the_whole_last_question(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("text, subjects", [
    ("thinking about doing an intensive program for my depression", ["intensive program"]),
    ("does he need a more intensive program", []),  # a higher level, not the intensive outpatient one
])
def test_an_intensive_program_is_the_intensive_outpatient_one(text, subjects):
    assert dialogue._subjects(text) == subjects


def test_that_after_an_if_clause_points_at_the_clause_not_the_last_question():
    history = ["is iop covered by insurance", "ok"]
    resolved = dialogue.resolve("and if i need to see a psychiatrist is that part of it", history).resolved
    assert resolved.endswith("part of it iop") and "insurance" not in resolved


def test_a_bare_negation_asks_the_whole_last_question_again():
    assert dialogue.resolve("what if its not", ["is iop enough for me"]).resolved == "what if its not is iop enough for me"


def test_tho_is_filler_so_a_short_question_after_a_statement_carries_what_was_told():
    assert dialogue.content_words("why tho, why not just go home") == dialogue.content_words("why, why not just go home")
    told = dialogue.told("why tho, why not go home and be done", ["they said i should do iop next"], lambda t: ["iop"])
    assert told is not None and told.resolved.endswith(" iop")


def test_after_a_told_story_the_end_asked_about_is_the_last_program_told():
    history = ["I just got out of a 28 day program", "they want me to do IOP now"]
    concepts = {history[0]: ["28 day program"], history[1]: ["iop"]}.get
    told = dialogue.told("what happens after that's done?", history, lambda t: concepts(t, []))
    assert told.resolved == "what happens after that's done? iop"
    assert "28 day program" in dialogue.told("how long is it", history, lambda t: concepts(t, [])).resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["is aa required in iop"], "can i go after i finish", "can i go after i finish after aa iop"),
    (["what's AA"], "is it part of IOP?", "is it part of IOP? AA"),
    (["what is alcoholics anonymous"], "how often are the meetings", "how often are the meetings alcoholics anonymous"),
])
def test_aa_is_a_subject_a_follow_up_carries(history, question, resolved):
    # AA is the 12-step fellowship itself: "can i go after i finish" asks about it, not only about the program
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["do iops do emdr"], "what is that exactly", "what is that exactly emdr"),
    (["does iop include CBT"], "ok and how does that actually work", "ok and how does that actually work CBT"),
])
def test_what_is_that_after_a_program_and_a_therapy_asks_about_the_therapy(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_what_is_that_keeps_the_program_when_no_therapy_was_named():
    # only a therapy beside a program is what "that" narrows to; "is that covered" still asks the whole point
    assert "iop" in dialogue.resolve("is that covered", ["does iop include CBT"]).resolved.lower()
    assert dialogue._defined_therapies("what is that", "what is iop") == []


@pytest.mark.parametrize("history, question, resolved", [
    # after asking whether a program has something, "it" is that thing
    (["is there medication in iop"], "who manages it?", "who manages it? iop medication"),
    (["do iops have drug testing"], "how often do they do it", "how often do they do it iops drug testing"),
    # ... but when the level of care is what is asked for, "it" is that program
    (["is there IOP for trauma specifically"], "how long would it be?", "how long would it be? IOP"),
    (["does iop work"], "how long does it take", "how long does it take iop"),
])
def test_it_after_asking_whether_a_program_offers_something_is_that_thing(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_a_pronoun_in_the_last_sentence_is_weighed_by_that_sentence_alone():
    # "wait 5 grand??" only echoes the last answer; "is that per month" is the follow-up, about the cost
    resolved = dialogue.resolve("wait 5 grand?? is that per month", ["how much do iops cost"]).resolved
    assert resolved.endswith("iops how much cost")
    # one sentence with four words of its own still has a topic of its own
    assert dialogue.followup_rule("is it true that group therapy helps with depression") is None


@pytest.mark.parametrize("history, question, resolved", [
    # the same question of another case of person: the last question's aspect stays, its own case goes
    (["how does iop help with addiction"], "and for someone who lost their job?",
     "and for someone who lost their job? iop addiction"),
    (["do IOPs help people who are broke"], "what about people forced into it by a judge",
     "what about people forced into it by a judge IOPs"),
])
def test_the_same_question_of_another_case_keeps_the_aspect_not_the_case(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_a_preposition_is_no_content_word():
    # "at" and "from" frame a place or source; they name no topic and do not make a follow-up long
    assert dialogue.content_words("who at the program can help from home") == ["program", "home"]


def test_figuring_it_out_points_at_the_matter_asked():
    resolution = dialogue.resolve("who at the program can help me figure it out?", ["How does the insurance work for IOP"])
    assert resolution.rule == "pronoun" and "insurance" in resolution.resolved.split()


@pytest.mark.parametrize("history, question", [
    (["discharged from iop yesterday"], "now what"),
    (["he finishes iop next month"], "then what, does he just stop going"),
    (["what happens in the last weeks of iop"], "and once its totally done?"),
])
def test_a_question_past_the_programs_end_asks_what_follows_the_program(history, question):
    resolved = dialogue.resolve(question, history).resolved
    assert resolved.endswith(" after iop") and "last weeks" not in resolved


def test_what_next_after_a_turn_not_ending_the_program_is_no_question_past_its_end():
    assert "after iop" not in dialogue.resolve("now what", ["im starting iop monday"]).resolved


@pytest.mark.parametrize("history, question, resolved", [
    (["is regular therapy enough for me"], "when would i need iop instead", "when would i need iop instead regular therapy"),
    (["is inpatient required"], "can i do iop instead?", "can i do iop instead? inpatient"),
    (["how much is iop"], "php instead?", "how much is php instead"),  # a bare subject still swaps
])
def test_instead_weighs_the_named_subject_against_the_last_one(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("message", ["thanks for being here", "thanks for being here at this hour",
                                     "thank you for being available so late"])
def test_thanks_for_the_service_being_there_is_small_talk_and_tells_nothing(message):
    assert dialogue.smalltalk_kind(message) == "thanks"
    assert dialogue.told("how do i get my wife into one of these", [message], lambda t: ["hour"]) is None


@pytest.mark.parametrize("history, question, resolved", [
    (["ive heard ketamine can help depression"], "do intensive outpatient places use it?",
     "do intensive outpatient places use it? ketamine"),
    (["is emdr any good"], "do partial hospitalization programs offer it", "do partial hospitalization programs offer it emdr"),
])
def test_a_subjects_name_counts_once_so_its_pronoun_still_points_back(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question, after", [
    (["my grandpa finished iop last month"], "is AA something he should try now", True),
    (["i finished my IOP last month"], "what should i be doing now to keep it going", True),
    (["my daughter was just discharged from inpatient"], "can she go to an iop next?", False),  # names what is next
    (["i started iop last month"], "what should i be doing now", False),  # the program goes on
    # what one can "still" get once the program ends is what is left after it
    (["I'm finishing IOP on Friday"], "what support can i still get", True),
    (["i started iop last month"], "what support can i still get", False),
])
def test_now_after_a_turn_telling_the_program_ended_is_after_the_program(history, question, after):
    assert (" after " in dialogue.resolve(question, history).resolved) is after


@pytest.mark.parametrize("history, question, during", [
    (["how many hours is iop"], "and can i go back to work at the same time?", True),
    (["is iop flexible"], "could i study while im in it", True),
    (["is iop for mental health or addiction?"], "what about both at the same time?", False),  # two things at once
])
def test_at_the_same_time_as_a_program_is_during_it(history, question, during):
    assert (" during iop" in dialogue.resolve(question, history).resolved) is during


@pytest.mark.parametrize("history, question, resolved", [
    # an amount asked of one program, then "vs" another: the same amount, asked of the other
    (["how long is residential usually"], "vs iop?", "how long is iop usually"),
    (["how many hours a week is outpatient therapy"], "compared to php", "how many hours a week is php"),
])
def test_vs_after_an_amount_asks_the_amount_of_the_other(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question", [
    (["how intense is iop"], "compared to inpatient?"),  # no amount asked: the two are compared
    (["how long is iop"], "vs iop, i mean the evening kind"),  # more than a bare subject
])
def test_vs_without_an_amount_or_a_bare_subject_still_compares(history, question):
    assert dialogue.resolve(question, history).rule == "compared"
    assert dialogue.resolve(question, history).resolved.startswith(question)


def test_how_many_is_the_form_of_a_follow_up_not_its_topic():
    # three words of its own after a question: a short follow-up about the last subject, also within a chain
    assert dialogue.resolve("how many hours per session?", ["how long is the matrix model"]).rule == "no_subject"
    chain = dialogue.resolve("what does it combine", ["how long is the matrix model", "how many hours per session?"])
    assert "matrix model" in chain.resolved


def test_how_many_after_a_statement_is_left_to_what_was_told():
    history = ["my brother is thinking about iop", "he's a nurse and worried about his license"]
    assert dialogue.resolve("how many hours a day would it take", history).rule != "no_subject"


def test_a_question_of_its_own_about_after_the_program_leaves_the_last_aspect_behind():
    question = "and what about after the program ends, what support is there"
    assert dialogue.resolve(question, ["do i need to stay overnight"]).resolved == question


def test_a_bare_question_about_after_the_program_still_carries_the_last_question():
    resolved = dialogue.resolve("and once it's over?", ["do i need to stay overnight"]).resolved
    assert resolved.endswith("do i need to stay overnight")


@pytest.mark.parametrize("history, question, resolved", [
    # the setting's word alone names the sibling therapy in full, which then swaps like any subject
    (["what's group therapy like"], "and individual?", "what's individual therapy like"),
    (["what's involved in family therapy"], "and the group part?", "what's involved in group therapy"),
])
def test_a_sibling_therapy_named_by_its_setting_is_that_therapy(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


@pytest.mark.parametrize("history, question", [
    (["what's group therapy like"], "and the group part?"),  # the same setting: nothing else named
    (["what is cbt"], "and individual?"),  # no therapy named by its setting before
    (["what's group therapy like"], "and individual therapy?"),  # named in full already
])
def test_a_setting_word_names_no_sibling_otherwise(history, question):
    assert dialogue._sibling_therapy(question, history) == question


@pytest.mark.parametrize("history, question, carried", [
    # after a statement, a therapy of its own is asked of itself; a level of care may be the step from the told one
    (["group therapy sounds ok"], "but whats individual therapy for", False),
    (["weekly therapy isnt working for me anymore"], "so is iop the next step?", True),
])
def test_after_a_statement_only_a_level_of_care_keeps_the_told_one(history, question, carried):
    resolved = dialogue.resolve(question, history).resolved
    assert (resolved != question) is carried


@pytest.mark.parametrize("history, question, resolved", [
    # an amount by another unit after an amount asked: the schedule's other measure, with the last question
    (["how many days a week is iop"], "and per day how many hours", "and per day how many hours? how many days a week is iop"),
    (["how often do you meet in iop"], "each session how long", "each session how long? how often do you meet in iop"),
])
def test_an_amount_per_unit_after_an_amount_keeps_the_last_question(history, question, resolved):
    assert dialogue.resolve(question, history).resolved == resolved


def test_an_amount_per_unit_after_no_amount_carries_the_subject_only():
    assert dialogue.resolve("and per day how many hours", ["what is iop"]).resolved == "and per day how many hours iop"
