"""Read-only SPARQL over the store, with kg prefixes predeclared.

Queries run against the union of all graphs (the store's default graph, see
kg.store). Because analysts paste queries from elsewhere, anything that could
reach the network (SERVICE) or change the store (updates, LOAD) is refused before
it runs, and user values travel as bindings, never pasted into the text. A query
with a time limit runs in a child process (kg.query.worker) that is killed when
time is up: pyoxigraph cannot cancel a query, and a thread cannot be killed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal as TypingLiteral

import pyoxigraph as ox

from kg.errors import QueryError, printable
from kg.query.guard import check_read_only
from kg.query.order import query_order
from kg.query.results import (
    QueryResult,
    ResultKind,
    _format_graph,
    _format_native,
    format_csv,
    format_json,
    format_table,
    format_tsv,
    format_xml,
    serialize,
    shorten,
)
from kg.query.runner import KillableWorker, WorkerTimeout
from kg.query.worker import MEMORY_VARIABLE, Collected, bounded_timeout, collect
from kg.rdf.namespaces import KGR, PREFIXES, prefix_map
from kg.rdf.terms import Term, to_ox
from kg.store.local import LocalStore

if TYPE_CHECKING:
    from rdflib.term import Node

    from kg.store import Store

logger = logging.getLogger(__name__)

Format = TypingLiteral["table", "csv", "tsv", "json", "xml", "turtle", "jsonld", "nt"]
#: Formats of SELECT and ASK results (csv, tsv, json, xml: SPARQL 1.1 results).
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
#: Formats of CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS = ("turtle", "jsonld", "nt")
FORMATS = RESULT_FORMATS + GRAPH_FORMATS
_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)
#: What relative IRIs in a query resolve against: kg's resources, kgr:.
BASE_IRI = str(KGR)


def load_query_text(arg: str | Path) -> str:
    """The query itself, or the contents of the .rq/.sparql file it names.

    Raises:
        QueryError: a file was named but cannot be read.
    """
    if isinstance(arg, str) and not _names_file(arg):
        return arg
    path = Path(arg)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QueryError(
            f"Cannot read query file {path}: {err}. Check the path, or pass the "
            "query text itself."
        ) from err


def _names_file(arg: str) -> bool:
    if "\n" in arg or "{" in arg:
        return False
    return arg.strip().lower().endswith((".rq", ".sparql")) or Path(arg).is_file()


def execute(
    store: Store,
    text: str,
    *,
    bindings: dict[str, Node | Term] | None = None,
    limit: int | None = None,
    timeout: float | None = None,
    base_iri: str | None = BASE_IRI,
    default_graph: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> QueryResult:
    """Run a read-only query over the union of all graphs.

    Args:
        store: the open store.
        text: SPARQL query; kg prefixes (kg:, kgr:, cameo:, skos: ...) are declared.
        bindings: variable name (without "?") -> value, substituted safely by
            Oxigraph (SEP-0007); a bound variable must be in the SELECT clause.
        limit: keep at most this many rows or triples.
        timeout: seconds the query may run; it then runs in a child process that
            is killed when time is up. None (or 0) runs it here, unbounded. On a
            store on a SPARQL server it bounds the wait for the server's answer
            (None: the store URL's timeout).
        base_iri: resolves the query's relative IRIs; by default kg's resource
            namespace, so ``<country/UKR>`` is ``kgr:country/UKR``. None makes
            a relative IRI an error.
        default_graph: IRIs of the graphs merged into the query's default graph
            (the SPARQL Protocol's ``default-graph-uri``); None: the union.
        named_graphs: IRIs of the graphs ``GRAPH`` may see (``named-graph-uri``);
            None: every graph. Either, given, replaces the query's FROM clauses.

    Raises:
        QueryError: refused keyword, syntax error (with line and column), timeout
            or failure.
        UsageError: ``timeout`` is nan, inf, negative or over one day.
    """
    check_read_only(text)
    if timeout is not None:
        timeout = bounded_timeout(timeout, "timeout")
    subs = _substitutions(bindings)
    dataset = {"default_graph": default_graph, "named_graphs": named_graphs}
    if timeout and isinstance(store, LocalStore):  # not store.remote
        request = _request(text, subs, limit, base_iri) | dataset
        return _result(_run_in_worker(store, request, timeout), text)
    # A server stops a query itself; the HTTP timeout bounds the wait for it.
    wait = {"timeout": timeout or None} if store.remote else {}
    try:
        raw = store.query(
            text,
            prefixes=prefix_map(),
            substitutions=subs,
            base_iri=base_iri,
            default_graph=_graph_names(default_graph),
            named_graphs=_graph_names(named_graphs),
            **wait,
        )
        return _result(collect(raw, limit), text)
    except (SyntaxError, RuntimeError, OSError, ValueError, TypeError) as err:
        raise _failure(type(err).__name__, str(err)) from err


def run_query(
    store: Store,
    text: str,
    *,
    fmt: Format | None = None,
    limit: int | None = None,
    bindings: dict[str, Node | Term] | None = None,
    params: dict[str, str] | None = None,
    timeout: float | None = None,
    base_iri: str | None = BASE_IRI,
) -> str:
    """Run a query (text, a .rq path or a cookbook name) and format its result.

    Args:
        store: the open store.
        text: SPARQL text, a .rq/.sparql file, or the name of a cookbook query
            (see :func:`kg.query.cookbook.list_queries`).
        fmt: output format; None means "table" for SELECT/ASK and "turtle" for
            CONSTRUCT/DESCRIBE.
        limit: keep at most this many rows or triples.
        bindings: typed values for variables of an ad-hoc query (see execute).
        params: "name" -> "value" strings for a cookbook query, checked by type.
        timeout: seconds before the query is stopped (None: no limit).
        base_iri: resolves relative IRIs (see :func:`execute`).

    Raises:
        QueryError: bad query, bad parameter, wrong format for the query form,
            or the query ran out of time.
    """
    from kg.query.cookbook import looks_like_name, prepare

    if looks_like_name(text):  # a known name, or a typo to report as one
        text = prepare(text, params or {}, store=store)
    elif params:
        raise QueryError(
            f"--param only applies to cookbook queries, and {_short(text)!r} is not "
            "one. List them with `kg query --list`, or write the value into your "
            "own query."
        )
    else:
        text = load_query_text(text)
    check_format(fmt)
    result = execute(
        store, text, bindings=bindings, limit=limit, timeout=timeout, base_iri=base_iri
    )
    return format_result(result, fmt)


def check_format(fmt: str | None) -> None:
    """Refuse an unknown format name before a query runs.

    Raises:
        QueryError: listing the formats there are.
    """
    if fmt is not None and fmt not in FORMATS:
        raise QueryError(
            f"Unknown format {fmt!r}: use {', '.join(RESULT_FORMATS)} for SELECT and "
            f"ASK, or {', '.join(GRAPH_FORMATS)} for CONSTRUCT and DESCRIBE."
        )


def format_result(result: QueryResult, fmt: Format | None = None) -> str:
    """Render a :class:`QueryResult` in a format that fits its query form.

    Args:
        result: what :func:`execute` returned.
        fmt: table, csv, tsv, json or xml for SELECT/ASK; turtle, jsonld or nt for
            CONSTRUCT/DESCRIBE; None picks table or turtle.

    Raises:
        QueryError: the format is unknown or does not fit the query form.
    """
    check_format(fmt)
    graph = result.kind == "graph"
    fmt = fmt or ("turtle" if graph else "table")
    if graph and fmt in RESULT_FORMATS:
        raise QueryError(
            f"--format {fmt} is for SELECT and ASK results, but this query returns "
            f"triples (CONSTRUCT or DESCRIBE): use {', '.join(GRAPH_FORMATS)}."
        )
    if not graph and fmt in GRAPH_FORMATS:
        raise QueryError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE results, but this query "
            f"returns {'a yes/no answer (ASK)' if result.kind == 'ask' else 'rows'}"
            f": use {', '.join(RESULT_FORMATS)}."
        )
    if graph:
        return _format_graph(result, fmt)
    if fmt == "table":
        return format_table(result)
    return format_json(result) if fmt == "json" else _format_native(result, fmt)


def _graph_names(iris: Sequence[str] | None) -> list[ox.NamedNode] | None:
    """Graph IRIs as pyoxigraph names (ValueError for one that is not an IRI)."""
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def _substitutions(bindings: dict[str, Node | Term] | None) -> dict:
    subs = {}
    for name, value in (bindings or {}).items():
        term = value if isinstance(value, Term) else to_ox(value)
        subs[ox.Variable(name.lstrip("?$"))] = term
    return subs


def _request(text: str, subs: dict, limit: int | None, base_iri: str | None) -> dict:
    """What the query worker runs (kg.query.worker.answer reads these keys)."""
    return {
        "text": text,
        "prefixes": prefix_map(),
        "substitutions": subs,
        "limit": limit,
        "base_iri": base_iri,
    }


def _run_in_worker(store: LocalStore, request: dict, timeout: float) -> Collected:
    """Run the query in a worker process and kill it after ``timeout`` seconds."""
    path, quads = None, None
    if store.location is not None:
        path = str(Path(store.location).resolve())
    else:  # a memory store has no folder to open: hand the child its quads
        quads = store.ox.dump(format=ox.RdfFormat.N_QUADS)
    worker = KillableWorker(None, path, quads, capture_stderr=True)
    try:
        return _await_worker(worker, request, timeout)
    finally:
        worker.kill()


def _await_worker(worker: KillableWorker, request: dict, timeout: float) -> Collected:
    try:
        status, why = worker.ready()
    except EOFError:
        status, why = "failed", worker.errors()
    if status != "ready":
        raise QueryError(
            "The query worker stopped before it ran the query: "
            f"{why.strip()[-300:]}. Retry with "
            "--timeout 0 to run the query without it."
        )
    try:
        outcome = worker.ask(request, timeout)
    except WorkerTimeout:
        raise QueryError(
            f"query stopped after {timeout:g} s; narrow it or raise --timeout"
        ) from None
    except EOFError:  # killed by the kernel, aborted at its memory cap, or crashed
        raise QueryError(_death(worker.exit_status(), worker.errors())) from None
    if outcome[0] == "error":
        raise _failure(outcome[1], outcome[2])
    return outcome[1]


def _death(status: object, last_words: str) -> str:
    """Why a query worker died, in one line, with the first line it wrote.

    RocksDB names a damaged store on its way out ("Corruption: ..."); otherwise
    the query most often outgrew the memory cap ("memory allocation of N bytes
    failed"), which a damaged store can also cause: Oxigraph may then repeat one
    read error without end.
    """
    first = (
        printable(last_words.strip().splitlines()[0][:200])
        if last_words.strip()
        else ""
    )
    said = f" ({first})" if first else ""
    if "corrupt" in last_words.lower():
        return (
            f"The query worker died (exit status {status}) reading a damaged "
            f"store{said}. Restore the store from a backup, or rebuild it with "
            "kg build."
        )
    return (
        f"The query worker died (exit status {status}) before it answered{said}; "
        f"most likely the query needed more memory than the {MEMORY_VARIABLE} cap "
        f"allows (or the store is damaged). Narrow the query (LIMIT, filters), or "
        f"raise {MEMORY_VARIABLE} (MiB)."
    )


def _result(collected: Collected, text: str) -> QueryResult:
    """A QueryResult of what collect() gathered (here or in the worker).

    ``SELECT *`` columns are put in the query's order (:mod:`kg.query.order`).
    """
    kind, variables, rows, boolean, triples = collected
    ordered = query_order(text, variables) if kind == "select" else variables
    if ordered != variables:
        at = [variables.index(name) for name in ordered]
        rows = tuple(tuple(row[i] for i in at) for row in rows)
    return QueryResult(kind, ordered, rows, boolean, triples)


def _failure(kind: str, message: str) -> QueryError:
    """The QueryError for an exception pyoxigraph raised (here or in the worker)."""
    if kind == "SyntaxError":
        return QueryError(_syntax_message(message))
    if kind == "RuntimeError" and "SELECT projection" in message:
        return QueryError(
            f"{message}: a bound variable must be selected; add it to the SELECT "
            "clause (or use SELECT *)."
        )
    return QueryError(f"The query failed to run: {message}. Check the query.")


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first if len(first) <= 60 else first[:57] + "..."


def _syntax_message(text: str) -> str:
    match = _POSITION.search(text)
    if match is None:
        return f"SPARQL syntax error: {text}. Check the query."
    line, col, detail = match.groups()
    if "Prefix not found" in detail:
        known = ", ".join(f"{p}:" for p in PREFIXES)
        detail = f"unknown prefix; declare it with PREFIX or use one of {known}"
    else:
        # The parser lists every character class it would accept; keep the gist.
        detail = detail.splitlines()[0].rstrip(" |,")[:160]
    # Oxigraph reports the furthest point the parser reached, hence "near".
    return (
        f"SPARQL syntax error near line {line}, column {col}: {detail}. "
        "Check the query around that position."
    )


__all__ = [
    "BASE_IRI",
    "FORMATS",
    "Format",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "QueryResult",
    "ResultKind",
    "check_format",
    "execute",
    "format_csv",
    "format_json",
    "format_result",
    "format_table",
    "format_tsv",
    "format_xml",
    "load_query_text",
    "run_query",
    "serialize",
    "shorten",
]
