"""kg serve: the store as a SPARQL endpoint, a query page and the view, over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import Count, Seconds, store_option
from kg.cli.output import stderr


@click.command()
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
    type=Count(0, maximum=65535, example=8000),
    help="Port; 0 picks a free one.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=Seconds(zero=False),
    metavar="SECONDS",
    help="Stop a query after this long (HTTP 503).",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=Count(1, maximum=10**9, example=10_000),
    metavar="N",
    help="Return at most N rows or triples per query.",
)
@click.option(
    "--max-answer-bytes",
    default=64 << 20,
    show_default=True,
    type=Count(1024, maximum=1 << 40, example=64 << 20),
    metavar="BYTES",
    help="Refuse (HTTP 500, with the reason) a /sparql answer over this many bytes.",
)
@click.option(
    "--max-request-bytes",
    default=1 << 20,
    show_default=True,
    type=Count(1024, maximum=1 << 30, example=1 << 20),
    metavar="BYTES",
    help="Refuse (HTTP 413) a /sparql or /update POST body over this many bytes.",
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
@click.option(
    "--cors",
    multiple=True,
    metavar="ORIGIN",
    help="Let web pages from ORIGIN (e.g. https://yasgui.example.org; '*' for any) "
    "query /sparql from a browser; repeatable. Off by default; never for /update.",
)
def serve(
    store_path: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_answer_bytes: int,
    max_request_bytes: int,
    write_token: str | None,
    cors: tuple[str, ...],
) -> None:
    """Serve the store: a read-only SPARQL endpoint, a query page and the view.

    SPARQL 1.1 Protocol at /sparql (GET or POST; default-graph-uri and
    named-graph-uri; results as JSON, XML, CSV, TSV, Turtle, N-Triples, RDF/XML
    or JSON-LD by the Accept header); a query page (YASGUI, offline) at /; the
    graph view at /view. Updates, SERVICE and LOAD are refused, unless a write
    token is set: then /update accepts INSERT DATA / DELETE DATA into one
    article graph per request from clients that send the token. --cors lets
    web pages of other origins query /sparql. Ctrl-C stops it.

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
        Path(store_path),
        host,
        port,
        timeout,
        max_rows,
        write_token=write_token,
        cors=cors,
        max_answer_bytes=max_answer_bytes,
        max_request_bytes=max_request_bytes,
    )

    def started(url: str) -> None:
        click.echo(f"kg: serving {store_path} at {url} (SPARQL: {url}sparql)")
        if write_token is not None:
            stderr.print(f"kg: updates accepted at {url}update with the write token")
        stderr.print("kg: press Ctrl-C to stop")

    run_serve(settings, on_start=started)
    stderr.print("kg: stopped")
