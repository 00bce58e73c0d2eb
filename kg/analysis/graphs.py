"""The store's events as networkx graphs: the event graph and the actor network.

Rows come from :func:`kg.analysis.eventrows.load_events` (re-exported here, so
``from kg.analysis.graphs import load_events, event_graph`` is all a caller needs).
Node and edge attributes are plain strings and numbers, never None, so GraphML
and GEXF writers type them and Gephi reads them as columns.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from kg.analysis.eventrows import (
    ASSERTED,
    ActorInfo,
    ArticleInfo,
    CameoType,
    EventFilter,
    EventRow,
    PlaceInfo,
    load_events,
    words_match,
)
from kg.errors import UsageError

logger = logging.getLogger(__name__)

#: Colours by node kind (the HTML view uses the same ones).
KIND_COLOURS: dict[str, str] = {
    "Person": "#4e79a7",
    "Organization": "#f28e2b",
    "Group": "#b07aa1",
    "Country": "#59a14f",
    "Actor": "#bab0ac",
    "Place": "#9c755f",
}
#: Event colours by GDELT quad class: verbal/material cooperation, verbal/material
#: conflict; grey for a type outside the CAMEO scheme.
QUAD_COLOURS: dict[int | None, str] = {
    1: "#4292c6",
    2: "#31a354",
    3: "#fd8d3c",
    4: "#cb181d",
    None: "#bab0ac",
}
#: Actor-network edge colours by which kind of event outnumbers the other.
STANCE_COLOURS: dict[str, str] = {
    "cooperation": "#2ca02c",
    "conflict": "#d62728",
    "mixed": "#7f7f7f",
}


def event_graph(rows: Iterable[EventRow]) -> nx.MultiDiGraph:
    """Actors, events and places as one directed graph.

    Edges run source actor -> event -> target actor, and event -> place; each
    carries ``role`` ("source", "target", "place") and is keyed by it. Node
    attributes (typed for Gephi) are ``label``, ``kind``, ``color``; actors and
    places add ``country``, ``events`` and their codes or coordinates; events add
    ``cameo_code``, ``cameo_root``, ``cameo_name``, ``quad_class``, ``goldstein``,
    ``date``, ``modality``, ``trigger``, ``sentence``, ``article``, ``url``.
    Attributes with no value are left out, never set to None.
    """
    graph = nx.MultiDiGraph(kind="events")
    for row in rows:
        graph.add_node(row.iri, **_event_attributes(row))
        for role, node in (("source", row.source), ("target", row.target)):
            if node is not None:
                _count_node(graph, node.iri, _actor_attributes(node))
                ends = (node.iri, row.iri) if role == "source" else (row.iri, node.iri)
                graph.add_edge(*ends, key=role, role=role)
        if row.place is not None:
            _count_node(graph, row.place.iri, _place_attributes(row.place))
            graph.add_edge(row.iri, row.place.iri, key="place", role="place")
    return graph


def actor_network(rows: Iterable[EventRow]) -> nx.DiGraph:
    """Who acted on whom: one weighted edge per ordered pair of actors.

    Every actor of the rows is a node (``label``, ``kind``, ``country``,
    ``actor_code``, ``events``, ``color``), even one that only acted alone. An
    edge source -> target sums that dyad's events: ``weight`` and ``events``
    (the count), ``cooperation`` (quad classes 1-2), ``conflict`` (3-4),
    ``balance`` ((cooperation - conflict) / events), ``goldstein_mean``,
    ``first`` and ``last`` dates, ``stance`` and its ``color``.
    """
    graph = nx.DiGraph(kind="actors")
    dyads: dict[tuple[str, str], list[EventRow]] = defaultdict(list)
    for row in rows:
        for actor in row.actors:
            _count_node(graph, actor.iri, _actor_attributes(actor))
        if row.target is not None:
            dyads[row.source.iri, row.target.iri].append(row)
    for (source, target), events in sorted(dyads.items()):
        graph.add_edge(source, target, **dyad_summary(events))
    return graph


def dyad_summary(rows: list[EventRow]) -> dict[str, int | float | str]:
    """Counts, balance, mean Goldstein and colour of a set of events."""
    cooperation = sum(1 for r in rows if r.cameo.stance == "cooperation")
    conflict = sum(1 for r in rows if r.cameo.stance == "conflict")
    stance = _stance(cooperation, conflict)
    summary: dict[str, int | float | str] = {
        "weight": len(rows),
        "events": len(rows),
        "cooperation": cooperation,
        "conflict": conflict,
        "balance": round((cooperation - conflict) / len(rows), 6),
        "stance": stance,
        "color": STANCE_COLOURS[stance],
    }
    scores = [r.cameo.goldstein for r in rows if r.cameo.goldstein is not None]
    if scores:
        summary["goldstein_mean"] = round(sum(scores) / len(scores), 6)
    dates = sorted(when for when in (r.when for r in rows) if when is not None)
    if dates:
        summary["first"], summary["last"] = dates[0].isoformat(), dates[-1].isoformat()
    return summary


def find_actor(graph: nx.Graph, name: str) -> str:
    """The actor node ``name`` means: its IRI, label, actor code or label words.

    Exact IRI beats exact label, which beats actor code, which beats a
    whole-word match in the label.

    Raises:
        UsageError: no actor matches, or several match equally well.
    """
    actors = [
        (node, data)
        for node, data in graph.nodes(data=True)
        if data.get("kind") not in ("Event", "Place")
    ]
    for tier in range(4):
        found = sorted(
            (data.get("label", node), node)
            for node, data in actors
            if _tier(node, data, name, tier)
        )
        if len(found) == 1:
            return found[0][1]
        if found:
            shown = ", ".join(label for label, _ in found[:5])
            raise UsageError(
                f"{name!r} matches {len(found)} actors ({shown}); give more of the "
                "name, or the actor's IRI."
            )
    raise UsageError(
        f"No actor matches {name!r}; `kg network` and `kg stats` list actor names."
    )


def ego(graph: nx.Graph, actor: str, hops: int = 1) -> nx.Graph:
    """The part of a graph around one actor, as a new graph of the same type.

    ``hops`` counts actor-to-actor steps in both graphs: the actors within that
    many steps (either direction) and the ties among them; in the event graph,
    the events among those actors and their places.

    Raises:
        UsageError: the actor is not found (see :func:`find_actor`), or hops < 0.
    """
    if hops < 0:
        raise UsageError(f"hops must be 0 or more, not {hops}.")
    centre = find_actor(graph, actor)
    if graph.graph.get("kind") != "events":
        return nx.ego_graph(graph, centre, radius=hops, undirected=True)
    members = set(nx.ego_graph(_actor_links(graph), centre, radius=hops))
    keep = set(members)
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "Event":
            roles = _event_ends(graph, node)
            actors = {n for role, n in roles if role != "place"}
            if actors and actors <= members:
                keep.add(node)
                keep.update(n for role, n in roles if role == "place")
    return graph.subgraph(keep).copy()


# --- building -------------------------------------------------------------------


def _count_node(graph: nx.Graph, node: str, attributes: dict) -> None:
    """Add the node on first sight; count the events it takes part in."""
    if node not in graph:
        graph.add_node(node, events=0, **attributes)
    graph.nodes[node]["events"] += 1


def _actor_attributes(actor: ActorInfo) -> dict[str, str]:
    attributes = {"label": actor.label, "kind": actor.kind}
    if actor.country:
        attributes["country"] = actor.country
    if actor.code:
        attributes["actor_code"] = actor.code
    attributes["color"] = KIND_COLOURS.get(actor.kind, KIND_COLOURS["Actor"])
    return attributes


def _place_attributes(place: PlaceInfo) -> dict[str, str | float | int]:
    attributes: dict[str, str | float | int] = {"label": place.label, "kind": "Place"}
    optional = {
        "country": place.country,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geonames_id": place.geonames_id,
    }
    attributes.update({k: v for k, v in optional.items() if v is not None})
    attributes["color"] = KIND_COLOURS["Place"]
    return attributes


def _event_attributes(row: EventRow) -> dict[str, str | float | int]:
    cameo = row.cameo
    attributes: dict[str, str | float | int | None] = {
        "label": f"{cameo.code} {cameo.label}",
        "kind": "Event",
        "cameo_code": cameo.code,
        "cameo_root": cameo.root,
        "cameo_name": cameo.root_label,
        "quad_class": cameo.quad_class,
        "goldstein": cameo.goldstein,
        "date": row.when.isoformat() if row.when else None,
        "modality": row.modality,
        "trigger": row.trigger,
        "sentence": row.sentence,
        "confidence": row.confidence,
        "article": row.article.iri,
        "url": row.article.url,
        "color": QUAD_COLOURS[cameo.quad_class],
    }
    return {k: v for k, v in attributes.items() if v is not None}


def _stance(cooperation: int, conflict: int) -> str:
    if cooperation > conflict:
        return "cooperation"
    return "conflict" if conflict > cooperation else "mixed"


def _tier(node: str, data: dict, name: str, tier: int) -> bool:
    label = data.get("label", "")
    if tier == 0:
        return node == name
    if tier == 1:
        return label.casefold() == name.casefold()
    if tier == 2:
        return data.get("actor_code", "").casefold() == name.casefold()
    return words_match(name, label)


def _event_ends(graph: nx.MultiDiGraph, event: str) -> list[tuple[str, str]]:
    """(role, node) for the source, target and place of an event node."""
    ends = [(key, v) for _, v, key in graph.out_edges(event, keys=True)]
    return ends + [(key, u) for u, _, key in graph.in_edges(event, keys=True)]


def _actor_links(graph: nx.MultiDiGraph) -> nx.Graph:
    """Actors of an event graph, linked when they share an event."""
    links = nx.Graph()
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in ("Event", "Place"):
            links.add_node(node)
        elif data.get("kind") == "Event":
            actors = [n for role, n in _event_ends(graph, node) if role != "place"]
            links.add_edges_from(zip(actors, actors[1:], strict=False))
    return links


__all__ = [
    "ASSERTED",
    "KIND_COLOURS",
    "QUAD_COLOURS",
    "STANCE_COLOURS",
    "ActorInfo",
    "ArticleInfo",
    "CameoType",
    "EventFilter",
    "EventRow",
    "PlaceInfo",
    "actor_network",
    "dyad_summary",
    "ego",
    "event_graph",
    "find_actor",
    "load_events",
]
