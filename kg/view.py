"""Draw events as one self-contained HTML page (pyvis / vis-network).

Analysts open the page from disk, often offline, and every string in it comes
from news text. So the page carries vis-network and tom-select inline (no CDN,
no ``lib/`` folder), and article text is treated as hostile: tooltips are
HTML-escaped fragments that the page parses in an inert document and sanitises
before vis-network shows them; node labels are drawn on a canvas, never as HTML.

Two pictures of the same events: the *event graph* (actor -> event -> target,
place) and the *actor network* (one edge per actor pair, weighted by events
and coloured by cooperation vs conflict). Big selections stay usable: past
``physics_limit`` nodes the layout is computed here and physics is off; past
``max_nodes`` only the most active actors are drawn, and the page says so.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from rdflib import Dataset, Graph, URIRef

from kg.errors import UsageError
from kg.rdf.namespaces import KG
from kg.viewdata import (
    CONFLICT_QUADS,
    COOPERATION_QUADS,
    EventData,
    ViewFilter,
    ego_events,
    filter_events,
    find_actor,
    read_event_data,
)

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

# class -> (legend name, vis shape, colour); the order breaks ties between classes.
_ACTOR_STYLES: dict[URIRef, tuple[str, str, str]] = {
    KG.Person: ("Person", "dot", "#4e79a7"),
    KG.Organization: ("Organization", "square", "#f28e2b"),
    KG.Group: ("Group", "star", "#b07aa1"),
    KG.Country: ("Country", "hexagon", "#59a14f"),
    KG.Place: ("Place", "triangle", "#9c755f"),
}
_UNTYPED_STYLE = ("Actor (no class)", "dot", "#bab0ac")
_ENTITY_FACTS = (("countryCode", "Country"), ("role", "Role"), ("alias", "Alias"))
_EVENT_SHAPE = "diamond"
# CAMEO roots 01..20, shaded by GDELT quad class: blues verbal cooperation
# (01-04), greens material cooperation (05-08), oranges verbal conflict (09-13),
# reds material conflict (14-20).
ROOT_COLOURS = (
    "#c6dbef", "#9ecae1", "#4292c6", "#08519c",
    "#c7e9c0", "#74c476", "#31a354", "#006d2c",
    "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603",
    "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d",
)  # fmt: skip
UNKNOWN_ROOT_COLOUR = "#bab0ac"
# Actor-network edges: mostly cooperation, mostly conflict, or even/unknown.
RELATION_COLOURS = {
    "cooperation": "#1a9850",
    "conflict": "#d73027",
    "mixed": "#8c8c8c",
}

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
    kind: GraphKind = "events"
    note: str = ""


def render_html(
    graph: Graph | Dataset | EventData,
    out: Path,
    *,
    title: str = "kg event graph",
    kind: GraphKind = "events",
    filters: ViewFilter | None = None,
    ego: str | None = None,
    hops: int = 1,
    physics_limit: int = PHYSICS_NODE_LIMIT,
    max_nodes: int = MAX_NODES,
) -> ViewSummary:
    """Write an offline, single-file HTML view of the events.

    Args:
        graph: Article graphs (a Dataset is read as the union of its named
            graphs; include the ontology graph to show CAMEO names), or
            events already read with :func:`kg.viewdata.read_event_data`.
        out: The HTML file to write (UTF-8); its directory must exist.
        title: Page title and heading (escaped, so any text is safe).
        kind: ``events`` (actors, events, places) or ``actors`` (actor network).
        filters: Which events to show (default: all).
        ego: Name of an actor: show only its neighbourhood of ``hops`` steps.
        hops: Steps from ``ego`` (an event between two actors is one step).
        physics_limit: Above this many nodes, lay out in Python, physics off.
        max_nodes: Above this many nodes, draw only the most active actors.

    Returns:
        Counts of what was drawn and whether browser physics is on.

    Raises:
        UsageError: a filter is malformed, ``ego`` names no single actor, or
            ``out`` cannot be written.
    """
    data = graph if isinstance(graph, EventData) else read_event_data(graph)
    data, notes = _select(data, filters or ViewFilter(), ego, hops)
    total = len(data.events)
    build = _actor_network if kind == "actors" else _event_graph
    nodes, edges = build(data)
    if len(nodes) > max_nodes:
        data = _top_actors(data, kind, max_nodes)
        nodes, edges = build(data)
        notes.append(_cut_note(data, total))
    physics = len(nodes) <= physics_limit
    if not physics:
        _place_nodes(nodes, edges)
    note = " ".join(notes)
    page = _page(
        nodes,
        edges,
        physics=physics,
        title=title,
        legend=_legend(nodes, edges),
        note=note,
    )
    _write(out, page)
    places = sum(1 for node in nodes if node["kgKind"] == "Place")
    events = sum(1 for node in nodes if node["kgKind"] == "Event")
    summary = ViewSummary(
        path=out,
        nodes=len(nodes),
        edges=len(edges),
        events=len(data.events),
        actors=len(nodes) - events - places,
        places=places,
        physics=physics,
        kind=kind,
        note=note,
    )
    logger.info("view: %d nodes, %d edges -> %s", summary.nodes, summary.edges, out)
    return summary


def _select(
    data: EventData, filters: ViewFilter, ego: str | None, hops: int
) -> tuple[EventData, list[str]]:
    """Apply the filters, then the ego neighbourhood; say what was applied."""
    notes = []
    before = len(data.events)
    data = filter_events(data, filters)
    if filters.describe():
        notes.append(
            f"Filtered ({filters.describe()}): {len(data.events)} of {before} events."
        )
    if ego is not None:
        centre = find_actor(data, ego)
        name = data.label(centre)
        data = ego_events(data, centre, hops)
        notes.append(
            f"Neighbourhood of {name} within {hops} step(s): {len(data.events)} events."
        )
    return data, notes


def _top_actors(data: EventData, kind: GraphKind, max_nodes: int) -> EventData:
    """Keep the most active actors that fit in ``max_nodes``, and events among them.

    Actors are ranked by events (ties by IRI); an event stays when all its
    actors are kept. For the event graph each kept event and place is a node too.
    """
    degree: dict[str, int] = defaultdict(int)
    for record in data.events.values():
        for role in ("source", "target"):
            if role in record:
                degree[record[role]] += 1
    ranked = sorted(degree, key=lambda iri: (-degree[iri], iri))
    rank = {iri: i for i, iri in enumerate(ranked)}
    by_last = defaultdict(list)  # events by the rank of their least active actor
    for iri, record in data.events.items():
        last = max(rank[record[r]] for r in ("source", "target") if r in record)
        by_last[last].append(iri)
    kept, places, count = [], set(), 0
    for i in range(len(ranked)):
        new = by_last.get(i, [])
        new_places = {data.events[e]["place"] for e in new if "place" in data.events[e]}
        extra = 1 if kind == "actors" else 1 + len(new) + len(new_places - places)
        if count + extra > max_nodes:
            break
        count += extra
        kept += new
        places |= new_places
    return _keep(data, sorted(kept))


def _keep(data: EventData, iris: list[str]) -> EventData:
    events = {iri: data.events[iri] for iri in iris}
    linked = {r[k] for r in events.values() for k in ("source", "target", "place")
              if k in r}  # fmt: skip
    entities = {iri: f for iri, f in data.entities.items() if iri in linked}
    return EventData(events=events, entities=entities)


def _cut_note(data: EventData, total: int) -> str:
    actors = {
        r[k] for r in data.events.values() for k in ("source", "target") if k in r
    }
    return (
        f"Too big to draw whole: showing the {len(actors)} most active actors and "
        f"the {len(data.events)} events among them, of {total} events. Narrow the "
        "view with --since/--until, --type, --actor, --country or --place, or "
        "raise --max-nodes."
    )


def _event_graph(data: EventData) -> tuple[list[dict], list[dict]]:
    """Actors, places and events as nodes; edges actor -> event -> target, place."""
    links = data.links()
    entity_nodes = _entity_nodes(data.entities, links)
    nodes = sorted(entity_nodes + _event_nodes(data.events), key=_by_id)
    return nodes, _edges(links)


def _actor_network(data: EventData) -> tuple[list[dict], list[dict]]:
    """Actors as nodes; one edge per (source, target) weighted by its events."""
    pairs: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for record in data.events.values():
        if "target" in record and record["target"] != record["source"]:
            pairs[(record["source"], record["target"])].append(record)
    links = [
        (iri, role, record[role])
        for iri, record in data.events.items()
        for role in ("source", "target")
        if role in record
    ]
    # _entity_nodes drops entities no link names: places here.
    nodes = sorted(_entity_nodes(data.entities, links), key=_by_id)
    edges = [_pair_edge(s, t, records) for (s, t), records in sorted(pairs.items())]
    return nodes, edges


def _pair_edge(source: str, target: str, records: list[dict[str, str]]) -> dict:
    """One actor -> actor edge: width by events, colour by quad-class balance."""
    coop = sum(1 for r in records if r.get("quad") in COOPERATION_QUADS)
    conflict = sum(1 for r in records if r.get("quad") in CONFLICT_QUADS)
    relation = "mixed"
    if coop > conflict:
        relation = "cooperation"
    elif conflict > coop:
        relation = "conflict"
    roots = sorted({f"{r['rootCode']} {r['rootName']}" for r in records})
    return {
        "from": source,
        "to": target,
        "value": len(records),
        "color": RELATION_COLOURS[relation],
        "title": f"{len(records)} events: {coop} cooperation, {conflict} conflict",
        "kgRelation": relation,
        "kgWeight": len(records),
        "kgCooperation": coop,
        "kgConflict": conflict,
        "kgRoots": roots,
    }


def _by_id(node: dict) -> str:
    return node["id"]


def _entity_nodes(entities: dict, links: list[tuple[str, str, str]]) -> list[dict]:
    degree: dict[str, int] = defaultdict(int)
    roles: dict[str, set[str]] = defaultdict(set)
    for _event, role, node in links:
        degree[node] += 1
        roles[node].add(role)
    return [
        _entity_node(iri, facts, degree[iri], roles[iri])
        for iri, facts in entities.items()
        if degree[iri]
    ]


def _entity_node(
    iri: str, facts: dict[str, set[str]], degree: int, roles: set[str]
) -> dict:
    """A vis node for an actor or place; size grows with the events it is in."""
    name, shape, colour = _style_of(facts, roles)
    label = min(facts["label"]) if facts.get("label") else iri
    lines = [f"<b>{_esc(label)}</b>", _esc(name)]
    for key, heading in _ENTITY_FACTS:
        if facts.get(key):
            lines.append(f"{heading}: {_esc(', '.join(sorted(facts[key])))}")
    lines.append(f"Events: {degree}")
    return {
        "id": iri,
        "label": label,
        "shape": shape,
        "color": colour,
        "size": round(min(12 + 4 * math.sqrt(degree), 48), 1),
        "kgKind": name,
        "kgTip": "<br>".join(lines),
    }


def _style_of(facts: dict[str, set[str]], roles: set[str]) -> tuple[str, str, str]:
    classes = facts.get("class", set())
    for cls, style in _ACTOR_STYLES.items():
        if str(cls) in classes:
            return style
    if roles == {"place"}:
        return _ACTOR_STYLES[KG.Place]
    return _UNTYPED_STYLE


def _event_nodes(events: dict[str, dict[str, str]]) -> list[dict]:
    return [_event_node(iri, record) for iri, record in events.items()]


def _event_node(iri: str, record: dict[str, str]) -> dict:
    """A vis node for an event, coloured by and labelled with its CAMEO root."""
    lines = [f"<b>{_esc(record['code'])} {_esc(record['typeName'])}</b>"]
    if record["rootCode"] != record["code"]:
        lines.append(f"Root: {_esc(record['rootCode'])} {_esc(record['rootName'])}")
    for key, heading in (("date", "Date"), ("trigger", "Trigger")):
        if key in record:
            lines.append(f"{heading}: {_esc(record[key])}")
    if "sentence" in record:
        lines.append(f"<i>{_esc(record['sentence'])}</i>")
    lines.append(f"Article: {_article_link(record)}")
    return {
        "id": iri,
        "label": record["rootName"],
        "shape": _EVENT_SHAPE,
        "color": root_colour(record["rootCode"]),
        "size": 10,
        "kgKind": "Event",
        "kgRoot": f"{record['rootCode']} {record['rootName']}",
        "kgTip": "<br>".join(lines),
    }


def _article_link(record: dict[str, str]) -> str:
    """The article's title, linked only when its URL is plain http(s)."""
    name = _esc(record.get("articleTitle") or record.get("article") or "unknown")
    url = record.get("url", "")
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return f'<a href="{_esc(url)}">{name}</a>'
    return name


def root_colour(root_code: str) -> str:
    if root_code.isdigit() and 1 <= int(root_code) <= len(ROOT_COLOURS):
        return ROOT_COLOURS[int(root_code) - 1]
    return UNKNOWN_ROOT_COLOUR


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _edges(links: list[tuple[str, str, str]]) -> list[dict]:
    """Edges read actor -> event -> target: who did what to whom, and where."""
    edges = []
    for event, role, node in links:
        ends = (node, event) if role == "source" else (event, node)
        edges.append({"from": ends[0], "to": ends[1], "label": role, "title": role})
        if role == "place":
            edges[-1]["dashes"] = True
    return edges


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


def _legend(nodes: list[dict], edges: list[dict]) -> str:
    """The legend block: one row per actor class, CAMEO root and edge relation."""
    kinds = {node["kgKind"] for node in nodes}
    rows = [
        _legend_row(shape, colour, name)
        for name, shape, colour in (*_ACTOR_STYLES.values(), _UNTYPED_STYLE)
        if name in kinds
    ]
    roots = sorted({(n["kgRoot"], n["color"]) for n in nodes if "kgRoot" in n})
    rows += [_legend_row(_EVENT_SHAPE, colour, root) for root, colour in roots]
    relations = {edge["kgRelation"] for edge in edges if "kgRelation" in edge}
    rows += [
        _legend_row("line", colour, f"mostly {name}" if name != "mixed" else
                    "even or unknown")
        for name, colour in RELATION_COLOURS.items()
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
