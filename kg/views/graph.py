"""Draw events as one self-contained HTML page (pyvis / vis-network).

Analysts open the page from disk, often offline, and every string in it comes
from news text. So the page carries vis-network and tom-select inline (no CDN,
no ``lib/`` folder), and article text is treated as hostile: tooltips are
HTML-escaped fragments that the page parses in an inert document and sanitises
before vis-network shows them; node labels are drawn on a canvas, never as HTML.

Events come from :func:`kg.analysis.graphs.load_events` and take the same
:class:`~kg.analysis.graphs.EventFilter` as exports and ``kg network``. Two pictures of
them: the *event graph* (:func:`kg.analysis.graphs.event_graph`: actor -> event ->
target, place) and the *actor network* (:func:`kg.analysis.graphs.actor_network`: one
edge per actor pair, weighted by events and coloured by cooperation vs
conflict). Big selections stay usable: past ``physics_limit`` nodes the layout
is computed here and physics is off; past ``max_nodes`` only the most active
actors are drawn, and the page says so.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import networkx as nx

from kg.analysis.graphs import (
    ASSERTED,
    KIND_COLOURS,
    STANCE_COLOURS,
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

logger = logging.getLogger(__name__)

#: Above this many nodes the browser's physics is switched off and a layout is
#: computed once in Python, so a big graph opens at once and stays responsive.
PHYSICS_NODE_LIMIT = 500

#: Above this many nodes only the most active actors (and the events among
#: them) are drawn: a canvas of tens of thousands of nodes is a grey blot.
MAX_NODES = 5000

#: Seed of every random choice in a layout: same graph, same picture, same bytes.
LAYOUT_SEED = 7

GraphKind = Literal["events", "actors"]

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

_PYVIS_ASSETS = {  # CDN file name -> file shipped inside the pyvis package
    "vis-network.min.js": "lib/vis-9.1.2/vis-network.min.js",
    "vis-network.min.css": "lib/vis-9.1.2/vis-network.css",
    "tom-select.complete.js": "lib/tom-select/tom-select.complete.min.js",
    "tom-select.min.css": "lib/tom-select/tom-select.css",
}
_EXTERNAL_TAG = re.compile(
    r'<script\b[^>]*?\bsrc="([^"]+)"[^>]*>\s*</script>'
    r'|<link\b[^>]*?\bhref="([^"]+)"[^>]*>',
    re.IGNORECASE,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")


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
    nodes, edges = _draw(network, rows)
    physics = len(nodes) <= physics_limit
    if not physics:
        _place_nodes(nodes, edges)
    note = " ".join(notes)
    legend = _legend(nodes, edges, asserted_only=filters.modalities == ASSERTED)
    _write(out, _page(nodes, edges, physics=physics, title=title, legend=legend,
                      note=note))  # fmt: skip
    summary = _summary(out, nodes, edges, len(rows), physics, graph, note)
    logger.info("view: %d nodes, %d edges -> %s", summary.nodes, summary.edges, out)
    return summary


def describe_filter(filters: EventFilter) -> str:
    """One line for a page, e.g. ``since 2019-01, type 19 or 04``; "" for none."""
    parts = [f"since {filters.since}"] if filters.since else []
    parts += [f"until {filters.until}"] if filters.until else []
    for name, values in (
        ("type", filters.types),
        ("actor", filters.actors),
        ("country", filters.countries),
        ("place", filters.places),
    ):
        if values:
            parts.append(f"{name} {' or '.join(values)}")
    if filters.modalities is None:
        parts.append("every modality")
    elif filters.modalities != ASSERTED:
        parts.append(f"modality {' or '.join(sorted(filters.modalities))}")
    if filters.min_confidence is not None:
        parts.append(f"confidence at least {filters.min_confidence:g}")
    return ", ".join(parts)


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
    actors = {actor.iri for row in rows for actor in row.actors}
    return (
        f"Too big to draw whole: showing the {len(actors)} most active actors and "
        f"the {len(rows)} events among them, of {total} events. Narrow the "
        "view with --since/--until, --type, --actor, --country or --place, or "
        "raise --max-nodes."
    )


# --- nodes and edges --------------------------------------------------------------


def _network(rows: list[EventRow], graph: GraphKind) -> nx.DiGraph:
    """The event graph or the actor network of kg.analysis.graphs."""
    return actor_network(rows) if graph == "actors" else event_graph(rows)


def _draw(network: nx.DiGraph, rows: list[EventRow]) -> tuple[list[dict], list[dict]]:
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
        "kgKind": name,
        "kgTip": "<br>".join(lines),
    }


def _event_node(row: EventRow) -> dict:
    """A vis node for an event, coloured by and labelled with its CAMEO root."""
    cameo = row.cameo
    lines = [f"<b>{_esc(cameo.code)} {_esc(cameo.label)}</b>"]
    if cameo.root != cameo.code:
        lines.append(f"Root: {_esc(cameo.root)} {_esc(cameo.root_label)}")
    lines += _event_facts(row)
    if row.sentence:
        lines.append(f"<i>{_esc(row.sentence)}</i>")
    lines.append(f"Article: {_article_link(row)}")
    return {
        "id": row.iri,
        "label": cameo.root_label,
        "shape": _EVENT_SHAPE,
        "color": root_colour(cameo.root),
        "size": 10,
        "kgKind": "Event",
        "kgRoot": f"{cameo.root} {cameo.root_label}",
        "kgTip": "<br>".join(lines),
    }


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
    edge = {"from": start, "to": end, "label": role, "title": role}
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


def root_colour(root_code: str) -> str:
    """The colour of a CAMEO root (01-20); grey for anything else."""
    if root_code.isdigit() and 1 <= int(root_code) <= len(ROOT_COLOURS):
        return ROOT_COLOURS[int(root_code) - 1]
    return UNKNOWN_ROOT_COLOUR


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# --- layout and page --------------------------------------------------------------


def _place_nodes(nodes: list[dict], edges: list[dict]) -> None:
    """Fix every node at a Fruchterman-Reingold position computed here."""
    for edge in edges:  # thousands of edge labels cost more to draw than all else
        edge.pop("label", None)
    ids = [node["id"] for node in nodes]
    positions = _spring_layout(ids, [(e["from"], e["to"]) for e in edges])
    scale = 60 * math.sqrt(len(ids))
    for node, (x, y) in zip(nodes, positions, strict=True):
        node["x"] = round(float(x) * scale, 1)
        node["y"] = round(float(y) * scale, 1)


def _spring_layout(ids: list[str], pairs: list[tuple[str, str]], iterations: int = 50):
    """Seeded Fruchterman-Reingold in numpy, positions in about [-1, 1].

    networkx's spring_layout needs scipy from 500 nodes on, which kg does not
    depend on. This is its force model, with repulsion estimated against a
    seeded sample of nodes so each step costs O(n * sample), not O(n^2).
    """
    import numpy as np

    rng = np.random.default_rng(LAYOUT_SEED)
    index = {node: i for i, node in enumerate(ids)}
    ends = np.array([(index[a], index[b]) for a, b in pairs], dtype=int).reshape(-1, 2)
    pos = rng.uniform(-1, 1, (len(ids), 2))
    k = 2 / math.sqrt(len(ids))
    for step in range(iterations):
        disp = _repulsion(pos, k, rng)
        delta = pos[ends[:, 0]] - pos[ends[:, 1]]
        pull = delta * (np.linalg.norm(delta, axis=1) / k)[:, None]
        np.add.at(disp, ends[:, 0], -pull)
        np.add.at(disp, ends[:, 1], pull)
        disp -= 0.1 * pos  # gravity keeps components from drifting apart
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-9)
        heat = 0.2 * (1 - step / iterations)
        pos += disp * (np.minimum(length, heat) / length)[:, None]
    return pos / max(float(np.abs(pos).max()), 1e-9)


def _repulsion(pos, k: float, rng, sample: int = 400, block: int = 2048):  # noqa: ANN001, ANN202 - numpy
    """Repulsive displacement of every node from a sample of the others."""
    import numpy as np

    others = pos
    if len(pos) > sample:
        others = pos[rng.choice(len(pos), sample, replace=False)]
    weight = k * k * len(pos) / len(others)
    disp = np.empty_like(pos)
    for start in range(0, len(pos), block):
        rows = slice(start, start + block)
        dx = pos[rows, 0, None] - others[None, :, 0]
        dy = pos[rows, 1, None] - others[None, :, 1]
        force = weight / np.maximum(dx * dx + dy * dy, 1e-6)
        disp[rows, 0] = (dx * force).sum(axis=1)
        disp[rows, 1] = (dy * force).sum(axis=1)
    return disp


def _options(physics: bool) -> dict:
    """vis-network options: settled barnesHut when small, static when big."""
    options: dict = {
        "nodes": {"font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#9a9a9a", "highlight": "#333333", "inherit": False},
            "font": {"size": 10, "align": "middle", "color": "#555555"},
            "smooth": {"enabled": physics, "type": "continuous"},
            "scaling": {"min": 1, "max": 12},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": physics},
    }
    options["physics"] = {"enabled": False}
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "centralGravity": 0.6,
                "springLength": 90,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0.2,
            },
            "stabilization": {"enabled": True, "iterations": 150, "fit": True},
        }
    return options


def _legend(nodes: list[dict], edges: list[dict], *, asserted_only: bool) -> str:
    """The legend block: one row per node kind, CAMEO root and edge relation."""
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
    if not rows:
        rows.append("<li>No events in this graph.</li>")
    text = (
        "Actors and places by shape and colour; events (diamonds) by CAMEO root. "
        "Arrows read actor &rarr; event &rarr; target; dashed: place."
    )
    if relations:
        text = (
            "Actors by shape and colour; an arrow per source &rarr; target pair, "
            "wider for more events, coloured by CAMEO quad class."
        )
    if asserted_only:
        text += " Asserted events only (--all adds negated, hypothetical, future)."
    return (
        '<aside id="kg-legend" aria-label="Legend"><h2>Legend</h2>'
        f"<p>{text} Hover for details, click to keep them.</p><ul>"
        + "".join(rows)
        + "</ul></aside>"
    )


_SYMBOLS = {"dot": "●", "square": "■", "star": "★", "hexagon": "⬢",
            "triangle": "▲", "diamond": "◆", "line": "━"}  # fmt: skip


def _legend_row(shape: str, colour: str, name: str) -> str:
    symbol = _SYMBOLS.get(shape, "●")
    return (
        f'<li><span class="kg-symbol" style="color:{_esc(colour)}">{symbol}</span> '
        f"{_esc(name)}</li>"
    )


def _page(
    nodes: list[dict],
    edges: list[dict],
    *,
    physics: bool,
    title: str,
    legend: str,
    note: str = "",
) -> str:
    """Render with pyvis, then make the page self-contained and add our parts."""
    from pyvis.network import Network

    net = Network(height="78vh", width="100%", directed=True, cdn_resources="in_line")
    # add_node/add_edge are quadratic; the template only reads these lists.
    net.nodes = nodes
    net.edges = edges
    net.options = _options(physics)
    page = _inline_assets(net.generate_html())
    page = _EMPTY_HEADING.sub("", page)
    head = f"<title>{_esc(title)}</title>{_tom_select()}<style>{_CSS}</style>"
    page = page.replace("<head>", "<head>" + head, 1)
    top = (
        f'<header id="kg-header"><h1>{_esc(title)}</h1>{_TOOLS}'
        f'<p id="kg-note" role="status">{_esc(note)}</p></header>'
    )
    side = f'<div id="kg-side">{legend}{_PANEL}</div>'
    page = page.replace("<body>", "<body>" + top + side, 1)
    cut = page.rindex("</body>")
    return page[:cut] + f"<script>{_SCRIPT}</script>" + page[cut:]


def _tom_select() -> str:
    """tom-select as pyvis ships it, inline, for the search box and filter menus."""
    from importlib.resources import files

    lib = files("pyvis")
    css = lib.joinpath(_PYVIS_ASSETS["tom-select.min.css"]).read_text("utf-8")
    js = lib.joinpath(_PYVIS_ASSETS["tom-select.complete.js"]).read_text("utf-8")
    return f"<style>{css}</style><script>{js}</script>"


def _inline_assets(page: str) -> str:
    """Inline every external script or stylesheet pyvis ships; drop the rest."""
    from importlib.resources import files

    lib = files("pyvis")

    def replace(match: re.Match) -> str:
        url = match.group(1) or match.group(2)
        shipped = _PYVIS_ASSETS.get(url.rsplit("/", 1)[-1])
        if shipped is None:  # e.g. bootstrap from a CDN: not shipped, not needed
            logger.debug("view: dropping external asset %s", url)
            return ""
        text = lib.joinpath(shipped).read_text(encoding="utf-8")
        tag = "script" if match.group(1) else "style"
        return f"<{tag}>{text}</{tag}>"

    page = _EXTERNAL_TAG.sub(replace, page)
    if _EXTERNAL_TAG.search(page):
        raise UsageError(
            "the pyvis template still references external files after inlining; "
            "install the supported version with `pip install pyvis==0.3.2`"
        )
    return page


def _write(out: Path, page: str) -> None:
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write the view to {out}: {exc.strerror}; "
            "choose a file in an existing, writable directory"
        ) from exc


_CSS = """
body { font-family: system-ui, sans-serif; margin: 0.5rem; }
#kg-header h1 { font-size: 1.3rem; margin: 0.2rem 0 0.4rem; }
#kg-tools { display: flex; gap: 0.8rem; align-items: center; flex-wrap: wrap;
  width: calc(100% - 16rem); font-size: 0.85rem; }
#kg-tools label { display: flex; gap: 0.3rem; align-items: center; }
#kg-tools .ts-wrapper { min-width: 14rem; }
#kg-note { font-size: 0.85rem; margin: 0.3rem 0; color: #7a4b00; }
#kg-note:empty { display: none; }
#kg-side { position: absolute; top: 3rem; right: 0.5rem; width: 15rem;
  font-size: 0.85rem; }
body > .card { width: calc(100% - 16rem) !important; }
#kg-legend h2 { font-size: 1rem; margin: 0; }
#kg-legend ul { list-style: none; padding: 0; margin: 0.3rem 0; }
.kg-symbol { display: inline-block; width: 1.2em; text-align: center; }
#kg-details { border-top: 1px solid #ccc; overflow-wrap: anywhere; }
.vis-tooltip { max-width: 32rem; white-space: normal !important;
  font-family: system-ui, sans-serif !important; font-size: 0.85rem !important;
  overflow-wrap: anywhere; }
"""

_TOOLS = (
    '<nav id="kg-tools" aria-label="Search and filters">'
    '<label>Find <select id="kg-search" placeholder="Type a name..."></select></label>'
    '<label>Show <select id="kg-filter-kind" multiple placeholder="all kinds">'
    "</select></label>"
    '<label>Only <select id="kg-filter-group" multiple placeholder="all types">'
    "</select></label>"
    '<span id="kg-shown" aria-live="polite"></span></nav>'
)

_PANEL = (
    '<section id="kg-details" aria-live="polite"><h2 style="font-size:1rem">'
    'Details</h2><div id="kg-details-body">Click a node.</div></section>'
)

# Tooltips arrive as escaped HTML in each node's kgTip (never in `title`, which
# would make pyvis switch to its innerHTML popup). They are parsed in an inert
# DOMParser document, reduced to a few tags with safe attributes, and only then
# adopted into the page, so nothing in them can load or run. All tooltips are
# parsed in one go after the first drawing, so a big graph shows at once.
# Search and filter menus take their options from the data sets as plain text
# (tom-select escapes what it renders).
_SCRIPT = r"""
(function () {
  "use strict";
  var TAGS = {DIV: 1, B: 1, I: 1, BR: 1, A: 1};
  function clean(el) {
    Array.prototype.slice.call(el.children).forEach(function (child) {
      if (!TAGS[child.tagName]) { child.remove(); return; }
      var href = child.getAttribute("href");
      Array.prototype.slice.call(child.attributes).forEach(function (a) {
        child.removeAttribute(a.name);
      });
      if (child.tagName === "A" && href && /^https?:\/\//i.test(href)) {
        child.setAttribute("href", href);
        child.setAttribute("target", "_blank");
        child.setAttribute("rel", "noopener noreferrer");
      }
      clean(child);
    });
    return el;
  }
  function inert(fragments) {
    var doc = new DOMParser().parseFromString("<div></div>", "text/html");
    var holder = doc.body.firstChild;
    holder.innerHTML = fragments.map(function (f) {
      return "<div>" + f + "</div>";
    }).join("");
    return Array.prototype.map.call(clean(holder).children, function (el) {
      el = document.importNode(el, true);
      el.className = "kg-tip";
      return el;
    });
  }
  function tip(fragment) { return inert([fragment])[0]; }
  function addTips() {
    var withTip = nodes.get({filter: function (n) {
      return typeof n.kgTip === "string";
    }});
    var tips = inert(withTip.map(function (n) { return n.kgTip; }));
    nodes.update(withTip.map(function (n, i) { return {id: n.id, title: tips[i]}; }));
    window.kgReady = true;
  }
  window.kgDrawn = false;
  window.kgReady = false;
  network.once("afterDrawing", function () {
    window.kgDrawn = true;
    window.kgDrawnAt = performance.now();
    setTimeout(addTips, 0);
  });
  network.redraw();

  var body = document.getElementById("kg-details-body");
  function details(id) {
    var node = id === null ? null : nodes.get(id);
    body.replaceChildren(node && node.kgTip ? tip(node.kgTip) : "Click a node.");
  }
  network.on("click", function (params) {
    details(params.nodes.length ? params.nodes[0] : null);
  });
  function focus(id) {
    if (!id || !nodes.get(id)) { return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    details(id);
  }
  window.kgFocus = focus;
  var everyNode = nodes.get({fields: ["id", "label", "kgKind", "kgRoot"]});
  var everyEdge = edges.get({fields: ["id", "kgRelation"]});
  window.kgSearch = new TomSelect("#kg-search", {
    options: everyNode.map(function (n) {
      return {value: n.id, text: String(n.label), kind: n.kgKind};
    }),
    valueField: "value", labelField: "text", searchField: ["text"],
    maxOptions: 50, maxItems: 1, sortField: [{field: "$score"}, {field: "text"}],
    onChange: focus
  });
  function choices(values) {
    return Object.keys(values).sort().map(function (v) {
      return {value: v, text: v};
    });
  }
  var kinds = {}, groups = {};
  everyNode.forEach(function (n) {
    kinds[n.kgKind] = 1;
    if (n.kgRoot) { groups[n.kgRoot] = 1; }
  });
  everyEdge.forEach(function (e) { if (e.kgRelation) { groups[e.kgRelation] = 1; } });
  var kindMenu = new TomSelect("#kg-filter-kind", {
    options: choices(kinds), plugins: ["remove_button"], onChange: applyFilters
  });
  var groupMenu = new TomSelect("#kg-filter-group", {
    options: choices(groups), plugins: ["remove_button"], onChange: applyFilters
  });
  window.kgFilters = {kind: kindMenu, group: groupMenu};
  function out(list, value) { return list.length > 0 && list.indexOf(value) < 0; }
  function applyFilters() {
    var k = kindMenu.getValue(), g = groupMenu.getValue();
    nodes.update(everyNode.map(function (n) {
      return {id: n.id, hidden: out(k, n.kgKind) || (!!n.kgRoot && out(g, n.kgRoot))};
    }));
    if (everyEdge.some(function (e) { return e.kgRelation; })) {
      edges.update(everyEdge.map(function (e) {
        return {id: e.id, hidden: out(g, e.kgRelation)};
      }));
    }
    shown();
  }
  function shown() {
    var visible = nodes.get({filter: function (n) { return !n.hidden; }}).length;
    document.getElementById("kg-shown").textContent =
      visible + " of " + everyNode.length + " nodes shown";
  }
  shown();
})();
"""
