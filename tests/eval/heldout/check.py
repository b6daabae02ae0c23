#!/usr/bin/env python3
"""Validate the held-out eval set (standard library only).

Checks: files parse, minimum counts, unique questions, every expect snippet
occurs verbatim (whitespace-normalised, case-sensitive) inside a single
non-heading line of the passages file, is 6-20 words (or a whole list item, "- Pregnant women"), contains none of the
forbidden characters, does not span a sentence end, and that no question
lists two snippets from the same passage (list items excepted).

A question may also carry passage_expect: snippets a strict audit found do not answer when read out
alone (a list's lead-in, "several hours" for "how many hours") but that still mark the passage holding
the answer, so they count for retrieval only, as in the gold set.

Passages: passages-snapshot.txt next to this script, else /tmp/passages.txt.
"""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SNAP = os.path.join(HERE, "passages-snapshot.txt")
PASSAGES = SNAP if os.path.exists(SNAP) else "/tmp/passages.txt"
FORBIDDEN = ["\u2014", "\u2013", "\u201c", "\u201d", "\u2018", "\u00a0", "\u2019"]  # also avoid curly apostrophe
MIN = {"questions.jsonl": 160, "out_of_scope.jsonl": 40, "conversations.jsonl": 30, "smalltalk.jsonl": 20}
KINDS = {"greeting", "thanks", "goodbye", "identity"}
errors = []

def norm(s): return re.sub(r"\s+", " ", s).strip()

lines = []  # (passage_id, normalised line)
pid = None
with open(PASSAGES, encoding="utf-8") as f:
    for raw in f:
        raw = raw.rstrip("\n")
        if raw.startswith("======== "):
            pid = raw.split()[1]
            continue
        lines.append((pid, norm(raw)))

def check_snippet(s, where):
    """Return the passage id containing s, or None (and record an error)."""
    if not isinstance(s, str):
        errors.append(f"{where}: snippet not a string: {s!r}"); return None
    for ch in FORBIDDEN:
        if ch in s:
            errors.append(f"{where}: forbidden char U+{ord(ch):04X} in {s!r}")
    n = len(s.split())
    whole_list_item = any(ln.rstrip(".") == "- " + norm(s).rstrip(".") for _, ln in lines)
    if not (6 <= n <= 20 or (whole_list_item and n <= 20)):
        errors.append(f"{where}: {n} words: {s!r}")
    if re.search(r"[.!?]\s+\S", s):
        errors.append(f"{where}: spans a sentence end: {s!r}")
    ns = norm(s)
    hits = {p for p, ln in lines if ns in ln}
    if not hits:
        errors.append(f"{where}: not found in a single passage line: {s!r}"); return None
    return sorted(hits)[0] if len(hits) == 1 else tuple(sorted(hits))

def load(name):
    path = os.path.join(HERE, name); rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for i, ln in enumerate(f, 1):
                if not ln.strip(): continue
                try: rows.append((i, json.loads(ln)))
                except json.JSONDecodeError as e: errors.append(f"{name}:{i}: bad JSON: {e}")
    except OSError as e:
        errors.append(f"{name}: {e}")
    if len(rows) < MIN[name]:
        errors.append(f"{name}: {len(rows)} rows < {MIN[name]}")
    return rows

def check_expect(exp, where):
    if not isinstance(exp, list) or not exp:
        errors.append(f"{where}: expect must be a non-empty list"); return
    seen = {}
    for s in exp:
        p = check_snippet(s, where)
        if p is None: continue
        if isinstance(p, str) and not any(ln.startswith("- ") and norm(s) in ln for _, ln in lines):  # list items may share a passage
            if p in seen: errors.append(f"{where}: two snippets from passage {p}: {seen[p]!r} / {s!r}")
            seen[p] = s
    if len(set(exp)) != len(exp): errors.append(f"{where}: duplicate snippet")

all_q = Counter()
qs = load("questions.jsonl")
for i, r in qs:
    w = f"questions.jsonl:{i}"
    if not {"q", "expect", "topic"} <= set(r) <= {"q", "expect", "topic", "passage_expect"}:
        errors.append(f"{w}: keys {sorted(r)}")
    if not (isinstance(r.get("q"), str) and r["q"].strip()): errors.append(f"{w}: empty q")
    if not (isinstance(r.get("topic"), str) and r["topic"]): errors.append(f"{w}: empty topic")
    check_expect(r.get("expect"), w)
    if "passage_expect" in r:
        check_expect(r["passage_expect"], w + " passage_expect")
    all_q[norm(str(r.get("q", ""))).lower()] += 1

oos = load("out_of_scope.jsonl")
for i, r in oos:
    w = f"out_of_scope.jsonl:{i}"
    if set(r) != {"q", "expect", "topic"}: errors.append(f"{w}: keys {sorted(r)}")
    if r.get("expect") is not None: errors.append(f"{w}: expect must be null")
    if not (isinstance(r.get("q"), str) and r["q"].strip()): errors.append(f"{w}: empty q")
    all_q[norm(str(r.get("q", ""))).lower()] += 1

conv = load("conversations.jsonl")
seen_turns = Counter()
for i, r in conv:
    w = f"conversations.jsonl:{i}"
    if set(r) != {"turns", "expect"}: errors.append(f"{w}: keys {sorted(r)}")
    t = r.get("turns")
    if not (isinstance(t, list) and len(t) >= 2 and all(isinstance(x, str) and x.strip() for x in t)):
        errors.append(f"{w}: turns must be a list of >=2 non-empty strings")
    else:
        seen_turns[tuple(norm(x).lower() for x in t)] += 1
    check_expect(r.get("expect"), w)

st = load("smalltalk.jsonl")
for i, r in st:
    w = f"smalltalk.jsonl:{i}"
    if set(r) != {"q", "kind"}: errors.append(f"{w}: keys {sorted(r)}")
    if r.get("kind") not in KINDS: errors.append(f"{w}: bad kind {r.get('kind')!r}")
    all_q[norm(str(r.get("q", ""))).lower()] += 1
kinds = Counter(r.get("kind") for _, r in st)
for k in KINDS:
    if kinds[k] == 0: errors.append(f"smalltalk.jsonl: no {k}")

for q, n in all_q.items():
    if n > 1: errors.append(f"duplicate question across files: {q!r} x{n}")
for t, n in seen_turns.items():
    if n > 1: errors.append(f"duplicate conversation: {t!r}")

print(f"passages: {PASSAGES}")
print(f"questions={len(qs)} out_of_scope={len(oos)} conversations={len(conv)} smalltalk={len(st)}")
if errors:
    print(f"{len(errors)} error(s):"); [print("  " + e) for e in errors]
    sys.exit(1)
print("OK")
