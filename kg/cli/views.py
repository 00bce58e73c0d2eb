"""Commands that draw the store as a self-contained HTML page: viz and map."""

from __future__ import annotations

from pathlib import Path
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
from kg.cli.output import stderr, store_at

if TYPE_CHECKING:
    from kg.views.graph import GraphKind


@click.command()
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
    type=Count(1, example=2),
    default=None,
    help="Ego view: actors within N steps of the one --actor.",
)
@click.option(
    "--max-nodes",
    type=Count(1, example=500),
    default=5000,
    show_default=True,
    help="Past this, draw only the most active actors.",
)
@event_filter_options
def viz(
    store_path: str,
    output: str,
    title: str,
    kind: GraphKind,
    hops: int | None,
    max_nodes: int,
    include_flagged: bool,
    **filters: Any,
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
    spec = event_filter(include_flagged, **filters)
    with store_at(store_path, read_only=True) as store:
        check_filter_names(store, spec, *([centre] if centre else []))
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
    warn_if_empty(spec, summary.events)


@click.command("map")
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
@event_filter_options
def map_(
    store_path: str,
    output: str,
    title: str,
    tiles: str | None,
    include_flagged: bool,
    **filters: Any,
) -> None:
    """Write an offline HTML map of events with a linked timeline.

    The page draws country borders and names (Natural Earth, 1:50m) and the
    events on them, clustered and coloured by CAMEO root. An event goes at its
    place when that has coordinates, else at its country's centre when its
    place is a country, else at its article's dateline city; others are
    counted, not drawn. Dragging across the timeline shows only that time
    range. The page is one file and needs no network unless --tiles is given.

    \b
    Example:
      kg map -o events-map.html
      kg map --country PHL --since 2025-01 -o philippines.html
      kg map --min-confidence 0.8 -o confident-map.html
    """
    from kg.views.mapview import render_map

    spec = event_filter(include_flagged, **filters)
    with store_at(store_path, read_only=True) as store:
        check_filter_names(store, spec)
        summary = render_map(
            store, Path(output), filters=spec, title=title, tiles=tiles
        )
    click.echo(
        f"{summary.located} of {summary.events} events on the map "
        f"({summary.at_place} at their place, {summary.at_country} at their "
        f"country's centre, {summary.at_dateline} at their article's dateline "
        f"city); {summary.roots} CAMEO roots -> {output}"
    )
    warn_if_empty(spec, summary.events)
