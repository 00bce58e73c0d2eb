"""Whether an ``--actor`` (or ``--place``) name names one in the store, else the
closest names.

A name that matches no actor would filter every event out and leave an empty
table or page with nothing to say why; it is refused instead, with the actor
labels and aliases nearest to it (difflib) so the user can retype it. Places
are checked the same way against the places events happened at.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.analysis.filters import words_match
from kg.errors import UsageError
from kg.rdf.namespaces import prefix_map
from kg.store import Store
from kg.store.sparql import solutions

_ACTORS = """
SELECT DISTINCT ?node ?label ?key ?alias WHERE {
  { ?event kg:sourceActor ?node } UNION { ?event kg:targetActor ?node }
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node kg:actorCode ?key }
  OPTIONAL { ?node kg:alias ?alias }
}
"""

_PLACES = """
SELECT DISTINCT ?node ?label ?key ?alias WHERE {
  ?event kg:place ?node .
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node kg:geonamesId ?key }
  OPTIONAL { ?node kg:alias ?alias }
}
"""

#: How many close names an error lists.
SHOWN = 5


def check_actors(store: Store, names: Iterable[str], option: str = "--actor") -> None:
    """Refuse the first name that matches no actor taking part in an event.

    A name matches as the event filter matches it (:class:`EventFilter`): the
    actor's IRI, its actor code (any case) or whole words of its label. An
    actor counts whatever the modality of its events, so a real actor whose
    events are filtered out is a valid filter that matches nothing, not an error.

    Raises:
        UsageError: a name matches no actor; the message lists the closest
            labels and aliases.
    """
    _check(store, _ACTORS, names, _named, option, "actor")


def check_places(store: Store, names: Iterable[str], option: str = "--place") -> None:
    """Refuse the first name that matches no place an event happened at.

    A name matches as the event filter matches it: the place's IRI, its
    GeoNames id or whole words of its label.

    Raises:
        UsageError: a name matches no place; the message lists the closest
            labels and aliases.
    """
    _check(store, _PLACES, names, _place, option, "place of an event")


def _check(
    store: Store,
    query: str,
    names: Iterable[str],
    matches: Callable[[str, str, str, str], bool],
    option: str,
    what: str,
) -> None:
    """Refuse the first name that ``matches`` none of the query's nodes.

    ``query`` gives each node with its label, a key (actor code, GeoNames id)
    and its aliases; ``matches(name, iri, label, key)`` is the event filter's test.
    """
    wanted = list(names)
    if not wanted:
        return
    nodes: dict[str, tuple[str, str]] = {}  # IRI -> (label, key)
    spellings: dict[str, str] = {}  # casefolded label or alias -> as written
    for row in solutions(store.query(query, prefixes=prefix_map())):
        iri = row["node"].value
        label, key, alias = (_text(row[k]) for k in ("label", "key", "alias"))
        nodes[iri] = (label or iri, key)
        for spelling in (label, alias):
            if spelling:
                spellings.setdefault(spelling.casefold(), spelling)
    for name in wanted:
        if not any(matches(name, iri, *facts) for iri, facts in nodes.items()):
            raise UsageError(_unknown(name, spellings, option, what))


def _place(name: str, iri: str, label: str, gid: str) -> bool:
    same_id = gid != "" and gid == name.strip()
    return iri == name or same_id or words_match(name, label)


def _named(name: str, iri: str, label: str, code: str) -> bool:
    return (
        iri == name
        or (code != "" and code.casefold() == name.casefold())
        or words_match(name, label)
    )


def _unknown(
    name: str, spellings: dict[str, str], option: str, what: str = "actor"
) -> str:
    # the near spellings if there are any, else the least far: always a hint
    close = difflib.get_close_matches(
        name.casefold(), list(spellings), n=SHOWN, cutoff=0.5
    ) or difflib.get_close_matches(name.casefold(), list(spellings), n=SHOWN, cutoff=0)
    shown = "; ".join(spellings[key] for key in close)
    hint = f"closest names: {shown}" if shown else f"the store has no {what}s"
    listed = (
        "`kg stats` and `kg network` list actor names"
        if what == "actor"
        else "`kg export --format csv` lists each event's place"
    )
    return f"{option} {name!r} matches no {what} in the store ({hint}); {listed}."


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return "" if term is None else str(getattr(term, "value", term))
