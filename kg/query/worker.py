"""Run one SPARQL query in a child process, so a timeout can really stop it.

pyoxigraph evaluates a query in Rust with no way to cancel it, and a Python thread
cannot be killed, so ``kg.query`` runs a query that has a time limit here, in a
child (this file, run as a script) that the parent kills when time is up. The
child opens the store read-only (or loads a memory store's N-Quads), so a killed
query can leave nothing half-written. Only pyoxigraph is imported: the child
starts in tens of milliseconds.

Protocol: the parent writes one pickled :class:`dict` request to stdin; the child
writes ``b"R"`` once the store is open, then one pickled outcome:
``("ok", collected)`` or ``("error", exception class name, message)``.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
import time
from itertools import islice
from typing import Any

import pyoxigraph as ox

#: What :func:`collect` returns: kind, variables, rows, boolean, triples.
Collected = tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...], Any, tuple]
#: Environment variable: the memory cap of a query worker, in MiB.
MEMORY_VARIABLE = "KG_QUERY_MEMORY"
#: Tries of a read-only open that races a writer beside it (0.05 s apart).
_OPEN_TRIES = 20
#: Longest time limit accepted, in seconds: one day.
MAX_TIMEOUT = 86400.0


def collect(raw: object, limit: int | None) -> Collected:
    """Drain a pyoxigraph query result into plain tuples (picklable).

    Args:
        raw: what ``Store.query`` returned.
        limit: keep at most this many rows or triples.

    Returns:
        ("ask", (), (), answer, ()), ("select", names, rows, None, ()) or
        ("graph", (), (), None, triples).
    """
    if isinstance(raw, ox.QueryBoolean):
        return ("ask", (), (), bool(raw), ())
    if isinstance(raw, ox.QuerySolutions):
        names = tuple(v.value for v in raw.variables)
        rows = tuple(tuple(s[n] for n in names) for s in islice(raw, limit))
        return ("select", names, rows, None, ())
    # CONSTRUCT is a set of triples; Oxigraph already yields each one once.
    return ("graph", (), (), None, tuple(dict.fromkeys(islice(raw, limit))))


def open_for_request(request: dict) -> ox.Store:
    """The store the request names: a folder opened read-only, or given N-Quads.

    A writer (``kg ingest``) that flushes or compacts while a folder is being
    opened read-only deletes files the open has just listed; the open then fails
    with OSError or a RocksDB "Corruption" RuntimeError, but only by a race, so
    it is retried.
    """
    if request.get("path") is not None:
        for attempt in range(_OPEN_TRIES):
            try:
                return ox.Store.read_only(request["path"])
            except (OSError, RuntimeError):
                if attempt == _OPEN_TRIES - 1:
                    raise
                time.sleep(0.05)
    store = ox.Store()
    store.load(request["nquads"], format=ox.RdfFormat.N_QUADS)
    return store


def answer(store: ox.Store, request: dict) -> tuple:
    """Run the request's query; failures travel back as (name, message)."""
    try:
        raw = store.query(
            request["text"],
            prefixes=request["prefixes"],
            substitutions=request["substitutions"],
        )
        return ("ok", collect(raw, request["limit"]))
    except (SyntaxError, RuntimeError, OSError, ValueError, TypeError) as err:
        return ("error", type(err).__name__, str(err))


def bounded_timeout(value: float, option: str) -> float:
    """``value`` as float seconds, if it lies between 0 and one day.

    A time limit ends up in ``poll``/``select``, which raise OverflowError for
    inf or anything over about 25 days and ValueError for nan, long after the
    option was read (a server then handed one client's reply to the next). A
    limit above a day is a mistake, so such values are refused up front.

    Args:
        value: the time limit as given.
        option: its name for the message: "--timeout" (a CLI option, shown as
            "--timeout inf") or a keyword such as "timeout" (shown "timeout=inf").

    Raises:
        kg.errors.UsageError: nan, inf, negative or above :data:`MAX_TIMEOUT`.
    """
    if not 0 <= value <= MAX_TIMEOUT:  # nan fails every comparison
        from kg.errors import UsageError  # imported late: this file runs as a script

        raise UsageError(timeout_problem(f"{value:g}", option))
    return float(value)


def timeout_problem(shown: str, option: str) -> str:
    """The one-line message for a refused time limit, ``shown`` as the user wrote it."""
    sep = " " if option.startswith("-") else "="
    return (
        f"{option}{sep}{shown} is not a number of seconds between 0 and "
        f"{MAX_TIMEOUT:g} (one day); pass e.g. {option}{sep}30"
    )


def cap_memory(environ: dict[str, str] | None = None) -> int:
    """Bound this process's address space; return the cap in MiB.

    A reader that races a writer's compaction can, rarely, run away in memory
    inside RocksDB (pyoxigraph calls a reader beside a writer undefined
    behaviour); a query can also simply need too much. Capped, such a worker
    dies alone instead of taking the machine's memory with it. The cap is
    ``KG_QUERY_MEMORY`` MiB, by default half the machine's RAM (at least 2 GiB).
    """
    environ = os.environ if environ is None else environ
    given = environ.get(MEMORY_VARIABLE, "").strip()
    if given.isdigit() and int(given) > 0:
        mebibytes = int(given)
    else:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        mebibytes = max(physical // 2 // 2**20, 2048)
    limit = mebibytes * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit // 2**20


def main() -> None:
    """Serve one request from stdin; the parent owns the clock."""
    cap_memory()
    request = pickle.load(sys.stdin.buffer)
    try:
        store = open_for_request(request)
    except (OSError, RuntimeError, SyntaxError, ValueError) as err:
        store, outcome = None, ("error", "OSError", f"cannot open the store: {err}")
    sys.stdout.buffer.write(b"R")
    sys.stdout.buffer.flush()
    if store is not None:
        outcome = answer(store, request)
    pickle.dump(outcome, sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
