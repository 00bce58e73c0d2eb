"""kg.ingestion.background: calls on one thread, in order, stopped by a fatal one."""

from __future__ import annotations

import threading
import time

import pytest

from kg.ingestion.background import OrderedThread, Skipped


def _results(done) -> list:
    out = []
    for item, future in done:
        error = future.exception()
        out.append((item, repr(error) if error else future.result()))
    return out


@pytest.mark.parametrize("ahead", [0, 1, 3, 50])
def test_background_results_in_order_on_one_thread(ahead):
    threads = set()

    def work(item: int) -> int:
        threads.add(threading.get_ident())
        time.sleep(0.001 * (item % 3))  # later calls may be quicker: order holds
        return item * 10

    got = []
    with OrderedThread(work, ahead=ahead, fatal=lambda exc: True) as worker:
        for item in range(20):
            due = worker.put(item)
            assert len(due) == (1 if item >= ahead else 0)
            got += _results(due)
        got += _results(worker.rest())
    assert got == [(i, i * 10) for i in range(20)]
    assert len(threads) == 1 and threading.get_ident() not in threads


@pytest.mark.parametrize(
    ("fatal", "made", "last"),
    [
        (
            True,
            [0, 1, 2, 3],
            repr(Skipped("an earlier call failed; this one was not made")),
        ),
        (False, [0, 1, 2, 3, 4], 40),
    ],
)
def test_background_fatal_failure_skips_later_calls(fatal, made, last):
    calls = []

    def work(item: int) -> int:
        calls.append(item)
        if item == 3:
            raise ValueError("bad item")
        return item * 10

    with OrderedThread(work, ahead=10, fatal=lambda exc: fatal) as worker:
        for item in range(5):
            worker.put(item)
        got = dict(_results(worker.rest()))
    assert got[3] == repr(ValueError("bad item"))
    assert (calls, got[4]) == (made, last)


@pytest.mark.parametrize("pending", [5])
def test_background_exit_on_error_finishes_pending_calls(pending):
    made = []

    def work(item: int) -> int:
        time.sleep(0.01)
        made.append(item)
        return item

    with (
        pytest.raises(RuntimeError),
        OrderedThread(work, ahead=pending, fatal=lambda exc: True) as worker,
    ):
        for item in range(pending):
            worker.put(item)
        raise RuntimeError("the caller stops")
    assert made == list(range(pending))
