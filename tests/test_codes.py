"""CAMEO-style actor codes: the state plus a sector."""

from __future__ import annotations

import pytest

from kg.extraction.codes import actor_code, sector_of


@pytest.mark.parametrize(
    ("role", "country", "expected"),
    [
        ("President", "UKR", "UKRGOV"),
        ("Prime Minister", "POL", "POLGOV"),
        ("Foreign Minister", "RUS", "RUSGOV"),
        ("peace envoy", "USA", "USAGOV"),
        ("General", "RUS", "RUSMIL"),
        ("army commander", "SDN", "SDNMIL"),
        ("opposition leader", "BLR", "BLROPP"),  # narrower sector wins over GOV
        pytest.param("Attorney General", "USA", "USAJUD"),
        pytest.param("Secretary-General", "KEN", "KENGOV"),
        (None, "KEN", "KEN"),  # a state's person, no role: the bare ISO3
        (None, None, None),
        ("President", None, None),  # a sector alone says nothing for a person
    ],
)
def test_codes_person_role_gives_sector(role, country, expected):
    assert actor_code("person", "Any Name", country, role) == expected


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("Kenyan police", "KEN", "KENCOP"),
        ("KGB", "BLR", "BLRCOP"),
        ("Interior Ministry", "UKR", "UKRCOP"),  # police before government
        ("Defence Ministry", "UKR", "UKRMIL"),
        ("Pentagon", "USA", "USAMIL"),
        ("Iraqi Parliament", "IRQ", "IRQGOV"),
        ("Supreme Court", "USA", "USAJUD"),
        ("Al Jazeera", "QAT", "QATMED"),
        ("Reuters", None, "MED"),
        ("Gazprom Bank", "RUS", "RUSBUS"),
        ("Acme Corporation", None, "BUS"),
        ("Acme", "FRA", "FRA"),
        ("Acme", None, None),
        ("Supreme Court", None, None),  # a state sector without a state
    ],
)
def test_codes_body_sector_from_its_name(name, country, expected):
    assert actor_code("organization", name, country) == expected


@pytest.mark.parametrize(
    ("kind", "name", "country", "known", "expected"),
    [
        ("organization", "NATO", None, "IGO", "IGO"),
        ("organization", "United Nations", None, "IGO", "IGO"),
        ("organization", "Amnesty International", None, "NGO", "NGO"),
        ("group", "Taliban", "AFG", "REB", "AFGREB"),
        ("group", "Islamic State", None, "REB", "REB"),
        ("group", "Wagner Group", "RUS", "MIL", "RUSMIL"),
        ("group", "Tigrayan rebels", None, None, "REB"),
        ("group", "Kurds", None, None, None),
    ],
)
def test_codes_known_bodies_and_groups(kind, name, country, known, expected):
    assert actor_code(kind, name, country, None, known) == expected


@pytest.mark.parametrize(
    ("kind", "name", "country", "expected"),
    [
        ("country", "Ukraine", "UKR", "UKR"),
        ("country", "Kremlin", "RUS", "RUS"),  # a seat is its state, no sector
        ("location", "Kyiv", "UKR", None),
        ("location", "Red Sea", None, None),
    ],
)
def test_codes_states_and_places(kind, name, country, expected):
    assert actor_code(kind, name, country) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deputy Prime Minister", "GOV"),
        ("coast guard", "COP"),
        ("REBELS", "REB"),
        ("journalist", "MED"),
        ("armistice", None),  # "army" must match as a word, not inside one
        ("", None),
    ],
)
def test_codes_sector_of_matches_whole_words(text, expected):
    assert sector_of(text) == expected


@pytest.mark.parametrize(("role", "expected"), [("Gen.", "USAMIL"), ("Col.", "USAMIL")])
def test_codes_abbreviated_military_rank_is_mil(role, expected):
    assert actor_code("person", "Mark Milley", "USA", role) == expected
