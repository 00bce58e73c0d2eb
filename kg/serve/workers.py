"""The worker processes of ``kg serve``: a pool that replaces a killed worker.

pyoxigraph cannot cancel a query, so every query runs in a worker *process*
(:class:`kg.query.runner.KillableWorker`, as ``kg query --timeout`` does); one
that overruns its time is killed and replaced. Workers are started once and
reused (a request costs about 2 ms, where a new process per query costs over
100 ms). What a worker does with a request is :mod:`kg.serve.handlers`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from kg.errors import StoreError
from kg.query.runner import KillableWorker, WorkerTimeout
from kg.query.worker import bounded_timeout
from kg.serve.handlers import Request, open_handler
from kg.serve.replies import Reply, error_reply

logger = logging.getLogger(__name__)

_STARTUP_SECONDS = 60.0
_DIED_AT_START = "A query worker exited while starting (see its error above)."


class WorkerPool:
    """A fixed number of worker processes; a killed one is replaced at once.

    ``writable`` makes them writers (use one: the store has one write lock).
    """

    def __init__(self, location: Path, size: int, *, writable: bool = False) -> None:
        self.location = location
        self.size = size
        self.writable = writable
        self._idle: queue.Queue[KillableWorker] = queue.Queue()
        self._all: set[KillableWorker] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start every worker and wait until each has opened the store.

        Raises:
            StoreError: a worker could not open the store.
        """
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            _wait_ready(worker, _STARTUP_SECONDS)
            self._idle.put(worker)

    def run(self, request: Request, seconds: float) -> Reply:
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
            _wait_ready(worker, _STARTUP_SECONDS)  # a replacement may be starting
            left = max(seconds - (time.monotonic() - started), 0.01)
            reply = worker.ask(request, left)
            clean = True
        except WorkerTimeout:
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

    def _spawn(self) -> KillableWorker:
        worker = KillableWorker(open_handler, str(self.location), self.writable)
        with self._lock:
            self._all.add(worker)
        return worker

    def pids(self) -> set[int]:
        """Process ids of the live workers: ``size`` of them, whatever has failed."""
        with self._lock:
            workers = list(self._all)
        return {worker.pid for worker in workers if worker.alive()}

    def _retire(self, worker: KillableWorker) -> None:
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


def _wait_ready(worker: KillableWorker, seconds: float) -> None:
    """Block until the worker has opened the store.

    Raises:
        StoreError: it could not, or did not say so within ``seconds``.
    """
    try:
        status, message = worker.ready(seconds)
    except WorkerTimeout:
        raise StoreError(
            f"A query worker did not start within {seconds:.0f} s."
        ) from None
    except EOFError:
        status, message = "failed", _DIED_AT_START
    if status != "ready":
        worker.kill()
        raise StoreError(message)


__all__ = ["WorkerPool"]
