"""Answer composition: pick verbatim sentences from the retrieved passages and cite them.

Nothing here invents text. An answer is one to three sentences copied from cited passages, each
followed by its marker; suggestions are the corpus's own question-style headings.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, NamedTuple, Sequence

from .models import Chunk, Citation, Hit, SearchResult

MAX_SENTENCES = 3
# The lexicon group of "what should I ask a program?": only such a question is answered by a question
# the page lists for the reader to ask ("Are they in-network members of your insurance?").
ASK_LIST = "~ask_list"
CANDIDATE_HITS = 6  # passages whose sentences compete for the answer
# Two sentences say the same thing when most of the shorter one's terms are in the longer one and
# their terms overlap substantially overall (measured on the corpus: paraphrases score 0.6+/0.25+).
NEAR_DUPLICATE_CONTAINMENT = 0.6
NEAR_DUPLICATE_JACCARD = 0.25
MIN_SENTENCE_WORDS = 4
# A list whose items add up to more words than this is a run of paragraphs, answered one by one.
MAX_LIST_WORDS = 40
# A question word a list with a lead-in says only in one of its items, and running text also says, counts this
# share: the list is not about it (see _passing_mention; 0.5 measured: conversations 2949 -> 2954, gold 2956 -> 2961).
LIST_ITEM_SHARE = 0.5
ITEM_MATCH_SHARE = 0.5  # a listed question names what is asked when its own words weigh this share of a mean term

# What kind of answer a question asks for ("how long" -> a length) comes from the analyzer's question
# forms (corpus/synonyms.toml): a sentence that gives that kind of answer gets CUE_BONUS.
CUE_BONUS = 0.75  # in units of an average query term's weight
# A word of a phrase of several words naming a concept ("find one near me") is said by a sentence naming the
# concept otherwise ("choose a program") at this share: the phrase's other words carry the rest (0.5 measured
# on the gold set: full credit let such sentences crowd out those saying the words; 0.25 and 0.75 gained less).
PHRASE_WORD_SHARE = 0.5
# ... and a word naming a concept the whole corpus is about ("iop") at this lesser share: nearly every sentence
# names it, so full credit would flatten the word's preference for the sentences saying it, and none would
# leave "an intensive outpatient treatment program" short of "IOP" (0.3 measured on the gold set: none at all
# lost 6 answers and conversations, 0.15 and 0.5 gained less).
COMMON_CONCEPT_SHARE = 0.3
LEAD_BONUS = 0.5  # a query term among a sentence's first words: the sentence is about it
LEAD_WORDS = 6
# A pronoun-led sentence ("It's a type of psychotherapy...") leads on what it stands for when its antecedent
# opens on a question term weighing this share of the mean term (measured on the gold set: 0.75 gained 2
# answers and 2 conversations over 1.0; 0.5 let "They" for IOPs in and lost them again).
PRONOUN_TERM_SHARE = 0.75
OFF_TOPIC_PENALTY = 0.25
# A sentence naming the corpus topic with the subject a question places in it ("cognitive behavioral therapy is
# especially beneficial in an intensive outpatient treatment program" for "is cbt used in iop?") scores this much
# more: "IOP" weighs next to nothing, so sentences about CBT alone won (0.5 measured: 0.3 and 0.75 gained less).
TOGETHER_BONUS = 0.5
LABEL_PENALTY = 1.0
FIRST_BONUS = 0.3  # the first sentence of a passage usually states its topic
# Share of a sentence's score that follows its passage's retrieval score: retrieval also reads the passage's
# headings and its other sentences, so its best passage usually holds the answer (0.5 measured on the gold
# set: 0.4 let a lower passage's sentence that shares one more word crowd it out; 0.6+ churned more than it gained).
RANK_WEIGHT = 0.5
# A passage opening on a sentence this short, that scores best, usually names its topic ("No two IOPs are
# precisely alike.", "Group therapy is one of the major parts of IOP."), and the sentence after it says what
# about it ("Each rehab center offers a unique approach..."): that one scores at least FOLLOWER_SHARE of the
# best, so it is among the further sentences unless others score higher (measured on the gold set: 0.8 and
# 12 words gained 5 answers and 2 conversations; 0.9 or 15 words lost more conversations than they gained).
TOPIC_WORDS = 12
FOLLOWER_SHARE = 0.8
# A sentence whose "It"/"They" stands for what the best sentence names scores this much more (see _with_its_sequel;
# measured on conversations: 0.1 gained 2 and lost none, 0.2 and 0.3 let it crowd out answers to "what is iop?").
SEQUEL_BONUS = 0.1
MIN_NEW_TERMS = 3  # a sentence with fewer words than this beyond the question's says nothing new
# A further sentence must score this share of the best one, or this lower share when it covers query terms
# the chosen ones miss. Half the best keeps the how after the whether ("Call your insurance company..."
# after "most health insurance policies cover IOPs" for how to find out what a plan covers); 0.6 dropped it.
FURTHER_SHARE = 0.5
FURTHER_NEW_SHARE = 0.35

# Fixed "popular topics" for fallbacks and small talk, resolved to real headings at start-up.

POPULAR_TOPICS = (
    "what is an intensive outpatient program",
    "how long is an intensive outpatient program",
    "does insurance cover intensive outpatient program",
    "what happens in an intensive outpatient program",
)

_BULLET = re.compile(r"^[\s•·\-*–]+")
_NUMBERING = re.compile(r"^\s*\d+[.)]\s+")
_MARKER = re.compile(r"\[(\d+)\]")
_CELL_LABEL = re.compile(r"^([^:;.]{3,60}): \S")  # a rebuilt table cell starts with its column's name
# "While they might not be a part of every IOP, ...": a concession opening on "they" refers back too; on "it"
# it mostly refers to nothing ("While it is easy to find..."), and "If they think..." to whoever acts
_CLAUSE_THEY = r"(?:while|although|though)\s+they"
_PRONOUN_LEAD = re.compile(r"(?:it|it's|it’s|this|these|they|they're|they’re|such|%s)\b" % _CLAUSE_THEY, re.I)
# "is that like AA?", "isn't it just DBT?": a follow-up asking whether what was named is what it names now
_ASKS_WHAT_IT_IS = re.compile(r"(?:(?:so|and|but|ok|okay),?\s+)?(?:is|isn'?t|isn’t|are|aren'?t|aren’t)\s+"
                              r"(?:that|it|this|they|those|these)\b", re.I)
# "It"/"They" stand for a thing; "This"/"These" for what the sentence before says ("This process allows...")
_PERSONAL_PRONOUN_LEAD = re.compile(r"(?:it|it's|it’s|they|they're|they’re)\b", re.I)
# ... unless it goes on from the sentence before: "They are equally valuable for...", "It's also ideal for..."
_GOES_ON = re.compile(r"^(?:\S+\s+){0,3}(?:also|equally|too|as well|either|again|still)\b", re.I)
# A list item opening on a phrase this short ("Case management & care coordination.") labels the rest of its line.
LABEL_WORDS = 6
ANTECEDENT_SHARE = 0.8  # query terms met only in the sentence before a pronoun-led one count this much
HEADING_SHARE = 0.6  # ... and those met only in the passage's headings: a sentence is about its section's topic


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence: one of a passage's analysed sentences, with the hit it came from."""

    hit_rank: int
    hit: Hit
    part: "PassageSentence"
    first: bool = False
    antecedent: "Sentence | None" = None  # the sentence a pronoun-led one ("It's a type of...") refers back to
    previous: "Sentence | None" = None  # the sentence before it in its passage (a list's own sentences aside)

    @property
    def start(self) -> int:
        return self.part.start

    @property
    def text(self) -> str:
        return self.part.text

    @property
    def terms(self) -> frozenset[str]:
        return self.part.terms

    @property
    def lead(self) -> frozenset[str]:  # terms of the first LEAD_WORDS words
        return self.part.lead

    @property
    def label(self) -> frozenset[str]:  # synonym groups of a table cell's column ("Outpatient Treatment: ...")
        return self.part.label

    @property
    def heading(self) -> frozenset[str]:  # terms of its passage's heading path
        return self.part.heading


@dataclass(frozen=True)
class CorpusStats:
    """Document frequencies of analysed terms over all passages, for IDF-style weights."""

    df: dict
    n: int
    table: dict = field(default_factory=dict, compare=False, repr=False)  # idf of every seen term, computed once
    concept_cache: dict = field(default_factory=dict, compare=False, repr=False)  # headings' concepts, by terms

    def __post_init__(self) -> None:
        self.table.update((t, math.log(1.0 + (self.n + 1) / (f + 0.5))) for t, f in self.df.items())

    def idf(self, term: str) -> float:
        weight = self.table.get(term)
        return weight if weight is not None else math.log(1.0 + (self.n + 1) / 0.5)

    @property
    def common_idf(self) -> float:
        """The weight of a term in COMMON_SHARE of the passages: at or under it a term names the corpus."""
        return math.log(1.0 + (self.n + 1) / (COMMON_SHARE * self.n + 0.5))


def corpus_stats(chunks: Sequence[Chunk], analyzer) -> CorpusStats:
    """Count, for each term, the passages it occurs in."""
    df: dict[str, int] = {}
    for chunk in chunks:
        for term in set(analyzer.terms(chunk.text)):
            df[term] = df.get(term, 0) + 1
    return CorpusStats(df, len(chunks))


def words(text: str) -> int:
    return len(text.split())


def cue_kinds(question: str, analyzer) -> tuple[str, ...]:
    """The kinds of answer a question asks for, as form tokens ("#duration")."""
    return tuple(dict.fromkeys(analyzer.form_tokens(question, query=True)))


def _cue_hits(kinds: Iterable[str], sentence: "Sentence") -> int:
    return sum(1 for kind in kinds if kind in sentence.terms)


@dataclass(frozen=True)
class PassageSentence:
    """A sentence of a passage as analysed once at start-up: its span, text and terms."""

    start: int
    end: int
    text: str
    terms: frozenset[str]
    lead: frozenset[str]
    antecedent: int | None  # index of the sentence a pronoun-led one refers back to
    label: frozenset[str] = frozenset()
    heading: frozenset[str] = frozenset()  # terms of the passage's heading path, shared by its sentences
    listed: bool = False  # a list with its lead-in, rendered as one sentence ("including: A; B; C.")
    to_ask: bool = False  # a listed question ("- Are they in-network?"): an answer only to what to ask
    head: frozenset[str] = frozenset()  # terms of its first word: what a list item is ("Process" groups)
    context: bool = False  # the lead-in of a list continued from the passage before: read, never an answer
    item: bool = False  # a list item's line
    lead_in_terms: frozenset[str] | None = None  # a list's lead-in terms ("These sessions can offer support on:")


def split_passage(chunk: Chunk, analyzer) -> tuple[PassageSentence, ...]:
    """The readable sentences of one passage, trimmed of bullets but otherwise verbatim, and its lists."""
    text = chunk.text
    heading = frozenset(analyzer.terms(" ".join(chunk.heading_path)))
    out: list[PassageSentence] = []
    if chunk.context:  # "...questions you might want to ask. This may include;" before "- What expertise...?"
        out.append(PassageSentence(0, 0, chunk.context, frozenset(analyzer.terms(chunk.context)),
                                   _lead_terms(chunk.context, analyzer), None, heading=heading, context=True))
    for start, end in analyzer.sentence_spans(text):
        lead = _BULLET.match(text[start:end])
        if lead:
            start += lead.end()
        sentence = text[start:end].strip()
        start = text.find(sentence, start) if sentence else start
        bullet = bool(lead and lead.group(0).strip())
        to_ask = bullet and sentence.endswith("?")  # a question the page suggests asking a program
        if words(sentence) < MIN_SENTENCE_WORDS or sentence.endswith((":", ";")) or (
                sentence.endswith("?") and not to_ask):
            continue  # headings, questions and list lead-ins do not answer anything on their own
        antecedent = None
        if to_ask and out:  # "Are they in-network…?" is one of the questions the sentence before the list names
            antecedent = next((i for i in range(len(out) - 1, -1, -1) if not out[i].item), None)
        elif (out and not bullet and out[-1].item and "\n" not in text[out[-1].end:start]
              and words(out[-1].text) <= LABEL_WORDS):
            # "- Case management & care coordination. A team of professionals that share...": the item's
            # label names what the rest of its line explains
            antecedent = len(out) - 1
        elif out and _PRONOUN_LEAD.match(sentence) and not _ends_a_run_of_lines(text, out, start):
            # "It works by…" after "It's a type of psychotherapy…": both are about what the last sentence
            # naming something named
            antecedent = out[-1].antecedent if out[-1].antecedent is not None else len(out) - 1
        cell = _CELL_LABEL.match(sentence)
        label = frozenset(t for t in analyzer.terms(cell.group(1)) if t.startswith("~")) if cell else frozenset()
        out.append(PassageSentence(start, start + len(sentence), sentence, frozenset(analyzer.terms(sentence)),
                                   _lead_terms(sentence, analyzer), antecedent, label, heading, to_ask=to_ask,
                                   head=_head(sentence, analyzer) if bullet else frozenset(), item=bullet))
    for start, end in _lists(text):
        unit = _list_unit(text, start, end, analyzer, heading)
        if start == 0 and chunk.context:  # the items of a list whose lead-in is the passage before's
            unit = dataclasses.replace(unit, antecedent=0)
        elif _PRONOUN_LEAD.match(unit.text):
            # "This may include; Are they in-network...?": the list is what the sentence before it names
            before = [i for i, ps in enumerate(out) if not ps.listed and ps.end <= unit.start]
            if before:
                unit = dataclasses.replace(unit, antecedent=before[-1])
        out.append(unit)
    return tuple(out)


def _ends_a_run_of_lines(text: str, out: Sequence[PassageSentence], start: int) -> bool:
    """Whether the sentence at ``start`` opens a paragraph after lines of one sentence each, a list written
    without bullets ("Ongoing application of coping strategies.", "Continued involvement in community
    resources."): its "These programs" are not the last line's."""
    if len(out) < 2:
        return False
    gaps = (text[out[-2].end:out[-1].start], text[out[-1].end:start])
    return all("\n" in gap for gap in gaps) and (len(out) < 3 or "\n" in text[out[-3].end:out[-2].start])


def _lists(text: str) -> list[tuple[int, int]]:
    """Spans of a list with its lead-in (a line ending in ':' or ';' and the bullet lines under it), or of a
    list that opens the passage, whose heading is its lead-in ("Group Therapy" over three kinds of group)."""
    lines, offset, spans = [], 0, []
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    i = 0
    while i < len(lines):
        start, line = lines[i]
        bullet = line.startswith("- ")  # a run's first item: the rest of a run is skipped below
        first = i if bullet else i + 1
        j = first
        while j < len(lines) and lines[j][1].startswith("- "):
            j += 1
        lead_in = not bullet and line.rstrip().endswith((":", ";"))
        items = lines[first:j]
        # two items at least: one item is a sentence already
        if (bullet or lead_in) and len(items) >= 2 and sum(len(item.split()) for _, item in items) <= MAX_LIST_WORDS:
            last_start, last = lines[j - 1]
            spans.append((start, last_start + len(last)))
        i = max(j, i + 1)
    return spans


def _list_unit(text: str, start: int, end: int, analyzer,
               heading: frozenset[str] = frozenset()) -> PassageSentence:
    """A list read as one sentence: "…beneficial for individuals, including: Pregnant women; Adolescents"."""
    lines = text[start:end].split("\n")
    if lines[0].startswith("- "):  # no lead-in: the items alone
        lines = [""] + lines
    lead_in = lines[0].strip()
    sentences = analyzer.sentence_spans(lead_in)
    if len(sentences) > 1:  # the lead-in is the paragraph's last sentence
        lead_in = lead_in[sentences[-1][0]:]
    items = [_BULLET.sub("", line).strip().rstrip(".;") for line in lines[1:]]
    rendered = (lead_in + " " + " ".join(item if item.endswith("?") else item + ";" for item in items)).strip()
    rendered = rendered[:-1] + "." if rendered.endswith(";") else rendered
    begin = text.find(lead_in, start)
    return PassageSentence(begin, end, rendered, frozenset(analyzer.terms(rendered)),
                           _lead_terms(lead_in, analyzer) if lead_in else _shared_lead(items, analyzer), None,
                           heading=heading, listed=True,
                           lead_in_terms=frozenset(analyzer.terms(lead_in)) if lead_in else None)


def _shared_lead(items: Sequence[str], analyzer) -> frozenset[str]:
    """What a list without a lead-in is about: the terms its items all open on ("groups")."""
    return frozenset.intersection(*(_lead_terms(item, analyzer) for item in items))


def _lead_terms(sentence: str, analyzer) -> frozenset[str]:
    """Terms of a sentence's first LEAD_WORDS words: what it is about."""
    return frozenset(analyzer.terms(" ".join(sentence.split()[:LEAD_WORDS])))


def passage_sentences(chunks: Sequence[Chunk], analyzer) -> dict[str, tuple[PassageSentence, ...]]:
    """Every passage's sentences, by passage id: computed once, so a question costs no sentence splitting."""
    return {chunk.id: split_passage(chunk, analyzer) for chunk in chunks}


def candidate_sentences(result: SearchResult, analyzer, max_hits: int = CANDIDATE_HITS,
                        sentences: Mapping[str, tuple[PassageSentence, ...]] | None = None) -> list[Sentence]:
    """Every readable sentence of the top passages, with the hit it came from."""
    out: list[Sentence] = []
    for rank, hit in enumerate(result.hits[:max_hits]):
        split = sentences.get(hit.chunk.id) if sentences is not None else None
        if split is None:
            split = split_passage(hit.chunk, analyzer)
        mine: list[Sentence] = []
        lead = 1 if split and split[0].context else 0  # a continued list's lead-in comes first, never offered
        for i, ps in enumerate(split):
            antecedent = mine[ps.antecedent] if ps.antecedent is not None else None
            previous = next((m for m in reversed(mine) if not m.part.listed), None)
            mine.append(Sentence(rank, hit, ps, first=i == lead, antecedent=antecedent, previous=previous))
        out += mine[lead:]
    return out


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def near_duplicate(a: frozenset, b: frozenset) -> bool:
    """Whether two sentences' term sets say the same thing."""
    if not a or not b:
        return False
    containment = len(a & b) / min(len(a), len(b))
    return containment >= NEAR_DUPLICATE_CONTAINMENT and _jaccard(a, b) >= NEAR_DUPLICATE_JACCARD


def _content(sentence: "Sentence") -> frozenset[str]:
    """The terms that say what a sentence says, for telling duplicates: not its question-form tokens
    ("#duration"), the kind of answer it gives: two lengths need not be the same length."""
    return frozenset(t for t in sentence.terms if t[0] != "#")


class ConceptWord(NamedTuple):
    """A question word naming a lexicon concept (see named_concepts)."""

    groups: frozenset[str]  # the concept's group tokens ("~cbt")
    share: float  # of the word's weight, earned by a sentence naming the concept otherwise
    # the words naming the same concept the other way, when a follow-up names anew what an earlier turn named
    # ("is that the same as AA?" after "12 step"): a sentence saying those names the concept in them
    spelled_also: frozenset[str] = frozenset()


def named_concepts(question: str, weights: Mapping[str, float], analyzer,
                   stats: CorpusStats, asked: str | None = None) -> dict[str, ConceptWord]:
    """The question's own words that name a lexicon concept, each with its concept's group tokens and the
    share of the word's weight a sentence naming the concept otherwise earns: "cbt" -> ({"~cbt"}, 1.0).
    A sentence naming the concept in another member's words ("cognitive behavioral therapy") says the
    word too, so the asker's spelling does not outweigh the passage's (measured on the gold set: 28
    answers and 36 conversations more). ``asked`` is the turn as typed, when ``question`` is it resolved
    against history: a concept it names in other words than the carried ones ("is that like AA?" after
    "do iops use 12 step stuff") is asked about under both names, and a sentence saying one says only it."""
    common = stats.common_idf
    relates = asked is not None and (_ASKS_WHAT_IT_IS.match(asked.strip()) is not None
                                     or "#comparison" in cue_kinds(asked, analyzer))
    typed = frozenset(analyzer.terms(asked, forms=False)) if relates else None
    phrases = []
    for phrase in analyzer.concept_phrases(question):
        terms = analyzer.terms(phrase, forms=False)
        groups = frozenset(t for t in terms if t.startswith("~") and t in weights)
        said = frozenset(t for t in terms if t in weights and t[0] not in "#~")
        if groups and said:
            share = 1.0 if len(phrase.split()) == 1 else PHRASE_WORD_SHARE
            if any(weights[g] <= common for g in groups):
                share *= COMMON_CONCEPT_SHARE  # a concept the whole corpus is about ("IOP")
            phrases.append((groups, said, share, typed is None or said <= typed))
    out: dict[str, ConceptWord] = {}
    for groups, said, share, now in phrases:
        also = frozenset().union(*(other for g, other, _, then in phrases if g & groups and then != now)) - said
        for t in said:
            held = out.get(t, ConceptWord(frozenset(), 0.0))
            out[t] = ConceptWord(held.groups | groups, max(held.share, share), held.spelled_also | also)
    return out


def said_share(sentence: "Sentence", term: str, named: Mapping[str, ConceptWord] | None) -> float:
    """How much of a query term a sentence says: all of it in its own words, a share through the term's
    concept (see named_concepts), or none."""
    if term in sentence.terms:
        return 1.0
    word = named.get(term) if named else None
    if word is None or not word.groups & sentence.terms or word.spelled_also & sentence.terms:
        return 0.0
    return word.share


def _passing_mention(sentence: "Sentence", term: str, prose_terms: frozenset[str]) -> bool:
    """Whether a list with a lead-in says ``term`` only in its items while a sentence of running text says it
    too: "Trauma" among eleven topics the sessions cover is a passing mention beside "IOPs have shown great
    promise in helping with conditions like PTSD..."; "Pregnant women", which no other sentence names, is the
    answer."""
    lead_in = sentence.part.lead_in_terms
    return lead_in is not None and term in sentence.terms and term not in lead_in and term in prose_terms


def said_terms(sentence: "Sentence", named: Mapping[str, ConceptWord] | None) -> frozenset[str]:
    """A sentence's terms with the question's words it says through their concept (see named_concepts)."""
    if not named:
        return sentence.terms
    implied = {t for t in named if said_share(sentence, t, named) > 0}
    return sentence.terms | implied if implied else sentence.terms


def score_sentence(sentence: Sentence, weights: dict[str, float], kinds: tuple[str, ...],
                   top_score: float, max_words: int,
                   named: Mapping[str, ConceptWord] | None = None,
                   prose_terms: frozenset[str] = frozenset(), together: frozenset[str] = frozenset()) -> float:
    """Weighted query-term overlap, a bonus for the question type's cue, and the passage's rank."""
    if not weights:
        return 0.0
    terms = said_terms(sentence, named)
    own = sum(w * said_share(sentence, t, named)
              * (LIST_ITEM_SHARE if _passing_mention(sentence, t, prose_terms) else 1.0) for t, w in weights.items())
    mean = sum(weights.values()) / len(weights)
    cues = _cue_hits(kinds, sentence)
    # "It" in a pronoun-led sentence is its antecedent's subject; a heading lends its topic only to a
    # sentence that matches or answers the question's kind: it makes no sentence relevant alone.
    heading_share = HEADING_SHARE if own > 0 or cues else 0.0
    # Listed questions all share their lead-in's words ("questions to ask"): one borrows them only when
    # its own words match the question as much as an average term ("Are they in-network…?" for insurance).
    shared_floor = mean if sentence.part.to_ask else 0.0
    context = 0.0
    for t, w in weights.items():
        if t not in terms:
            # the antecedent says a word in its words or through the word's concept named in full ("AA" by
            # "12-step programs"): a part share ("IOP" for "intensive outpatient programs") would lend "They"
            # for IOPs a word to every sentence after one
            in_antecedent = (sentence.antecedent is not None and own >= shared_floor
                             and said_share(sentence.antecedent, t, named) >= 1.0)
            context += w * max(ANTECEDENT_SHARE * in_antecedent, heading_share * (t in sentence.heading))
    overlap = own + context
    score = overlap
    if overlap > 0:  # the right kind of answer about something else ("IOP is ..." for "what is a process group")
        score += CUE_BONUS * mean * cues
    # A question the page lists to ask ("What expertise do the therapists have?") is meant to repeat what
    # the asker wants to know: that it says little else is no sign it says nothing new.
    if not sentence.part.to_ask and len([t for t in terms if t not in weights and t[0] not in "#~"]) < MIN_NEW_TERMS:
        score *= 0.5  # "Case management & care coordination." only repeats "what is case management"
    if any(t in sentence.lead for t in weights) or _pronoun_names_asked(sentence, weights, mean):
        score += LEAD_BONUS * mean
    if any(t.startswith("~") and t not in weights for t in sentence.lead):
        # It opens on a concept the question does not ask about (the IOP row when asked about outpatient).
        score -= OFF_TOPIC_PENALTY * mean
    asked = {t for t in weights if t.startswith("~")}
    if together and together <= terms:  # how the subject asked about stands in the corpus topic
        score += TOGETHER_BONUS * mean
    if sentence.label and asked and not sentence.label & asked:
        # A table cell answers for its column only: not the IOP cell when asked about outpatient.
        score -= LABEL_PENALTY * mean
    if sentence.first:
        score += FIRST_BONUS * mean
    score *= 1 - RANK_WEIGHT + RANK_WEIGHT * (sentence.hit.score / top_score if top_score > 0 else 0.0)
    if words(sentence.text) > max_words:
        score *= 0.3  # a sentence longer than the whole answer budget is a last resort
    return score


def _pronoun_names_asked(sentence: Sentence, weights: Mapping[str, float], mean: float) -> bool:
    """Whether a sentence opens on a pronoun standing for what the question asks about: "It's a type of
    psychotherapy..." after "EMDR is often a great option." is about EMDR from its first word. Only a term
    weighing PRONOUN_TERM_SHARE of the question's mean counts: "They" for IOPs, which nearly every passage
    names, is no sign a sentence is about what is asked."""
    before = sentence.antecedent
    return (before is not None and not sentence.part.to_ask and _PRONOUN_LEAD.match(sentence.text) is not None
            and any(t in before.lead and w >= PRONOUN_TERM_SHARE * mean for t, w in weights.items()))


def select_sentences(question_terms: Sequence[str], result: SearchResult, analyzer, stats: CorpusStats,
                     question: str, max_words: int,
                     sentences: Mapping[str, tuple[PassageSentence, ...]] | None = None,
                     asked: str | None = None) -> list[tuple[Sentence, list[Sentence]]]:
    """Greedy pick: the best sentence, then up to two more that add uncovered query terms.

    ``asked`` is the turn as typed, when ``question`` is it resolved against history: the kind of answer it
    asks for is the one wanted ("for how many weeks?" after "ok so 9 hours a week" asks a length, not hours).
    Returns each chosen sentence with the near-duplicates (other passages saying the same thing)
    that will be cited alongside it.
    """
    candidates = candidate_sentences(result, analyzer, sentences=sentences)
    if not candidates:
        return []
    kinds = cue_kinds(question, analyzer)
    weights = {t: stats.idf(t) for t in set(question_terms) if t not in kinds}
    if asked is not None:
        kinds = _asked_kinds(asked, kinds, analyzer)
    asks_what_to_ask = ASK_LIST in weights
    item_floor = ITEM_MATCH_SHARE * sum(weights.values()) / len(weights) if weights else 0.0
    named = named_concepts(question, weights, analyzer, stats, asked)
    candidates = [s for s in candidates if not _narrows_to_an_item(s, candidates, weights, named)
                  and (asks_what_to_ask or not s.part.to_ask)]
    top = result.hits[0].score if result.hits else 0.0
    # the terms running text says: not a list's, nor its items' own lines
    prose_terms = frozenset().union(*(s.terms for s in candidates if not (s.part.listed or s.part.item)))
    together = _asked_together(weights, analyzer, stats, question if asked is None else asked)
    scored = sorted(((score_sentence(s, weights, kinds, top, max_words, named, prose_terms, together),
                      -s.hit_rank, -s.start, s)
                     for s in candidates), key=lambda x: x[:3], reverse=True)
    best_score = scored[0][0]
    if best_score <= 0:
        return []
    scored = _with_topic_follower(scored, best_score)
    scored = _with_its_sequel(scored, stats)
    chosen: list[tuple[Sentence, list[Sentence]]] = []
    covered: set[str] = set()
    budget = max_words
    for score, _, _, sentence in scored:
        if any(_overlaps(c[0], sentence) for c in chosen):
            continue  # a list item of a list already chosen (or the list around a chosen item)
        dup_of = next((c for c in chosen if c[0].text == sentence.text or (
            near_duplicate(_content(c[0]), _content(sentence))
            and not _says_more_asked(sentence, c[0], weights, named))), None)
        if dup_of is not None:
            if all(d.hit.chunk.id != sentence.hit.chunk.id for d in [dup_of[0], *dup_of[1]]):
                dup_of[1].append(sentence)
            continue
        if len(chosen) >= MAX_SENTENCES:
            continue
        if chosen:
            new = sum(weights[t] for t in weights if t in said_terms(sentence, named) and t not in covered)
            # A further sentence must be nearly as good, or cover query terms the others miss. It need not
            # give the question's kind of answer itself: "the length ... is determined by their progress"
            # after "most stay 12 weeks" is who decides how long (measured: 20 gold answers gained, 3 lost).
            adds = new > 0 or _gives_missing_kind(sentence, kinds, chosen)
            if score < FURTHER_SHARE * best_score and not (adds and score >= FURTHER_NEW_SHARE * best_score):
                continue
            if words(sentence.text) > budget:
                continue
            if len(chosen) == MAX_SENTENCES - 1 and _kind_waits(sentence, kinds, chosen, scored, best_score):
                continue
        pulled = None if _stands_for_the_corpus_topic(sentence, stats) else _needs_antecedent(sentence, chosen)
        if pulled is not None:
            # "It's a type of psychotherapy..." is unreadable without the sentence naming "it".
            if len(chosen) + 2 > MAX_SENTENCES or words(pulled.text) + words(sentence.text) > budget:
                continue
            chosen.append((pulled, []))
            budget -= words(pulled.text)
        chosen.append((sentence, []))
        covered |= set(weights) & said_terms(sentence, named)
        budget -= words(sentence.text)
        if asks_what_to_ask:
            # "...a list of questions you might want to ask." answers "what should i ask?" with the questions
            # it introduces: those naming what the asker adds ("...about the therapists") first, then the
            # list's own order
            items = sorted((c[3] for c in scored if c[3].part.to_ask and _introduced_by(c[3], sentence)),
                           key=lambda c: (sum(w for t, w in weights.items() if t in c.terms and t not in sentence.terms)
                                          < item_floor, c.hit.chunk.id != sentence.hit.chunk.id, c.start))
            for item in items:
                if len(chosen) < MAX_SENTENCES and words(item.text) <= budget and all(item is not c[0] for c in chosen):
                    chosen.append((item, []))
                    covered |= set(weights) & item.terms
                    budget -= words(item.text)
        if sentence.label and ("#comparison" in kinds or _names_columns(sentence, candidates, weights) > 1):
            # A table row compares: the IOP cell answers "IOP vs outpatient" only with the outpatient cell,
            # and "iop and outpatient: supervision?" names both columns as well.
            for cell in _sibling_cells(sentence, candidates, weights, chosen):
                if len(chosen) < MAX_SENTENCES and words(cell.text) <= budget:
                    chosen.append((cell, []))
                    covered |= set(weights) & cell.terms
                    budget -= words(cell.text)
    # Readable order: sentences of one passage in text order, passages by their best sentence. Table
    # cells are facts side by side, not a text: they stay in order of relevance (outpatient's cell first
    # when asked about outpatient).
    first_rank = {}
    for i, (s, _) in enumerate(chosen):
        first_rank.setdefault(s.hit.chunk.id, i)
    order = {id(c[0]): i for i, c in enumerate(chosen)}
    chosen.sort(key=lambda c: (first_rank[c[0].hit.chunk.id], order[id(c[0])] if c[0].label else c[0].start))
    return chosen


def _asked_together(weights: Mapping[str, float], analyzer, stats: CorpusStats, asked: str) -> frozenset[str]:
    """The corpus topic and the subjects ([answered_together]'s therapies, levels of care) a question names,
    when the turn as typed names the topic beside a subject ("is it used in IOPs?" after "what is cbt"): it
    asks how the subject stands in the topic, which only a sentence naming both says."""
    common = stats.common_idf
    topic = {t for t in weights if t.startswith("~") and weights[t] <= common}
    subjects = analyzer.paired_terms()[0] & weights.keys()
    if not topic or not subjects or not topic & set(analyzer.terms(asked, forms=False)):
        return frozenset()
    return frozenset(topic | subjects)


def _asked_kinds(asked: str, kinds: tuple[str, ...], analyzer) -> tuple[str, ...]:
    """The kinds of answer the turn as typed asks for, when it asks for some of ``kinds`` (the resolved
    question's): those carried from an earlier turn are what was asked then."""
    own = tuple(kind for kind in cue_kinds(asked, analyzer) if kind in kinds)
    return own or kinds


def _says_more_asked(sentence: Sentence, chosen: Sentence, weights: Mapping[str, float],
                     named: Mapping[str, ConceptWord] | None) -> bool:
    """Whether a sentence says a question word a chosen near-duplicate leaves out, then no duplicate: "Programs
    may also include mindfulness practices, experiential and art therapies" says the "art" of "anything gentle,
    like yoga or art?" that "IOP components may include ... mindfulness or experiential activities" does not.
    Only a word weighing the mean term or more: any word at all gained no conversation and lost a gold answer."""
    mean = sum(weights.values()) / len(weights)
    return any(weights[t] >= mean for t in (said_terms(sentence, named) - said_terms(chosen, named)) & weights.keys())


def _gives_missing_kind(sentence: Sentence, kinds: Sequence[str], chosen: list) -> bool:
    """Whether ``sentence`` gives a kind of answer asked for that no chosen sentence gives: "how long would
    that be, and will my insurance pay?" is answered by a length as well as by what insurance covers."""
    return any(kind in sentence.terms and all(kind not in c[0].terms for c in chosen) for kind in kinds)


def _kind_waits(sentence: Sentence, kinds: Sequence[str], chosen: list, scored: list, best_score: float) -> bool:
    """Whether the last place is kept for a sentence giving the kind of answer asked for that none chosen
    gives, when ``sentence`` gives none and one that does scores well enough to be a further sentence."""
    if not kinds or _gives_missing_kind(sentence, kinds, chosen):
        return False
    if any(kind in c[0].terms for c in chosen for kind in kinds):
        return False  # the kind asked for is given already
    return any(_gives_missing_kind(s, kinds, chosen) and score >= FURTHER_NEW_SHARE * best_score
               and s.antecedent is None for score, _, _, s in scored)


def _with_its_sequel(scored: list, stats: CorpusStats) -> list:
    """``scored`` with the sentences whose "It"/"They" is what the best one names ("It helps by providing an
    environment..." after "Motivational interviewing is a type of counseling...") raised by SEQUEL_BONUS: they
    go on about it and read without pulling another sentence in. Not a "They" for IOPs, which any sentence is
    about."""
    head = scored[0][3]

    def sequel(s: Sentence) -> bool:
        return (s.antecedent is head and _PERSONAL_PRONOUN_LEAD.match(s.text) is not None
                and not _stands_for_the_corpus_topic(s, stats))

    raised = [(score * (1 + SEQUEL_BONUS) if score > 0 and sequel(s) else score, rank, start, s)
              for score, rank, start, s in scored]
    return sorted(raised, key=lambda x: x[:3], reverse=True)


def _with_topic_follower(scored: list, best_score: float) -> list:
    """``scored`` with the sentence after a short opening sentence that scores best raised to
    FOLLOWER_SHARE of it: "IOPs can offer extraordinary benefits..." only names the topic, and "Namely,
    these intensive programs provide intensive treatment less intrusively..." says what the benefits are."""
    head = scored[0][3]
    if not head.first or head.label or words(head.text) > TOPIC_WORDS:
        return scored
    raised = [(max(score, FOLLOWER_SHARE * best_score) if _follows(s, head) else score, rank, start, s)
              for score, rank, start, s in scored]
    return sorted(raised, key=lambda x: x[:3], reverse=True)


def _follows(sentence: Sentence, head: Sentence) -> bool:
    """Whether ``sentence`` is the text right after ``head``: not a list, a listed question or a table cell."""
    part = sentence.part
    return sentence.previous is head and not (part.listed or part.to_ask or part.context or sentence.label)


def _introduced_by(item: Sentence, sentence: Sentence) -> bool:
    """Whether a listed item is one the sentence introduces, in its passage or in one continuing its list."""
    lead = item.antecedent
    return lead is sentence or (lead is not None and lead.part.context and sentence.text in lead.text)


def _head(text: str, analyzer) -> frozenset[str]:
    """A list item's first word, analysed: what the item is ("Process" groups, "Skills" development groups)."""
    first = re.findall(r"[A-Za-z][\w-]*", text[:40])[:1]
    if not first:
        return frozenset()
    return frozenset(t for t in analyzer.terms(first[0], forms=False) if t[0] not in "#~")


def _narrows_to_an_item(unit: Sentence, candidates: Sequence[Sentence], weights: Mapping[str, float],
                        concepts: Mapping[str, ConceptWord] | None = None) -> bool:
    """Whether a list with no lead-in is asked about one of its items: "what's a process group" is the
    process-group item, not the list of three kinds of group; "what kinds of groups are there" the list."""
    if not unit.part.listed:
        return False
    items = [s for s in candidates if s is not unit and not s.part.listed
             and s.hit.chunk.id == unit.hit.chunk.id and unit.start <= s.start and s.part.end <= unit.part.end]
    if not items or _BULLET.sub("", unit.hit.chunk.text[unit.start:min(item.start for item in items)]):
        return False  # a list with a lead-in: "Pregnant women" alone says nothing
    # the item the question names by its first word ("Process groups for…"), not one it shares a word with
    named = [item for item in items if item.part.head & weights.keys()]
    return len(named) == 1 or _one_item_says_the_main_word(items, weights, concepts)


def _one_item_says_the_main_word(items: Sequence[Sentence], weights: Mapping[str, float],
                                 concepts: Mapping[str, ConceptWord] | None) -> bool:
    """Whether the heaviest of the question's own words the items say in full (in its words or, a word alone
    naming a concept, in the concept's), weighing at least the mean term, is said by one item alone: "does the matrix thing work on confidence"
    is the self-esteem item, not the whole list. Concept tokens are left out: a list of kinds of group is
    what "what kinds of groups" asks for, whichever item a token of kinds lands on."""
    mean = sum(weights.values()) / len(weights) if weights else 0.0
    sayers = {t: [item for item in items if said_share(item, t, concepts) >= 1.0] for t in weights
              if t[0] not in "#~" and weights[t] >= mean and _word_of_its_own(t, concepts)}
    said = [t for t, who in sayers.items() if who]
    if not said:
        return False
    return len(sayers[max(said, key=lambda t: (weights[t], t))]) == 1


def _word_of_its_own(term: str, concepts: Mapping[str, ConceptWord] | None) -> bool:
    """Whether a question word means itself, not only its part of a phrase naming a concept: "teach" in
    "what do they actually teach" asks for the teaching the concept names, whatever item says "teach"."""
    return not concepts or term not in concepts or concepts[term].share >= 1.0


def _names_columns(cell: Sentence, candidates: Sequence[Sentence], weights: Mapping[str, float]) -> int:
    """How many columns of ``cell``'s table row the question names ("iop", "outpatient")."""
    labels = set().union(*(c.label for c in candidates if c.label and c.hit.chunk.id == cell.hit.chunk.id))
    return len(labels & {t for t in weights if t.startswith("~")})


def _sibling_cells(cell: Sentence, candidates: Sequence[Sentence], weights: Mapping[str, float],
                   chosen: list) -> list[Sentence]:
    """The other cells of ``cell``'s table row for the other levels of care a comparison asks about."""
    asked = {t for t in weights if t.startswith("~")}
    have = set().union(*(c[0].label for c in chosen if c[0].hit.chunk.id == cell.hit.chunk.id))
    out = []
    for other in candidates:
        if other.hit.chunk.id == cell.hit.chunk.id and other.label & asked and not other.label <= have:
            out.append(other)
            have |= other.label
    return out


def _overlaps(a: Sentence, b: Sentence) -> bool:
    """Whether two candidates share text of one passage: a list and one of its own items."""
    return a.hit.chunk.id == b.hit.chunk.id and a.start < b.part.end and b.start < a.part.end


def _stands_for_the_corpus_topic(sentence: Sentence, stats: CorpusStats) -> bool:
    """Whether a pronoun-led sentence's "They"/"It" is what the whole corpus is about ("They are specifically
    helpful for people..." after "Initially, intensive outpatient programs (IOP) were..."): it reads without
    the sentence before, which would take the place of one more answering sentence."""
    before, part = sentence.antecedent, sentence.part
    if (before is None or part.listed or part.to_ask or part.item or not _PERSONAL_PRONOUN_LEAD.match(sentence.text)
            or _GOES_ON.match(sentence.text)):
        return False
    common = stats.common_idf
    return any(t.startswith("~") and stats.idf(t) <= common for t in before.lead)


def _needs_antecedent(sentence: Sentence, chosen: list) -> Sentence | None:
    """The antecedent to add before ``sentence``, or None when it has none or it is already chosen."""
    before = sentence.antecedent
    if before is None or any(c[0] is before or c[0].text == before.text for c in chosen):
        return None
    return before


def compose_answer(question: str, query_terms: Sequence[str], result: SearchResult, analyzer,
                   stats: CorpusStats, max_words: int,
                   sentences: Mapping[str, tuple[PassageSentence, ...]] | None = None,
                   asked: str | None = None) -> tuple[str, tuple[Citation, ...]]:
    """The answer text with markers, and the citations numbered in marker order ("" if nothing fits)."""
    chosen = select_sentences(query_terms, result, analyzer, stats, question, max_words, sentences, asked)
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for i, (sentence, duplicates) in enumerate(chosen):
        markers = []
        for s in [sentence, *duplicates]:
            chunk = s.hit.chunk
            if chunk.id not in numbers:
                numbers[chunk.id] = len(numbers) + 1
                citations.append(Citation(n=numbers[chunk.id], id=chunk.id, doc_id=chunk.doc_id,
                                          title=chunk.title, section=chunk.section, text=chunk.text,
                                          url=chunk.url, score=float(s.hit.score)))
            marker = f"[{numbers[chunk.id]}]"
            if marker not in markers:
                markers.append(marker)
        if i:  # table cells are facts side by side: each on a line of its own
            parts.append("\n" if sentence.label or chosen[i - 1][0].label else " ")
        parts.append(f"{sentence.text} {''.join(markers)}")
    return "".join(parts), tuple(citations)


def markers_in(answer: str) -> list[int]:
    """Marker numbers in order of first appearance (for checks and tests)."""
    seen: list[int] = []
    for m in _MARKER.finditer(answer):
        n = int(m.group(1))
        if n not in seen:
            seen.append(n)
    return seen


# --- suggestions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    """A question-style heading from the corpus, offered as a follow-up suggestion."""

    text: str
    doc_ids: frozenset[str]
    chunk_ids: frozenset[str]
    terms: frozenset[str]


def clean_heading(text: str) -> str:
    text = _NUMBERING.sub("", _BULLET.sub("", text)).strip()
    # "Intensive Outpatient Program (IOP) – What is IOP in Mental Health?": keep the question part.
    for dash in (" – ", " — ", " - "):
        if dash in text:
            text = text.split(dash)[-1].strip()
    return text


def question_headings(chunks: Sequence[Chunk], analyzer) -> tuple[Heading, ...]:
    """Distinct question-style headings (entries of heading_path ending in "?")."""
    found: dict[str, tuple[str, set, set]] = {}
    for chunk in chunks:
        for entry in chunk.heading_path:
            text = clean_heading(entry)
            if not text.endswith("?") or words(text) < 3:
                continue
            key = text.lower()
            slot = found.setdefault(key, (text, set(), set()))
            slot[1].add(chunk.doc_id)
            slot[2].add(chunk.id)
    return tuple(Heading(text, frozenset(d), frozenset(c), frozenset(analyzer.terms(text)))
                 for text, d, c in found.values())


COMMON_SHARE = 0.2  # a term in this share of passages or more names the corpus, not a topic


def concepts(terms: Iterable[str], stats: CorpusStats | None) -> frozenset[str]:
    """What a heading is about: its synonym-group tokens ("~iop") and its uncommon terms.

    "What is an IOP?" and "What Is An Intensive Outpatient Program?" both come to {"~iop"}.
    """
    terms = frozenset(terms)
    if stats is None:
        return terms
    found = stats.concept_cache.get(terms)
    if found is None:
        common = stats.common_idf
        found = frozenset(t for t in terms if t.startswith("~") or stats.idf(t) > common)
        if len(stats.concept_cache) < 10_000:  # headings' terms recur on every request; questions' rarely
            stats.concept_cache[terms] = found
    return found


def _same_question(a: frozenset, b: frozenset) -> bool:
    return a == b or _jaccard(a, b) >= 0.5


def _distinct(headings: Iterable[Heading], limit: int, stats: CorpusStats | None = None) -> list[Heading]:
    out: list[Heading] = []
    for h in headings:
        mine = concepts(h.terms, stats)
        if all(not _same_question(mine, concepts(o.terms, stats)) and h.text.lower() != o.text.lower()
               for o in out):
            out.append(h)
        if len(out) >= limit:
            break
    return out


def popular_topics(headings: Sequence[Heading], analyzer, limit: int = 3,
                   stats: CorpusStats | None = None) -> tuple[str, ...]:
    """The headings closest to POPULAR_TOPICS, one per topic, for fallbacks and small talk."""
    picks = []
    for topic in POPULAR_TOPICS:
        terms = set(analyzer.terms(topic))
        ranked = sorted(headings, key=lambda h: (-_jaccard(frozenset(terms), h.terms), h.text))
        if ranked and ranked[0].terms & terms:
            picks.append(ranked[0])
    return tuple(h.text for h in _distinct(picks, limit, stats))


def suggest(headings: Sequence[Heading], question_terms: Iterable[str], citations: Sequence[Citation],
            fallback: Sequence[str], limit: int = 3, stats: CorpusStats | None = None,
            answer_terms: Iterable[str] = ()) -> tuple[str, ...]:
    """2-4 related questions: headings of the cited documents and topic, not the one just answered.

    Relatedness is the rarity-weighted overlap with the question and the answer, so a word found in
    every passage ("IOP") does not make every heading look related.
    """
    q = frozenset(question_terms)
    topic = q | frozenset(answer_terms)
    weight = stats.idf if stats else (lambda term: 1.0)
    mean = sum(weight(t) for t in topic) / len(topic) if topic else 1.0
    cited_docs = {c.doc_id for c in citations}
    cited_sections = {c.section.lower() for c in citations}
    ranked = []
    for h in headings:
        if h.text.lower() in cited_sections or clean_heading(h.text).lower() in cited_sections:
            continue  # the question just answered
        if concepts(h.terms, stats) <= concepts(q, stats):
            continue  # a rewording of the question itself
        score = sum(weight(t) * (2 if t in q else 1) for t in topic & h.terms) / mean
        score += 1.0 if h.doc_ids & cited_docs else 0.0
        if score > 0:
            ranked.append((score, h.text, h))
    ranked.sort(key=lambda x: (-x[0], x[1]))
    picks = [h.text for h in _distinct((r[2] for r in ranked), limit, stats)]
    for text in fallback:
        if len(picks) >= max(2, min(limit, 4)):
            break
        if text not in picks and text.lower() not in cited_sections:
            picks.append(text)
    return tuple(picks[:4])


# --- fixed texts -------------------------------------------------------------------------------

def disclaimer(handoff: str) -> str:
    """One sentence: general information, not medical advice, and how to reach a person."""
    return f"This is general information, not medical advice; to talk with a person, {handoff}."


def fallback_text(handoff: str) -> str:
    """Said plainly when the documents do not cover a question."""
    return ("I'm sorry, the documents I have don't cover that, so I can't answer it. "
            "You could try one of the suggested questions below, or to talk with a person, "
            f"{handoff}.")


def spanish_fallback_text() -> str:
    """For a question in Spanish: the articles are in English, and how to reach a person in Spanish."""
    return ("I can only answer questions in English: the articles I answer from are in English. "
            "Solo puedo responder preguntas en inglés. Para hablar con una persona en español, llame a la "
            "Línea Nacional de Ayuda de SAMHSA al 1-800-662-4357 (gratuita, confidencial, las 24 horas).")
