"""A failed query worker never answers the next client (issue 12), and time
limits outside 0 s .. one day are refused before they reach poll()/select().

Real worker processes over a real store: a signal makes the wait for a reply
fail, as ``kg serve --timeout inf`` once did with OverflowError; the worker
still holds that query's late answer, so it must be killed, not reused.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.server import make_store

from kg.errors import UsageError
from kg.query.worker import bounded_timeout
from kg.serve.server import Endpoint, Settings
from kg.serve.workers import WorkerPool

pytestmark = pytest.mark.system

_NUMBERS = " ".join(str(i) for i in range(250))
# About a second of counting (250**3 rows), whatever the store holds.
SLOW = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {_NUMBERS} }} "
    f"VALUES ?b {{ {_NUMBERS} }} VALUES ?c {{ {_NUMBERS} }} }}"
)
SLOW_ANSWER = str(250**3).encode()
ASK = "ASK { ?e a kg:Event }"
TRUE = b"<boolean>true</boolean>"


class _Failed(Exception):
    """Raised by a timer while the pool waits for a worker's reply."""


class _Stopped(BaseException):
    """Like KeyboardInterrupt: not an Exception, yet it must not leak a worker."""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("pool") / "store")


@pytest.fixture
def pool(store_path: Path) -> Iterator[WorkerPool]:
    """One worker: a reused worker would be the very one that failed."""
    workers = WorkerPool(store_path, 1)
    workers.start()
    yield workers
    workers.close()


def _query(text: str) -> tuple:
    # An ASK has no CSV form (406): it is answered as XML results.
    accept = "application/sparql-results+xml" if text == ASK else "text/csv"
    return ("query", text, accept, 10)


def _fail_in(seconds: float, error: BaseException) -> None:
    """Raise ``error`` in this (the main) thread after ``seconds``."""

    def handler(signum: int, frame: object) -> None:
        raise error

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)


@pytest.fixture
def alarm() -> Iterator:
    """:func:`_fail_in`, with the timer and handler undone afterwards."""
    previous = signal.getsignal(signal.SIGALRM)
    yield _fail_in
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_worker_pool_failed_wait_gives_500_and_next_client_its_own_answer(
    pool: WorkerPool, alarm
) -> None:
    before = pool.pids()
    alarm(0.2, _Failed("waiting broke"))
    reply = pool.run(_query(SLOW), 30)
    assert reply.status == 500
    assert reply.body == b"The query worker failed (_Failed: waiting broke); retry.\n"
    reply = pool.run(_query(ASK), 30)
    assert reply.status == 200 and TRUE in reply.body
    assert SLOW_ANSWER not in reply.body
    after = pool.pids()
    assert len(after) == pool.size and not after & before


def test_worker_pool_base_exception_propagates_and_retires_worker(
    pool: WorkerPool, alarm
) -> None:
    before = pool.pids()
    alarm(0.2, _Stopped())
    with pytest.raises(_Stopped):
        pool.run(_query(SLOW), 30)
    reply = pool.run(_query(ASK), 30)
    assert reply.status == 200 and TRUE in reply.body
    after = pool.pids()
    assert len(after) == pool.size and not after & before


def test_worker_pool_timeout_is_still_503(pool: WorkerPool) -> None:
    before = pool.pids()
    reply = pool.run(_query(SLOW), 0.2)
    assert reply.status == 503 and b"longer than 0.2 s" in reply.body
    assert pool.run(_query(ASK), 30).body.count(TRUE) == 1
    assert len(pool.pids()) == pool.size and not pool.pids() & before


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), -1.0, 1e12])
def test_worker_pool_refuses_unbounded_seconds_and_keeps_worker(
    pool: WorkerPool, seconds: float
) -> None:
    before = pool.pids()
    with pytest.raises(UsageError, match="between 0 and 86400"):
        pool.run(_query(ASK), seconds)
    assert pool.run(_query(ASK), 30).body.count(TRUE) == 1
    assert pool.pids() == before


@pytest.mark.parametrize("field", ["timeout", "view_timeout"])
def test_worker_pool_server_settings_refuse_unbounded_timeouts(
    store_path: Path, field: str
) -> None:
    settings = Settings(store_path, port=0, **{field: float("inf")})
    with pytest.raises(UsageError, match=f"^{field}=inf is not a number of seconds"):
        Endpoint(settings)


@pytest.mark.parametrize("value", [0, 0.5, 30, 86400])
def test_worker_pool_bounded_timeout_accepts_zero_to_one_day(value: float) -> None:
    assert bounded_timeout(value, "--timeout") == value


# --- the command line: one line on stderr, exit status 2 -----------------------


def _kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("command", "value"),
    [("query", "nan"), ("query", "1e12"), ("query", "-1"), ("query", "inf")]
    + [("serve", "inf")],
)
def test_worker_pool_cli_refuses_unbounded_timeout(command: str, value: str) -> None:
    if command == "query":
        result = _kg("query", "--store", "memory", f"--timeout={value}", "ASK {}")
    else:  # refused before the store is even looked for
        result = _kg("serve", "--store", "no-such-store", "--timeout", value)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"kg: error: --timeout {value} is not a number of seconds between 0 and "
        "86400 (one day); pass e.g. --timeout 30\n"
    )
    assert result.stdout == ""


def test_worker_pool_cli_serve_refuses_zero_timeout() -> None:
    result = _kg("serve", "--store", "no-such-store", "--timeout", "0")
    assert result.returncode == 2
    assert (
        result.stderr
        == "kg: error: --timeout must be above 0; pass e.g. --timeout 30\n"
    )
