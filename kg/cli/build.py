"""The commands that change the store, and the record of their runs.

build, ingest, remove and import-gdelt write the store; each run is recorded in
it, and history lists those runs, so it sits with them.
"""

from __future__ import annotations

import click

from kg.cli.extraction import max_chars_option
from kg.cli.options import (
    Count,
    dask_option,
    model_dir_option,
    model_option,
    store_option,
    validate_option,
    wait_option,
    workers_option,
)
from kg.cli.output import (
    InputErrors,
    article_progress,
    echo_for_terminal,
    finish,
    store_at,
)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--out",
    "-o",
    default="kg-out",
    show_default=True,
    metavar="DIR",
    help="Folder for the store, graph.ttl and graph.html.",
)
@model_option
@model_dir_option
@max_chars_option
@validate_option
@workers_option
@dask_option
def build(
    paths: tuple[str, ...],
    out: str,
    model: str | None,
    validate: bool,
    workers: int,
    dask: str | None,
) -> None:
    """Build the store, a Turtle file and an HTML view from articles.

    PATHS are files, folders (read recursively) or - for stdin.

    \b
    Example:
      kg build data/articles --out kg-out
      kg build big-folder/ --workers 4    # extract on 4 cores
      kg build big-folder/ --dask local   # extract on a Dask cluster of this machine
    """
    from kg.analysis.stats import format_summary
    from kg.building import build as run_build
    from kg.extraction.runtime.distributed import check_options

    check_options(dask, workers)

    errors = InputErrors()
    with article_progress("building") as progress:
        report = run_build(
            paths,
            out,
            model=model,
            on_error=errors,
            progress=progress,
            validate=validate,
            workers=workers,
            dask=dask,
        )
    click.echo(f"{format_summary(report.stats)} in {report.seconds:.1f} s")
    if report.ingest.reextracted:
        click.echo(_reextracted(report.ingest.reextracted))
    click.echo(
        f"store:   {report.store}\nturtle:  {report.turtle}\nhtml:    {report.html}"
    )
    finish(errors)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@model_option
@model_dir_option
@max_chars_option
@click.option("--force", is_flag=True, help="Re-extract articles that are unchanged.")
@validate_option
@workers_option
@dask_option
@wait_option
def ingest(
    paths: tuple[str, ...],
    store_path: str,
    model: str | None,
    force: bool,
    validate: bool,
    workers: int,
    dask: str | None,
    wait: float,
) -> None:
    """Add articles to the store (changed articles are replaced).

    Unchanged articles that another kg version or trained coder extracted are
    re-extracted too. Each run is recorded in the store's history (see
    'kg history').

    \b
    Example:
      kg ingest data/articles/ new-articles.jsonl --store kg-out/store
      kg ingest feed.jsonl --validate     # store only articles that pass SHACL
      kg ingest big-folder/ --workers 4   # extract on 4 cores; rerun resumes
      kg ingest big-folder/ --dask tcp://10.0.0.5:8786 \\
        --store sparql+http://10.0.0.5:7878   # Dask workers extract, one store
    """
    from kg.extraction.runtime.distributed import check_options
    from kg.ingestion import ingest as run_ingest

    check_options(dask, workers)

    errors = InputErrors()
    with (
        store_at(store_path, wait=wait) as store,
        article_progress("ingesting") as progress,
    ):
        report = run_ingest(
            paths,
            store,
            model=model,
            on_error=errors,
            progress=progress,
            force=force,
            validate=validate,
            workers=workers,
            dask=dask,
        )
    replaced = f"{report.replaced} replaced"
    if report.reextracted:
        replaced += f" ({_reextracted(report.reextracted)})"
    click.echo(
        f"{report.added} added, {replaced}, "
        f"{report.unchanged} unchanged, {report.failed} failed; "
        f"{report.events} events in {report.seconds:.1f} s"
    )
    finish(errors)


def _reextracted(count: int) -> str:
    """How many unchanged articles a new kg or coder version re-extracted."""
    return f"{count} re-extracted: extractor or model changed"


@click.command()
@click.argument("article_ids", nargs=-1, required=True, metavar="ARTICLE_ID...")
@store_option
@wait_option
def remove(article_ids: tuple[str, ...], store_path: str, wait: float) -> None:
    """Remove articles, and actors and places no other article mentions.

    ARTICLE_ID is the id an article was ingested with (its file name without the
    extension, or its 'id' key). Unknown ids are reported (exit status 1); the
    others are still removed. The removal is recorded in 'kg history'.

    \b
    Example:
      kg remove ukraine-us-talks --store kg-out/store
      kg remove old-id --wait 600         # queue behind a running ingest
    """
    from kg.ingestion import remove_articles

    errors = InputErrors()
    with store_at(store_path, wait=wait) as store:
        report = remove_articles(store, article_ids, on_error=errors)
    click.echo(f"{len(report.removed)} removed, {len(report.unknown)} unknown")
    finish(errors)


@click.command()
@store_option
@click.option(
    "--limit",
    type=Count(1, example=5),
    default=None,
    help="Show only the newest N runs.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def history(store_path: str, limit: int | None, fmt: str) -> None:
    """List the runs that changed the store, newest first.

    Each run shows when it started, what it added, replaced (with old and new
    content hashes) or removed, and the kg version and spaCy model it used.

    \b
    Example:
      kg history --store kg-out/store --limit 5
      kg history --format json > runs.json
    """
    from kg.store.provenance import format_history, read_runs

    with store_at(store_path, read_only=True) as store:
        text = format_history(read_runs(store, limit), fmt)
    if fmt == "table":
        echo_for_terminal(text)
    else:
        click.echo(text)


@click.command("import-gdelt")
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@store_option
def import_gdelt(paths: tuple[str, ...], store_path: str) -> None:
    """Load GDELT 2.0 event-export rows into the store, one article per source URL.

    FILE is a GDELT 2.0 *.export.CSV file (tab-separated, 61 columns, no header)
    or its .zip download. Events get the same shape as kg's own extractions, so
    one query reads both; rows without Actor1 are skipped and counted, bad lines
    are reported and the rest still load (exit status 1 at the end); a file is
    given up at its 10th bad line, with one summary line.

    \b
    Example:
      kg import-gdelt 20250311143000.export.CSV.zip --store kg-out/store
      kg query "SELECT ?e ?id WHERE { ?e kg:gdeltEventId ?id }"
    """
    from kg.ingestion.gdelt import import_gdelt as run_import

    errors = InputErrors()
    with store_at(store_path) as store, article_progress("importing") as progress:
        report = run_import(paths, store, on_error=errors, progress=progress)
    click.echo(
        f"{report.rows} rows: {report.added} added, {report.replaced} replaced, "
        f"{report.unchanged} unchanged articles; {report.events} events; "
        f"{report.skipped} rows without Actor1 skipped, {report.bad} bad lines "
        f"in {report.seconds:.1f} s"
    )
    finish(errors)
