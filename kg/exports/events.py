"""Events as files other tools read: a GDELT-like CSV, GraphML and GEXF graphs.

These are views of the event rows (:mod:`kg.analysis.graphs`), not of the
triples, so they take an :class:`~kg.analysis.graphs.EventFilter`. Text from
articles is made safe on the way out: no cell a spreadsheet would run as a
formula, no character XML 1.0 forbids.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Literal

import networkx as nx

from kg.analysis.graphs import EventRow, actor_network, event_graph
from kg.errors import UsageError

GraphKind = Literal["events", "actors"]

#: One CSV row per event, GDELT's event table in spirit (SQLDATE, Actor1Name, ...).
CSV_COLUMNS: tuple[str, ...] = (
    "event_id", "date", "source_name", "source_code", "source_country",
    "cameo_code", "cameo_root", "quad_class", "goldstein",
    "target_name", "target_code", "target_country",
    "place_name", "place_lat", "place_lon", "place_geonames_id",
    "modality", "article_url", "published", "sentence",
)  # fmt: skip

# Characters XML 1.0 does not allow, even escaped (controls other than tab, LF, CR).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def events_csv(rows: list[EventRow]) -> str:
    """One CSV row per event after a header; RFC 4180 quoting, UTF-8 without BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(_csv_values(row))
    return out.getvalue()


def _csv_values(row: EventRow) -> list[object]:
    source, target, place, cameo = row.source, row.target, row.place, row.cameo
    values = [
        row.iri, row.date, source.label, source.code, source.country,
        cameo.code, cameo.root, cameo.quad_class, cameo.goldstein,
        target and target.label, target and target.code, target and target.country,
        place and place.label, place and place.latitude, place and place.longitude,
        place and place.geonames_id,
        row.modality, row.article.url, row.article.published, row.sentence,
    ]  # fmt: skip
    return ["" if v is None else _defused(v) for v in values]


#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(value: object) -> object:
    """Article text never becomes a spreadsheet formula (CSV injection).

    Text cells starting with a formula character get a leading apostrophe, as
    OWASP advises; numbers (e.g. a negative Goldstein score) stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def build_graph(rows: list[EventRow], kind: GraphKind) -> nx.Graph:
    """The event graph or the actor network of the rows.

    Raises:
        UsageError: ``kind`` is neither "events" nor "actors".
    """
    if kind == "events":
        return event_graph(rows)
    if kind == "actors":
        return actor_network(rows)
    raise UsageError(f"Unknown graph {kind!r}: use 'events' or 'actors'.")


def graph_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """GraphML or GEXF of a graph, with strings made safe for XML 1.0."""
    buffer = io.BytesIO()
    ready = _xml_ready(graph, viz=fmt == "gexf")
    if fmt == "graphml":
        nx.write_graphml(ready, buffer, encoding="utf-8")
    else:
        nx.write_gexf(ready, buffer, encoding="utf-8")
    return buffer.getvalue()


def _xml_ready(graph: nx.Graph, *, viz: bool) -> nx.Graph:
    """A copy with XML-forbidden characters removed; GEXF colours as viz:color."""
    ready = graph.__class__(**{k: _clean(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        ready.add_node(_clean(node), **_clean_attributes(data, viz))
    edges = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    )
    for u, v, key, data in edges:
        extra = {} if key is None else {"key": key}
        ready.add_edge(_clean(u), _clean(v), **extra, **_clean_attributes(data, viz))
    return ready


def _clean_attributes(data: dict[str, object], viz: bool) -> dict[str, object]:
    clean = {key: _clean(value) for key, value in data.items()}
    colour = clean.get("color")
    if viz and isinstance(colour, str):
        clean["viz"] = {"color": _rgba(colour)}
    return clean


def _rgba(colour: str) -> dict[str, float]:
    """A ``#rrggbb`` colour as the attributes of GEXF's viz:color, opaque."""
    hex_colour = colour.lstrip("#")
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return {"r": r, "g": g, "b": b, "a": 1.0}


def _clean(value: object) -> object:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


__all__ = ["CSV_COLUMNS", "GraphKind", "build_graph", "events_csv", "graph_bytes"]
