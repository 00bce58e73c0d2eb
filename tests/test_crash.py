"""Crash safety: ``kg ingest`` killed with SIGKILL at random moments (issue #7).

Six real ``kg ingest`` processes (real model, real store) run in turn on one
store folder, each killed with SIGKILL at a seeded random moment: while kg
starts, while the model loads, while the first batch is extracted, and between
or inside article writes. After every kill the store must open read-write and
hold only whole articles, each exactly as a clean run stores it, with the union
default graph still the set union of the named graphs. A last, unkilled run of
the same command must then store the rest and leave what one clean run leaves.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.crashkit import (
    broken_graphs,
    kg,
    store_content,
    union_is_set_union,
    write_corpus,
)

from kg.ingestion import ingest
from kg.store import open_store
from kg.store.provenance import read_runs

pytestmark = pytest.mark.system

N_ARTICLES = 80  # about 7 s of ingest here: kills at every stage leave some to do
SEED = 20261126
#: A run still going after this long is stopped and the test fails.
HANG_SECONDS = 240


@dataclass(frozen=True)
class Kill:
    """When to kill a run: after a line on its stderr, then a delay or a write.

    The kill waits for the nth line holding ``after`` (None: none, from the start
    of the process), then sleeps a random ``delay`` or, with ``delay`` None,
    polls until the next write reaches the store's write-ahead log, so that it
    lands during or just after a commit.
    """

    after: str | None
    nth: tuple[int, int]
    delay: tuple[float, float] | None


KILLS = (
    Kill(None, (0, 0), (0.2, 1.0)),  # Python and kg starting
    Kill("loading the spaCy pipeline", (1, 1), (0.0, 0.25)),  # model load (0.5-3 s)
    Kill("opened store", (1, 1), (0.8, 2.5)),  # model load or first batches
    Kill("DEBUG: added ", (1, 6), (0.0, 0.03)),  # between or inside writes
    Kill("DEBUG: added ", (1, 6), None),  # as a write reaches the log
    Kill("DEBUG: added ", (1, 6), None),
)


@dataclass(frozen=True)
class State:
    """What the store held after a killed run.

    Attributes:
        articles, runs: article graphs and run records stored.
        torn: bytes of a cut-short last commit that RocksDB dropped on reopening.
    """

    articles: int
    runs: int
    torn: int = 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("crash") / "articles", N_ARTICLES)


@pytest.fixture(scope="module")
def reference(nlp, corpus, tmp_path_factory) -> dict:
    """The content of a store after one clean, uninterrupted ingest."""
    with open_store(tmp_path_factory.mktemp("clean") / "store") as store:
        ingest([corpus], store, nlp=nlp)
        return store_content(store)


def ingest_killed(corpus: Path, store_path: Path, kill: Kill, rng) -> list[str]:
    """Start ``kg -vv ingest``, SIGKILL it when ``kill`` says; return its stderr."""
    nth = rng.randint(*kill.nth)
    delay = rng.uniform(*kill.delay) if kill.delay else None
    process = kg("-vv", "ingest", str(corpus), "--store", str(store_path))
    # A hung run is stopped with SIGTERM, which the returncode check tells apart.
    watchdog = threading.Timer(HANG_SECONDS, process.terminate)
    watchdog.start()
    lines = read_until(process, kill.after, nth)
    if delay is None:
        wait_for_write(process, store_path)
    else:
        time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    lines += process.stderr.read().splitlines(keepends=True)
    process.wait(timeout=60)
    watchdog.cancel()
    assert process.returncode == -signal.SIGKILL, f"ran to the end: {lines[-3:]}"
    return lines


def read_until(process: subprocess.Popen, text: str | None, nth: int) -> list[str]:
    """Read stderr up to the nth line holding ``text`` (nothing if it is None)."""
    lines: list[str] = []
    seen = 0
    while text is not None and seen < nth:
        line = process.stderr.readline()
        if not line:
            break  # the run ended before the line came: the returncode says so
        lines.append(line)
        seen += text in line
    return lines


def wait_for_write(process: subprocess.Popen, store_path: Path) -> None:
    """Return as soon as a write-ahead log file of the store grows (or the run ends).

    RocksDB appends each commit to its ``NNNNNN.log`` files (a commit of one
    article is a few hundred kB, written in pieces); polling them without a
    pause lets the kill land during or just after the next commit.
    """
    before = wal_sizes(store_path)
    while process.poll() is None:
        now = wal_sizes(store_path)
        if any(size > before.get(name, 0) for name, size in now.items()):
            return


def wal_sizes(store_path: Path) -> dict[str, int]:
    with os.scandir(store_path) as entries:
        return {e.name: e.stat().st_size for e in entries if e.name.endswith(".log")}


def check_only_whole_articles(store_path: Path, reference: dict) -> State:
    """Open a killed run's store read-write; every article in it must be whole."""
    with open_store(store_path) as store:
        content, union_whole = store_content(store), union_is_set_union(store)
        articles, runs = len(store.articles()), len(store.runs())
    assert broken_graphs(content, reference) == {}
    assert union_whole, "the union default graph is not the named graphs' union"
    return State(articles, runs, torn_bytes(store_path))


def torn_bytes(store_path: Path) -> int:
    """Bytes RocksDB's recovery dropped from the log when the store was last opened.

    A commit cut short by the kill is a torn record at the end of the log;
    RocksDB reports it in its LOG ("dropping N bytes") and keeps none of it.
    """
    log = (store_path / "LOG").read_text(encoding="utf-8", errors="replace")
    return sum(int(n) for n in re.findall(r"dropping (\d+) bytes", log))


def phase(before: State, after: State, stderr: list[str], kill: Kill) -> str:
    """Where the kill landed, from the store and the run's debug log."""
    if not any("opened store" in line for line in stderr):
        return "starting (store not yet opened)"
    if after.runs == before.runs:
        return "opening the store (run not yet recorded)"
    new = after.articles - before.articles
    if new == 0 and not any("pipeline ready" in line for line in stderr):
        return "loading the model (run recorded, nothing written)"
    if new == 0:
        return "extracting the first batch (run recorded, nothing written)"
    logged = sum("DEBUG: added " in line for line in stderr)
    when = "at a random delay" if kill.delay is not None else "as the log grew"
    if after.torn:
        where = f"inside a commit, whose {after.torn} bytes recovery dropped"
    elif new > logged:
        where = "after a commit, before its log line"
    else:
        where = "between two commits"
    return f"writing articles ({new} stored by this run; {when}, {where})"


@pytest.mark.parametrize("kills", [KILLS])
def test_crash_killed_ingests_leave_whole_articles_and_resume(
    corpus, reference, tmp_path, kills
):
    store_path, rng = tmp_path / "store", random.Random(SEED)
    before, phases = State(0, 0), []
    for kill in kills:
        stderr = ingest_killed(corpus, store_path, kill, rng)
        after = check_only_whole_articles(store_path, reference)
        phases.append(phase(before, after, stderr, kill))
        print(f"kill {len(phases)}: {phases[-1]}; {after.articles} articles stored")
        before = after
    assert any(p.startswith("loading the model") for p in phases), phases
    assert any(p.startswith("writing articles") for p in phases), phases
    assert 0 < before.articles < N_ARTICLES
    process = kg("ingest", str(corpus), "--store", str(store_path))
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.startswith(
        f"{N_ARTICLES - before.articles} added, 0 replaced, "
        f"{before.articles} unchanged, 0 failed;"
    )
    with open_store(store_path) as store:
        assert store_content(store) == reference
        assert union_is_set_union(store)
        statuses = sorted(run.status for run in read_runs(store))
    assert statuses == ["finished"] + ["unfinished"] * before.runs
