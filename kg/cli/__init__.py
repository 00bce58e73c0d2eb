"""The ``kg`` command line: thin wrappers over the Python API.

Results go to stdout, diagnostics and progress to stderr. Every KGError becomes
one line ``kg: error: …`` and a non-zero exit status; bad inputs are reported as
they are met and the rest still run (exit status 1 at the end).

This module holds the ``kg`` group and :func:`main`, the error handling around
it; the commands live in one module per group: build (the commands that change
the store), extraction, query, analyse, views and serve.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from kg import __version__
from kg.cli import analyse, build, extraction, query, serve, views
from kg.cli.output import stderr
from kg.errors import KGError, printable


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


for _command in (
    build.build,
    build.ingest,
    build.remove,
    build.history,
    build.import_gdelt,
    extraction.extract,
    extraction.evaluate,
    extraction.train,
    query.query,
    query.validate,
    analyse.export,
    analyse.stats,
    analyse.network,
    views.viz,
    views.map_,
    serve.serve,
):
    cli.add_command(_command)


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
