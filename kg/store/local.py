"""The embedded triple store: one named graph per article, on Oxigraph.

Writes go straight to ``pyoxigraph`` (its native parsers and transactions are
10-40x faster than rdflib's per-triple path); rdflib callers get a read-only
``Dataset`` view through oxrdflib.

The store's *default graph* is kept equal to the set union of the article graphs
and the ontology graph. Run records (one named graph per run, see
:mod:`kg.store.provenance`) stay out of it: a run changes what is stored, not what the
articles say, so event queries, counts and exports never see provenance unless
they ask for it with ``GRAPH ?run { ... }``.
pyoxigraph 0.5 evaluates ``use_default_graph_as_union`` as a bag (oxigraph#1919):
a country described by 40 articles would come back 40 times from every query and
inflate every COUNT. A materialised union, updated in the same transaction as the
article graph it derives from, gives set semantics and plain default-graph queries.

The same contract holds on a shared SPARQL server (``--store sparql+http://…``):
:class:`kg.store.remote.RemoteStore` answers the same primitives over HTTP, and
both inherit the public methods from :class:`kg.store.contract.StoreContract`.

``pyoxigraph`` is imported as ``pyox`` here: ``LocalStore.ox`` (the public
handle on the pyoxigraph store) would otherwise shadow the module alias inside
the class, and annotations such as ``ox.Store`` would name the property.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as pyox
from rdflib import Dataset

from kg.errors import StoreError
from kg.rdf.namespaces import bind_prefixes
from kg.rdf.terms import Term
from kg.store.base import Bindings, GraphName, QueryAnswer
from kg.store.contract import StoreContract
from kg.store.failures import failure_message, is_store_failure
from kg.store.sparql import ntriples, solutions

logger = logging.getLogger("kg.store")

# Removes from the union every triple of graph G that no other named graph holds,
# then drops G. Run before (re)writing G, in the same update request. Run graphs
# count as "other graphs" here, so they must never restate an article's triple
# (kg.store.provenance describes only runs, revisions and the agent).
_UNLINK = (
    "DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} "
    "FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != {g}) }} }} ;\n"
    "DROP SILENT GRAPH {g}"
)
_LINK = "INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"


def _merged_dataset(
    store: pyox.Store,
    default_graph: Sequence[pyox.NamedNode],
    named_graphs: Sequence[pyox.NamedNode] | None,
) -> pyox.Store:
    """An in-memory store whose default graph is the merge of ``default_graph``.

    pyoxigraph 0.5 evaluates a default graph of several graphs as a bag, as it
    does the union (oxigraph#1919): a triple two of them state would match
    twice. SPARQL's default graph is their RDF merge, each triple once, so the
    graphs are copied into one default graph (a set), beside copies of the named
    graphs (None: every named graph of the store). Its cost grows with those
    graphs; the server's dataset always names its named graphs.
    """
    merged = pyox.Store()
    merged.extend(
        pyox.Quad(quad.subject, quad.predicate, quad.object)
        for graph in default_graph
        for quad in store.quads_for_pattern(None, None, None, graph)
    )
    names = store.named_graphs() if named_graphs is None else named_graphs
    merged.extend(
        quad
        for graph in names
        for quad in store.quads_for_pattern(None, None, None, graph)
    )
    return merged


class LocalStore(StoreContract):
    """A kg store in a folder or in memory, on pyoxigraph.

    Use :func:`kg.store.open_store` to create one; it is also a context manager.
    It implements the :class:`kg.store.base.Store` protocol; callers that stay
    with the protocol's methods work on a remote store too.
    """

    #: True for a store on a SPARQL server (no local pyoxigraph store, no folder).
    remote = False

    def __init__(
        self, inner: pyox.Store, location: Path | None, *, read_only: bool = False
    ) -> None:
        self._ox: pyox.Store | None = inner
        self.location = location
        self.read_only = read_only
        self._dataset: Dataset | None = None

    @property
    def ox(self) -> pyox.Store:
        """The underlying pyoxigraph store, for native (fast) reads."""
        if self._ox is None:
            raise StoreError("The store is closed; open it again with open_store().")
        return self._ox

    @property
    def dataset(self) -> Dataset:
        """An rdflib view of the store; its default graph is the union.

        Read-only by contract: writing through it would bypass the union upkeep.
        """
        if self._dataset is None:
            from oxrdflib import OxigraphStore  # only this view needs rdflib's SPARQL

            self._dataset = Dataset(store=OxigraphStore(store=self.ox))
            bind_prefixes(self._dataset)
        return self._dataset

    # --- primitives: what a remote store answers over HTTP instead -------------

    def quads_for_pattern(
        self,
        subject: pyox.NamedNode | None = None,
        predicate: pyox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: GraphName | None = None,
    ) -> Iterator[pyox.Quad]:
        """Quads matching a pattern, as ``pyoxigraph.Store.quads_for_pattern``.

        ``DefaultGraph()`` is the union; None means every graph.
        """
        return self.ox.quads_for_pattern(subject, predicate, object, graph_name)

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: Bindings | None = None,
        base_iri: str | None = None,
        default_graph: Sequence[pyox.NamedNode] | None = None,
        named_graphs: Sequence[pyox.NamedNode] | None = None,
    ) -> QueryAnswer:
        """Run a SPARQL query over the union, as ``pyoxigraph.Store.query``.

        ``default_graph`` and ``named_graphs`` set the dataset (see
        :meth:`kg.store.base.Store.query`). Callers that refuse updates and
        SERVICE go through :func:`kg.query.execute`.
        """
        store: pyox.Store = self.ox
        if default_graph is not None and len(default_graph) > 1:
            store = _merged_dataset(store, default_graph, named_graphs)
            default_graph = named_graphs = None  # the in-memory store's own
        return store.query(
            text,
            base_iri=base_iri,
            prefixes=prefixes,
            substitutions=substitutions,
            default_graph=None if default_graph is None else list(default_graph),
            named_graphs=None if named_graphs is None else list(named_graphs),
        )

    def dump_union(
        self,
        output: BinaryIO | Path,
        rdf_format: pyox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the union graph to ``output`` with Oxigraph's native serialiser.

        Streams in Rust, in index order (grouped by subject, the same bytes for
        equal stores), so a million-triple export never builds Python objects.
        """
        self.ox.dump(
            output, rdf_format, from_graph=pyox.DefaultGraph(), prefixes=prefixes
        )

    def graph_names(self) -> list[pyox.NamedNode | pyox.BlankNode]:
        """Every named graph (articles, runs and the ontology), sorted by name."""
        return sorted(self.ox.named_graphs(), key=lambda g: g.value)

    def triple_count(self) -> int:
        """Distinct triples in the union of all graphs (counted inside Oxigraph)."""
        result = self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(solutions(result)))["n"].value)

    def __len__(self) -> int:
        """Quads in the named graphs: what a TriG export of the store holds."""
        return len(self.ox) - self.triple_count()

    def flush(self) -> None:
        """Write buffered changes to disk, releasing the memory that held them.

        RocksDB keeps recent writes in memory tables of up to tens of megabytes
        per index; a long ingest calls this now and then so its memory stays flat
        instead of growing with the corpus. A no-op on a read-only store.
        """
        if self.read_only:
            return
        try:
            self.ox.flush()
        except (OSError, RuntimeError) as err:
            raise StoreError(self._flush_failure(err)) from err

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder).

        Released even when the flush fails (a full disk), so the folder is not
        left locked by this process; the failure is then one StoreError line.
        """
        inner, self._ox, self._dataset = self._ox, None, None
        if inner is not None and not self.read_only:
            try:
                inner.flush()
            except (OSError, RuntimeError) as err:
                raise StoreError(self._flush_failure(err)) from err

    def _has_graph(self, name: pyox.NamedNode) -> bool:
        return self.ox.contains_named_graph(name)

    def _replace_graph(
        self, name: pyox.NamedNode, triples: list[pyox.Triple], *, union: bool = True
    ) -> None:
        """Make ``triples`` the whole of graph ``name`` in one transaction."""
        if union and not self._has_graph(name):
            self._add_graph(name, triples)
            return
        # Serialised by Oxigraph itself, so every literal is escaped to N-Triples,
        # which is a subset of the SPARQL INSERT DATA syntax.
        body = ntriples(triples)
        insert = f"INSERT DATA {{ GRAPH {name} {{\n{body}}} }}"
        if union:
            steps = [_UNLINK.format(g=name), insert, _LINK.format(g=name)]
        else:
            steps = [f"DROP SILENT GRAPH {name}", insert]
        self._update(" ;\n".join(steps))

    def _add_graph(self, name: pyox.NamedNode, triples: list[pyox.Triple]) -> None:
        """Write a graph the store lacks, and its triples into the union.

        One ``extend`` is one transaction, as an update is, without the N-Triples
        round trip and the union query an update needs: a graph that did not
        exist has nothing to unlink, and adding a triple the union already holds
        changes nothing.
        """
        named: list[pyox.Quad] = []
        union: list[pyox.Quad] = []
        for subject, predicate, value in triples:  # each term read once
            named.append(pyox.Quad(subject, predicate, value, name))
            union.append(pyox.Quad(subject, predicate, value))
        self._check_writable()
        try:
            self.ox.extend(named + union)
        except (OSError, RuntimeError) as err:
            raise StoreError(self._write_failure(err)) from err

    def _remove_graph(self, name: pyox.NamedNode) -> None:
        self._update(_UNLINK.format(g=name))

    def _update(self, text: str) -> None:
        self._check_writable()
        try:
            self.ox.update(text)
        except (OSError, RuntimeError, SyntaxError) as err:
            raise StoreError(self._write_failure(err)) from err

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"The store at {self.location} was opened read-only; open it with "
                "open_store(path) to write (only one writer at a time)."
            )

    def _flush_failure(self, err: Exception) -> str:
        """The message for a flush that failed. What was committed stays in the
        store's log, which RocksDB replays on the next open."""
        return failure_message(self.location, err, "write")

    def _write_failure(self, err: Exception) -> str:
        if "Corruption" in str(err):
            return failure_message(self.location, err, "write")
        return (
            f"Writing to the store at {self.location or 'memory'} failed: "
            f"{_reason(err)}. "
            "Nothing was changed; check free disk space and permissions."
        )

    def __exit__(self, *exc: object) -> None:
        """Close the store; a RocksDB failure raised in the block becomes one line.

        Query rows and quads are read lazily, wherever the caller iterates them,
        so a damaged block in the middle of the store surfaces there as a bare
        pyoxigraph exception: the ``with`` block around every use of a store is
        the one place that sees them all.
        """
        error = exc[1] if len(exc) > 1 else None
        self.close()
        if isinstance(error, BaseException) and is_store_failure(error):
            raise StoreError(failure_message(self.location, error, "read")) from error


def _reason(err: Exception) -> str:
    """An error's text without the full stop that the message adds again."""
    return str(err).rstrip(". ")


__all__ = ["LocalStore"]
