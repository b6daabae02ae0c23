"""Whole-reply evaluation: does the answer text itself say the answering sentence, for single questions
and for conversations; do out-of-scope questions fall back, small talk get small talk, and Spanish
questions the Spanish fallback."""

from __future__ import annotations

from bot.dialogue import respond
from bot.evaluate import EvalSet, answers


def score_replies(engine, settings: dict, s: EvalSet) -> dict:
    gold, oos, talk = s.load(s.questions), s.load("out_of_scope.jsonl"), s.load("smalltalk.jsonl")
    convs, other = s.load("conversations.jsonl"), s.load("other_language.jsonl")
    gold_replies = [respond(engine, settings, case["q"], []) for case in gold]
    answered = [r.type == "answer" and answers(r.answer, case["expect"]) for r, case in zip(gold_replies, gold)]
    conv_ok = []
    for case in convs:
        turns = case["turns"]
        reply = respond(engine, settings, turns[-1], turns[:-1])
        conv_ok.append(reply.type == "answer" and answers(reply.answer, case["expect"]))
    oos_types = [respond(engine, settings, case["q"], []).type for case in oos]
    talk_types = [respond(engine, settings, case["q"], []).type for case in talk]
    other_ok = [r.type == "fallback" and "español" in r.answer
                for r in (respond(engine, settings, case["q"], []) for case in other)]
    return {
        "answer_contains": sum(answered) / len(gold) if gold else 1.0,
        "gold_fallback": sum(r.type == "fallback" for r in gold_replies) / len(gold) if gold else 0.0,
        "conversations": sum(conv_ok) / len(convs) if convs else 1.0,
        "conversation_count": len(convs),
        "out_of_scope_fallback": sum(t == "fallback" for t in oos_types) / len(oos) if oos else 1.0,
        "smalltalk": sum(t == "smalltalk" for t in talk_types) / len(talk) if talk else 1.0,
        "other_language": sum(other_ok) / len(other) if other else 1.0,
        "other_language_count": len(other),
        "missed_conversations": [c["turns"] for c, ok in zip(convs, conv_ok) if not ok],
        "answered_out_of_scope": [c["q"] for c, t in zip(oos, oos_types) if t != "fallback"],
        "missed_smalltalk": [c["q"] for c, t in zip(talk, talk_types) if t != "smalltalk"],
    }


def run(engine, s: EvalSet) -> list[str]:
    r = score_replies(engine, engine.settings, s)
    lines = [
        f"replies    answer text contains the answering sentence={r['answer_contains']:.3f}"
        f"  gold fell back={r['gold_fallback']:.3f}",
        f"           out-of-scope -> fallback={r['out_of_scope_fallback']:.3f}  small talk={r['smalltalk']:.3f}"
        f"  conversations resolved={r['conversations']:.3f} ({r['conversation_count']})"
        f"  Spanish -> Spanish fallback={r['other_language']:.3f} ({r['other_language_count']})",
    ]
    if s.show_misses:
        lines += [f"  conversation missed: {' / '.join(t)}" for t in r["missed_conversations"]]
        lines += [f"  out-of-scope answered: {q}" for q in r["answered_out_of_scope"]]
        lines += [f"  small talk missed: {q}" for q in r["missed_smalltalk"]]
    return lines
