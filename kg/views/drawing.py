"""vis-network nodes and edges for the graph view, and the legend that explains them.

Every string here comes from news text. Node labels are drawn on a canvas, as
text; tooltips (``kgTip``) are HTML fragments in which every piece of article
text is escaped, and which the page sanitises again before showing them (see
``static/graph.js``). The colours of CAMEO roots are shared with the map.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

import networkx as nx

from kg.analysis.graphs import KIND_COLOURS, STANCE_COLOURS, EventRow

# Node kind of kg.analysis.graphs -> (legend name, vis shape); colours are KIND_COLOURS.
# The order is the legend's.
_KIND_STYLES: dict[str, tuple[str, str]] = {
    "Person": ("Person", "dot"),
    "Organization": ("Organization", "square"),
    "Group": ("Group", "star"),
    "Country": ("Country", "hexagon"),
    "Place": ("Place", "triangle"),
    "Actor": ("Actor (no class)", "dot"),
}
_ENTITY_FACTS = (
    ("country", "Country"),
    ("actor_code", "Actor code"),
    ("geonames_id", "GeoNames id"),
)
_EVENT_SHAPE = "diamond"
# CAMEO roots 01..20, shaded within the hue of their GDELT quad class (the
# hues of kg.analysis.graphs.QUAD_COLOURS): blues verbal cooperation (01-04), greens
# material cooperation (05-08), oranges verbal conflict (09-13), reds material
# conflict (14-20). Finer than the quad class, so roots stay apart on a page.
ROOT_COLOURS = (
    "#c6dbef", "#9ecae1", "#4292c6", "#08519c",
    "#c7e9c0", "#74c476", "#31a354", "#006d2c",
    "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603",
    "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d",
)  # fmt: skip
UNKNOWN_ROOT_COLOUR = "#bab0ac"
#: Label sizes in canvas units, before zoom: events are minor, actors and places
#: grow with their events, so the busiest stay legible when the view zooms out
#: (the page enlarges the top actors' labels further to fit its default zoom).
EVENT_LABEL_SIZE = 11
ENTITY_LABEL_SIZE = 14
MAX_LABEL_SIZE = 40


def draw(network: nx.DiGraph, rows: list[EventRow]) -> tuple[list[dict], list[dict]]:
    """vis nodes and edges of the event graph or the actor network, sorted."""
    if network.graph.get("kind") == "actors":
        nodes = [_entity_node(n, data) for n, data in sorted(network.nodes(data=True))]
        edges = [
            _dyad_edge(u, v, data) for u, v, data in sorted(network.edges(data=True))
        ]
        return nodes, edges
    by_iri = {row.iri: row for row in rows}
    nodes = [
        _event_node(by_iri[n]) if data["kind"] == "Event" else _entity_node(n, data)
        for n, data in sorted(network.nodes(data=True))
    ]
    return nodes, [_role_edge(*edge) for edge in sorted(network.edges(keys=True))]


def _entity_node(iri: str, data: dict) -> dict:
    """A vis node for an actor or place; size grows with the events it is in."""
    name, shape = _KIND_STYLES.get(data["kind"], _KIND_STYLES["Actor"])
    label = data.get("label", iri)
    lines = [f"<b>{_esc(label)}</b>", _esc(name)]
    lines += [f"{heading}: {_esc(str(data[key]))}"
              for key, heading in _ENTITY_FACTS if key in data]  # fmt: skip
    if "latitude" in data and "longitude" in data:
        lines.append(f"Coordinates: {data['latitude']:.4f}, {data['longitude']:.4f}")
    lines.append(f"Events: {data['events']}")
    return {
        "id": iri,
        "label": label,
        "shape": shape,
        "color": data.get("color", KIND_COLOURS["Actor"]),
        "size": round(min(12 + 4 * math.sqrt(data["events"]), 48), 1),
        "font": {"size": label_size(data["events"])},
        "kgKind": name,
        "kgEvents": data["events"],
        "kgTip": "<br>".join(lines),
    }


def _event_node(row: EventRow) -> dict:
    """A vis node for an event, coloured by and labelled with its CAMEO root."""
    cameo = row.cameo
    dyad = event_title(row)
    lines = [f"<b>{_esc(dyad)}</b>", f"<b>{_esc(cameo.code)} {_esc(cameo.label)}</b>"]
    if cameo.root != cameo.code:
        lines.append(f"Root: {_esc(cameo.root)} {_esc(cameo.root_label)}")
    lines += _event_roles(row)
    lines += _event_facts(row)
    if row.sentence:
        lines.append(f"<i>{_esc(row.sentence)}</i>")
    lines.append(f"Article: {_article_link(row)}")
    node = {
        "id": row.iri,
        "label": f"{dyad}\n{cameo.root_label}",
        "shape": _EVENT_SHAPE,
        "color": root_colour(cameo.root),
        "size": 10,
        "font": {"size": EVENT_LABEL_SIZE},
        "kgKind": "Event",
        "kgRoot": f"{cameo.root} {cameo.root_label}",
        "kgTip": "<br>".join(lines),
    }
    if row.when is not None:  # the time slider's date: the event's, else its article's
        node["kgDate"] = row.when.isoformat()
    return node


def event_title(row: EventRow) -> str:
    """Who did it to whom: "Source → Target" (the source alone without a target)."""
    if row.target is None:
        return f"{row.source.label} → (no target)"
    return f"{row.source.label} → {row.target.label}"


def _event_roles(row: EventRow) -> list[str]:
    """The event's source and target, each with its kind, and its place."""
    source = row.source
    lines = [f"Source (actor): {_esc(source.label)} ({_esc(_kind(source.kind))})"]
    if row.target is not None:
        kind = _kind(row.target.kind)
        lines.append(f"Target (acted on): {_esc(row.target.label)} ({_esc(kind)})")
    if row.place is not None:
        lines.append(f"Place: {_esc(row.place.label)}")
    return lines


def _kind(kind: str) -> str:
    """The legend's name of an actor kind."""
    return _KIND_STYLES.get(kind, _KIND_STYLES["Actor"])[0]


def _event_facts(row: EventRow) -> list[str]:
    """Date (the article's when the event has none), modality, trigger, scores."""
    facts = []
    if row.when is not None:
        known = "" if row.date is not None else " (article)"
        facts.append(f"Date: {row.when.isoformat()}{known}")
    if row.modality != "asserted":
        facts.append(f"Modality: {_esc(row.modality)}")
    if row.trigger:
        facts.append(f"Trigger: {_esc(row.trigger)}")
    if row.cameo.goldstein is not None:
        facts.append(f"Goldstein: {row.cameo.goldstein:+.1f}")
    if row.confidence is not None:
        facts.append(f"Confidence: {row.confidence:.2f}")
    return facts


def _article_link(row: EventRow) -> str:
    """The article's title, linked only when its URL is plain http(s)."""
    name = _esc(row.article.title or row.article.iri or "unknown")
    url = row.article.url
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return f'<a href="{_esc(url)}">{name}</a>'
    return name


def _role_edge(start: str, end: str, role: str) -> dict:
    """An edge of the event graph: who did what to whom, and where (dashed)."""
    edge: dict[str, str | bool] = {
        "from": start,
        "to": end,
        "label": role,
        "title": role,
    }
    if role == "place":
        edge["dashes"] = True
    return edge


def _dyad_edge(source: str, target: str, data: dict) -> dict:
    """One actor -> actor edge: width by events, colour by quad-class balance."""
    parts = [f"{data['events']} events: {data['cooperation']} cooperation, "
             f"{data['conflict']} conflict"]  # fmt: skip
    if "goldstein_mean" in data:
        parts.append(f"mean Goldstein {data['goldstein_mean']:+.1f}")
    if "first" in data:
        parts.append(f"{data['first']} to {data['last']}")
    return {
        "from": source,
        "to": target,
        "value": data["weight"],
        "color": data["color"],
        "title": "; ".join(parts),
        "kgRelation": data["stance"],
        "kgWeight": data["weight"],
        "kgCooperation": data["cooperation"],
        "kgConflict": data["conflict"],
    }


def label_size(events: int) -> int:
    """The label size of an actor or place in ``events`` events."""
    return min(ENTITY_LABEL_SIZE + round(3 * math.sqrt(max(events - 1, 0))),
               MAX_LABEL_SIZE)  # fmt: skip


def root_colour(root_code: str) -> str:
    """The colour of a CAMEO root (01-20); grey for anything else."""
    if root_code.isdigit() and 1 <= int(root_code) <= len(ROOT_COLOURS):
        return ROOT_COLOURS[int(root_code) - 1]
    return UNKNOWN_ROOT_COLOUR


def _esc(text: str) -> str:
    """Escape article text for a tooltip; quotes too, as it may sit in an href."""
    return html.escape(text, quote=True)


# --- legend -----------------------------------------------------------------------

_SYMBOLS = {"dot": "●", "square": "■", "star": "★", "hexagon": "⬢",
            "triangle": "▲", "diamond": "◆", "line": "━"}  # fmt: skip


@dataclass(frozen=True)
class LegendRow:
    """One legend entry: a symbol of the node's shape (or a line), its colour, name."""

    symbol: str
    colour: str
    name: str


def legend_rows(nodes: list[dict], edges: list[dict]) -> list[LegendRow]:
    """One row per node kind, CAMEO root and edge relation drawn, in legend order."""
    kinds = {node["kgKind"] for node in nodes}
    rows = [
        _legend_row(shape, KIND_COLOURS[kind], name)
        for kind, (name, shape) in _KIND_STYLES.items()
        if name in kinds
    ]
    roots = sorted({(n["kgRoot"], n["color"]) for n in nodes if "kgRoot" in n})
    rows += [_legend_row(_EVENT_SHAPE, colour, root) for root, colour in roots]
    relations = {edge["kgRelation"] for edge in edges if "kgRelation" in edge}
    rows += [
        _legend_row("line", colour, f"mostly {name}" if name != "mixed" else
                    "even or unknown")
        for name, colour in STANCE_COLOURS.items()
        if name in relations
    ]  # fmt: skip
    return rows


def _legend_row(shape: str, colour: str, name: str) -> LegendRow:
    return LegendRow(_SYMBOLS.get(shape, "●"), colour, name)
