"""Events as files other tools read: a GDELT-like CSV, GraphML and GEXF graphs.

These are views of the event rows (:mod:`kg.analysis.graphs`), not of the
triples, so they take an :class:`~kg.analysis.graphs.EventFilter`. Text from
articles is made safe on the way out: no cell a spreadsheet would run as a
formula, no character XML 1.0 forbids.

Dates, as in the CSV: an event node's ``date`` is the date the text gave, and is
left out when it gave none; ``published`` is its article's publication date. A
GEXF file is also dynamic (``mode="dynamic"``, ``timeformat="date"``), so Gephi's
timeline plays it: an event and its edges live on the event's day (the text's
date, else the article's, as the time filters read it); an actor or place lives
on the days of its events, as ``<spells>`` (runs of consecutive days joined); an
actor-network edge on the days of its dyad's events. Intervals are closed, the
only kind GEXF 1.3 has; undated events and the nodes only they touch carry no
time, which Gephi reads as always present.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

import networkx as nx

from kg.analysis.graphs import EventRow, actor_network, event_graph
from kg.analysis.rows import defused
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
    return ["" if v is None else defused(v) for v in values]


def build_graph(
    rows: list[EventRow], kind: GraphKind, *, timeline: bool = False
) -> nx.Graph:
    """The event graph or the actor network of the rows.

    Event nodes carry ``date`` only when the text gave one, and ``published``.
    ``timeline`` adds the ``start``/``end`` and ``spells`` networkx's GEXF writer
    turns into a dynamic graph (only for GEXF: GraphML has no time).

    Raises:
        UsageError: ``kind`` is neither "events" nor "actors".
    """
    if kind == "events":
        graph: nx.Graph = event_graph(rows)
        _event_dates(graph, rows)
        if timeline:
            _event_timeline(graph, rows)
        return graph
    if kind == "actors":
        graph = actor_network(rows)
        if timeline:
            _actor_timeline(graph, rows)
        return graph
    raise UsageError(f"Unknown graph {kind!r}: use 'events' or 'actors'.")


def _event_dates(graph: nx.Graph, rows: Iterable[EventRow]) -> None:
    """``date`` as the text gave it (or none), and the article's ``published``.

    The event graph's ``date`` is the date time filters compare, which falls back
    on the publication day; an export must not present that as the event's own.
    """
    for row in rows:
        node = graph.nodes[row.iri]
        node.pop("date", None)
        if row.date is not None:
            node["date"] = row.date.isoformat()
        if row.article.published is not None:
            node["published"] = row.article.published.isoformat()


def _event_timeline(graph: nx.Graph, rows: Iterable[EventRow]) -> None:
    """Each event and its edges on the event's day; other nodes on their days."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    for row in rows:
        if row.when is None:
            continue
        day = row.when.isoformat()
        graph.nodes[row.iri].update(start=day, end=day)
        for _, end, data in graph.out_edges(row.iri, data=True):
            data.update(start=day, end=day)
            days[end].add(row.when)
        for start, _, data in graph.in_edges(row.iri, data=True):
            data.update(start=day, end=day)
            days[start].add(row.when)
    for node, dates in days.items():
        graph.nodes[node]["spells"] = spells(dates)


def _actor_timeline(graph: nx.Graph, rows: Iterable[EventRow]) -> None:
    """Each actor on the days of its events, each dyad on the days of its events."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    dyads: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for row in rows:
        if row.when is None:
            continue
        for actor in row.actors:
            days[actor.iri].add(row.when)
        if row.target is not None:
            dyads[row.source.iri, row.target.iri].add(row.when)
    for node, dates in days.items():
        graph.nodes[node]["spells"] = spells(dates)
    for (source, target), dates in dyads.items():
        graph.edges[source, target]["spells"] = spells(dates)


def spells(days: Iterable[dt.date]) -> list[tuple[str, str]]:
    """Closed ISO-date intervals covering the days, consecutive days joined.

    >>> spells([dt.date(2019, 1, 2), dt.date(2019, 1, 1), dt.date(2019, 1, 5)])
    [('2019-01-01', '2019-01-02'), ('2019-01-05', '2019-01-05')]
    """
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first.isoformat(), last.isoformat()) for first, last in runs]


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
