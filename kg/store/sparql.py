"""SPARQL text and SPARQL answers, as the remote store and the query layer use them.

Text: :func:`blank_opaque` hides strings, IRIs and comments so a keyword or a
brace is found only where it is syntax; :func:`bind_values` pre-binds variables
with a one-row ``VALUES`` block, which is how a server receives what pyoxigraph
takes as ``substitutions``. Answers: JSON results and N-Triples as a server
sends them (Virtuoso's quirks included). Writes: :func:`batches` cuts an insert
into requests without splitting a blank node.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from email.message import Message

import pyoxigraph as pyox

from kg.errors import StoreError
from kg.rdf.terms import Term

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
# Strings, IRIs and comments, blanked out when looking for the outer group or a
# GRAPH keyword (kg.query.cookbook, kg.store.remote). Not a security check: the
# refusal of SERVICE and updates is kg.query.guard, which fails closed.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"
    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*",
)


def blank_opaque(text: str) -> str:
    """The query with strings, IRIs and comments blanked, offsets unchanged."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def bind_values(
    text: str, substitutions: Mapping[pyox.Variable, Term | pyox.Triple]
) -> str:
    """The query with a one-row VALUES block opening its outer group pattern."""
    if not substitutions:
        return text
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


def mentions_graph(text: str) -> bool:
    """True if the query says GRAPH outside its strings, IRIs and comments."""
    return "GRAPH" in blank_opaque(text).upper()


def refuse_partial(headers: Message, errors: type[Exception]) -> None:
    """Raise if Virtuoso says the answer is partial (its 'anytime' time cap)."""
    state = headers.get("X-SQL-State")
    if state:
        raise errors(
            f"the server stopped the query at its time limit and sent a partial "
            f"answer ({state}: {headers.get('X-SQL-Message', '')}); narrow the query "
            "or raise MaxQueryExecutionTime on the server"
        )


def parse_results(body: bytes) -> pyox.QuerySolutions | pyox.QueryBoolean:
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
    return pyox.parse_query_results(body, format=pyox.QueryResultsFormat.JSON)


def solutions(answer: object) -> pyox.QuerySolutions:
    """The rows of a SELECT answer.

    Raises:
        StoreError: the answer is not rows (a yes/no, or triples).
    """
    if not isinstance(answer, pyox.QuerySolutions):
        raise StoreError(
            f"Expected rows from a SELECT, got {type(answer).__name__}; this is a "
            "bug in kg or an answer the server garbled. Please report it."
        )
    return answer


def ntriples(triples: Iterable[pyox.Triple]) -> str:
    """The triples as N-Triples text: escaped by Oxigraph, valid in INSERT DATA."""
    data = pyox.serialize(triples, format=pyox.RdfFormat.N_TRIPLES)
    return data.decode("utf-8") if data is not None else ""


def triples_of(body: bytes) -> Iterator[pyox.Triple]:
    """The triples of an N-Triples answer (pyoxigraph parses them as quads)."""
    return (q.triple for q in pyox.parse(body, format=pyox.RdfFormat.N_TRIPLES))


def count_rows(body: bytes, accept: str) -> int:
    """Rows of a JSON answer, or triples of an N-Triples one (to detect a last page)."""
    if accept == JSON:
        return sum(1 for _ in solutions(parse_results(body)))
    return sum(1 for _ in pyox.parse(body, format=pyox.RdfFormat.N_TRIPLES))


def batches(triples: list[pyox.Triple], size: int) -> Iterator[list[pyox.Triple]]:
    """Triples in groups of about ``size``; triples sharing a blank node stay together.

    A blank node label in INSERT DATA names a fresh node in each request, so one
    node split across two requests would become two nodes (the ontology's OWL
    lists are blank nodes).
    """
    batch: list[pyox.Triple] = []
    for group in _bnode_groups(triples):
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _bnode_groups(triples: list[pyox.Triple]) -> list[list[pyox.Triple]]:
    """Each triple alone, except that triples linked by blank nodes form one group."""
    parent: dict[pyox.BlankNode, pyox.BlankNode] = {}

    def root(node: pyox.BlankNode) -> pyox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for t in triples:
        nodes = [x for x in (t.subject, t.object) if isinstance(x, pyox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[object, list[pyox.Triple]] = {}
    for i, t in enumerate(triples):
        node = t.subject if isinstance(t.subject, pyox.BlankNode) else t.object
        key = root(node) if isinstance(node, pyox.BlankNode) else i
        groups.setdefault(key, []).append(t)
    return list(groups.values())


def graph_iri(quad: pyox.Quad) -> str:
    """The IRI of the graph a quad is in ("" for the default graph)."""
    name = quad.graph_name
    return "" if isinstance(name, pyox.DefaultGraph) else name.value


__all__ = [
    "graph_iri",
    "JSON",
    "NTRIPLES",
    "batches",
    "bind_values",
    "blank_opaque",
    "count_rows",
    "mentions_graph",
    "ntriples",
    "parse_results",
    "refuse_partial",
    "solutions",
    "triples_of",
]
