"""A kg store on a shared SPARQL 1.1 server (Oxigraph server, Virtuoso, ...).

``--store sparql+http://host:port/path`` (or ``sparql+https://``) opens a
:class:`RemoteStore`: the same methods as the embedded :class:`kg.store.Store`,
spoken over the SPARQL 1.1 Protocol with the standard library only.

URL form::

    sparql+http[s]://[USER:PASSWORD@]HOST[:PORT]/PATH[?update=URL&timeout=SECONDS]

- The query URL is ``http[s]://HOST:PORT/PATH``; an empty path means Oxigraph
  server's ``/query``. The update URL is ``?update=`` (resolved against the
  query URL, so ``?update=/update`` is enough), else the sibling ``update`` of a
  path ending in ``/query`` (Oxigraph, Fuseki), else the query URL itself
  (Virtuoso's ``/sparql``).
- Credentials come from the URL or from KG_STORE_USER / KG_STORE_PASSWORD; they
  answer HTTP Basic or Digest challenges (Virtuoso's ``/sparql-auth``).
- ``timeout`` bounds every request (default 60 s).

Portability, learned from Virtuoso: every request is a form-encoded POST (a
plain POST query hangs it); SELECT/ASK ask for JSON results and CONSTRUCT for
N-Triples; graphs are always named and dropped with ``DROP SILENT``; ``INSERT
DATA`` goes in batches of 1,000 triples (Virtuoso refuses much larger ones); a
result cut at the server's row cap (``X-SPARQL-MaxRows``) is read again page by
page in a fixed order.

The union: a server's default graph is not ours (Virtuoso keeps system triples
there), so the set union of the article and ontology graphs is materialised in
the named graph :data:`kg.rdf.namespaces.UNION_GRAPH`, kept by the same
unlink/link updates as the embedded store, and queries name it as their default
graph (``default-graph-uri``). A query that says ``GRAPH`` also gets the kg
graphs as its named graphs, so it sees articles, runs and the ontology, never
the union or the server's own graphs.

All-or-nothing writes: a graph is written batch by batch into a scratch graph
(:func:`kg.rdf.iris.staging_iri`); if a batch fails the scratch graph is dropped
and the stored version is untouched. One final update request then swaps it in
(unlink the old version from the union, copy, drop the scratch graph, link),
which the server runs as one transaction.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.request import (
    HTTPBasicAuthHandler,
    HTTPDigestAuthHandler,
    HTTPPasswordMgrWithDefaultRealm,
    Request,
    build_opener,
)

import pyoxigraph as ox
from rdflib import Dataset

from kg.errors import QueryError, StoreError
from kg.rdf.iris import is_run_iri, staging_iri
from kg.rdf.namespaces import KGR, ONTOLOGY_GRAPH, UNION_GRAPH, bind_prefixes
from kg.store import REMOTE_SCHEMES, Store, Term

logger = logging.getLogger(__name__)

USER_ENV = "KG_STORE_USER"
PASSWORD_ENV = "KG_STORE_PASSWORD"
#: Triples per INSERT DATA request.
BATCH = 1000
DEFAULT_TIMEOUT = 60.0
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_UNION = ox.NamedNode(str(UNION_GRAPH))
_OPTIONS = ("update", "timeout")
# The graphs that make up a kg store: articles, runs and the ontology.
_KG_GRAPHS = (
    f'(STRSTARTS(STR(?g), "{KGR["article/"]}") || '
    f'STRSTARTS(STR(?g), "{KGR["run/"]}") || ?g = <{ONTOLOGY_GRAPH}>)'
)
# The embedded store's unlink, with the union as a named graph that must not count
# as a holder of the triples it is losing.
_UNLINK = (
    "DELETE {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} "
    "FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != {g} && ?h != {u}) }} "
    "}} ;\nDROP SILENT GRAPH {g}"
)
_KG_QUADS = f"GRAPH ?g {{ ?s ?p ?o }} FILTER{_KG_GRAPHS}"
_LINK = "INSERT {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"
_COPY = "INSERT {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {s} {{ ?s ?p ?o }} }}"


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store lives: query and update URLs, credentials, timeout."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def display(self) -> str:
        """The store's name in messages: the query URL, never the password."""
        return f"sparql+{self.query_url}"


def parse_endpoint(url: str, env: Mapping[str, str] | None = None) -> Endpoint:
    """Read a ``sparql+http(s)://`` store URL (see the module notes for the form).

    Args:
        url: the --store value.
        env: where KG_STORE_USER / KG_STORE_PASSWORD are looked up (os.environ).

    Raises:
        StoreError: not a sparql+http(s) URL, no host, or an unknown option.
    """
    env = os.environ if env is None else env
    if not url.lower().startswith(REMOTE_SCHEMES):
        raise StoreError(
            f"{url!r} is not a SPARQL store URL; write sparql+http://HOST:PORT/PATH."
        )
    parts = urlsplit(url[len("sparql+") :])
    if not parts.hostname:
        raise StoreError(
            f"{_redact(url)} names no host; write sparql+http://HOST:PORT/PATH."
        )
    options = _options(parts.query, url)
    host = parts.netloc.rpartition("@")[2]
    path = parts.path if parts.path not in ("", "/") else "/query"
    query_url = urlunsplit((parts.scheme, host, path, "", ""))
    return Endpoint(
        query_url=query_url,
        update_url=_update_url(query_url, options.get("update")),
        user=unquote(parts.username) if parts.username else env.get(USER_ENV),
        password=unquote(parts.password) if parts.password else env.get(PASSWORD_ENV),
        timeout=_timeout(options.get("timeout"), url),
    )


def _options(query: str, url: str) -> dict[str, str]:
    options = {}
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        if key not in _OPTIONS:
            raise StoreError(
                f"Unknown option {key!r} in {_redact(url)}; the options are "
                f"{', '.join(_OPTIONS)} (e.g. ?update=/update&timeout=120)."
            )
        options[key] = unquote(value)
    return options


def _update_url(query_url: str, given: str | None) -> str:
    if given:
        return urljoin(query_url, given)
    if query_url.endswith("/query"):
        return query_url[: -len("query")] + "update"
    return query_url


def _timeout(given: str | None, url: str) -> float:
    if given is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise StoreError(
            f"timeout={given!r} in {_redact(url)} is not a number of seconds above 0."
        )
    return seconds


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc))


def open_remote(url: str) -> RemoteStore:
    """Open the store at a SPARQL server, checking that the server answers.

    Raises:
        StoreError: bad URL, or the server cannot be reached or refuses queries.
    """
    store = RemoteStore(parse_endpoint(url))
    store.ping()
    logger.debug("opened remote store %s", store.location)
    return store


class _Client:
    """Form-encoded POSTs with a timeout, answering auth challenges if asked."""

    def __init__(self, endpoint: Endpoint) -> None:
        handlers = []
        if endpoint.user is not None:
            passwords = HTTPPasswordMgrWithDefaultRealm()
            for url in {endpoint.query_url, endpoint.update_url}:
                passwords.add_password(
                    None, url, endpoint.user, endpoint.password or ""
                )
            handlers = [
                HTTPBasicAuthHandler(passwords),
                HTTPDigestAuthHandler(passwords),
            ]
        self._opener = build_opener(*handlers)

    def post(
        self, url: str, fields: list[tuple[str, str]], accept: str, timeout: float
    ) -> tuple[bytes, Message]:
        """POST ``fields`` form-encoded; the body and headers of a 2xx answer.

        Raises:
            HTTPError, URLError, TimeoutError: as urllib raises them.
        """
        request = Request(
            url,
            data=urlencode(fields).encode("utf-8"),
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            },
            method="POST",
        )
        with self._opener.open(request, timeout=timeout) as response:
            return response.read(), response.headers


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _why(err: Exception) -> str:
    """What went wrong with a request, in a few words (with the server's own)."""
    if isinstance(err, HTTPError):
        try:
            body = err.read().decode("utf-8", "replace")
        except OSError:
            body = ""
        return f"HTTP {err.code} {err.reason}: {' '.join(body.split())[:300]}"
    if isinstance(err, URLError):
        return str(err.reason)
    return str(err) or type(err).__name__


def _timed_out(err: Exception) -> bool:
    reason = err.reason if isinstance(err, URLError) else err
    return isinstance(reason, (TimeoutError, socket.timeout))


class RemoteStore(Store):
    """A kg store on a SPARQL 1.1 server; see the module notes for the layout.

    Same public methods as :class:`kg.store.Store`, except that there is no
    local pyoxigraph store (``ox`` raises) and ``dataset`` is a local snapshot.
    """

    remote = True

    def __init__(self, endpoint: Endpoint, batch_size: int = BATCH) -> None:
        self.endpoint = endpoint
        self.location = endpoint.display()
        self.read_only = False
        self.batch_size = batch_size
        self._client = _Client(endpoint)
        self._dataset: Dataset | None = None

    @property
    def ox(self) -> ox.Store:
        """Not available: the triples live on the server."""
        raise StoreError(
            f"The store at {self.location} is on a SPARQL server and has no local "
            "pyoxigraph store; use store.query() or store.quads_for_pattern()."
        )

    @property
    def dataset(self) -> Dataset:
        """A read-only rdflib snapshot (union as default graph), taken on first use.

        Views read the whole store anyway, so one bulk read beats thousands of
        small HTTP round trips through an rdflib SPARQLStore.
        """
        if self._dataset is None:
            local = ox.Store()
            for quad in self.named_quads():
                local.add(quad)
                if not is_run_iri(quad.graph_name.value):  # runs stay out of the union
                    local.add(ox.Quad(quad.subject, quad.predicate, quad.object))
            from oxrdflib import OxigraphStore  # only this view needs rdflib's SPARQL

            self._dataset = Dataset(store=OxigraphStore(store=local))
            bind_prefixes(self._dataset)
        return self._dataset

    def ping(self) -> None:
        """Ask the server a trivial query.

        Raises:
            StoreError: it does not answer, or refuses.
        """
        self._fetch([("query", "ASK {}")], _JSON)

    # --- reads -------------------------------------------------------------------

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern; ``ox.DefaultGraph()`` is the union graph."""
        if graph_name is None:
            names = [ox.DefaultGraph(), *self.graph_names()]
        else:
            names = [graph_name]
        for name in names:
            where = _UNION if isinstance(name, ox.DefaultGraph) else name
            for triple in self._triples(subject, predicate, object, where):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, name)

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[ox.Variable, Term] | None = None,
        timeout: float | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a query on the server with the union as its default graph.

        The text is parsed here first (on an empty store), so a syntax error reads
        exactly as on the embedded store and nothing malformed reaches the server.

        Args:
            text: SPARQL query.
            prefixes: prefixes declared for the query.
            substitutions: variable -> value, sent as a VALUES row at the start of
                the query's outer group (the effect of a pre-bound variable).
            timeout: seconds to wait for the answer; None: the URL's timeout.

        Raises:
            SyntaxError: the query does not parse (as pyoxigraph raises it).
            QueryError: the server refused the query, timed out or cut its answer.
        """
        form = ox.Store().query(text, prefixes=prefixes, substitutions=substitutions)
        full = _prologue(prefixes) + _bind(text, substitutions or {})
        fields = [("query", full), ("default-graph-uri", str(UNION_GRAPH))]
        if _mentions_graph(text):
            # Never an empty list: Virtuoso would then show its own graphs.
            names = [g.value for g in self.graph_names()] or [str(ONTOLOGY_GRAPH)]
            fields += [("named-graph-uri", name) for name in names]
        graph = not isinstance(form, (ox.QuerySolutions, ox.QueryBoolean))
        body, headers = self._fetch(
            fields, _NTRIPLES if graph else _JSON, timeout, errors=QueryError
        )
        _refuse_partial(headers, QueryError)
        cap = headers.get("X-SPARQL-MaxRows")
        if cap is not None:
            raise QueryError(
                f"{self.location} sent only its first {cap} rows (the server's row "
                "cap); read the rest with LIMIT/OFFSET, or raise the cap (Virtuoso: "
                "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)."
            )
        if graph:
            return _triples_of(body)
        return _results(body)

    def graph_names(self) -> list[ox.NamedNode]:
        """Every kg graph on the server (articles, runs, ontology), sorted by name."""
        rows = self._select_all(
            f"SELECT DISTINCT ?g WHERE {{ {_KG_QUADS} }}",
            "?g",
        )
        return sorted((r["g"] for r in rows), key=lambda g: g.value)

    def named_quads(self) -> Iterator[ox.Quad]:
        """Every quad of the kg graphs, graph by graph, in one (paged) read."""
        rows = self._select_all(
            f"SELECT ?g ?s ?p ?o WHERE {{ {_KG_QUADS} }}",
            "?g ?s ?p ?o",
        )
        quads = (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        yield from sorted(quads, key=lambda q: q.graph_name.value)

    def dump_union(
        self,
        output: BinaryIO | Path,
        rdf_format: ox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the union graph to ``output``, read from the server in pages."""
        triples = (
            q.triple for q in self.quads_for_pattern(graph_name=ox.DefaultGraph())
        )
        ox.serialize(triples, output, rdf_format, prefixes=prefixes)

    def triple_count(self) -> int:
        """Distinct triples in the union of the article and ontology graphs."""
        return self._count(f"GRAPH {_UNION} {{ ?s ?p ?o }}")

    def __len__(self) -> int:
        """Quads in the kg graphs: what a TriG export of the store holds."""
        return self._count(_KG_QUADS)

    def close(self) -> None:
        """Forget the snapshot; the server keeps everything."""
        self._dataset = None

    def clear(self) -> None:
        """Drop every kg graph, the union and any scratch graph from the server."""
        rows = self._select_all(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER({_KG_GRAPHS} || STRSTARTS(STR(?g), "{KGR["graph/"]}")) }}',
            "?g",
        )
        drops = [f"DROP SILENT GRAPH {r['g']}" for r in rows]
        self._update(" ;\n".join([*drops, f"DROP SILENT GRAPH {_UNION}"]))

    def _has_graph(self, name: ox.NamedNode) -> bool:
        body, _ = self._fetch(
            [("query", f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}")], _JSON
        )
        return bool(_results(body))

    def _count(self, pattern: str) -> int:
        rows = self._select_all(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", "")
        return int(rows[0]["n"].value) if rows else 0

    def _triples(
        self,
        subject: Term | None,
        predicate: Term | None,
        obj: Term | None,
        graph: ox.NamedNode,
    ) -> Iterator[ox.Triple]:
        """One graph's triples matching a pattern.

        By SELECT, not CONSTRUCT: Virtuoso cuts both at its row cap but flags
        only a SELECT answer, which is then read again in pages.
        """
        slots = ((subject, "s"), (predicate, "p"), (obj, "o"))
        if any(isinstance(t, ox.BlankNode) for t, _ in slots):
            # In a query a blank node is a variable; the server's node is unreachable.
            raise StoreError("A store on a SPARQL server cannot match blank nodes.")
        pattern = " ".join(str(t) if t is not None else f"?{v}" for t, v in slots)
        free = " ".join(f"?{v}" for t, v in slots if t is None)
        text = f"SELECT {free or '*'} WHERE {{ GRAPH {graph} {{ {pattern} }} }}"
        for row in self._select_all(text, free):
            s, p, o = (t if t is not None else row[v] for t, v in slots)
            yield ox.Triple(s, p, o)

    def _select_all(self, text: str, order: str) -> list[ox.QuerySolution]:
        """Every row of an internal SELECT (explicit GRAPH patterns), paged if cut."""
        return [
            row for body in self._pages(text, order, _JSON) for row in _results(body)
        ]

    def _pages(self, text: str, order: str, accept: str) -> Iterator[bytes]:
        """The answer to ``text``; if the server cut it, again in ordered pages."""
        body, headers = self._fetch([("query", text)], accept)
        cap = headers.get("X-SPARQL-MaxRows")
        if cap is None or not order:
            _refuse_partial(headers, StoreError)
            yield body
            return
        # Virtuoso's ResultSetMaxRows: without ORDER BY the pages may overlap.
        logger.debug("server cut the answer at %s rows; reading it in pages", cap)
        size, offset = int(cap), 0
        while True:
            page = f"{text} ORDER BY {order} LIMIT {size} OFFSET {offset}"
            body, headers = self._fetch([("query", page)], accept)
            _refuse_partial(headers, StoreError)
            yield body
            if _rows(body, accept) < size:
                return
            offset += size

    def _fetch(
        self,
        fields: list[tuple[str, str]],
        accept: str,
        timeout: float | None = None,
        errors: type[StoreError] | type[QueryError] = StoreError,
    ) -> tuple[bytes, Message]:
        """POST a query; failures become ``errors`` saying what and where."""
        seconds = timeout or self.endpoint.timeout
        try:
            return self._client.post(self.endpoint.query_url, fields, accept, seconds)
        except OSError as err:  # urllib's HTTPError and URLError included
            message = self._failure(err, seconds, "reading from")
            raise errors(_capital(message)) from err

    def _failure(self, err: Exception, seconds: float, doing: str) -> str:
        if _timed_out(err) and doing == "writing to":
            return (
                f"writing to {self.location} got no answer within {seconds:g} s; "
                "raise ?timeout=SECONDS in the store URL, or write smaller batches"
            )
        if _timed_out(err):
            return (
                f"query stopped after {seconds:g} s without an answer from "
                f"{self.location}; narrow it, or raise --timeout (kg query) or "
                "?timeout=SECONDS in the store URL"
            )
        if isinstance(err, HTTPError):
            hint = "check the query and the server's log"
            if err.code in (401, 403):
                hint = (
                    f"give credentials in the URL or {USER_ENV}/{PASSWORD_ENV}, and "
                    "make sure that user may write (Virtuoso: GRANT SPARQL_UPDATE)"
                )
            return f"{doing} {self.location} failed: {_why(err)}; {hint}"
        return (
            f"cannot reach {self.location}: {_why(err)}. Check that the server is "
            "running and the URL (see README, 'Sharing a store')"
        )

    # --- writes ------------------------------------------------------------------

    def _replace_graph(
        self, name: ox.NamedNode, triples: list[ox.Triple], *, union: bool = True
    ) -> None:
        """Fill a scratch graph batch by batch, then swap it in with one update."""
        staging = ox.NamedNode(str(staging_iri(name.value)))
        self._update(f"DROP SILENT GRAPH {staging}")
        try:
            for batch in _batches(triples, self.batch_size):
                self._insert(staging, batch)
        except StoreError as err:
            self._discard(staging)
            raise StoreError(
                f"{err}. Nothing of {name.value} was changed (the part already sent "
                "was dropped); fix the cause and run the command again."
            ) from err
        steps = [
            _UNLINK.format(g=name, u=_UNION) if union else f"DROP SILENT GRAPH {name}",
            _COPY.format(g=name, s=staging),
            f"DROP SILENT GRAPH {staging}",
        ]
        if union:
            steps.append(_LINK.format(u=_UNION, g=name))
        self._dataset = None
        # One request, so the server applies the swap as one transaction.
        self._update(" ;\n".join(steps))

    def _insert(self, graph: ox.NamedNode, triples: list[ox.Triple]) -> None:
        """One INSERT request (the step a test can make fail midway)."""
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        if any(_has_bnode(t) for t in triples):
            # Virtuoso refuses blank nodes in INSERT DATA; a template with an
            # empty WHERE makes one node per label, the same on every server.
            self._update(f"INSERT {{ GRAPH {graph} {{\n{body}}} }} WHERE {{}}")
        else:
            self._update(f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")

    def _remove_graph(self, name: ox.NamedNode) -> None:
        self._dataset = None
        self._update(_UNLINK.format(g=name, u=_UNION))

    def _discard(self, staging: ox.NamedNode) -> None:
        """Drop a half-filled scratch graph; the stored version was never touched."""
        try:
            self._update(f"DROP SILENT GRAPH {staging}")
        except StoreError as err:  # the write already failed; say so, not this
            logger.warning("could not drop scratch graph %s: %s", staging.value, err)

    def _update(self, text: str) -> None:
        seconds = self.endpoint.timeout
        url = self.endpoint.update_url
        try:
            self._client.post(url, [("update", text)], "*/*", seconds)
        except OSError as err:  # urllib's HTTPError and URLError included
            message = self._failure(err, seconds, "writing to")
            raise StoreError(_capital(message)) from err


def _batches(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Triples in groups of about ``size``; triples sharing a blank node stay together.

    A blank node label in INSERT DATA names a fresh node in each request, so one
    node split across two requests would become two nodes (the ontology's OWL
    lists are blank nodes).
    """
    batch: list[ox.Triple] = []
    for group in _bnode_groups(triples):
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _has_bnode(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(
        triple.object, ox.BlankNode
    )


def _bnode_groups(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Each triple alone, except that triples linked by blank nodes form one group."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for t in triples:
        nodes = [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[object, list[ox.Triple]] = {}
    for i, t in enumerate(triples):
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        key = root(node) if isinstance(node, ox.BlankNode) else i
        groups.setdefault(key, []).append(t)
    return list(groups.values())


def _refuse_partial(headers: Message, errors: type[Exception]) -> None:
    """Raise if Virtuoso says the answer is partial (its 'anytime' time cap)."""
    state = headers.get("X-SQL-State")
    if state:
        raise errors(
            f"the server stopped the query at its time limit and sent a partial "
            f"answer ({state}: {headers.get('X-SQL-Message', '')}); narrow the query "
            "or raise MaxQueryExecutionTime on the server"
        )


def _results(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse SPARQL JSON results, with Virtuoso's blank nodes made parseable.

    Virtuoso writes a blank node as "nodeID://b10001" in JSON (and as _:b10001 in
    N-Triples); pyoxigraph refuses the former, so it becomes "b10001".
    """
    if b'"nodeID://' in body:
        doc = json.loads(body)
        for row in doc.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = term["value"].removeprefix("nodeID://")
        body = json.dumps(doc).encode("utf-8")
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


def _triples_of(body: bytes) -> Iterator[ox.Triple]:
    """The triples of an N-Triples answer (pyoxigraph parses them as quads)."""
    return (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


def _rows(body: bytes, accept: str) -> int:
    if accept == _JSON:
        return sum(1 for _ in _results(body))
    return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


def _prologue(prefixes: dict[str, str] | None) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())


def _bind(text: str, substitutions: dict[ox.Variable, Term]) -> str:
    """The query with a one-row VALUES block opening its outer group pattern."""
    if not substitutions:
        return text
    from kg.query import blank_opaque

    names = " ".join(str(v) for v in substitutions)
    row = " ".join(str(t) for t in substitutions.values())
    at = _outer_group(blank_opaque(text))
    return f"{text[: at + 1]} VALUES ({names}) {{ ({row}) }} {text[at + 1 :]}"


def _outer_group(blank: str) -> int:
    """Offset of the ``{`` that opens the query's WHERE pattern."""
    upper = blank.upper()
    first = blank.index("{")
    construct = upper.find("CONSTRUCT", 0, first)
    if construct == -1 or upper[construct:first].rstrip().endswith("WHERE"):
        return first
    # CONSTRUCT's template comes first (it holds no braces); the pattern follows.
    return blank.index("{", blank.index("}", first))


def _mentions_graph(text: str) -> bool:
    from kg.query import blank_opaque

    return "GRAPH" in blank_opaque(text).upper()


__all__ = [
    "BATCH",
    "Endpoint",
    "PASSWORD_ENV",
    "RemoteStore",
    "USER_ENV",
    "open_remote",
    "parse_endpoint",
]
