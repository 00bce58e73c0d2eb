"""Ingest: read articles, extract events, map them to RDF and store them.

The one function the CLI's ``kg ingest`` and ``kg build`` wrap. Each article is
written in its own transaction, so a bad article, or a crash half-way, never
leaves a half-written graph and never touches what was stored before.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from kg import __version__
from kg.errors import InputError, KGError
from kg.extraction import extract
from kg.ontology import load_ontology
from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.reading import iter_articles
from kg.records import Article
from kg.store import Store

logger = logging.getLogger(__name__)

#: Called once per article with its id and what happened to it.
Progress = Callable[[str, str], None]
OnError = Callable[[KGError], None]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did.

    Attributes:
        added, replaced, unchanged: articles by outcome in the store.
        failed: inputs that could not be read or stored (each reported to on_error).
        events: events extracted from the added and replaced articles.
        seconds: wall-clock time of the run.
    """

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return self.added + self.replaced + self.unchanged


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    nlp: Language | None = None,
    model: str | None = None,
    on_error: OnError | None = None,
    progress: Progress | None = None,
    force: bool = False,
    batch_size: int = 32,
) -> IngestReport:
    """Add articles from files, folders or "-" (stdin) to a store.

    Args:
        paths: inputs as ``kg ingest`` takes them.
        store: an open store; the ontology graph is written to it first.
        nlp: a built pipeline (see ``kg.extraction.pipeline.build_pipeline``).
        model: spaCy pipeline name when ``nlp`` is None.
        on_error: receives each unreadable input or failed article; the run goes on.
            Without it the first error is raised.
        progress: receives (article id, "added" | "replaced" | "unchanged" | "failed").
        force: re-extract articles even when their stored content hash is equal.
        batch_size: documents per ``nlp.pipe`` batch.
    """
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    notify = progress or (lambda _id, _status: None)

    def failed(error: KGError) -> None:
        counts["failed"] += 1
        if on_error is None:
            raise error
        on_error(error)

    if nlp is None:
        from kg.extraction.pipeline import build_pipeline

        nlp = build_pipeline(model)
    store.ensure_ontology(load_ontology())
    from kg.extraction.pipeline import model_label

    label = model_label(nlp)
    articles = iter_articles(paths, on_error=failed)
    fresh = _skip_unchanged(articles, store, force, counts, notify)
    for extraction in extract(fresh, nlp, batch_size=batch_size):
        article = extraction.article
        try:
            graph = extraction_to_graph(
                extraction, extractor_version=__version__, model=label
            )
            status = store.put_article(
                article_iri(article), graph, article.content_hash
            )
        except KGError as error:
            failed(InputError(article.origin or article.id, f"not stored: {error}"))
            notify(article.id, "failed")
            continue
        counts[status] += 1
        counts["events"] += len(extraction.events) if status != "unchanged" else 0
        notify(article.id, status)
    return IngestReport(
        counts["added"],
        counts["replaced"],
        counts["unchanged"],
        counts["failed"],
        counts["events"],
        round(time.perf_counter() - started, 2),
    )


def _skip_unchanged(
    articles: Iterable[Article],
    store: Store,
    force: bool,
    counts: Counter[str],
    notify: Progress,
) -> Iterator[Article]:
    """Pass on only articles whose stored content hash differs (or all, if forced).

    Skipping before the model runs makes re-ingesting a folder nearly free.
    """
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            logger.warning(
                "%s: article id %r appeared earlier in this run; the later "
                "one replaces it (give each article a unique id)",
                article.origin,
                article.id,
            )
        seen.add(article.id)
        if (
            not force
            and store.article_hash(article_iri(article)) == article.content_hash
        ):
            counts["unchanged"] += 1
            notify(article.id, "unchanged")
            continue
        yield article
