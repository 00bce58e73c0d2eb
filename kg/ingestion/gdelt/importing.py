"""Import GDELT files into a store: :func:`import_gdelt`.

Two passes, so memory holds one source URL's rows whatever the input size: the
first validates every line and spools the good ones into a temporary SQLite file,
the second reads them back by URL and writes one article at a time.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from kg.errors import InputError, KGError
from kg.ingestion.gdelt.articles import DATASET, article_graph, url_article
from kg.ingestion.gdelt.columns import parse_row
from kg.ingestion.gdelt.reading import (
    Line,
    line_limit,
    lines,
    member_limit,
    sources,
    too_long,
)
from kg.ingestion.writer import RunWriter, recorded_run
from kg.rdf.iris import article_iri
from kg.rdf.namespaces import PROV
from kg.rdf.ontology import load_ontology
from kg.store import Store

logger = logging.getLogger(__name__)

Progress = Callable[[str, str], None]
OnError = Callable[[KGError], None]

#: A file stops being read at its this-many-th unusable line: past a few, it is
#: most likely not a GDELT event export at all (a README gave 633 error lines).
MAX_BAD_LINES = 10


@dataclass(frozen=True)
class GdeltReport:
    """What one import did.

    Attributes:
        rows: rows loaded as events.
        skipped: well-formed rows left out because they have no Actor1.
        bad: lines that are not GDELT 2.0 event rows (each reported to on_error).
        added, replaced, unchanged: articles (source URLs) by outcome in the store.
        failed: files that could not be read and articles that could not be stored.
        events: events written to added and replaced articles.
        seconds: wall-clock time of the run.
    """

    rows: int = 0
    skipped: int = 0
    bad: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0


def import_gdelt(
    paths: Iterable[str | Path],
    store: Store,
    *,
    on_error: OnError | None = None,
    progress: Progress | None = None,
    max_line_bytes: int | None = None,
    max_member_bytes: int | None = None,
) -> GdeltReport:
    """Add the events of GDELT 2.0 event-export files to a store.

    Every .CSV member of a zip is read as a file of its own, named
    ``archive.zip/member.CSV`` in errors and counted apart for MAX_BAD_LINES.

    Args:
        paths: ``.export.CSV`` files or their ``.zip`` downloads.
        store: an open store; the ontology graph is written to it first.
        on_error: receives each bad line, unreadable file or unstorable article;
            the run goes on. Without it the first error is raised. A file is
            read up to its MAX_BAD_LINES-th bad line only: then one more error
            sums it up and the next file is read (the rows before stay loaded).
        progress: receives (article id, "added" | "replaced" | "unchanged" |
            "failed") once per source URL.
        max_line_bytes: a longer line is an unusable line, skipped unread; None:
            ``KG_GDELT_MAX_LINE_BYTES``, else 65,536
            (:data:`~kg.ingestion.gdelt.reading.MAX_LINE_BYTES`).
        max_member_bytes: a zip member that unzips to more is refused; None:
            ``KG_GDELT_MAX_MEMBER_BYTES``, else 1 GB
            (:data:`~kg.ingestion.gdelt.reading.MAX_MEMBER_BYTES`).

    Returns:
        Counts of rows and articles; see :class:`GdeltReport`.

    Raises:
        InputError: a line or file is bad and no ``on_error`` was given.
        UsageError: an environment variable above holds no positive number.
    """
    started = time.perf_counter()
    limits = (
        line_limit() if max_line_bytes is None else max_line_bytes,
        member_limit() if max_member_bytes is None else max_member_bytes,
    )
    counts: Counter[str] = Counter()

    def failed(error: KGError, key: str = "failed") -> None:
        counts[key] += 1
        if on_error is None:
            raise error
        on_error(error)

    store.ensure_ontology(load_ontology())
    with closing(sqlite3.connect("")) as spool:  # "": temporary file, deleted
        spool.execute(
            "CREATE TABLE rows (url, event_id, origin, line, "
            "PRIMARY KEY (url, event_id))"
        )
        for path in paths:
            _spool_file(Path(path), spool, counts, failed, limits)
        with recorded_run(store, "import-gdelt", model=DATASET) as writer:
            for url, rows in _rows_by_url(spool):
                _store_article(url, rows, writer, counts, failed, progress)
            writer.run.failed = counts["failed"] + counts["bad"]
    fields = ("rows", "skipped", "bad", "added", "replaced", "unchanged", "failed")
    return GdeltReport(
        **{f: counts[f] for f in fields},
        events=counts["events"],
        seconds=round(time.perf_counter() - started, 2),
    )


# --- first pass: read, validate, spool ---------------------------------------------


def _spool_file(
    path: Path,
    spool: sqlite3.Connection,
    counts: Counter[str],
    failed: Callable[..., None],
    limits: tuple[int, int],
) -> None:
    """Validate and spool one file, or each member of a zip as a file of its own."""
    max_line, max_member = limits
    try:
        for source in sources(path, max_member):
            if isinstance(source, InputError):
                failed(source)
            else:
                label, stream = source
                numbered = lines(stream, max_line)
                _spool_lines(label, numbered, max_line, spool, counts, failed)
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as err:
        failed(
            InputError(
                str(path),
                f"cannot be read ({err}); pass a GDELT 2.0 .export.CSV file or its "
                ".zip download",
            )
        )


def _spool_lines(
    label: str,
    numbered: Iterable[Line],
    max_line: int,
    spool: sqlite3.Connection,
    counts: Counter[str],
    failed: Callable[..., None],
) -> None:
    """Spool the usable rows of one file (or zip member), reporting the others.

    Stops at the file's MAX_BAD_LINES-th unusable line, with one summary error;
    a line over the length limit is one of them, skipped without being read.
    """
    bad_before, rows_before = counts["bad"], counts["rows"] + counts["skipped"]
    for number, line in enumerate(numbered, start=1):
        if isinstance(line, int):
            failed(InputError(label, too_long(line, max_line), number), "bad")
        else:
            _spool_line(label, number, line, spool, counts, failed)
        if counts["bad"] - bad_before >= MAX_BAD_LINES:
            rows = counts["rows"] + counts["skipped"] - rows_before
            failed(_gave_up(label, number, rows))
            return


def _gave_up(label: str, number: int, rows: int) -> InputError:
    """The summary of a file abandoned at its MAX_BAD_LINES-th unusable line."""
    return InputError(
        label,
        f"stopped reading at line {number}, the {MAX_BAD_LINES}th unusable line "
        f"({rows} usable row(s) before it kept); is it a GDELT 2.0 event export "
        "(61 tab-separated columns, no header)?",
    )


def _spool_line(
    path: str,
    number: int,
    line: str,
    spool: sqlite3.Connection,
    counts: Counter[str],
    failed: Callable[..., None],
) -> None:
    """Spool one line, or count it as bad (reported) or as skipped (no Actor1)."""
    text = line.rstrip("\r\n")
    if not text.strip():
        return
    try:
        row = parse_row(text)
    except ValueError as err:
        failed(InputError(path, f"{err}; line skipped", number), "bad")
        return
    if row.actor1 is None:
        counts["skipped"] += 1
        return
    counts["rows"] += 1
    spool.execute(
        "INSERT OR IGNORE INTO rows VALUES (?, ?, ?, ?)",
        (row.url, row.event_id, f"{path}:{number}", text),
    )


# --- second pass: one article per source URL ---------------------------------------


def _rows_by_url(spool: sqlite3.Connection) -> Iterator[tuple[str, list[tuple]]]:
    """(url, [(origin, line), ...]) for each URL, rows in GLOBALEVENTID order."""
    cursor = spool.execute("SELECT url, origin, line FROM rows ORDER BY url, event_id")
    for url, group in groupby(cursor, key=lambda record: record[0]):
        yield url, [(origin, line) for _url, origin, line in group]


def _store_article(
    url: str,
    rows: list[tuple[str, str]],
    writer: RunWriter,
    counts: Counter[str],
    failed: Callable[..., None],
    progress: Progress | None,
) -> None:
    """Build one URL's article and write it, unless the stored one is equal.

    The write goes through the run's writer, as ingest's do, so ``kg history``
    shows what each GDELT import added or replaced.
    """
    parsed = [parse_row(line) for _origin, line in rows]
    article = url_article(url, rows, parsed)
    iri = article_iri(article)
    status = "unchanged"
    previous = writer.store.article_hash(iri)
    if previous == article.content_hash:
        writer.unchanged(article.id)
    else:
        graph = article_graph(article, parsed)
        graph.add((iri, PROV.wasGeneratedBy, writer.run.iri))
        try:
            status = writer.put(
                article.id, graph, article.content_hash, previous_hash=previous
            )
        except KGError as error:
            failed(InputError(article.origin, f"{url} not stored: {error}"))
            status = "failed"
    if status in ("added", "replaced"):
        counts["events"] += len(parsed)
    if status != "failed":
        counts[status] += 1
    if progress is not None:
        progress(article.id, status)
