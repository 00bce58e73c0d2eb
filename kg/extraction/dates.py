"""Resolve date expressions against the article's publication date.

Only expressions that pin a day become dates ("on Monday", "yesterday", "July 7",
"7 July 2019"); vague spans ("last week", "earlier this month", "recently") give
``None`` as analysts and the CAMEO coding rules expect.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_VAGUE = re.compile(
    r"\b(week|weeks|month|months|year|years|decade|recently|ago|season|period|"
    r"weekend|century|era|earlier|later|time|times|days|hours|minutes|since|"
    r"spring|summer|autumn|fall|winter)\b",
    re.IGNORECASE,
)
_RELATIVE = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}


def resolve_date(text: str, anchor: date | None) -> str | None:
    """ISO date for a day-level expression, else ``None``.

    Args:
        text: the DATE entity text, e.g. "Monday", "last Thursday", "July 7".
        anchor: the publication date; without it only absolute dates resolve.
    """
    words = text.lower().replace(",", " ").split()
    for word, offset in _RELATIVE.items():
        if word in words:
            return (anchor + timedelta(days=offset)).isoformat() if anchor else None
    weekday = next((w for w in words if w in WEEKDAYS), None)
    if weekday and len(words) <= 3 and not re.search(r"\d", text):
        if anchor is None:
            return None
        if "next" in words or "coming" in words:  # "next Monday", "Monday next week"
            return _next_weekday(anchor, WEEKDAYS.index(weekday))
        strictly_before = "last" in words or "past" in words
        return _last_weekday(anchor, WEEKDAYS.index(weekday), strictly_before)
    if _VAGUE.search(text) or not re.search(r"\d", text):
        return None
    return _absolute(text, anchor)


def _next_weekday(anchor: date, weekday: int) -> str:
    """The first such weekday after the anchor."""
    delta = (weekday - anchor.weekday()) % 7 or 7
    return (anchor + timedelta(days=delta)).isoformat()


def _last_weekday(anchor: date, weekday: int, strictly_before: bool) -> str:
    """The latest such weekday on or before the anchor (news "on Monday").

    "last Thursday" in a Thursday paper means a week ago, "Thursday" means today.
    """
    delta = (anchor.weekday() - weekday) % 7
    if delta == 0 and strictly_before:
        delta = 7
    return (anchor - timedelta(days=delta)).isoformat()


def _absolute(text: str, anchor: date | None) -> str | None:
    """An explicit calendar date; the year defaults to the anchor's, never to today."""
    if not re.search(r"[A-Za-z]{3,}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", text):
        return None
    parsed = _parse(text, anchor.isoformat() if anchor else None)
    if parsed is None:
        return None
    if anchor is None and not re.search(r"\b\d{4}\b", text):
        return None
    return parsed.date().isoformat()


@lru_cache(maxsize=4096)
def _parse(text: str, anchor_iso: str | None) -> datetime | None:
    import dateparser  # deferred: it loads language data on first use

    base = datetime.fromisoformat(anchor_iso) if anchor_iso else datetime(2000, 1, 1)
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month"],
        "STRICT_PARSING": False,
    }
    return dateparser.parse(text, languages=["en"], settings=settings)
