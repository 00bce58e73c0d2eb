"""Ingest: read articles, extract events, map them to RDF and store them.

The functions the CLI's ``kg ingest``, ``kg build`` and ``kg remove`` wrap. Each
article is written in its own transaction, so a bad article, or a crash half-way,
never leaves a half-written graph and never touches what was stored before. The
writes run on a background thread, in input order, while the model reads the next
articles (:mod:`kg.ingestion.background`). Every run is recorded in the store's
history (see
:mod:`kg.store.provenance`).

An article is unchanged, and skipped before the model runs, when its stored
:class:`~kg.store.Stamp` (content hash, kg version, trained coder version) equals
the running one; so a new kg or a new coder model re-extracts stored articles
without ``--force``, and the run counts them as re-extracted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import PROV

from kg import __version__
from kg.errors import InputError, KGError
from kg.ingestion.background import OrderedThread
from kg.ingestion.options import (
    IngestKeywords,
    IngestOptions,
    IngestReport,
    OnError,
    Progress,
    RemoveReport,
)
from kg.ingestion.writer import RunWriter, recorded_run
from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_triples, triples_to_graph
from kg.rdf.ontology import load_ontology
from kg.read import iter_articles
from kg.records import Article, Extraction
from kg.store import Stamp, Store
from kg.store.provenance import RunLog

if TYPE_CHECKING:
    from spacy.language import Language
    from typing_extensions import Unpack  # typing has it from Python 3.11

logger = logging.getLogger(__name__)

#: The outcome of an unchanged article stored again because the kg or coder
#: version that extracted it is not the running one (a kind of "replaced").
REEXTRACTED = "re-extracted"

_GENERATED_BY = ox.NamedNode(str(PROV.wasGeneratedBy))
#: Articles written between two flushes of the store: RocksDB holds what it has
#: not flushed in memory, so without these the memory of a run grows with it.
FLUSH_EVERY = 200
#: Extracted articles that may wait for the writer thread (see _store_all); None
#: means a memory zone's worth (kg.extraction.ZONE_ARTICLES), since extract()
#: hands them over a zone at a time. Read when a run starts: kg.extraction (and
#: spaCy) is imported only by runs that extract, so that the writer of
#: recorded runs (kg.ingestion.writer) stays light for kg serve.
WRITE_AHEAD: int | None = None


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    options: IngestOptions | None = None,
    **keywords: Unpack[IngestKeywords],
) -> IngestReport:
    """Add articles from files, folders or "-" (stdin) to a store.

    Args:
        paths: inputs as ``kg ingest`` takes them.
        store: an open store; the ontology graph is written to it first.
        options: how to extract and store (see :class:`IngestOptions`).
        keywords: fields of :class:`IngestOptions`, set over ``options``
            (``ingest(paths, store, model=..., force=True)``).

    Raises:
        UsageError: both ``dask`` and ``workers`` above 1.
        ModelError: the trained event coder cannot be found (see
            :func:`running_coder_version`).
        kg.extraction.runtime.distributed.ClusterError: the cluster cannot be used.
    """
    from kg.extraction.runtime.distributed import check_options

    opts = replace(options or IngestOptions(), **keywords)
    check_options(opts.dask, opts.workers)
    model, label = _model_here(opts.nlp, opts.model)
    local = opts.workers == 1 and not opts.dask
    coder = running_coder_version(opts.nlp if local else None)

    def extractions(
        writer: RunWriter, failed: OnError, notify: Progress
    ) -> Iterable[Extraction]:
        articles = iter_articles(paths, on_error=failed)
        fresh = _skip_unchanged(articles, writer, opts.force, notify)
        return _extract(fresh, opts, model, label, coder)

    return _recorded_run(store, (label, coder), extractions, opts)


def _extract(
    articles: Iterable[Article],
    opts: IngestOptions,
    model: str | None,
    label: str,
    coder: str | None,
) -> Iterable[Extraction]:
    """Extract here (in ``workers`` processes) or on the Dask cluster."""
    from kg.extraction import extract
    from kg.extraction.runtime.distributed import extract_distributed

    if opts.dask:
        return extract_distributed(
            articles,
            opts.dask,
            model=model,
            batch_size=opts.batch_size,
            label=label,
            coder=coder,
        )
    return extract(
        articles,
        opts.nlp,
        model=model,
        batch_size=opts.batch_size,
        n_process=opts.workers,
    )


def running_coder_version(nlp: Language | None = None) -> str | None:
    """The version of the trained event coder this run extracts with.

    Recorded on every article graph and compared with the stored one, so it must
    name the coder that really codes: a built pipeline's own (None if it runs
    the rules alone), else the one every process (--workers, Dask on this
    machine) will load: ``KG_CODER_DIR``, else the bundled folder. The one place
    ingest asks :func:`kg.extraction.coder.coder_version`.

    Raises:
        ModelError: no pipeline is given and the coder folder is missing or
            incomplete.
    """
    if nlp is not None and "kg_events" in nlp.pipe_names:
        pipe = nlp.get_pipe("kg_events")
        if hasattr(pipe, "coder"):
            return pipe.coder.version if pipe.coder is not None else None
    from kg.extraction.coder import coder_version

    return coder_version()


#: Makes a run's extractions, given its writer and error and progress callbacks.
Extractions = Callable[[RunWriter, OnError, Progress], Iterable[Extraction]]


def _recorded_run(
    store: Store,
    versions: tuple[str, str | None],
    extractions: Extractions,
    opts: IngestOptions,
) -> IngestReport:
    """One recorded ingest run: the ontology first, then every extraction stored.

    ``versions`` are the spaCy model's label and the trained coder's version,
    recorded on the run and on every article graph it writes. ``extractions``
    is called inside the run, with its writer and the error and progress
    callbacks, so that reading can count failures and skips on it.
    """
    started = time.perf_counter()
    store.ensure_ontology(load_ontology())
    notify = opts.progress or (lambda _id, _status: None)
    label, coder = versions
    with recorded_run(store, "ingest", model=label, coder_version=coder) as writer:
        failed = _failure_counter(writer.run, opts.on_error)
        _store_all(extractions(writer, failed, notify), writer, opts, failed, notify)
    return _report(writer.run, started)


def _model_here(nlp: Language | None, model: str | None) -> tuple[str | None, str]:
    """The model name extraction will load, and the label the run records.

    Without a built pipeline, the model is found and checked, and its label read
    from its package, without loading it: the pipeline is built only once there
    is an article to extract (a run of unchanged or unreadable inputs never pays
    for it), and worker processes (``--workers``, Dask) build their own. The
    resolved name goes to them, so every process loads the same pipeline.
    """
    from kg.extraction.pipeline import installed_model, model_label

    if nlp is not None:
        return model, model_label(nlp)
    name, label = installed_model(model)
    return model or name, label


def ingest_extractions(
    extractions: Iterable[Extraction],
    store: Store,
    *,
    model: str,
    coder_version: str | None = None,
    on_error: OnError | None = None,
    progress: Progress | None = None,
    validate: bool = False,
) -> IngestReport:
    """Store extractions made elsewhere (or by hand), as one recorded run.

    Args:
        extractions: one per article; a stored article with an equal content
            hash and equal versions is left as it is.
        store: an open store; the ontology graph is written to it first.
        model: the label of the pipeline that made the extractions, recorded.
        coder_version: the trained coder that made them, recorded (None: not
            known, so a later ``kg ingest`` re-extracts them).
        on_error, progress, validate: as for :func:`ingest`.
    """
    opts = IngestOptions(on_error=on_error, progress=progress, validate=validate)
    return _recorded_run(store, (model, coder_version), lambda *_: extractions, opts)


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
    with recorded_run(store, "remove") as writer:
        failed = _failure_counter(writer.run, on_error)
        unknown = []
        for aid in dict.fromkeys(ids):
            if writer.remove(aid):
                continue
            unknown.append(aid)
            failed(_unknown_article(aid, store))
    return RemoveReport(tuple(writer.run.removed), tuple(unknown), writer.run.iri)


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


#: An article's graph, or why it could not be made (raised again by the writer).
Mapped = tuple[Extraction, list[ox.Triple] | KGError]


def _store_all(
    extractions: Iterable[Extraction],
    writer: RunWriter,
    opts: IngestOptions,
    failed: OnError,
    notify: Progress,
) -> None:
    """Map, optionally validate, and store each extraction; record what happened.

    Writes run on a background thread, in input order, while the next articles
    are extracted (pyoxigraph lets go of the GIL as it writes); the mapping stays
    here, so that thread holds the GIL only briefly. Outcomes are reported here,
    in input order. Without ``on_error`` (``failed`` raises), nothing after a
    failed article is written, as when it all ran on one thread.
    """
    written = 0
    run, stop_on_error = writer.run, opts.on_error is None

    def write(item: Mapped) -> str:
        nonlocal written
        extraction, triples = item
        if isinstance(triples, KGError):
            raise triples
        written += 1
        if written % FLUSH_EVERY == 0:
            writer.store.flush()
        return _put(extraction, triples, writer, opts.force)

    with OrderedThread(
        write,
        ahead=_write_ahead(writer.store),
        fatal=lambda exc: stop_on_error or not isinstance(exc, KGError),
    ) as thread:
        for extraction in extractions:
            mapped = _mapped(extraction, run, opts.validate)
            for done in thread.put((extraction, mapped)):
                _report_one(*done, writer, failed, notify)
        for done in thread.rest():
            _report_one(*done, writer, failed, notify)


def _write_ahead(store: Store) -> int:
    """Articles that may wait for the writer thread: see :data:`WRITE_AHEAD`."""
    if store.remote:
        return 0  # one HTTP client: no overlap
    if WRITE_AHEAD is not None:
        return WRITE_AHEAD
    from kg.extraction import ZONE_ARTICLES

    return ZONE_ARTICLES


def _report_one(
    item: Mapped,
    outcome: Future[str],
    writer: RunWriter,
    failed: OnError,
    notify: Progress,
) -> None:
    """Count and report what storing one extraction did (``failed`` may raise)."""
    extraction = item[0]
    article = extraction.article
    try:
        status = outcome.result()
    except KGError as error:
        failed(InputError(article.origin or article.id, f"not stored: {error}"))
        notify(article.id, "failed")
        return
    if status == "unchanged":
        writer.unchanged(article.id)
    else:
        writer.run.events += len(extraction.events)
    if status == REEXTRACTED:
        writer.run.reextracted += 1
    notify(article.id, status)


def _mapped(
    extraction: Extraction, run: RunLog, validate: bool
) -> list[ox.Triple] | KGError:
    """One article's graph, stamped with the run, or why it cannot be stored."""
    try:
        return _graph_of(extraction, run, validate)
    except KGError as error:
        return error


def _graph_of(extraction: Extraction, run: RunLog, validate: bool) -> list[ox.Triple]:
    """One article's graph, stamped with the run.

    Raises:
        KGError: the graph breaks a shape (with ``validate``).
    """
    iri = ox.NamedNode(article_iri(extraction.article))
    triples = extraction_triples(
        extraction,
        extractor_version=__version__,
        model=run.model or "",
        coder_version=run.coder_version,
    )
    triples.append(ox.Triple(iri, _GENERATED_BY, ox.NamedNode(run.iri)))
    if validate:
        _check(triples_to_graph(triples), extraction.article)
    return triples


def _put(
    extraction: Extraction,
    triples: list[ox.Triple],
    writer: RunWriter,
    force: bool = False,
) -> str:
    """Write one article's graph through the run's writer.

    A stored graph of the same text made by another kg or coder version is
    replaced, and reported as re-extracted.

    Raises:
        KGError: the write fails.
    """
    article = extraction.article
    previous = writer.store.article_stamp(article_iri(article))
    differs = previous is not None and previous != _stamp(article, writer.run)
    old_hash = previous.content_hash if previous else None
    status = writer.put(
        article.id,
        triples,
        article.content_hash,
        previous_hash=old_hash,
        force=force or differs,
    )
    if differs and old_hash == article.content_hash:
        return REEXTRACTED
    return status


def _stamp(article: Article, run: RunLog) -> Stamp:
    """The stamp the article's graph gets in this run: its text and our versions."""
    return Stamp(article.content_hash, __version__, run.coder_version)


def _check(graph: Graph, article: Article) -> None:
    """Raise ValidationFailed naming the first rule the article's graph breaks."""
    from kg.rdf.validate import format_report, validate_graph

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
        run.reextracted,
    )


def _skip_unchanged(
    articles: Iterable[Article],
    writer: RunWriter,
    force: bool,
    notify: Progress,
) -> Iterator[Article]:
    """Pass on only articles whose stored stamp differs (or all, if forced).

    Skipping before the model runs makes re-ingesting a folder nearly free, and
    an interrupted run resumes where it stopped. The stamp holds the kg and coder
    versions beside the content hash, so articles extracted by another version
    (or by a kg that recorded none) are passed on to be re-extracted.
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
        stored = writer.store.article_stamp(article_iri(article))
        if not force and stored == _stamp(article, writer.run):
            writer.unchanged(article.id)
            notify(article.id, "unchanged")
            continue
        yield article
