"""Draw the event graph as one self-contained HTML page (pyvis / vis-network).

Analysts open the page from disk, often offline, and every string in it comes
from news text. So the page carries vis-network inline (no CDN, no ``lib/``
folder), and article text is treated as hostile: tooltips are HTML-escaped
fragments that the page parses in an inert document and sanitises before
vis-network shows them; node labels are drawn on a canvas, never as HTML.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Dataset, Graph, URIRef

from kg.errors import UsageError
from kg.rdf.namespaces import CAMEO, KG, sparql_prologue

logger = logging.getLogger(__name__)

#: Above this many nodes the browser's physics is switched off and a layout is
#: computed once in Python, so a big graph opens at once and stays responsive.
PHYSICS_NODE_LIMIT = 1000

#: Seed of every random choice in a layout: same graph, same picture, same bytes.
LAYOUT_SEED = 7

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
_ROOT_COLOURS = (
    "#c6dbef", "#9ecae1", "#4292c6", "#08519c",
    "#c7e9c0", "#74c476", "#31a354", "#006d2c",
    "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603",
    "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d",
)  # fmt: skip
_UNKNOWN_ROOT_COLOUR = "#bab0ac"

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

# The queries return one (subject, key, value) row per fact and are DISTINCT:
# over a union of article graphs the same triple appears once per graph, and
# joining many optional facts in one query would multiply those copies.
_EVENT_FACTS_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  VALUES (?property ?key) {
    (kg:eventType "type") (kg:date "date") (kg:trigger "trigger")
    (kg:sentence "sentence") (kg:fromArticle "article")
  }
  ?subject a kg:Event ; ?property ?value .
}
"""

_ARTICLE_FACTS_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  VALUES (?property ?key) { (kg:title "articleTitle") (kg:url "url") }
  ?subject a kg:Article ; ?property ?value .
}
"""

_TYPE_FACTS_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  { SELECT DISTINCT ?subject WHERE { ?event a kg:Event ; kg:eventType ?subject } }
  {
    ?subject skos:notation ?value . BIND ("code" AS ?key)
  } UNION {
    ?subject skos:prefLabel ?value . BIND ("typeName" AS ?key)
    FILTER (lang(?value) = "" || langMatches(lang(?value), "en"))
  } UNION {
    ?subject skos:broader* ?value . ?value skos:topConceptOf cameo:scheme .
    BIND ("root" AS ?key)
  }
}
"""

_ROOT_NAMES_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  ?subject skos:topConceptOf cameo:scheme ; skos:prefLabel ?value .
  FILTER (lang(?value) = "" || langMatches(lang(?value), "en"))
  BIND ("rootName" AS ?key)
}
"""

_ENTITY_FACTS_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  VALUES ?class { kg:Person kg:Organization kg:Group kg:Country kg:Place }
  VALUES (?property ?key) {
    (rdf:type "class") (rdfs:label "label") (kg:countryCode "countryCode")
    (kg:role "role") (kg:alias "alias")
  }
  ?subject a ?class ; ?property ?value .
}
"""

_LINKS_QUERY = """
SELECT DISTINCT ?event ?role ?node
WHERE {
  VALUES (?property ?role) {
    (kg:sourceActor "source") (kg:targetActor "target") (kg:place "place")
  }
  ?event a kg:Event ; ?property ?node .
}
"""


@dataclass(frozen=True)
class ViewSummary:
    """What :func:`render_html` drew, for the CLI's one-line report and for tests.

    ``physics`` is False when the graph was too big for in-browser physics and
    was laid out in Python instead.
    """

    path: Path
    nodes: int
    edges: int
    events: int
    actors: int
    places: int
    physics: bool


def render_html(
    graph: Graph | Dataset,
    out: Path,
    *,
    title: str = "kg event graph",
    physics_limit: int = PHYSICS_NODE_LIMIT,
) -> ViewSummary:
    """Write an offline, single-file HTML view of the actors, events and places.

    Args:
        graph: Article graphs (a Dataset is read as the union of its named
            graphs); include the ontology graph to show CAMEO names.
        out: The HTML file to write (UTF-8); its directory must exist.
        title: Page title and heading (escaped, so any text is safe).
        physics_limit: Above this many nodes, lay out in Python, physics off.

    Returns:
        Counts of what was drawn and whether browser physics is on.

    Raises:
        UsageError: ``out`` cannot be written.
    """
    view = _union_view(graph)
    events = _read_events(view)
    links = [link for link in _read_links(view) if link[0] in events]
    entities = _read_entities(view, links)
    nodes = sorted(_entity_nodes(entities, links) + _event_nodes(events), key=_by_id)
    edges = _edges(links)
    physics = len(nodes) <= physics_limit
    if not physics:
        _place_nodes(nodes, edges)
    page = _page(nodes, edges, physics=physics, title=title, legend=_legend(nodes))
    _write(out, page)
    places = sum(1 for node in nodes if node["kgKind"] == "Place")
    summary = ViewSummary(
        path=out,
        nodes=len(nodes),
        edges=len(edges),
        events=len(events),
        actors=len(nodes) - len(events) - places,
        places=places,
        physics=physics,
    )
    logger.info("view: %d nodes, %d edges -> %s", summary.nodes, summary.edges, out)
    return summary


def _by_id(node: dict) -> str:
    return node["id"]


def _union_view(graph: Graph | Dataset) -> Graph:
    """Read a Dataset as the union of its graphs without changing the caller's."""
    if isinstance(graph, Dataset) and not graph.default_union:
        return Dataset(store=graph.store, default_union=True)
    return graph


def _select(graph: Graph, query: str) -> list[dict]:
    """Run one of this module's constant queries (no caller values in them)."""
    return [row.asdict() for row in graph.query(sparql_prologue() + query)]


def _facts(graph: Graph, query: str) -> dict[str, dict[str, set[str]]]:
    """subject -> key -> values, from one of the (subject, key, value) queries."""
    facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _select(graph, query):
        facts[str(row["subject"])][str(row["key"])].add(str(row["value"]))
    return facts


def _read_links(graph: Graph) -> list[tuple[str, str, str]]:
    """(event, role, actor-or-place) triples, sorted so output is stable."""
    rows = _select(graph, _LINKS_QUERY)
    return sorted({(str(r["event"]), str(r["role"]), str(r["node"])) for r in rows})


def _read_entities(graph: Graph, links: list[tuple[str, str, str]]) -> dict:
    """Descriptions of the actors and places drawn events link to, by IRI.

    Actors that take part in no event are left out: the view is of events.
    Nodes that events point at but no graph describes still get an entry, so
    no edge is left dangling (vis-network would drop it silently).
    """
    linked = {node for _event, _role, node in links}
    entities = defaultdict(lambda: defaultdict(set))
    for iri, facts in _facts(graph, _ENTITY_FACTS_QUERY).items():
        if iri in linked:
            entities[iri] = facts
    for _event, role, node in links:
        entities[node]["linkRole"].add(role)
    return entities


def _read_events(graph: Graph) -> dict[str, dict[str, str]]:
    """One flat record per event, with its article's and its type's facts.

    Where a fact has several values (e.g. two titles) the smallest wins, so
    the output does not depend on store order.
    """
    articles = _facts(graph, _ARTICLE_FACTS_QUERY)
    types = _facts(graph, _TYPE_FACTS_QUERY)
    roots = _facts(graph, _ROOT_NAMES_QUERY)
    events = {}
    for iri, facts in _facts(graph, _EVENT_FACTS_QUERY).items():
        if not facts.get("type"):
            continue  # an untyped event has nothing to be drawn as
        record = _first(facts)
        record.update(_first(articles.get(record.get("article", ""), {})))
        record.update(_first(types.get(record["type"], {})))
        record.update(_first(roots.get(record.get("root", ""), {})))
        _complete_type(record)
        events[iri] = record
    return events


def _first(facts: dict[str, set[str]]) -> dict[str, str]:
    return {key: min(values) for key, values in facts.items() if values}


def _complete_type(record: dict[str, str]) -> None:
    """Fill code and names from the type IRI when no ontology graph was given."""
    code = record.get("code") or _cameo_code(record["type"])
    record["code"] = code
    record.setdefault("typeName", code)
    root_code = _cameo_code(record["root"]) if "root" in record else code[:2]
    record["rootCode"] = root_code
    record.setdefault("rootName", root_code)


def _cameo_code(iri: str) -> str:
    """The CAMEO code of a concept IRI (its local name), or the IRI if foreign."""
    return iri[len(CAMEO) :] if iri.startswith(str(CAMEO)) else iri


def _entity_nodes(entities: dict, links: list[tuple[str, str, str]]) -> list[dict]:
    degree: dict[str, int] = defaultdict(int)
    for _event, _role, node in links:
        degree[node] += 1
    return [_entity_node(iri, facts, degree[iri]) for iri, facts in entities.items()]


def _entity_node(iri: str, facts: dict[str, set[str]], degree: int) -> dict:
    """A vis node for an actor or place; size grows with the events it is in."""
    name, shape, colour = _style_of(facts)
    label = min(facts["label"]) if facts["label"] else iri
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


def _style_of(facts: dict[str, set[str]]) -> tuple[str, str, str]:
    classes = facts.get("class", set())
    for cls, style in _ACTOR_STYLES.items():
        if str(cls) in classes:
            return style
    if "place" in facts.get("linkRole", set()) and len(facts["linkRole"]) == 1:
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
        "color": _root_colour(record["rootCode"]),
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


def _root_colour(root_code: str) -> str:
    if root_code.isdigit() and 1 <= int(root_code) <= len(_ROOT_COLOURS):
        return _ROOT_COLOURS[int(root_code) - 1]
    return _UNKNOWN_ROOT_COLOUR


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
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
        }
    return options


def _legend(nodes: list[dict]) -> str:
    """The legend block: one row per actor class and CAMEO root in the graph."""
    kinds = {node["kgKind"] for node in nodes}
    rows = [
        _legend_row(shape, colour, name)
        for name, shape, colour in (*_ACTOR_STYLES.values(), _UNTYPED_STYLE)
        if name in kinds
    ]
    roots = sorted({(n["kgRoot"], n["color"]) for n in nodes if "kgRoot" in n})
    rows += [_legend_row(_EVENT_SHAPE, colour, root) for root, colour in roots]
    if not rows:
        rows.append("<li>No events in this graph.</li>")
    return (
        '<aside id="kg-legend" aria-label="Legend"><h2>Legend</h2>'
        "<p>Actors and places by shape and colour; events (diamonds) by CAMEO "
        "root. Arrows read actor &rarr; event &rarr; target; dashed: place. "
        "Hover for details, click to keep them.</p><ul>"
        + "".join(rows)
        + "</ul></aside>"
    )


_SYMBOLS = {"dot": "●", "square": "■", "star": "★", "hexagon": "⬢",
            "triangle": "▲", "diamond": "◆"}  # fmt: skip


def _legend_row(shape: str, colour: str, name: str) -> str:
    symbol = _SYMBOLS.get(shape, "●")
    return (
        f'<li><span class="kg-symbol" style="color:{_esc(colour)}">{symbol}</span> '
        f"{_esc(name)}</li>"
    )


def _page(
    nodes: list[dict], edges: list[dict], *, physics: bool, title: str, legend: str
) -> str:
    """Render with pyvis, then make the page self-contained and add our parts."""
    from pyvis.network import Network

    net = Network(height="80vh", width="100%", directed=True, cdn_resources="in_line")
    # add_node/add_edge are quadratic; the template only reads these lists.
    net.nodes = nodes
    net.edges = edges
    net.options = _options(physics)
    page = _inline_assets(net.generate_html())
    page = _EMPTY_HEADING.sub("", page)
    head = f"<title>{_esc(title)}</title><style>{_CSS}</style>"
    page = page.replace("<head>", "<head>" + head, 1)
    top = f'<header id="kg-header"><h1>{_esc(title)}</h1></header>'
    side = f'<div id="kg-side">{legend}{_PANEL}</div>'
    page = page.replace("<body>", "<body>" + top + side, 1)
    cut = page.rindex("</body>")
    return page[:cut] + f"<script>{_SCRIPT}</script>" + page[cut:]


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
#kg-header h1 { font-size: 1.3rem; margin: 0.2rem 0 0.5rem; }
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

_PANEL = (
    '<section id="kg-details" aria-live="polite"><h2 style="font-size:1rem">'
    'Details</h2><div id="kg-details-body">Click a node.</div></section>'
)

# Tooltips arrive as escaped HTML in each node's kgTip (never in `title`, which
# would make pyvis switch to its innerHTML popup). They are parsed in an inert
# DOMParser document, reduced to a few tags with safe attributes, and only then
# adopted into the page, so nothing in them can load or run.
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
  function tip(fragment) {
    var doc = new DOMParser().parseFromString("<div></div>", "text/html");
    doc.body.firstChild.innerHTML = fragment;
    var el = document.importNode(clean(doc.body.firstChild), true);
    el.className = "kg-tip";
    return el;
  }
  var updates = [];
  nodes.forEach(function (node) {
    if (typeof node.kgTip === "string") {
      updates.push({id: node.id, title: tip(node.kgTip)});
    }
  });
  nodes.update(updates);
  var body = document.getElementById("kg-details-body");
  network.on("click", function (params) {
    var node = params.nodes.length ? nodes.get(params.nodes[0]) : null;
    body.replaceChildren(node && node.kgTip ? tip(node.kgTip) : "Click a node.");
  });
})();
"""
