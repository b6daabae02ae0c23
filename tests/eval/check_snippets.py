#!/usr/bin/env python3
"""Check the evaluation data in tests/eval/ against the corpus.

Checks:
  * every `expect` snippet (gold.jsonl, conversations.jsonl) occurs verbatim in
    one line (= one paragraph / list item / table row) of a corpus file, after
    the mojibake sequences are replaced by the real characters;
  * a snippet contains no sentence end in the middle ("... word. Next ...",
    "?", "!" and the abbreviations "e.g." / "i.e." that splitters trip on);
  * a snippet has 6-20 words (a whole table cell or line 3, a whole list item 1) and contains none of the characters that only
    appear through mojibake or that cleaning may change (— – “ ” ‘ NBSP);
    a curly ’ is allowed only where the raw file itself has ’;
  * a snippet that falls in a table row of addiction-resource-iop-care.txt lies
    inside ONE cell (the engine rebuilds rows as "column: value");
  * a snippet is not taken (only) from site chrome, promos or the spam paragraph;
  * the four files are well-formed, questions are unique, and minimum counts hold.

Usage: python3 tests/eval/check_snippets.py   (exit status 1 on any failure)
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "corpus"

MOJIBAKE = {
    "\u0e42\u20ac\u201d": "\u2014",  # โ€” -> —
    "\u0e42\u20ac\u201c": "\u2013",  # โ€“ -> –
    "\u0e42\u20ac\u2122": "\u2019",  # โ€™ -> ’
    "\u0e42\u20ac\u0153": "\u201c",  # โ€œ -> “
    "\u0e42\u20ac\x9d": "\u201d",    # โ€\x9d -> ”
}
# characters a snippet must not contain at all
FORBIDDEN_CHARS = {"\u2014": "em dash", "\u2013": "en dash", "\u201c": "left quote",
                   "\u201d": "right quote", "\u2018": "left single quote",
                   "\xa0": "no-break space", "\u0e42": "mojibake"}

# Lines (by a unique prefix) that are chrome, promo or spam: never an answer.
EXCLUDED_LINE_PREFIXES = {
    "addiction-resource-iop-care.txt": [
        "Last Updated", "David Levin", "0", "Leave here the 5", "A list of the largest private",
        "We have highlighted", "Choosing the right IOP can be a pivotal",
        "Hope Without Commitment", "Find the best treatment options", "Most private insurances",
        "Who Answers", "Find Drug Rehabilitation Centers", "Addiction Resource team",
        "USA map", "Page Sources", "  1. ", "  2. ", "  3. ", "  4. ", "  5. ", "Retrieved on",
        "Published on", "Updated on", "Disclaimer", "A treatment center will attempt",
        "This will close", "Your addiction does not", "You deserve excellent care",
    ],
    "aurora-what-is-iop.txt": [
        "\u2022 Home", "  \u2022 What Is IOP?", "Warning message", "This form submits", "News Release",
        "At Aurora Mental Health hospitals",
    ],
    "new-life-recovery-what-is-iop.txt": [
        "Do you think an intensive outpatient program sounds right", "Get Substance Use Disorder",
        "So,\xa0what is an intensive outpatient program? It\u2019s a potentially",
        "At New Life Recovery, we\u2019ve been", "There\u2019s a solution out there",
    ],
    "resurgence-iop-mental-health.txt": [
        "General", "resurgencebehavioralhealth.com", "Please be careful taking Ambien",
        "Related Articles",
    ],
}

# Table rows in addiction-resource-iop-care.txt: raw line -> [row label, cell, cell, ...].
# The checker verifies " ".join(cells) == raw line, so the split below is exact.
TABLE_ROWS = [
    ["Feature", "Intensive Outpatient (IOP)", "Inpatient Treatment", "Outpatient Treatment"],
    ["Length of Treatment", "Flexible; typically several weeks to several months",
     "28 days to several months, depending on the program",
     "Flexible; often several weeks to several months"],
    ["Hours per Week", "Minimum 9 hours (usually 3-hour sessions, 3 times a week)", "24/7 care",
     "1-2 hours per week"],
    ["Living Arrangements", "Patients live at home", "Patients live in the treatment facility",
     "Patients live at home"],
    ["Resources Provided", "Individual and group therapy, relapse prevention, coping strategies",
     "Medical and psychiatric care, therapy, supervised detox",
     "Individual and group therapy, educational sessions"],
    ["Level of Supervision", "Moderate; patients are supervised during sessions",
     "High; 24/7 patient supervision", "Low; patients are supervised during sessions"],
    ["Target Community",
     "Individuals who completed detox and need more than traditional outpatient but not 24-hour care; "
     "those transitioning from inpatient",
     "Individuals needing intensive, round-the-clock care; severe addiction cases requiring detox",
     "Individuals with mild to moderate substance use disorders; those who have completed higher levels of care"],
    ["Cost",
     "Moderate; (average cost $4,939 for 12 weeks) less expensive than inpatient but more than outpatient",
     "High; (anywhere from $5,000 to $20,000 for 30 days) most expensive due to comprehensive care and housing",
     "Low; (between $1,400 to $10,000 for 30 days) least expensive due to fewer hours of treatment"],
    ["Intensity of Treatment", "Moderate to high; structured and frequent sessions",
     "High; intensive and immersive", "Low to moderate; less structured and less frequent"],
    ["Time Frame", "Activities"],
    ["Week 1: Assessment and Orientation",
     "Comprehensive assessment (medical, psychological, substance use)"],
    ["Weeks 2-4: Intensive Treatment Phase",
     "Three sessions per week (3 hours each): Individual, group therapy, and family therapy."],
    ["Weeks 5-8: Continued Intensive Treatment and Skill Building",
     "Continuation of individual, group, and family therapy sessions (3 weekly sessions)."],
    ["Weeks 9-10: Transition Phase", "Reduction to two sessions per week."],
    ["Weeks 11-12: Maintenance and Discharge Preparation", "Reduction to one session per week."],
    ["Post-Program: Aftercare and Follow-Up",
     "Participation in support groups, continued individual therapy, and regular check-ins "
     "with treatment providers."],
]
TABLE_FILE = "addiction-resource-iop-care.txt"

SENTENCE_END_INSIDE = re.compile(r"[.!?][)\"'\u2019\u201d]*\s+\S")
ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St)\.", re.I)

GOLD_MIN, OOS_MIN, CONV_MIN, SMALL_MIN = 150, 40, 30, 30
SMALLTALK_KINDS = {"greeting", "thanks", "goodbye", "identity"}


def clean(text: str) -> str:
    for bad, good in MOJIBAKE.items():
        text = text.replace(bad, good)
    # the raw file also has one closing quote whose \x9d byte was lost ("โ€ " in the disclaimer);
    # cleaning turns no-break spaces into spaces, so snippets are typed with plain ones
    return text.replace("\u0e42\u20ac", "\u201d").replace("\u00a0", " ")


def load_corpus():
    docs = {}
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        docs[path.name] = (raw.split("\n"), clean(raw).split("\n"))
    return docs


def load_jsonl(name, errors):
    rows = []
    path = HERE / name
    if not path.exists():
        errors.append(f"{name}: missing")
        return rows
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"{name}:{n}: bad JSON: {exc}")
    return rows


def excluded(fname: str, line: str) -> bool:
    return any(line.startswith(p) for p in EXCLUDED_LINE_PREFIXES.get(fname, []))


def table_cells(raw_line: str):
    for row in TABLE_ROWS:
        if " ".join(row) == raw_line:
            return row
    return None


def check_table_rows(docs, errors):
    raw_lines = set(docs[TABLE_FILE][1])
    for row in TABLE_ROWS:
        if " ".join(row) not in raw_lines:
            errors.append(f"checker: table row not found verbatim in {TABLE_FILE}: {row[0]!r}")


_ITEMS: dict[int, frozenset[str]] = {}


def list_items(clean_lines) -> frozenset[str]:
    """A file's bulleted list items ("- Anger management", "  • Building support system"), as text."""
    key = id(clean_lines)
    if key not in _ITEMS:
        _ITEMS[key] = frozenset(m.group(1).rstrip(".").strip() for line in clean_lines
                                if (m := re.match(r"^\s*[-•*]\s+(.+)$", line)))
    return _ITEMS[key]


def check_snippet(snip, docs, where, errors):
    """Return the list of files the snippet was found in (empty on failure)."""
    if not isinstance(snip, str) or not snip.strip():
        errors.append(f"{where}: empty/non-string snippet {snip!r}")
        return []
    if snip != snip.strip():
        errors.append(f"{where}: leading/trailing whitespace in {snip!r}")
    words = len(snip.split())
    whole_cell = any(snip == cell.rstrip(".") or snip == cell for row in TABLE_ROWS for cell in row[1:])
    whole_item = any(snip in items for items in (list_items(clean) for _, clean in docs.values()))
    whole_line = any(snip.rstrip(".") == line.strip().rstrip(".") for _, clean in docs.values() for line in clean)
    # a whole table cell, schedule line or list item is unambiguous however short ("Anger management" in a
    # list of topics, "Adolescents" in a list of who benefits, "Relapse prevention planning." in weeks 5-8)
    shortest = 1 if whole_item else 3 if whole_cell or whole_line else 6
    if not shortest <= words <= 20:
        errors.append(f"{where}: {words} words (need {shortest}-20; a whole cell or line 3, a whole list item 1): {snip!r}")
    for ch, label in FORBIDDEN_CHARS.items():
        if ch in snip:
            errors.append(f"{where}: contains {label}: {snip!r}")
    if SENTENCE_END_INSIDE.search(snip):
        errors.append(f"{where}: sentence end inside snippet: {snip!r}")
    if ABBREV.search(snip):
        errors.append(f"{where}: abbreviation that may split sentences: {snip!r}")

    found = []
    for fname, (raw_lines, clean_lines) in docs.items():
        for raw_line, line in zip(raw_lines, clean_lines):
            if snip not in line:
                continue
            if "\u2019" in snip and snip not in raw_line:
                errors.append(f"{where}: ’ only matches via mojibake ({fname}): {snip!r}")
            if excluded(fname, raw_line):
                continue
            if fname == TABLE_FILE:
                cells = table_cells(line)
                if cells is not None and not any(snip in c for c in cells):
                    errors.append(f"{where}: crosses table cells: {snip!r}")
                    continue
            found.append(fname)
    if not found:
        hit_any = any(snip in l for _, (_, cl) in docs.items() for l in cl)
        if hit_any:
            errors.append(f"{where}: only found in chrome/spam/promo or across cells: {snip!r}")
        else:
            errors.append(f"{where}: NOT FOUND in corpus: {snip!r}")
    return sorted(set(found))


def main() -> int:
    docs = load_corpus()
    errors: list[str] = []
    check_table_rows(docs, errors)

    gold = load_jsonl("gold.jsonl", errors)
    oos = load_jsonl("out_of_scope.jsonl", errors)
    conv = load_jsonl("conversations.jsonl", errors)
    small = load_jsonl("smalltalk.jsonl", errors)

    topics = collections.Counter()
    topic_docs = collections.defaultdict(set)
    doc_hits = collections.Counter()
    seen_q = {}

    def note_q(q, where):
        key = re.sub(r"\s+", " ", q.strip().lower())
        if key in seen_q:
            errors.append(f"{where}: duplicate question (also {seen_q[key]}): {q!r}")
        seen_q[key] = where

    for n, row in gold:
        where = f"gold.jsonl:{n}"
        if set(row) - {"q", "expect", "passage_expect", "topic"} or not {"q", "expect", "topic"} <= set(row):
            errors.append(f"{where}: keys must be q, expect, topic (and passage_expect): {sorted(row)}")
            continue
        if not isinstance(row["q"], str) or not row["q"].strip():
            errors.append(f"{where}: empty q")
        note_q(row["q"], where)
        if not isinstance(row["expect"], list) or not row["expect"]:
            errors.append(f"{where}: expect must be a non-empty list")
            continue
        if len(set(row["expect"])) != len(row["expect"]):
            errors.append(f"{where}: duplicate snippet in expect")
        topics[row["topic"]] += 1
        for s in row["expect"]:
            files = check_snippet(s, docs, where, errors)
            topic_docs[row["topic"]].update(files)
            doc_hits.update(files)
        passage_only = row.get("passage_expect", [])
        if not isinstance(passage_only, list) or set(passage_only) & set(row["expect"]):
            errors.append(f"{where}: passage_expect must be a list of snippets not also in expect")
            continue
        for s in passage_only:
            check_snippet(s, docs, where, errors)

    for n, row in oos:
        where = f"out_of_scope.jsonl:{n}"
        if set(row) != {"q", "expect", "topic"}:
            errors.append(f"{where}: keys must be q, expect, topic")
            continue
        if row["expect"] is not None:
            errors.append(f"{where}: expect must be null")
        note_q(row["q"], where)

    n_standalone = 0
    for n, row in conv:
        where = f"conversations.jsonl:{n}"
        if not {"turns", "expect"} <= set(row) or set(row) - {"turns", "expect", "standalone", "topic"}:
            errors.append(f"{where}: keys must be turns, expect[, standalone, topic]: {sorted(row)}")
            continue
        turns = row["turns"]
        if not isinstance(turns, list) or len(turns) < 2 or not all(isinstance(t, str) and t.strip() for t in turns):
            errors.append(f"{where}: turns must be a list of >= 2 non-empty strings")
        if row.get("standalone") not in (None, True, False):
            errors.append(f"{where}: standalone must be a boolean")
        n_standalone += bool(row.get("standalone"))
        if not isinstance(row["expect"], list) or not row["expect"]:
            errors.append(f"{where}: expect must be a non-empty list")
            continue
        for s in row["expect"]:
            check_snippet(s, docs, where, errors)

    kinds = collections.Counter()
    for n, row in small:
        where = f"smalltalk.jsonl:{n}"
        if set(row) != {"q", "kind"}:
            errors.append(f"{where}: keys must be q, kind")
            continue
        if row["kind"] not in SMALLTALK_KINDS:
            errors.append(f"{where}: kind must be one of {sorted(SMALLTALK_KINDS)}")
        kinds[row["kind"]] += 1
        note_q(row["q"], where)

    for name, rows, minimum in (("gold.jsonl", gold, GOLD_MIN), ("out_of_scope.jsonl", oos, OOS_MIN),
                                ("conversations.jsonl", conv, CONV_MIN), ("smalltalk.jsonl", small, SMALL_MIN)):
        if len(rows) < minimum:
            errors.append(f"{name}: {len(rows)} rows, need at least {minimum}")

    print(f"gold: {len(gold)}  out_of_scope: {len(oos)}  conversations: {len(conv)} "
          f"({n_standalone} standalone)  smalltalk: {len(small)} {dict(kinds)}")
    print(f"\ngold topics ({len(topics)}):")
    for t, c in sorted(topics.items()):
        print(f"  {t:28s} {c:3d}   docs: {', '.join(sorted(d.removesuffix('.txt') for d in topic_docs[t]))}")
    print("\nsnippet hits per document (gold):")
    for d, c in sorted(doc_hits.items()):
        print(f"  {d:40s} {c}")
    oos_topics = collections.Counter(r["topic"] for _, r in oos if isinstance(r, dict) and "topic" in r)
    print(f"\nout_of_scope topics: {dict(sorted(oos_topics.items()))}")

    if errors:
        print(f"\n{len(errors)} FAILURE(S):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all snippets verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
