"""What an ingest run is given and what it gives back: options and reports.

:func:`kg.ingestion.ingest` takes an :class:`IngestOptions` (or its fields as
keywords, :class:`IngestKeywords`) and returns an :class:`IngestReport`;
:func:`kg.ingestion.remove_articles` returns a :class:`RemoveReport`. They live
apart from the run itself so that ``kg build`` and the CLI can name them without
the run's code, and the run's module stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from rdflib import URIRef

from kg.errors import KGError

if TYPE_CHECKING:
    from spacy.language import Language

#: Called once per article with its id and what happened to it.
Progress = Callable[[str, str], None]
#: Receives each error of a run that goes on after it.
OnError = Callable[[KGError], None]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did.

    Attributes:
        added, replaced, unchanged: articles by outcome in the store.
        failed: inputs that could not be read, validated or stored (each reported
            to on_error).
        reextracted: of the replaced articles, those whose text was unchanged
            but whose stored extractor or coder version was not the running one.
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
    reextracted: int = 0

    @property
    def articles(self) -> int:
        return self.added + self.replaced + self.unchanged


@dataclass(frozen=True)
class RemoveReport:
    """What one ``kg remove`` run did: ids removed and ids not in the store."""

    removed: tuple[str, ...]
    unknown: tuple[str, ...]
    run: URIRef


@dataclass(frozen=True)
class IngestOptions:
    """How :func:`ingest` reads, extracts and stores; every field is optional.

    Attributes:
        nlp: a built pipeline (see ``kg.extraction.pipeline.build_pipeline``).
        model: spaCy pipeline name when ``nlp`` is None.
        on_error: receives each unreadable input or failed article; the run goes
            on. Without it the first error is raised.
        progress: receives (article id, "added" | "replaced" | "re-extracted" |
            "unchanged" | "failed").
        force: re-extract articles even when their stored content hash and
            versions are equal (without it, an article extracted by another kg
            or coder version is re-extracted anyway).
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
    """

    nlp: Language | None = None
    model: str | None = None
    on_error: OnError | None = None
    progress: Progress | None = None
    force: bool = False
    batch_size: int = 32
    validate: bool = False
    workers: int = 1
    dask: str | None = None


class IngestKeywords(TypedDict, total=False):
    """The fields of :class:`IngestOptions`, given to :func:`ingest` as keywords."""

    nlp: Language | None
    model: str | None
    on_error: OnError | None
    progress: Progress | None
    force: bool
    batch_size: int
    validate: bool
    workers: int
    dask: str | None


__all__ = [
    "IngestKeywords",
    "IngestOptions",
    "IngestReport",
    "OnError",
    "Progress",
    "RemoveReport",
]
