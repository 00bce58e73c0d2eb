"""Import GDELT files into a store: :func:`import_gdelt`.

Two passes, so memory holds one source URL's rows whatever the input size: the
first validates every line and spools the good ones into a temporary SQLite file,
the second reads them back by URL and writes one article at a time.
"""

from __future__ import annotations

import io
import logging
import sqlite3
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from kg.errors import InputError, KGError
from kg.ingestion.gdelt.articles import DATASET, article_graph, url_article
from kg.ingestion.gdelt.columns import parse_row
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
) -> GdeltReport:
    """Add the events of GDELT 2.0 event-export files to a store.

    Args:
        paths: ``.export.CSV`` files or their ``.zip`` downloads.
        store: an open store; the ontology graph is written to it first.
        on_error: receives each bad line, unreadable file or unstorable article;
            the run goes on. Without it the first error is raised. A file is
            read up to its MAX_BAD_LINES-th bad line only: then one more error
            sums it up and the next file is read (the rows before stay loaded).
        progress: receives (article id, "added" | "replaced" | "unchanged" |
            "failed") once per source URL.

    Returns:
        Counts of rows and articles; see :class:`GdeltReport`.

    Raises:
        InputError: a line or file is bad and no ``on_error`` was given.
    """
    started = time.perf_counter()
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
            _spool_file(Path(path), spool, counts, failed)
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
) -> None:
    """Validate the lines of one file and spool its usable rows.

    Stops at the file's MAX_BAD_LINES-th unusable line, with one summary error.
    """
    bad_before, rows_before = counts["bad"], counts["rows"] + counts["skipped"]
    try:
        with _open_lines(path) as lines:
            for number, line in enumerate(lines, start=1):
                _spool_line(str(path), number, line, spool, counts, failed)
                if counts["bad"] - bad_before >= MAX_BAD_LINES:
                    rows = counts["rows"] + counts["skipped"] - rows_before
                    failed(_gave_up(path, number, rows))
                    return
    except (OSError, zipfile.BadZipFile) as err:
        failed(
            InputError(
                str(path),
                f"cannot be read ({err}); pass a GDELT 2.0 .export.CSV file or its "
                ".zip download",
            )
        )


def _gave_up(path: Path, number: int, rows: int) -> InputError:
    """The summary of a file abandoned at its MAX_BAD_LINES-th unusable line."""
    return InputError(
        str(path),
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


@contextmanager
def _open_lines(path: Path) -> Iterator[Iterable[str]]:
    """The lines of a GDELT file, or of the one CSV inside its .zip download."""
    if path.suffix.lower() != ".zip":
        with open(path, encoding="utf-8", errors="replace", newline="\n") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not members:
            raise OSError("the .zip holds no .CSV file")
        with archive.open(members[0]) as raw:
            yield io.TextIOWrapper(
                raw, encoding="utf-8", errors="replace", newline="\n"
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
