"""Commands that read the events out of the store: stats, network and export."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from kg.cli.options import (
    Count,
    check_filter_names,
    event_filter,
    event_filter_options,
    store_option,
    warn_if_empty,
)
from kg.cli.output import echo_for_terminal, stderr, store_at
from kg.errors import printable

if TYPE_CHECKING:
    from kg.analysis.network import Format, Metric
    from kg.exports import ExportFormat, GraphKind


@click.command()
@store_option
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(
        [
            "turtle",
            "nt",
            "jsonld",
            "trig",
            "nquads",
            "csv",
            "gdelt",
            "graphml",
            "gexf",
        ]
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
@event_filter_options
def export(
    store_path: str,
    fmt: ExportFormat,
    output: str | None,
    no_ontology: bool,
    graph: GraphKind,
    include_flagged: bool,
    **filters: Any,
) -> None:
    """Write the store as RDF, a CSV or GDELT file of events, or a graph for Gephi.

    RDF: turtle, nt, jsonld (compacted with kg's published @context), trig and
    nquads (one named graph per article). Events: csv (one GDELT-like row per
    event, with a header), gdelt (GDELT 2.0's event-export layout: 61
    tab-separated columns, no header; kg import-gdelt reads it back), graphml
    and gexf (--graph events or actors, for Gephi and Cytoscape; gexf plays on
    Gephi's timeline); these hold the asserted events unless --all, and take
    filters.

    The RDF formats hold the whole store, every modality included, and take only
    --min-confidence: each event below it is left out with all its triples.
    Without it they are dumped natively (fast); with it every statement is
    checked in Python, which is slower.

    \b
    Example:
      kg export --format trig -o events.trig
      kg export --format csv --since 2025-01 --country SDN -o events.csv
      kg export --format gdelt -o events.export.CSV
      kg export --format gexf --graph actors -o actors.gexf
      kg export --format turtle --min-confidence 0.8 -o confident.ttl
    """
    from kg.exports import UNITS
    from kg.exports import export as run_export

    spec = event_filter(include_flagged, **filters)
    with store_at(store_path, read_only=True) as store:
        check_filter_names(store, spec)
        count = run_export(
            store,
            fmt,
            output or None,
            stream=None if output else sys.stdout,
            include_ontology=not no_ontology,
            graph=graph,
            filters=spec,
        )
        if output:
            unit = UNITS.get(fmt, "statements")
            stderr.print(
                f"wrote {count} {unit} to {printable(output)}",
                markup=False,
                soft_wrap=True,
            )
        if fmt in UNITS:  # the RDF formats take no event filter but --min-confidence
            warn_if_empty(spec, count)


@click.command()
@store_option
@click.option(
    "--top",
    type=Count(0, zero_means="all"),
    default=10,
    show_default=True,
    help="How many actors to list; 0 for all.",
)
def stats(store_path: str, top: int) -> None:
    """Count articles, events by CAMEO root, actors and places; list top actors.

    \b
    Example:
      kg stats --store kg-out/store
    """
    from kg.analysis.stats import collect_stats, format_stats

    with store_at(store_path, read_only=True) as store:
        echo_for_terminal(format_stats(collect_stats(store, top=top)))


@click.command()
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
    type=Count(0, zero_means="all"),
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
@event_filter_options
def network(
    store_path: str,
    metric: Metric,
    communities: bool,
    dyads: bool,
    top: int,
    fmt: Format,
    include_flagged: bool,
    **filters: Any,
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
    with store_at(store_path, read_only=True) as store:
        spec = event_filter(include_flagged, **filters)
        check_filter_names(store, spec)
        rows = load_events(store, spec)
    warn_if_empty(spec, len(rows))
    if dyads:
        text = format_dyads(dyad_months(rows, top=top or None), fmt)
    else:
        report = analyse(
            actor_network(rows), metric, communities=communities, top=top or None
        )
        text = format_report(report, fmt)
    if fmt == "table":
        echo_for_terminal(text, nl=False)
    else:
        click.echo(text, nl=False)
