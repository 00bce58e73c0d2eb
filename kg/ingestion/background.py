"""One background thread that runs calls in order and hands their results back in order.

``kg ingest`` writes each article on such a thread while the model reads the next
ones: pyoxigraph releases the GIL while it writes, so the store's share of an
ingest (a third of it once) runs on another core instead of after the model.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Skipped(Exception):
    """A call not made because an earlier one failed in a way that ends the run."""


class OrderedThread(Generic[T, R]):
    """Runs ``work(item)`` for each item put, one at a time, on one thread.

    Use it as a context manager; leaving it waits for the call in progress.

    Args:
        work: called on the background thread, in the order items are put.
        ahead: calls that may be pending before :meth:`put` waits for the
            oldest; 0 makes every call synchronous.
        fatal: True for an exception that will end the run: no later call is
            made (each raises :class:`Skipped` instead), and none is left
            pending when the context exits.
    """

    def __init__(
        self,
        work: Callable[[T], R],
        *,
        ahead: int,
        fatal: Callable[[BaseException], bool],
    ) -> None:
        self._work = work
        self._ahead = ahead
        self._fatal = fatal
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="kg-writer")
        self._pending: deque[tuple[T, Future[R]]] = deque()
        self._stopped = False

    def put(self, item: T) -> list[tuple[T, Future[R]]]:
        """Queue a call; return the finished ones now due, oldest first.

        Each comes with its future, done: ``result()`` gives the return value
        or raises what the call raised.
        """
        self._pending.append((item, self._pool.submit(self._run, item)))
        due = []
        while len(self._pending) > self._ahead:
            due.append(self._next())
        return due

    def rest(self) -> Iterator[tuple[T, Future[R]]]:
        """Every call still pending, oldest first, each once it has finished."""
        while self._pending:
            yield self._next()

    def _next(self) -> tuple[T, Future[R]]:
        item, future = self._pending.popleft()
        future.exception()  # waits for it, raises nothing
        return item, future

    def _run(self, item: T) -> R:
        if self._stopped:
            raise Skipped("an earlier call failed; this one was not made")
        try:
            return self._work(item)
        except BaseException as exc:
            if self._fatal(exc):
                self._stopped = True
            raise

    def __enter__(self) -> OrderedThread[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        """Wait for the call in progress; pending calls still run unless a fatal
        failure stopped them (each article they write is whole either way)."""
        self._pool.shutdown(wait=True, cancel_futures=self._stopped)
