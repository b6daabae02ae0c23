"""Text analysis: words, stems, synonyms, spelling and sentence boundaries. The only module that imports nltk.

Everything here works offline: nltk's downloadable data (punkt, stopwords, wordnet) is never needed.
We use its algorithmic parts only: a regexp tokenizer, the Snowball stemmer, edit distance, and a
Punkt sentence splitter trained unsupervised on our own corpus.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from nltk.metrics.distance import edit_distance
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

from bot.settings import PACKAGE_DIR

SYNONYM_PREFIX = "~"  # marks a synonym-group token, so it never collides with a real stem
FORM_PREFIX = "#"  # marks a question-form token ("#duration"): what kind of answer a text asks for or gives
_WORD = RegexpTokenizer(r"\$?\d+(?:[.,/]\d+)*%?|(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:'[^\W\d_]+)?")
_NEGATIONS = {"can't": "can", "won't": "will", "ain't": "is", "shan't": "shall"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_STEMMER = SnowballStemmer("english")
# Abbreviations Punkt cannot learn from five pages; it would otherwise end a sentence at "e.g.".
_ABBREVIATIONS = {"e.g", "i.e", "vs", "etc", "dr", "mr", "mrs", "ms", "u.s", "no", "approx", "et al", "al"}


def normalize(text: str) -> str:
    """NFKC, lowercase, plain apostrophes: the form every comparison is made in."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()


def words(text: str) -> list[str]:
    """Lowercase word tokens: compounds split ("12-step"), acronyms undotted ("I.O.P."), "n't" as "not"."""
    return list(_words(text))


@lru_cache(maxsize=8192)  # a question is tokenized several times in one turn
def _words(text: str) -> tuple[str, ...]:
    out = []
    for w in _WORD.tokenize(normalize(text)):
        if w.endswith("."):
            out.append(w.replace(".", ""))
        elif w.endswith("n't"):
            out += [_NEGATIONS.get(w, w[:-3]), "not"]
        else:
            out.append(w[:-2] if w.endswith("'s") else w)
    return tuple(out)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the tokens ``words`` would produce, in the original text."""
    return list(_WORD.span_tokenize(text))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stem(word)


def _word_list(name: str) -> list[str]:
    """The entries of a word list shipped in bot/data/: one per line, '#' lines are comments."""
    lines = (PACKAGE_DIR / "data" / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    return frozenset(_word_list("stopwords.txt"))


@lru_cache(maxsize=1)
def default_english() -> dict[str, int]:
    """English words by frequency rank (1 = most frequent), shipped as data (SymSpell's list, MIT)."""
    return {w: rank for rank, w in enumerate(_word_list("english_words.txt"), start=1)}


@lru_cache(maxsize=1)
def default_shorthand() -> dict[str, tuple[str, ...]]:
    """Chat shorthand ("hw", "hrs", "ppl") and the words it stands for, shipped as data."""
    table = {}
    for line in _word_list("shorthand.txt"):
        short, _, meaning = line.partition(" ")
        table[short] = tuple(words(meaning))
    return table


@lru_cache(maxsize=1)
def default_spanish() -> frozenset[str]:
    """Common Spanish words that are no English words, shipped as data."""
    return frozenset(normalize(w) for w in _word_list("spanish_words.txt"))


@lru_cache(maxsize=1)
def default_names() -> frozenset[str]:
    """Words of US places, insurers and public programs ("florida", "york", "medicaid"): names however typed."""
    return frozenset(w for entry in _word_list("names.txt") for w in entry.split()
                     if w not in ("new", "north", "south", "west", "island", "city", "san", "santa", "los", "las", "el",
                                  "fort", "saint", "st", "beach", "springs", "vista", "corpus", "aurora"))


SPANISH_SHARE = 0.3  # this share of a question's words Spanish (and at least two) and it is in Spanish
TWO_EDIT_LENGTH = 7  # words this long may be corrected across two edits
MAX_TYPO_LENGTH = 24  # longer "words" are never corrected: no English word is a typo that long
COMMON_RANK = 300  # English words this frequent say little about a question's topic ("said", "whole")
RARE_RANK = 30_000  # ... and from here on a word is as specific as one the dictionary lacks ("Xanax")
RARE_TYPO_RATIO = 10  # a rare English word is a typo of a corpus word this many times commoner
MIN_SPECIFICITY = 0.1
CONTEXT_SHARE = 0.15  # an unknown word outside the asking sentence of a longer message weighs this share
NARROWER_SHARE = 0.5  # a narrower word the corpus never uses weighs this share of an unknown word
MEMO_LIMIT = 50_000  # entries per memo table of words (corrections, misspelt English words)
QUESTION_MEMO_LIMIT = 4_096  # ... and of whole questions (how each was read, the forms it asks): up to 2,000 characters each
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # a letter typed three times or more
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")  # a capitalised word inside a sentence: a name
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")  # "ECT", "HIV": a name too, unless the whole message is shouted


def load_synonyms(path: str | Path | None, table: str = "groups") -> dict[str, tuple[str, ...]]:
    """Read ``[groups]`` (or another table of lists) from a synonyms TOML file; a missing path means none."""
    if not path or not Path(path).is_file():
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid synonyms file: {exc}") from exc
    groups = data.get(table, {})
    if not isinstance(groups, dict) or not all(isinstance(v, list) for v in groups.values()):
        raise ValueError(f"{path}: [{table}] must map names to lists of phrases")
    return {name: tuple(str(p) for p in phrases) for name, phrases in groups.items()}


@dataclass(frozen=True)
class QuestionForm:
    """A kind of answer ("duration"): how questions ask for it and how passages give it.

    Indexing the answer kind as a term of its own (predictive annotation) lets "how long is it?"
    match a passage that says "8 to 12 weeks" without sharing a single word with it.
    """

    name: str
    ask: re.Pattern
    answer: re.Pattern
    # Where the question's shape gives a word its other sense ("does iop work" asks whether it is
    # effective, not about a job), the word in the pattern's groups is read as ``frame_as`` instead.
    frame: re.Pattern | None = None
    frame_as: str = ""


def load_forms(path: str | Path | None) -> tuple[QuestionForm, ...]:
    """Read ``[forms.NAME]`` tables (``ask`` and ``answer`` regex lists) from the synonyms file."""
    if not path or not Path(path).is_file():
        return ()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid synonyms file: {exc}") from exc
    forms = []
    for name, table in (data.get("forms") or {}).items():
        try:
            ask = re.compile("|".join(f"(?:{p})" for p in table["ask"]))
            answer = re.compile("|".join(f"(?:{p})" for p in table["answer"]))
            frame = re.compile("|".join(f"(?:{p})" for p in table["frame"])) if table.get("frame") else None
        except (KeyError, TypeError, re.error) as exc:
            raise ValueError(f"{path}: [forms.{name}] needs 'ask' and 'answer' lists of regular expressions: {exc}") from exc
        forms.append(QuestionForm(str(name), ask, answer, frame, str(table.get("frame_as", ""))))
    return tuple(forms)


def train_sentence_splitter(texts: Iterable[str]) -> PunktSentenceTokenizer:
    """Punkt trained unsupervised on our own documents, plus a few abbreviations it can't learn.

    Five pages are too few for Punkt's statistics to be trusted on ordinary words: it learned "gap"
    and "end" as abbreviations from one "bridge the gap. If", so a learned abbreviation that is a
    common English word is dropped. Only Punkt's default collocations are kept (after numbers and
    initials): learning all of them joined "everyday lives. With evidence-based..." into one sentence.
    """
    trainer = PunktTrainer()
    for text in texts:
        trainer.train(text, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    english = default_english()
    params.abbrev_types.difference_update({a for a in params.abbrev_types if english.get(a, RARE_RANK) < RARE_RANK})
    params.abbrev_types.update(_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


_ENDINGS = (("ies", "y"), ("es", ""), ("es", "e"), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("d", ""),
            ("ing", ""), ("ing", "e"), ("ly", ""), ("ier", "y"), ("er", ""), ("er", "e"),
            ("iest", "y"), ("est", ""), ("est", "e"))


def _base_forms(word: str) -> set[str]:
    """Candidate base words under regular English endings ("decides" -> "decide", "stopping" -> "stop")."""
    out = set()
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            root = word[: -len(ending)]
            out.add(root + replacement)
            if len(root) > 3 and root[-1] == root[-2]:  # a doubled consonant: "stopping" -> "stop"
                out.add(root[:-1])
    return out


WEEK_PREFIX = "@week"  # "@week6": the sixth week of a program, named alone or inside a range
MAX_WEEK_RANGE = 12
_NUMBER_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_WEEK = re.compile(r"\bweeks? " + _NUMBER + r"(?: ?(?:-|–|to|through|thru|and|or|&) ?" + _NUMBER + r")?\b")


def week_tokens(text: str) -> list[str]:
    """One token per week a (normalised) text names: "Weeks 5-8" gives weeks 5 to 8, so "around week 6 or 7" meets it.

    The stemmer keeps "5" and "8" and loses the range between them; a question about week 6 shares no
    word with the section that covers it.
    """
    out = []
    for m in _WEEK.finditer(text):
        first = int(_NUMBER_WORDS.get(m.group(1), m.group(1)))
        last = int(_NUMBER_WORDS.get(m.group(2), m.group(2))) if m.group(2) else first
        if first <= last <= first + MAX_WEEK_RANGE:
            out += [f"{WEEK_PREFIX}{n}" for n in range(first, last + 1)]
    return out


_YEAR = re.compile(r"(?:19|20)\d\d")


def _acronyms(text: str) -> set[str]:
    """Words typed in capitals ("is ECT part of it"), unless most of the message is ("HOW LONG IS IT")."""
    found = _ACRONYM.findall(text)
    return {w.lower() for w in found} if found and 2 * len(found) <= len(re.findall(r"[A-Za-z]+", text)) else set()


def _deletions(word: str) -> set[str]:
    """The word with one letter taken out, at each position."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _as_tuple(held: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """One word is stored bare (most deletions come from a single word), several as a tuple."""
    return () if held is None else (held,) if isinstance(held, str) else held


@lru_cache(maxsize=1)
def _untrained_splitter() -> PunktSentenceTokenizer:
    """Punkt with only our abbreviation list, for an analyzer that has seen no corpus yet."""
    return train_sentence_splitter([])


@dataclass
class Analyzer:
    """Turns text into index terms the same way for passages and questions."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forms: tuple[QuestionForm, ...] = ()
    stopwords: frozenset[str] = field(default_factory=default_stopwords)
    english: dict[str, int] = field(default_factory=default_english, repr=False)
    shorthand: dict[str, tuple[str, ...]] = field(default_factory=default_shorthand, repr=False)
    splitter: PunktSentenceTokenizer | None = None
    vocabulary: dict[str, int] = field(default_factory=dict)  # surface word -> corpus frequency
    # Words for kinds of a group's concept ("antidepressant" for medication): they find the group's
    # passages, but where the documents never use them they speak of the concept only in general.
    narrower: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unseen_narrower: frozenset[str] = frozenset()  # narrower words the corpus text never uses
    # [answered_together]: subjects whose facts (forms) the documents give only in some passages.
    answered_together: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Phrase table: first word -> [(phrase words, group)], longest phrases first.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for table in (self.synonyms, self.narrower):
            for group, phrases in table.items():
                for phrase in phrases:
                    tokens = tuple(words(phrase))
                    if tokens:
                        self._phrases.setdefault(tokens[0], []).append((tokens, group))
        for entries in self._phrases.values():
            entries.sort(key=lambda e: -len(e[0]))

    def __getstate__(self) -> dict:
        # The shipped English list is the same in every process: leave it out of the index cache and take
        # it from default_english() again on load (26 ms of every cache load, 82,000 entries per pickle).
        state = dict(self.__dict__)
        if state.get("english") is default_english():
            state["english"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.english is None:
            self.english = default_english()

    def learn_vocabulary(self, texts: Iterable[str]) -> None:
        """Remember the corpus's words: spelling correction only ever corrects to one of them."""
        for text in texts:
            for w in words(text):
                self.vocabulary[w] = self.vocabulary.get(w, 0) + 1
        seen_stems = {stem(w) for w in self.vocabulary}
        self.unseen_narrower = frozenset(w for phrases in self.narrower.values() for p in phrases for w in words(p)
                                         if w not in self.vocabulary and stem(w) not in seen_stems)
        for phrases in self._phrases.values():
            for tokens, _ in phrases:
                for w in tokens:
                    self.vocabulary.setdefault(w, 1)
        self._deletion_neighbourhood()  # built now, so it is cached with the index, not on a first typo

    def correct(self, word: str) -> str:
        """The corpus word this one is a typo of, when exactly one is close enough; else the word."""
        if word in self.vocabulary or not 4 <= len(word) <= MAX_TYPO_LENGTH or not word.isalpha():
            return word  # a 2,000-letter "word" is no typo, and correcting it would cost seconds
        return self._memo("_corrections", word, self._nearest)

    def _nearest(self, word: str) -> str:
        best = self._within(word, self._candidates(word), 1)
        if not best and len(word) >= TWO_EDIT_LENGTH:
            # Two edits only for long words: short ones two edits apart are often other real words, and
            # a real English word never gets here (``spell``), so "typicle" -> "typical" is safe.
            best = self._within(word, {c for near in _one_edit(word) for c in self._candidates(near)}, 2)
        if not best:
            return word
        best.sort()
        if len(best) > 1 and best[0][0] == best[1][0] and stem(best[0][2]) != stem(best[1][2]):
            # Two different corpus words equally close: not confident, leave it alone.
            if -best[0][1] < 3 * -best[1][1]:
                return word
        return best[0][2]

    def _within(self, word: str, candidates: Iterable[str], limit: int) -> list[tuple[int, int, str]]:
        """(distance, -frequency, candidate) for the candidates at most ``limit`` edits from ``word``."""
        best = []
        for candidate in candidates:
            if abs(len(candidate) - len(word)) > limit or (candidate[0] != word[0] and candidate[-1] != word[-1]):
                continue
            distance = edit_distance(word, candidate, transpositions=True)
            if distance <= limit:
                best.append((distance, -self.vocabulary[candidate], candidate))
        return best

    def _candidates(self, word: str) -> set[str]:
        """Every corpus word one edit (or one swap) away, found by lookups instead of a vocabulary scan.

        Two words are one edit apart only if one is a deletion of the other (an insertion) or both
        share a deletion (a substitution, or a swap of neighbours). So the corpus words under each of
        ``word``'s deletions, and under ``word`` itself, hold every candidate; ``_nearest`` still checks
        the distance, so a few extra candidates ("abc"/"bca" share "bc") change nothing.
        """
        neighbourhood = self._deletion_neighbourhood()
        found = {word} if word in self.vocabulary else set()
        found.update(_as_tuple(neighbourhood.get(word)))  # one letter longer
        for shorter in _deletions(word):
            if shorter in self.vocabulary:  # one letter shorter
                found.add(shorter)
            found.update(_as_tuple(neighbourhood.get(shorter)))  # same length
        return found

    def _deletion_neighbourhood(self) -> dict[str, str | tuple[str, ...]]:
        """Each one-letter deletion of a corpus word -> that word (or words); rebuilt if the vocabulary grew."""
        if self.__dict__.get("_neighbourhood_of") != len(self.vocabulary):
            table: dict[str, str | tuple[str, ...]] = {}
            for w in self.vocabulary:
                for shorter in _deletions(w):
                    held = table.get(shorter)
                    table[shorter] = w if held is None else _as_tuple(held) + (w,)
            self._neighbourhood, self._neighbourhood_of = table, len(self.vocabulary)
        return self._neighbourhood

    def synonym_groups(self, tokens: Sequence[str]) -> list[str]:
        """Groups whose phrases occur in ``tokens``, once per occurrence, longest match first."""
        return [SYNONYM_PREFIX + group for _, group in self._phrase_matches(tokens)]

    def concept_phrases(self, text: str) -> list[str]:
        """The words of ``text`` that name one of the lexicon's concepts ("anorexia", "night shift")."""
        return [" ".join(phrase) for phrase, _ in self._phrase_matches(words(text))]

    def phrase_words(self, question: str) -> dict[str, frozenset[str]]:
        """The content words (stems) of each group a question names by a phrase of several words:
        "my first day" -> {"~first_week": {"first", "day"}}. "what do they do with u" names what to expect in
        words that are all stopwords: it gives none."""
        return self._stems_by_group(question, lambda phrase: frozenset(
            stem(w) for w in phrase if w not in self.stopwords) if len(phrase) > 1 else frozenset())

    def group_spellings(self, text: str) -> dict[str, frozenset[str]]:
        """The stems each group a text names is spelled with: "IOP" -> {"~iop": {"iop"}}, "intensive
        outpatient program" -> {"~iop": {"intens", "outpati", "program"}}."""
        return self._stems_by_group(text, lambda phrase: frozenset(stem(w) for w in phrase))

    def _stems_by_group(self, text: str, stems_of) -> dict[str, frozenset[str]]:
        """For each group a text names, the union of ``stems_of(phrase)`` over the phrases naming it (groups
        whose phrases give no stems are left out)."""
        out: dict[str, frozenset[str]] = {}
        for phrase, group in self._phrase_matches(self._framed(text)):
            said = stems_of(phrase)
            if said:
                out[SYNONYM_PREFIX + group] = out.get(SYNONYM_PREFIX + group, frozenset()) | said
        return out

    def _phrase_matches(self, tokens: Sequence[str]) -> Iterator[tuple[tuple[str, ...], str]]:
        i = 0
        while i < len(tokens):
            step = 1
            for phrase, group in self._phrases.get(tokens[i], ()):
                if tuple(tokens[i:i + len(phrase)]) == phrase:
                    yield phrase, group
                    step = len(phrase)
                    break
            i += step

    def terms(self, text: str, query: bool = False, forms: bool = True) -> list[str]:
        """Index terms: stems of content words, one token per synonym group mentioned, and form tokens."""
        tokens = words(text)
        if not tokens:
            return []  # punctuation or emoji alone asks for nothing, whatever its shape
        if query:  # as meant; the question forms read the question themselves
            tokens = self._framed(text)
        content = [stem(t) for t in tokens if t not in self.stopwords]
        return content + self.synonym_groups(tokens) + week_tokens(normalize(text)) + (
            self.form_tokens(text, query) if forms else [])

    def _read_question(self, text: str) -> tuple[str, list[str]]:
        """A question's words as meant: stretched letters undone, shorthand expanded, misspellings corrected.

        The words read are appended to the text, so the question forms see them too: "hw lnog is
        it" asks how long. Remembered per question: one turn reads it three times.
        """
        def read(question: str) -> tuple[str, tuple[str, ...]]:
            tokens = words(question)
            out = [w for t in map(self._unstretch, tokens) for w in self.shorthand.get(t, (t,))]
            if self.vocabulary:
                out = [self.spell(t) for t in out]
            return (f"{question} {' '.join(out)}", tuple(out)) if out != tokens else (question, tuple(tokens))

        said, meant = self._memo("_read", text, read, QUESTION_MEMO_LIMIT)
        return said, list(meant)

    def _unstretch(self, word: str) -> str:
        """A word typed with stretched letters as written plainly: "sooo" -> "so", "pleeease" -> "please"."""
        if len(word) > MAX_TYPO_LENGTH or not _STRETCHED.search(word) or word in self.english:
            return word
        doubled = _STRETCHED.sub(r"\1\1", word)
        return doubled if doubled in self.english or doubled in self.vocabulary else _STRETCHED.sub(r"\1", word)

    def _framed(self, text: str) -> list[str]:
        """The question's words as read, with those its forms frame read in that sense ("work" in "does it
        work"). Remembered per question, like the reading itself: one turn analyses it several times."""
        def frame(question: str) -> tuple[str, ...]:
            said, tokens = self._read_question(question)
            said = normalize(said)
            for f in self.forms:
                for m in f.frame.finditer(said) if f.frame else ():
                    for word in (w for w in m.groups() if w and w in tokens):
                        at = tokens.index(word)
                        tokens[at:at + 1] = words(f.frame_as)
            return tuple(tokens)

        return list(self._memo("_frame_reads", text, frame, QUESTION_MEMO_LIMIT))

    def prepare(self) -> None:
        """Build the lazily made tables now (the vocabulary's stems, typo candidates), so a server makes
        them once before it forks its workers rather than in each worker's first requests."""
        self._vocabulary_stems()
        self._deletion_neighbourhood()
        self.paired_terms()
        self.sentence_paired_subjects()

    def paired_terms(self) -> tuple[frozenset[str], frozenset[str]]:
        """The index terms of [answered_together]'s subjects (a group, else a word's stem) and facts (a
        question form, else a group: "insurance" asks whether it is covered)."""
        def terms(_: str) -> tuple[frozenset[str], frozenset[str]]:
            table = self.answered_together
            forms = {f.name for f in self.forms}
            subjects = frozenset(map(self._subject_term, table.get("subjects", ())))
            return subjects, frozenset(FORM_PREFIX + n if n in forms else SYNONYM_PREFIX + n
                                       for n in table.get("forms", ()))

        return self._memo("_paired", "", terms)

    def sentence_paired_subjects(self) -> frozenset[str]:
        """[answered_together]'s subjects whose facts count only when one sentence (or its section's
        heading) names the subject: a page on residential care that mentions detox and gives 30 to 90
        days says nothing about how long detox takes."""
        def terms(_: str) -> frozenset[str]:
            names = self.answered_together.get("sentence_subjects", ())
            return frozenset(map(self._subject_term, names))

        return self._memo("_sentence_paired", "", terms)

    def _subject_term(self, name: str) -> str:
        """The index term of an [answered_together] subject: its group's token, else the word's stem."""
        return SYNONYM_PREFIX + name if name in self.synonyms else stem(name)

    def form_tokens(self, text: str, query: bool = False) -> list[str]:
        """For a question, the kinds of answer it asks for; for a passage, one token per answer it gives."""
        if not self.forms:
            return []
        flat = normalize(text)
        if query:
            # A question is read several times per turn.
            def asked(_: str) -> list[str]:
                read = normalize(self._read_question(text)[0])  # the same reading terms() remembered
                return [FORM_PREFIX + f.name for f in self.forms if f.ask.search(read)]
            return list(self._memo("_asked", flat, asked, QUESTION_MEMO_LIMIT))
        return [FORM_PREFIX + f.name for f in self.forms for _ in f.answer.finditer(flat)]

    def spell(self, word: str) -> str:
        """A question word as the corpus would spell it: a real English word is never taken for a typo,
        unless it is so rare that a far commoner corpus word one typo away is meant ("cheeper")."""
        rank = self._english_rank(word)  # "tanking" is as common as "tank"
        if rank is None:
            return self.correct(word)
        if rank <= RARE_RANK:
            return word
        meant = self.correct(word)
        return meant if self.english.get(meant, RARE_RANK) * RARE_TYPO_RATIO <= rank else word

    def unknown_words(self, text: str) -> list[str]:
        """Content words of a question that the corpus has never seen, even after correction.

        A letter typed alone names nothing: it is what the tokenizer leaves of "w/o" or "3x a week"
        (but "zzzz" read as "z" is still a word the corpus lacks).
        """
        stems = self._vocabulary_stems()
        typed = set(words(text))
        return [t for t in self._read_question(text)[1]
                if not (len(t) == 1 and t in typed) and t not in self.stopwords and t not in self.vocabulary
                and stem(t) not in stems and not self._comparative_of_known(t)]

    def _comparative_of_known(self, word: str) -> bool:
        """"shorter" when the corpus says "short": the stemmer keeps comparatives apart from their base."""
        return word.endswith(("er", "est")) and any(b in self.vocabulary for b in _base_forms(word))

    def is_spanish(self, text: str) -> bool:
        """Whether a question is written in Spanish: the corpus (English) cannot answer it as asked."""
        tokens = words(text)
        spanish = [t for t in tokens if t in default_spanish() and t not in self.english and t not in self.vocabulary]
        return len(spanish) >= 2 and len(spanish) >= SPANISH_SHARE * len(tokens)

    def unknown_specificity(self, text: str) -> dict[str, float]:
        """Each unknown content word of a question with how much it says about what is asked (0.1 to 1).

        By the word's rank in general English: "said" or "whole" cost a question little, a rarer word
        more, and a name (capitalised inside the sentence, or no English word at all: "Aetna",
        "Xanax") the most, because the corpus that never mentions it probably does not answer it.
        """
        names = {normalize(m) for m in _NAME.findall(text)} | (set(words(text)) & default_names()) | _acronyms(text)
        # a number says nothing about a topic, but a year the documents never name asks about that year
        unknown = [w for w in self.unknown_words(text) if not w.isdigit() or _YEAR.fullmatch(w)]
        # "the best antidepressant": the documents speak of medication, never of that kind of it.
        narrower = [w for w in self._read_question(text)[1] if w in self.unseen_narrower]
        asked = self._asked_sentence_words(text) if unknown or narrower else None  # split only when needed

        def share(word: str) -> float:
            return 1.0 if asked is None or word in asked else CONTEXT_SHARE

        out = {word: self._specificity(word, names) * share(word) for word in unknown}
        out.update((w, NARROWER_SHARE * self._specificity(w, names) * share(w)) for w in narrower)
        return out

    def _asked_sentence_words(self, text: str) -> set[str] | None:
        """The words of the sentence that asks, in a message of several; None for a single sentence.

        "My dad's a carpenter and drinks every day. Could he do the outpatient kind?": the trade is the
        asker's situation, not what is asked, so a word the corpus lacks weighs less outside the
        asking sentence (the last one ending in "?", else the last one).
        """
        asking = self.asking_sentence(text)
        return None if asking is None else set(self._read_question(asking)[1])

    def asking_sentence(self, text: str) -> str | None:
        """The sentence that asks, in a message of several (see _asked_sentence_words); None for one."""
        def asking(question: str) -> str | None:
            sentences = [question[a:b] for a, b in self.sentence_spans(question)]
            if len(sentences) < 2:
                return None
            return sentences[max((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")),
                                 default=len(sentences) - 1)]

        return self._memo("_asking", text, asking, QUESTION_MEMO_LIMIT)

    def _specificity(self, word: str, names: set[str]) -> float:
        # A misspelt common word ("colege") is that word, not a name the corpus lacks.
        rank = self._english_rank(word) or (None if word in names else self._english_rank_nearby(word))
        if rank is None or word in names:
            return 1.0
        span = math.log(RARE_RANK) - math.log(COMMON_RANK)
        return min(1.0, max(MIN_SPECIFICITY, (math.log(rank) - math.log(COMMON_RANK)) / span))

    def _english_rank(self, word: str) -> int | None:
        """The rank of a word's most frequent inflection: "decides" says as little as "decide".

        Inflected forms are rarer than their base word, which made "decides" or "touring" weigh like
        a name the corpus lacks; the base is found by undoing regular English endings, and counts only
        when it stems the same.
        """
        rank = self.english.get(word)
        if rank is None or len(word) < 5:
            return rank
        base = stem(word)
        ranks = [self.english[b] for b in _base_forms(word) if b in self.english and stem(b) == base]
        return min([rank, *ranks])

    def _english_rank_nearby(self, word: str) -> int | None:
        """The rank of the most frequent English word one edit away (the word misspelt), if any.

        Not for words under four letters: any edit of so short a word finds some English word, and
        "hsa" is no misspelt "has" (typos of short common words are in shorthand.txt instead).
        """
        if not 4 <= len(word) <= MAX_TYPO_LENGTH or not word.isalpha():
            return None
        def nearest_rank(w: str) -> int | None:
            ranks = [self.english[e] for e in _one_edit(w) if self.english.get(e, RARE_RANK + 1) <= RARE_RANK]
            return min(ranks) if ranks else None

        return self._memo("_nearby", word, nearest_rank)

    def _memo(self, name: str, key: str, compute, limit: int = MEMO_LIMIT):
        """``compute(key)``, remembered per analyzer in a table bounded so a flood of new words can't grow it."""
        table = self.__dict__.setdefault(name, {})
        try:
            return table[key]
        except KeyError:
            pass
        value = compute(key)
        if len(table) > limit:
            table.clear()
        table[key] = value
        return value  # not table[key]: another thread may clear the table in between

    def _vocabulary_stems(self) -> frozenset[str]:
        """The corpus vocabulary's stems, remade when it grows. One attribute holds both the size and the
        stems: a server's threads ask at once, and two attributes set one after the other let a thread
        see the first without the second (an AttributeError, a 500, under load)."""
        cached = getattr(self, "_stems", None)
        if not isinstance(cached, tuple) or cached[0] != len(self.vocabulary):
            cached = (len(self.vocabulary), frozenset(stem(w) for w in self.vocabulary))
            self._stems = cached
        return cached[1]

    def match_spans(self, text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
        """Character spans of the words in ``text`` whose stem is one of ``terms`` (for highlighting)."""
        wanted = {t for t in terms if not t.startswith(SYNONYM_PREFIX)}
        spans = []
        for start, end in word_spans(normalize(text)):
            token = normalize(text[start:end])
            token = token[:-2] if token.endswith("'s") else token
            if token not in self.stopwords and stem(token) in wanted:
                spans.append((start, end))
        return spans

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans: line breaks always end one (list items, table cells), Punkt splits the rest."""
        spans, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                pieces = (self.splitter or _untrained_splitter()).span_tokenize(line)
                for start, end in pieces:
                    segment = line[start:end]
                    if segment.strip():
                        lead = len(segment) - len(segment.lstrip())
                        spans.append((offset + start + lead, offset + start + len(segment.rstrip())))
            offset += len(line) + 1
        return spans
