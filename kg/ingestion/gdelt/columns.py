"""The 61 columns of a GDELT 2.0 event export and :func:`parse_row`.

A line is checked whole before any of it is used: its column count, and every
number and date, including columns kg does not keep, so a truncated or shifted
line is reported instead of loading wrong values. The :mod:`kg.ingestion.gdelt`
docstring lists the columns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

_ACTOR = (
    "Code Name CountryCode KnownGroupCode EthnicCode Religion1Code Religion2Code "
    "Type1Code Type2Code Type3Code"
).split()
_GEO = "Type FullName CountryCode ADM1Code ADM2Code Lat Long FeatureID".split()

#: The 61 columns of a GDELT 2.0 event export, in file order.
COLUMNS: tuple[str, ...] = (
    *"GLOBALEVENTID SQLDATE MonthYear Year FractionDate".split(),
    *(f"Actor1{f}" for f in _ACTOR),
    *(f"Actor2{f}" for f in _ACTOR),
    *"IsRootEvent EventCode EventBaseCode EventRootCode QuadClass".split(),
    *"GoldsteinScale NumMentions NumSources NumArticles AvgTone".split(),
    *(f"{g}_{f}" for g in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _GEO),
    "DATEADDED",
    "SOURCEURL",
)
_COL = {name: i for i, name in enumerate(COLUMNS)}

# Numbers as GDELT writes them: ASCII digits, an optional sign, no spaces. int()
# and float() also take "٣" (any Unicode digit), "1_000" and " 7 ", which no
# GDELT file holds, so a line with one is shifted or forged, not a row.
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")

#: ActionGeo_Type -> the gazetteer feature a resolved place must have.
GEO_FEATURE = {1: "country", 2: "region", 3: "city", 4: "city", 5: "region"}


@dataclass(frozen=True)
class ActorFields:
    """The columns of one GDELT actor that kg uses."""

    code: str
    name: str
    country: str  # CAMEO country code
    known_group: str
    type1: str


@dataclass(frozen=True)
class GeoFields:
    """The ActionGeo columns of one GDELT row."""

    type: int
    full_name: str
    country: str  # FIPS 10-4
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class GdeltRow:
    """One validated event-export row, as plain values."""

    event_id: int
    day: date
    actor1: ActorFields | None
    actor2: ActorFields | None
    is_root: bool
    code: str
    num_mentions: int
    num_sources: int
    avg_tone: float
    place: GeoFields | None
    added: datetime
    url: str


def parse_row(line: str) -> GdeltRow:
    """Validate one line of a GDELT 2.0 event export and take the fields kg uses.

    Args:
        line: the line without its newline.

    Raises:
        ValueError: the line is not tab-separated, does not have 61 columns, or a
            field that must be a number or date is not; the message names it.
    """
    if "\t" not in line:
        raise ValueError(
            "not tab-separated (a GDELT 2.0 event export has 61 tab-separated columns)"
        )
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise ValueError(
            f"has {len(fields)} columns, expected {len(COLUMNS)} (GDELT 2.0 event "
            "export; GDELT 1.0 files have 57 or 58)"
        )
    _check_numbers(fields)
    return GdeltRow(
        event_id=_int(fields, "GLOBALEVENTID"),
        day=_date(fields, "SQLDATE", "%Y%m%d").date(),
        actor1=_actor_fields(fields, 1),
        actor2=_actor_fields(fields, 2),
        is_root=_int(fields, "IsRootEvent") == 1,
        code=_event_code(fields),
        num_mentions=_int(fields, "NumMentions"),
        num_sources=_int(fields, "NumSources"),
        avg_tone=_float(fields, "AvgTone"),
        place=_geo_fields(fields),
        added=_date(fields, "DATEADDED", "%Y%m%d%H%M%S"),
        url=_required(fields, "SOURCEURL"),
    )


def _check_numbers(fields: list[str]) -> None:
    """Fail on columns that must be numbers even though kg does not keep them."""
    for name in ("MonthYear", "Year", "QuadClass", "NumArticles"):
        _int(fields, name)
    for name in ("FractionDate", "GoldsteinScale"):
        _float(fields, name)
    if _int(fields, "QuadClass") not in (1, 2, 3, 4):
        raise ValueError(f"QuadClass {fields[_COL['QuadClass']]!r} is not 1-4")


def _required(fields: list[str], name: str) -> str:
    value = fields[_COL[name]].strip()
    if not value:
        raise ValueError(f"{name} is empty")
    return value


def _int(fields: list[str], name: str) -> int:
    """A whole number in ASCII digits (see _INT), else ValueError naming it."""
    value = fields[_COL[name]]
    if not _INT.fullmatch(value) or len(value) > 20:  # 20: any 64-bit number
        raise ValueError(f"{name} {value!r} is not a whole number")
    return int(value)


def _float(fields: list[str], name: str) -> float:
    """A finite decimal number in ASCII (see _FLOAT), else ValueError naming it."""
    value = fields[_COL[name]]
    number = float(value) if _FLOAT.fullmatch(value) else math.nan
    if not math.isfinite(number):
        raise ValueError(f"{name} {value!r} is not a number")
    return number


def _optional_float(fields: list[str], name: str) -> float | None:
    return _float(fields, name) if fields[_COL[name]].strip() else None


def _date(fields: list[str], name: str, pattern: str) -> datetime:
    """A date in exactly ``pattern``'s ASCII digits: strptime alone would take
    "٢٠٢٥٠٣١١" (Arabic-Indic digits) and "2025311" (a one-digit month)."""
    value = fields[_COL[name]]
    digits = sum(4 if code == "Y" else 2 for code in pattern[1::2])  # %Y: 4
    try:
        if not (_DIGITS.fullmatch(value) and len(value) == digits):
            raise ValueError
        return datetime.strptime(value, pattern)
    except ValueError:
        shape = pattern.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        shape = shape.replace("%H", "hh").replace("%M", "mm").replace("%S", "ss")
        raise ValueError(f"{name} {value!r} is not a {shape} date") from None


def _event_code(fields: list[str]) -> str:
    code = fields[_COL["EventCode"]].strip()
    if not (_DIGITS.fullmatch(code) and 2 <= len(code) <= 4):
        raise ValueError(f"EventCode {code!r} is not a CAMEO code (2-4 digits)")
    return code


def _actor_fields(fields: list[str], n: int) -> ActorFields | None:
    """Actor ``n``'s columns, or None when GDELT coded no actor there."""
    code, name = (fields[_COL[f"Actor{n}{f}"]].strip() for f in ("Code", "Name"))
    if not code and not name:
        return None
    return ActorFields(
        code=code,
        name=name or code,
        country=fields[_COL[f"Actor{n}CountryCode"]].strip(),
        known_group=fields[_COL[f"Actor{n}KnownGroupCode"]].strip(),
        type1=fields[_COL[f"Actor{n}Type1Code"]].strip(),
    )


def _geo_fields(fields: list[str]) -> GeoFields | None:
    """The ActionGeo columns, or None when GDELT could not place the event."""
    kind = fields[_COL["ActionGeo_Type"]].strip()
    full_name = fields[_COL["ActionGeo_FullName"]].strip()
    lat = _optional_float(fields, "ActionGeo_Lat")
    lon = _optional_float(fields, "ActionGeo_Long")
    if kind in ("", "0") or not full_name:
        return None
    if not _DIGITS.fullmatch(kind) or int(kind) not in GEO_FEATURE:
        raise ValueError(f"ActionGeo_Type {kind!r} is not 1-5")
    return GeoFields(
        int(kind), full_name, fields[_COL["ActionGeo_CountryCode"]].strip(), lat, lon
    )
