"""Retrieval: a question to ranked passages, and a confidence that the corpus answers it.

Confidence is the share of the question's meaning the best passage covers: each analysed question
term weighs its IDF, a word the corpus never uses weighs up to UNKNOWN_WEIGHT times the rarest word
it has (by how specific the word is: a name or "Medicare" fully, "said" or "little" hardly at all),
and the confidence is the covered weight over the total, damped when the BM25 score itself is weak.
Questions about things the documents never mention ("Aetna", "Ambien", "Florida") lose most of their
weight to unknown words and fall below the threshold; the dialogue layer falls back there. So does a
question asking for a kind of answer no passage gives (a question form absent from the index).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.index import BM25Index
from bot.models import Chunk, Hit, SearchResult
from bot.text import FORM_PREFIX, Analyzer

MAX_QUERY_CHARS = 2000  # longer input is cut before analysis: a pasted essay is not a question
SCORE_SCALE = 6.0  # BM25 score at which a hit counts as strong (calibrated on the evaluation set)
UNKNOWN_WEIGHT = 20.0  # an unknown word of full specificity weighs this many times the rarest known word
PHRASE_WORD_SHARE = 0.5  # a word of a phrase the passage matches only through the phrase's group counts this share
TOPIC_SHARE = 0.5  # a group in more than this share of the passages is the corpus's own topic ("IOP")


def sentence_terms(chunks: tuple[Chunk, ...], chunk_terms: tuple[frozenset[str], ...],
                   analyzer: Analyzer) -> tuple[frozenset[str], ...]:
    """The terms of each sentence (with its section heading's) of the passages that name a subject paired
    sentence by sentence ([answered_together] sentence_subjects): made once with the index, not on the
    first question that needs them."""
    subjects = analyzer.sentence_paired_subjects()
    return tuple(frozenset(analyzer.terms(chunk.text[a:b])) | heading
                 for chunk, terms in zip(chunks, chunk_terms) if subjects & terms
                 for heading in [frozenset(analyzer.terms(" ".join(chunk.heading_path[-1:])))]
                 for a, b in analyzer.sentence_spans(chunk.text))


@dataclass
class Retriever:
    chunks: tuple[Chunk, ...]
    chunk_terms: tuple[frozenset[str], ...]
    index: BM25Index
    analyzer: Analyzer
    sentence_terms: tuple[frozenset[str], ...] = ()  # see sentence_terms()
    unknown_weight: float = UNKNOWN_WEIGHT  # bench/confidence.py sweeps it on one engine

    def _weight(self, term: str) -> float:
        t = self.index.vocabulary.get(term)
        if t is None:  # words the corpus lacks are weighed through ``unknown`` instead
            return 0.0
        return max(float(self.index.idf[t]), 0.05)

    def confidence(self, terms: list[str], unknown: dict[str, float], hit: Hit | None,
                   phrase_words: dict[str, frozenset[str]] | None = None) -> float:
        """``phrase_words``: the words of each group a question names by a phrase. "my first day"
        names the first week: a passage about the first week covers the phrase's words, if less
        surely than one that uses them (PHRASE_WORD_SHARE)."""
        if hit is None or not terms:
            return 0.0
        weights = {t: self._weight(t) for t in set(terms)}
        through = {w for group, ws in (phrase_words or {}).items() if group in hit.matched for w in ws}
        covered = sum(w if t in hit.matched else PHRASE_WORD_SHARE * w
                      for t, w in weights.items() if t in hit.matched or t in through)
        unknown_weight = self.unknown_weight * float(self.index.idf.max()) * sum(unknown.values())
        total = sum(w for t, w in weights.items() if t in self.index.vocabulary) + unknown_weight
        if total <= 0:
            return 0.0
        coverage = covered / total
        strength = 1 - math.exp(-hit.score / SCORE_SCALE)
        return round(coverage * (0.5 + 0.5 * strength), 4)

    def unanswered_pairs(self, terms: list[str], question: str = "") -> dict[str, float]:
        """"How much does PHP cost?": an asked subject and kind of answer that no passage gives together.

        The documents give costs for IOP, inpatient and outpatient care but not for PHP, so the words
        all match; the pair is what is missing, and it weighs like a word the corpus lacks. In a message
        of several sentences only the asking one's forms count: "my 16 yo vapes every day. would a
        program take a kid?" does not ask how often.
        """
        subjects, forms = self.analyzer.paired_terms()
        asked = set(terms)
        asking = self.analyzer.asking_sentence(question) if question and forms & asked else None
        if asking is not None:
            asked -= forms - set(self.analyzer.form_tokens(asking, query=True))
        known = self.__dict__.setdefault("_pairs", {})  # (subject, form) -> whether some passage has both
        asked_pairs = [(s, f) for s in subjects & asked for f in forms & asked]
        by_sentence = self.analyzer.sentence_paired_subjects()
        for s, f in asked_pairs:
            if (s, f) not in known:
                units = self.sentence_terms if s in by_sentence else self.chunk_terms
                known[(s, f)] = any(s in ct and f in ct for ct in units)
        return {s + f: 1.0 for s, f in asked_pairs if not known[(s, f)]}

    def carried_by_chance(self, question: str, terms: list[str], asked: str) -> set[str]:
        """Words a follow-up's earlier turns add that would rank passages by how they are spelled, not what they say.

        "how part time tho" after "ok so iop is part time" searches "how part time tho iop": "IOP" stands
        for the program talked about, so "Intensive Outpatient (IOP): Minimum 9 hours" is no more about it
        than a passage spelling "intensive outpatient program": the corpus's topic ranks by its group alone.
        A number the asker told ("drinking for 30 yrs", "4 hour sessions") matches the documents' numbers
        only by chance ("$5,000 to $20,000 for 30 days", "Weeks 2-4"); a week it names still counts ("@week10").
        The asker's own words keep their spelling.
        """
        common = self.index.size * TOPIC_SHARE
        spelled = {w for group, ws in self.analyzer.group_spellings(question).items()
                   if group in terms and self.index.document_frequency(group) > common for w in ws}
        topic = {w for w in spelled if self.index.document_frequency(w) > common}
        numbers = {t for t in terms if t.isdigit()}
        return (topic | numbers) - set(self.analyzer.terms(asked, query=True))

    def search(self, question: str, k: int = 10, asked: str | None = None) -> SearchResult:
        """Top-k passages for a question; any input gives a result, never an exception.

        ``asked``: the asker's own words, when ``question`` is a follow-up read with earlier turns.
        """
        text = (question or "")[:MAX_QUERY_CHARS]
        terms = self.analyzer.terms(text, query=True)
        if not terms or self.analyzer.is_spanish(text):  # an English corpus answers no Spanish question
            return SearchResult(question, (), (), 0.0)
        unknown = self.analyzer.unknown_specificity(text)
        # "who invented DBT?": a kind of answer that no passage gives is missing like a word the corpus lacks.
        unknown.update((t, 1.0) for t in terms if t.startswith(FORM_PREFIX) and t not in self.index.vocabulary)
        unknown.update(self.unanswered_pairs(terms, text))
        carried = self.carried_by_chance(text, terms, asked) if asked else set()
        ranked = [t for t in terms if t not in carried]
        hits = tuple(
            Hit(self.chunks[i], score, tuple(sorted(set(terms) & self.chunk_terms[i])))
            for i, score in self.index.top(ranked or terms, max(1, k)))
        confidence = self.confidence(terms, unknown, hits[0] if hits else None, self.analyzer.phrase_words(text))
        return SearchResult(question, tuple(terms), hits, confidence)
