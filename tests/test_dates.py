"""Resolving date expressions against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extraction.dates import resolve_date

THURSDAY = date(2024, 3, 7)  # a Thursday
NEW_YEAR = date(2024, 1, 5)  # a Friday, early in the year


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("Monday", THURSDAY, "2024-03-04"),
        ("on Monday", THURSDAY, "2024-03-04"),
        ("Monday morning", THURSDAY, "2024-03-04"),
        ("early Monday", THURSDAY, "2024-03-04"),
        ("late on Tuesday", THURSDAY, "2024-03-05"),
        ("Sunday", THURSDAY, "2024-03-03"),
        ("Friday", THURSDAY, "2024-03-01"),  # the last Friday, not tomorrow
        ("Thursday", THURSDAY, "2024-03-07"),  # the paper's own day
        ("last Thursday", THURSDAY, "2024-02-29"),  # a week before, not today
        ("past Thursday", THURSDAY, "2024-02-29"),
        ("last Monday", THURSDAY, "2024-03-04"),
    ],
)
def test_dates_weekdays_resolve_to_the_latest_such_day(text, anchor, expected):
    assert resolve_date(text, anchor) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", "2024-03-06"),
        ("today", "2024-03-07"),
        ("tonight", "2024-03-07"),
        ("tomorrow", "2024-03-08"),
        ("late yesterday", "2024-03-06"),
    ],
)
def test_dates_relative_days(text, expected):
    assert resolve_date(text, THURSDAY) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("7 July 2019", THURSDAY, "2019-07-07"),
        ("July 7, 2019", THURSDAY, "2019-07-07"),
        ("2019-01-21", THURSDAY, "2019-01-21"),
        ("March 3", THURSDAY, "2024-03-03"),  # year from the anchor
        ("Monday, March 4", THURSDAY, "2024-03-04"),
        ("Jan. 3", NEW_YEAR, "2024-01-03"),
        ("December 28", NEW_YEAR, "2023-12-28"),  # the past December, not the next
    ],
)
def test_dates_explicit_dates_with_and_without_year(text, anchor, expected):
    assert resolve_date(text, anchor) == expected


@pytest.mark.parametrize(
    "text",
    [
        "last week",
        "this week",
        "earlier this month",
        "recently",
        "three days ago",
        "the weekend",
        "March",
        "2019",
        "in recent years",
        "last summer",
    ],
)
def test_dates_vague_expressions_give_none(text):
    assert resolve_date(text, THURSDAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday", None),
        ("last Thursday", None),
        ("yesterday", None),
        ("March 3", None),  # no year and nothing to take it from
        ("7 July 2019", "2019-07-07"),
        ("2019-01-21", "2019-01-21"),
    ],
)
def test_dates_without_anchor_only_absolute_dates_resolve(text, expected):
    assert resolve_date(text, None) == expected


@pytest.mark.parametrize("text", ["next Monday", "Monday next week"])
def test_dates_next_weekday_is_not_in_the_past(text):
    assert resolve_date(text, THURSDAY) in (None, "2024-03-11")
