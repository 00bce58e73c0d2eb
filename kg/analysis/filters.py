"""Which events a view keeps: :class:`EventFilter` and the rules it is made of.

Every export, graph, table and map filters with the same class, so ``--since``,
``--type`` or ``--min-confidence`` mean one thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.analysis.rows import ActorInfo, EventRow, PlaceInfo
from kg.errors import UsageError

#: The default modality filter: only events the text states as having happened.
ASSERTED: frozenset[str] = frozenset({"asserted"})

_CAMEO_CODE = re.compile(r"(?:cameo:)?([0-9]{2,4})")
_ISO_PREFIX = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


@dataclass(frozen=True)
class EventFilter:
    """Which events to keep: every criterion given must hold, and within one
    criterion any of its values may match.

    Attributes:
        since, until: inclusive bounds on :attr:`EventRow.when`, as ISO dates or
            prefixes ("2019", "2019-01", "2019-01-24"); undated events are
            dropped when either is set.
        types: CAMEO codes or roots ("04", "043", "cameo:190"); a code matches
            itself and every finer code under it.
        actors: an actor's IRI, its actor code ("UKRGOV") or whole words of its
            label ("zelenskiy"), on either side of the event.
        countries: ISO 3166-1 alpha-3 (or alpha-2) codes of source, target or place.
        places: a place's IRI, GeoNames id or whole words of its label.
        modalities: modalities to keep (an event without one counts as
            "asserted"); None keeps every event.
        min_confidence: keep events whose kg:confidence is at least this (a
            probability in [0, 1]); an event without a confidence is then
            dropped. None keeps every event.

    Raises:
        UsageError: a date that is not a real calendar date, a CAMEO code not
            in the scheme, a country code that names no country, since after
            until, or a minimum confidence outside [0, 1].
    """

    since: str | dt.date | None = None
    until: str | dt.date | None = None
    types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    modalities: frozenset[str] | None = ASSERTED
    min_confidence: float | None = None

    def __post_init__(self) -> None:
        if self.min_confidence is not None:
            object.__setattr__(
                self, "min_confidence", check_probability(self.min_confidence)
            )
        for bound in (self.since, self.until):
            if bound is not None and not isinstance(bound, dt.date):
                check_date(str(bound))
        for code in self.types:
            check_cameo(code)
        countries = tuple(check_country(code) for code in self.countries)
        object.__setattr__(self, "countries", countries)
        since, until = str(self.since or ""), str(self.until or "9999")
        if since[: len(until)] > until:
            raise UsageError(f"since ({since}) is after until ({until}); swap them.")

    def matches(self, row: EventRow) -> bool:
        """Whether ``row`` passes every criterion of this filter."""
        return (
            self._in_time(row.when)
            and (self.modalities is None or row.modality in self.modalities)
            and _any(self.types, lambda t: row.cameo.code.startswith(_code(t)))
            and _any(self.actors, lambda name: _any_actor_named(row, name))
            and _any(self.countries, lambda iso: iso in _countries(row))
            and _any(self.places, lambda name: _place_named(row.place, name))
            and meets_confidence(row.confidence, self.min_confidence)
        )

    def _in_time(self, when: dt.date | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if when is None:
            return False
        day, since, until = when.isoformat(), str(self.since or ""), str(self.until)
        return day[: len(since)] >= since and (
            self.until is None or day[: len(until)] <= until
        )


def check_probability(value: object, name: str = "min_confidence") -> float:
    """``value`` as a float in [0, 1], the range kg:confidence takes.

    Checked once where a minimum enters, so nan (which every comparison would
    silently fail, dropping all events) or 1.5 (which keeps none) is refused
    with a message instead of giving an empty result.

    Raises:
        UsageError: not a number, not finite, or outside [0, 1].
    """
    try:
        # any object may come in: float() refusing it is part of the check
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not 0.0 <= number <= 1.0:  # nan fails both
        raise UsageError(
            f"{name} {value!r} is not a probability: give a number from 0 to 1, "
            "such as 0.8."
        )
    return number


def check_date(text: str) -> str:
    """``text`` if it is a real calendar date or month or year (YYYY[-MM[-DD]]).

    "2025-13" and "2025-06-31" have the right shape but name no day, so a filter
    on them would silently keep nothing; they are refused here instead.

    Raises:
        UsageError: not of that shape, or no such month or day.
    """
    if _ISO_PREFIX.fullmatch(text):
        year, month, day = (text.split("-") + ["01", "01"])[:3]
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError as err:
            raise UsageError(
                f"{text!r} is not a calendar date ({err}): give a real YYYY, "
                "YYYY-MM or YYYY-MM-DD, such as 2025-06-30."
            ) from None
        return text
    raise UsageError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")


def check_cameo(text: str) -> str:
    """The digits of a CAMEO code that exists in the scheme ("cameo:190" -> "190").

    Raises:
        UsageError: not 2 to 4 digits, or no such code in the CAMEO scheme.
    """
    from kg.rdf.ontology import cameo_labels

    code = _code(text)
    if code not in cameo_labels():
        raise UsageError(
            f"{text!r} is not a CAMEO code in the scheme: give a root 01 to 20 or a "
            "finer code under one, such as 043 or 190."
        )
    return code


def check_country(text: str) -> str:
    """An ISO 3166-1 country code as upper-case alpha-3 (alpha-2 is converted).

    The codes are those a cookbook ``country`` parameter takes: pycountry's,
    plus those kg's extractor assigns (XKX, Kosovo).

    Raises:
        UsageError: not the code of a country.
    """
    from kg.query.cookbook import country_codes

    code = _alpha3((text,))[0]
    if code not in country_codes():
        raise UsageError(
            f"{text!r} is not an ISO 3166-1 country code: give an existing "
            "alpha-3 code, such as UKR or USA."
        )
    return code


def meets_confidence(confidence: float | None, minimum: float | None) -> bool:
    """Whether an event's confidence passes a minimum; the one rule every view uses.

    No minimum keeps every event; with one, an event without a confidence is
    dropped, since nothing says it is likely enough.
    """
    if minimum is None:
        return True
    return confidence is not None and confidence >= minimum


def _any(values: tuple[str, ...], test: Callable[[str], bool]) -> bool:
    """True when no values were given, else whether any passes ``test``."""
    return not values or any(test(value) for value in values)


def _code(text: str) -> str:
    """The digits of a CAMEO code as a filter takes it ("cameo:043" -> "043").

    Raises:
        UsageError: ``text`` is not 2 to 4 digits, optionally after "cameo:".
    """
    match = _CAMEO_CODE.fullmatch(text)
    if match is None:
        raise UsageError(
            f"{text!r} is not a CAMEO code: give 2 to 4 digits, such as "
            "'04' (a root) or '043'."
        )
    return match.group(1)


def _alpha3(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Country codes as upper-case alpha-3; alpha-2 codes are converted.

    Raises:
        UsageError: a code that is not an ISO 3166-1 country.
    """
    import pycountry

    result = []
    for code in codes:
        if re.fullmatch(r"[A-Za-z]{2}", code):
            country = pycountry.countries.get(alpha_2=code.upper())
            code = country.alpha_3 if country else code
        if not re.fullmatch(r"[A-Za-z]{3}", code):
            raise UsageError(
                f"{code!r} is not an ISO 3166-1 country code: use three letters, "
                "such as UKR or USA."
            )
        result.append(code.upper())
    return tuple(result)


def _actor_named(actor: ActorInfo, name: str) -> bool:
    return (
        actor.iri == name
        or (actor.code or "").casefold() == name.casefold()
        or words_match(name, actor.label)
    )


def _any_actor_named(row: EventRow, name: str) -> bool:
    return any(_actor_named(actor, name) for actor in row.actors)


def _place_named(place: PlaceInfo | None, name: str) -> bool:
    if place is None:
        return False
    return (
        place.iri == name
        or str(place.geonames_id) == name.strip()
        or words_match(name, place.label)
    )


def _countries(row: EventRow) -> set[str | None]:
    places = () if row.place is None else (row.place.country,)
    return {actor.country for actor in row.actors} | set(places)


def words_match(query: str, text: str) -> bool:
    """Whether ``query`` appears in ``text`` as whole words, ignoring case."""
    pattern = rf"(?<!\w){re.escape(query.casefold())}(?!\w)"
    return re.search(pattern, text.casefold()) is not None


__all__ = [
    "ASSERTED",
    "EventFilter",
    "check_cameo",
    "check_country",
    "check_date",
    "check_probability",
    "meets_confidence",
    "words_match",
]
