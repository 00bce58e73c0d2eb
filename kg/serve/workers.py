"""Worker processes of ``kg serve``: they run queries and draw the view.

pyoxigraph 0.5 cannot cancel a query (oxigraph#1926) and a thread that has timed
out keeps burning CPU, so every query runs in a worker *process*; one that
overruns its time is killed and replaced. Workers are started once and reused
(a request costs about 2 ms, where a new process per query costs over 100 ms).

Each query worker holds the store open read-only. A read-only store is a snapshot
taken when it is opened, so a worker reopens it when the store's files change
(an ingest running beside the server). Oxigraph calls reading beside a writer
undefined; in practice an open can fail while the writer compacts, so opening is
retried, and a query that fails on the store is retried once on a fresh open.
A server started with a write token also runs one *writer* process, the only one
that opens the store read-write (see :mod:`kg.serve.updates`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from kg.errors import KGError, QueryError, StoreError
from kg.query.worker import bounded_timeout, cap_memory
from kg.serve.replies import (
    GRAPH_TYPES,
    RESULTS_TYPES,
    Reply,
    error_reply,
    negotiate,
    serialize,
)
from kg.serve.updates import answer_update

logger = logging.getLogger(__name__)

_STARTUP_SECONDS = 60.0
# Seen when a script starts the server without the multiprocessing main guard:
# the worker re-ran the script and failed.
_DIED_AT_START = (
    "A query worker exited while starting (see its error above). A script that "
    'starts kg.serve.server must do so under if __name__ == "__main__":.'
)
# The view inlines vis-network and its own script; article text in it is
# escaped (kg.views.graph), and nothing may be fetched from anywhere.
_VIEW_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-ancestors 'none'"
)


# --- inside a worker process ------------------------------------------------


def store_version(location: Path) -> tuple:
    """Names, sizes and times of a store's files: changes whenever a writer writes.

    RocksDB's own log (LOG*) is left out; it changes without the data changing.
    """
    found = []
    with os.scandir(location) as entries:
        for entry in entries:
            if entry.name.startswith("LOG"):
                continue
            try:
                stat = entry.stat()
            except FileNotFoundError:  # a writer's compaction removed it just now
                found.append((entry.name, -1, -1))
                continue
            found.append((entry.name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def open_read_only(location: Path, attempts: int = 20):  # noqa: ANN201 - kg.store.Store
    """Open a store read-only, retrying while a writer beside it compacts.

    Raises:
        StoreError: the store still cannot be opened after ``attempts`` tries.
    """
    import pyoxigraph as ox

    from kg.store import Store

    for attempt in range(attempts):
        try:
            return Store(ox.Store.read_only(str(location)), location)
        except (OSError, RuntimeError) as err:
            if attempt == attempts - 1:
                raise StoreError(
                    f"Cannot open store {location} read-only: {err}. Check that it "
                    "is a kg store folder; if an ingest is running, retry."
                ) from err
            time.sleep(0.05)
    raise AssertionError("unreachable")


class Snapshot:
    """A read-only view of a store that follows a writer working beside it."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._store = None
        self._version: tuple | None = None

    def store(self, *, refresh: bool = False):  # noqa: ANN201 - kg.store.Store
        """The store as it is now; reopened when its files changed."""
        version = store_version(self.location)
        if refresh or self._store is None or version != self._version:
            self._store = open_read_only(self.location)
            self._version = version
        return self._store

    def answer(self, request: tuple) -> Reply:
        """Run one request: ("query", text, accept, max_rows) or ("view", title)."""
        try:
            if request[0] == "view":
                return render_view(self.store(), request[1])
            try:
                return answer_query(self.store(), *request[1:])
            except _StoreFailure:
                # A writer may have compacted files this snapshot still named.
                return answer_query(self.store(refresh=True), *request[1:])
        except (_StoreFailure, KGError) as err:
            return error_reply(500, str(err))


class Writer:
    """The one read-write handle of a server started with a write token."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._store = None

    def store(self):  # noqa: ANN201 - kg.store.Store
        """The store, opened read-write on first use (it holds the store's lock)."""
        from kg.store import open_store

        if self._store is None:
            self._store = open_store(self.location)
        return self._store

    def answer(self, request: tuple) -> Reply:
        """Run one request: ("update", text)."""
        return answer_update(self.store(), request[1])


class _StoreFailure(Exception):
    """The store failed under a query (not the query's fault)."""


def answer_query(store, text: str, accept: str | None, max_rows: int) -> Reply:  # noqa: ANN001
    """Run a query over the store and serialise it as the client asked.

    Returns:
        200 with the results; 400 malformed; 403 refused; 406 no acceptable format.

    Raises:
        _StoreFailure: the store, not the query, failed (the caller retries).
    """
    from kg.query import execute

    try:
        result = execute(store, text, limit=max_rows + 1)
    except QueryError as err:
        cause = err.__cause__
        if isinstance(cause, (OSError, RuntimeError)) and not isinstance(
            cause, SyntaxError
        ):
            raise _StoreFailure(str(err)) from cause
        return error_reply(403 if cause is None else 400, str(err))
    media = negotiate(accept, result.kind)
    if media is None:
        offers = GRAPH_TYPES if result.kind == "graph" else RESULTS_TYPES
        names = ", ".join(m for m, _ in offers)
        return error_reply(
            406, f"No acceptable format for this query; ask for {names}."
        )
    result, cut = _cap(result, max_rows)
    headers = (("X-SPARQL-MaxRows", str(max_rows)),) if cut else ()
    return Reply(200, f"{media}; charset=utf-8", serialize(result, media), headers)


def _cap(result, max_rows: int):  # noqa: ANN001, ANN202 - kg.query.QueryResult
    if len(result.rows) > max_rows:
        return replace(result, rows=result.rows[:max_rows]), True
    if len(result.triples) > max_rows:
        return replace(result, triples=result.triples[:max_rows]), True
    return result, False


def render_view(store, title: str) -> Reply:  # noqa: ANN001 - kg.store.Store
    """The HTML view of the whole store, drawn into a private temporary file."""
    from kg.views.graph import render_html

    with tempfile.TemporaryDirectory(prefix="kg-serve-") as folder:
        out = Path(folder) / "view.html"
        render_html(store, out, title=title)
        body = out.read_bytes()
    return Reply(
        200, "text/html; charset=utf-8", body, (("Content-Security-Policy", _VIEW_CSP),)
    )


def _worker_main(conn, location: str, writable: bool = False) -> None:  # noqa: ANN001
    """Entry point of a worker process: open the store, then answer requests."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers
    _exit_with_parent()
    cap_memory()  # a runaway query kills this worker (replaced), not the machine
    try:
        handler = Writer(Path(location)) if writable else Snapshot(Path(location))
        handler.store()
    except KGError as err:
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(handler.answer(request))


def _exit_with_parent() -> None:
    """End this worker if the server dies without stopping it (e.g. SIGKILL)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


# --- in the server: the pool of workers ---------------------------------------


class QueryTimeout(Exception):
    """A worker did not answer in time and was killed."""


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, location: Path, writable: bool = False) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_worker_main, args=(child, str(location), writable), daemon=True
        )
        self._process.start()
        child.close()
        self._ready = False

    def wait_ready(self, seconds: float) -> None:
        """Block until the worker has opened the store.

        Raises:
            StoreError: it could not, or did not say so within ``seconds``.
        """
        if self._ready:
            return
        if not self._conn.poll(seconds):
            self.kill()
            raise StoreError(f"A query worker did not start within {seconds:.0f} s.")
        try:
            status, message = self._conn.recv()
        except EOFError:
            status, message = "failed", _DIED_AT_START
        if status != "ready":
            self.kill()
            raise StoreError(message)
        self._ready = True

    def ask(self, request: tuple, seconds: float) -> Reply:
        """Send one request and wait at most ``seconds`` for its reply.

        Raises:
            QueryTimeout: no reply in time; the worker has been killed.
        """
        self.wait_ready(_STARTUP_SECONDS)
        self._conn.send(request)
        if not self._conn.poll(seconds):
            self.kill()
            raise QueryTimeout
        return self._conn.recv()

    @property
    def pid(self) -> int:
        """The worker's process id (for logs, and to tell a replacement apart)."""
        return self._process.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self._process.is_alive()

    def kill(self) -> None:
        """Stop the process now (a query cannot be cancelled any other way)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
        self._conn.close()


class WorkerPool:
    """A fixed number of worker processes; a killed one is replaced at once.

    ``writable`` makes them writers (use one: the store has one write lock).
    """

    def __init__(self, location: Path, size: int, *, writable: bool = False) -> None:
        self.location = location
        self.size = size
        self.writable = writable
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start every worker and wait until each has opened the store.

        Raises:
            StoreError: a worker could not open the store.
        """
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            worker.wait_ready(_STARTUP_SECONDS)
            self._idle.put(worker)

    def run(self, request: tuple, seconds: float) -> Reply:
        """Answer a request in a free worker, within ``seconds`` in all.

        A worker goes back to the pool only after its reply was read in full.
        Whatever else happens (timeout, a dead worker, an exception while
        sending, waiting or reading, even KeyboardInterrupt) leaves the pipe in
        an unknown state, possibly holding this request's late reply, which the
        next request would then be handed: that worker is killed and replaced.

        Returns:
            The worker's reply; 503 when busy or out of time; 500 when the
            worker failed.

        Raises:
            UsageError: ``seconds`` is nan, inf, negative or above one day.
        """
        seconds = bounded_timeout(seconds, "seconds")
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=seconds)
        except queue.Empty:
            return error_reply(
                503, "The server is busy with other queries; retry shortly.",
                ("Retry-After", "5"),
            )  # fmt: skip
        clean = False
        try:
            reply = worker.ask(
                request, max(seconds - (time.monotonic() - started), 0.01)
            )
            clean = True
        except QueryTimeout:
            reply = error_reply(503, _timeout_message(seconds))
        except Exception as err:  # any failure retires the worker
            logger.warning("query worker failed: %r; replacing it", err)
            reply = error_reply(
                500, f"The query worker failed ({_one_line(err)}); retry."
            )
        finally:
            if clean:
                self._idle.put(worker)
            else:
                self._retire(worker)
        return reply

    def close(self) -> None:
        """Kill every worker, busy or not."""
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.location, self.writable)
        with self._lock:
            self._all.add(worker)
        return worker

    def pids(self) -> set[int]:
        """Process ids of the live workers: ``size`` of them, whatever has failed."""
        with self._lock:
            workers = list(self._all)
        return {worker.pid for worker in workers if worker.alive()}

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker whose pipe cannot be trusted and put a new one in the pool.

        Never raises: it runs while an error reply, or an exception, is on its
        way out. If no new process can be started the pool is one smaller.
        """
        try:
            worker.kill()
        except Exception as err:  # the process is gone either way
            logger.warning("could not stop a query worker cleanly: %r", err)
        with self._lock:
            self._all.discard(worker)
        try:
            self._idle.put(self._spawn())
        except Exception as err:
            logger.error("could not start a query worker to replace one: %r", err)


def _one_line(err: BaseException) -> str:
    """An exception as "Name: message" on one line, for a client's error reply."""
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _timeout_message(seconds: float) -> str:
    return (
        f"The query ran longer than {seconds:g} s and was stopped. Narrow it "
        "(more specific patterns, a LIMIT) or ask for a longer --timeout."
    )


__all__ = [
    "GRAPH_TYPES",
    "RESULTS_TYPES",
    "Reply",
    "Snapshot",
    "WorkerPool",
    "Writer",
    "answer_query",
    "error_reply",
    "negotiate",
    "open_read_only",
    "serialize",
    "store_version",
]
