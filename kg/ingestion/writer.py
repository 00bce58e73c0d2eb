"""The one writer of recorded runs: every command that changes articles uses it.

``kg ingest`` and ``kg build``, ``kg remove``, ``kg import-gdelt`` and the
``/update`` of ``kg serve --write-token`` change a store only through a
:class:`RunWriter`. It writes each article graph all-or-nothing
(:meth:`kg.store.Store.put_article`) or removes it, and notes the outcome on the
run's :class:`~kg.store.provenance.RunLog`, so ``kg history`` records the runs
of every command alike. :func:`recorded_run` opens a run: a short record at the
start, the full one at the end, and a record of the error if it stops early.

Only the store and its history are imported here (no spaCy), so the server's
writer process starts quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import Graph

from kg.rdf.iris import article_iri
from kg.store import PutResult, Store
from kg.store.provenance import RunLog, recording


class RunWriter:
    """Writes and removes article graphs as one recorded run.

    Attributes:
        store: the store the run changes.
        run: what the run has done so far; callers add their own counts
            (failures, events) to it.
    """

    def __init__(self, store: Store, run: RunLog) -> None:
        self.store = store
        self.run = run

    def put(
        self,
        article_id: str,
        graph: Graph | Iterable[ox.Triple],
        content_hash: str,
        *,
        previous_hash: str | None = None,
        force: bool = False,
    ) -> PutResult:
        """Write one article's graph and note it on the run if it was written.

        An article left unchanged is noted by the caller (:meth:`unchanged`),
        on its own thread: ``kg ingest`` writes on a background thread but
        counts on the main one.

        Args:
            article_id: the article's id; its IRI names the graph.
            graph: every triple of the article.
            content_hash: the article's hash; an equal stored one means no write.
            previous_hash: the hash stored before, recorded with a replacement.
            force: write even when the stored hash is equal.

        Returns:
            "added", "replaced" or "unchanged".

        Raises:
            StoreError: the write failed; the stored article and the run are as
                they were.
        """
        iri = article_iri(article_id)
        status = self.store.put_article(iri, graph, content_hash, force=force)
        if status != "unchanged":
            self.run.note(status, article_id, previous_hash, content_hash)
        return status

    def unchanged(self, article_id: str) -> None:
        """Note an article that was left as stored without writing it."""
        self.run.note("unchanged", article_id)

    def remove(self, article_id: str) -> bool:
        """Remove an article's graph and note it; False if it was not stored."""
        if not self.store.remove_article(article_iri(article_id)):
            return False
        self.run.removed.append(article_id)
        return True


@contextmanager
def recorded_run(
    store: Store,
    command: str,
    *,
    model: str | None = None,
    coder_version: str | None = None,
) -> Iterator[RunWriter]:
    """Record a run of ``command`` in ``store`` and write through the writer given.

    Args:
        store: the store the run changes.
        command: "ingest", "remove", "import-gdelt" or "update", as ``kg history``
            shows it.
        model, coder_version: the spaCy pipeline label and trained coder version
            of a run that extracts, recorded on the run.
    """
    with recording(store, command, model=model, coder_version=coder_version) as run:
        yield RunWriter(store, run)


__all__ = ["RunWriter", "recorded_run"]
