"""The production server as a real subprocess: gunicorn with two workers, stateless turns, a clean refusal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.serve import gunicorn_options, worker_count
from bot.settings import load_settings

pytest.importorskip("gunicorn")

PROJECT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60  # seconds for the master to load the index and the workers to boot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, **extra) -> dict:
    env = dict(os.environ, BOT_INDEX_DIR=str(tmp_path / "index"), BOT_WORKERS="2", BOT_THREADS="2",
               BOT_RATE_LIMIT="1000/minute", PYTHONPATH=str(PROJECT))
    env.update(extra)
    return env


def _get(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, json.loads(r.read())


def _post(url: str, body: dict, timeout: float = 10.0) -> tuple[int, dict, int]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read()), 0


@contextmanager
def running_server(tmp: Path, env: dict):
    """`python -m bot serve` on a free 127.0.0.1 port, ready to answer; stopped on exit."""
    port = free_port()
    log = open(tmp / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if _get(base + "/api/health", timeout=1)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"server did not start:\n{log.read()}")
            time.sleep(0.2)
        yield base, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The server with two workers, shared by this module's tests."""
    tmp = tmp_path_factory.mktemp("serve")
    with running_server(tmp, _env(tmp)) as (base, proc, _):
        yield base, proc, tmp / "server.log"


@pytest.mark.parametrize("setting, cores, expected", [(0, 1, 1), (0, 2, 2), (0, 16, 8), (3, 16, 3)])
def test_worker_count(setting, cores, expected):
    assert worker_count(setting, cores) == expected


def test_gunicorn_options_follow_settings():
    options = gunicorn_options(load_settings({"WORKERS": 2, "THREADS": 4, "TIMEOUT": 12}, environ={}),
                               "127.0.0.1", 9999)
    assert options["bind"] == "127.0.0.1:9999"
    assert (options["workers"], options["threads"], options["timeout"]) == (2, 4, 12)
    assert options["worker_class"] == "gthread" and options["preload_app"] is True
    assert options["client_timeout"] == 10
    assert options["accesslog"] is None


def test_health(server):
    base, _, _ = server
    status, body = _get(base + "/api/health")
    assert status == 200 and body["status"] == "ok" and body["passages"] > 0


def test_logs_where_it_listens(server):
    base, _, log_path = server
    assert f"listening on {base}" in log_path.read_text()


def test_many_requests_across_workers_all_answered(server):
    base, _, _ = server
    turns = [{"question": "what is an iop"},
             {"question": "how long does it last?", "history": ["what is an iop"]},
             {"question": "does insurance cover it?", "history": ["what is an iop", "how long does it last?"]},
             {"question": "hello"}] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda body: _post(base + "/api/ask", body), turns))
    assert all(status == 200 for status, _, _ in results)
    assert all(body["type"] in {"answer", "fallback", "smalltalk"} for _, body, _ in results)
    # The follow-up was resolved against the history it carried, whichever worker took it.
    follow_ups = [body for (_, body, _), turn in zip(results, turns) if turn.get("history")]
    assert all("iop" in body.get("resolved_question", "").lower() or body["type"] == "answer" for body in follow_ups)
    assert len({json.dumps(b["answer"]) for (_, b, _), t in zip(results, turns) if t == turns[1]}) == 1


def test_missing_corpus_exits_non_zero_with_a_clear_message(tmp_path):
    port = free_port()
    proc = subprocess.run([sys.executable, "-m", "bot", "--corpus", str(tmp_path / "nonexistent"), "serve",
                           "--host", "127.0.0.1", "--port", str(port)],
                          cwd=PROJECT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "nonexistent" in proc.stderr and "error" in proc.stderr.lower()
    assert "Booting worker" not in proc.stderr and "Listening at" not in proc.stderr
    with socket.socket() as s:  # nothing was left listening
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_unreadable_corpus_exits_non_zero(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any folder regardless of its mode; the missing-folder test covers the path")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    corpus.chmod(0)
    try:
        proc = subprocess.run([sys.executable, "-m", "bot", "--corpus", str(corpus), "serve", "--port",
                               str(free_port())], cwd=PROJECT, env=_env(tmp_path), capture_output=True,
                              text=True, timeout=60)
    finally:
        corpus.chmod(0o700)
    assert proc.returncode != 0 and "corpus" in proc.stderr


def test_a_client_that_stalls_mid_request_loses_its_connection(tmp_path):
    """One worker, one thread: a request gets served only once the stalled connection is dropped."""
    env = _env(tmp_path, BOT_WORKERS="1", BOT_THREADS="1", BOT_CLIENT_TIMEOUT="2")
    with running_server(tmp_path, env) as (base, _, log):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as stalled:
            stalled.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\n")  # ...and never the rest
            time.sleep(0.5)
            status, body, _ = _post(base + "/api/ask", {"question": "how long is iop"}, timeout=30)
            assert status == 200 and body["type"] == "answer"
            assert stalled.recv(1024) == b""  # the server closed it
        log.seek(0)
        assert "stalled past CLIENT_TIMEOUT" in log.read()
