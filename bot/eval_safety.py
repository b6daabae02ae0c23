"""Score the crisis detector on labelled messages: ``python -m bot.eval_safety FILE...``.

Each case is ``{"text", "crisis", "kind"[, "history"]}``. Recall is measured on crisis cases (overall
and per kind, misses listed), the false-alarm rate on non-crisis cases; ``kind == "ambiguous"`` cases
are scored apart, against their safe-default label.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.safety import assess


def load_cases(path) -> list[dict]:
    """Read a JSONL case file; ValueError naming the file and line if a record is malformed."""
    cases = []
    path = Path(path)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
        if not isinstance(case, dict) or not isinstance(case.get("text"), str) or not isinstance(case.get("crisis"), bool):
            raise ValueError(f"{path}:{n}: needs a string 'text' and a boolean 'crisis'")
        case.setdefault("kind", "")
        case.setdefault("history", [])
        cases.append(case)
    return cases


def score(cases) -> dict:
    """Recall (overall, per kind, misses), false-alarm rate and the separate ambiguous tally."""
    crisis = {"n": 0, "hit": 0}
    per_kind: dict[str, dict] = {}
    benign = {"n": 0, "false_alarms": [], "sensitive": 0}
    ambiguous = {"n": 0, "agree": 0, "disagree": []}
    for case in cases:
        got = assess(case["text"], case.get("history") or ())
        if case.get("kind") == "ambiguous":
            ambiguous["n"] += 1
            if got.crisis == case["crisis"]:
                ambiguous["agree"] += 1
            else:
                ambiguous["disagree"].append(case["text"])
        elif case["crisis"]:
            k = per_kind.setdefault(case.get("kind", ""), {"n": 0, "hit": 0, "misses": []})
            crisis["n"] += 1
            k["n"] += 1
            if got.crisis:
                crisis["hit"] += 1
                k["hit"] += 1
            else:
                k["misses"].append(case["text"])
        else:
            benign["n"] += 1
            benign["sensitive"] += got.sensitive_topic
            if got.crisis:
                benign["false_alarms"].append(case["text"])
    for k in per_kind.values():
        k["recall"] = k["hit"] / k["n"] if k["n"] else 1.0
    return {
        "recall": crisis["hit"] / crisis["n"] if crisis["n"] else 1.0,
        "crisis_cases": crisis["n"],
        "per_kind": per_kind,
        "false_alarm_rate": len(benign["false_alarms"]) / benign["n"] if benign["n"] else 0.0,
        "benign_cases": benign["n"],
        "false_alarms": benign["false_alarms"],
        "sensitive_on_benign": benign["sensitive"],
        "ambiguous": {**ambiguous, "agreement": ambiguous["agree"] / ambiguous["n"] if ambiguous["n"] else 1.0},
    }


def format_report(result: dict) -> list[str]:
    lines = [f"crisis recall: {result['recall']:.3f} ({result['crisis_cases']} cases)"]
    for kind, k in sorted(result["per_kind"].items()):
        lines.append(f"  {kind}: {k['recall']:.3f} ({k['hit']}/{k['n']})")
        lines.extend(f"    MISS: {t}" for t in k["misses"])
    lines.append(f"false-alarm rate: {result['false_alarm_rate']:.3f} "
                 f"({len(result['false_alarms'])}/{result['benign_cases']}; sensitive_topic on {result['sensitive_on_benign']})")
    lines.extend(f"  FALSE ALARM: {t}" for t in result["false_alarms"])
    amb = result["ambiguous"]
    lines.append(f"ambiguous agreement with safe default: {amb['agreement']:.3f} ({amb['agree']}/{amb['n']})")
    lines.extend(f"  DIFFERS: {t}" for t in amb["disagree"])
    return lines


def main(argv: list[str] | None = None) -> int:
    paths = (argv if argv is not None else sys.argv[1:]) or ["tests/eval/crisis_own.jsonl"]
    for path in paths:
        print(f"== {path}")
        print("\n".join(format_report(score(load_cases(path)))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
