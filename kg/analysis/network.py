"""Network analysis of the actor network: centrality, communities, dyad balance.

``kg network`` wraps these. All of it is pure Python (networkx without SciPy),
deterministic (Louvain is seeded, ties break by label then IRI) and works on the
graphs of :mod:`kg.analysis.graphs`, so a filter narrows the analysis as it narrows an
export.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import networkx as nx
from rich.console import Console
from rich.table import Table

from kg.analysis.graphs import EventRow, dyad_summary
from kg.analysis.rows import defused
from kg.errors import UsageError

logger = logging.getLogger(__name__)

Metric = Literal["pagerank", "degree", "betweenness"]
METRICS: tuple[str, ...] = ("pagerank", "degree", "betweenness")
Format = Literal["table", "csv", "json"]
#: Seed of Louvain's random node order: same network, same communities.
LOUVAIN_SEED = 42
PAGERANK_ALPHA = 0.85


@dataclass(frozen=True)
class ActorScore:
    """One actor's place in the network.

    Attributes:
        score: the chosen metric's value.
        events: events the actor takes part in (with or without a partner).
        partners: distinct other actors it acted on or was acted on by.
        cooperation, conflict: its events with partners, by CAMEO quad class.
        community: its community number when communities were asked for (None
            for an actor without ties).
    """

    rank: int
    iri: str
    label: str
    kind: str
    country: str | None
    score: float
    events: int
    partners: int
    cooperation: int
    conflict: int
    community: int | None = None


@dataclass(frozen=True)
class Community:
    """A Louvain community: numbered from 1, largest first."""

    number: int
    size: int
    events: int  # events between two of its members
    members: tuple[str, ...]  # labels, most central first
    iris: tuple[str, ...]


@dataclass(frozen=True)
class DyadMonth:
    """One directed dyad's events in one calendar month."""

    source: str
    target: str
    month: str  # "2019-01"
    events: int
    cooperation: int
    conflict: int
    balance: float  # (cooperation - conflict) / events, in [-1, 1]
    goldstein_mean: float | None
    source_iri: str
    target_iri: str


@dataclass(frozen=True)
class NetworkReport:
    """What ``kg network`` prints: a ranking, and communities when asked."""

    metric: str
    actors: tuple[ActorScore, ...]
    communities: tuple[Community, ...] | None = None


def analyse(
    network: nx.DiGraph,
    metric: Metric = "pagerank",
    *,
    communities: bool = False,
    top: int | None = 20,
) -> NetworkReport:
    """Rank the actors of an actor network, and optionally find communities.

    Args:
        network: from :func:`kg.analysis.graphs.actor_network`.
        metric: pagerank (weighted, directed: actors many act upon rank high),
            degree (share of other actors it has a tie with) or betweenness
            (share of shortest paths through it; ties undirected, unweighted).
        communities: also run Louvain and number each actor's community.
        top: how many actors to list; None for all.

    Raises:
        UsageError: unknown metric or a negative ``top``.
    """
    if top is not None and top < 0:
        raise UsageError(f"--top must be 0 or more, not {top}.")
    values = scores(network, metric)
    found = find_communities(network, values) if communities else None
    member_of = {iri: c.number for c in found or () for iri in c.iris}
    ranked = sorted(network, key=lambda n: _rank_key(network, values, n))
    actors = tuple(
        _actor_score(network, node, i, values[node], member_of.get(node))
        for i, node in enumerate(ranked[:top] if top else ranked, start=1)
    )
    return NetworkReport(metric, actors, None if found is None else tuple(found))


def scores(network: nx.DiGraph, metric: Metric) -> dict[str, float]:
    """The metric's value for every actor, rounded to 6 places.

    Raises:
        UsageError: unknown metric.
    """
    if metric == "pagerank":
        values = pagerank(network)
    elif metric == "degree":
        values = nx.degree_centrality(_ties(network)) if len(network) > 1 else {}
    elif metric == "betweenness":
        values = nx.betweenness_centrality(_ties(network), normalized=True)
    else:
        raise UsageError(f"Unknown metric {metric!r}: use one of {', '.join(METRICS)}.")
    return {node: round(values.get(node, 0.0), 6) for node in network}


def pagerank(
    network: nx.DiGraph, alpha: float = PAGERANK_ALPHA, tol: float = 1e-12
) -> dict[str, float]:
    """Weighted PageRank by power iteration, as networkx defines it.

    networkx's own ``pagerank`` needs SciPy; this is the same algorithm (rank of
    actors without out-ties spread evenly) in plain Python.
    """
    n = len(network)
    if n == 0:
        return {}
    out = {u: network.out_degree(u, weight="weight") for u in network}
    rank = dict.fromkeys(network, 1.0 / n)
    for _ in range(1000):
        spread = alpha * sum(rank[u] for u in network if not out[u]) / n
        new = dict.fromkeys(network, (1.0 - alpha) / n + spread)
        for u, v, weight in network.edges(data="weight", default=1):
            new[v] += alpha * rank[u] * weight / out[u]
        if sum(abs(new[x] - rank[x]) for x in network) < n * tol:
            return new
        rank = new
    logger.warning("PageRank did not converge in 1000 rounds; ranks are approximate")
    return rank


def find_communities(
    network: nx.DiGraph,
    centrality: dict[str, float] | None = None,
    *,
    seed: int = LOUVAIN_SEED,
) -> list[Community]:
    """Louvain communities of the undirected, event-weighted network.

    Ties count whatever their stance: two states that fight a lot end up together,
    as they would in any interaction network. Actors without ties belong to no
    community.

    Args:
        network: from :func:`kg.analysis.graphs.actor_network`.
        centrality: orders members within a community (default: by label).
        seed: Louvain's random seed.
    """
    ties = _ties(network)
    ties.remove_nodes_from(list(nx.isolates(ties)))
    parts = nx.community.louvain_communities(ties, weight="weight", seed=seed)
    centrality = centrality or {}

    def member_key(node: str) -> tuple[float, str, str]:
        return (-centrality.get(node, 0.0), network.nodes[node]["label"], node)

    found = []
    for part in parts:
        members = sorted(part, key=member_key)
        inside = int(ties.subgraph(part).size(weight="weight"))
        found.append((members, inside))
    found.sort(key=lambda f: (-len(f[0]), -f[1], member_key(f[0][0])))
    return [
        Community(
            number=i,
            size=len(members),
            events=inside,
            members=tuple(network.nodes[m]["label"] for m in members),
            iris=tuple(members),
        )
        for i, (members, inside) in enumerate(found, start=1)
    ]


def dyad_months(rows: Iterable[EventRow], *, top: int | None = 20) -> list[DyadMonth]:
    """Cooperation and conflict of each directed dyad, month by month.

    Args:
        rows: events from :func:`kg.analysis.graphs.load_events`; those without a target
            or without any date are left out.
        top: keep the dyads with the most events (all their months); None for all.

    Returns:
        Busiest dyad first, each dyad's months in order.
    """
    by_dyad: dict[tuple[str, str], dict[str, list[EventRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        if row.target is not None and row.when is not None:
            month = row.when.strftime("%Y-%m")
            by_dyad[row.source.iri, row.target.iri][month].append(row)
    dyads = sorted(by_dyad.items(), key=_dyad_key)
    result = []
    for _, months in dyads[:top] if top else dyads:
        for month, events in sorted(months.items()):
            result.append(_dyad_month(month, events))
    return result


def format_report(report: NetworkReport, fmt: Format = "table") -> str:
    """The ranking (and communities) as a table, CSV or JSON."""
    with_communities = report.communities is not None
    rows = [_score_dict(a, report.metric, with_communities) for a in report.actors]
    if fmt == "json":
        data: dict = {"metric": report.metric, "actors": rows}
        if report.communities is not None:
            data["communities"] = [asdict(c) for c in report.communities]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(rows, _score_columns(report))
    shown = [c for c in _score_columns(report) if c != "iri"]
    tables = [_table(rows, shown, f"Actors by {report.metric}")]
    if report.communities:
        tables.append(_community_table(report.communities))
    return _render(tables)


def format_dyads(periods: list[DyadMonth], fmt: Format = "table") -> str:
    """Dyad-months as a table, CSV or JSON."""
    rows = [asdict(p) for p in periods]
    columns = list(DyadMonth.__dataclass_fields__)
    if fmt == "json":
        return json.dumps({"dyads": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(rows, columns)
    shown = [c for c in columns if not c.endswith("_iri")]
    title = "Cooperation and conflict by dyad and month"
    return _render([_table(rows, shown, title)])


# --- helpers --------------------------------------------------------------------


def _ties(network: nx.DiGraph) -> nx.Graph:
    """The network undirected, a pair's weights summed, without self-loops."""
    ties = nx.Graph()
    ties.add_nodes_from(network)
    for u, v, weight in network.edges(data="weight", default=1):
        if u != v:
            old = ties.edges[u, v]["weight"] if ties.has_edge(u, v) else 0
            ties.add_edge(u, v, weight=old + weight)
    return ties


def _rank_key(network: nx.DiGraph, values: dict, node: str) -> tuple:
    data = network.nodes[node]
    return (-values[node], -data.get("events", 0), data.get("label", ""), node)


def _actor_score(
    network: nx.DiGraph, node: str, rank: int, score: float, community: int | None
) -> ActorScore:
    data = network.nodes[node]
    edges = [*network.in_edges(node, data=True), *network.out_edges(node, data=True)]
    if network.has_edge(node, node):  # a self-loop is both in and out: count once
        edges.remove((node, node, network.edges[node, node]))
    partners = (set(network.predecessors(node)) | set(network.successors(node))) - {
        node
    }
    return ActorScore(
        rank=rank,
        iri=node,
        label=data.get("label", node),
        kind=data.get("kind", "Actor"),
        country=data.get("country"),
        score=score,
        events=data.get("events", 0),
        partners=len(partners),
        cooperation=sum(d["cooperation"] for _, _, d in edges),
        conflict=sum(d["conflict"] for _, _, d in edges),
        community=community,
    )


def _dyad_key(item: tuple) -> tuple:
    """Busiest first; ties by source and target label, then IRI."""
    (source, target), months = item
    total = sum(len(events) for events in months.values())
    first = next(iter(months.values()))[0]
    return (-total, first.source.label, first.target.label, source, target)


def _dyad_month(month: str, events: list[EventRow]) -> DyadMonth:
    summary = dyad_summary(events)
    goldstein = summary.get("goldstein_mean")
    return DyadMonth(
        source=events[0].source.label,
        target=events[0].target.label if events[0].target else "",
        month=month,
        events=len(events),
        cooperation=int(summary["cooperation"]),
        conflict=int(summary["conflict"]),
        balance=float(summary["balance"]),
        goldstein_mean=None if goldstein is None else float(goldstein),
        source_iri=events[0].source.iri,
        target_iri=events[0].target.iri if events[0].target else "",
    )


def _score_columns(report: NetworkReport) -> list[str]:
    columns = ["rank", "label", "kind", "country", report.metric, "events"]
    columns += ["partners", "cooperation", "conflict"]
    if report.communities is not None:
        columns.append("community")
    return [*columns, "iri"]


def _score_dict(actor: ActorScore, metric: str, communities: bool) -> dict:
    """The actor as a row, its score under the metric's name."""
    row = asdict(actor)
    row[metric] = row.pop("score")
    if not communities:
        del row["community"]
    return row


def _csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: "" if v is None else defused(v) for k, v in r.items()} for r in rows
    )
    return out.getvalue()


def _table(rows: list[dict], columns: list[str], title: str) -> Table:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    return table


def _community_table(communities: tuple[Community, ...]) -> Table:
    table = Table("community", "size", "events", "members", title="Communities")
    for c in communities:
        shown = ", ".join(c.members[:8]) + (", ..." if c.size > 8 else "")
        table.add_row(str(c.number), str(c.size), str(c.events), shown)
    return table


def _render(tables: list[Table], width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, no_color=True, highlight=False, markup=False
    )
    for table in tables:
        console.print(table)
    return buffer.getvalue()
