"""Ingest: read articles, extract events, map them to RDF and store them.

The functions the CLI's ``kg ingest``, ``kg build`` and ``kg remove`` wrap. Each
article is written in its own transaction, so a bad article, or a crash half-way,
never leaves a half-written graph and never touches what was stored before. Every
run is recorded in the store's history (see :mod:`kg.provenance`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV
from spacy.language import Language

from kg import __version__
from kg.errors import InputError, KGError
from kg.extraction import extract
from kg.extraction.distributed import check_options, extract_distributed
from kg.ontology import load_ontology
from kg.provenance import Revision, RunLog, recording
from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.reading import iter_articles
from kg.records import Article, Extraction
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
        failed: inputs that could not be read, validated or stored (each reported
            to on_error).
        events: events extracted from the added and replaced articles.
        seconds: wall-clock time of the run.
        run: IRI of the run's record in the store's history.
    """

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0
    run: URIRef | None = None

    @property
    def articles(self) -> int:
        return self.added + self.replaced + self.unchanged


@dataclass(frozen=True)
class RemoveReport:
    """What one ``kg remove`` run did: ids removed and ids not in the store."""

    removed: tuple[str, ...]
    unknown: tuple[str, ...]
    run: URIRef


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
    validate: bool = False,
    workers: int = 1,
    dask: str | None = None,
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
        validate: check each article graph against the SHACL shapes first; one
            that breaks a shape is not stored and is reported as failed.
        workers: extraction processes; above 1 each builds its pipeline from
            ``model``, and the store receives exactly what one process gives.
        dask: extract on a Dask cluster instead: a scheduler address such as
            ``tcp://HOST:8786``, or ``"local"`` for a cluster of this machine's
            cores that is shut down at the end. Workers build their pipeline
            from ``model``; this process still does all the writing, so the
            store receives exactly what one process gives.

    Raises:
        UsageError: both ``dask`` and ``workers`` above 1.
        kg.extraction.distributed.ClusterError: the cluster cannot be used.
    """
    check_options(dask, workers)
    started = time.perf_counter()
    from kg.extraction.pipeline import build_pipeline, model_label

    nlp = nlp if nlp is not None else build_pipeline(model)
    store.ensure_ontology(load_ontology())
    notify = progress or (lambda _id, _status: None)
    with recording(store, "ingest", model=model_label(nlp)) as run:
        failed = _failure_counter(run, on_error)
        articles = iter_articles(paths, on_error=failed)
        fresh = _skip_unchanged(articles, store, force, run, notify)
        extractions = (
            extract_distributed(
                fresh, dask, model=model, batch_size=batch_size, label=run.model
            )
            if dask
            else extract(
                fresh, nlp, model=model, batch_size=batch_size, n_process=workers
            )
        )
        _store_all(extractions, store, run, failed, notify, validate, force)
    return _report(run, started)


def ingest_extractions(
    extractions: Iterable[Extraction],
    store: Store,
    *,
    model: str,
    on_error: OnError | None = None,
    progress: Progress | None = None,
    validate: bool = False,
) -> IngestReport:
    """Store extractions made elsewhere (or by hand), as one recorded run.

    Args:
        extractions: one per article; a stored article with an equal content
            hash is left as it is.
        store: an open store; the ontology graph is written to it first.
        model: the label of the pipeline that made the extractions, recorded.
        on_error, progress, validate: as for :func:`ingest`.
    """
    started = time.perf_counter()
    store.ensure_ontology(load_ontology())
    notify = progress or (lambda _id, _status: None)
    with recording(store, "ingest", model=model) as run:
        failed = _failure_counter(run, on_error)
        _store_all(extractions, store, run, failed, notify, validate)
    return _report(run, started)


def remove_articles(
    store: Store, ids: Iterable[str], *, on_error: OnError | None = None
) -> RemoveReport:
    """Drop articles' graphs, and every actor and place only they described.

    Args:
        store: an open store.
        ids: article ids, as ``kg ingest`` gave them (the file stem or ``id`` key).
        on_error: receives an InputError for each id not in the store; the other
            ids are still removed. Without it the first unknown id is raised
            (after the ids before it were removed and recorded).

    Returns:
        What was removed, what was unknown, and the run's IRI.
    """
    with recording(store, "remove") as run:
        failed = _failure_counter(run, on_error)
        unknown = []
        for aid in dict.fromkeys(ids):
            if store.remove_article(article_iri(aid)):
                run.removed.append(aid)
                continue
            unknown.append(aid)
            failed(_unknown_article(aid, store))
    return RemoveReport(tuple(run.removed), tuple(unknown), run.iri)


def _unknown_article(aid: str, store: Store) -> InputError:
    where = store.location or "memory"
    return InputError(
        aid,
        f"no article with this id in the store at {where}; nothing removed for it. "
        'List stored ids with: kg query "SELECT ?a WHERE { ?a a kg:Article }"',
    )


def _failure_counter(run: RunLog, on_error: OnError | None) -> OnError:
    """Count each failure on the run, then report it (or raise it)."""

    def failed(error: KGError) -> None:
        run.failed += 1
        if on_error is None:
            raise error
        on_error(error)

    return failed


def _store_all(
    extractions: Iterable[Extraction],
    store: Store,
    run: RunLog,
    failed: OnError,
    notify: Progress,
    validate: bool,
    force: bool = False,
) -> None:
    """Map, optionally validate, and store each extraction; record what happened."""
    for extraction in extractions:
        article = extraction.article
        try:
            status = _store_one(extraction, store, run, validate, force)
        except KGError as error:
            failed(InputError(article.origin or article.id, f"not stored: {error}"))
            notify(article.id, "failed")
            continue
        if status == "unchanged":
            run.unchanged += 1
        else:
            run.events += len(extraction.events)
        notify(article.id, status)


def _store_one(
    extraction: Extraction,
    store: Store,
    run: RunLog,
    validate: bool,
    force: bool = False,
) -> str:
    """Write one article's graph, stamped with the run; note it on the run.

    Raises:
        KGError: the graph breaks a shape (with ``validate``), or the write fails.
    """
    article = extraction.article
    iri = article_iri(article)
    graph = extraction_to_graph(
        extraction, extractor_version=__version__, model=run.model or ""
    )
    graph.add((iri, PROV.wasGeneratedBy, run.iri))
    if validate:
        _check(graph, article)
    previous = store.article_hash(iri)
    status = store.put_article(iri, graph, article.content_hash, force=force)
    if status == "added":
        run.added.append(article.id)
    elif status == "replaced":
        run.replaced.append(Revision(article.id, previous or "", article.content_hash))
    return status


def _check(graph: Graph, article: Article) -> None:
    """Raise ValidationFailed naming the first rule the article's graph breaks."""
    from kg.validate import format_report, validate_graph

    result = validate_graph(graph)
    if result.conforms:
        return
    first = format_report(result, graph).splitlines()[1].removeprefix("- ")
    raise ValidationFailed(
        f"article {article.id!r} breaks {len(result.violations)} SHACL rule(s); "
        f"first: {first} Fix the input or the extractor, or ingest without "
        "--validate."
    )


class ValidationFailed(KGError):
    """An article's graph breaks a SHACL shape, so it was not stored."""


def _report(run: RunLog, started: float) -> IngestReport:
    return IngestReport(
        len(run.added),
        len(run.replaced),
        run.unchanged,
        run.failed,
        run.events,
        round(time.perf_counter() - started, 2),
        run.iri,
    )


def _skip_unchanged(
    articles: Iterable[Article],
    store: Store,
    force: bool,
    run: RunLog,
    notify: Progress,
) -> Iterator[Article]:
    """Pass on only articles whose stored content hash differs (or all, if forced).

    Skipping before the model runs makes re-ingesting a folder nearly free, and
    an interrupted run resumes where it stopped.
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
            run.unchanged += 1
            notify(article.id, "unchanged")
            continue
        yield article
