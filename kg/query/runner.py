"""One killable worker process: where ``kg query --timeout`` and ``kg serve`` run.

pyoxigraph 0.5 cannot cancel a query (oxigraph#1926) and a thread that has timed
out keeps burning CPU, so a query with a time limit runs in a child process that
is killed when time is up. :class:`KillableWorker` is that child, seen from the
parent: ``kg query`` starts one per query (:func:`kg.query.execute`), ``kg serve``
keeps a pool of them (:mod:`kg.serve.workers`). The child is
``kg/query/worker.py`` run as a script; it caps its own memory
(``KG_QUERY_MEMORY``), so a runaway query ends the worker, not the machine.

Each caller words its own errors (a timeout is a ``kg query`` error but a 503 of
the server), so the worker only says what happened: :class:`WorkerTimeout` when
it was killed for time, ``EOFError`` when it exited without answering.
"""

from __future__ import annotations

import logging
import select
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kg.errors import QueryError
from kg.query.worker import read_message, write_message

logger = logging.getLogger(__name__)

#: The script every worker runs.
WORKER_SCRIPT = Path(__file__).resolve().with_name("worker.py")


class WorkerTimeout(QueryError):
    """A worker did not answer in time and has been killed."""


class KillableWorker:
    """One worker process and the pipes to it; started at once.

    Args:
        factory: a module-level function the child calls with ``args`` to make
            the handler of its requests; None makes ``kg query``'s handler
            (:class:`kg.query.worker.QueryHandler`), which needs nothing of kg.
        args: what the factory is called with (picklable).
        capture_stderr: keep what the child writes to stderr for
            :meth:`errors` (else it goes to this process's stderr).
    """

    def __init__(
        self,
        factory: Callable[..., Any] | None = None,
        *args: object,
        capture_stderr: bool = False,
    ) -> None:
        self._stderr: IO[bytes] | None = (
            tempfile.TemporaryFile() if capture_stderr else None
        )
        # Run as a script, not -m: kg query's child then imports nothing of kg.
        self._process = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            bufsize=0,
        )
        stdin, stdout = self._process.stdin, self._process.stdout
        if stdin is None or stdout is None:  # never: both are pipes
            raise QueryError("A query worker started without pipes; retry.")
        self._requests, self._replies = stdin, stdout
        self._status: tuple[str, str] | None = None
        handler = None if factory is None else _dotted(factory)
        self._send({"handler": handler, "args": args, "sys_path": list(sys.path)})

    @property
    def pid(self) -> int:
        """The worker's process id (for logs, and to tell a replacement apart)."""
        return self._process.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self._process.poll() is None

    def ready(self, seconds: float | None = None) -> tuple[str, str]:
        """The worker's first word: ("ready", "") or ("failed", why it cannot work).

        Args:
            seconds: how long to wait for it; None waits as long as it takes.

        Raises:
            WorkerTimeout: no word in time; the worker has been killed.
            EOFError: the worker exited first.
        """
        if self._status is None:
            self._status = self._receive(seconds)
        return self._status

    def ask(self, request: object, seconds: float | None) -> Any:  # noqa: ANN401
        """Send one request and wait at most ``seconds`` for its reply.

        The wait is for the reply to begin; it is then read whole.

        Raises:
            WorkerTimeout: no reply in time; the worker has been killed.
            EOFError: the worker exited without replying.
        """
        self.ready(None)
        self._send(request)
        return self._receive(seconds)

    def kill(self) -> None:
        """Stop the process now (a query cannot be cancelled any other way)."""
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            logger.warning("worker %d did not exit after SIGKILL", self.pid)
        self._requests.close()
        self._replies.close()
        if self._stderr is not None:
            self._stderr.close()

    def exit_status(self) -> int:
        """The exit status of a worker that has exited (negative: by a signal)."""
        return self._process.wait()

    def errors(self) -> str:
        """What an exited worker wrote to stderr (with ``capture_stderr``; ask
        before :meth:`kill`, which throws it away)."""
        if self._stderr is None or self._stderr.closed:
            return ""
        self._process.wait()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def _send(self, message: object) -> None:
        try:
            write_message(self._requests.fileno(), message)
        except OSError:
            pass  # the child died; reading its answer says so (EOFError)

    def _receive(self, seconds: float | None) -> Any:  # noqa: ANN401
        fd = self._replies.fileno()
        if seconds is not None and not _readable(fd, seconds):
            logger.debug("killing worker %d after %s s", self.pid, seconds)
            self.kill()
            raise WorkerTimeout(f"the worker did not answer within {seconds:g} s")
        return read_message(fd)


def _readable(fd: int, seconds: float) -> bool:
    """True once ``fd`` has data (or was closed) within ``seconds``."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(seconds, 0.0) * 1000))


def _dotted(factory: Callable[..., Any]) -> str:
    """ "module:name" of a module-level function, for the child to import."""
    return f"{factory.__module__}:{factory.__qualname__}"


__all__ = ["WORKER_SCRIPT", "KillableWorker", "WorkerTimeout"]
