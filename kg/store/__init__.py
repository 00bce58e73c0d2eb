"""The triple store: one named graph per article, on Oxigraph.

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
:class:`kg.store.remote.RemoteStore` overrides the few primitives this class builds on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from kg.errors import StoreError
from kg.rdf.iris import article_id, is_run_iri
from kg.rdf.namespaces import KG, ONTOLOGY_GRAPH, bind_prefixes
from kg.rdf.terms import (
    Term,
    canonical_triples,
    from_ox,
    ox_triples,
    to_graph,
    to_ox,
)

logger = logging.getLogger(__name__)

PutResult = TypingLiteral["added", "replaced", "unchanged"]
MEMORY = "memory"
#: URL schemes of a store on a SPARQL 1.1 server (kg.store.remote).
REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")
#: Seconds between tries of a locked store (open_store's ``wait``).
_LOCK_POLL_SECONDS = 0.2
#: Tries of a read-only open that races a writer (0.05 s apart).
_READ_ONLY_TRIES = 20
#: The article properties a Stamp is read from, by field name.
_STAMP_TERMS = {
    ox.NamedNode(str(KG.contentHash)): "content_hash",
    ox.NamedNode(str(KG.extractorVersion)): "extractor_version",
    ox.NamedNode(str(KG.coderVersion)): "coder_version",
}


@dataclass(frozen=True)
class Stamp:
    """What an article's graph was made from: its text, and what extracted it.

    Ingest compares the stored stamp with the running one to decide whether an
    article is unchanged, so a new kg or a new trained coder re-extracts stored
    articles without ``--force``. None means the graph does not say (a graph
    written by an older kg, or by hand).
    """

    content_hash: str
    extractor_version: str | None = None
    coder_version: str | None = None


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


def _same_ground_part(left: list[ox.Triple], right: list[ox.Triple]) -> bool:
    """Equal sizes and equal triples once those with blank nodes are set aside.

    The ontology's few blank nodes (OWL lists) make a full isomorphism check
    exponential in bad cases; a changed ontology file always changes a ground
    triple or the count, which is what this compares.
    """
    if len(left) != len(right):
        return False
    return {t for t in left if not _has_blank(t)} == {
        t for t in right if not _has_blank(t)
    }


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(
        triple.object, ox.BlankNode
    )


class Store:
    """A kg store: article graphs, the ontology graph, and their union.

    Use :func:`open_store` to create one; it is also a context manager. The
    public methods are written over a few primitives (``quads_for_pattern``,
    ``query``, ``graph_names``, ``_replace_graph``, ...) that this class runs on
    pyoxigraph and :class:`kg.store.remote.RemoteStore` runs over SPARQL 1.1 HTTP, so
    callers that stay with the public methods work on both.
    """

    #: True for a store on a SPARQL server (no local pyoxigraph store, no folder).
    remote = False

    def __init__(
        self, inner: ox.Store, location: Path | None, *, read_only: bool = False
    ) -> None:
        self._ox: ox.Store | None = inner
        self.location = location
        self.read_only = read_only
        self._dataset: Dataset | None = None

    @property
    def ox(self) -> ox.Store:
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
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern, as ``pyoxigraph.Store.quads_for_pattern``.

        ``ox.DefaultGraph()`` is the union; None means every graph.
        """
        return self.ox.quads_for_pattern(subject, predicate, object, graph_name)

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a SPARQL query over the union, as ``pyoxigraph.Store.query``.

        Callers that refuse updates and SERVICE go through :func:`kg.query.execute`.
        """
        return self.ox.query(text, prefixes=prefixes, substitutions=substitutions)

    def dump_union(
        self,
        output: BinaryIO | Path,
        rdf_format: ox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the union graph to ``output`` with Oxigraph's native serialiser.

        Streams in Rust, in index order (grouped by subject, the same bytes for
        equal stores), so a million-triple export never builds Python objects.
        """
        self.ox.dump(
            output, rdf_format, from_graph=ox.DefaultGraph(), prefixes=prefixes
        )

    def graph_names(self) -> list[ox.NamedNode | ox.BlankNode]:
        """Every named graph (articles, runs and the ontology), sorted by name."""
        return sorted(self.ox.named_graphs(), key=lambda g: g.value)

    def triple_count(self) -> int:
        """Distinct triples in the union of all graphs (counted inside Oxigraph)."""
        result = self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(result))["n"].value)

    def __len__(self) -> int:
        """Quads in the named graphs: what a TriG export of the store holds."""
        return len(self.ox) - self.triple_count()

    def flush(self) -> None:
        """Write buffered changes to disk, releasing the memory that held them.

        RocksDB keeps recent writes in memory tables of up to tens of megabytes
        per index; a long ingest calls this now and then so its memory stays flat
        instead of growing with the corpus. A no-op on a remote or read-only store.
        """
        if self.remote or self.read_only:
            return
        try:
            self.ox.flush()
        except OSError as err:
            raise StoreError(self._write_failure(err)) from err

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder)."""
        if self._ox is not None and not self.read_only:
            self._ox.flush()
        self._dataset = None
        self._ox = None

    def _has_graph(self, name: ox.NamedNode) -> bool:
        return self.ox.contains_named_graph(name)

    def _replace_graph(
        self, name: ox.NamedNode, triples: list[ox.Triple], *, union: bool = True
    ) -> None:
        """Make ``triples`` the whole of graph ``name`` in one transaction."""
        if union and not self._has_graph(name):
            self._add_graph(name, triples)
            return
        # Serialised by Oxigraph itself, so every literal is escaped to N-Triples,
        # which is a subset of the SPARQL INSERT DATA syntax.
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        insert = f"INSERT DATA {{ GRAPH {name} {{\n{body}}} }}"
        if union:
            steps = [_UNLINK.format(g=name), insert, _LINK.format(g=name)]
        else:
            steps = [f"DROP SILENT GRAPH {name}", insert]
        self._update(" ;\n".join(steps))

    def _add_graph(self, name: ox.NamedNode, triples: list[ox.Triple]) -> None:
        """Write a graph the store lacks, and its triples into the union.

        One ``extend`` is one transaction, as an update is, without the N-Triples
        round trip and the union query an update needs: a graph that did not
        exist has nothing to unlink, and adding a triple the union already holds
        changes nothing.
        """
        named: list[ox.Quad] = []
        union: list[ox.Quad] = []
        for subject, predicate, value in triples:  # each term read once
            named.append(ox.Quad(subject, predicate, value, name))
            union.append(ox.Quad(subject, predicate, value))
        self._check_writable()
        try:
            self.ox.extend(named + union)
        except OSError as err:
            raise StoreError(self._write_failure(err)) from err

    def _remove_graph(self, name: ox.NamedNode) -> None:
        self._update(_UNLINK.format(g=name))

    def _update(self, text: str) -> None:
        self._check_writable()
        try:
            self.ox.update(text)
        except (OSError, SyntaxError) as err:
            raise StoreError(self._write_failure(err)) from err

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"The store at {self.location} was opened read-only; open it with "
                "open_store(path) to write (only one writer at a time)."
            )

    def _write_failure(self, err: Exception) -> str:
        return (
            f"Writing to the store at {self.location or 'memory'} failed: {err}. "
            "Nothing was changed; check free disk space and permissions."
        )

    # --- the store's contract, the same on every backend -----------------------

    def article_hash(self, article: URIRef) -> str | None:
        """The kg:contentHash stored for an article, or None if it is absent."""
        name = ox.NamedNode(str(article))
        for quad in self.quads_for_pattern(name, to_ox(KG.contentHash), None, name):
            return quad.object.value
        return None

    def article_stamp(self, article: URIRef) -> Stamp | None:
        """The stored stamp of an article, or None if it has no kg:contentHash.

        One lookup of the article node's own triples in its graph (a dozen at
        most, never its events), so checking a whole folder before extracting
        stays cheap, also on a remote store (one request per article).
        """
        name = ox.NamedNode(str(article))
        found: dict[str, str] = {}
        for quad in self.quads_for_pattern(name, None, None, name):
            if field := _STAMP_TERMS.get(quad.predicate):
                found[field] = quad.object.value
        if "content_hash" not in found:
            return None
        return Stamp(**found)

    def put_article(
        self,
        article: URIRef,
        graph: Graph | Iterable[ox.Triple],
        content_hash: str,
        *,
        force: bool = False,
    ) -> PutResult:
        """Write an article's graph, replacing any older version all-or-nothing.

        Args:
            article: the article IRI, also the name of its graph.
            graph: every triple of the article (metadata, events, actors, places),
                as an rdflib graph or as pyoxigraph triples (no conversion needed).
            content_hash: the article's SHA-256; an equal stored hash means no write.
            force: write even when the stored hash is equal (a new extractor or
                model gives a new graph for the same text); reported as "replaced".

        Returns:
            "added", "replaced" or "unchanged".

        Raises:
            StoreError: the graph states a different kg:contentHash, or a write fails.
        """
        old = self.article_hash(article)
        if old == content_hash and not force:
            return "unchanged"
        triples = ox_triples(graph)
        _add_hash(triples, article, content_hash)
        self._replace_graph(ox.NamedNode(str(article)), triples)
        logger.debug(
            "%s %s (%d triples)", "replaced" if old else "added", article, len(triples)
        )
        return "replaced" if old is not None else "added"

    def remove_article(self, article: URIRef) -> bool:
        """Remove an article's graph (and what only it said); False if absent."""
        name = ox.NamedNode(str(article))
        if not self._has_graph(name):
            return False
        self._remove_graph(name)
        return True

    def put_run(self, run: URIRef, graph: Graph) -> None:
        """Write (or rewrite) a run's record as the named graph ``run``, atomically.

        The record is kept out of the union default graph (see the module notes).

        Raises:
            StoreError: ``run`` is not a run IRI, or the write fails.
        """
        if not is_run_iri(run):
            raise StoreError(
                f"{run} is not a run IRI; mint run names with kg.rdf.iris.run_iri."
            )
        self._replace_graph(ox.NamedNode(str(run)), ox_triples(graph), union=False)

    def runs(self) -> list[URIRef]:
        """IRIs of every recorded run (each also names the run's graph), sorted."""
        names = (g.value for g in self.graph_names() if isinstance(g, ox.NamedNode))
        return sorted(URIRef(n) for n in names if is_run_iri(n))

    def ensure_ontology(self, graph: Graph) -> bool:
        """Write the ontology into its named graph unless it is already there.

        Returns:
            True if the graph was written, False if the stored copy was equal.
        """
        triples = ox_triples(graph)
        name = ox.NamedNode(str(ONTOLOGY_GRAPH))
        stored = [q.triple for q in self.quads_for_pattern(None, None, None, name)]
        if _same_ground_part(stored, canonical_triples(triples)):
            return False
        self._replace_graph(ox.NamedNode(str(ONTOLOGY_GRAPH)), triples)
        return True

    def articles(self) -> list[URIRef]:
        """IRIs of every stored article, sorted."""
        names = (g for g in self.graph_names() if isinstance(g, ox.NamedNode))
        return sorted(URIRef(g.value) for g in names if article_id(g.value) is not None)

    def read_graph(self, name: URIRef | None = None) -> Graph:
        """A copy of one named graph (or, with no name, the union) as rdflib.

        Unlike the oxrdflib view, plain strings come back as plain literals, so the
        copy compares equal to graphs built with rdflib.
        """
        graph_name = ox.DefaultGraph() if name is None else ox.NamedNode(str(name))
        return to_graph(self.quads_for_pattern(None, None, None, graph_name))

    def named_quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, graph by graph (the union is derived)."""
        for name in self.graph_names():
            yield from self.quads_for_pattern(None, None, None, name)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _add_hash(triples: list[ox.Triple], article: URIRef, content_hash: str) -> None:
    subject, predicate = ox.NamedNode(str(article)), to_ox(KG.contentHash)
    stated = {
        t.object.value
        for t in triples
        if t.subject == subject and t.predicate == predicate
    }
    if stated - {content_hash}:
        raise StoreError(
            f"The graph of {article} states kg:contentHash {sorted(stated)} but "
            f"{content_hash} was given; build the graph from the same article."
        )
    if not stated:
        triples.append(ox.Triple(subject, predicate, ox.Literal(content_hash)))


def open_store(
    location: str | Path | None = None, *, read_only: bool = False, wait: float = 0
) -> Store:
    """Open (or create) a store in a folder, in memory, or on a SPARQL server.

    A folder store has one writer at a time: RocksDB locks the folder while it is
    open read-write. A second writer fails at once with a StoreError saying the
    store is in use, unless ``wait`` lets it queue. Failing is the default
    because a script or cron job that hangs silently behind a long ingest is
    worse than one that says why it stopped. Readers never take the lock.

    Args:
        location: a folder path, None / "memory" for a throwaway store, or a
            ``sparql+http(s)://`` URL of a shared server (see :mod:`kg.store.remote`).
        read_only: open an existing folder store for reading only. Readers then
            never write the store's files, so any number of them (``kg query``
            and its timeout worker, ``kg serve``) can run beside one writer.
        wait: seconds to keep retrying a folder store that another process
            holds open for writing; 0 fails at once.

    Raises:
        StoreError: the path is a file or a folder of something else, another
            process still holds the store open after ``wait`` seconds, or the
            server cannot be reached.
    """
    if location is None or str(location) == MEMORY:
        return Store(ox.Store(), None)
    if is_remote(location):
        from kg.store.remote import open_remote

        return open_remote(str(location))
    path = Path(location)
    _check_store_path(path)
    if read_only:
        return _open_read_only(path)
    return _open_read_write(path, wait)


def _open_read_write(path: Path, wait: float) -> Store:
    """Open a folder store for writing, retrying for ``wait`` s while it is locked."""
    deadline = time.monotonic() + wait
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # pyoxigraph makes one
            inner = ox.Store(str(path))
        except OSError as err:
            if not _is_locked(err) or time.monotonic() >= deadline:
                raise StoreError(_open_failure(path, err)) from err
            logger.debug("store %s is in use (%s); waiting", path, err)
            time.sleep(_LOCK_POLL_SECONDS)
            continue
        logger.debug("opened store %s", path)
        return Store(inner, path)


def _open_read_only(path: Path) -> Store:
    """Open a folder store read-only, retrying while a writer replaces its files.

    A read-only open lists the store's files, then opens them. A writer that
    flushes or compacts in between deletes some, and the open fails with "No such
    file" (OSError) or a RocksDB "Corruption" (RuntimeError) that is only a race:
    retried, the next open sees the new files.
    """
    if not (path / "CURRENT").is_file():
        raise StoreError(
            f"No kg store at {path}: build one with `kg build ARTICLES --out DIR` "
            "or `kg ingest`, or pass --store PATH (env KG_STORE)."
        )
    for _ in range(_READ_ONLY_TRIES):
        try:
            return Store(ox.Store.read_only(str(path)), path, read_only=True)
        except (OSError, RuntimeError) as err:
            failure = err
            logger.debug("read-only open of %s failed (%s); retrying", path, err)
            time.sleep(0.05)
    raise StoreError(_open_failure(path, failure)) from failure


def is_remote(location: str | Path | None) -> bool:
    """True if ``location`` names a SPARQL server rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(REMOTE_SCHEMES)


def _check_store_path(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"Cannot open store {path}: it is a file, not a store folder. "
            "Pass a new or empty folder (or 'memory')."
        )
    if path.is_dir() and any(path.iterdir()) and not (path / "CURRENT").is_file():
        raise StoreError(
            f"Cannot open store {path}: the folder holds other files and is not an "
            "Oxigraph store. Pass a new or empty folder (or 'memory')."
        )


def _is_locked(err: Exception) -> bool:
    """True if RocksDB refused the folder because a writer holds its LOCK file.

    Matched on RocksDB's own words, not on "lock" alone: the folder's path is in
    every message and may itself hold "lock".
    """
    text = str(err).lower()
    return "while lock file" in text or "lock hold by" in text


def _open_failure(path: Path, err: Exception) -> str:
    """The one-line message for a failed open: the cause, then what to do."""
    text = str(err)
    if "lock hold by current process" in text:
        return (
            f"Cannot open store {path}: this process already has it open for "
            "writing. Close that store (or reuse it) before opening it again."
        )
    if _is_locked(err):
        return (
            f"Cannot open store {path}: another kg process is using it (the store "
            "is in use; one writer at a time). Wait for it to finish or close it, "
            "then retry. kg ingest and kg remove can queue with --wait SECONDS; "
            "kg query and kg serve can read the store meanwhile."
        )
    return f"Cannot open store {path}: {text}. Check the path and its permissions."


__all__ = [
    "MEMORY",
    "PutResult",
    "REMOTE_SCHEMES",
    "Stamp",
    "Store",
    "canonical_triples",
    "from_ox",
    "is_remote",
    "open_store",
    "to_ox",
]
