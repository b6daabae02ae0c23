"""The production server: gunicorn, started from Python with the app already built.

``preload_app`` is the point: ``create_app`` has loaded the corpus and built (or read) the index in the master
before the workers fork, so every worker shares those pages copy-on-write and none pays the start-up cost.
Dialogue state lives in the client, so any worker can serve any turn.
"""

from __future__ import annotations

import gc
import logging
import socket
import struct
import os
import sys
from typing import Any, Mapping

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)

MAX_AUTO_WORKERS = 8


def worker_count(setting: int, cores: int | None = None) -> int:
    """WORKERS, or one per core (capped at 8) when it is 0.

    Answering is CPU work, not waiting: more processes than cores only take turns on them, and the
    turn-taking is what a slow tail is made of. Measured on 2 cores at concurrency 8 (bench/load.py):
    2 workers x 4 threads p99 27-30 ms, 5 x 2 (gunicorn's 2 x cores + 1) 37-63 ms, 3 x 4 40-41 ms.
    The threads are for clients that are slow to send, not for CPU.
    """
    if int(setting) > 0:
        return int(setting)
    cores = cores or os.cpu_count() or 1
    return min(cores, MAX_AUTO_WORKERS)


def gunicorn_options(settings: Mapping[str, Any], host: str, port: int) -> dict[str, Any]:
    """The gunicorn configuration our settings imply."""
    return {
        "bind": f"{host}:{int(port)}",
        "workers": worker_count(settings["WORKERS"]),
        "worker_class": "gthread",
        "threads": max(1, int(settings["THREADS"])),
        "timeout": int(settings["TIMEOUT"]),
        "client_timeout": int(settings["CLIENT_TIMEOUT"]),  # ours, not gunicorn's: see bound_client_sockets
        "graceful_timeout": min(int(settings["TIMEOUT"]), 10),
        "preload_app": True,
        "accesslog": None,  # gunicorn's access line has the client address and query string; bot.access logs instead
        "errorlog": "-",
        "loglevel": str(settings["LOG_LEVEL"]).lower(),
        "proc_name": "iop-bot",
        # gunicorn 25+ opens a control socket at one fixed path per user; two servers would fight over it.
        "control_socket_disable": True,
        # The app does its own proxy handling (TRUST_PROXY); gunicorn must not trust headers on its own.
        "forwarded_allow_ips": "127.0.0.1" if int(settings["TRUST_PROXY"]) > 0 else "",
    }


class BotServer(BaseApplication):
    """A gunicorn application around an already-built Flask app."""

    def __init__(self, app, options: Mapping[str, Any]):
        self.application = app
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)
        client_timeout = int(self.options.get("client_timeout") or 0)
        self.cfg.set("when_ready", lambda server: _when_ready(server, client_timeout))
        self.cfg.set("pre_fork", _pre_fork)

    def load(self):
        return self.application


def _pre_fork(server, worker) -> None:
    # Everything loaded so far (the engine, its sentences) lives as long as the process: moving it out
    # of the collector's generations keeps it from being scanned, and its pages from being copied on
    # write, in every worker. https://docs.python.org/3/library/gc.html#gc.freeze
    gc.freeze()


def bound_client_sockets(listeners, seconds: int) -> None:
    """A client that stalls mid-request (or stops reading its reply) for ``seconds`` loses its connection.

    gunicorn's threaded worker waits a while for a request's first bytes, but once some arrived it
    reads the rest with a blocking socket and no deadline: a few clients sending headers one byte at
    a time held every worker thread (measured: two slow connections stopped a 2 x 1 server).
    SO_RCVTIMEO/SO_SNDTIMEO on the listening socket are inherited by every accepted socket on Linux,
    and bound each blocking read and write without touching gunicorn's code.
    """
    if seconds <= 0:
        return
    limit = struct.pack("ll", seconds, 0)
    for listener in listeners:
        sock = getattr(listener, "sock", listener)
        for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
            sock.setsockopt(socket.SOL_SOCKET, option, limit)


class _StalledClientLog(logging.Filter):
    """gunicorn logs a timed-out client read as a socket error with a traceback: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (BlockingIOError, TimeoutError)):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "a client stalled past CLIENT_TIMEOUT; its connection was closed", (), None, None)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _when_ready(server, client_timeout: int = 0) -> None:
    bound_client_sockets(server.LISTENERS, client_timeout)
    error_log = logging.getLogger("gunicorn.error")
    if not any(isinstance(f, _StalledClientLog) for f in error_log.filters):
        error_log.addFilter(_StalledClientLog())
    cfg = server.cfg
    server.log.info("listening on http://%s (gunicorn, %d workers x %d threads, timeout %ss)",
                    cfg.bind[0], cfg.workers, cfg.threads, cfg.timeout)


def _structured_access_log() -> None:
    """bot.access lines are JSON already: print them bare, one per line, on stderr."""
    access = logging.getLogger("bot.access")
    if not any(getattr(h, "_bot_access", False) for h in access.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._bot_access = True  # type: ignore[attr-defined]
        access.addHandler(handler)
    access.propagate = False


def run_gunicorn(app, settings: Mapping[str, Any], host: str, port: int) -> int:
    """Serve ``app`` with gunicorn until it is stopped; returns the process exit status."""
    _structured_access_log()
    options = gunicorn_options(settings, host, port)
    try:
        BotServer(app, options).run()
    except SystemExit as exc:  # gunicorn's arbiter exits through sys.exit on halt or a failed bind
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
