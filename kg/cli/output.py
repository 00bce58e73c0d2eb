"""What every command prints besides its result: errors, progress, the summary.

Results go to stdout; these go to stderr, so a result can be piped on while the
user still sees each bad input as one line and a live progress line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kg.errors import KGError, printable

if TYPE_CHECKING:
    from kg.store import Store

stderr = Console(stderr=True, highlight=False)


def echo_for_terminal(text: str, nl: bool = True) -> None:
    """Print a human-readable result (a table) with control characters escaped.

    Tables show article-derived text (ids, names, sentences). Rich passes ESC,
    C1 and bidi controls through, so an article id could recolour the terminal
    or write its clipboard (OSC 52); each line goes through the same escaping as
    error lines. Machine formats (CSV, JSON, RDF) are left exact for programs.
    """
    click.echo("\n".join(printable(line) for line in text.split("\n")), nl=nl)


class InputErrors:
    """Prints each input error as one line and remembers that there was one."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: KGError) -> None:
        self.count += 1
        stderr.print(f"kg: {printable(str(error))}", markup=False, soft_wrap=True)


@contextmanager
def article_progress(verb: str) -> Iterator[Callable[[str, str], None]]:
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
                # an id is article text: no terminal controls, no rich markup
                last=escape(printable(f"{status}: {article_id}"[:60])),
            )

        yield advance


def store_at(store_path: str, read_only: bool = False, wait: float = 0) -> Store:
    """The store a command names with --store, opened only when it runs.

    kg.store (Oxigraph, rdflib) is imported here, not at the top, so that
    ``kg --help`` and the commands that need no store start fast.
    """
    from kg.store import open_store

    return open_store(store_path, read_only=read_only, wait=wait)


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
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


def finish(errors: InputErrors) -> None:
    """Close a run that met bad inputs: one summary line and exit status 1."""
    if errors.count:
        stderr.print(f"kg: {errors.count} input(s) could not be used; see above.")
        sys.exit(1)
