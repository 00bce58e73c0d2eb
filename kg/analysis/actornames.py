"""Whether an ``--actor`` (or ``--place``) name names one in the store, else the
closest names.

A name that matches no actor would filter every event out and leave an empty
table or page with nothing to say why; it is refused instead, with the actor
labels and aliases nearest to it (difflib) so the user can retype it. Places
are checked the same way against the places events happened at.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pyoxigraph as ox

from kg.analysis.filters import words_match
from kg.errors import UsageError
from kg.rdf.namespaces import prefix_map
from kg.store import Store
from kg.store.sparql import solutions

_ACTORS = """
SELECT DISTINCT ?actor ?label ?code ?alias WHERE {
  { ?event kg:sourceActor ?actor } UNION { ?event kg:targetActor ?actor }
  OPTIONAL { ?actor rdfs:label ?label }
  OPTIONAL { ?actor kg:actorCode ?code }
  OPTIONAL { ?actor kg:alias ?alias }
}
"""

_PLACES = """
SELECT DISTINCT ?place ?label ?id ?alias WHERE {
  ?event kg:place ?place .
  OPTIONAL { ?place rdfs:label ?label }
  OPTIONAL { ?place kg:geonamesId ?id }
  OPTIONAL { ?place kg:alias ?alias }
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
    wanted = list(names)
    if not wanted:
        return
    actors: dict[str, tuple[str, str]] = {}  # IRI -> (label, code)
    spellings: dict[str, str] = {}  # casefolded label or alias -> as written
    for row in solutions(store.query(_ACTORS, prefixes=prefix_map())):
        iri = row["actor"].value
        label, code, alias = (_text(row[key]) for key in ("label", "code", "alias"))
        actors[iri] = (label or iri, code)
        for spelling in (label, alias):
            if spelling:
                spellings.setdefault(spelling.casefold(), spelling)
    for name in wanted:
        if not any(_named(name, iri, *facts) for iri, facts in actors.items()):
            raise UsageError(_unknown(name, spellings, option))


def check_places(store: Store, names: Iterable[str], option: str = "--place") -> None:
    """Refuse the first name that matches no place an event happened at.

    A name matches as the event filter matches it: the place's IRI, its
    GeoNames id or whole words of its label (``_place_named``).

    Raises:
        UsageError: a name matches no place; the message lists the closest
            labels and aliases.
    """
    wanted = list(names)
    if not wanted:
        return
    places: dict[str, tuple[str, str]] = {}  # IRI -> (label, GeoNames id)
    spellings: dict[str, str] = {}
    for row in solutions(store.query(_PLACES, prefixes=prefix_map())):
        iri = row["place"].value
        label, gid, alias = (_text(row[key]) for key in ("label", "id", "alias"))
        places[iri] = (label or iri, gid)
        for spelling in (label, alias):
            if spelling:
                spellings.setdefault(spelling.casefold(), spelling)
    for name in wanted:
        if not any(_place(name, iri, *facts) for iri, facts in places.items()):
            raise UsageError(_unknown(name, spellings, option, "place of an event"))


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
