"""Events as flat records for the HTML views, and the filters the views share.

The graph view and the map read the same facts (type names, quad class, date,
sentence, article, actors, place and its coordinates) and accept the same
command-line filters, so both read them here once. Everything is read with a
few DISTINCT (subject, key, value) queries: over a union of article graphs a
triple appears once per graph, and joining many optional facts in one query
would multiply those copies.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Dataset, Graph

from kg.errors import UsageError
from kg.rdf.namespaces import CAMEO, sparql_prologue

logger = logging.getLogger(__name__)

#: GDELT's QuadClass of a CAMEO root, used only when the graph carries no
#: kg:quadClass (e.g. a Turtle file without the ontology): 01-04 verbal
#: cooperation, 05-08 material cooperation, 09-13 verbal, 14-20 material conflict.
_QUAD_BOUNDS = ((4, "1"), (8, "2"), (13, "3"), (20, "4"))
COOPERATION_QUADS = frozenset({"1", "2"})
CONFLICT_QUADS = frozenset({"3", "4"})

_EVENT_FACTS_QUERY = """
SELECT DISTINCT ?subject ?key ?value
WHERE {
  VALUES (?property ?key) {
    (kg:eventType "type") (kg:date "date") (kg:trigger "trigger")
    (kg:sentence "sentence") (kg:fromArticle "article")
    (kg:sourceActor "source") (kg:targetActor "target") (kg:place "place")
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
  } UNION {
    ?subject skos:broader* ?top . ?top kg:quadClass ?value . BIND ("quad" AS ?key)
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
    (kg:role "role") (kg:alias "alias") (kg:latitude "lat") (kg:longitude "lon")
  }
  ?subject a ?class ; ?property ?value .
}
"""

Facts = dict[str, dict[str, set[str]]]


@dataclass(frozen=True)
class EventData:
    """Events as flat records and the actors and places they link to, by IRI.

    An event record holds its own facts (``type``, ``date``, ``sentence``,
    ``source``, ``target``, ``place``...), its article's (``articleTitle``,
    ``url``) and its type's (``code``, ``typeName``, ``rootCode``,
    ``rootName``, ``quad``). Where a fact has several values the smallest wins,
    so the output does not depend on store order.
    """

    events: dict[str, dict[str, str]]
    entities: Facts

    def links(self) -> list[tuple[str, str, str]]:
        """(event, role, actor-or-place) triples, sorted so output is stable."""
        return sorted(
            (iri, role, record[role])
            for iri, record in self.events.items()
            for role in ("source", "target", "place")
            if role in record
        )

    def label(self, iri: str) -> str:
        labels = self.entities.get(iri, {}).get("label")
        return min(labels) if labels else iri


@dataclass(frozen=True)
class ViewFilter:
    """Which events a view shows; every criterion given must hold.

    ``since``/``until`` compare ISO date prefixes (``2019``, ``2019-01``,
    ``2019-01-24``), so an undated event is left out when either is set.
    ``types`` are CAMEO codes or roots (an event matches if its code starts
    with one); names match an actor's or place's label or alias, ignoring case,
    and a whole label also matches by substring; ``countries`` are ISO alpha-3
    (or alpha-2) codes of the source, target or place.
    """

    since: str | None = None
    until: str | None = None
    types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    _checked: bool = field(default=False, repr=False, compare=False)

    def describe(self) -> str:
        """One line for the page, e.g. ``since 2019-01, type 19``."""
        parts = [f"since {self.since}"] if self.since else []
        parts += [f"until {self.until}"] if self.until else []
        for name, values in (
            ("type", self.types),
            ("actor", self.actors),
            ("country", self.countries),
            ("place", self.places),
        ):
            if values:
                parts.append(f"{name} {' or '.join(values)}")
        return ", ".join(parts)


def read_event_data(graph: Graph | Dataset) -> EventData:
    """Read every typed event with its article, type, actors and place.

    Args:
        graph: Article graphs (a Dataset is read as the union of its named
            graphs); include the ontology graph to get CAMEO names and quad
            classes (without it, codes stand in for names).

    Returns:
        The events and the entities they link to.
    """
    view = _union_view(graph)
    articles = _facts(view, _ARTICLE_FACTS_QUERY)
    types = _facts(view, _TYPE_FACTS_QUERY)
    roots = _facts(view, _ROOT_NAMES_QUERY)
    events = {}
    for iri, facts in sorted(_facts(view, _EVENT_FACTS_QUERY).items()):
        if not facts.get("type"):
            continue  # an untyped event has nothing to be drawn as
        record = _first(facts)
        record.update(_first(articles.get(record.get("article", ""), {})))
        record.update(_first(types.get(record["type"], {})))
        record.update(_first(roots.get(record.get("root", ""), {})))
        _complete_type(record)
        events[iri] = record
    linked = {r[k] for r in events.values() for k in ("source", "target", "place")
              if k in r}  # fmt: skip
    entities = _facts(view, _ENTITY_FACTS_QUERY)
    kept: Facts = {iri: entities.get(iri, defaultdict(set)) for iri in sorted(linked)}
    return EventData(events=events, entities=kept)


def _union_view(graph: Graph | Dataset) -> Graph:
    """Read a Dataset as the union of its graphs without changing the caller's."""
    if isinstance(graph, Dataset) and not graph.default_union:
        return Dataset(store=graph.store, default_union=True)
    return graph


def _facts(graph: Graph, query: str) -> Facts:
    """subject -> key -> values, from one of the constant queries above."""
    facts: Facts = defaultdict(lambda: defaultdict(set))
    for row in graph.query(sparql_prologue() + query):
        subject, key, value = row
        facts[str(subject)][str(key)].add(str(value))
    return facts


def _first(facts: dict[str, set[str]]) -> dict[str, str]:
    return {key: min(values) for key, values in facts.items() if values}


def _complete_type(record: dict[str, str]) -> None:
    """Fill code, names and quad class from the type IRI when the graph lacks them."""
    code = record.get("code") or cameo_code(record["type"])
    record["code"] = code
    record.setdefault("typeName", code)
    root_code = cameo_code(record["root"]) if "root" in record else code[:2]
    record["rootCode"] = root_code
    record.setdefault("rootName", root_code)
    if "quad" not in record and root_code.isdigit():
        quad = next((q for top, q in _QUAD_BOUNDS if int(root_code) <= top), None)
        if quad and int(root_code) >= 1:
            record["quad"] = quad


def cameo_code(iri: str) -> str:
    """The CAMEO code of a concept IRI (its local name), or the IRI if foreign."""
    return iri[len(CAMEO) :] if iri.startswith(str(CAMEO)) else iri


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def check_filter(spec: ViewFilter) -> ViewFilter:
    """Validate and normalise a filter: ISO dates, numeric codes, alpha-3 countries.

    Raises:
        UsageError: a date, CAMEO code or country code is malformed or unknown.
    """
    for name, value in (("--since", spec.since), ("--until", spec.until)):
        if value is not None and not _DATE.fullmatch(value):
            raise UsageError(
                f"{name} {value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"
            )
    types = tuple(_type_code(t) for t in spec.types)
    countries = tuple(_alpha3(c) for c in spec.countries)
    return ViewFilter(
        spec.since, spec.until, types, spec.actors, countries, spec.places, True
    )


def _type_code(text: str) -> str:
    code = text.strip().removeprefix("cameo:")
    if not code.isdigit() or not 1 <= len(code) <= 4:
        raise UsageError(
            f"--type {text!r} is not a CAMEO code; give a root like 19 or a "
            "code like 190 (see ontology/cameo.ttl)"
        )
    return code.zfill(2)


def _alpha3(text: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_3=text.upper()) or (
        pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    )
    if country is None:
        raise UsageError(
            f"--country {text!r} is not an ISO 3166 country code; use alpha-3 "
            "like UKR (or alpha-2 like UA)"
        )
    return country.alpha_3


def filter_events(data: EventData, spec: ViewFilter) -> EventData:
    """The events that meet every criterion of ``spec``, and their entities.

    Raises:
        UsageError: the filter is malformed (see :func:`check_filter`).
    """
    spec = spec if spec._checked else check_filter(spec)
    actor_ids = _matching(data, spec.actors) if spec.actors else None
    place_ids = _matching(data, spec.places) if spec.places else None
    kept = {
        iri: record
        for iri, record in data.events.items()
        if _dated(record, spec)
        and _typed(record, spec.types)
        and (actor_ids is None or _has(record, ("source", "target"), actor_ids))
        and (place_ids is None or _has(record, ("place",), place_ids))
        and _in_countries(data, record, spec.countries)
    }
    return _restrict(data, kept)


def _restrict(data: EventData, events: dict[str, dict[str, str]]) -> EventData:
    linked = {r[k] for r in events.values() for k in ("source", "target", "place")
              if k in r}  # fmt: skip
    entities = {iri: facts for iri, facts in data.entities.items() if iri in linked}
    return EventData(events=events, entities=entities)


def _dated(record: dict[str, str], spec: ViewFilter) -> bool:
    if spec.since is None and spec.until is None:
        return True
    date = record.get("date")
    if date is None:
        return False
    if spec.since is not None and date[: len(spec.since)] < spec.since:
        return False
    return spec.until is None or date[: len(spec.until)] <= spec.until


def _typed(record: dict[str, str], types: tuple[str, ...]) -> bool:
    return not types or any(record["code"].startswith(t) for t in types)


def _has(record: dict[str, str], roles: tuple[str, ...], ids: set[str]) -> bool:
    return any(record.get(role) in ids for role in roles)


def _in_countries(data: EventData, record: dict[str, str], codes: tuple) -> bool:
    if not codes:
        return True
    for role in ("source", "target", "place"):
        facts = data.entities.get(record.get(role, ""), {})
        if facts.get("countryCode", set()) & set(codes):
            return True
    return False


def _matching(data: EventData, names: tuple[str, ...]) -> set[str]:
    """Entities whose label or alias equals a name, or whose label contains it."""
    wanted = [name.casefold() for name in names]
    found = set()
    for iri, facts in data.entities.items():
        labels = {v.casefold() for v in facts.get("label", set())}
        aliases = {v.casefold() for v in facts.get("alias", set())}
        for name in wanted:
            if name in labels | aliases or any(name in label for label in labels):
                found.add(iri)
    return found


def find_actor(data: EventData, name: str) -> str:
    """The one actor a name means: an exact label or alias first, else a substring.

    Raises:
        UsageError: no actor, or several, match the name.
    """
    folded = name.casefold()
    exact = [
        iri
        for iri, facts in data.entities.items()
        if folded
        in {v.casefold() for v in facts.get("label", set()) | facts.get("alias", set())}
    ]
    matches = exact or sorted(_matching(data, (name,)))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(
            f"no actor named {name!r} takes part in the selected events; check "
            "the spelling with `kg stats` or widen the filters"
        )
    shown = ", ".join(sorted(data.label(iri) for iri in matches)[:8])
    raise UsageError(
        f"{name!r} matches {len(matches)} actors ({shown}); give the full name"
    )


def ego_events(data: EventData, centre: str, hops: int) -> EventData:
    """Events among the actors within ``hops`` steps of ``centre``.

    Two actors are one step apart when an event links them as source and
    target; an event is kept when all its actors are in the neighbourhood.
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    for record in data.events.values():
        if "source" in record and "target" in record:
            neighbours[record["source"]].add(record["target"])
            neighbours[record["target"]].add(record["source"])
    reached, frontier = {centre}, {centre}
    for _step in range(hops):
        frontier = {n for a in frontier for n in neighbours[a]} - reached
        reached |= frontier
    kept = {
        iri: record
        for iri, record in data.events.items()
        if record.get("source") in reached
        and record.get("target", record.get("source")) in reached
    }
    return _restrict(data, kept)
