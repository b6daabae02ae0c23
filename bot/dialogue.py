"""The turn pipeline: safety first, then small talk, follow-up resolution, retrieval, answer or fallback.

State lives with the client: each request carries the earlier questions, so resolving a follow-up
is a pure function of (question, history). The rules are data tables below, h11-style.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from . import compose, sequence
from .models import Reply, SearchResult
from .text import default_stopwords

log = logging.getLogger(__name__)

# --- small talk ---------------------------------------------------------------------------------

# (kind, pattern). A message is small talk when, after removing every match and the filler words,
# nothing is left: "hi, what is an IOP?" keeps "iop" and goes on to retrieval.
SMALLTALK: tuple[tuple[str, str], ...] = (
    ("identity", r"\bwho (?:are|r|is) (?:you|u|this)\b|\bwhat (?:are|r) (?:you|u)\b|\bwho (?:made|built|created|wrote|runs|operates|owns) (?:you|u|this(?: chat| bot| tool| app| site| service)?(?: thing)?)\b"
                 r"|\bwho (?:is|'s) (?:responsible for|behind) (?:this|you)(?: service| chat| bot| site)?\b"
                 r"|\bwhat do (?:you|u) do\b|\bis (?:this|it|that) (?:chat ?gpt|gpt|siri|alexa|openai)\b"
                 r"|\b(?:are|r) (?:you|u) (?:an? )?(?:real |actual |live |automated )?(?:person|human|bot|robot|chat ?bot|ai|machine"
                 r"|therapist|doctor|counsel?l?or|nurse|live agent|computer|program)\b"
                 r"|\b(?:is this|am i talking to|am i chatting with|am i speaking (?:to|with)|talking to|speaking (?:to|with)|is there) (?:an? )?(?:real |actual |live )?"
                 r"(?:person|human|bot|robot|chat ?bot|ai|machine|computer|counsel?l?or|therapist|doctor|nurse)\b(?: right now)?"
                 r"|\bwhat can (?:you|u) (?:do|help(?: me)? with|tell me(?: about)?)\b|\b(?:your|ur) name\b|\bhow does this work\b"
                 r"|^\W*(?:a )?(?:real |live |actual )?(?:person|human|bot|robot|agent)(?:,? please)?\W*$"
                 # asking for a person: the identity reply says how to reach one
                 r"|\b(?:talk|speak|chat) (?:to|with) (?:an? )?(?:real |actual |live )?(?:person|human|agent|somebody|someone"
                 r"|counsel?l?or|therapist|nurse|doctor)\b"
                 r"|\b(?:you'?re|ur|you are|u r) (?:an? )?(?:real |actual )?(?:person|human|bot|robot|chat ?bot|ai|machine|computer)\b"
                 r"|\bis (?:this|it) (?:automated|a bot|an ai|a machine|a computer|a recording)\b"
                 r"|\bwho am i (?:talking|chatting|speaking) (?:to|with)(?: right now| now)?\b"),
    ("goodbye", r"\b(?:good ?bye+|bye+(?: bye+)?|bai|see (?:ya|you)(?: later| soon)?|cya|later(?! on\b)|take care|ttyl"
                r"|good ?night|nite|\bnight(?=\W*$)|gn"
                r"|(?:gotta|got to|have to|need to|gonna|going to|about to) (?:go|run|head out)|talk (?:to you )?(?:later|soon)"
                r"|that'?s all (?:i|we) (?:needed|wanted|need|want)|that'?s (?:just |exactly )?what (?:i|we) (?:needed|wanted|was looking for|were looking for)"
                r"|that'?s (?:all|it)(?: for now| for today)?|that(?:'ll| will) be all(?: for now| for today)?|farewell|(?:i'?m|im) done|have a (?:good|nice|great|blessed) (?:day|night|one|evening|weekend))\b"),
    ("thanks", r"\b(?:thank(?:s| you) (?:so much |very much )?for (?:explaining|the (?:info|information|help|explanation|answer)s?"
               r"|your help|helping"
               # thanks for the service being there, late as it may be: "thanks for being here at this hour"
               r"|being (?:here|there|around|available|up|awake)(?: (?:at this hour|so late|this late|tonight|at night|24/7))?)|thanks a (?:bunch|ton|million|lot)|thank(?:s+|you)?(?: (?:you|u))?|thank u|thankyou|thx|thnx"
               r"|thanx|thks|thnks|ty|tysm|tyvm|appreciate (?:it|that|you|this)"
               r"|gracias|cheers|merci|much appreciated|much obliged|appreciate (?:the|your) help"
               r"|that (?:actually |really )?(?:helps|helped|was (?:very |most |really |so |super |extremely )?helpful)"
               r"|that'?s (?:very |really |so |super |extremely )?helpful"
               r"|(?:you(?:'ve| have)? been|you were|you are|you're|this (?:was|is|has been))"
               r" (?:very |really |so |super )?helpful"
               r"|(?:you'?re|ur|you are|u r) (?:a |an )?(?:real |total |absolute )?(?:lifesaver|life saver|life-saver|star|gem|legend|angel))\b"),
    ("greeting", r"\b(?:hi+|hello+|helo|hellow|hey+|heya|hiya|howdy|hola|buen[oa]s (?:d[ií]as|tardes|noches)|buenas|yo|greetings|sup"
                 r"|good (?:morning|afternoon|evening|day)|^\W*(?:morning|evening|afternoon)(?=\W*$)"
                 r"|how (?:are|r) (?:you|u)(?: doing| today)?|what'?s up|wh?as+up|how'?s it going|(?:nice|good) to meet (?:you|u)"
                 r"|(?:are you|anyone|anybody|is anyone|is anybody|you) (?:there|here|around|awake)"
                 r"|^\W*any(?:one|body)(?=\W*$)|first time (?:using|on|here|trying|doing)(?: this| it| here)?)\b"),
    # "ok", "got it", "interesting" after an answer: the reader took it in and asks nothing; searched as a
    # question it repeated the last answer. Only a whole message: "ok so what about php" asks.
    ("acknowledgement", r"^\W*(?:(?:ok(?:ay|ey)?|k+|cool|got it|gotcha|i see|(?:that )?makes sense|understood|noted"
                        r"|alright|all right|fine|sounds good|oh|ah+|hmm+|mhm|sure|interesting|wow)\W*)+$"),
)
SMALLTALK_PRIORITY = ("identity", "goodbye", "thanks", "greeting", "acknowledgement")
FILLER = frozenset(
    "a an the i im i'm me my we you u your is are am was it this that there anyone anybody someone "
    "so much very really lot lots for with to of and or but just ok okay oh well um hmm please now "
    "all again too helped helpful help need some information info question questions have got "
    "talking there's here everyone guys folks again anyway much lol haha great cool good awesome nice perfect "
    "alright sure yes yeah yep no nope bot kind sort of mate chat site website app service "
    # the other half of "are you a human or a bot?" (or "... or what"), and the frame of "can I talk to a person?"
    "human person robot ai machine computer real actual live can could may want wanna would like "
    "nurse counselor counsellor therapist doctor on phone instead around awake wait hold "
    "kindly friend buddy dear sir maam fr frfr seriously truly honestly today even actually still ever usually "
    "basically exactly what what's whats something rn tho though "
    # courtesy around a greeting or thanks: "I hope I am typing this in the correct place", "for your patience"
    "in hope hoping typing writing correct right place patience bothering bother understanding kindness".split())

SMALLTALK_REPLIES = {
    "greeting": "Hello! I can answer questions about intensive outpatient programs (IOPs) from a small set "
                "of articles, and show you where each answer comes from. What would you like to know?",
    "thanks": "You're welcome. Is there anything else you'd like to know about intensive outpatient programs?",
    "goodbye": "Take care. If you need to talk with a person, {handoff}.",
    "acknowledgement": "Is there anything else you'd like to know about intensive outpatient programs?",
    "identity": "I'm an automated assistant, not a person. I answer questions about intensive outpatient "
                "programs (IOPs) using a small set of articles, and I cite where each answer comes from. "
                "To talk with a person, {handoff}.",
}


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def smalltalk_kind(message: str) -> str | None:
    """The small-talk kind of a message, or None when it asks something of substance."""
    text = re.sub(r"([a-z])\1{2,}", r"\1", message.lower().replace("’", "'"))  # "heyyy", "thanksss"
    found = []
    for kind, pattern in SMALLTALK:
        if re.search(pattern, text):
            found.append(kind)
            for _ in range(3):  # "hey, morning": "morning" alone is a greeting once "hey" is gone
                text, removed = re.subn(pattern, " ", text)
                text = text.strip(" \t,.;:!?-")
                if not removed:
                    break
    rest = [t for t in _tokens(text) if t not in FILLER]
    if not found or rest and not _leaving(found, message):
        return None
    return min(found, key=SMALLTALK_PRIORITY.index)


# A question anywhere in a message: a question mark, a wh-word, or a clause opening on a verb that asks.
_ASKING = re.compile(r"\?|\b(?:what|whats|how|why|when|where|who|which)\b|(?:^|[,.;:!-]|\bbut)\s*"
                     r"(?:is|are|does|do|did|can|could|will|would|should|may)\b"
                     # a verb before its subject asks wherever it stands: "my son would he have to sleep there or
                     # does he come home at night" is no goodnight
                     r"|\b(?:is|are|does|do|did|can|could|will|would|should|has|have)\s+(?:i|you|u|he|she|they|we|it)\b", re.I)


def _leaving(found: list[str], message: str) -> bool:
    """Whether a goodbye's other words only say why ("gotta go, another call coming in"): they ask
    nothing and name no level of care or therapy."""
    return found == ["goodbye"] and not _ASKING.search(message) and not _SUBJECT_RE.search(message)


# --- follow-up resolution -----------------------------------------------------------------------

# (rule, pattern, action). The first matching rule decides how a question is tied to the previous
# one: "substitute" swaps the previous question's subject for this one's ("how much does iop cost"
# + "and php?" -> "how much does php cost"); "append" adds the previous question's subjects, or the
# whole previous question when the follow-up has no aspect of its own ("what is cbt" + "is it used in
# IOPs?" -> "is it used in IOPs? cbt"). A short question naming no subject at all takes the previous
# question's subjects ("subject": the "no_subject" rule).
FOLLOWUP_RULES: tuple[tuple[str, str, str], ...] = (
    # "can you explain that simpler?": the last question again, for a plainer answer
    ("rephrase", r"\b(?:explain|say|put|word) (?:that|it|this)\b.{0,25}\b(?:simpler|simply|plainly|easier|again|differently|"
                 r"other words|plain english|plain words)\b|\bwhat do you mean\W*$", "again"),
    # "sorry I meant outpatient, not inpatient": the last question, about what was meant
    ("correction", r"\bi (?:meant|was asking about|was talking about)\b(?! (?:it|that|this|to)\b)"
                   r"|\b(?:typo|i mistyped|autocorrected?)\b", "correct"),
    ("what_about", r"^\s*(?:(?:what|how)\s+about|(?:and |is it |is that )?(?:the )?same (?:(?:question|q|thing) )?(?:but )?"
                   r"(?:for|with))\b", "substitute"),
    ("conjunction", r"^\s*(?:and|also|plus|or|but|so|then)\b", "substitute"),
    ("compared", r"^\s*(?:compared (?:to|with)|versus|vs\.?|than|unlike)\s", "append"),
    # "like what should I walk away with?" after "what's the goal of the program?": the same, said again
    ("elaboration", r"^\s*(?:like|i mean|as in|you mean)\b", "append"),
    # "what's the difference between those?" after "what is php" and "and iop?": both earlier subjects
    ("both", r"\b(?:differences?|different|differ|compare|comparison|better|worse|vs|versus"
             r"|which (?:one|is|are|has|have|offers?|gives?|costs?|takes?|lasts?|works?|needs?)"
             r"|between (?:those|these|them|the two|both)|both)\b", "both"),
    # "how many sessions a week at that point?" after "weeks 9 and 10": that point is the last question's
    ("stage", r"\b(?:at|by|during|in|from|after) (?:that|this|which) (?:point|stage|phase|time|week|weeks|part)\b",
     "append"),
    ("pronoun_lead", r"^\s*(?:is|are|was|does|do|did|can|could|will|would|should|has|have)\s+"
                     r"(?:it|that|this|they|them|those|these|she|he)\b", "append"),
    ("pronoun", r"\b(?:it|its|it's|that|this|they|them|their|those|these|one|she|he|her|him|mine|yours|ours|theirs)\b",
     "append"),
    # "how many hours is each session then?" after "whats in the intensive phase": a closing "then" leans on
    # what was just asked
    ("then", r"\bthen\W*$", "append"),
    # "how come?" and "how so?" are a bare "why?" and "how?", "why not?" a bare "why?" of a no: the whole last question, asked again
    ("bare", r"^\W*(?:how(?: come| so)?|why(?: not)?|when|where|who|which|what)\W*$", "append"),
    # "how is intensive outpatient different?" after "what is outpatient therapy": different from that; "when
    # would i need iop instead?" after "is regular therapy enough": instead of that
    ("comparison", r"\b(?:different|differ|differs|difference|compare|compared|compares|than|instead(?! of))\b", "append"),
)
# A bare question word ("how come?") asks no aspect of its own, whatever "come" weighs
_BARE = re.compile(next(p for rule, p, _ in FOLLOWUP_RULES if rule == "bare"), re.I)
# "is it true that ...", "is it ok to ...": an "it" that stands for what follows, not for an earlier turn
_EXPLETIVE = re.compile(r"^\s*(?:is|was|would|will|does|did) (?:it|that|this) (?:\w+ ){0,2}?(?:true|possible|normal|ok|okay"
                        r"|safe|worth|common|likely|better|bad|good|hard|easy|necessary|required|smart|wise|realistic"
                        r"|weird|unusual|matter|mean|help)\s+(?:to|that|if|for|when)\b", re.I)
# A question with a pronoun but this many content words or more has a topic of its own.
PRONOUN_MAX_CONTENT = 4
# A follow-up with this many content words of its own ("what should i ask them?") borrows only the subject.
MIN_OWN_ASPECT = 1

# "and php?" or "and the live-in kind?" is a fragment that swaps the subject; "and how is iop different?"
# or "and after iop what's the next step down?" is a question of its own that only leans on the last one.
MAX_FRAGMENT_WORDS = 2
_OWN_QUESTION = re.compile(r"(?:what|whats|what's|how|why|when|where|who|which|is|are|does|do|did|can|could|will"
                           r"|would|should)\b", re.I)

# Subjects a follow-up can swap, by kind: levels of care, named therapies, conditions, who it is for.
# "what about PHP?" after a question about IOP swaps the level of care; "what about depression?" after
# "can IOP help with PTSD?" swaps the condition, never the level of care.
SUBJECTS: tuple[tuple[str, str], ...] = (
    # "an intensive program" is the intensive outpatient one; "a more intensive program" is a higher level
    ("level", r"intensive outpatient(?: programs?| treatment| care)?|iops?|(?:the )?intensive (?:one|version|kind|type)"
              r"|(?<!more )(?<!less )(?<!most )intensive programs?"),
    ("level", r"partial hospitali[sz]ation(?: programs?)?|php?s?|day (?:programs?|treatment)"
              r"|full[- ]day (?:one|version|kind|type|programs?|treatment)"),
    ("level", r"(?:inpatient |residential )?acute care"
              r"|(?:inpatient|residential|live-in)(?: (?:inpatient|residential))?(?: rehab| treatment| care| programs?)?"
              r"|rehab"),
    ("level", r"(?:standard |traditional |regular |normal )?outpatient(?: rehab| therapy| treatment| care| programs?)?"
              r"|(?:regular|weekly|normal|ordinary|usual) (?:therapy|counseling|counselling)|op"),
    ("level", r"detox(?:ification)?"), ("level", r"sober living"), ("level", r"aftercare"),
    ("level", r"step(?:ping)?[- ](?:down|up)(?: care)?"),
    ("therapy", r"cbt|cognitive behavio(?:u)?ral therapy"), ("therapy", r"dbt|dialectical behavio(?:u)?r therapy"),
    ("therapy", r"emdr"), ("therapy", r"therapeutic communit(?:y|ies)"),
    ("therapy", r"psycho-?education(?:al)?(?: groups?| sessions?)?"), ("therapy", r"medication management"),
    ("therapy", r"tms|transcranial magnetic stimulation"), ("therapy", r"ketamine(?: therapy)?"),
    ("therapy", r"(?:the )?matrix(?: model| approach| program| one)?"), ("therapy", r"family therapy"), ("therapy", r"group therapy"),
    ("therapy", r"individual therapy"), ("therapy", r"12[- ]steps?(?: programs?)?|twelve[- ]steps?"
                                                        r"|aa|alcoholics anonymous|narcotics anonymous"),
    ("therapy", r"motivational interviewing|mi"), ("therapy", r"mdft|multidimensional family therapy"),
    ("therapy", r"medication[- ]assisted treatment|mat"), ("therapy", r"(?:equine|yoga|art|music) therapy"),
    ("condition", r"ptsd|trauma"), ("condition", r"depression"), ("condition", r"anxiety"), ("condition", r"ocd"),
    ("condition", r"eating disorders?"), ("condition", r"bipolar"), ("condition", r"schizophrenia|psychosis"),
    ("condition", r"anger(?: issues| problems)?"), ("condition", r"stress"),
    ("condition", r"dual diagnosis|co-occurring(?: disorders?)?"),
    ("condition", r"alcohol(?:ism)?|drinking|cocaine|coke|crack|meth(?:amphetamine)?|opioids?|opiates?|heroin|fentanyl"
                  r"|painkillers|stimulants?|weed|marijuana|cannabis|gambling"),
    ("audience", r"teens?|teenagers?|adolescents?|young adults?|older adults?|seniors?|veterans?|women|men"),
)
# One group per subject, so a match names its kind (SUBJECTS' patterns have no groups of their own).
_SUBJECT_RE = re.compile(r"\b(?:" + "|".join(f"({p})" for _, p in SUBJECTS) + r")\b", re.I)
CARRIED_KINDS = ("level", "therapy")
_AFTER_THAT = re.compile(r"^\s*(?:compared (?:to|with)|versus|vs\.?|than|unlike|like|i mean|as in|you mean)\s"
                         r"|\b(?:is|are|was|does|do) (?:that|this|it) (?:any )?(?:more|less|longer|shorter|cheaper|pricier"
                         r"|higher|lower) than\b"
                         r"|\b(?:after|before|during|until|till) (?:that|this|it|it's|its|those|these)\b"
                         r"|\b(?:does|do|would) (?:that|this|it) compare\b|\bcompared? (?:to|with) (?:that|this|it)\b", re.I)


def subject_kind(match: re.Match) -> str:
    """The kind of subject a _SUBJECT_RE match is ("php" -> "level")."""
    return SUBJECTS[match.lastindex - 1][0]


QUESTION_WORDS = frozenset(
    "what whats what's how why when where who whom which is are was were do does did can could will would "
    "should shall may might has have had tell me about and also plus or but so then a an the it its it's "
    "that this they them their those these one she he her him i my we our you your to of in on for with "
    "be been being there if any some at from".split())


@dataclass(frozen=True)
class Resolution:
    """How a question was read: the text to search, and which rule tied it to history."""

    question: str
    resolved: str
    rule: str  # "standalone" or a FOLLOWUP_RULES name, or "low_confidence"


def content_words(text: str) -> list[str]:
    return [t for t in _tokens(text) if t not in QUESTION_WORDS and t not in FILLER]


def topic_words(text: str) -> list[str]:
    """Content words that could name an aspect: not the frame of a question ("know", "get", "out")."""
    stop = default_stopwords()
    return [t for t in content_words(text) if t not in stop]


# "how do i find out for sure?" after "does insurance cover iop": learning the last answer for oneself is
# no aspect of its own, the last question is still what is asked (after a question: what a turn told,
# "we have aetna", is no question to learn the answer of)
_LEARNING = frozenset("out figure sure certain check verify confirm know exactly actually".split())


def _only_learning(question: str) -> bool:
    words = set(topic_words(question))
    if not words:
        return False
    if re.search(r"\b(?:find|finding|finds) out\b", question, re.I):
        words.discard("find")  # learning, where "find one" is finding a program
    return words <= _LEARNING


_AMOUNTS = r"long|much|often|soon|far|old"
_FORM_FRAME = re.compile(rf"\bhow (?:{_AMOUNTS}|many(?: \w+)?)\b", re.I)  # "how many hours": what it counts too
_HOW_MUCH = re.compile(rf"\bhow (?:{_AMOUNTS}|many)\b", re.I)  # the frame alone, not what it counts


# Words that open a turn without asking anything ("ok and for inpatient?", "wait whats the difference").
_DISCOURSE = re.compile(r"^\s*(?:(?:ok(?:ay)?|k|alright|all right|right|got it|i see|cool|great|wait|hmm+|um+|uh+|oh|ah"
                        r"|yeah|yes|thanks|thank you|thx|and now|now|wow|whoa|woah|yikes|geez|jeez|dang|damn|ugh|hm|huh|holy \w+|oh my god|omg"
                        r"|no|nope|sorry|fine|well|understood|makes sense|noted|(?:go|going) back)\b[\s,.!:-]*)+", re.I)
# What a bare subject may come with and still be a fragment: "inpatient same q", "depression specifically?",
# "iop i mean".
_FRAGMENT_EXTRAS = frozenset("same q question thing specifically too then though tho instead one row also as well "
                             "either just only ballpark roughly approximately estimate please pls exactly mean".split())


def _without_discourse(question: str) -> str:
    return _DISCOURSE.sub("", question, count=1)


def _bare_subject(question: str) -> bool:
    """Whether a question is only a subject: "inpatient?", "and for php?", "outpatient same q"."""
    q = _strip_lead(question)
    own = _SUBJECT_RE.search(q)
    if not own or _OWN_QUESTION.match(q):
        return False  # "what is php?" is a question of its own
    rest = content_words(q[:own.start()] + " " + q[own.end():])
    return all(word in _FRAGMENT_EXTRAS for word in rest)


# A turn made only of these asks for the last answer again, said more simply or shortly: "simpler pls",
# "ok in normal words", "explain like i'm 5", "give me the short version". At least one word must ask it.
_REPHRASE_ASKS = frozenset("simpler simple simply plain plainer plainly normal easier layman laymans layman's basic "
                           "short shorter quick brief briefly summary summarize summarise nutshell tldr tl;dr eli5 "
                           "5 five dumb differently rephrase reword understand confused confusing".split())
_REPHRASE_WORDS = _REPHRASE_ASKS | frozenset(
    "ok okay so hmm um sorry please pls plz can could would you u me it that this give say explain put in the a an "
    "bit little again just words word terms english language version way like i'm im i am kid child down more "
    "other another for of thanks thx my not good is very don't dont didn't didnt get lol haha but ugh "
    # "i asked what it IS. in plain english pls": the last question again, asked for plainly
    "asked what".split())


def _asks_rephrase(question: str) -> bool:
    tokens = re.findall(r"[\w';]+", question.lower())
    return bool(tokens) and set(tokens) <= _REPHRASE_WORDS and bool(set(tokens) & _REPHRASE_ASKS)


def followup_rule(question: str, after_question: bool = False) -> tuple[str, str] | None:
    """The first FOLLOWUP_RULES entry that applies, as (rule, action), or None for a standalone question.

    After a question (``after_question``), "how many" or "how long" is only the form of the next one; after a
    statement, what was told decides whether the question is short (``told``)."""
    q = _without_discourse(question.lower().replace("’", "'"))
    if _asks_rephrase(q):
        return "rephrase", "again"
    for rule, pattern, action in FOLLOWUP_RULES:
        if not re.search(pattern, q):
            continue
        if rule.startswith("pronoun") and _topic_size(_pronoun_clause(q, pattern)) >= PRONOUN_MAX_CONTENT and (
                rule == "pronoun" or _SUBJECT_RE.search(q) and _EXPLETIVE.match(q)):
            # "is it true that group therapy helps with depression" has a topic of its own; "is it used in iop
            # or only residential?" asks about "it", whatever levels of care it names
            continue
        if rule == "comparison" and (len({m.group(0) for m in _SUBJECT_RE.finditer(q)}) != 1 or _bare_subject(q)):
            continue  # "how is iop different from php" names both sides; "php instead?" swaps the subject
        if rule == "both" and _subjects(q):
            continue  # "which is better, iop or php?" names its own
        return rule, action
    own = content_words(_HOW_MUCH.sub(" ", q) if after_question else q)
    if not _SUBJECT_RE.search(q) and len(own) < PRONOUN_MAX_CONTENT:
        # "how long do people stay?" names no level of care or therapy: it asks about the last one (the
        # "many" of "how many hours per session?" is the form of the question, no topic of its own)
        return "no_subject", "subject"
    if _bare_subject(q):
        return "fragment", "substitute"  # "inpatient?" after "iop hours per week": the same, for inpatient
    return None


def _topic_size(text: str) -> int:
    """How many things a question names of its own, a subject's name counting once: "do intensive outpatient
    places use it?" names the program once, not twice, and its "it" still stands for what the last turn named."""
    return len(content_words(_SUBJECT_RE.sub(" subject ", text)))


def _pronoun_clause(question: str, pattern: str) -> str:
    """The last sentence of a question when it holds the pronoun: "wait 5 grand?? is that per month" asks "is
    that per month", the words before it only echo the last answer, so they give it no topic of its own."""
    sentences = [part for part in re.split(r"[?!.]+\s+", question.strip()) if part.strip()]
    return sentences[-1] if len(sentences) > 1 and re.search(pattern, sentences[-1]) else question


_ASKS_AFTER = re.compile(r"[,.;:!-]\s*(?:what|whats|what's|how|why|when|where|who|which|is|are|does|do|can|could|will|would)\b",
                         re.I)


_WH_AFTER = re.compile(r"\b(?:what|whats|what's|how|why|when|where|which)\b", re.I)


def _strip_lead(question: str) -> str:
    """The follow-up's own words: "and outpatient?" -> "outpatient"."""
    q = re.sub(r"\bsame (?:q|question|thing)\b", "", _without_discourse(question), flags=re.I)
    lead = (r"\s*(?:(?:what|how)\s+about|(?:and |is it |is that )?(?:the )?same (?:for|with)"
            r"|and|also|plus|or|but|so|then)\b[\s,]*")
    # the leads may stack ("and what about iop?"), unless what follows asks a question of its own: "and
    # what about inpatient rehab, what does that cost?" is that question, about inpatient rehab
    stacked = re.sub(f"^(?:{lead})+", "", q, flags=re.I)
    q = re.sub(f"^{lead}", "", q, flags=re.I) if _ASKS_AFTER.search(stacked) else stacked
    q = re.sub(r"^\s*(?:(?:going|go|coming|come) )?back to\s+", "", q, flags=re.I)  # "and back to depression, ..."
    q = re.sub(r"^\s*(?:for|with|in|at|during|the)\s+(?=\w)", "", q, flags=re.I) if _SUBJECT_RE.search(q) else q
    return q.strip(" ?!.,")


# "what therapy do they use for that?" after "can iop help with ptsd": "that" is the condition; "with him"
# after "can iop help teenagers" is the teenager.
_FOR_THAT = re.compile(r"\b(?:for|with|on|treat|treats|handle|handles) (?:that|this|those|these|them|him|her)\b", re.I)


def _subjects(text: str, kinds: tuple[str, ...] = CARRIED_KINDS) -> list[str]:
    """The levels of care and therapies a question is about: what a follow-up's "it" stands for.

    A condition is an aspect: after "is iop good for depression", "how long does it take?" asks
    about IOP; "what about anxiety?" still swaps the condition.
    """
    return list(dict.fromkeys(m.group(0) for m in _SUBJECT_RE.finditer(text) if subject_kind(m) in kinds))


_COMPARES = frozenset("different differ differs difference compare compared compares vs versus better worse".split())
_WEIGHS_UP = _COMPARES | {"more", "less", "than", "instead"}  # "why pay more for iop?" still weighs it against the other
# A question about when the program is over: no stage of it is what it asks about.
_PAST_END = re.compile(r"\b(?:once|after|when) (?:it'?s|it is|its|that'?s|i'?m|im|i am|he'?s|she'?s|they'?re|we'?re)"
                       r" (?:(?:totally|completely|fully|all|really) )?(?:over|done|finished|through)\b|\b(?:once|after|when) (?:it|iop|the program) (?:ends|is over)\b"
                       # "what happens once i finish?": the person finishing is the program over
                       r"|\b(?:once|after|when) (?:i|he|she|they|we|you) (?:finish|finishes|complete|completes|graduate|graduates"
                       r"|leave|leaves|am done|is done|are done)\b", re.I)
# "now what?", "then what", "what's next": what follows, which after a turn telling that the program ends
# ("discharged from iop yesterday", "he finishes iop next month") is life after it
_WHATS_NEXT = re.compile(r"^\W*(?:(?:and|so|ok|okay|but)[\s,]+)*(?:(?:now|then|and then) what|what(?:'s| is| comes| happens)? next)\b",
                         re.I)
# "at the same time", "meanwhile", "while i'm in it": while the program lasts
_WHILE_IN_IT = re.compile(r"\b(?:at the same time|meanwhile|in the meantime|simultaneously"
                          r"|while (?:(?:i'?m|im|i am|he'?s|she'?s|they'?re) )?(?:doing|in|at) (?:it|that|this|there|the program))\b", re.I)
_TWO_AT_ONCE = re.compile(r"\b(?:both|together)\b", re.I)
# "now", "next" or "still" after a turn telling the program ends: "what support can i still get" after "i'm
# finishing iop on friday" asks what is left once it is over
_NOW_OR_NEXT = re.compile(r"\b(?:now|next|still)\b", re.I)
_PROGRAM_ENDS = re.compile(r"\b(?:finish(?:es|ed|ing)?|discharged|graduat(?:es|ed|ing)|complet(?:es|ed|ing)|done with"
                           r"|got out of|ends|ending|ended)\b", re.I)


def _asks_past_end(question: str, previous: str) -> bool:
    """Whether a follow-up asks what comes once the program is over, not about a stage of it."""
    if _PAST_END.search(question) or _WHATS_NEXT.match(question) and _PROGRAM_ENDS.search(previous):
        return True
    # "is AA something he should try now?" after "my grandpa finished iop last month": now is after the program,
    # unless the question names the level of care it is about ("can she go to an iop next?")
    return bool(_NOW_OR_NEXT.search(question) and _PROGRAM_ENDS.search(previous) and not _subjects(question, ("level",)))


# A stage of the program a question names: "weeks 9 and 10", "week 6", "the first week", "the transition phase".
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_WEEKS = re.compile(rf"\bweeks? {_NUMBER}(?:\s*(?:-|to|and|&|or|through|thru)\s*{_NUMBER})?\b"
                    r"|\b(?:first|last|final|second|third|1st|2nd|3rd) (?:two |to |few |couple of |couple |\d |three |four )?"
                    r"(?:weeks?|months?)\b"
                    # the schedule's stages by name: "the transition phase", "the maintenance weeks"
                    r"|\b(?:transition|maintenance|intensive(?: treatment)?|orientation|skill[- ]building|discharge(?: prep\w*)?)"
                    r" (?:phase|weeks|stage|period)\b", re.I)


def _asks(text: str) -> bool:
    """Whether a turn asks something ("is iop effective"), rather than tells ("he did 4 weeks of iop")."""
    return "?" in text or bool(_OWN_QUESTION.match(_without_discourse(_without_smalltalk(text).lower())))


# "that" or "this" standing alone, as what a clause is about ("is that per month?", "any research on
# that?"), points at what the last question asked, not only at the program it named; a question naming
# its own program ("and outpatient therapy, how much is that?") points at that program, and after a turn
# that told something ("he did 4 weeks of iop") the point is the asker's own.
_THAT_POINT = re.compile(r"\b(?:is|was|isn'?t|wasn'?t|does|did|doesn'?t) (?:that|this)\b(?! (?:one|program|place|kind|type|level|therapy)\b)"
                         r"|\b(?:that|this)\s*(?:[?.!,]|$)", re.I)


# "that" or "this" anywhere (or "give me one", "same ones?") points back at what the last question asked ("who can give me one" after
# "what if they want a referral", "what does that program focus on?" after "is there an iop just for
# cocaine"); "it" and "they" point at the program, which the follow-up carries already
# ("which one", "one on one" and "the first one" pick or name, they do not point back)
_POINTS_BACK = re.compile(r"\b(?:that|this|those|these|ones)\b|\b(?:me|us|him|her|them|get|find|need) one\b(?! on)"
                          # "who can help me figure it out?": what is to be figured out is the matter asked, not the program
                          r"|\b(?:figure|sort|work|find|puzzle) (?:it|them) out\b", re.I)
# "and for someone who also drinks" after "is iop good for depression?": the last question's point, and more
_ALSO = re.compile(r"\b(?:also|too|as well)\b", re.I)


# "and if they never needed detox at all?" after "is iop for people who just left detox" asks the same of
# another case, with its subject in a condition: nothing to swap
_IF = re.compile(r"(?:if|what if|even if|unless)\b", re.I)
_POINTER_WORD = re.compile(r"\b(?:it|its|that|this|them|those|these)\b", re.I)


# "why that long?" after "how long is iop" asks the reason for the amount just answered: the last question's
# words ("how long", "last") would only fetch the amount again, so the subject alone is carried
_WHY_SO = re.compile(r"^\W*why\b.*\b(?:that|so|this)\s+(?:long|much|many|often|expensive|pricey|costly|intense|intensive"
                     r"|short|hard|strict)\b", re.I)


# "or like at home?" after "are iops only in clinics" offers another answer to the last question: the whole
# of it is still what is asked, its subject alone lost "only in clinics"
_OR_ELSE = re.compile(r"^\W*or\b", re.I)


# "and if i need to see a psychiatrist is that part of it": the "that" is the if-clause just said, not the last question
_IF_THEN_THAT = re.compile(r"\bif\s+\w+(?:\s+\w+){2,}?[\s,]+(?:is|was|would|will|does|do) (?:that|this)\b", re.I)


# A superlative with no subject of its own ("the cheapest option", "which is shortest") asks among them all
_AMONG_ALL = re.compile(r"\b(?:cheapest|least expensive|most expensive|priciest|shortest|longest|most intense|least intense"
                        r"|most intensive|least intensive)\b", re.I)


# "is there medication in iop" / "who manages it?": after asking whether a program has something, "it" is
# that thing, not the program, which is only where it is found
_ASKS_IF_OFFERED = re.compile(r"^\W*(?:(?:so|and|but|ok|okay)[\s,]+)*(?:is there|are there|(?:do|does|will|would) (?:they|iops?|it"
                              r"|the (?:iop|program)s?|programs?|you) (?:\w+ )?(?:have|offer|use|include|provide|do|give))\b",
                              re.I)
_IT = re.compile(r"\b(?:it|its|it's)\b", re.I)


def _points_at_offered(question: str, previous: str) -> bool:
    """Whether a follow-up's "it" stands for what the last question asked a program offers."""
    offered = _ASKS_IF_OFFERED.match(_without_smalltalk(previous))
    if not offered or not _IT.search(question):
        return False
    # "is there IOP for trauma": the level of care is what is offered, and "it" is that program
    thing = _SUBJECT_RE.match(re.sub(r"^\s*(?:(?:an?|the|any|some)\s+)?", "", _without_smalltalk(previous)[offered.end():]))
    return not (thing and subject_kind(thing) == "level")


def _aspect(previous: str, subjects: list[str]) -> list[str]:
    """The last question's topic words other than its subjects: what it asked about them."""
    carried = {w for s in subjects for w in s.lower().split()}
    return [w for w in topic_words(_without_smalltalk(previous)) if w not in carried]


# "what if it's not?" after "is iop enough for me": a negation alone asks the last question's opposite, no aspect
_NEGATIONS = frozenset("not no never isnt isn't doesnt doesn't dont don't wont won't cant can't".split())


def _asked_words(question: str) -> list[str]:
    """The topic words that ask an aspect of their own: not a bare negation of the last question."""
    return [w for w in topic_words(question) if w not in _NEGATIONS]


# "what about people who ...", "and for someone with ...": the same question of another case of person
_CASE = (r"(?:for |with )?(?:people|persons?|someone|somebody|anyone|anybody|those|folks|patients|clients"
         r"|a person|adults|kids|children)\b")
_ANOTHER_CASE = re.compile("^" + _CASE, re.I)  # the follow-up opens on it
_CASE_IN = re.compile(r"\b" + _CASE, re.I)  # where the last question names the case it was asked of


# "per day", "each session", "every time": an amount counted by another unit
_PER_UNIT = re.compile(r"\b(?:per|each|every|a|an) (?:day|session|time|visit|meeting|class|group|week|month)\b", re.I)


def combine(question: str, previous: str, action: str) -> str:
    """Tie a follow-up to the previous question by the rule's action (a pure string operation).

    A follow-up that brings its own aspect ("how long does it take?") takes only the previous
    question's subject ("IOP"), not its aspect ("good for depression"), which would pull the search
    back to the question already answered; one with no words of its own ("how?") takes the whole
    previous question, with the words that make its kind of answer ("how long", "when did").
    """
    previous = previous.strip()
    if action == "substitute":
        stripped = _strip_lead(question)
        stage, earlier = _WEEKS.search(stripped), _WEEKS.search(previous)
        if stage and earlier and not _OWN_QUESTION.match(stripped) and len(
                content_words(stripped[:stage.start()] + " " + stripped[stage.end():])) <= MAX_FRAGMENT_WORDS:
            # "and the last 2 weeks?" after "what happens in weeks 9 and 10": the stage swapped
            return previous[:earlier.start()] + stage.group(0) + previous[earlier.end():]
        own = _SUBJECT_RE.search(stripped) if stripped else None
        same = _same_kind(own, previous)
        rest_words = content_words(stripped[:own.start()] + " " + stripped[own.end():]) if own else []
        # "ok and iop, how is that different?" compares with the last subject rather than replacing it
        # "so iops might have it?" after "is equine therapy real" points back at it, swapping nothing ("and
        # inpatient, what does that include" asks its own question of inpatient)
        fragment = own and not _OWN_QUESTION.match(stripped) and len(rest_words) <= MAX_FRAGMENT_WORDS \
            and not _COMPARES.intersection(rest_words) \
            and not (_POINTER_WORD.search(stripped) and not _WH_AFTER.search(stripped))
        if fragment and not same:
            # "and the regular iop?" after "how long is the matrix model": the one subject asked about, whatever its kind
            only = [m for m in _SUBJECT_RE.finditer(previous) if subject_kind(m) in CARRIED_KINDS]
            same = only[0] if len(only) == 1 and subject_kind(own) in CARRIED_KINDS else None
        if fragment and same:  # own text in place of the previous subject of the same kind, not a template
            return previous[:same.start()] + stripped + previous[same.end():]
        if own and same and not _OWN_QUESTION.match(stripped) and not _COMPARES.intersection(rest_words) \
                and not _WH_AFTER.search(stripped[own.end():]) and not _IF.match(stripped):
            # "what about for my 19 year old who has an eating disorder?": the subject swapped, the rest added;
            # "and after iop whats the next step down?" asks a question of its own after its subject
            return f"{previous[:same.start()]}{own.group(0)}{previous[same.end():]} {' '.join(rest_words)}".strip()
        if _ANOTHER_CASE.match(stripped) and not _SUBJECT_RE.search(stripped):
            # "what about people with both mental illness and addiction?" after "is iop right for everyone" asks
            # the same of other people: the last question's aspect ("right") stays with its subject, and the case
            # it was asked of ("people who are broke") is the one replaced
            subjects = _subjects(previous)
            case = _CASE_IN.search(previous)
            asked = previous[:case.start()] if case else previous
            return f"{question.strip()} {' '.join(subjects + _aspect(asked, subjects))}".strip()
    therapies = _defined_therapies(question, previous)
    if therapies:
        return f"{question.strip()} {' '.join(therapies)}"
    kinds = CARRIED_KINDS + ("condition", "audience") if _FOR_THAT.search(question) else CARRIED_KINDS
    subjects = _subjects(previous, kinds)
    if subjects and _asks_past_end(question, previous):
        # "and once it's done?" after "what happens in the last weeks of iop", "now what" after "discharged from
        # iop yesterday": what follows the program, which neither its last stage nor its name alone fetches (said
        # even after "after it's over": the word weighs once more against the program's last weeks)
        return f"{question.strip()} after {' '.join(subjects)}"
    if subjects and _WHILE_IN_IT.search(question) and not _TWO_AT_ONCE.search(question):
        # "and can i go back to work at the same time?" after "how many hours is that" asks about the time during
        # the program, which the articles say in so many words ("working during treatment"); "both at the same
        # time" is two things at once, not a time in the program
        return f"{question.strip()} during {' '.join(subjects)}"
    if _AMONG_ALL.search(question) and not _SUBJECT_RE.search(question) and len(subjects) == 1:
        # "and the cheapest option?" after "whats inpatient cost" asks among every level of care: the last
        # question's aspect is carried, not the one level it was about (after "which costs most, rehab or
        # iop or outpatient" the levels weighed are still the ones to pick from)
        return f"{question.strip()} {' '.join(_aspect(previous, subjects))}".strip()
    if _PER_UNIT.search(question) and _FORM_FRAME.search(previous) and not _SUBJECT_RE.search(question) \
            and not _POINTER_WORD.search(question):  # "is that per week?" asks whether the amount is, below
        # "and per day how many hours" after "how many days a week is iop": the other measure of the schedule
        # just asked, which the days a week answer beside the hours (the subject alone fetched neither)
        return f"{_closed(question)} {_without_smalltalk(previous).strip(' ?!.')}"
    # "and after that?" asks what follows the previous question's aspect, not the subject alone
    why_so = _WHY_SO.search(question)
    own_aspect = (len(_asked_words(question)) >= MIN_OWN_ASPECT or _FORM_FRAME.search(question) or why_so) \
        and not _AFTER_THAT.search(question) and not _BARE.match(question) and not _OR_ELSE.match(question) \
        and not (_only_learning(question) and _asks(previous))
    if own_aspect and subjects:
        # "and who is op for?" after "iop vs op": one of the subjects just compared, picked by name
        named = {s.lower() for s in _subjects(question, kinds)}
        if len(subjects) > 1 and named & {s.lower() for s in subjects} and not _WEIGHS_UP.intersection(_tokens(question)):
            subjects = []
        elif named and not named & {s.lower() for s in subjects} and _same_kind(_SUBJECT_RE.search(question), previous) \
                and _OWN_QUESTION.match(_strip_lead(question)) \
                and not _WEIGHS_UP.intersection(_tokens(question)) and not _POINTER_WORD.search(question) \
                and (_asks(previous) or subject_kind(_SUBJECT_RE.search(question)) == "therapy"):
            # "and who is regular outpatient for?" after "who is iop meant for" asks it of its own level of care;
            # after a statement, a therapy still asks of its own ("group therapy sounds ok" / "but whats individual
            # therapy for"), where a level of care may be the step from the one told ("weekly therapy isnt working" /
            # "so is iop the next step?")
            subjects = []
        # "how many sessions then?" after "weeks 9 and 10 of iop": the stage of the program stays too, but
        # "so once its over what" after "the last couple weeks" asks past the stage, about the program's end
        stage = _WEEKS.search(previous) if not _WEEKS.search(question) and not _PAST_END.search(question) else None
        # "any actual research on that?" after "is iop effective": "that" is the last question's point
        point = _aspect(previous, subjects) \
            if (_THAT_POINT.search(question) or _POINTS_BACK.search(question) or _ALSO.search(question)
                or _points_at_offered(question, previous)) \
            and not named and _asks(previous) and not why_so and not _IF_THEN_THAT.search(question) else []
        frame = _FORM_FRAME.search(previous) if _THAT_POINT.search(question) and not named else None
        if frame and not _FORM_FRAME.search(question):
            # "is that per week?" after "how much is iop": "that" is the amount, which "how much" asks for
            point.insert(0, frame.group(0).lower())
        return f"{question.strip()} {' '.join(subjects + point)}{' ' + stage.group(0) if stage else ''}".strip()
    if _PAST_END.search(question) and _asked_words(_PAST_END.sub(" ", question)):
        # "and what about after the program ends, what support is there" after "do i need to stay overnight":
        # what the last question asked of the time in the program is no aspect of the time after it
        return question.strip()
    if subjects and _DEFINITION.match(question) and not _asks(previous):
        # "what even is that?" after "the counselor brought up something called an IOP" asks what the told
        # level of care or therapy is, not about the rest of what was told
        return f"{question.strip()} {' '.join(subjects)}"
    # the whole previous question, with the words that make its form ("how long", "when did"), but not
    # its greeting: "Good evening. I have been reading about these programs" asks nothing about evenings
    return f"{question.strip()} {_without_smalltalk(previous).strip(' ?!.')}".strip()


# "what is that?", "what does that mean?": what a named thing is
_DEFINITION = re.compile(r"^\W*(?:(?:so|ok|okay|and|but|sorry|hmm|um)[\s,]+)*what(?:'s| is| does)? (?:even |exactly |actually )?"
                         r"(?:is |does )?(?:that|this)(?: mean| one| thing)?(?: exactly| again| even)?\b\s*(?:$|[?.!,])", re.I)


# "how does that work?": what a named thing is or does, as "what is that?" asks
_HOW_IT_WORKS = re.compile(r"\bhow (?:does|do|would|will) (?:that|this|it) (?:\w+ )?work\b\W*$", re.I)




# "what is it exactly?", "what's it for", "what does it do?": what a named thing is or is for, its pronoun alone
_DEFINES = re.compile(r"^\W*(?:(?:so|ok|okay|and|but|sorry|hmm|um)[\s,]+)*what(?:'s| is| does)? (?:even |exactly |actually )?"
                      r"(?:is |does )?(?:it|that|this)(?: (?:even |actually |really )?(?:mean|do|(?:good |used )?for))?"
                      r"(?: exactly| tho| though| even| then)?\W*$", re.I)


def _defined_therapies(question: str, previous: str) -> list[str]:
    """The therapies a definition follow-up asks about: "what is it exactly?" after "is emdr used in iop?"
    asks what EMDR is; the level of care it was asked of is only where it is used, and the last question's
    aspect ("used") would fetch the same answer again. "what is that exactly" or "how does that work" after
    "do iops do emdr" asks the same when the question named a program beside the therapy."""
    therapies = _subjects(previous, ("therapy",))
    if _DEFINES.match(question) and _asks(previous):
        return therapies
    if (_DEFINITION.match(question) or _HOW_IT_WORKS.search(question)) and not _SUBJECT_RE.search(question) \
            and _subjects(previous, ("level",)):
        return therapies
    return []


def _without_smalltalk(text: str) -> str:
    """A turn without the greeting or thanks it opens with ("Good evening. I have been reading...")."""
    for _ in range(3):
        before = text
        for _, pattern in SMALLTALK:
            text = re.sub(r"^\W*(?:" + pattern + r")[\s,.!:;-]*", "", text, flags=re.I)
        if text == before:
            break
    return text.strip()


# "going back to the first one, how many weeks does it go?": the conversation's first subject, not its last.
_BACK_TO_FIRST = re.compile(r"(?:\b(?:ok|okay|so|going|go|coming|circling)\s+)*\bback to (?:the |my |what i asked )?"
                            r"(?:very )?(?:first|original|1st|earlier) (?:one|question|thing|topic|program|therapy|option)\b"
                            r"[\s,.:;-]*", re.I)


# "going back to insurance, will the program help me check my benefits?": back to an earlier turn, named by
# one of its words (the last turn is where the question is anyway)
_BACK_TO_NAMED = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|and|anyway|alright|now|but)[\s,]+)*(?:(?:going|go|coming|come|getting|circling) )?"
                            r"back to (?:the |my |our |his |her )?([a-z][\w'-]*)(?: (?:thing|stuff|part|question|one))?\b", re.I)


# "one more q, does it work for depression too": announcing another question asks nothing ("one", "more")
_ONE_MORE = re.compile(r"^\W*(?:(?:ok(?:ay)?|oh|wait|actually|and|so|also)[\s,]+)*one (?:more|last)"
                       r"(?:(?: thing| question| q| quick one| quick question| quick thing)[\s,.:;!-]+|\s*[,.:;!-]+\s*)", re.I)


def _turn_gone_back_to(back: re.Match | None, asked: list[tuple[str, str]]) -> str | None:
    """The resolved earlier turn a "back to ..." resumes: the latest before the last that names its word, or,
    when none does in so many words ("back to the length" after "how long is iop" / "do they do cbt"), the
    turn before the last, as going back passes over the last turn by definition."""
    if not back or not content_words(back.group(1)):
        return None
    word = back.group(1).lower()
    named = next((resolved for turn, resolved in reversed(asked[:-1]) if word in content_words(turn)), None)
    if named or len(asked) < 2 or word in content_words(asked[-1][0]):
        return named
    return asked[-2][1]


# Therapies named by the setting they share: "group therapy", "individual therapy", "family therapy"
_SETTING_THERAPY = re.compile(r"\b(group|individual|family) therapy\b", re.I)
_SETTING_ALONE = re.compile(r"\b(?:the )?(group|individual|family)(?: (?:part|side|one|kind|sessions?|stuff))?\b(?! therapy)", re.I)


def _sibling_therapy(question: str, history: Sequence[str]) -> str:
    """The follow-up with a sibling therapy named in full: "and the individual part?" after a turn about group
    therapy is individual therapy, which the setting's word alone did not name as a subject to swap."""
    last = next((turn for turn in reversed(history) if turn.strip() and not smalltalk_kind(turn)), "")
    named = _SETTING_THERAPY.search(last)
    other = _SETTING_ALONE.search(question)
    if not named or not other or other.group(1).lower() == named.group(1).lower() or _SETTING_THERAPY.search(question):
        return question
    return f"{question[:other.start()]}{other.group(1)} therapy{question[other.end():]}"


def resolve(question: str, history: Sequence[str]) -> Resolution:
    """Read a question against the history, each earlier question itself resolved against its own past."""
    asked, question = question, _ONE_MORE.sub("", question) or question
    resolution = _resolve(_sibling_therapy(question, history), history)
    return dataclasses.replace(resolution, question=asked)


def _resolve(question: str, history: Sequence[str]) -> Resolution:
    previous, seen, first = "", [], ""  # the last question as resolved, the subjects met (latest last), the first
    asked = []  # each earlier turn with its resolution
    for earlier in history:
        if smalltalk_kind(earlier) or not earlier.strip():
            continue  # "hi" carries no topic
        rule = followup_rule(earlier, bool(asked) and _asks(asked[-1][0]))
        previous = _resolved(earlier, previous, seen, rule)
        first = first or previous
        asked.append((earlier, previous))
        named = _subjects(previous)
        seen = [t for t in seen if t not in named] + named
    back = _BACK_TO_FIRST.search(question) if first else None
    if back:  # "ok back to the first one - what's it meant to treat?": about the first subject, whatever its words
        previous = first
        rest = re.sub(r"\s+", " ", question[:back.start()] + " " + question[back.end():]).strip(" ,.-:;")
        return Resolution(question, _resolved(rest, previous, seen, followup_rule(rest) or ("back", "append")), "back")
    back = _BACK_TO_NAMED.match(question) if not _swaps(question, previous) else None  # else swapped back in
    earlier = _turn_gone_back_to(back, asked)
    if earlier:  # "ok so back to my anxiety, how many days a week?": about the earlier turn that named it
        rest = question[back.end():].strip(" ,.-:;")
        resolved = _resolved(rest, earlier, seen, followup_rule(rest) or ("back", "append"))
        named = back.group(1)
        if named.lower() not in _tokens(resolved):
            # the word gone back to is the topic: "going back to insurance, will the program help me check my
            # benefits?" asks about insurance, whatever the earlier turn's subject
            resolved = f"{resolved} {named}"
        return Resolution(question, resolved, "back")
    rule = followup_rule(question, bool(asked) and _asks(asked[-1][0]))
    if rule and rule[0] == "fragment" and not _swaps(question, previous):
        # "in iop specifically?" after "what's the role of a psychiatrist" asks it about IOP; "any for
        # trauma?" after "what therapies do iops use" has nothing to swap: it narrows the whole last question,
        # unless that question names a condition or who it is for already ("for teens as well?" after "iop
        # for depression?" would be outweighed by it)
        own = _SUBJECT_RE.search(_strip_lead(question))
        if own and previous and subject_kind(own) not in CARRIED_KINDS \
                and not _named_kind(previous, ("condition", "audience")):
            return Resolution(question, f"{question.strip()} {_without_smalltalk(previous).strip(' ?!.')}", "fragment")
        rule = ("fragment", "append") if own and subject_kind(own) in CARRIED_KINDS else None
        if rule and subject_kind(own) == "therapy" and len(_subjects(previous)) == 1:
            # "for the matrix model too?" after "does iop have drug testing": the one program asked about is
            # what a named therapy swaps (as "and the matrix model?" does); "at iop?" after "equine therapy"
            # asks whether the therapy is found there, and keeps it
            rule = ("fragment", "substitute")
    elif rule and rule[0] in ("what_about", "conjunction") and _bare_subject(question) and not _swaps(question, previous):
        # the same with a lead: "what about for teens?" after "can my family be involved" has no one to swap
        # teens for, and asks about them
        own = _SUBJECT_RE.search(_strip_lead(question))
        rule = None if own and subject_kind(own) not in CARRIED_KINDS else rule
    if rule and previous:
        return Resolution(question, _resolved(question, previous, seen, rule), rule[0])
    return Resolution(question, question, "standalone")


# "vs iop?", "compared to php": the comparator a comparing fragment opens with
_COMPARATOR = re.compile(r"^\s*(?:compared (?:to|with)|versus|vs\.?|than|unlike)\s+", re.I)


def _same_amount_of(question: str, previous: str) -> str | None:
    """The last question's amount asked of the subject a bare "vs X" names: "vs iop" after "how long is
    residential usually" asks how long IOP is, to set beside the length just answered; searched with both
    names, it fetched the passages contrasting the two programs in general, which give neither length."""
    rest = _COMPARATOR.sub("", _without_discourse(question)).strip(" ?!.")
    own = _SUBJECT_RE.search(rest)
    same = _same_kind(own, previous)
    if not (own and same and _FORM_FRAME.search(previous)) or own.group(0).lower() == same.group(0).lower():
        return None
    if not all(word in _FRAGMENT_EXTRAS for word in content_words(rest[:own.start()] + " " + rest[own.end():])):
        return None
    return previous[:same.start()] + own.group(0) + previous[same.end():]


def _resolved(question: str, previous: str, seen: list[str], rule: tuple[str, str] | None) -> str:
    if not rule or not previous:
        return question
    if rule[0] == "compared" and (same_amount := _same_amount_of(question, previous)):
        return same_amount
    if rule[1] == "again":
        return _without_smalltalk(previous)
    if rule[1] == "correct":
        return _corrected(question, previous)
    if rule[1] == "both":
        both = list(dict.fromkeys(t.lower() for t in seen))[-2:]
        if len(both) == 2:  # the two subjects last met, whichever turns named them
            return f"{question.strip()} {' '.join(both)}"
        if not re.search(r"\b(?:vs|versus|different question)\b", question, re.I):
            # "how common is it to have both?" after "can iop treat mental illness and addiction together":
            # with no two subjects met, the two things are the last question's, all of it
            return f"{question.strip()} {_without_smalltalk(previous).strip(' ?!.')}".strip()
        return combine(question, previous, "append")
    return combine(question, previous, rule[1])


_MEANT = re.compile(r"\b(?:i (?:meant|was asking about|was talking about)|typo|i mistyped|autocorrected?)[\s,:.!-]+"
                    r"(?:i meant\s+)?(.*)", re.I)


def _corrected(question: str, previous: str) -> str:
    """The previous question about what the person meant: "how long is inpatient rehab" + "sorry I meant
    intensive outpatient, not inpatient" -> "how long is intensive outpatient"; a question said after the
    correction is added ("nvm i meant iop, how many hours" -> "whats iop how many hours")."""
    said = _MEANT.search(question)
    # what was not meant goes ("i meant weeks not hours"), and what follows the first clause is a question of its own
    told = _NOT_MEANT.sub("", said.group(1)) if said else ""
    meant, *rest = _CLAUSE_END.split(told, maxsplit=1)
    rest = " ".join(r.strip() for r in rest if r and r.strip())
    # the last subject named is the one meant: "outpatient, the intensive kind" is the intensive one
    own = ([None] + list(_SUBJECT_RE.finditer(meant)))[-1]
    if not own:
        subjects = _subjects(previous)
        if len(topic_words(meant)) >= 2 and subjects:
            # "no i meant the cost without insurance" after "does insurance cover iop" asks a question of its
            # own about the program: the last question's aspect is what was not meant
            return f"{meant.strip(' ,.')} {' '.join(subjects)}".strip()
        if content_words(meant):  # "i meant weeks not hours": the last question, about weeks
            return f"{meant.strip(' ,.')} {_without_smalltalk(previous)}".strip()
        return f"{question.strip()} {_without_smalltalk(previous)}".strip()
    same = _same_kind(own, previous)
    base = (previous[:same.start()] + own.group(0) + previous[same.end():]) if same else f"{own.group(0)} {previous}"
    return f"{base} {rest}".strip()


_NOT_MEANT = re.compile(r"\b(?:not|instead of|rather than)\s+[^,.;!?]*", re.I)
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|,\s*(?=(?:what|whats|what's|how|why|when|where|who|which|is|are|does|do|can|could"
                         r"|will|would|should)\b)", re.I)


def _same_kind(own: re.Match | None, previous: str) -> re.Match | None:
    """The previous question's first subject of ``own``'s kind: the one a follow-up's subject replaces."""
    if own is None:
        return None
    return next((m for m in _SUBJECT_RE.finditer(previous) if subject_kind(m) == subject_kind(own)), None)


def _swaps(question: str, previous: str) -> bool:
    """Whether the previous question has a subject of the kind the question names, to swap for it."""
    return _same_kind(_SUBJECT_RE.search(_strip_lead(question)), previous) is not None


# A short question after the person told something ("my sister has anorexia" / "can iop help") is about
# what they told: the told concepts are carried. A longer one says what it is about itself. Four words
# are still short: "my mother did weekly therapy for a year but she is getting worse" / "would an
# intensive program be the next step?" asks it of her, weekly therapy not being enough.
TOLD_MAX_CONTENT = 4
MIN_STATEMENT_WORDS = 4  # "ptsd iop" is a lookup, not something told


# "is there anything in between weekly therapy and that?": a longer question pointing at what was told
_TOLD_POINTER = re.compile(r"\b(?:that|this|it|there|someone like (?:me|him|her|them)|like (?:his|hers|mine|that))\W*$", re.I)


def told(question: str, history: Sequence[str], concepts) -> Resolution | None:
    """The question with the concepts the last turn told, when that turn was a statement, not a question.

    ``concepts`` names the lexicon's concepts in a text (Analyzer.concept_phrases): only those are
    carried, not everything the person said ("im so tired").
    """
    last = history[-1] if history else ""
    if not _told(last) or len(content_words(question)) > TOLD_MAX_CONTENT and not _TOLD_POINTER.search(question):
        return None
    run = _told_run(history)
    if _PAST_END.search(question):
        # "what happens after that's done?" after "I just got out of a 28 day program" / "they want me to do IOP
        # now": the program that will end is the last one told; the ones before it are over already
        run = run[-1:]
    carried = list(dict.fromkeys(c for turn in run for c in concepts(turn)))
    return Resolution(question, f"{_closed(question)} {' '.join(carried)}", "told") if carried else None


def _closed(question: str) -> str:
    """The question ended as a sentence, so that a phrase rule never reads the told words carried after it as
    its continuation: "can i still do an iop" + "work" (from "i work full time") read "does iop work"."""
    question = question.strip()
    return question if not question or question[-1] in "?!." else f"{question}?"


# A short turn that opens on the asker ("im pregnant", "my son drinks") still tells something about them:
# only a bare lookup ("ptsd iop") is too short to be a statement
_FIRST_PERSON = re.compile(r"^\W*(?:i|i'm|im|i am|i've|ive|my|we|we're|were|our)\b", re.I)


def _told(turn: str) -> bool:
    """Whether a turn tells something ("my brother did inpatient for cocaine") rather than asks or greets."""
    words = len(turn.split())
    return ((words >= MIN_STATEMENT_WORDS or words >= 2 and _FIRST_PERSON.match(turn.replace("’", "'")))
            and "?" not in turn and not smalltalk_kind(turn)
            and not _OWN_QUESTION.match(_without_discourse(turn.lower().replace("’", "'"))))


def _told_run(history: Sequence[str]) -> list[str]:
    """The statements the last turns made, in order: "my brother did inpatient for cocaine" / "he's going to
    IOP next" tell one story, which the question after them is about."""
    run = []
    for turn in reversed(history):
        if not _told(turn):
            break
        run.insert(0, turn)
    return run


# Follow-ups that lean on the last turn through a pronoun: after a turn that told something ("he just
# finished 30 days at a rehab place" / "what's usually the next step for someone like him?") what was told
# is what the pronoun leans on, not only the program it named
TOLD_FOLLOWUPS = ("pronoun", "pronoun_lead")
# "that" or "him" points at what was told or who it was about; "they" and "it" at the program, whose
# subject the follow-up already carries ("my kid is in an iop" / "do they have anything to teach us parents")
_POINTS_AT_TOLD = re.compile(r"\b(?:that|this|those|these|him|her|he|she)\b", re.I)


def told_followup(resolution: Resolution, history: Sequence[str], concepts) -> Resolution:
    """A follow-up after a statement, with the told concepts its resolution does not carry yet."""
    last = history[-1] if history else ""
    if (resolution.rule not in TOLD_FOLLOWUPS or len(last.split()) < MIN_STATEMENT_WORDS or _asks(last)
            or smalltalk_kind(last) or not _POINTS_AT_TOLD.search(resolution.question)
            or _DEFINITION.match(resolution.question) and _subjects(last)):  # "what is that": the subject told
        return resolution
    have = set(_tokens(resolution.resolved))
    # a condition or who it is for stays an aspect, as for a question ("thinking about iop for my anxiety" /
    # "do they do just groups or also 1 on 1" asks about groups), unless "for that" points at it
    kinds = () if _FOR_THAT.search(resolution.question) else ("condition", "audience")
    told_concepts = dict.fromkeys(c for turn in (_told_run(history) or [last]) for c in concepts(turn))
    carried = [c for c in told_concepts if not set(_tokens(c)) <= have and not _named_kind(c, kinds)]
    if not carried:
        return resolution
    return dataclasses.replace(resolution, resolved=f"{_closed(resolution.resolved)} {' '.join(carried)}")


def _named_kind(text: str, kinds: tuple[str, ...]) -> bool:
    """Whether a phrase names a subject of one of these kinds ("anxiety" is a condition)."""
    return any(subject_kind(m) in kinds for m in _SUBJECT_RE.finditer(text))


def previous_topic(history: Sequence[str]) -> str:
    """The most recent substantive history question, resolved (for the low-confidence retry)."""
    if not history:
        return ""
    return resolve(history[-1], history[:-1]).resolved if not smalltalk_kind(history[-1]) else ""


# --- the turn pipeline --------------------------------------------------------------------------

@dataclass(frozen=True)
class CorpusState:
    """What answering needs about an engine's corpus, computed once per engine."""

    stats: compose.CorpusStats
    headings: tuple[compose.Heading, ...]
    popular: tuple[str, ...]
    sentences: Mapping[str, tuple[compose.PassageSentence, ...]]
    neighbours: Mapping[str, Mapping[int, tuple[str, ...]]]


_STATE_LOCK = threading.Lock()
_STATE: dict[int, tuple[Any, CorpusState]] = {}


def corpus_state(engine) -> CorpusState:
    """Term statistics, question headings, popular topics and passage sentences of an engine."""
    with _STATE_LOCK:
        cached = _STATE.get(id(engine))
        if cached is None or cached[0] is not engine:
            stats = compose.corpus_stats(engine.chunks, engine.analyzer)
            headings = compose.question_headings(engine.chunks, engine.analyzer)
            popular = compose.popular_topics(headings, engine.analyzer, stats=stats)
            sentences = compose.passage_sentences(engine.chunks, engine.analyzer)
            cached = (engine, CorpusState(stats, headings, popular, sentences, sequence.neighbours(engine.chunks)))
            _STATE[id(engine)] = cached
    return cached[1]


def _safety():
    """bot.safety, or None while it is not installed (written by another stage)."""
    try:
        from . import safety
    except ModuleNotFoundError as exc:  # pragma: no cover - only before safety.py exists
        if exc.name != f"{__package__}.safety":
            raise
        return None
    return safety


def _assess(message: str, history: Sequence[str]):
    safety = _safety()
    return safety.assess(message, list(history)) if safety else None


def crisis_reply(assessment, settings: Mapping[str, Any]) -> Reply:
    """A crisis reply: the crisis message and the resources for its kinds, never citations."""
    safety = _safety()
    try:
        resources = safety.load_resources(settings["CRISIS_RESOURCES_FILE"])
    except (OSError, ValueError):
        # The crisis message itself names the lines; a broken resources file must not stop it.
        log.exception("crisis resources unavailable")
        resources = ()
    return Reply(type="crisis", answer=safety.crisis_message(assessment.kinds, assessment.spanish),
                 resources=tuple(safety.select_resources(resources, assessment.kinds)),
                 confidence=1.0, disclaimer=compose.disclaimer(settings["HANDOFF_TEXT"]))


def _search(engine, text: str, asked: str | None = None) -> tuple[SearchResult, list[str]]:
    result = engine.search(text, k=10, asked=asked)
    terms = list(result.terms) or engine.analyzer.terms(text, query=True)
    return result, terms


def step_resolution(engine, state: CorpusState, question: str, history: Sequence[str]) -> Resolution | None:
    """"and after that?" after an answer from a schedule: the question names the section that follows.

    The previous turn is searched again (the client keeps only questions) to find the section it was
    answered from; its neighbour's heading is what the follow-up asks about.
    """
    step = sequence.step_of(question)
    earlier = [h for h in history if h.strip() and not smalltalk_kind(h)]
    if not step or not earlier:
        return None
    previous = step_resolution(engine, state, earlier[-1], earlier[:-1]) or resolve(earlier[-1], earlier[:-1])
    hits = engine.search(previous.resolved, k=1).hits
    path = state.neighbours.get(hits[0].chunk.id, {}).get(step) if hits else None
    return Resolution(question, f"{question.strip()} {path[-1]}", "sequence") if path else None


def respond(engine, settings: Mapping[str, Any], question: str, history: Sequence[str] = ()) -> Reply:
    """One turn: what the API and the CLI both answer to ``question`` after ``history``."""
    question = question.strip()
    history = [h for h in history if isinstance(h, str)][-int(settings.get("MAX_HISTORY", 10)):]
    handoff = settings["HANDOFF_TEXT"]
    state = corpus_state(engine)
    stats, headings, popular = state.stats, state.headings, state.popular

    assessment = _assess(question, history)
    if assessment is not None and assessment.crisis:
        reply = crisis_reply(assessment, settings)
        return dataclasses.replace(reply, resolved_question=question, extra={"resolved_question": question})
    note = _safety().resources_note() if assessment is not None and assessment.sensitive_topic else None

    kind = smalltalk_kind(question)
    if kind:
        return Reply(type="smalltalk", answer=SMALLTALK_REPLIES[kind].format(handoff=handoff),
                     confidence=1.0, suggestions=popular, disclaimer=compose.disclaimer(handoff),
                     note=note, resolved_question=question, extra={"resolved_question": question})

    if engine.analyzer.is_spanish(question):
        return Reply(type="fallback", answer=compose.spanish_fallback_text(), confidence=0.0,
                     suggestions=popular, disclaimer=compose.disclaimer(handoff), note=note,
                     resolved_question=question, extra={"resolved_question": question})

    threshold = float(settings["CONFIDENCE_THRESHOLD"])
    resolution = step_resolution(engine, state, question, history) or resolve(question, history)
    if resolution.rule == "standalone":
        resolution = told(question, history, engine.analyzer.concept_phrases) or resolution
    else:
        resolution = told_followup(resolution, history, engine.analyzer.concept_phrases)
    followup = resolution.rule != "standalone"
    result, terms = _search(engine, resolution.resolved, resolution.question if followup else None)
    if followup and result.confidence < threshold and content_words(question):
        # The words carried from history may be what sinks it ("...uses meth" + "can the family be part of it?"):
        # the concepts the last turn named carry less ("flashbacks" from "I was in a bad car wreck last year and
        # still get flashbacks"), and the question alone nothing
        named = list(dict.fromkeys(engine.analyzer.concept_phrases(history[-1]))) if history else []
        narrower = [f"{question} {' '.join(named)}"] if named else []
        tried = [(text, *_search(engine, text)) for text in narrower + [question]]
        text, alone, alone_terms = max(tried, key=lambda t: t[1].confidence)
        if alone.confidence >= threshold:
            resolution = Resolution(question, text, "low_confidence")
            result, terms = alone, alone_terms
    elif resolution.rule == "standalone" and result.confidence < threshold:
        topic = previous_topic(history)
        if topic:
            # A question that retrieves poorly alone may lean on the last topic ("what would be better then?").
            retry = f"{question} {' '.join(content_words(topic))}"
            retry_result, retry_terms = _search(engine, retry)
            if retry_result.confidence >= threshold and retry_result.confidence > result.confidence:
                resolution = Resolution(question, retry, "low_confidence")
                result, terms = retry_result, retry_terms

    answer, citations = ("", ())
    if result.hits and result.confidence >= threshold:
        max_words = int(settings["ANSWER_MAX_WORDS"])
        if resolution.rule == "rephrase":  # "simpler pls", "the short version": the last answer, shorter
            max_words //= 2
        answer, citations = compose.compose_answer(
            resolution.resolved, terms, result, engine.analyzer, stats, max_words, state.sentences, question)
    extra = {"resolved_question": resolution.resolved}
    if not citations:
        return Reply(type="fallback", answer=compose.fallback_text(handoff), confidence=result.confidence,
                     suggestions=popular, disclaimer=compose.disclaimer(handoff), note=note,
                     resolved_question=resolution.resolved, extra=extra)
    suggestions = compose.suggest(headings, terms, citations, popular, stats=stats,
                                  answer_terms=engine.analyzer.terms(answer, forms=False))
    return Reply(type="answer", answer=answer, citations=citations, confidence=result.confidence,
                 suggestions=suggestions, disclaimer=compose.disclaimer(handoff), note=note,
                 resolved_question=resolution.resolved, extra=extra)
