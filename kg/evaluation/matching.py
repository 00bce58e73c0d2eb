"""Which system item is which gold item: the match rules and one-to-one matching.

The predicates say when one system event or entity may stand for one gold item;
:func:`match_items` pairs them one-to-one per article, required gold first, so a score
counts each gold item at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kg.evaluation.gold import GoldEvent, GoldName
from kg.evaluation.keys import cameo_root, day, iso3
from kg.records import Entity, Event

S = TypeVar("S")
G = TypeVar("G", bound="GoldName | GoldEvent")


# --------------------------------------------------------------------- predicates
def _actor_matches(actor: Entity | None, gold: GoldName) -> bool:
    """Same name, or the same country code (a country stands for its government)."""
    if actor is None:
        return False
    if gold.matches_name(actor.name):
        return True
    code = iso3(actor.country)
    return code is not None and code == iso3(gold.country)


def _any_actor(actor: Entity | None, golds: Iterable[GoldName]) -> bool:
    return any(_actor_matches(actor, g) for g in golds)


def lenient_match(event: Event, gold: GoldEvent) -> bool:
    """Right root, source and (when the gold has one) target; swapped if symmetric."""
    if cameo_root(event.cameo) not in gold.roots:
        return False
    if _any_actor(event.source, gold.sources) and (
        gold.target is None or _any_actor(event.target, gold.targets)
    ):
        return True
    return (
        gold.symmetric
        and gold.target is not None
        and _any_actor(event.target, gold.sources)
        and _any_actor(event.source, gold.targets)
    )


def place_matches(place: Entity | None, gold: GoldName | None) -> bool:
    """A null gold place is not checked; a country-level one also matches by code."""
    if gold is None:
        return True
    if place is None:
        return False
    if gold.matches_name(place.name):
        return True
    code = iso3(place.country)
    return gold.kind == "country" and code is not None and code == iso3(gold.country)


def _date_matches(date: str | None, gold: GoldEvent) -> bool:
    if not gold.date:
        return True
    return day(date) in {gold.date, *gold.alt_dates}


def strict_match(event: Event, gold: GoldEvent) -> bool:
    """A lenient match whose place and date are right too."""
    return (
        lenient_match(event, gold)
        and place_matches(event.location, gold.location)
        and _date_matches(event.date, gold)
    )


def entity_match(entity: Entity, gold: GoldName) -> bool:
    """An entity matches a gold entity by name alone (kinds are not compared)."""
    return gold.matches_name(entity.name)


# --------------------------------------------------------------------- matching
@dataclass(frozen=True)
class Match:
    """One-to-one matching of system items to gold items, by index."""

    pairs: tuple[tuple[int, int], ...]  # (system index, required gold index)
    false: tuple[int, ...]
    missed: tuple[int, ...]
    required: int
    ignored: int


def _max_matching(
    left: Sequence[int], right: Sequence[int], ok: Callable[[int, int], bool]
) -> dict[int, int]:
    """Maximum bipartite matching by augmenting paths; returns left -> right.

    Items with the fewest candidates go first, so ties between equally large
    matchings resolve as in the corpus scorer.
    """
    candidates = {i: [j for j in right if ok(i, j)] for i in left}
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in sorted(left, key=lambda i: len(candidates[i])):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def match_items(
    system: Sequence[S],
    gold: Sequence[G],
    ok: Callable[[S, G], bool],
) -> Match:
    """Match required gold first, then let optional and joint gold absorb the rest."""
    required = [j for j, g in enumerate(gold) if not g.optional]
    optional = [j for j, g in enumerate(gold) if g.optional]
    first = _max_matching(
        range(len(system)), required, lambda i, j: ok(system[i], gold[j])
    )
    rest = [i for i in range(len(system)) if i not in first]
    second = _max_matching(rest, optional, lambda i, j: ok(system[i], gold[j]))
    joint = [j for j in (*first.values(), *second.values()) if _is_joint(gold[j])]
    leftover = [i for i in rest if i not in second]
    false = [i for i in leftover if not any(ok(system[i], gold[j]) for j in joint)]
    found = set(first.values())
    return Match(
        pairs=tuple(first.items()),
        false=tuple(false),
        missed=tuple(j for j in required if j not in found),
        required=len(required),
        ignored=len(second) + len(leftover) - len(false),
    )


def _is_joint(gold: GoldName | GoldEvent) -> bool:
    return isinstance(gold, GoldEvent) and gold.joint
