"""Known political people: whose state a name stands for when no title says so.

News names leaders bare ("Erdogan accused Israel …", "Trump said …"); the
title that gives a person a state ("Turkish President …") is often absent, and
GDELT/ICEWS code such a person as their state's government. The table in
``data/people.jsonl`` lists heads of state and government, ministers, party and
armed-group leaders of 2000–2025 with the offices they held; it only fills a
state (and, for a dated article, the office then held) that the article's own
words did not give.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extraction.gazetteer import normalise
from kg.extraction.lexicon import data_rows


@dataclass(frozen=True)
class Office:
    """An office held from year ``start`` to ``end`` (None: still held)."""

    role: str
    start: int
    end: int | None

    def held_in(self, year: int) -> bool:
        return self.start <= year <= (self.end if self.end is not None else 9999)


@dataclass(frozen=True)
class KnownPerson:
    """A row of ``data/people.jsonl``."""

    name: str
    country: str
    offices: tuple[Office, ...]

    def role_on(self, day: dt.date | None) -> str | None:
        """The office held in the year of ``day`` (the latest begun, if two)."""
        office = self._office(day) if day is not None else None
        return office.role if office else None

    def state_on(self, day: dt.date | None) -> str | None:
        """The state the person acts for: none while heading or serving a body
        of states ("UN Secretary-General Guterres" speaks for the UN, not for
        Portugal, as GDELT/ICEWS code it). Undated, the latest office decides."""
        office = self._office(day)
        return None if office and _international(office.role) else self.country

    def _office(self, day: dt.date | None) -> Office | None:
        """The latest begun of the offices held in ``day``'s year (of all, undated)."""
        held = [o for o in self.offices if day is None or o.held_in(day.year)]
        return max(held, key=lambda o: o.start, default=None)


#: A regnal number ends a monarch's name ("albert ii"), not a surname.
_REGNAL = re.compile(r"[ivx]+")


def _first_and_last(key: str) -> str | None:
    """ "antony j blinken" → "antony blinken": the press drops middle names
    (not a regnal number: "albert ii" is no short form of "king albert ii")."""
    words = key.split()
    if len(words) < 3 or _REGNAL.fullmatch(words[-1]):
        return None
    return f"{words[0]} {words[-1]}"


#: Offices at a body of states, whose holders act for the body: the UN and its
#: agencies, alliances and regional organisations, international courts and
#: lenders. A state's envoy to such a body ("UN Ambassador") acts for the state.
_BODY_OF_STATES = re.compile(
    r"\b(UN|U\.N\.|United Nations|UNHCR|UNICEF|UNRWA|WFP|WHO|IAEA|IMF|World Bank"
    r"|WTO|ICC|Interpol|NATO|OSCE|OAS|African Union|AU Commission|Arab League"
    r"|ASEAN|GCC|ECOWAS|SADC|EAC|CARICOM|UNASUR|Commonwealth)\b"
)


def _international(role: str) -> bool:
    """An office at a body of states, not a state's envoy to one."""
    return bool(_BODY_OF_STATES.search(role)) and not _STATE_AT_BODY.search(role)


#: A state's own people at a body of states: its envoys, and the minister or
#: head of state who chairs the body in turn.
_STATE_AT_BODY = re.compile(
    r"Ambassador|Representative to|Envoy to|Observer|Chairman-in-Office"
    r"|ECOWAS Chairman"
)


@lru_cache(maxsize=1)
def _index() -> dict[str, KnownPerson]:
    """Name key → person. The listed names and forms come first; a form made
    by dropping middle names ("Pedro Sánchez" of a longer name) never hides a
    listed one. A key that two people share names their state only when both
    are of the same one (then no office is told); of different states, the
    name alone cannot say which one an article means."""
    listed: dict[str, list[KnownPerson]] = {}
    shortened: dict[str, list[KnownPerson]] = {}
    for row in data_rows("people.jsonl"):
        person = KnownPerson(
            row["name"],
            row["country"],
            tuple(Office(r["role"], r["from"], r["to"]) for r in row["roles"]),
        )
        keys = {normalise(n) for n in (row["name"], *row["aliases"])} - {""}
        for key in sorted(keys):
            listed.setdefault(key, []).append(person)
        for key in sorted({k for key in keys if (k := _first_and_last(key))}):
            shortened.setdefault(key, []).append(person)
    index: dict[str, KnownPerson] = {}
    for key, people in [*listed.items(), *shortened.items()]:
        if key in index:
            continue
        if len(people) == 1:
            index[key] = people[0]
        elif len({p.country for p in people}) == 1:
            index[key] = KnownPerson(key, people[0].country, ())
    return index


def known_person(name: str) -> KnownPerson | None:
    """The listed person this name (full, without middle names, or a listed
    short form such as "Lula") stands for, if the name is not shared."""
    key = normalise(name)
    index = _index()
    if key in index:
        return index[key]
    shorter = _first_and_last(key)
    return index.get(shorter) if shorter else None
