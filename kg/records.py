"""Frozen records passed between the stages of the pipeline.

read → extract → map to RDF → store: each stage takes and returns these, so no stage
depends on another's internals, and nothing is a nested dict of unknown shape.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

EntityKind = Literal["person", "organization", "country", "group", "location", "other"]
ACTOR_KINDS: tuple[str, ...] = ("person", "organization", "country", "group")


@dataclass(frozen=True)
class Article:
    """One news article as read from a file or stream.

    Attributes:
        id: stable identifier (front-matter/JSON ``id``, else derived from the file).
        text: the body the extractor reads (front matter removed).
        title: headline; the first line when the file has no header.
        date: publication date; anchors relative dates such as "on Monday".
        source: publisher or outlet name.
        url: where the article was published.
        origin: file path (and ``:line`` for JSON Lines) it was read from.
        metadata: any further header keys, as (key, value) pairs.
    """

    id: str
    text: str
    title: str = ""
    date: date | None = None
    source: str | None = None
    url: str | None = None
    origin: str = ""
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything that changes the article's graph when edited."""
        h = hashlib.sha256()
        for part in (
            self.id,
            self.title,
            str(self.date or ""),
            self.source or "",
            self.url or "",
            self.text,
        ):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Entity:
    """A resolved actor or place: one per distinct referent in an article.

    Attributes:
        name: canonical name ("Volodymyr Zelenskiy").
        kind: person, organization, country, group, location or other.
        country: ISO 3166-1 alpha-3 code when known.
        aliases: every other surface form seen for it in the article.
        role: title or role stripped from the name ("President"), if any.
        code: CAMEO-style actor code where it can be told: ISO3 plus a sector
            ("UKRGOV", "AFGREB") or "IGO" for international bodies.
        merges: (alias, reason) for each alias folded into this entity, so a
            wrong merge can be seen and undone.
        geonames_id, latitude, longitude: for places, the GeoNames record.
    """

    name: str
    kind: EntityKind
    country: str | None = None
    aliases: tuple[str, ...] = ()
    role: str | None = None
    code: str | None = None
    merges: tuple[tuple[str, str], ...] = ()
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_actor(self) -> bool:
        return self.kind in ACTOR_KINDS


@dataclass(frozen=True)
class Event:
    """One event mention: who did what to whom, where and when, and the evidence.

    Attributes:
        cameo: CAMEO code, 2-digit root or a finer 3–4 digit code ("040", "0311").
        trigger: the words that express the event ("talks", "condemned").
        source: the actor who acts.
        target: the actor acted upon, if any.
        location: where it happened, if the text says.
        date: ISO date (YYYY-MM-DD) when the text pins the day.
        sentence: the evidence sentence, verbatim.
        start, end: character offsets of ``sentence`` in the article text.
        confidence: the extractor's belief in [0, 1].
        trigger_start: character offset of the trigger in the article text.
        modality: "asserted", or "negated" / "hypothetical" / "future" for
            mentions that did not (yet) happen; those are flagged, not dropped.
    """

    cameo: str
    trigger: str
    source: Entity
    target: Entity | None
    location: Entity | None
    date: str | None
    sentence: str
    start: int
    end: int
    confidence: float
    trigger_start: int = 0
    modality: str = "asserted"

    @property
    def root(self) -> str:
        """The 2-digit CAMEO root of :attr:`cameo`."""
        return self.cameo[:2]


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article.

    Attributes:
        dateline: the city the article was filed from (its first wire
            dateline, "MOSCOW, June 18 (Reuters) -"), a "location" entity with
            its GeoNames record, also among ``entities``; None when the article
            has no dateline or its city is not in the gazetteer. It says where
            the reporter was, not where any event happened, so it is kept apart
            from the events' places.
    """

    article: Article
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = field(default=())
    dateline: Entity | None = None

    @property
    def actors(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.is_actor)

    @property
    def places(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "location")
