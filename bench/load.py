"""Load benchmark of the production server: wrk against `python -m bot serve` on 127.0.0.1.

Runs the bot at concurrency 1, 8 and 32, a bare endpoint (/api/health) for the ratio, a worker SIGKILL under
load, a separate 429 check and an unreadable-corpus start; prints the figures and appends them to
bench/RESULTS.md. Every phase is time-bounded. Needs wrk (apt-get install wrk) and psutil.

    python bench/load.py [--seconds 10] [--workers 0] [--no-append]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

PROJECT = Path(__file__).resolve().parent.parent
GOLD = PROJECT / "tests" / "eval" / "gold.jsonl"
RESULTS = PROJECT / "bench" / "RESULTS.md"
sys.path.insert(0, str(PROJECT))  # run as a script from a clone

LUA_TEMPLATE = """
local bodies = %s
local i = 0
request = function()
  i = i + 1
  local b = bodies[(i %% #bodies) + 1]
  if b.ct then
    return wrk.format("POST", "/api/ask", {["Content-Type"] = b.ct}, b.body)
  end
  return wrk.format("GET", b.path)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write("JSON" .. string.format('{"requests":%%d,"duration_us":%%d,"p50":%%d,"p95":%%d,"p99":%%d,"max":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

STATUS_LUA = """
local counts = {}
response = function(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for our ASCII-escaped text


def mix(seed: int = 7) -> list[dict]:
    """Gold questions, follow-ups with history, and bad requests (about 1 in 10), in a fixed shuffled order."""
    questions = [json.loads(line)["q"] for line in GOLD.read_text().splitlines() if line.strip()]
    rng = random.Random(seed)
    out = []
    for q in questions:
        out.append({"ct": "application/json", "body": json.dumps({"question": q})})
        if rng.random() < 0.3:
            out.append({"ct": "application/json",
                        "body": json.dumps({"question": "how much does it cost?", "history": [q]})})
        if rng.random() < 0.1:
            out.append(rng.choice([{"ct": "application/json", "body": "{not json"},
                                   {"ct": "text/plain", "body": "hello"},
                                   {"ct": "application/json", "body": json.dumps({"question": ""})}]))
    rng.shuffle(out)
    return out


def write_lua(path: Path, bodies: list[dict]) -> None:
    entries = ",\n".join("{" + ", ".join(f"{k} = {lua_string(v)}" for k, v in b.items()) + "}" for b in bodies)
    path.write_text(LUA_TEMPLATE % ("{" + entries + "}"))


def wrk(url: str, script: Path, connections: int, seconds: int) -> dict:
    threads = max(1, min(connections, 4))
    proc = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s",
                           "-s", str(script), url], capture_output=True, text=True, timeout=seconds + 30)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON"))
    data = json.loads(line[4:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


class Server:
    """`python -m bot serve` as a subprocess; always stopped by ``stop``."""

    def __init__(self, tmp: Path, workers: int, rate_limit: str, threads: int = 0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, BOT_INDEX_DIR=str(tmp / "index"), BOT_WORKERS=str(workers),
                   **({"BOT_THREADS": str(threads)} if threads else {}),
                   BOT_RATE_LIMIT=rate_limit, BOT_LOG_LEVEL="WARNING", PYTHONPATH=str(PROJECT))
        self.log = open(tmp / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port)], cwd=PROJECT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.wait_ready(60)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/api/health", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def wait_ready(self, timeout: float) -> float:
        start = time.monotonic()
        while not self.healthy():
            if self.proc.poll() is not None or time.monotonic() - start > timeout:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        return time.monotonic() - start

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.log.close()


def kill_worker_under_load(server: Server, script: Path, seconds: int) -> dict:
    """SIGKILL one worker mid-run; count failed requests and time until a replacement worker is serving."""
    victim = server.workers()[0]
    before = {p.pid for p in server.workers()}
    proc = subprocess.Popen(["wrk", "-t", "4", "-c", "8", "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script),
                             server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds / 3)
    killed_at = time.monotonic()
    os.kill(victim.pid, signal.SIGKILL)
    recovery = None
    while time.monotonic() - killed_at < seconds:
        now = {p.pid for p in server.workers()}
        if len(now) >= len(before) and victim.pid not in now:
            recovery = time.monotonic() - killed_at
            break
        time.sleep(0.02)
    out, _ = proc.communicate(timeout=seconds + 30)
    data = json.loads(next(ln for ln in out.splitlines() if ln.startswith("JSON"))[4:])
    lost = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return {"requests": data["requests"], "lost": lost, "recovery_s": recovery}


def rate_limit_check(tmp: Path) -> dict:
    """A server with the default-style small limit: 12 quick asks from one client; count 200s and 429s."""
    server = Server(tmp, workers=1, rate_limit="10/second")
    try:
        codes = []
        for _ in range(12):
            req = urllib.request.Request(server.url + "/api/ask", method="POST", data=b'{"question":"what is an iop"}',
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    codes.append(r.status)
            except urllib.error.HTTPError as e:
                codes.append(e.code)
        return {"200": codes.count(200), "429": codes.count(429)}
    finally:
        server.stop()


def bad_corpus_start(tmp: Path) -> dict:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bot", "--corpus", str(tmp / "missing"), "serve", "--port",
                           str(free_port())], cwd=PROJECT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(PROJECT)))
    return {"exit": proc.returncode, "seconds": round(time.monotonic() - start, 2),
            "message": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=0, help="gunicorn workers (0 = the server's default)")
    ap.add_argument("--threads", type=int, default=0, help="threads per worker (0 = the server's default)")
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bot-load-"))
    bot_lua, health_lua = tmp / "bot.lua", tmp / "health.lua"
    bodies = mix()
    write_lua(bot_lua, bodies)
    write_lua(health_lua, [{"path": "/api/health"}])
    bad = sum(1 for b in bodies if b["ct"] != "application/json" or "not json" in b["body"] or '""' in b["body"])
    server = Server(tmp, args.workers, rate_limit="10000000/second", threads=args.threads)
    rows, health, rss = [], None, []
    try:
        from bot.serve import worker_count
        from bot.settings import load_settings

        workers = worker_count(args.workers)
        threads = args.threads or int(load_settings()["THREADS"])
        deadline = time.monotonic() + 30
        while len(server.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)  # preload done; wait for every worker to boot before measuring
        for c in (1, 8, 32):
            rows.append((c, wrk(server.url, bot_lua, c, args.seconds)))
        health = wrk(server.url, health_lua, 8, args.seconds)
        rss = [p.memory_info().rss / 2**20 for p in server.workers()]
        uss = [p.memory_full_info().uss / 2**20 for p in server.workers()]
        kill = kill_worker_under_load(server, bot_lua, args.seconds)
    finally:
        server.stop()
    limited = rate_limit_check(tmp)
    corpus = bad_corpus_start(tmp)

    lines = [f"## Load (bench/load.py, {time.strftime('%Y-%m-%d')})", "",
             f"gunicorn gthread, {workers} workers x {threads} threads, preload_app; {os.cpu_count()} cores; wrk {args.seconds} s "
             f"per row on 127.0.0.1; request mix: {len(bodies)} bodies from tests/eval/gold.jsonl, follow-ups with "
             f"history, {bad} deliberately bad requests (4xx expected).", "",
             "| load | conc. | req/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx | socket errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for c, r in rows + [("health", health)]:
        label, conc = ("POST /api/ask mix", c) if c != "health" else ("GET /api/health (bare)", 8)
        lines.append(f"| {label} | {conc} | {r['rps']:.0f} | {r['p50']/1000:.1f} | {r['p95']/1000:.1f} | "
                     f"{r['p99']/1000:.1f} | {r['max']/1000:.1f} | {r['status']} | "
                     f"{r['connect'] + r['read'] + r['write'] + r['timeout']} |")
    at8 = dict(rows)[8]
    lines += ["", f"- Bot cost vs bare endpoint at concurrency 8: {health['rps'] / at8['rps']:.1f}x fewer req/s, "
              f"p50 {at8['p50'] / max(health['p50'], 1):.1f}x the latency.",
              f"- Memory per worker after the runs: RSS {min(rss):.0f}-{max(rss):.0f} MB, unique (USS) "
              f"{min(uss):.0f}-{max(uss):.0f} MB (the rest is shared with the preloaded master).",
              f"- SIGKILL of one worker under load (c=8): {kill['lost']} of {kill['requests']} requests lost; "
              f"replacement worker up after "
              f"{'%.2f s' % kill['recovery_s'] if kill['recovery_s'] is not None else 'not within the run'}.",
              f"- Rate limit 10/second, 12 quick asks from one client: {limited['200']} x 200, {limited['429']} x 429.",
              f"- Start with a missing corpus: exit {corpus['exit']} in {corpus['seconds']} s, "
              f"`{corpus['message']}`; no server left listening.", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
