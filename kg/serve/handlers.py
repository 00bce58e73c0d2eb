"""What a worker process of ``kg serve`` does: run queries, draw the view, update.

The server's workers (:mod:`kg.serve.workers`) are :class:`kg.query.runner.
KillableWorker` processes; each calls :func:`open_handler` once and then answers
every request with the handler it made.

Each query worker holds the store open read-only. A read-only store is a snapshot
taken when it is opened, so a worker reopens it when the store's files change
(an ingest running beside the server). Oxigraph calls reading beside a writer
undefined; in practice an open can fail while the writer compacts, so opening is
retried, and a query that fails on the store is retried once on a fresh open.
A server started with a write token also runs one *writer* process, the only one
that opens the store read-write (see :mod:`kg.serve.updates`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, QueryError, StoreError
from kg.query import BASE_IRI, QueryResult, execute
from kg.serve.replies import (
    GRAPH_TYPES,
    Reply,
    error_reply,
    negotiate,
    offered,
    serialize,
)
from kg.serve.updates import answer_update, prepare_checks
from kg.store import Store, open_read_only, open_store

#: A request to a worker: ("query", text, accept, max_rows[, base_iri,
#: default_graph, named_graphs, max_bytes]), ("view", title) or ("update", text).
Request = tuple
Handler = Callable[[Request], Reply]

# The view inlines vis-network and its own script; article text in it is
# escaped (kg.views.graph), and nothing may be fetched from anywhere.
_VIEW_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-ancestors 'none'"
)


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


class Snapshot:
    """A read-only view of a store that follows a writer working beside it."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._store: Store | None = None
        self._version: tuple | None = None

    def store(self, *, refresh: bool = False) -> Store:
        """The store as it is now; reopened when its files changed."""
        version = store_version(self.location)
        if refresh or self._store is None or version != self._version:
            self._store = open_read_only(self.location)
            self._version = version
        return self._store

    def answer(self, request: Request) -> Reply:
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
        self._store: Store | None = None

    def store(self) -> Store:
        """The store, opened read-write on first use (it holds the store's lock)."""
        if self._store is None:
            self._store = open_store(self.location)
            prepare_checks()
        return self._store

    def answer(self, request: Request) -> Reply:
        """Run one request: ("update", text)."""
        return answer_update(self.store(), request[1])


class _StoreFailure(StoreError):
    """The store failed under a query (not the query's fault)."""


def answer_query(
    store: Store,
    text: str,
    accept: str | None,
    max_rows: int,
    base_iri: str | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_bytes: int | None = None,
) -> Reply:
    """Run a query over the store and serialise it as the client asked.

    Args:
        base_iri: resolves relative IRIs (the endpoint's URL); None: kg's
            resource namespace, as in ``kg query``.
        default_graph, named_graphs: the protocol's dataset (graph IRIs); None:
            the union, and every named graph.
        max_bytes: largest answer body sent (``Settings.max_answer_bytes``);
            None: no cap.

    Returns:
        200 with the results; 400 malformed; 403 refused; 406 no acceptable
        format (a CONSTRUCT or DESCRIBE falls back on Turtle instead); 500 when
        the answer would be over ``max_bytes`` (see :func:`_too_big`).

    Raises:
        _StoreFailure: the store, not the query, failed (the caller retries).
    """
    try:
        result = execute(
            store,
            text,
            limit=max_rows + 1,
            base_iri=base_iri or BASE_IRI,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
    except QueryError as err:
        cause = err.__cause__
        if isinstance(cause, (OSError, RuntimeError)) and not isinstance(
            cause, SyntaxError
        ):
            raise _StoreFailure(str(err)) from cause
        return error_reply(403 if cause is None else 400, str(err))
    media = negotiate(accept, result.kind)
    if media is None and result.kind == "graph":
        media = GRAPH_TYPES[0][0]  # a graph is better than a 406 (SPARQLStore asks
        # for results types only, whatever the query)
    if media is None:
        names = ", ".join(m for m, _ in offered(result.kind))
        return error_reply(
            406,
            f"No acceptable format for this query; ask for {names}.",
            ("Vary", "Accept"),
        )
    result, cut = _cap(result, max_rows)
    if max_bytes is not None and _least_chars(result) > max_bytes:
        return _too_big(max_bytes)  # known without writing the answer out
    body = serialize(result, media)
    if max_bytes is not None and len(body) > max_bytes:
        return _too_big(max_bytes)
    headers: tuple[tuple[str, str], ...] = (("Vary", "Accept"),)
    if cut:
        headers += (("X-SPARQL-MaxRows", str(max_rows)),)
    return Reply(200, f"{media}; charset=utf-8", body, headers)


def _least_chars(result: QueryResult) -> int:
    """Characters the answer holds in any format: a floor of its size in bytes.

    Every results format (JSON, XML, CSV, TSV) writes each bound term of a
    SELECT row in full, and every graph format writes each literal's text at
    least once (Turtle may shorten IRIs to prefixed names, so those are not
    counted); escaping only lengthens, and a character is at least one byte of
    UTF-8. An answer over the cap by this count is refused before being written
    out a second time: one ``GROUP_CONCAT`` can make a row of hundreds of MB.
    """
    written = (ox.NamedNode, ox.Literal, ox.BlankNode)
    total = sum(
        len(term.value)
        for row in result.rows
        for term in row
        if isinstance(term, written)
    )
    return total + sum(
        len(triple.object.value)
        for triple in result.triples
        if isinstance(triple.object, ox.Literal)
    )


def _too_big(max_bytes: int) -> Reply:
    """500: the answer is over the server's byte cap (``--max-answer-bytes``).

    The whole answer is built in the worker before anything is sent, so the
    refusal is a plain status rather than a stream cut short. 500, not 413: 413
    is about the request's own size, and clients report it as "request too
    large", sending the user to shorten the query text; the query is valid, the
    server declines to send what it asks for. 500 is not 503 either: retrying
    gives the same answer. The reason says what does help.
    """
    return error_reply(
        500,
        f"The answer is over {max_bytes} bytes, this server's cap "
        "(kg serve --max-answer-bytes); ask for less: a LIMIT, fewer variables, "
        "or shorter GROUP_CONCAT values.",
    )


def _cap(result: QueryResult, max_rows: int) -> tuple[QueryResult, bool]:
    """The result cut to ``max_rows`` rows or triples, and whether it was cut."""
    if len(result.rows) > max_rows:
        return replace(result, rows=result.rows[:max_rows]), True
    if len(result.triples) > max_rows:
        return replace(result, triples=result.triples[:max_rows]), True
    return result, False


def render_view(store: Store, title: str) -> Reply:
    """The HTML view of the whole store, drawn into a private temporary file."""
    from kg.views.graph import render_html  # pyvis and jinja: only when drawn

    with tempfile.TemporaryDirectory(prefix="kg-serve-") as folder:
        out = Path(folder) / "view.html"
        render_html(store, out, title=title)
        body = out.read_bytes()
    return Reply(
        200, "text/html; charset=utf-8", body, (("Content-Security-Policy", _VIEW_CSP),)
    )


def open_handler(location: str, writable: bool = False) -> Handler:
    """The handler of one worker process, its store already opened.

    Called in the worker (by name, see :class:`kg.query.runner.KillableWorker`).

    Raises:
        StoreError: the store cannot be opened.
    """
    handler = Writer(Path(location)) if writable else Snapshot(Path(location))
    handler.store()
    return handler.answer


__all__ = [
    "Snapshot",
    "Writer",
    "answer_query",
    "open_handler",
    "open_read_only",
    "render_view",
    "store_version",
]
