"""Sweep the confidence cut: the weight of unknown words against the threshold, on an evaluation set.

The two move together: a heavier unknown word pushes out-of-scope questions down, and the threshold
that keeps out-of-scope recognition where it was then falls, letting in-scope questions whose words
are all the corpus's own pass even when the best passage covers only some of them. Prints, for each
UNKNOWN_WEIGHT, the threshold that recognises a share of out-of-scope questions and what it rejects.
Asserts nothing. Run: python bench/confidence.py [--set gold|heldout] [--recognize 0.96]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import Engine  # noqa: E402
from bot.evaluate import eval_sets  # noqa: E402
from bot.settings import load_settings  # noqa: E402

WEIGHTS = (5.0, 10.0, 15.0, 20.0, 25.0, 30.0)
THRESHOLDS = tuple(round(0.08 + 0.02 * i, 2) for i in range(14))  # 0.08 to 0.34


def confidences(engine: Engine, questions: list[str]) -> list[float]:
    return [engine.search(q, 1).confidence for q in questions]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=("gold", "heldout"), default="gold")
    parser.add_argument("--recognize", type=float, default=0.96, help="out-of-scope share the cut must recognise")
    args = parser.parse_args()
    engine = Engine.from_settings(load_settings())
    chosen = eval_sets()[0 if args.set == "gold" else 1]
    in_scope = [c["q"] for c in chosen.load(chosen.questions)]
    out_scope = [c["q"] for c in chosen.load("out_of_scope.jsonl")]
    shipped = engine.retriever.unknown_weight
    print(f"{args.set}: {len(in_scope)} in scope, {len(out_scope)} out of scope; shipped UNKNOWN_WEIGHT "
          f"{shipped}, CONFIDENCE_THRESHOLD {engine.settings['CONFIDENCE_THRESHOLD']}")
    print("weight  threshold  out-of-scope recognized  in-scope rejected")
    for weight in WEIGHTS:
        engine.retriever.unknown_weight = weight  # this process's engine only; nothing is written
        inside, outside = confidences(engine, in_scope), confidences(engine, out_scope)
        for threshold in THRESHOLDS:
            recognized = sum(c < threshold for c in outside) / len(outside)
            rejected = sum(c < threshold for c in inside) / len(inside)
            mark = "  <- first to reach --recognize" if recognized >= args.recognize else ""
            print(f"{weight:6.1f}  {threshold:9.2f}  {recognized:23.3f}  {rejected:17.3f}{mark}")
            if mark:
                break


if __name__ == "__main__":
    main()
