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

import logging
from collections.abc import Iterator, Sequence
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.error import HTTPError

import pyoxigraph as pyox
from rdflib import Dataset

from kg.errors import QueryError, StoreError
from kg.rdf.iris import is_run_iri, staging_iri
from kg.rdf.namespaces import (
    KGR,
    ONTOLOGY_GRAPH,
    UNION_GRAPH,
    bind_prefixes,
    sparql_prologue,
)
from kg.rdf.terms import Term, has_blank_node
from kg.store.base import Bindings, GraphName, QueryAnswer
from kg.store.contract import StoreContract
from kg.store.endpoint import (
    PASSWORD_ENV,
    USER_ENV,
    Client,
    Endpoint,
    capital,
    parse_endpoint,
    timed_out,
    why,
)
from kg.store.sparql import (
    JSON,
    NTRIPLES,
    batches,
    bind_values,
    count_rows,
    graph_iri,
    mentions_graph,
    ntriples,
    parse_results,
    refuse_partial,
    solutions,
    triples_of,
)

logger = logging.getLogger(__name__)

#: Triples per INSERT DATA request.
BATCH = 1000
_UNION = pyox.NamedNode(str(UNION_GRAPH))
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


def open_remote(url: str) -> RemoteStore:
    """Open the store at a SPARQL server, checking that the server answers.

    Raises:
        StoreError: bad URL, or the server cannot be reached or refuses queries.
    """
    store = RemoteStore(parse_endpoint(url))
    store.ping()
    logger.debug("opened remote store %s", store.location)
    return store


class RemoteStore(StoreContract):
    """A kg store on a SPARQL 1.1 server; see the module notes for the layout.

    It implements the :class:`kg.store.base.Store` protocol; unlike
    :class:`kg.store.local.LocalStore` it has no local pyoxigraph store (``ox``
    raises, saying so) and its ``dataset`` is a local snapshot.
    """

    remote = True

    def __init__(self, endpoint: Endpoint, batch_size: int = BATCH) -> None:
        self.endpoint = endpoint
        self.location = endpoint.display()
        self.read_only = False
        self.batch_size = batch_size
        self._client = Client(endpoint)
        self._dataset: Dataset | None = None

    @property
    def ox(self) -> pyox.Store:
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
            local = pyox.Store()
            for quad in self.named_quads():
                local.add(quad)
                if not is_run_iri(graph_iri(quad)):  # runs stay out of the union
                    local.add(pyox.Quad(quad.subject, quad.predicate, quad.object))
            from oxrdflib import OxigraphStore  # only this view needs rdflib's SPARQL

            self._dataset = Dataset(store=OxigraphStore(store=local))
            bind_prefixes(self._dataset)
        return self._dataset

    def ping(self) -> None:
        """Ask the server a trivial query.

        Raises:
            StoreError: it does not answer, or refuses.
        """
        self._fetch([("query", "ASK {}")], JSON)

    # --- reads -------------------------------------------------------------------

    def quads_for_pattern(
        self,
        subject: pyox.NamedNode | None = None,
        predicate: pyox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: GraphName | None = None,
    ) -> Iterator[pyox.Quad]:
        """Quads matching a pattern; ``DefaultGraph()`` is the union graph."""
        if graph_name is None:
            names = [pyox.DefaultGraph(), *self.graph_names()]
        else:
            names = [graph_name]
        for name in names:
            where = _UNION if isinstance(name, pyox.DefaultGraph) else name
            for triple in self._triples(subject, predicate, object, where):
                yield pyox.Quad(triple.subject, triple.predicate, triple.object, name)

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: Bindings | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        default_graph: Sequence[pyox.NamedNode] | None = None,
        named_graphs: Sequence[pyox.NamedNode] | None = None,
    ) -> QueryAnswer:
        """Run a query on the server with the union as its default graph.

        The text is parsed here first (on an empty store), so a syntax error reads
        exactly as on the embedded store and nothing malformed reaches the server.

        Args:
            text: SPARQL query.
            prefixes: prefixes declared for the query.
            substitutions: variable -> value, sent as a VALUES row at the start of
                the query's outer group (the effect of a pre-bound variable).
            timeout: seconds to wait for the answer; None: the URL's timeout.
            base_iri: resolves relative IRIs; sent as a BASE declaration, which the
                query's own BASE, if any, follows and overrides.
            default_graph, named_graphs: the dataset, sent to the server as the
                protocol's ``default-graph-uri`` and ``named-graph-uri``; None
                keeps kg's (the union graph, and every kg graph). The server
                merges several default graphs its own way (Oxigraph's server
                counts a triple once per graph that states it).

        Raises:
            SyntaxError: the query does not parse (as pyoxigraph raises it).
            QueryError: the server refused the query, timed out or cut its answer.
        """
        form = pyox.Store().query(
            text, base_iri=base_iri, prefixes=prefixes, substitutions=substitutions
        )
        base = f"BASE <{base_iri}>\n" if base_iri else ""
        bound = bind_values(text, substitutions or {})
        full = base + sparql_prologue(prefixes or {}) + bound
        defaults = [str(UNION_GRAPH)]
        if default_graph is not None:
            defaults = [g.value for g in default_graph]
        fields = [("query", full)] + [("default-graph-uri", g) for g in defaults]
        if (default_graph is not None and not default_graph) or (
            named_graphs is not None and not named_graphs
        ):
            raise QueryError(
                "An empty default graph or an empty set of named graphs cannot be "
                "asked of a SPARQL server (it would use its own); name a graph."
            )
        if named_graphs is not None:
            fields += [("named-graph-uri", g.value) for g in named_graphs]
        elif mentions_graph(text):
            # Never an empty list: Virtuoso would then show its own graphs.
            names = [g.value for g in self.graph_names()] or [str(ONTOLOGY_GRAPH)]
            fields += [("named-graph-uri", name) for name in names]
        graph = not isinstance(form, (pyox.QuerySolutions, pyox.QueryBoolean))
        body, headers = self._fetch(
            fields, NTRIPLES if graph else JSON, timeout, errors=QueryError
        )
        refuse_partial(headers, QueryError)
        cap = headers.get("X-SPARQL-MaxRows")
        if cap is not None:
            raise QueryError(
                f"{self.location} sent only its first {cap} rows (the server's row "
                "cap); read the rest with LIMIT/OFFSET, or raise the cap (Virtuoso: "
                "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)."
            )
        if graph:
            return triples_of(body)
        return parse_results(body)

    def graph_names(self) -> list[pyox.NamedNode | pyox.BlankNode]:
        """Every kg graph on the server (articles, runs, ontology), sorted by name."""
        rows = self._select_all(
            f"SELECT DISTINCT ?g WHERE {{ {_KG_QUADS} }}",
            "?g",
        )
        return sorted((r["g"] for r in rows), key=lambda g: g.value)

    def named_quads(self) -> Iterator[pyox.Quad]:
        """Every quad of the kg graphs, graph by graph, in one (paged) read."""
        rows = self._select_all(
            f"SELECT ?g ?s ?p ?o WHERE {{ {_KG_QUADS} }}",
            "?g ?s ?p ?o",
        )
        quads = (pyox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        yield from sorted(quads, key=graph_iri)

    def dump_union(
        self,
        output: BinaryIO | Path,
        rdf_format: pyox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the union graph to ``output``, read from the server in pages."""
        triples = (
            q.triple for q in self.quads_for_pattern(graph_name=pyox.DefaultGraph())
        )
        pyox.serialize(triples, output, rdf_format, prefixes=prefixes)

    def triple_count(self) -> int:
        """Distinct triples in the union of the article and ontology graphs."""
        return self._count(f"GRAPH {_UNION} {{ ?s ?p ?o }}")

    def __len__(self) -> int:
        """Quads in the kg graphs: what a TriG export of the store holds."""
        return self._count(_KG_QUADS)

    def flush(self) -> None:
        """Nothing to do: the server has written every update it answered."""

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

    def _has_graph(self, name: pyox.NamedNode) -> bool:
        body, _ = self._fetch(
            [("query", f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}")], JSON
        )
        return bool(parse_results(body))

    def _count(self, pattern: str) -> int:
        rows = self._select_all(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", "")
        return int(rows[0]["n"].value) if rows else 0

    def _triples(
        self,
        subject: pyox.NamedNode | None,
        predicate: pyox.NamedNode | None,
        obj: Term | None,
        graph: pyox.NamedNode | pyox.BlankNode,
    ) -> Iterator[pyox.Triple]:
        """One graph's triples matching a pattern.

        By SELECT, not CONSTRUCT: Virtuoso cuts both at its row cap but flags
        only a SELECT answer, which is then read again in pages.
        """
        slots = ((subject, "s"), (predicate, "p"), (obj, "o"))
        blank = isinstance(graph, pyox.BlankNode)
        if blank or any(isinstance(t, pyox.BlankNode) for t, _ in slots):
            # In a query a blank node is a variable; the server's node is unreachable.
            raise StoreError("A store on a SPARQL server cannot match blank nodes.")
        pattern = " ".join(str(t) if t is not None else f"?{v}" for t, v in slots)
        free = " ".join(f"?{v}" for t, v in slots if t is None)
        text = f"SELECT {free or '*'} WHERE {{ GRAPH {graph} {{ {pattern} }} }}"
        for row in self._select_all(text, free):
            yield pyox.Triple(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                obj if obj is not None else row["o"],
            )

    def _select_all(self, text: str, order: str) -> list[pyox.QuerySolution]:
        """Every row of an internal SELECT (explicit GRAPH patterns), paged if cut."""
        return [
            row
            for body in self._pages(text, order, JSON)
            for row in solutions(parse_results(body))
        ]

    def _pages(self, text: str, order: str, accept: str) -> Iterator[bytes]:
        """The answer to ``text``; if the server cut it, again in ordered pages."""
        body, headers = self._fetch([("query", text)], accept)
        cap = headers.get("X-SPARQL-MaxRows")
        if cap is None or not order:
            refuse_partial(headers, StoreError)
            yield body
            return
        # Virtuoso's ResultSetMaxRows: without ORDER BY the pages may overlap.
        logger.debug("server cut the answer at %s rows; reading it in pages", cap)
        size, offset = int(cap), 0
        while True:
            page = f"{text} ORDER BY {order} LIMIT {size} OFFSET {offset}"
            body, headers = self._fetch([("query", page)], accept)
            refuse_partial(headers, StoreError)
            yield body
            if count_rows(body, accept) < size:
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
            raise errors(capital(message)) from err

    def _failure(self, err: Exception, seconds: float, doing: str) -> str:
        if timed_out(err) and doing == "writing to":
            return (
                f"writing to {self.location} got no answer within {seconds:g} s; "
                "raise ?timeout=SECONDS in the store URL, or write smaller batches"
            )
        if timed_out(err):
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
            return f"{doing} {self.location} failed: {why(err)}; {hint}"
        return (
            f"cannot reach {self.location}: {why(err)}. Check that the server is "
            "running and the URL (see README, 'Sharing a store')"
        )

    # --- writes ------------------------------------------------------------------

    def _replace_graph(
        self, name: pyox.NamedNode, triples: list[pyox.Triple], *, union: bool = True
    ) -> None:
        """Fill a scratch graph batch by batch, then swap it in with one update."""
        staging = pyox.NamedNode(str(staging_iri(name.value)))
        self._update(f"DROP SILENT GRAPH {staging}")
        try:
            for batch in batches(triples, self.batch_size):
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

    def _insert(self, graph: pyox.NamedNode, triples: list[pyox.Triple]) -> None:
        """One INSERT request (the step a test can make fail midway)."""
        body = ntriples(triples)
        if any(has_blank_node(t) for t in triples):
            # Virtuoso refuses blank nodes in INSERT DATA; a template with an
            # empty WHERE makes one node per label, the same on every server.
            self._update(f"INSERT {{ GRAPH {graph} {{\n{body}}} }} WHERE {{}}")
        else:
            self._update(f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")

    def _remove_graph(self, name: pyox.NamedNode) -> None:
        self._dataset = None
        self._update(_UNLINK.format(g=name, u=_UNION))

    def _discard(self, staging: pyox.NamedNode) -> None:
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
            raise StoreError(capital(message)) from err


__all__ = [
    "BATCH",
    "Endpoint",
    "PASSWORD_ENV",
    "RemoteStore",
    "USER_ENV",
    "open_remote",
    "parse_endpoint",
]
