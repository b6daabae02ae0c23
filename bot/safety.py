"""Crisis detection: recognise a person at risk and answer with help before anything else.

A transparent, layered, rule-based detector (no ML, works offline). Pure functions; message text is
never logged or stored, and ``Assessment.reasons`` holds rule names only.

Layers:
1. ``normalize``: NFKC, lowercase, plain apostrophes, emoji -> words, leetspeak, letter elongation,
   slang and contraction expansion, and a small Damerau edit-distance tolerance against a risk lexicon.
2. Risk statements (``RULES``): weighted regexes by kind, written with first-person ``{I}``, specific
   third-person ``{TP}`` and reflexive ``{SELF}`` slots, plus intent / plan / means / now markers.
3. Frames that cancel a statement: negation just before it, an idiom, a generic subject ("a client
   who", "someone"), a hypothetical ("what should I do if"), or a past-only event ("years ago") with no
   sign it is back. A cancelled statement, like any topic word, only sets ``sensitive_topic``.
4. History: an earlier risk statement plus a means / time / "already took them" follow-up is a crisis.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from bot.models import Resource

KINDS = ("suicide", "self_harm", "overdose", "harm_others", "abuse", "child")
# Urgency order for resources and messages: immediate physical danger first.
_URGENCY = {"overdose": 0, "suicide": 1, "harm_others": 2, "self_harm": 3, "child": 4, "abuse": 5}
MAX_CHARS = 4000  # longer messages are read up to here (keeps every check fast)
DEFAULT_RESOURCES = Path(__file__).parent / "data" / "crisis_resources.toml"

# ---------------------------------------------------------------------------------------------
# Data tables (patterns as data). Slots: {I} first person, {TP} a specific third person,
# {SELF} any reflexive, {MYSELF} first-person reflexive, {REL} a relation noun, {W} up to 3 words.
# ---------------------------------------------------------------------------------------------

EMOJI = {
    "🔫": " shoot ", "💊": " pills ", "🪦": " die ", "⚰️": " die ", "⚰": " die ", "🩸": " blood ",
    "🔪": " knife ", "🪢": " rope ", "💉": " needle ", "☠️": " die ", "☠": " die ", "🌉": " bridge ",
}
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

# Whole-phrase slang and contractions, applied on word boundaries after lowercasing.
SLANG = [
    (r"\bkms+\b", "kill myself"), (r"\bkys\b", "kill yourself"),
    (r"\bun ?alive\b", "kill"), (r"\bunaliving\b", "killing"),
    (r"\bsewer ?slide\w*", "suicide"), (r"\bsu[il1]c[il1]de\b", "suicide"), (r"\bsuicid\b", "suicide"),
    (r"\bself[- ]?delet(e|ing)\b", "kill myself"), (r"\bdelete myself\b", "kill myself"),
    (r"\bctb\b", "suicide"), (r"\bcatch(ing)? the bus\b", "suicide"),
    (r"\boff (my|him|her|them)sel(f|ves)\b", r"kill \1self"),
    (r"\bo\.?d\.?'?(d|ed)\b", "overdosed"), (r"\bo\.?d\.?'?ing\b", "overdosing"),
    (r"\bod\b", "overdose"), (r"\bods\b", "overdoses"),
    (r"\bsh\b", "self harm"), (r"\bself[- ]?harm", "self harm"), (r"\bself[- ]?injur", "self injur"),
    (r"\bwanna\b", "want to"), (r"\bgonna\b", "going to"), (r"\bgotta\b", "got to"),
    (r"\bi'?m\b", "i am"), (r"\bi'?ve\b", "i have"), (r"\bi'll\b", "i will"), (r"\bi'd\b", "i would"),
    (r"\b(he|she|it|that|what|there)'s\b", r"\1 is"), (r"\b(he|she|they|you|we)'ll\b", r"\1 will"),
    (r"\b(he|she|they|you|we)'d\b", r"\1 would"), (r"\b(they|you|we)'re\b", r"\1 are"),
    (r"\bcan'?t\b", "cannot"), (r"\bwon'?t\b", "will not"), (r"\bain'?t\b", "is not"),
    (r"\b(do|does|did|is|are|was|were|would|could|should|has|have|had)n'?t\b", r"\1 not"),
    (r"\b(what|that|there|he|she|it)s\b(?= (?:the|no|a|not|going|gonna|been|my|all|it|so|really|just|over|too|on|in|at|getting|saying|talking|is|he|she|i))", r"\1 is"),
    (r"\b(dont|doesnt|didnt|isnt|wasnt|wouldnt|couldnt|shouldnt|havent|hasnt|arent)\b",
     lambda m: m.group(1)[:-2] + " not"), (r"\bcant\b", "cannot"),
    (r"\babt\b", "about"), (r"\bw/o\b", "without"), (r"\bw/\b", "with"),
    (r"\b(want|wanna|going|have|need|wish|ready|hope|like|got|deserve|plan) 2\b", r"\1 to"), (r"\brn\b", "right now"), (r"\btn\b", "tonight"), (r"\b2nite\b", "tonight"),
    (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\bbf\b", "boyfriend"), (r"\bgf\b", "girlfriend"),
    (r"\bmy ?sel[fv]e?\b", "myself"), (r"\bkil+\b", "kill"), (r"\bcuttin\b", "cutting"),
    (r"\bdy(in|ing)\b", "dying"), (r"\bdieing\b", "dying"),
]
SLANG = [(re.compile(p), r) for p, r in SLANG]

# Damerau distance <= 1 (<= 2 for words of 8+ letters) to these words is read as the word.
RISK_LEXICON = ("suicide", "suicidal", "myself", "himself", "herself", "themselves", "overdose",
                "overdosing", "overdosed", "breathing", "seizure", "seizing", "harming", "abusive",
                "abusing", "strangled", "unconscious", "unresponsive")
# Real words one edit from a lexicon word: never "corrected".
NOT_TYPOS = frozenset({"seizures", "harmony", "breathe", "breathed", "abusers", "abuser", "theirselves"})

REL = (r"(?:son|daughter|kid|kids|child|teen|teenager|brother|sister|mom|mother|mum|dad|father|"
       r"stepdad|stepmom|husband|wife|partner|boyfriend|girlfriend|fiance|fiancee|friend|best friend|"
       r"roommate|cousin|uncle|aunt|grandma|grandpa|grandmother|grandfather|niece|nephew|ex|"
       r"boss|coworker|neighbor|neighbour|client|patient|baby|toddler|spouse|bro|sis|buddy|classmate|teacher|coach|"
       r"babysitter|stepbrother|stepsister|stepfather|stepmother|parents?|family|landlord|pastor|manager|guy|girl|"
       r"man|woman|kids|children|students?|wife|sibling|twin|grandson|granddaughter)")
SLOTS = {
    "I": r"\bi (?:(?!if |when |whenever |but |do if )\w+ ){0,3}?",
    "TP": r"(?:\b(?:he|she|they)|\bmy (?:\w+ )?" + REL + r"(?: \w+)?) (?:\w+ ){0,3}?",
    "SELF": r"(?:myself|himself|herself|themselves|themself)",
    "MYSELF": r"myself",
    "REL": REL,
    "W": r"(?:\w+ ){0,3}?",
    "PILLS": (r"(?:pills?|meds|medication|medicine|tablets|oxy\w*|xanax|bars|percs?|perc\w+|vicodin|"
              r"tylenol|benzos?|sleeping pills|sertraline|zoloft|prozac|insulin|opioids?|painkillers|"
              r"fentanyl|fent|heroin|lithium|seroquel|ambien|klonopin|ativan|adderall|advil)"),
    "TARGET": (r"(?:(?:my|his|her|their|the|this|that|a|an|our|your) (?:\w+ )?(?:" + REL + r"|people|everyone|teachers?|"
               r"coworkers?|neighbors?|class|school|office|ex)|him|her|them|someone|somebody|people|everyone|everybody|"
               r"anyone|anybody|you|y all|all of (?:them|you))\b"),
    "NOW": r"(?:right now|now|tonight|today|this weekend|tomorrow|soon|currently|at the moment)",
}


def _p(pattern: str) -> re.Pattern:
    return re.compile(re.sub(r"\{([A-Z]+)\}", lambda m: SLOTS[m.group(1)], pattern))


# (name, kind, weight, pattern). weight 1.0 = crisis on its own; lower weights add up (>= 1.0).
RULES_SRC: list[tuple[str, str, float, str]] = [
    # --- suicide: direct ---
    ("kill_self", "suicide", 1.0, r"\b(?:kill|killing|shoot|shooting|hang|hanging|end|ending) {SELF}\b"),
    ("want_die", "suicide", 1.0,
     r"(?:{I}|^|\b(?:he|she|they|{REL}) (?:\w+ )?)(?:want|wants|wanted|wanting|wish|wishes|ready|going|plan|planning|"
     r"decided|try|trying|tempted|deserve|hope|hoping|pray|praying) (?:to |i |that i )?(?:just )?(?:die|be dead|not wake up|never wake up|end it all)\b"),
    ("wish_dead", "suicide", 1.0, r"\b(?:i|he|she|they) (?:just )?wish(?:es)? (?:i|he|she|they) (?:was|were|could be) dead\b"),
    ("better_off_dead", "suicide", 1.0,
     r"\bbetter off (?:dead|without (?:me|him|her|them)|if (?:i|he|she) (?:was|were|was not|were not|am not) "
     r"(?:gone|dead|here|around|alive))"),
    ("not_want_live", "suicide", 1.0,
     r"\b(?:do|does) not (?:really )?(?:want|wanna) to (?:live|be alive|exist|wake up|be here anymore|"
     r"be here any more|be around anymore|keep living|go on)\b"),
    ("end_life", "suicide", 1.0, r"\bend(?:ing)? (?:my|his|her|their) (?:own )?life\b"),
    ("end_it_all", "suicide", 1.0, r"\bend(?:ing)? it all\b"),
    ("end_it_intent", "suicide", 1.0,
     r"\b(?:going to|want to|thinking about|think about|decided to|plan to|planning to|ready to|about to|"
     r"gonna|will|should|might|could|wanna|need to) (?:just )?end (?:it|things|everything|this)\b(?! early)(?! program)"),
    ("suicidal_self", "suicide", 1.0,
     r"(?:\bi (?:am|feel|have been|been|get|keep|was) (?:\w+ ){0,2}?|\b(?:is|am|feeling|feel) )suicidal\b"),
    ("suicidal_thoughts_now", "suicide", 1.0,
     r"(?:\bi (?:(?!if |when |whenever |but |do if )\w+ ){0,3}?(?:have|having|get|getting)|\bmy) (?:\w+ )?(?:suicidal|suicide) (?:thoughts|ideation|urges|feelings)"),
    ("suicidal_thoughts_persist", "suicide", 1.0,
     r"(?:suicidal|suicide) (?:thoughts|ideation|urges|feelings) (?:will not|do not|does not|wont|dont|never) stop"),
    ("thinking_suicide", "suicide", 1.0,
     r"(?:^|\bi (?:(?!if |when |whenever |but |do if )\w+ ){0,3}?|\bbeen |\bkeep |\bkept |\bstill )(?:think|thinking|thought|obsess\w*) (?:about|of) "
     r"(?:suicide|killing myself|ending (?:it|my life|things)|dying|death|being dead|not being here)"),
    ("suicide_intent", "suicide", 1.0,
     r"\b(?:commit|committing|do|doing|attempt|attempting|going to|want to|about to|plan to|planning to|planning|ready to|"
     r"ready for|decided on|thinking of|considering|contemplating) (?:commit |committing )?suicide\b"),
    ("method_intent", "suicide", 1.0,
     r"\b(?:i|he|she|they|{REL}) (?:\w+ ){0,3}?(?:going to|want to|wants to|wanting to|urge to|urges to|plan to|planning to|planning on|about to|will|ready to|"
     r"thinking about|thinking of|decided to|might) (?:hang|shoot|drown|gas|poison|suffocate|slit|jump off|jump from|"
     r"jump in front|step in front|walk into (?:oncoming )?traffic|drive (?:\w+ )?into (?:oncoming )?(?:traffic|a wall|a tree|the river)|crash|drive (?:my|his|her|the) (?:\w+ )?(?:car|truck) (?:into|off)|"
     r"(?:take|taking|swallow|swallowing|down|downing) (?:all|every|the whole|a whole|a bottle|a handful)|overdose|overdosing|"
     r"od|cut (?:my|his|her) (?:wrists?|throat))"),
    ("what_i_might_do", "suicide", 1.0, r"\bwhat (?:i|he|she) (?:might|will|could|am going to|is going to) do to (?:myself|himself|herself)"),
    ("third_talks_suicide", "suicide", 1.0,
     r"\b(?:he|she|they|{REL}) (?:\w+ ){0,2}?(?:talks|talking|talked|texted|texting|posted|posting|said|says|saying|"
     r"mentioned|mentions|writes|wrote|joked|joking|keeps saying|threatening|threatened) (?:about |of )?"
     r"(?:suicide|killing (?:him|her|them)sel\w*|dying|wanting to die|ending (?:his|her|their) life|ending it|not being here)"),
    ("use_until_die", "suicide", 1.0,
     r"\b(?:use|using|drink|drinking|keep going|party|partying) (?:\w+ ){0,3}?(?:until|till|til) (?:i|he|she) "
     r"(?:die|dies|am dead|is dead|overdose|overdoses|od)\b|\b(?:drink|use|drug|smoke) (?:my|him|her)self to death\b"),
    ("last_message", "suicide", 1.0,
     r"\bmy (?:last|final) (?:message|post|text|words|night|day|goodbye|note)\b|\bthis is goodbye\b"),
    ("no_point_anything", "suicide", 0.6,
     r"\bno (?:point|reason) (?:in|to|for) (?:anything|any of (?:this|it)|trying|anymore|going on|me)\b|"
     r"\b(?:what is the|whats the) point (?:of|in) (?:anything|any of (?:this|it)|trying|me)\b"),
    ("cannot_take_it", "suicide", 0.5,
     r"\b(?:cannot|can not) (?:do|take|handle|bear|stand) (?:this|it|life|any of this|much more) ?(?:anymore|any more|much longer)\b"),
    ("hopeless", "suicide", 0.4,
     r"\b(?:hopeless|worthless|a burden|trapped|empty inside|numb|give up|giving up|waste of (?:space|oxygen|air)|"
     r"life is (?:pointless|meaningless|hell|not worth it)|hate my life|hate myself)\b"),
    ("want_out", "suicide", 0.6, r"\bi (?:just )?want (?:out|it to be over|it all to be over|to stop existing)\b"),
    ("want_out_life", "suicide", 1.0, r"\bwant out of (?:life|this life|this world|existence)\b"),
    ("only_way_out", "suicide", 1.0,
     r"\b(?:suicide|dying|death|killing myself|ending it|ending my life) (?:is|seems|feels|looks) (?:like )?(?:the|my) "
     r"(?:only|best|last|easiest) (?:way|option|answer|choice|solution|way out)|\bthe only (?:way out|option|answer|solution) "
     r"(?:is|left is) (?:death|dying|suicide|to die|killing myself)"),
    ("noose", "suicide", 1.0, r"\bnoose\b|\btie a (?:rope|knot) (?:to|around)"),
    ("using_it", "suicide", 0.6,
     r"\b(?:thinking about|think about|thought about|tempted to|want to|urge to) (?:using|use) (?:it|them|the gun|a gun|my gun)\b"),
    ("gun_mention", "suicide", 0.5, r"\b(?:gun|guns|firearm|rifle|pistol|handgun)\b"),
    ("suicide_now", "suicide", 1.0, r"\bsuicide (?:is looking|looks|sounds|seems) (?:\w+ )?(?:good|better|nice|like)"),
    ("suicide_plan", "suicide", 1.0, r"\b(?:suicide|goodbye|farewell) (?:note|letter|message|post|video)s?\b"),
    ("goodbye_letters", "suicide", 1.0, r"\b(?:wrote|written|writing|posted|sent) (?:\w+ )?goodbye"),
    ("attempt_recent", "suicide", 1.0,
     r"\b(?:tried|try|attempted|attempt) (?:to )?(?:kill|end|hurt) {SELF}\b"),
    ("attempt_again", "suicide", 1.0, r"\b(?:attempted|tried) (?:\w+ ){0,4}?(?:again|back|lately|recently)\b"),
    ("try_again", "suicide", 1.0, r"\b(?:i will|i am going to|scared i will|afraid i will) (?:try|do it) again\b"),
    ("thoughts_back", "suicide", 0.6, r"\b(?:the )?(?:thoughts|urges) (?:are )?(?:back|coming back|returning)\b"),
    # --- suicide: indirect ---
    ("point_living", "suicide", 1.0,
     r"\b(?:what is the |no )point (?:of|in) (?:living|life|being alive|going on|me being here|existing|staying alive)"),
    ("no_reason_live", "suicide", 1.0,
     r"\bno (?:reason|point) (?:for me )?(?:to|in) (?:keep going|keep living|live|living|go on|going on|stay alive|be alive|be here)"),
    ("not_worth_living", "suicide", 1.0, r"\blife (?:is not|is no longer|isnt|not) worth (?:living|it)"),
    ("cannot_go_on", "suicide", 0.6, r"\b(?:cannot|can not|do not want to) (?:go on|keep going|keep living)\b"),
    ("not_want_alive", "suicide", 1.0,
     r"\bnot (?:\w+ ){0,3}?(?:want|wanna) to (?:be alive|live|exist|be here|wake up)(?: anymore| any more| tomorrow)?\b"),
    ("normal_want_die", "suicide", 1.0, r"\b(?:normal|okay|ok|wrong|bad|weird) to (?:want|wish|hope) to (?:die|be dead|not wake up)"),
    ("nothing_to_live_for", "suicide", 1.0,
     r"\bnothing (?:left )?(?:to|worth) (?:live|living|stay|staying) (?:for|alive)|\bno (?:reason|one|body) (?:left )?to live for\b"),
    ("others_better_without", "suicide", 1.0,
     r"\b(?:everyone|everybody|they|my family|the world|people|you|y all|you all|all of you|he|she|my \w+) (?:\w+ ){0,2}?"
     r"(?:would|will|d) (?:all )?be (?:better|happier|fine|relieved|better off)(?: off)? (?:if i (?:was|were|am|died|disappeared|"
     r"killed)|without me|when i am gone|once i am gone)"),
    ("wish_not_exist", "suicide", 1.0,
     r"\bwish (?:i|he|she) (?:could )?(?:just )?(?:did not|could not|would not|not|never) (?:exist|existed|been born|was born|wake up)|"
     r"\bwish i (?:was|were|had) never (?:born|been born)"),
    ("goodbye_all", "suicide", 1.0, r"\bgoodbye (?:world|forever|for good|cruel world)\b"),
    ("goodbye_everyone", "suicide", 0.6, r"\b(?:goodbye|farewell) (?:everyone|everybody|all|guys)\b"),
    ("sorry_everything", "suicide", 0.4, r"\bi am (?:so |really )?sorry\b"),
    ("done_with_life", "suicide", 1.0, r"\b(?:done|finished) with (?:life|living|being alive|everything and everyone)\b"),
    ("tired_alive", "suicide", 1.0, r"\btired of (?:being alive|living|life|existing|being here)\b"),
    ("no_way_out", "suicide", 0.6, r"\b(?:no|not see a|not see any) way out\b"),
    ("way_out_dying", "suicide", 1.0, r"\bway out (?:\w+ ){0,2}(?:dying|death|suicide|killing)"),
    ("nobody_miss", "suicide", 1.0,
     r"\b(?:nobody|no one|no body|noone|nobody even|no one even) (?:would|will|is going to) (?:\w+ )?"
     r"(?:miss me|care if i (?:died|was gone|disappeared|killed)|notice if i (?:died|was gone|disappeared|killed|were gone))"),
    ("disappear_forever", "suicide", 1.0, r"\bdisappear(?:ed)? (?:forever|for good|permanently|and never (?:come back|be found|return))"),
    ("sleep_forever", "suicide", 1.0,
     r"\b(?:sleep|go to sleep|fall asleep) (?:forever|and never wake up|and not wake up|and never wake)|"
     r"\b(?:hoping|hope|wish|pray|praying) (?:i|to) (?:do not|never|will not|would not|wont|dont|not) wake up"),
    ("not_around_long", "suicide", 1.0, r"\bnot (?:\w+ ){0,3}?(?:be|going to be|still be) (?:around|here|alive) (?:much )?(?:longer|for long|tomorrow|next week)"),
    ("after_im_gone", "suicide", 0.8, r"\b(?:after|when|once) (?:i am|i am finally|im) gone\b"),
    ("giving_away", "suicide", 0.8, r"\bgiving (?:away )?(?:\w+ )?(?:stuff|things|belongings|possessions|pets?)(?: away)?\b"),
    ("burden_hopeless", "suicide", 1.0, r"\b(?:i am|i feel like) a burden\b(?:.*\b(?:never|nothing|better off|everyone))"),
    ("painless_way", "suicide", 1.0,
     r"\b(?:painless|easiest|quickest|fastest|best|surest) way to (?:die|kill|end)|\bhow (?:to|do i|can i|would i) "
     r"(?:kill myself|end my life|die|commit suicide|overdose|od)\b"),
    ("how_many_take", "suicide", 1.0,
     r"\bhow (?:many|much) (?:of )?(?:my |these |those |the |her |his )?(?:\w+ )?{PILLS}?\s?(?:would|will|does|do|did) it take\b"
     r"(?! to (?:see|get|notice|work|start|feel|finish|graduate|complete))"),
    ("lethal_dose_mine", "suicide", 1.0,
     r"\bhow (?:much|many) (?:\w+ ){0,2}(?:is|are|would be|would it be) (?:lethal|fatal|deadly|an overdose|enough to (?:die|kill|od|overdose))|"
     r"\b(?:lethal|fatal|deadly) (?:dose|amount) (?:of )?(?:my|these|her|his)\b"),
    ("on_bridge", "suicide", 1.0,
     r"\b(?:standing|sitting|am|i am) on (?:the|a|top of the|this) (?:bridge|ledge|roof|rooftop|edge|tracks|railing)|"
     r"\b(?:jump|jumping) (?:off|from|in front of) (?:the|a|this)\b"),
    ("gun_self", "suicide", 1.0, r"\b(?:gun|pistol|rifle|it|rope|noose) (?:\w+ ){0,2}on (?:myself|himself|herself)\b"),
    ("means_rope", "suicide", 0.6, r"\brope\b"),
    ("looking_at_it", "suicide", 0.5, r"\b(?:keep|kept|been|am|sit) (?:looking|staring) at (?:it|them)\b"),
    ("saving_pills", "suicide", 1.0,
     r"\b(?:saving|saved|stockpil\w*|hoarding|hoarded|stashing|collecting|lined|lining) (?:up )?(?:all )?(?:\w+ )?{PILLS}|"
     r"\b{PILLS} (?:\w+ )?(?:saved|stashed|lined up)|\b(?:lined|lining) (?:them|it|\w+) up\b"),
    ("finally_do_it", "suicide", 1.0, r"\b(?:when|before|until) (?:i|he|she) (?:finally |actually )?(?:do|does) it\b|\btonight is the night\b"),
    # --- self harm ---
    ("cut_self", "self_harm", 1.0,
     r"\b(?:cut|cuts|cutting|burn|burns|burned|burnt|burning|scratch|scratching|slice|sliced|slicing|carve|carving|"
     r"carved|harm|harming|hurt|hurting|starve|starving|bite|biting|hit|hitting|punch|punching) "
     r"(?:on )?(?:{SELF}|(?:my|his|her|their) (?:own )?(?:arms?|wrists?|legs?|thighs?|skin|stomach|body|hips?|"
     r"forearms?))\b|\b(?:bang|banging|hit|hitting|smash|smashing) my head (?:against|on|into)|"
     r"\bpunch(?:ed|ing)? (?:the |a )?walls? until"),
    ("self_harm_first", "self_harm", 1.0,
     r"\b(?:i|he|she|they|{REL}) (?:\w+ ){0,2}?(?:self harm|self harms|self harming|self injure|self injuring)\b"
     r"|\b(?:is|am|are|been|keep|started|start) (?:\w+ )?(?:self harming|self injuring)\b"),
    ("cut_intent", "self_harm", 1.0,
     r"\b(?:going to|about to|want to|gonna|plan to|planning to|ready to|need to|will) (?:cut|self harm|burn myself)\b"
     r"(?! (?:back|down|out|corners|class|costs|ties|the|it|in|off|a\b|an\b|some|carbs|sugar|my (?:hair|nails|hours|losses)|"
     r"your|his|her|their|our|ties|loose|through|across|short|to|from|them|this|that)\b)"),
    ("relapse_sh", "self_harm", 1.0, r"\brelapsed? (?:on |with |into )?(?:self harm|cutting|sh)\b|\bself harm (?:relapse|again)"),
    ("cutting_again", "self_harm", 1.0,
     r"\b(?:cutting|cut|burning|self harming) again\b|\b(?:been|started|keep|kept|am|is) cutting\b(?! (?:back|down|out|corners|class|costs|ties))"),
    ("urge_cut", "self_harm", 1.0,
     r"\b(?:urges?|want|wanting|wanna|need|needing|tempted|itching|craving) (?:so bad )?to (?:cut|self harm|hurt myself|"
     r"burn myself|harm myself|cut myself)\b(?! (?:back|down|out|corners|class|costs|ties))"),
    ("bleeding_cut", "self_harm", 1.0,
     r"\b(?:bleeding|blood) (?:\w+ ){0,4}?(?:where i cut|from (?:my|the) cuts?|from my (?:wrists?|arms?|legs?|thighs?))\b|"
     r"\b(?:cut|cuts) (?:\w+ ){0,3}?(?:will not|wont) stop bleeding"),
    ("until_bleed", "self_harm", 1.0, r"\buntil (?:\w+ ){0,2}?(?:bleed|bleeds|bled|bleeding)\b"),
    ("blade_in_hand", "self_harm", 0.6, r"\b(?:razor|blade|knife|lighter) (?:is )?(?:in my hand|right here|next to me|in front of me)"),
    # --- overdose / medical emergency now ---
    ("overdosing", "overdose", 1.0, r"\boverdosing\b|\b(?:\w+) (?:just )?overdosed\b(?! (?:\w+ ){0,3}?(?:years?|months?) ago)"),
    ("took_too_many", "overdose", 1.0,
     r"\b(?:took|taken|take|swallowed|ate|drank|downed|popped) (?:like |about |maybe |around |over )?"
     r"(?:too many|too much|a (?:whole |full )?bottle|the whole bottle|a handful|handfuls|all (?:of )?(?:my|her|his|the|their)|"
     r"everything|(?:[5-9]|\d\d+)(?! ?(?:mg|milligrams|ml|mcg|units|minutes|hours|days))|twenty|thirty|fifty|a bunch of|"
     r"a lot of (?:\w+ )?{PILLS})"),
    ("got_into_pills", "overdose", 1.0, r"\bgot into (?:my|the|his|her|our) (?:\w+ )?{PILLS}"),
    ("not_breathing", "overdose", 1.0,
     r"\b(?:not|is not|isnt|stopped|barely|cannot|can not) (?:\w+ )?breathing\b|\blips (?:are |turning |went )?(?:blue|purple)"),
    ("cannot_wake", "overdose", 1.0,
     r"\b(?:cannot|can not|could not|unable to) (?:wake|rouse) (?:him|her|them|my \w+|\w+)|\bwill not (?:wake up|respond)\b|"
     r"\bunresponsive\b|\bpassed out and (?:will not|is not|not)\b"),
    ("gave_narcan", "overdose", 1.0, r"\b(?:gave|give|giving|used) (?:him|her|them|my \w+) (?:narcan|naloxone)"),
    ("seizure_now", "overdose", 1.0,
     r"\b(?:having|had|is having|has had|went into) (?:a )?(?:seizure|seizures|fit)\b(?! (?:disorder|history|meds|medication))|\bseizing\b|\bconvulsing\b"),
    ("withdrawal_now", "overdose", 1.0,
     r"\b(?:stopped|quit|stopping|quitting) (?:\w+ )?(?:drinking|benzos?|xanax|alcohol)\b.*\b(?:shaking (?:really |so )?bad|"
     r"seeing things|hallucinat\w+|seizure|seizing|confused|cannot stop shaking)|\bcold turkey\b.*\b(?:shaking|seeing things|hallucinat)|"
     r"\b(?:shaking|seeing things|hallucinat\w*|seizing|convulsing|confused) (?:\w+ ){0,4}?(?:after|since) (?:\w+ )?"
     r"(?:stopping|quitting|stopped|quit|coming off) (?:\w+ )?(?:drinking|benzos?|xanax|alcohol|klonopin|ativan|valium)"),
    # "out of it" is dazed, not "what do people get out of it?" or "snap out of it"
    ("mixed_and_out", "overdose", 1.0,
     r"(?<!get )(?<!gets )(?<!got )(?<!getting )(?<!gain )(?<!take )(?<!took )(?<!make )(?<!made )(?<!way )"
     r"(?<!grow )(?<!snap )(?<!talk )(?<!talked )(?<!come )(?<!came )\bout of it\b"
     r"|\b(?:barely conscious|not making sense|turning blue|foaming)\b"),
    ("took_all", "overdose", 0.6, r"\b(?:took|swallowed|taken|downed|popped) (?:them|it|these|those) all\b|\b(?:took|swallowed) all of them\b"),
    ("pills_mention", "overdose", 0.4, r"\b{PILLS}\b"),
    ("collapsed", "overdose", 1.0,
     r"\b(?:collapsed|passed out|blacked out|turned blue|turning blue|is unconscious|fell unconscious|not responding|"
     r"foaming at the mouth|went limp)\b"),
    ("took_them", "overdose", 0.6, r"\b(?:already )?(?:took|swallowed|taken) (?:them|it|all of them|the pills)\b"),
    # --- harm to others ---
    ("kill_other", "harm_others", 1.0,
     r"\b(?:i|he|she|they|{REL}) (?:\w+ ){0,2}?(?:going to|want to|wants to|will|plan to|planning to|about to|wanna|gonna|could|"
     r"thinking about|think about|thoughts about|thoughts of|urges to|scared i will|afraid i will|talking about|talks about|"
     r"keeps saying|says|said|threatening to|threatened to|might|ready to|imagine|imagining|fantasize about|"
     r"fantasizing about|dream about|dreaming about|picture|picturing|scared of|afraid of) (?:\w+ and )?"
     r"(?:kill|killing|hurt|hurting|shoot|shooting|stab|stabbing|murder|murdering|strangle|strangling|beat|beating|harm|harming|"
     r"poison|poisoning|run over|attack|attacking|choke|choking|drown|drowning|beat (?:the \w+ )?out of|"
     r"beating (?:the \w+ )?out of) {TARGET}"),
    ("thoughts_hurting", "harm_others", 1.0,
     r"\b(?:thoughts|urges|fantasies) (?:about|of) (?:hurting|killing|harming|shooting|stabbing) "
     r"{TARGET}"),
    ("shoot_up", "harm_others", 1.0, r"\bshoot (?:up )?(?:my|the|this|a) (?:school|work|office|church|class|mall|place|clinic)"),
    ("use_gun_at", "harm_others", 1.0,
     r"\b(?:use|using|bring|bringing|take|taking|fire|shoot) (?:it|the gun|a gun|his gun|her gun|my gun|them) "
     r"(?:at|to|into|up) (?:the )?(?:school|work|class|office|church|mall|clinic|group|meeting)"),
    ("bring_gun", "harm_others", 1.0, r"\bbring (?:my |a )?(?:gun|rifle|knife|weapon) to (?:work|school|group|class|the)"),
    ("make_pay", "harm_others", 0.6, r"\bmake (?:him|her|them) pay\b"),
    ("weapon", "harm_others", 0.5, r"\b(?:i have|i got|i bought|has|have) (?:a |my |his |her )?(?:\w+ )?(?:knife|weapon|machete|bat)\b"),
    ("control_anger", "harm_others", 0.5, r"\b(?:cannot|can not) control (?:my|his|her) (?:anger|rage|temper)"),
    # --- abuse / danger at home ---
    ("hits_me", "abuse", 1.0,
     r"\b(?:he|she|they|my (?:\w+ )?{REL}|{REL}s?) (?:\w+ ){0,3}?(?:hits|hit|beats|beat|chokes|choked|punches|punched|"
     r"kicks|kicked|slaps|slapped|strangles|strangled|shoves|shoved|rapes|raped|abuses|abused|hurts|hurt|burns|hitting|"
     r"beating|choking|punching|kicking|slapping|hurting|abusing|raping|threatens|threatening|forces|forced|starves|starved|"
     r"starving|locks|locked|chains|chained|ties up|tied up|neglects|burned|"
     r"touches|touched|molests|molested|attacks|attacked|pushed|grabs) (?:me|her|him|them|us|my (?:\w+ )?(?:{REL}|mom|kids|children|baby))\b"),
    ("throws_at_me", "abuse", 1.0, r"\b(?:throws|threw|throwing) (?:\w+ ){0,2}?at (?:me|us|my (?:mom|kids|\w+))\b"),
    ("threat_kill_me", "abuse", 1.0,
     r"\b(?:said|says|threatened|threatens|threatening|told me|swears) (?:that )?(?:he|she|they)? ?"
     r"(?:will|would|is going to|going to|to)? ?(?:kill|hurt|shoot|stab|beat) (?:me|us|my)\b"),
    ("fear_partner", "abuse", 1.0,
     r"\b(?:scared|afraid|terrified) (?:that )?(?:he|she|they|my (?:\w+ )?{REL}) (?:will|is going to|might|would|is gonna) "
     r"(?:kill|hurt|beat|hit|find) (?:me|us|my)\b|\b(?:scared|afraid|terrified) (?:of|for my life around) (?:my (?:\w+ )?{REL}|him|her)\b"),
    ("i_unsafe", "abuse", 1.0, r"\bi (?:am|feel) (?:not safe|unsafe)\b|\bi do not feel safe\b"),
    ("unsafe_home", "abuse", 1.0,
     r"\b(?:do not|does not|not|never) feel safe (?:at home|at my house|in my (?:home|house)|around (?:him|her|my))|"
     r"\b(?:not|is not) safe (?:at home|in my (?:home|house))|\b(?:afraid|scared|terrified) (?:to go|of going) home\b"),
    ("controlled", "abuse", 1.0,
     r"\b(?:will not|does not|not) let me (?:leave|go out|out|see|have|talk|call|eat)|\btook my (?:phone|keys|car keys|money|passport)\b"),
    ("hiding_from", "abuse", 1.0,
     r"\bhiding (?:in|from) (?:the |my )?(?:\w+ )?(?:bathroom|closet|room|car|him|her|them|my)\b"),
    ("abusive_rel", "abuse", 1.0,
     r"\b(?:i am|i am in|in|stuck in|trapped in) (?:an |a )?(?:abusive|violent) (?:relationship|marriage|home|household)|"
     r"\b(?:i am|i was|i got|i have been|i been|is|was|being|am being|are being|is being|got) (?:\w+ )?(?:abused|molested|beaten|raped|"
     r"assaulted|attacked|strangled|choked)\b"),
    ("locked_in", "child", 1.0, r"\block(?:s|ed)? (?:me|us|them|him|her) in (?:my|the|our|a|his|her) (?:room|closet|basement)"),
    ("locked_in_me", "abuse", 1.0, r"\bi am (?:locked|trapped|chained) (?:in|inside)\b"),
    ("night_visits", "abuse", 1.0, r"\b(?:comes|came|sneaks|snuck|gets) (?:in|into) my (?:room|bed) (?:at night|when)"),
    ("kids_alone", "child", 1.0,
     r"\b(?:leaves|left|leaving|leave) (?:my|her|his|their|the) (?:\w+ )?(?:kids|children|kid|child|baby|toddler|son|daughter)s? "
     r"(?:\w+ ){0,2}?alone\b"),
    ("shakes_baby", "child", 1.0, r"\b(?:shakes|shook|shaking|hits|hit|throws|threw) (?:the|my|our|her|his) (?:baby|infant|toddler)\b"),
]
RULES = [(n, k, w, _p(p)) for n, k, w, p in RULES_SRC]
# Rules whose own wording is negative ("do not want to live"): a "not" inside their match is not a negation.
NEG_INSIDE = {n for n, _, _, p in RULES_SRC if re.search(r"not\b|never\b", p)}

# Topic words: set sensitive_topic (never crisis on their own).
TOPIC = _p(
    r"\b(?:suicid\w*|kill (?:my|him|her|them)sel\w*|killed (?:my|him|her|them)sel\w*|self harm\w*|self injur\w*|"
    r"cutting|overdos\w*|narcan|naloxone|abus\w*|domestic violence|violence|rape\w*|assault\w*|molest\w*|"
    r"want\w* to die|die|dying|death|seizures?|withdrawal|lethal\w*|safety plan\w*|crisis|hurt (?:my|him|her|them)sel\w*|"
    r"harm\w* (?:others|another|someone)|threaten\w* to|mandated report\w*|neglect\w*|used to cut|cut (?:my|him|her)sel\w*|"
    r"dts|delirium tremens|detox\w*|shakes|withdrawals?|grief|bereave\w*)\b")

# Frames that cancel a risk statement (searched in the same clause, before or around the match).
NEGATION = re.compile(r"\b(?:not|never|no longer|wouldnt|would never|could never)\s+(?:\w+\s+)?$")
IMMUNE = {"painless_way", "how_many_take", "lethal_dose_mine", "on_bridge", "normal_want_die"}
IDIOM = _p(
    r"\b(?:dying|die|dead|died) (?:to|of) (?:know|see|hear|try|meet|find|get|curiosity|laughter|laughing|embarrassment|boredom|"
    r"hunger|thirst)|\bto die for\b|\bkill(?:ing)? (?:it|time)\b|\bkill for\b|\bkilling me\b|\bkills me\b|"
    r"\bbored to death\b|\bscared to death\b|\bdead tired\b|\bdied laughing\b|\bkill me if (?:i|we) (?:miss|am late|forget|fail|skip|lose|break|do not|get|spend|eat|show up late|"
    r"say|tell (?:her|him) about the)|\bkill me (?:lol|haha|lmao)\b|"
    r"\b(?:phone|battery|laptop|car|plant|plants|computer) (?:\w+ )?(?:died|is dead|dead)\b|\brather die than\b|"
    r"\bdie of embarrassment\b|\bshoot (?:me|you|us) (?:an? )?(?:email|text|message|note|line)\b|\b(?:a|give \w+ a) shot\b|"
    r"\bkiller\b|\bcould (?:murder|kill|eat) (?:a|an|some|for)\b|\bkill(?:ing)? (?:my|the|these|those|your) (?:\w+ )?"
    r"(?:cravings?|urges?|buzz|pain|headache|habit|addiction|appetite|vibe|mood|time|hunger|thirst|anxiety|bugs|germs)\b|"
    r"\bkill(?:ing)? (?:myself|me) (?:with|over|at|trying|for) (?!(?:pills|drugs|alcohol|booze|heroin|fentanyl|meds|a gun|"
    r"this gun|my gun|rope|a rope))|\bwork(?:ing)? (?:myself|me) to death\b|\boverkill\b|\bcut (?:back|down|out|it out|corners|ties|class)\b|\bcutting (?:back|down|out|corners|class)\b|"
    r"\bcut my (?:hand|finger|thumb|hair|nails)\b|\bhurt my (?:back|knee|leg|ankle|wrist|shoulder|neck|foot|hand)\b|"
    r"\bburnt? out\b|\boverdos\w* on (?:netflix|tv|television|coffee|caffeine|sugar|candy|chocolate|cake|love|work|shows?|"
    r"youtube|tiktok|memes|anime|games|sun|vitamin \w)\b|\bhang(?:ing)? out\b")
GENERIC = _p(
    r"\b(?:someone|somebody|anyone|anybody|people|a person|persons|a loved one|loved ones|clients?|patients?|members?|"
    r"callers?|students?|teens?|adolescents|veterans|survivors|individuals|those|folks|a (?:friend|family member|child|kid|parent|"
    r"partner|spouse|teen|teenager|client|patient|member|caller|peer))\b(?: (?:who|that|with|whose|when|if|is|says|said|talks|tells|"
    r"mentions|discloses|reports|threatens|has|have|are))?")
HYPOTHETICAL = re.compile(
    r"\b(?:if|when|whenever|in case|what if|suppose|supposing)\b|\bwhat (?:should|do|can|would) (?:i|we|you|staff|they) do\b|"
    r"\bhow (?:do|should|can|would) (?:i|we|you|staff|they|counselors|therapists|programs|clinicians)\b|"
    r"\b(?:policy|protocol|procedure|training|document|chart|mandated)\b|\bwarning signs?\b|\bsymptoms?\b|"
    r"\bwhat (?:is|are|does)\b|\bexplain\b|\bis it (?:dangerous|safe|normal to mix)\b")
PAST = re.compile(
    r"\b(?:years? ago|months ago|a long time ago|in the past|used to|when i was (?:a kid|young|younger|little|in)|"
    r"in (?:high school|college|middle school)|last year|as a (?:kid|teen|child)|been clean|clean since|sober since|"
    r"history of|survived|in (?:19|20)\d\d|(?:died|passed away|lost)\b)")
RECURRENCE = re.compile(
    r"\b(?:again|back|lately|recently|still|now|right now|tonight|today|this week|last week|last night|yesterday|"
    r"scared i will|afraid i will|urges?|every day|all the time)\b")
NOW = _p(r"\b{NOW}\b|\bright here\b|\bin (?:my|his|her) hand\b|\bin front of me\b|\bready\b|\bplan\b")
# Follow-up signals that complete a risk statement made earlier in the conversation.
FOLLOW_UP = _p(
    r"\b(?:{PILLS}|gun|rope|razor|blade|knife|bridge|roof|tonight|right now|now|today|right here|in my hand|in front of me|"
    r"took (?:them|it)|already|yes|yeah|yep|yea|ya|plan|goodbye|do it|ready)\b")
CHILD_VICTIM = re.compile(
    r"\b(?:kids?|child|children|baby|infant|toddler|little (?:brother|sister)|niece|nephew|son|daughter|stepson|"
    r"stepdaughter|grandkids?|grandson|granddaughter)\b|\bi am (?:1[0-7]|[5-9]|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen)\b|\b(?:1[0-7]|[5-9]) (?:years? old|yo|y o)\b|\b(?:am|im) (?:1[0-7])\b")
# Suicide slang, matched before normalization turns it into plain words: on its own it is a crisis.
SLANG_SUICIDE = re.compile(r"\b(?:kms+|ctb|sewer ?slide\w*|un ?aliv\w*|self ?delet\w*|catch(?:ing)? the bus)\b")
CLAUSE_SPLIT = re.compile(r"[.!?;\n]+|,\s*(?=(?:but|and|so|does|do|is|can|how|what|i|he|she)\b)|\bbut\b")


# ---------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------

def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, returning ``limit + 1`` early when it is exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=4096)
def _fix_typo(word: str) -> str:
    if len(word) < 5 or word in RISK_LEXICON or word in NOT_TYPOS or not word.isalpha():
        return word
    for target in RISK_LEXICON:
        limit = 2 if len(target) >= 8 and len(word) >= 7 else 1
        if word[0] == target[0] and _damerau(word, target, limit) <= limit:
            return target
    return word


def _deleet(match: re.Match) -> str:
    token = match.group(0)
    if any(c.isalpha() for c in token) and any(not c.isalpha() for c in token):
        return token.translate(LEET)
    return token


def normalize(text: str) -> str:
    """The form every rule is matched in: see the module docstring, layer 1."""
    text = unicodedata.normalize("NFKC", text or "")
    for emoji, word in EMOJI.items():
        text = text.replace(emoji, word)
    text = text.lower().translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"}))
    text = re.sub(r"[a-z0-9@$]*[a-z][a-z0-9@$]*", _deleet, text)  # "k1ll" -> "kill", "$uicide" -> "suicide"
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "diiiie" -> "die", "soooo" -> "so"
    text = re.sub(r"[-_*]+", " ", text)
    for pattern, repl in SLANG:
        text = pattern.sub(repl, text)
    text = re.sub(r"([a-z])'s\b", r"\1s", text).replace("'", "")
    text = re.sub(r"[a-z]+", lambda m: _fix_typo(m.group(0)), text)
    for pattern, repl in SLANG:  # once more, for words the typo layer just repaired
        text = pattern.sub(repl, text)
    text = re.sub(r"[^\w.!?;,\n]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# Assessment
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assessment:
    crisis: bool
    kinds: tuple[str, ...]  # empty if not crisis
    sensitive_topic: bool
    reasons: tuple[str, ...] = ()  # rule names, never message text
    spanish: bool = False  # the risk was said in Spanish: the reply adds how to get help in Spanish


# Spanish: the articles are English, but a person at risk may write in Spanish and must still get help.
# High-precision first-person phrases only (accents folded, lowercase); a negated "no quiero morir" is left out.
SPANISH_RULES_SRC: tuple[tuple[str, str, str], ...] = (
    ("es_suicide", "suicide",
     r"(?<!no )\b(?:quiero|quisiera|voy a|pienso|estoy pensando en|pensando en|tengo ganas de|deseo) "
     r"(?:suicidarme|matarme|morirme|morir|quitarme la vida|acabar con mi vida|desaparecer para siempre)\b"),
    ("es_suicide_me", "suicide", r"(?<!no )\bme (?:quiero|voy a) (?:matar|suicidar|morir)\b"),
    ("es_not_live", "suicide", r"\bno quiero (?:seguir )?(?:vivir|viviendo|estar viv[oa]|despertar|existir)\b"),
    ("es_thoughts", "suicide", r"\b(?:tengo|tiene|con) (?:pensamientos|ideas) (?:suicidas|de suicidio|de matarme)\b"),
    ("es_better_dead", "suicide", r"\b(?:estaria|estarian|estarias) mejor muert[oa]s?\b|\bmejor (?:muert[oa]|sin mi)\b"),
    ("es_self_harm", "self_harm", r"(?<!no )\b(?:me corto|cortarme|me lastimo|lastimarme|hacerme dano|me hago dano)\b"),
    ("es_overdose", "overdose",
     r"\b(?:me tome|se tomo|tomo|tome) (?:muchas|todas las|un frasco de|demasiadas) (?:pastillas|pildoras)\b"
     r"|\bno (?:respira|despierta|reacciona)\b|\bsobredosis (?:ahora|ahorita)\b"),
    ("es_harm_others", "harm_others", r"\bvoy a matar(?:lo|la|los|las|te)\b"),
    ("es_abuse", "abuse", r"\bme (?:pega|golpea|amenaza|quiere matar|va a matar)\b|\btengo miedo de mi (?:esposo|esposa|pareja|novio|novia|marido)\b"),
)
SPANISH_RULES = tuple((name, kind, re.compile(pattern)) for name, kind, pattern in SPANISH_RULES_SRC)


def _spanish_kinds(message: str) -> list[tuple[str, str]]:
    """(rule, kind) for each Spanish risk phrase in a message."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", message.lower()) if not unicodedata.combining(c))
    return [(name, kind) for name, kind, pattern in SPANISH_RULES if pattern.search(folded)]


def _clauses(text: str) -> list[str]:
    return [c.strip(" ,") for c in CLAUSE_SPLIT.split(text) if c and c.strip(" ,")]


def _cancelled(name: str, kind: str, clause: str, m: re.Match, first_person: bool) -> str | None:
    """The frame that cancels match ``m`` of rule ``name`` in ``clause``, or None if it stands."""
    before = clause[: m.start()]
    if NEGATION.search(before) or (name not in NEG_INSIDE and re.search(r"\b(?:not|never)\b", m.group(0))):
        return "negated"
    span = clause[max(0, m.start() - 30): m.end() + 30]
    if IDIOM.search(span):
        return "idiom"
    now = bool(NOW.search(clause))
    if PAST.search(clause) and not RECURRENCE.search(clause):
        return "past"
    specific = re.search(r"\bmy (?:\w+ )?" + REL + r"\b", clause)
    if name in IMMUNE:
        return None
    if GENERIC.search(before + m.group(0)) and not first_person and not specific and not now and kind != "overdose":
        return "generic"
    hyp = list(HYPOTHETICAL.finditer(before))
    if hyp and not now:
        # "if my ex shows up i am going to stab him": a conditional threat is still a threat.
        condition = before[hyp[-1].end():].split()
        if first_person and hyp[-1].group(0) in ("if", "when", "whenever") and len(condition) >= 3 and (
                kind == "harm_others" or condition[0] not in ("i", "you", "someone", "somebody", "a", "the")):
            return None
        return "hypothetical"
    return None


def _scan(text: str) -> tuple[dict[str, float], list[str], bool]:
    """Risk scores by kind, rule names that fired, and whether a sensitive topic was mentioned."""
    scores: dict[str, float] = {}
    reasons: list[str] = []
    sensitive = bool(TOPIC.search(IDIOM.sub(" ", text)))
    for clause in _clauses(text):
        for name, kind, weight, pattern in RULES:
            m = pattern.search(clause)
            if not m:
                continue
            first_person = bool(re.search(r"\b(?:i|me|my|myself)\b", m.group(0))) or m.start() == 0
            why = _cancelled(name, kind, clause, m, first_person)
            sensitive = True if kind != "harm_others" or why is None else sensitive
            if why:
                reasons.append(f"{name}:{why}")
                continue
            if name in ("hits_me", "threat_kill_me", "abusive_rel", "controlled", "locked_in_me", "night_visits",
                        "fear_partner") and CHILD_VICTIM.search(clause):
                kind = "child"
            elif kind == "harm_others" and CHILD_VICTIM.search(m.group(0)):
                scores["child"] = scores.get("child", 0.0) + weight
            scores[kind] = scores.get(kind, 0.0) + weight
            reasons.append(name)
    return scores, reasons, sensitive


def assess(message: str, history: Sequence[str] = ()) -> Assessment:
    """Whether ``message`` (with earlier user messages, oldest first) shows someone at risk now."""
    message = (message if isinstance(message, str) else str(message))[:MAX_CHARS]
    history = [h if isinstance(h, str) else str(h) for h in history][-4:]
    text = normalize(message)
    scores, reasons, sensitive = _scan(text)
    lite = re.sub(r"([a-z])\1{2,}", r"\1", unicodedata.normalize("NFKC", message).lower())
    slang = SLANG_SUICIDE.search(lite)
    if slang and "suicide" not in scores:
        if HYPOTHETICAL.search(lite[: slang.start()]) or GENERIC.search(lite[: slang.start()]) or NEGATION.search(
                lite[: slang.start()]):
            reasons.append("suicide_slang:frame")
        else:
            scores["suicide"] = 1.0
            reasons.append("suicide_slang")
        sensitive = True
    # Weak signals combine: means + now, rope + looking at it, weapon + intent.
    total = sum(w for k, w in scores.items())
    kinds = {k for k, w in scores.items() if w >= 1.0}
    if not kinds and total >= 1.0:
        kinds = {max(scores, key=lambda k: scores[k])}
    if not kinds and scores and NOW.search(text) and total >= 0.5:
        kinds = {max(scores, key=lambda k: scores[k])}
        reasons.append("weak+now")
    # Layer 4: a risk statement earlier in the conversation, completed by this message.
    if not kinds and history:
        recent = [normalize(h[:MAX_CHARS]) for h in history]
        past_scores: dict[str, float] = {}
        for h in recent:
            s, _, hs = _scan(h)
            sensitive = sensitive or hs
            for k, w in s.items():
                past_scores[k] = past_scores.get(k, 0.0) + w
        past_kinds = {k for k, w in past_scores.items() if w >= 1.0}
        if past_kinds and (scores or FOLLOW_UP.search(text)):
            kinds = past_kinds | set(scores)
            if "took_them" in reasons or re.search(r"\b(?:took|swallowed|taken)\b", text):
                kinds.add("overdose")
            reasons.append("history")
    spanish = _spanish_kinds(message)
    if spanish:
        kinds = set(kinds) | {kind for _, kind in spanish}
        reasons += [name for name, _ in spanish]
    if kinds:
        ordered = tuple(sorted(kinds, key=lambda k: _URGENCY[k]))
        return Assessment(True, ordered, True, tuple(dict.fromkeys(reasons)), spanish=bool(spanish))
    return Assessment(False, (), sensitive, tuple(dict.fromkeys(reasons)))


# ---------------------------------------------------------------------------------------------
# Resources and messages
# ---------------------------------------------------------------------------------------------

def load_resources(path: str | Path = DEFAULT_RESOURCES) -> tuple[Resource, ...]:
    """Read ``[[resource]]`` tables from a TOML file; ValueError naming the file if it is invalid."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read crisis resources: {exc}") from exc
    entries = data.get("resource")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected one or more [[resource]] tables")
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}: resource {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: not a table")
        unknown = set(entry) - {"name", "phone", "sms", "sms_body", "url", "description", "kinds"}
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: 'name' must be a non-empty string")
        for key in ("phone", "sms", "sms_body", "url", "description"):
            if key in entry and not isinstance(entry[key], str):
                raise ValueError(f"{where} ({name}): '{key}' must be a string")
        if not any(entry.get(k) for k in ("phone", "sms", "url")):
            raise ValueError(f"{where} ({name}): needs a phone, sms or url")
        if entry.get("sms_body") and not entry.get("sms"):
            raise ValueError(f"{where} ({name}): 'sms_body' given without 'sms'")
        kinds = entry.get("kinds", [])
        if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
            raise ValueError(f"{where} ({name}): 'kinds' must be a list drawn from {', '.join(KINDS)}")
        out.append(Resource(name=name.strip(), phone=entry.get("phone"), sms=entry.get("sms"),
                            sms_body=entry.get("sms_body"), url=entry.get("url"),
                            description=entry.get("description", ""), kinds=tuple(kinds)))
    return tuple(out)


def select_resources(resources: Iterable[Resource], kinds: Iterable[str]) -> tuple[Resource, ...]:
    """Resources for these kinds, most urgent first; a resource with no kinds is always shown.

    Order: 911 (immediate danger); lines made for one or two kinds (Poison Control, the Domestic
    Violence Hotline, Childhelp), most urgent kind first; always-shown lines (988); then broad lines
    (Crisis Text Line, SAMHSA). File order breaks ties.
    """
    wanted = set(kinds)
    chosen = []
    for order, r in enumerate(resources):
        matched = set(r.kinds) & wanted
        if r.kinds and not matched:
            continue
        if r.phone == "911":
            tier, urgency = 0, 0
        elif matched and len(r.kinds) <= 2:
            tier, urgency = 1, min(_URGENCY.get(k, 99) for k in matched)
        elif not r.kinds:
            tier, urgency = 2, 0
        else:
            tier, urgency = 3, 0
        chosen.append((tier, urgency, order, r))
    return tuple(r for *_, r in sorted(chosen, key=lambda t: t[:3]))


_OPENERS = {
    "overdose": "If someone may have overdosed, is having a seizure or is hard to wake, call 911 now and stay with them.",
    "suicide": "I'm really glad you told me. You don't have to go through this alone, and you deserve support right now.",
    "self_harm": "I'm glad you reached out. Hurting yourself is a sign of how much pain you're in, and you deserve support right now.",
    "harm_others": "It sounds like things feel out of control right now. Please reach out for help before anyone gets hurt.",
    "abuse": "No one deserves to be hurt or threatened, and your safety matters.",
    "child": "A child's safety matters most, and people are ready to help right now.",
}


SPANISH_HELP = ("Si usted o alguien está en peligro inmediato, llame al 911. Para hablar en español con un "
                "consejero de crisis, llame al 988 y oprima 2, o envíe un mensaje de texto con la palabra AYUDA al 988.")


def crisis_message(kinds: Iterable[str], spanish: bool = False) -> str:
    """A warm, short, safe-messaging reply for a crisis; contacts go alongside it as resources."""
    ordered = sorted({k for k in kinds if k in _OPENERS}, key=lambda k: _URGENCY[k]) or ["suicide"]
    lines = [_OPENERS[ordered[0]]]
    if len(ordered) > 1 and ordered[0] == "overdose":
        lines.append(_OPENERS[ordered[1]])
    lines.append("I'm an automated assistant, so I can't give you the help you need, but trained people can, "
                 "any time of day or night: call or text 988, or call 911 if anyone is in immediate danger.")
    if ordered[0] in ("abuse", "child"):
        lines.append("If you can, get to a safe place or near someone you trust.")
    else:
        lines.append("If you can, reach out to someone you trust and don't stay alone right now.")
    if spanish:
        lines.append(SPANISH_HELP)
    return " ".join(lines)


def resources_note() -> str:
    """The one-line note shown on sensitive-but-safe topics."""
    return "If you or someone you know is struggling, call or text 988 any time, or call 911 in an emergency."
