"""The child side of a killable worker process (kg.query.runner starts it).

pyoxigraph evaluates a query in Rust with no way to cancel it, and a Python thread
cannot be killed, so a query with a time limit (``kg query --timeout``, every
query of ``kg serve``) runs in a child process, this file run as a script, that
the parent kills when time is up. The child caps its own memory first
(``KG_QUERY_MEMORY``), so a runaway query kills the child, not the machine.

Run for ``kg query``, the child opens the store read-only through kg.store's
one read-only open (or loads a memory store's N-Quads with pyoxigraph alone),
so a killed query can leave nothing half-written, and answers with
:func:`answer`. Given a handler factory (``"module:function"``, as ``kg serve``
does), it takes the parent's ``sys.path``, imports the factory and lets the
handler it makes answer every request.

Protocol, one length-prefixed pickle per message (:func:`write_message`): the
parent sends a setup ``dict`` (handler, args, sys_path); the child answers
``("ready", "")`` or ``("failed", why)``, then one reply per request until its
input closes. A query's reply is ``("ok", collected)`` or
``("error", exception class name, message)``. Messages travel on copies of the
child's stdin and stdout; fd 1 then points at stderr, so a stray print cannot
corrupt a reply.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any, Literal

import pyoxigraph as ox

#: The form of a query's result: SELECT, ASK, or CONSTRUCT and DESCRIBE.
Kind = Literal["select", "ask", "graph"]
#: What :func:`collect` returns: kind, variables, rows, boolean, triples.
Collected = tuple[Kind, tuple[str, ...], tuple[tuple[Any, ...], ...], Any, tuple]
#: Environment variable: the memory cap of a query worker, in MiB.
MEMORY_VARIABLE = "KG_QUERY_MEMORY"
#: Longest time limit accepted, in seconds: one day.
MAX_TIMEOUT = 86400.0
#: What answers a request in the child.
Handler = Callable[[Any], Any]
_LENGTH = struct.Struct("!Q")


def write_message(fd: int, message: object) -> None:
    """Send one message: its pickle's length (8 bytes), then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def read_message(fd: int) -> Any:  # noqa: ANN401 - whatever the other side sent
    """Receive one message sent by :func:`write_message`.

    Raises:
        EOFError: the other side closed its end (or died) before a whole message.
    """
    (size,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size))
    return pickle.loads(_read_exactly(fd, size))  # from our own parent or child


def _read_exactly(fd: int, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError  # bare, as multiprocessing says it
        data += chunk
    return bytes(data)


def collect(
    raw: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], limit: int | None
) -> Collected:
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


def open_store(path: str | None, nquads: bytes | None) -> ox.Store:
    """The store to query: a folder opened read-only, or given N-Quads.

    A folder goes through :func:`kg.store.open_read_only`, kg's one read-only
    open, which retries the race with a writer (``kg ingest``) flushing beside it.
    Imported here, not at the top, so a worker given N-Quads needs only pyoxigraph.
    """
    if path is not None:
        from pathlib import Path

        from kg.errors import KGError
        from kg.store import open_read_only

        try:
            return open_read_only(Path(path)).ox
        except KGError as err:  # reported to the parent like any failed open
            raise OSError(str(err)) from err
    store = ox.Store()
    store.load(nquads or b"", format=ox.RdfFormat.N_QUADS)
    return store


def _merged(store: ox.Store, defaults: list[str], named: list[str] | None) -> ox.Store:
    merged = ox.Store()
    merged.extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for g in defaults
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    )
    names = store.named_graphs() if named is None else map(ox.NamedNode, named)
    merged.extend(
        q for g in names for q in store.quads_for_pattern(None, None, None, g)
    )
    return merged


def answer(store: ox.Store, request: dict) -> tuple:
    """Run the request's query; failures travel back as (name, message)."""
    defaults, named = request.get("default_graph"), request.get("named_graphs")
    try:
        if defaults is not None and len(defaults) > 1:
            # The merge of several graphs, each triple once, as LocalStore.query
            # does it (kg.store.local._merged_dataset; this script imports no kg).
            store, defaults, named = _merged(store, defaults, named), None, None
        raw = store.query(
            request["text"],
            base_iri=request.get("base_iri"),
            prefixes=request["prefixes"],
            substitutions=request["substitutions"],
            default_graph=None
            if defaults is None
            else [ox.NamedNode(g) for g in defaults],
            named_graphs=None if named is None else [ox.NamedNode(g) for g in named],
        )
        return ("ok", collect(raw, request["limit"]))
    except (SyntaxError, RuntimeError, OSError, ValueError, TypeError) as err:
        return ("error", type(err).__name__, str(err))


class QueryHandler:
    """The handler of ``kg query``: queries over one store, opened at the start.

    A store that cannot be opened is not a failed start: each query is answered
    with the reason, as a failed query is.
    """

    def __init__(self, path: str | None, nquads: bytes | None) -> None:
        self.store: ox.Store | None = None
        self.problem: tuple | None = None
        try:
            self.store = open_store(path, nquads)
        except (OSError, RuntimeError, SyntaxError, ValueError) as err:
            self.problem = ("error", "OSError", f"cannot open the store: {err}")

    def __call__(self, request: dict) -> tuple:
        """Answer one request: text, prefixes, substitutions and limit."""
        if self.store is None:
            return self.problem or ("error", "OSError", "cannot open the store")
        return answer(self.store, request)


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


def cap_memory(environ: Mapping[str, str] | None = None) -> int:
    """Bound this process's address space; return the cap in MiB.

    A reader that races a writer's compaction can, rarely, run away in memory
    inside RocksDB (pyoxigraph calls a reader beside a writer undefined
    behaviour); a query can also simply need too much. Capped, such a worker
    dies alone instead of taking the machine's memory with it. The cap is
    ``KG_QUERY_MEMORY`` MiB, by default half the machine's RAM (at least 2 GiB).
    """
    given = (
        (os.environ if environ is None else environ).get(MEMORY_VARIABLE, "").strip()
    )
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


def make_handler(setup: dict) -> Handler:
    """The handler the setup names, made with its args (kg query's by default)."""
    sys.path[:] = setup["sys_path"]  # find kg where the parent found it
    if setup.get("handler") is None:
        return QueryHandler(*setup["args"])
    module, _, name = setup["handler"].partition(":")
    factory = getattr(importlib.import_module(module), name)
    return factory(*setup["args"])


def _start(setup: dict) -> tuple[Handler | None, tuple[str, str]]:
    """Make the handler; say "ready", or why it could not be made."""
    try:
        return make_handler(setup), ("ready", "")
    except Exception as err:  # told to the parent, which raises its own error
        if not hasattr(err, "exit_code"):  # not a kg.errors.KGError: a bug
            traceback.print_exc()
        return None, ("failed", str(err) or type(err).__name__)


def _channels() -> tuple[int, int]:
    """Private copies of stdin and stdout for messages; fd 0 and 1 get out of
    the way, so that nothing the handler prints can corrupt a message."""
    incoming, outgoing = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return incoming, outgoing


def _exit_with_parent() -> None:
    """End this worker if its parent dies without stopping it (e.g. SIGKILL)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    """Set up, then answer requests until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers
    incoming, outgoing = _channels()
    _exit_with_parent()
    cap_memory()  # a runaway query kills this worker, not the machine
    try:
        handler, status = _start(read_message(incoming))
        write_message(outgoing, status)
        while handler is not None:
            write_message(outgoing, handler(read_message(incoming)))
    except (EOFError, BrokenPipeError):
        return  # the parent is done with this worker


if __name__ == "__main__":
    main()
