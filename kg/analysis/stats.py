"""What is in a store: counts of articles, actors, events, and who is most active.

Every count is over the union of all graphs (a set), so an actor described by
several articles counts once. ``kg build`` prints the headline numbers; ``kg stats``
prints them all.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox
from rich.table import Table

from kg.errors import UsageError
from kg.query import shorten
from kg.query.results import plain_console
from kg.rdf.namespaces import CAMEO, KG, ONTOLOGY_GRAPH, prefix_map
from kg.store import Store
from kg.store.sparql import solutions

logger = logging.getLogger(__name__)

ACTOR_CLASSES: tuple[str, ...] = ("Person", "Organization", "Country", "Group")
_PLURALS = {
    "Person": "people",
    "Organization": "organizations",
    "Country": "countries",
    "Group": "groups",
}

_CLASS_COUNTS = (
    "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES ?class { kg:Article "
    "kg:Event kg:Person kg:Organization kg:Country kg:Group kg:Place } ?x a ?class } "
    "GROUP BY ?class"
)
_ANY_ACTOR = (
    "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
    "VALUES ?class { kg:Person kg:Organization kg:Country kg:Group } ?x a ?class }"
)
_EVENT_TYPES = (
    "SELECT ?type (COUNT(DISTINCT ?e) AS ?n) "
    "WHERE { ?e a kg:Event ; kg:eventType ?type } GROUP BY ?type"
)
_ROOT_LABELS = (
    "SELECT ?code (SAMPLE(?label) AS ?name) WHERE { ?root skos:topConceptOf "
    "cameo:scheme ; skos:notation ?code . OPTIONAL { ?root skos:prefLabel ?label "
    'FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") } } GROUP BY ?code'
)
_TOP_ACTORS = """
SELECT ?actor (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?class) (COUNT(DISTINCT ?e) AS ?n)
WHERE {
  ?e a kg:Event .
  { ?e kg:sourceActor ?actor } UNION { ?e kg:targetActor ?actor }
  OPTIONAL { ?actor rdfs:label ?l }
  OPTIONAL { VALUES ?c { kg:Person kg:Organization kg:Country kg:Group } ?actor a ?c }
}
GROUP BY ?actor ORDER BY DESC(?n) STR(?actor) LIMIT ?limit
"""


@dataclass(frozen=True)
class RootCount:
    """Events whose CAMEO type falls under one root ("04" Consult)."""

    code: str
    label: str | None
    events: int


@dataclass(frozen=True)
class ActorCount:
    """An actor and the number of events it takes part in (as source or target)."""

    iri: str
    label: str | None
    kind: str | None
    events: int


@dataclass(frozen=True)
class Stats:
    """Counts over the union of all graphs of a store.

    Attributes:
        articles, events, places: distinct counts.
        triples: distinct triples of the articles, not counting the ontology and
            CAMEO scheme every store carries.
        actors: distinct actors of any class.
        actors_by_class: (class name, count) for Person, Organization, Country, Group.
        events_by_root: one entry per CAMEO root that has events, by code.
        top_actors: most active actors first (ties by IRI).
    """

    articles: int
    events: int
    actors: int
    actors_by_class: tuple[tuple[str, int], ...]
    places: int
    triples: int
    events_by_root: tuple[RootCount, ...]
    top_actors: tuple[ActorCount, ...]


def collect_stats(store: Store, *, top: int = 10) -> Stats:
    """Count what the store holds.

    Args:
        store: the open store.
        top: how many of the most active actors to list; 0 lists them all.
    """
    count = _class_counts(store)
    return Stats(
        articles=count["Article"],
        events=count["Event"],
        actors=_scalar(store, _ANY_ACTOR),
        actors_by_class=tuple((name, count[name]) for name in ACTOR_CLASSES),
        places=count["Place"],
        triples=_data_triples(store),
        events_by_root=events_by_root(store),
        top_actors=top_actors(store, top),
    )


def events_by_root(store: Store) -> tuple[RootCount, ...]:
    """Events per CAMEO root, named from the ontology graph when it is loaded."""
    counts: Counter[str] = Counter()
    for row in _select(store, _EVENT_TYPES):
        counts[_cameo_root(row["type"].value)] += int(row["n"].value)
    labels = {r["code"].value: _value(r["name"]) for r in _select(store, _ROOT_LABELS)}
    return tuple(
        RootCount(code, labels.get(code), n) for code, n in sorted(counts.items())
    )


def top_actors(store: Store, limit: int = 10) -> tuple[ActorCount, ...]:
    """The actors that take part in the most events, most active first.

    ``limit`` 0 lists every actor (as ``kg network --top 0`` does).

    Raises:
        UsageError: ``limit`` is negative.
    """
    if int(limit) < 0:
        raise UsageError(f"top {limit!r} is negative: give 0 (all) or more.")
    # LIMIT cannot take a variable; int() makes sure only a number goes in.
    text = _TOP_ACTORS.replace("LIMIT ?limit", f"LIMIT {int(limit)}" if limit else "")
    return tuple(
        ActorCount(
            iri=row["actor"].value,
            label=_value(row["label"]),
            kind=shorten(row["class"].value) if row["class"] else None,
            events=int(row["n"].value),
        )
        for row in _select(store, text)
    )


def format_stats(stats: Stats, width: int = 100) -> str:
    """Readable text: headline counts, events per CAMEO root, top actors."""
    buffer = io.StringIO()
    console = plain_console(buffer, width)
    console.print(_summary_table(stats))
    if stats.events_by_root:
        roots = Table("CAMEO root", "name", "events", title="Events by type")
        for r in stats.events_by_root:
            roots.add_row(r.code, r.label or "", str(r.events))
        console.print(roots)
    if stats.top_actors:
        actors = Table("actor", "class", "IRI", "events", title="Most active actors")
        for a in stats.top_actors:
            actors.add_row(a.label or "", a.kind or "", shorten(a.iri), str(a.events))
        console.print(actors)
    return buffer.getvalue()


def format_summary(stats: Stats) -> str:
    """One line for ``kg build``: articles, actors, events, places, triples."""
    counts = [
        (stats.articles, "article"),
        (stats.actors, "actor"),
        (stats.events, "event"),
        (stats.places, "place"),
        (stats.triples, "triple"),
    ]
    return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


def _summary_table(stats: Stats) -> Table:
    table = Table("what", "count", title="Store contents")
    rows = [
        ("articles", stats.articles),
        ("events", stats.events),
        ("actors", stats.actors),
    ]
    rows += [(f"  {_PLURALS[name]}", n) for name, n in stats.actors_by_class]
    rows += [("places", stats.places), ("triples", stats.triples)]
    for what, n in rows:
        table.add_row(what, str(n))
    return table


def _cameo_root(type_iri: str) -> str:
    # A CAMEO code's first two digits are its root by definition ("0311" -> "03").
    code = type_iri[len(str(CAMEO)) :] if type_iri.startswith(str(CAMEO)) else type_iri
    return code[:2]


def _class_counts(store: Store) -> dict[str, int]:
    """Distinct instances of each counted kg class, by class name."""
    rows = _select(store, _CLASS_COUNTS)
    per_iri = {r["class"].value: int(r["n"].value) for r in rows}
    names = ("Article", "Event", "Place", *ACTOR_CLASSES)
    return {name: per_iri.get(str(KG[name]), 0) for name in names}


def _scalar(store: Store, text: str) -> int:
    rows = _select(store, text)
    return int(rows[0]["n"].value) if rows else 0


def _data_triples(store: Store) -> int:
    """Distinct triples of the articles: the union less the ontology graph's own.

    Articles never restate ontology triples, so the union's size minus the
    ontology graph's is exactly what the articles add.
    """
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    own = sum(1 for _ in store.quads_for_pattern(None, None, None, ontology))
    return store.triple_count() - own


def _select(store: Store, text: str) -> list[ox.QuerySolution]:
    prefixes = prefix_map()
    return list(solutions(store.query(text, prefixes=prefixes)))


def _value(term: ox.Literal | None) -> str | None:
    return None if term is None else term.value
