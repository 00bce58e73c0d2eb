"""Draw events as one self-contained HTML page (vis-network).

Analysts open the page from disk, often offline, and every string in it comes
from news text. So the page carries vis-network and tom-select inline (no CDN,
no ``lib/`` folder), and article text is treated as hostile: tooltips are
HTML-escaped fragments that the page parses in an inert document and sanitises
before vis-network shows them; node labels are drawn on a canvas, never as HTML.
The page is ``templates/graph.html`` with ``static/graph.css`` and
``static/graph.js``; nodes and edges come from :mod:`kg.views.drawing`, positions
(for big graphs) from :mod:`kg.views.layout`.

Events come from :func:`kg.analysis.graphs.load_events` and take the same
:class:`~kg.analysis.graphs.EventFilter` as exports and ``kg network``. Two pictures of
them: the *event graph* (:func:`kg.analysis.graphs.event_graph`: actor -> event ->
target, place) and the *actor network* (:func:`kg.analysis.graphs.actor_network`: one
edge per actor pair, weighted by events and coloured by cooperation vs
conflict). Big selections stay usable: past ``physics_limit`` nodes the layout
is computed here and physics is off; past ``max_nodes`` only the most active
actors are drawn, and the page says so.

What the page does for a reader (``static/graph.js``): each event node is
titled "Source → Target" over its CAMEO root, and its tooltip and details name
source and target with their roles; the root (or relation) filter and the time
slider (shown when events carry dates) hide the actors and places left without a
visible event; labels grow with an actor's events, the 20 busiest are at least
12 px on screen at the default zoom and minor ones appear as the view zooms in;
the canvas fills the window and the graph is fitted with a margin.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import networkx as nx

from kg.analysis.graphs import (
    ASSERTED,
    EventFilter,
    EventRow,
    actor_network,
    ego,
    event_graph,
    find_actor,
    load_events,
)
from kg.errors import UsageError
from kg.store import Store
from kg.views.drawing import draw, legend_rows
from kg.views.layout import place_nodes, vis_options
from kg.views.pages import describe_filter, render, write_page

__all__ = [
    "MAX_NODES",
    "PHYSICS_NODE_LIMIT",
    "GraphKind",
    "ViewSummary",
    "describe_filter",
    "render_html",
]

logger = logging.getLogger(__name__)

#: Above this many nodes the browser's physics is switched off and a layout is
#: computed once in Python, so a big graph opens at once and stays responsive.
PHYSICS_NODE_LIMIT = 500

#: Above this many nodes only the most active actors (and the events among
#: them) are drawn: a canvas of tens of thousands of nodes is a grey blot.
MAX_NODES = 5000

#: Past this many nodes a physics layout takes a while to settle, and the page
#: shows a progress bar meanwhile (as pyvis pages do).
PROGRESS_NODE_LIMIT = 100

GraphKind = Literal["events", "actors"]


@dataclass(frozen=True)
class ViewSummary:
    """What :func:`render_html` drew, for the CLI's one-line report and for tests.

    ``physics`` is False when the graph was too big for in-browser physics and
    was laid out in Python instead; ``note`` says what was left out, if
    anything (the page shows it too).
    """

    path: Path
    nodes: int
    edges: int
    events: int
    actors: int
    places: int
    physics: bool
    graph: GraphKind = "events"
    note: str = ""


def render_html(
    store: Store,
    out: Path,
    *,
    filters: EventFilter | None = None,
    graph: GraphKind = "events",
    actor: str | None = None,
    hops: int = 1,
    title: str = "kg event graph",
    physics_limit: int = PHYSICS_NODE_LIMIT,
    max_nodes: int = MAX_NODES,
) -> ViewSummary:
    """Write an offline, single-file HTML view of the store's events.

    Args:
        store: The open store (read with :func:`kg.analysis.graphs.load_events`).
        out: The HTML file to write (UTF-8); its directory must exist.
        filters: Which events to show (default: every asserted event).
        graph: ``events`` (actors, events, places) or ``actors`` (actor network).
        actor: Name, code or IRI of an actor (see
            :func:`kg.analysis.graphs.find_actor`):
            show only its neighbourhood of ``hops`` steps.
        hops: Steps from ``actor`` (an event between two actors is one step).
        title: Page title and heading (escaped, so any text is safe).
        physics_limit: Above this many nodes, lay out in Python, physics off.
        max_nodes: Above this many nodes, draw only the most active actors.

    Returns:
        Counts of what was drawn and whether browser physics is on.

    Raises:
        UsageError: ``graph`` is unknown, ``actor`` names no single actor, or
            ``out`` cannot be written.
    """
    if graph not in ("events", "actors"):
        raise UsageError(f"graph {graph!r} is not 'events' or 'actors'; pick one.")
    filters = filters or EventFilter()
    rows, notes = _select(store, filters, actor, hops)
    network = _network(rows, graph)
    if network.number_of_nodes() > max_nodes:
        total = len(rows)
        rows = _top_actors(rows, graph, max_nodes)
        network = _network(rows, graph)
        notes.append(_cut_note(rows, total))
    nodes, edges = draw(network, rows)
    physics = len(nodes) <= physics_limit
    if not physics:
        place_nodes(nodes, edges)
    note = " ".join(notes)
    page = _page(nodes, edges, physics=physics, title=title, note=note,
                 asserted_only=filters.modalities == ASSERTED)  # fmt: skip
    write_page(out, page, "view")
    summary = _summary(out, nodes, edges, len(rows), physics, graph, note)
    logger.info("view: %d nodes, %d edges -> %s", summary.nodes, summary.edges, out)
    return summary


def _select(
    store: Store, filters: EventFilter, actor: str | None, hops: int
) -> tuple[list[EventRow], list[str]]:
    """Read the filtered events, then keep the actor's neighbourhood; say so."""
    rows = load_events(store, filters)
    notes = []
    if describe_filter(filters):
        notes.append(f"Filtered ({describe_filter(filters)}): {len(rows)} events.")
    if actor is not None:
        network = actor_network(rows)
        name = network.nodes[find_actor(network, actor)]["label"]
        members = ego(network, actor, hops)
        rows = [r for r in rows if all(a.iri in members for a in r.actors)]
        notes.append(
            f"Neighbourhood of {name} within {hops} step(s): {len(rows)} events."
        )
    return rows, notes


def _summary(
    out: Path,
    nodes: list[dict],
    edges: list[dict],
    events: int,
    physics: bool,
    graph: GraphKind,
    note: str,
) -> ViewSummary:
    """Counts of what was drawn: actors are the nodes that are no event or place."""
    kinds = Counter(node["kgKind"] for node in nodes)
    return ViewSummary(
        path=out,
        nodes=len(nodes),
        edges=len(edges),
        events=events,
        actors=len(nodes) - kinds["Event"] - kinds["Place"],
        places=kinds["Place"],
        physics=physics,
        graph=graph,
        note=note,
    )


def _top_actors(
    rows: list[EventRow], graph: GraphKind, max_nodes: int
) -> list[EventRow]:
    """Keep the most active actors that fit in ``max_nodes``, and events among them.

    Actors are ranked by events (ties by IRI); an event stays when all its
    actors are kept. For the event graph each kept event and place is a node too.
    """
    degree = Counter(actor.iri for row in rows for actor in row.actors)
    ranked = sorted(degree, key=lambda iri: (-degree[iri], iri))
    rank = {iri: i for i, iri in enumerate(ranked)}
    by_last = defaultdict(list)  # events by the rank of their least active actor
    for row in rows:
        by_last[max(rank[actor.iri] for actor in row.actors)].append(row)
    kept: set[str] = set()
    places: set[str] = set()
    count = 0
    for i in range(len(ranked)):
        new = by_last.get(i, [])
        new_places = {row.place.iri for row in new if row.place is not None}
        extra = 1 if graph == "actors" else 1 + len(new) + len(new_places - places)
        if count + extra > max_nodes:
            break
        count += extra
        kept.update(row.iri for row in new)
        places |= new_places
    return [row for row in rows if row.iri in kept]


def _cut_note(rows: list[EventRow], total: int) -> str:
    """What a cut view left out, and how to see the rest."""
    actors = {actor.iri for row in rows for actor in row.actors}
    return (
        f"Too big to draw whole: showing the {len(actors)} most active actors and "
        f"the {len(rows)} events among them, of {total} events. Narrow the "
        "view with --since/--until, --type, --actor, --country or --place, or "
        "raise --max-nodes."
    )


def _network(rows: list[EventRow], graph: GraphKind) -> nx.DiGraph:
    """The event graph or the actor network of kg.analysis.graphs."""
    return actor_network(rows) if graph == "actors" else event_graph(rows)


def _page(
    nodes: list[dict],
    edges: list[dict],
    *,
    physics: bool,
    title: str,
    note: str,
    asserted_only: bool,
) -> str:
    """The page: graph.html filled with the title, note, legend and vis data."""
    return render(
        "graph.html",
        title=title,
        note=note,
        legend=legend_rows(nodes, edges),
        actor_network=any("kgRelation" in edge for edge in edges),
        time_slider=any("kgDate" in node for node in nodes),
        asserted_only=asserted_only,
        nodes=nodes,
        edges=edges,
        options=vis_options(physics),
        progress=physics and len(nodes) > PROGRESS_NODE_LIMIT,
    )
