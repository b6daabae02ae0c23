"""Benchmark the answer engine on the shipped corpus: build, cache load, search latency.

Prints figures; asserts nothing. Run: python bench/engine.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import Engine  # noqa: E402
from bot.evaluate import EVAL_DIR, load_jsonl  # noqa: E402
from bot.settings import load_settings  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20, help="passes over the gold questions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        settings = load_settings({"INDEX_DIR": cache})
        started = time.perf_counter()
        engine = Engine.from_settings(settings)
        build_ms = (time.perf_counter() - started) * 1000
        loads = []
        for _ in range(5):
            started = time.perf_counter()
            Engine.from_settings(settings)
            loads.append((time.perf_counter() - started) * 1000)
    questions = [c["q"] for c in load_jsonl(EVAL_DIR / "gold.jsonl")]
    for q in questions:  # warm caches (stemmer, typo correction)
        engine.search(q, 10)
    latencies = []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            engine.search(q, 10)
            latencies.append((time.perf_counter() - started) * 1000)
    print(f"cores={os.cpu_count()} documents={len(engine.documents)} passages={len(engine.chunks)}")
    print(f"index build (cold, incl. loading and cleaning): {build_ms:.1f} ms")
    print(f"cache load: median {statistics.median(loads):.1f} ms")
    print(f"search over {len(latencies)} gold questions: p50 {percentile(latencies, 50):.3f} ms  "
          f"p99 {percentile(latencies, 99):.3f} ms  mean {statistics.mean(latencies):.3f} ms")


if __name__ == "__main__":
    main()
