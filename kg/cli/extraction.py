"""The commands about the extractor itself: extract, evaluate and train.

extract prints what the extractor finds and stores nothing; evaluate scores it
against gold events; train fits the event coder it uses (--model-dir).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import click
from rich.console import Console

from kg.cli.options import (
    Count,
    folds_option,
    model_dir_option,
    model_option,
    seed_option,
)
from kg.cli.output import (
    InputErrors,
    article_progress,
    echo_for_terminal,
    finish,
    stage_progress,
)

if TYPE_CHECKING:
    from kg.records import Extraction


def _use_max_chars(
    ctx: click.Context, param: click.Parameter, value: int | None
) -> None:
    """Set ``KG_MAX_ARTICLE_CHARS`` for this run, as --model-dir sets its variable.

    kg.read takes the limit from the environment wherever articles are read
    (ingest, build, extract, evaluate), so one option serves every command
    without a parameter threaded through each API that reads articles.
    """
    if value is not None:
        from kg.read import MAX_CHARS_ENV

        os.environ[MAX_CHARS_ENV] = str(value)


#: On extract and evaluate here, and on ingest and build (kg.cli.build).
max_chars_option = click.option(
    "--max-article-chars",
    type=Count(1, example=500_000),
    default=None,
    metavar="N",
    expose_value=False,
    callback=_use_max_chars,
    help="Refuse (one error line each) articles longer than N characters; the "
    "model's memory grows with one article's length (env KG_MAX_ARTICLE_CHARS; "
    "default 200,000).",
)


@click.command()
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
@max_chars_option
def extract(
    paths: tuple[str, ...],
    fmt: str,
    include_flagged: bool,
    model: str | None,
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

    errors = InputErrors()
    rows: list[tuple[str, ...]] = []
    with article_progress("extracting") as progress:
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
    finish(errors)


@click.command()
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
@max_chars_option
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
    (docs/extraction.md). With --cv DIR, trains and scores the event coder fold by fold
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

    errors = InputErrors()
    gold_articles = load_gold(gold)
    with article_progress("evaluating") as progress:
        extractions = run_extract(iter_articles(paths, on_error=errors), model=model)
        report = run_evaluate(
            gold_articles,
            _tracked(extractions, progress),
            include_flagged=include_flagged,
            require_common=True,
        )
    click.echo(format_report(report, verbose))
    finish(errors)


@click.command()
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

    with stage_progress() as progress:
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

    with stage_progress() as progress:
        _, cv = cross_validate_folder(
            folder, folds=folds, seed=seed, model=model, progress=progress
        )
    click.echo(format_cross_validation(cv))


def _tracked(
    extractions: Iterable[Extraction], progress: Callable[[str, str], None]
) -> Iterator[Extraction]:
    """Pass the extractions on, advancing the progress line at each one."""
    for extraction in extractions:
        progress(extraction.article.id, "extracted")
        yield extraction


def _print_table(rows: list[tuple[str, ...]]) -> None:
    """``kg extract --format table``: at least 140 columns, so rows stay readable."""
    from rich.table import Table

    table = Table(
        "article", "CAMEO", "source", "trigger", "target", "place", "date", "conf."
    )
    for row in rows:
        table.add_row(*row)
    buffer = io.StringIO()
    width = max(Console().width, 140)
    Console(file=buffer, highlight=False, width=width, color_system=None).print(table)
    echo_for_terminal(buffer.getvalue(), nl=False)
