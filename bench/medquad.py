"""Benchmark the answer engine on MedQuAD (16,407 NIH question-answer pairs): quality, speed, memory.

Every answer is loaded as a document through ``bot.sources.iter_jsonl`` and indexed by the real pipeline
(``Engine.build``: cleaning, passages, analysis, index). Each MedQuAD question is then asked; a hit is a
retrieved passage whose document is the question's own record or has the identical answer text. Two
baselines index the same documents whole (no chunking) with lowercase ``\\w+`` tokens: rank_bm25's
BM25Okapi and bm25s (method "lucene", k1 1.5, b 0.75).

Prints figures; asserts nothing. Needs bm25s besides the project (``pip install -e ".[bench]"``). Run:
    python bench/medquad.py            # every question, all three systems (about 10 minutes on 2 cores)
    python bench/medquad.py --quick    # a fixed sample of 500 questions (random.Random(0).sample)
    python bench/medquad.py --set TITLE_WEIGHT=0    # any of our settings, for a sweep
Documents are always loaded whole; the last line is machine-readable, for all 16,407 documents.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import Engine  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.sources import LoadReport, iter_jsonl  # noqa: E402

DEFAULT_DATA = "/work/shared/medquad/medquad.jsonl"
SAMPLE = 500
CURVE_SIZES = (1_000, 10_000)
LATENCY_QUERIES = 2_000  # timed questions per curve point (after one warm pass over the same questions)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


# MedQuAD's own settings, as an operator would set them for this corpus: no IOP synonyms or cleaning rules,
# and the title (the record's topic) indexed with each passage. TITLE_WEIGHT 4 from the sweep in
# bench/RESULTS.md; the five pages keep the default 0, where titles only blur the pages.
MEDQUAD_SETTINGS = {"SYNONYMS_FILE": "/nonexistent", "CLEANING_FILE": "/nonexistent", "TITLE_WEIGHT": 4}


def medquad_settings(overrides: dict | None = None) -> dict:
    """MedQuAD's corpus settings over the defaults, then any command-line overrides."""
    return load_settings({**MEDQUAD_SETTINGS, "INDEX_DIR": tempfile.gettempdir(), **(overrides or {})})


def read_questions(path: str) -> list[dict]:
    """The raw records that have a question and an answer (the same ones iter_jsonl keeps)."""
    records, seen = [], set()
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if not isinstance(record, dict):
                continue
            answer, question = record.get("answer"), record.get("question")
            doc_id = str(record.get("id") or number)
            if not isinstance(answer, str) or not answer.strip() or not isinstance(question, str) or doc_id in seen:
                continue
            seen.add(doc_id)
            records.append({"id": doc_id, "question": question, "answer": answer})
    return records


class Relevance:
    """A question's relevant documents: its own record and every record with the identical answer."""

    def __init__(self, documents) -> None:
        by_text: dict[str, set[str]] = {}
        for doc in documents:
            by_text.setdefault(doc.text, set()).add(doc.id)
        self.relevant = {doc.id: by_text[doc.text] for doc in documents}

    def rank(self, question_id: str, ranked_doc_ids: list[str]) -> int | None:
        """1-based rank of the first hit among the first 10 results, or None."""
        wanted = self.relevant[question_id]
        for position, doc_id in enumerate(ranked_doc_ids[:10], start=1):
            if doc_id in wanted:
                return position
        return None


def metrics(ranks: list[int | None]) -> dict:
    n = len(ranks)
    return {"R@1": sum(1 for r in ranks if r == 1) / n,
            "R@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
            "MRR@10": sum(1 / r for r in ranks if r is not None) / n, "n": n}


def fmt(m: dict) -> str:
    return f"R@1 {m['R@1']:.3f}  R@5 {m['R@5']:.3f}  MRR@10 {m['MRR@10']:.3f}  (n={m['n']})"


def top_ids(scores, ids: list[str], k: int = 10) -> list[str]:
    """Top-k by score, ties to the earlier document, zero scores dropped (as ours does)."""
    import numpy as np
    k = min(k, len(scores))
    candidates = np.argpartition(-scores, k - 1)[:k]
    threshold = scores[candidates].min()
    candidates = np.flatnonzero(scores >= threshold)
    order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))[:k]
    return [ids[i] for i in order if scores[i] > 0]


# --- ours ---------------------------------------------------------------------------------------
def evaluate_ours(engine: Engine, questions: list[dict], relevance: Relevance) -> tuple[dict, dict]:
    """Passage-level ranks (as the brief defines a hit) and, for reference, ranks over distinct documents."""
    passage_ranks, document_ranks = [], []
    for q in questions:
        hits = engine.search(q["question"], 30).hits
        passage_ranks.append(relevance.rank(q["id"], [h.chunk.doc_id for h in hits[:10]]))
        distinct = list(dict.fromkeys(h.chunk.doc_id for h in hits))
        document_ranks.append(relevance.rank(q["id"], distinct))
    return metrics(passage_ranks), metrics(document_ranks)


def latency(search, questions: list[str]) -> tuple[float, float, float]:
    """p50, p99 and mean in ms of single searches, after one warm pass over the same questions."""
    for q in questions:
        search(q)
    times = []
    for q in questions:
        started = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 99), statistics.mean(times)


def with_typo(question: str, rng: random.Random) -> str:
    """The question with one letter deleted, inserted, replaced or swapped in its longest word."""
    words = question.split()
    at = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[at]
    if len(word) < 5:
        return question
    i = rng.randrange(1, len(word) - 2)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    words[at] = rng.choice([word[:i] + word[i + 1:], word[:i] + letter + word[i:], word[:i] + letter + word[i + 1:],
                            word[:i] + word[i + 1] + word[i] + word[i + 2:]])
    return " ".join(words)


def first_pass_latency(search, questions: list[str]) -> tuple[float, float]:
    """p50 and p99 in ms of questions never asked before (each typo is corrected for the first time)."""
    times = []
    for q in questions:
        started = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 99)


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_cache(engine: Engine) -> dict:
    """What the index cache costs: pickle size, dump time, and load time and memory in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "engine.pickle"
        started = time.perf_counter()
        with open(path, "wb") as handle:
            pickle.dump(engine, handle, protocol=pickle.HIGHEST_PROTOCOL)
        dump_s = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        probe = (
            "import pickle, sys, time\n"
            f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
            "import bot.engine, bot.retrieve, bot.index, bot.text  # code imports are not the cache's cost\n"
            "base = int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS:')).split()[1])\n"
            "t = time.perf_counter()\n"
            f"engine = pickle.load(open({str(path)!r}, 'rb'))\n"
            "load = time.perf_counter() - t\n"
            "engine.search('What are the symptoms of diabetes ?', 10)\n"
            "rss = int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS:')).split()[1])\n"
            "peak = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])\n"
            "print(load, base / 1024, rss / 1024, peak / 1024)\n")
        loads, rss = [], None
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
            load_s, base_mb, rss_after, peak = (float(x) for x in out.stdout.split())
            loads.append(load_s)
            rss = (base_mb, rss_after, peak)
    return {"dump_s": dump_s, "size_mb": size_mb, "load_s": statistics.median(loads),
            "rss_base_mb": rss[0], "rss_mb": rss[1], "maxrss_mb": rss[2]}


# --- baselines ----------------------------------------------------------------------------------
def run_rank_bm25(documents, doc_tokens, questions, sample, relevance, exhaustive: bool) -> dict:
    """rank_bm25's BM25Okapi (its defaults: k1 1.5, b 0.75) on whole answers.

    Its own get_scores is timed and ranked on the sample. On every question it would take minutes
    (~8 ms or more each), so unless ``exhaustive`` the other questions are ranked with bot.index's
    sparse copy of the same scores (equal by tests/test_index.py), and this run checks on the sample
    that both give the same top 10.
    """
    from rank_bm25 import BM25Okapi
    from bot.index import BM25Index
    ids = [d.id for d in documents]
    started = time.perf_counter()
    model = BM25Okapi(doc_tokens)
    build_s = time.perf_counter() - started
    times, real_top = [], {}
    for q in (questions if exhaustive else sample):
        started = time.perf_counter()
        scores = model.get_scores(tokens(q["question"]))
        times.append((time.perf_counter() - started) * 1000)
        real_top[q["id"]] = top_ids(scores, ids)
    same = len(real_top)
    if not exhaustive:
        sparse_copy = BM25Index(doc_tokens, "okapi", 1.5, 0.75)
        copy_top = {q["id"]: top_ids(sparse_copy.scores(tokens(q["question"])), ids) for q in questions}
        same = sum(copy_top[i] == top for i, top in real_top.items())
        real_top = {**copy_top, **real_top}
    return {"all": metrics([relevance.rank(q["id"], real_top[q["id"]]) for q in questions]),
            "sample": metrics([relevance.rank(q["id"], real_top[q["id"]]) for q in sample]),
            "p50": percentile(times, 50), "p99": percentile(times, 99), "build_s": build_s,
            "checked": f"{same}/{len(sample) if not exhaustive else len(questions)} top-10 lists identical to get_scores"}


def run_bm25s(documents, doc_tokens, questions, relevance, timed: list[dict]) -> tuple[dict, float, float, float]:
    import bm25s
    ids = [d.id for d in documents]
    started = time.perf_counter()
    model = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    model.index(doc_tokens, show_progress=False)
    build_s = time.perf_counter() - started
    vocab = model.vocab_dict

    def query(text: str) -> list[str]:  # words the index never saw are dropped (bm25s would reject them)
        return [t for t in tokens(text) if t in vocab] or [""]  # "" is bm25s's empty token: scores all 0

    batch = [query(q["question"]) for q in questions]
    found, scores = model.retrieve(batch, k=30, show_progress=False, n_threads=1)
    ranks = []
    for q, row, row_scores in zip(questions, found, scores):
        ranked = sorted(((-float(s), int(i)) for i, s in zip(row, row_scores) if s > 0))
        ranks.append(relevance.rank(q["id"], [ids[i] for _, i in ranked]))
    times = []
    for q in timed:  # single-question latency, as a server would call it
        tokens_q = [query(q["question"])]
        started = time.perf_counter()
        model.retrieve(tokens_q, k=10, show_progress=False, n_threads=1)
        times.append((time.perf_counter() - started) * 1000)
    times_sorted = sorted(times)
    return metrics(ranks), percentile(times_sorted, 50), percentile(times_sorted, 99), build_s


# --- main ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="MedQuAD JSONL (id, question, answer, focus, url)")
    parser.add_argument("--quick", action="store_true", help=f"a fixed sample of {SAMPLE} questions")
    parser.add_argument("--base-all", action="store_true",
                        help="rank_bm25's own get_scores on every question (~8 ms or more each), not only the sample")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra settings override for our engine (repeatable), e.g. BM25_B=0.75")
    parser.add_argument("--no-curve", action="store_true", help="skip the 1,000 / 10,000 document engines")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    settings = medquad_settings(overrides)
    print(f"date {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC  cores {os.cpu_count()}  python {sys.version.split()[0]}"
          f"  data {args.data}")
    print("settings: " + "  ".join(f"{k}={settings[k]}" for k in
                                   ("BM25_VARIANT", "BM25_K1", "BM25_B", "HEADING_WEIGHT", "TITLE_WEIGHT",
                                    "CHUNK_MAX_WORDS")))
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    report = LoadReport()
    started = time.perf_counter()
    documents = list(iter_jsonl(args.data, report))
    load_s = time.perf_counter() - started
    print(f"loader: loaded {report.loaded}  skipped {len(report.problems)}  loaded with a change "
          f"{len(report.handled)}  in {load_s:.2f} s")
    for line in (report.problems + report.handled)[:10]:
        print(f"  {line}")
    relevance = Relevance(documents)
    duplicates = sum(1 for ids in relevance.relevant.values() if len(ids) > 1)
    print(f"records sharing their answer text with another record: {duplicates}")

    all_questions = [q for q in read_questions(args.data) if q["id"] in relevance.relevant]
    sample = random.Random(0).sample(all_questions, min(SAMPLE, len(all_questions)))
    questions = sample if args.quick else all_questions
    scope = f"{SAMPLE}-question sample" if args.quick else f"all {len(questions)} questions"

    # Ours: build over every document; quality; cache; memory.
    gc.collect()
    started = time.perf_counter()
    engine = Engine.build(settings, documents)
    build_s = time.perf_counter() - started
    print(f"ours: {len(engine.chunks)} passages from {len(engine.documents)} documents, built in {build_s:.1f} s;"
          f" documents left without a passage: {len({d.id for d in documents} - {c.doc_id for c in engine.chunks})}")
    started = time.perf_counter()
    ours, ours_docs = evaluate_ours(engine, questions, relevance)
    print(f"ours ({scope}, passages):          {fmt(ours)}   [{time.perf_counter() - started:.1f} s]")
    print(f"ours ({scope}, distinct documents): {fmt(ours_docs)}")
    if not args.quick:
        ours_sample, _ = evaluate_ours(engine, sample, relevance)
        print(f"ours ({SAMPLE}-question sample, passages): {fmt(ours_sample)}")
    else:
        ours_sample = ours

    timed = random.Random(1).sample(all_questions, min(LATENCY_QUERIES, len(all_questions)))
    p50, p99, mean = latency(lambda q: engine.search(q, 10), [q["question"] for q in timed])
    rng = random.Random(2)
    typos = [with_typo(q["question"], rng) for q in timed[:500]]
    typo_p50, typo_p99 = first_pass_latency(lambda q: engine.search(q, 10), typos)
    print(f"ours, 500 questions with a typo, first time asked: search p50 {typo_p50:.3f} ms p99 {typo_p99:.3f} ms")
    cache = measure_cache(engine)
    curve = [(len(documents), len(engine.chunks), build_s, p50, p99, mean, cache)]
    del engine
    gc.collect()

    if not args.no_curve:
        for size in CURVE_SIZES:
            if size >= len(documents):
                continue
            subset = documents[:size]
            started = time.perf_counter()
            small = Engine.build(settings, subset)
            small_build = time.perf_counter() - started
            own = {d.id for d in subset}
            asked = [q["question"] for q in timed if q["id"] in own] or [q["question"] for q in timed]
            asked = (asked * (LATENCY_QUERIES // len(asked) + 1))[:LATENCY_QUERIES] if len(asked) < 200 else asked
            s50, s99, smean = latency(lambda q: small.search(q, 10), asked)
            curve.insert(-1, (size, len(small.chunks), small_build, s50, s99, smean, measure_cache(small)))
            del small
            gc.collect()

    # Baselines: whole answers, \w+ lowercase tokens.
    doc_tokens = [tokens(d.text) for d in documents]
    rb = run_rank_bm25(documents, doc_tokens, questions, sample, relevance, args.base_all)
    print(f"rank_bm25 BM25Okapi ({scope}): {fmt(rb['all'])}  get_scores p50 {rb['p50']:.2f} ms p99 {rb['p99']:.2f} ms"
          f"  build {rb['build_s']:.1f} s  [{rb['checked']}]")
    if not args.quick:
        print(f"rank_bm25 BM25Okapi ({SAMPLE}-question sample): {fmt(rb['sample'])}")
    base, base_p50 = rb["all"], rb["p50"]
    bm, bm_p50, bm_p99, bm_build = run_bm25s(documents, doc_tokens, questions, relevance, timed)
    print(f"bm25s lucene ({scope}): {fmt(bm)}  retrieve p50 {bm_p50:.3f} ms p99 {bm_p99:.3f} ms  build {bm_build:.1f} s")
    if not args.quick:
        bm_sample, *_ = run_bm25s(documents, doc_tokens, sample, relevance, timed[:1])
        print(f"bm25s lucene ({SAMPLE}-question sample): {fmt(bm_sample)}")

    print()
    print("| documents | passages | build s | search p50 ms | p99 ms | mean ms | pickle MB | cache load s | RSS after load MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, chunks, b, s50, s99, smean, c in curve:
        print(f"| {size:,} | {chunks:,} | {b:.1f} | {s50:.3f} | {s99:.3f} | {smean:.3f} | {c['size_mb']:.0f} "
              f"| {c['load_s']:.2f} | {c['rss_mb']:.0f} (imports alone {c['rss_base_mb']:.0f}, peak {c['maxrss_mb']:.0f}) |")
    print(f"this process: VmRSS {rss_mb():.0f} MB, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"R@1={ours['R@1']:.3f} R@5={ours['R@5']:.3f} MRR@10={ours['MRR@10']:.3f} p50_ms={p50:.3f} "
          f"p99_ms={p99:.3f} base_R@5={base['R@5']:.3f} base_p50_ms={base_p50:.3f} "
          f"bm25s_R@5={bm['R@5']:.3f} bm25s_p50_ms={bm_p50:.3f}")


if __name__ == "__main__":
    main()
