"""The command line: serve, ask, search, index, eval. Flags override settings; nothing else reads them."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from bot.settings import load_settings


def _engine(settings: dict):
    from bot.engine import Engine

    return Engine.from_settings(settings)


def cmd_search(args, settings) -> int:
    engine = _engine(settings)
    result = engine.search(args.question, args.k)
    print(f"confidence {result.confidence:.2f}")
    for rank, hit in enumerate(result.hits, 1):
        chunk = hit.chunk
        print(f"\n{rank}. [{hit.score:.2f}] {chunk.title} › {' › '.join(chunk.heading_path) or '(introduction)'}")
        print(f"   {chunk.id}")
        print("   " + chunk.text.replace("\n", "\n   "))
    return 0


def cmd_index(args, settings) -> int:
    from bot.engine import Engine

    started = time.perf_counter()
    engine = Engine.from_settings(settings, rebuild=True)
    print(f"indexed {len(engine.documents)} documents, {len(engine.chunks)} passages "
          f"in {(time.perf_counter() - started) * 1000:.0f} ms")
    for problem in engine.report.problems:
        print(f"  skipped {problem}")
    for cleaned in engine.cleaned:
        print(f"  {cleaned.document.id}: {len(cleaned.sections)} sections, {len(cleaned.removed)} pieces removed")
    return 0


def cmd_eval(args, settings) -> int:
    from bot.evaluate import run

    for line in run(_engine(settings)):
        print(line)
    return 0


def cmd_ask(args, settings) -> int:
    from bot.dialogue import respond

    reply = respond(_engine(settings), settings, args.question, args.history or [])
    if args.json:
        print(json.dumps(reply.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"[{reply.type}] {reply.answer}")
    for c in reply.citations:
        print(f"  [{c.n}] {c.title} › {c.section or '(introduction)'}" + (f" <{c.url}>" if c.url else ""))
    for r in reply.resources:
        print(f"  • {r.name}: " + ", ".join(x for x in (r.phone and f"call {r.phone}",
                                                           r.sms and f"text {r.sms_body or ''} to {r.sms}".replace("  ", " "))
                                            if x))
    if reply.note:
        print(f"  {reply.note}")
    if reply.suggestions:
        print("  You could also ask: " + " | ".join(reply.suggestions))
    print(f"  {reply.disclaimer}")
    return 0


def cmd_serve(args, settings) -> int:
    from bot.app import create_app

    app = create_app(settings)
    if getattr(args, "dev", False) or not _has_gunicorn():
        logging.getLogger("bot").info("listening on http://%s:%s (development server)", args.host, args.port)
        app.run(host=args.host, port=args.port)
        return 0
    from bot.serve import run_gunicorn

    return run_gunicorn(app, settings, args.host, args.port)


def _has_gunicorn() -> bool:
    try:
        import bot.serve  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="IOP answer desk")
    p.add_argument("--corpus", help="corpus folder (BOT_CORPUS_DIR)")
    p.add_argument("--log-level", help="log level (BOT_LOG_LEVEL)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="start the HTTP server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")
    s.set_defaults(func=cmd_serve)
    a = sub.add_parser("ask", help="answer one question as the API would")
    a.add_argument("question")
    a.add_argument("--history", nargs="*", help="earlier questions, oldest first")
    a.add_argument("--json", action="store_true", help="print the API's JSON body")
    a.set_defaults(func=cmd_ask)
    q = sub.add_parser("search", help="print the top passages for a question")
    q.add_argument("question")
    q.add_argument("-k", type=int, default=5)
    q.set_defaults(func=cmd_search)
    sub.add_parser("index", help="rebuild the index cache").set_defaults(func=cmd_index)
    sub.add_parser("eval", help="print the evaluation").set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    overrides = {}
    if args.corpus:
        overrides["CORPUS_DIR"] = args.corpus
    if args.log_level:
        overrides["LOG_LEVEL"] = args.log_level
    settings = load_settings(overrides)
    logging.basicConfig(level=str(settings["LOG_LEVEL"]).upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.sources import CorpusError

    try:
        return args.func(args, settings)
    except (CorpusError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
