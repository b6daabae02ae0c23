"""The evaluation: retrieval, the confidence cut, whole replies, conversations and safety, on two sets.

Gold questions name the text that answers them (verbatim snippets); a passage answers when it
contains one. A reply must say a snippet of ``expect``; ``passage_expect`` holds snippets that mark a
passage holding the answer but that, read out alone, don't answer ("Some of the topics covered... may be
tailored" leads the list of topics), so they count for retrieval only.

The gold set (tests/eval/) is the one we tune on, so its misses are printed; the held-out set
(tests/eval/heldout/) was written blind, from the passages alone, and is never tuned on: only its
figures are printed, so it keeps estimating how the bot does on questions nobody optimised for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from bot.engine import Engine

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"
SHARED_SAFETY = Path(__file__).resolve().parent.parent.parent / "shared" / "safety" / "crisis_cases.jsonl"


@dataclass(frozen=True)
class EvalSet:
    """One evaluation set: where its files are, and whether its misses may be shown."""

    name: str
    folder: Path
    questions: str = "gold.jsonl"
    show_misses: bool = True

    def load(self, name: str) -> list[dict]:
        path = self.folder / name
        return load_jsonl(path) if path.is_file() else []


def eval_sets(eval_dir: Path = EVAL_DIR) -> tuple[EvalSet, ...]:
    sets = [EvalSet("gold set (tests/eval/, tuned on)", eval_dir)]
    if (eval_dir / "heldout" / "questions.jsonl").is_file():
        sets.append(EvalSet("held-out set (tests/eval/heldout/, written blind, never tuned on: misses not shown)",
                            eval_dir / "heldout", "questions.jsonl", show_misses=False))
    return tuple(sets)


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def answers(text: str, expect: list[str]) -> bool:
    """Whether ``text`` contains one of the expected snippets (whitespace and case folded).

    A snippet's closing full stop is not required: a reply joins the items of a list with ";", so the
    list item "Focuses on building self-esteem and self-worth." is said as "...self-worth; ..."."""
    body = _squash(text)
    return any(_squash(snippet).rstrip(".") in body for snippet in expect)


def retrieval_report(engine: Engine, gold: list[dict], out_of_scope: list[dict], k: int = 10) -> dict:
    threshold = float(engine.settings["CONFIDENCE_THRESHOLD"])
    ranks, misses, in_conf = [], [], []
    for case in gold:
        result = engine.search(case["q"], k)
        marks = case["expect"] + case.get("passage_expect", [])
        rank = next((i + 1 for i, h in enumerate(result.hits) if answers(h.chunk.text, marks)), None)
        ranks.append(rank)
        in_conf.append(result.confidence)
        if rank != 1:
            top = result.hits[0].chunk if result.hits else None
            misses.append((case["q"], rank, top.section if top else "-", result.confidence))
    oos_conf = [engine.search(case["q"], k).confidence for case in out_of_scope]
    n = len(gold)
    accepted_in = sum(c >= threshold for c in in_conf)
    accepted_out = sum(c >= threshold for c in oos_conf)
    return {
        # The cut as a classifier of "the documents answer this": precision over everything it lets through.
        "cut_precision": accepted_in / (accepted_in + accepted_out) if accepted_in + accepted_out else 1.0,
        "cut_recall": accepted_in / n if n else 1.0,
        "questions": n,
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
        "mrr": mean(1 / r if r else 0 for r in ranks),
        "in_scope_rejected": sum(c < threshold for c in in_conf) / n,
        "out_of_scope": len(out_of_scope),
        "out_of_scope_recognized": (sum(c < threshold for c in oos_conf) / len(oos_conf)) if oos_conf else 1.0,
        "threshold": threshold,
        "misses": misses,
        "rejected_in_scope": [(g["q"], c) for g, c in zip(gold, in_conf) if c < threshold],
        "accepted_out_of_scope": [(o["q"], c) for o, c in zip(out_of_scope, oos_conf) if c >= threshold],
    }


def format_retrieval(report: dict, show_misses: bool = True) -> list[str]:
    lines = [
        f"retrieval  questions={report['questions']}  hit@1={report['hit@1']:.3f}  hit@3={report['hit@3']:.3f}"
        f"  MRR={report['mrr']:.3f}",
        f"confidence threshold={report['threshold']}  out-of-scope recognized={report['out_of_scope_recognized']:.3f}"
        f" ({report['out_of_scope']})  in-scope wrongly rejected={report['in_scope_rejected']:.3f}",
        f"           answerable by the cut: precision={report['cut_precision']:.3f}  recall={report['cut_recall']:.3f}",
    ]
    if not show_misses:
        return lines
    for q, rank, section, conf in report["misses"]:
        lines.append(f"  miss (rank {rank or '>10'}, conf {conf:.2f}, top: {section[:40]}): {q}")
    for q, conf in report["rejected_in_scope"]:
        lines.append(f"  rejected in-scope (conf {conf:.2f}): {q}")
    for q, conf in report["accepted_out_of_scope"]:
        lines.append(f"  accepted out-of-scope (conf {conf:.2f}): {q}")
    return lines


def run(engine: Engine, eval_dir: Path = EVAL_DIR) -> list[str]:
    """Every evaluation whose data exists, as printable lines."""
    from bot import eval_dialogue, eval_safety

    lines: list[str] = []
    for s in eval_sets(eval_dir):
        lines.append(f"== {s.name}")
        lines += format_retrieval(retrieval_report(engine, s.load(s.questions), s.load("out_of_scope.jsonl")),
                                  s.show_misses)
        lines += eval_dialogue.run(engine, s)
    for path in (SHARED_SAFETY, eval_dir / "crisis_own.jsonl"):
        if path.is_file():
            lines.append(f"== safety: {path.name}")
            lines += ["  " + line for line in eval_safety.format_report(eval_safety.score(eval_safety.load_cases(path)))]
    return lines
