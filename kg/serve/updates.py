"""SPARQL 1.1 Update for ``kg serve --write-token``: data changes to one article.

The store's default graph is the materialised union of its named graphs
(:mod:`kg.store`), kept in the same transaction as each graph it derives from. A
raw update run on the store would break that: ``INSERT DATA { ... }`` would write
the union itself, ``DROP GRAPH`` would leave the union holding the dropped
triples. So the server never hands an update to Oxigraph. It reads the request
with rdflib's SPARQL parser and accepts only:

- ``INSERT DATA`` and ``DELETE DATA`` (no ``LOAD``, ``SERVICE``, ``WHERE``
  patterns, ``CLEAR``, ``DROP``, ``COPY``, ...), in any order;
- with every triple inside ``GRAPH <article IRI> { ... }`` of one article
  (``kgr:article/ID``): not the default graph, the ontology or run records;
- with IRIs and literals only (kg mints no blank nodes).

The operations are applied in order to the article's stored triples, and the
result goes through :meth:`kg.store.Store.put_article` (or ``remove_article`` when
nothing is left), which rewrites the graph and its share of the union in one
transaction. The graph must keep exactly one ``kg:contentHash`` for its article:
it is how ``kg ingest`` knows whether the article changed (an edited article keeps
its hash, so a later ingest of the same text leaves the edit alone; ``--force``
overwrites it). Each change is recorded as a run in ``kg history``.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef, Variable

from kg.errors import KGError, QueryError
from kg.ingestion.writer import recorded_run
from kg.query.guard import check_no_service
from kg.rdf.iris import article_id, article_iri
from kg.rdf.namespaces import KG, prefix_map
from kg.rdf.terms import canonical_triples, from_ox, to_ox
from kg.serve.replies import Reply, error_reply
from kg.store import Store

logger = logging.getLogger(__name__)

_DATA_OPERATIONS = {"InsertData": True, "DeleteData": False}
_KEYWORDS = {
    "Modify": "INSERT/DELETE ... WHERE",
    "DeleteWhere": "DELETE WHERE",
    "Load": "LOAD",
}
_ONLY_DATA = (
    "only INSERT DATA and DELETE DATA into GRAPH <https://w3id.org/kg-events/id/"
    "article/ID> { ... } are accepted, so that the store's union default graph "
    "stays in step with its article graphs"
)
_PREFIXES = prefix_map()
Operation = tuple[bool, list[ox.Triple]]  # (insert?, triples)


class UpdateRefused(QueryError):
    """An update kg will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def answer_update(store: Store, text: str) -> Reply:
    """Run one update request and say what it changed (the reply of ``/update``)."""
    try:
        return Reply(
            200, "text/plain; charset=utf-8", apply_update(store, text).encode()
        )
    except UpdateRefused as err:
        return error_reply(err.status, str(err))
    except KGError as err:
        return error_reply(500, str(err))


def apply_update(store: Store, text: str) -> str:
    """Apply INSERT DATA / DELETE DATA to one article graph, keeping the union.

    Returns:
        One line saying what changed, e.g. "<...article/a1> replaced: 1 triple
        added, 0 removed".

    Raises:
        UpdateRefused: the update is malformed (400) or not allowed (403).
        StoreError: the write failed; nothing was changed.
    """
    graph, operations = parse_update(text)
    before = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
    after = set(before)
    for insert, triples in operations:
        if insert:
            after.update(triples)
        else:
            after.difference_update(triples)
    if after == before:
        return f"{graph} unchanged: the update adds and removes nothing"
    outcome = _write(store, URIRef(graph.value), before, after)
    logger.info("update: %s %s", graph.value, outcome)
    added, removed = len(after - before), len(before - after)
    return f"{graph} {outcome}: {added} triple(s) added, {removed} removed"


def parse_update(text: str) -> tuple[ox.NamedNode, list[Operation]]:
    """Read an update request, refusing everything but data changes to one article.

    Returns:
        The article graph, and each operation's triples in Oxigraph's canonical
        form (so that "0.80"^^xsd:decimal deletes the stored "0.8").

    Raises:
        UpdateRefused: 400 for a malformed request, 403 for one not allowed.
    """
    try:
        check_no_service(text)
    except QueryError as err:
        raise UpdateRefused(403, f"{err} Updates allow {_ONLY_DATA}.") from err
    graphs, operations = set(), []
    for op in _parse(text):
        insert = _data_operation(op)
        if op.triples:
            raise UpdateRefused(403, _default_graph_message())
        triples = []
        for name, quads in (op.quads or {}).items():
            graphs.add(_article_graph(name))
            triples += [_triple(quad) for quad in quads]
        operations.append((insert, canonical_triples(triples)))
    if len(graphs) != 1:
        raise UpdateRefused(400, _graph_count_message(len(graphs)))
    return ox.NamedNode(graphs.pop()), operations


def _parse(text: str) -> list:
    """rdflib's algebra of the update, with kg's prefixes declared as in queries."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return translateUpdate(parseUpdate(text), initNs=_PREFIXES).algebra
    except Exception as err:  # pyparsing's ParseException; plain Exception for prefixes
        raise UpdateRefused(
            400, f"The update cannot be read: {err}. Check its SPARQL syntax."
        ) from err


def _data_operation(op) -> bool:  # noqa: ANN001 - rdflib CompValue
    """True for INSERT DATA, False for DELETE DATA; refuses every other operation."""
    if op.name in _DATA_OPERATIONS:
        return _DATA_OPERATIONS[op.name]
    keyword = _KEYWORDS.get(op.name, op.name.upper())
    why = " (it would reach the network)" if op.name == "Load" else ""
    raise UpdateRefused(403, f"{keyword} is not allowed{why}: {_ONLY_DATA}.")


def _article_graph(name: object) -> str:
    """The name of an article graph written to, as text; refuses any other graph."""
    if not isinstance(name, URIRef):
        raise UpdateRefused(400, "INSERT DATA and DELETE DATA name graphs by IRI.")
    aid = article_id(name)
    if not aid or str(article_iri(aid)) != str(name):
        raise UpdateRefused(
            403,
            f"<{name}> is not an article graph: {_ONLY_DATA}. The ontology and the "
            "run records are kept by kg itself.",
        )
    return str(name)


def _triple(quad: tuple) -> ox.Triple:
    for term in quad[:3]:
        if isinstance(term, (Variable, BNode)):
            raise UpdateRefused(
                400,
                f"{term.n3()} is not allowed in INSERT DATA or DELETE DATA: kg names "
                "everything by IRI; write IRIs and literals only.",
            )
    try:
        subject, predicate, value = (to_ox(term) for term in quad[:3])
    except (ValueError, KGError) as err:
        raise UpdateRefused(400, f"The update holds an invalid term: {err}.") from err
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        # Oxigraph would raise TypeError, which once ended the writer process.
        raise UpdateRefused(
            400,
            f"A literal cannot be a subject or predicate, as in {quad[0].n3()} "
            f"{quad[1].n3()} ...; write the triple with IRIs there.",
        )
    return ox.Triple(subject, predicate, value)


def _write(store: Store, article: URIRef, before: set, after: set) -> str:
    """Replace (or remove) the article graph as a recorded run of its own."""
    hashes = _content_hashes(article, after)
    if after and len(hashes) != 1:
        raise UpdateRefused(400, _hash_message(article, len(hashes)))
    aid = article_id(article) or ""  # an article graph: checked by parse_update
    with recorded_run(store, "update") as writer:
        if not after:
            writer.remove(aid)
            return "removed"
        graph = Graph()
        for triple in after:
            graph.add((from_ox(triple[0]), from_ox(triple[1]), from_ox(triple[2])))
        old_hash = next(iter(_content_hashes(article, before)), None)
        return writer.put(aid, graph, hashes.pop(), previous_hash=old_hash, force=True)


def _content_hashes(article: URIRef, triples: set) -> set[str]:
    subject, predicate = ox.NamedNode(str(article)), to_ox(KG.contentHash)
    return {
        t.object.value
        for t in triples
        if t.subject == subject and t.predicate == predicate
    }


def _default_graph_message() -> str:
    return (
        "Triples outside GRAPH { ... } would write the default graph, which kg "
        f"derives as the union of the named graphs: {_ONLY_DATA}."
    )


def _graph_count_message(count: int) -> str:
    if count == 0:
        return "The update names no article graph; it would change nothing."
    return (
        f"The update changes {count} article graphs; send one update per article "
        "graph, so that each is replaced all-or-nothing."
    )


def _hash_message(article: URIRef, count: int) -> str:
    return (
        f"After the update <{article}> would state {count} kg:contentHash values; an "
        "article graph states exactly one (keep it, or delete every triple of the "
        "graph to remove the article)."
    )


__all__ = ["UpdateRefused", "answer_update", "apply_update", "parse_update"]
