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
result is checked before anything is written (400, nothing stored, no run
recorded, when it fails):

- against ``ontology/shapes.ttl`` (:func:`kg.rdf.validate.validate_graph`, as
  ``kg ingest --validate`` checks each article): the update is refused if the
  new graph breaks a shape the stored graph did not, and the reply names the
  shape, the record and the value. Only new violations count, so a graph
  stored by an older kg that breaks a newer shape can still be edited;
- for the run history: no triple about a run, a revision or kg's agent
  (``kgr:run/...``, ``kgr:agent/...``), none that a run graph states, and no
  new link to a run. Run graphs are kept out of the union default graph, and
  the union's upkeep (:mod:`kg.store.local`) counts them as graphs that still
  state a triple: a run triple restated in an article graph entered the union
  and stayed there after the article dropped it, so the union showed run
  history no article states. The history is written by kg only.

The checked result goes through :meth:`kg.store.Store.put_article` (or
``remove_article`` when nothing is left), which rewrites the graph and its share of
the union in one transaction. The graph must keep exactly one ``kg:contentHash`` for
its article: it is how ``kg ingest`` knows whether the article changed (an edited
article keeps its hash, so a later ingest of the same text leaves the edit alone;
``--force`` overwrites it). Each change is recorded as a run in ``kg history``.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef, Variable
from rdflib.namespace import SH

from kg.errors import KGError, QueryError
from kg.ingestion.writer import recorded_run
from kg.query.guard import check_no_service
from kg.rdf.iris import article_id, article_iri, is_run_iri
from kg.rdf.namespaces import KG, KGR, prefix_map
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
        UpdateRefused: the update is malformed, breaks a shape or touches the
            run history (400), or is not allowed (403); nothing was changed.
        StoreError: the write failed; nothing was changed.
    """
    graph, operations = parse_update(text)
    _check_history(store, operations)
    before = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
    after = set(before)
    for insert, triples in operations:
        if insert:
            after.update(triples)
        else:
            after.difference_update(triples)
    if after == before:
        return f"{graph} unchanged: the update adds and removes nothing"
    article = URIRef(graph.value)
    hashes = _content_hashes(article, after)
    if after and len(hashes) != 1:
        raise UpdateRefused(400, _hash_message(article, len(hashes)))
    if after:
        _check_shapes(article, before, after)
    outcome = _write(store, article, before, after)
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
    if _is_history(str(name)):
        raise UpdateRefused(400, _history_message(f"the graph <{name}>"))
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


def prepare_checks() -> None:
    """Load pyshacl, the shapes and the ontology now, in the starting writer.

    The first validation would otherwise pay for them (about a second), inside
    the time limit of the first update.
    """
    from kg.rdf.validate import validate_graph

    validate_graph(Graph())


def _check_history(store: Store, operations: list[Operation]) -> None:
    """Refuse (400) an update that would restate or rewrite the run history.

    Refused: a triple about a run, a revision or kg's agent (the subjects of
    every run graph), a triple some run graph states, and an inserted link to a
    run (``prov:wasGeneratedBy <run>`` is written by the run itself). Deleting
    such a link stays allowed, so that an article can be emptied by deleting
    what a CONSTRUCT of its graph returned.
    """
    for insert, triples in operations:
        for triple in triples:
            subject, value = triple.subject, triple.object
            if not isinstance(subject, ox.NamedNode) or isinstance(value, ox.Triple):
                continue  # never: _triple allows IRIs and literals only
            if _is_history(subject.value):
                raise UpdateRefused(400, _history_message(f"<{subject.value}>"))
            if insert and isinstance(value, ox.NamedNode) and _is_history(value.value):
                raise UpdateRefused(400, _history_message(f"<{value.value}>"))
            for quad in store.quads_for_pattern(subject, triple.predicate, value):
                name = quad.graph_name
                if isinstance(name, ox.NamedNode) and is_run_iri(name.value):
                    raise UpdateRefused(400, _history_message(f"<{name.value}>"))


_HISTORY = (str(KGR["run/"]), str(KGR["agent/"]))


def _is_history(iri: str) -> bool:
    """True for a run, a revision of a run, or kg's agent (the run records' nodes)."""
    return iri.startswith(_HISTORY)


def _history_message(what: str) -> str:
    return (
        f"The update touches the run history ({what}): runs are recorded by kg "
        "itself and never rewritten by hand; change only what the article says."
    )


def _check_shapes(article: URIRef, before: set, after: set) -> None:
    """Refuse (400) a new article graph that breaks a shape the old one did not.

    Each article graph is checked on its own, with the ontology merged in, as
    ``kg ingest --validate`` checks a new article: kg's article graphs are self-
    contained (an event's actors and places are described in its graph).
    """
    from kg.rdf.validate import describe_violation, validate_graph

    result = validate_graph(_rdflib_graph(after))
    broken = [v for v in result.violations if v.severity == SH.Violation]
    if not broken:
        return
    old = set(validate_graph(_rdflib_graph(before)).violations) if before else set()
    # One with a value first: "kg:quadClass 9" says more than "at most one".
    new = sorted((v for v in broken if v not in old), key=lambda v: v.value is None)
    if new:
        more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
        raise UpdateRefused(
            400,
            f"The update would make <{article}> break kg's shapes: "
            f"{describe_violation(new[0])}{more}; nothing was changed.",
        )


def _rdflib_graph(triples: set) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add((from_ox(triple[0]), from_ox(triple[1]), from_ox(triple[2])))
    return graph


def _write(store: Store, article: URIRef, before: set, after: set) -> str:
    """Replace (or remove) the article graph as a recorded run of its own."""
    aid = article_id(article) or ""  # an article graph: checked by parse_update
    with recorded_run(store, "update") as writer:
        if not after:
            writer.remove(aid)
            return "removed"
        new_hash = _content_hashes(article, after).pop()  # one: checked before
        old_hash = next(iter(_content_hashes(article, before)), None)
        return writer.put(
            aid, _rdflib_graph(after), new_hash, previous_hash=old_hash, force=True
        )


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


__all__ = [
    "UpdateRefused",
    "answer_update",
    "apply_update",
    "parse_update",
    "prepare_checks",
]
