"""The records :func:`kg.analysis.eventrows.load_events` builds: one per event.

Frozen and hashable, so graphs, tables and views can share and group them; they
live apart from the reader so a filter or a view can name them without pulling in
the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Stance = Literal["cooperation", "conflict"]


@dataclass(frozen=True)
class ActorInfo:
    """An actor as events name it: IRI, label, class name, ISO3 country, code."""

    iri: str
    label: str
    kind: str
    country: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class PlaceInfo:
    """Where an event happened, with its GeoNames link when it was resolved."""

    iri: str
    label: str
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None


@dataclass(frozen=True)
class CameoType:
    """An event type: CAMEO code and root, their names, quad class, Goldstein."""

    code: str
    label: str
    root: str
    root_label: str
    quad_class: int | None = None
    goldstein: float | None = None

    @property
    def stance(self) -> Stance | None:
        """Cooperation (quad classes 1-2) or conflict (3-4); None if unknown."""
        if self.quad_class is None:
            return None
        return "cooperation" if self.quad_class <= 2 else "conflict"


@dataclass(frozen=True)
class ArticleInfo:
    """The article an event was read from.

    ``dateline`` is the city it was filed from (kg:datelinePlace), so a map can
    place an event the text gives no place of its own, marked as the article's.
    """

    iri: str
    title: str = ""
    url: str = ""
    published: dt.date | None = None
    dateline: PlaceInfo | None = None


@dataclass(frozen=True)
class GdeltFacts:
    """What GDELT said of an event ``kg import-gdelt`` loaded (kg:gdeltEventId,
    kg:isRootEvent, kg:numMentions, kg:avgTone), so an export can say it again."""

    event_id: int
    is_root: bool | None = None
    num_mentions: int | None = None
    avg_tone: float | None = None


@dataclass(frozen=True)
class EventRow:
    """One event with everything the graphs, tables and views show about it."""

    iri: str
    cameo: CameoType
    source: ActorInfo
    target: ActorInfo | None
    place: PlaceInfo | None
    date: dt.date | None
    modality: str
    trigger: str
    sentence: str
    confidence: float | None
    article: ArticleInfo
    gdelt: GdeltFacts | None = None  # only for events imported from GDELT

    @property
    def when(self) -> dt.date | None:
        """The event's date, else its article's: what time filters compare."""
        return self.date or self.article.published

    @property
    def actors(self) -> tuple[ActorInfo, ...]:
        """Source, then target when there is one."""
        return (self.source,) if self.target is None else (self.source, self.target)


__all__ = [
    "ActorInfo",
    "ArticleInfo",
    "CameoType",
    "EventRow",
    "GdeltFacts",
    "PlaceInfo",
    "Stance",
]


#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value: object) -> object:
    """Article text never becomes a spreadsheet formula (CSV injection).

    Every CSV kg writes for people (``kg export --format csv``, ``kg network
    --format csv``, ``--dyads``) passes its cells through here: a text cell
    starting with a formula character gets a leading apostrophe, as OWASP
    advises; numbers (a negative Goldstein score) stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
