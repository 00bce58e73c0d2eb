"""Counts and precision/recall/F1: the figures of an evaluation report.

Each figure is a small frozen record that adds up with ``+``, so article results
sum into corpus totals without the scoring code repeating the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.evaluation.gold import GoldEvent, GoldName
from kg.records import Entity, Event


def _harmonic_mean(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True)
class Score:
    """Counts and precision/recall/F1 of one kind of item."""

    tp: int = 0
    fp: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _harmonic_mean(self.precision, self.recall)

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.gold + other.gold)


@dataclass(frozen=True)
class RootScore:
    """Lenient scores of one CAMEO root.

    Precision counts system events of this root (``tp_system`` of ``system``); recall
    counts gold events of this root (``tp_gold`` of ``gold``). They differ when an
    ``alt_types`` root matched.
    """

    root: str
    gold: int = 0
    system: int = 0
    tp_gold: int = 0
    tp_system: int = 0

    @property
    def precision(self) -> float:
        return self.tp_system / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _harmonic_mean(self.precision, self.recall)

    def __add__(self, other: RootScore) -> RootScore:
        return RootScore(
            self.root,
            self.gold + other.gold,
            self.system + other.system,
            self.tp_gold + other.tp_gold,
            self.tp_system + other.tp_system,
        )


@dataclass(frozen=True)
class Geocoding:
    """Places of lenient-matched events whose gold names a place.

    A right place counts as a right country too.
    """

    checked: int = 0
    country_right: int = 0
    place_right: int = 0

    @property
    def country_accuracy(self) -> float:
        return self.country_right / self.checked if self.checked else 0.0

    @property
    def place_accuracy(self) -> float:
        return self.place_right / self.checked if self.checked else 0.0

    def __add__(self, other: Geocoding) -> Geocoding:
        return Geocoding(
            self.checked + other.checked,
            self.country_right + other.country_right,
            self.place_right + other.place_right,
        )


@dataclass(frozen=True)
class ArticleResult:
    """Scores of one gold article and what went wrong in it."""

    article: str
    entities: Score
    events: Score
    strict: Score
    ignored_events: int
    ignored_entities: int
    roots: tuple[RootScore, ...]
    geocoding: Geocoding
    invalid_roots: int
    missed_events: tuple[GoldEvent, ...] = ()
    false_events: tuple[Event, ...] = ()
    strict_misses: tuple[GoldEvent, ...] = ()
    missed_entities: tuple[GoldName, ...] = ()
    false_entities: tuple[Entity, ...] = ()
    kind: str | None = None  # the gold's text kind, for scores per kind


@dataclass(frozen=True)
class EvaluationReport:
    """Scores over a gold set.

    Attributes:
        entities, events, strict: entity, lenient-event and strict-event scores.
        per_root: lenient scores of each CAMEO root seen in gold or output.
        geocoding: place accuracy on matched events whose gold has a place.
        ignored_events, ignored_entities: output matching optional gold or
            repeating a joint action; neither right nor wrong.
        flagged: negated, hypothetical or future events left out of scoring.
        invalid_roots: output events without a valid CAMEO root (false alarms).
        entities_derived: no extraction listed entities, so each article's were
            taken from its events' actors and places.
        unknown_articles: extracted articles absent from the gold (not scored).
        articles: per-article results, in gold-id order.
    """

    entities: Score
    events: Score
    strict: Score
    per_root: tuple[RootScore, ...] = ()
    geocoding: Geocoding = field(default_factory=Geocoding)
    ignored_events: int = 0
    ignored_entities: int = 0
    flagged: int = 0
    invalid_roots: int = 0
    entities_derived: bool = False
    unknown_articles: tuple[str, ...] = ()
    articles: tuple[ArticleResult, ...] = ()
