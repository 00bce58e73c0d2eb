"""The commands that put a question to the store: query and validate.

query runs SPARQL (text, a .rq file or a cookbook query); validate checks the
store against the SHACL shapes.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from kg.cli.options import AbsoluteIri, Count, Seconds, key_value, store_option
from kg.cli.output import echo_for_terminal, store_at

if TYPE_CHECKING:
    from kg.query import Format


@click.command()
@click.argument("query", required=False)
@store_option
@click.option(
    "--param",
    "params",
    multiple=True,
    callback=key_value,
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
    type=Count(0),
    default=None,
    help="Show at most this many rows.",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this long (0: no limit).",
)
@click.option(
    "--base",
    "base_iri",
    type=AbsoluteIri(),
    default=None,
    metavar="IRI",
    help="Resolve the query's relative IRIs against IRI (default: kg's "
    "resources, https://w3id.org/kg-events/id/, so <country/UKR> is "
    "kgr:country/UKR).",
)
def query(
    query: str | None,
    store_path: str,
    params: dict[str, str],
    list_: bool,
    fmt: Format | None,
    limit: int | None,
    timeout: float,
    base_iri: str | None,
) -> None:
    """Run a SPARQL query (text, a .rq file or a cookbook NAME) over all articles.

    The prefixes kg:, kgr:, cameo:, skos:, rdfs:, xsd:, prov:, schema: ... are
    declared for you. Cookbook queries take typed --param values (kg query --list).

    \b
    Example:
      kg query "SELECT ?s ?o WHERE { ?e kg:sourceActor ?s ; kg:targetActor ?o }"
      kg query kg/query/queries/top-actors.rq --format csv   # a .rq file
      kg query dyad-timeline --param actor_a=China --param actor_b=Philippines
      kg query actor-events --param actor=Kenya --param min_confidence=0.8
    """
    from kg.errors import UsageError
    from kg.query import BASE_IRI, run_query

    if list_:
        from kg.query.cookbook import describe_queries

        click.echo(describe_queries(), nl=False)
        return
    if query is None:
        raise UsageError("Give a query, a .rq file or a cookbook NAME (see --list).")
    with store_at(store_path, read_only=True) as store:
        text = run_query(
            store,
            query,
            fmt=fmt,
            limit=limit,
            params=params,
            timeout=timeout,
            base_iri=base_iri or BASE_IRI,
        )
    # A table (SELECT/ASK with no --format) is for people; Turtle (CONSTRUCT's
    # default, always headed by kg's @prefix lines) stays exact.
    if fmt == "table" or (fmt is None and not text.startswith("@prefix")):
        echo_for_terminal(text, nl=False)
    else:
        click.echo(text, nl=False)


@click.command()
@store_option
def validate(store_path: str) -> None:
    """Check the store against the SHACL shapes in ontology/shapes.ttl.

    Exit status 1 when a record breaks a shape; the report names the article.

    \b
    Example:
      kg validate --store kg-out/store
    """
    from kg.rdf.validate import format_report, validate_graph

    with store_at(store_path, read_only=True) as store:
        data = store.read_graph()
        result = validate_graph(data)
        click.echo(format_report(result, data))
    if not result.conforms:
        sys.exit(1)
