"""Datelines and titles: the article's place, no wire-service actors, leads
dated from their own day, officials given the state their title names.

The fixture sentences are written for the project; the sample tests read only
``data/articles`` (the user's own sample).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers.paths import DATA
from spacy.tokens import Doc

from kg.extraction import gazetteer
from kg.extraction.dates import resolve_date
from kg.extraction.mentions import WIRE_AGENCIES, find_datelines
from kg.read import iter_articles
from kg.records import Article, Event


def _doc(nlp, text: str, anchor: str | None = None) -> Doc:
    """The text through the whole pipeline, anchored as ``kg extract`` does."""
    doc = nlp.make_doc(text)
    doc._.kg_anchor = date.fromisoformat(anchor) if anchor else None
    return nlp(doc)


def _lead_events(doc: Doc) -> list[Event]:
    """Events coded in the sentence that follows the first dateline."""
    lead = doc[find_datelines(doc)[0].span.end :][0]
    while lead.is_space:
        lead = doc[lead.i + 1]
    return [e for e in doc._.kg_events if e.start == lead.sent.start_char]


# -- parsing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city", "day", "credit"),
    [
        ("MOSCOW, June 18 - Russia protested.", "MOSCOW", "June 18", None),
        (
            "MOSCOW, June 18 (Reuters) - Russia protested.",
            "MOSCOW",
            "June 18",
            "Reuters",
        ),
        ("LIMA (AP) \u2014 Peru protested.", "LIMA", None, "AP"),
        (
            "ANKARA, Sept. 3, 2024 (AFP) -- Turkey protested.",
            "ANKARA",
            "Sept. 3, 2024",
            "AFP",
        ),
        (
            "WELLINGTON, 14 August (AAP) - New Zealand protested.",
            "WELLINGTON",
            "14 August",
            "AAP",
        ),
        (
            "SPRINGFIELD, Ill., June 18 (AP) \u2014 Crowds marched.",
            "SPRINGFIELD",
            "June 18",
            "AP",
        ),
        (
            "WASHINGTON/LONDON, May 2 (Reuters) - Talks ended.",
            "WASHINGTON",
            "May 2",
            "Reuters",
        ),
        ("Kyiv \u2013 Ukraine protested.", "Kyiv", None, None),
        (
            "Trade talks resume\nHANOI, Jan 9 (Xinhua) - Vietnam protested.",
            "HANOI",
            "Jan 9",
            "Xinhua",
        ),
    ],
)
def test_datelines_parse_city_day_and_credit(nlp, text, city, day, credit):
    (found,) = find_datelines(nlp.make_doc(text))
    assert found.city.text == city
    assert (found.date.text if found.date else None) == day
    assert (found.credit.text if found.credit else None) == credit
    assert found.span[-1].text in ("-", "--", "\u2013", "\u2014")


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine \u2013 US talks resume in Geneva",  # a state, not a dateline city
        "Egypt and Sudan, May 21 - the two states signed a deal.",
        "Officials in Kyiv said the talks would resume - eventually.",
        "Peru-Bolivia border reopens",
        "Tuesday, June 18 - the talks resume.",
    ],
)
def test_datelines_other_openers_are_not_datelines(nlp, text):
    assert find_datelines(nlp.make_doc(text)) == []


def test_datelines_found_before_parsing_are_those_of_the_parsed_doc(nlp):
    """The search runs once, before the parser, and its offsets are kept with
    the Doc; the parsed Doc gives the same datelines as a fresh search."""
    text = "Harbour news\nLISBON, March 4 (Reuters) - Portugal recalled its envoy."

    def parts(doc: Doc) -> list[tuple]:
        return [
            (
                d.span.text,
                d.city.text,
                d.date and d.date.text,
                d.credit and d.credit.text,
            )
            for d in find_datelines(doc)
        ]

    expected = [("LISBON, March 4 (Reuters) -", "LISBON", "March 4", "Reuters")]
    assert parts(nlp.make_doc(text)) == expected
    parsed = _doc(nlp, text, "2024-03-05")
    assert parts(parsed) == expected
    assert [d.city.label_ for d in find_datelines(parsed)] == ["GPE"]
    assert "Reuters" not in {e.name for e in parsed._.kg_entities}


def test_datelines_known_wire_services_include_the_big_ones():
    for name in ("Reuters", "AP", "AFP", "Associated Press", "Xinhua", "TASS", "EFE"):
        assert gazetteer.normalise(name) in WIRE_AGENCIES


# -- wire credits, place, lead and its date --------------------------------

#: text, publication date, dateline place (name, ISO3), the lead's event
#: (CAMEO, source, target) and the day it is dated to.
CREDITED = [
    (
        "NAIROBI, March 4 (Reuters) - Kenya recalled its ambassador to Uganda on "
        "Monday after a dispute over a border island, the foreign ministry said.",
        "2025-03-04",
        ("Nairobi", "KEN"),
        ("161", "Kenya", "Uganda"),
        "2025-03-03",
    ),
    (
        "LIMA (AP) \u2014 Peru expelled a Bolivian diplomat on Friday, accusing him "
        "of meddling in the election.",
        "2025-05-10",
        ("Lima", "PER"),
        ("166", "Peru", "Bolivia"),
        "2025-05-09",
    ),
    (
        "BERLIN, Oct 7 (AFP) - Germany praised Poland on Monday for its handling "
        "of the border crisis.",
        "2025-10-07",
        ("Berlin", "DEU"),
        ("051", "Germany", "Poland"),
        "2025-10-06",
    ),
    (
        "WELLINGTON, 14 August (AAP) - New Zealand criticised China on Thursday "
        "over its military drills.",
        "2025-08-15",
        ("Wellington", "NZL"),
        ("111", "New Zealand", "China"),
        "2025-08-14",
    ),
    (
        "HANOI, Jan 9 (Xinhua) - Vietnam signed a trade agreement with Laos on "
        "Wednesday.",
        "2025-01-09",
        ("Hanoi", "VNM"),
        ("057", "Vietnam", "Laos"),
        "2025-01-08",
    ),
]


@pytest.mark.parametrize(("text", "anchor", "place", "event", "day"), CREDITED)
def test_datelines_credit_is_no_actor(nlp, text, anchor, place, event, day):
    doc = _doc(nlp, text, anchor)
    names = {gazetteer.normalise(e.name) for e in doc._.kg_entities}
    aliases = {gazetteer.normalise(a) for e in doc._.kg_entities for a in e.aliases}
    assert not (names | aliases) & WIRE_AGENCIES
    for e in doc._.kg_events:
        assert gazetteer.normalise(e.source.name) not in WIRE_AGENCIES


@pytest.mark.parametrize(("text", "anchor", "place", "event", "day"), CREDITED)
def test_datelines_city_is_the_article_place(nlp, text, anchor, place, event, day):
    found = _doc(nlp, text, anchor)._.kg_dateline_place
    assert found is not None
    assert (found.kind, found.name, found.country) == ("location", *place)
    assert found.geonames_id is not None  # linked like any other place


@pytest.mark.parametrize(("text", "anchor", "place", "event", "day"), CREDITED)
def test_datelines_lead_event_dated_from_its_own_day(
    nlp, text, anchor, place, event, day
):
    leads = _lead_events(_doc(nlp, text, anchor))
    found = {(e.cameo, e.source.name, e.target and e.target.name) for e in leads}
    assert event in found
    assert {e.date for e in leads} == {day}


@pytest.mark.parametrize(("text", "anchor", "place", "event", "day"), CREDITED)
def test_datelines_dateline_is_never_the_leads_subject(
    nlp, text, anchor, place, event, day
):
    doc = _doc(nlp, text, anchor)
    (dateline,) = find_datelines(doc)
    lead = doc[dateline.span.end]
    assert lead.is_sent_start
    assert all(t.sent.start < lead.i for t in dateline.span)
    assert not any(t.dep_ in ("nsubj", "nsubjpass") for t in dateline.span)


def test_datelines_no_own_day_no_date(nlp):
    """The dateline's day is the filing day: a past event without a day of
    its own is left undated."""
    doc = _doc(
        nlp,
        "SEOUL, July 8 (Yonhap) - South Korea criticised Japan over a dispute "
        "about school textbooks.",
        "2025-07-08",
    )
    leads = _lead_events(doc)
    assert [(e.cameo, e.source.name, e.target and e.target.name) for e in leads] == [
        ("111", "South Korea", "Japan")
    ]
    assert leads[0].date is None


def test_datelines_headline_present_keeps_the_publication_day(nlp):
    doc = _doc(
        nlp,
        "QUITO, Nov. 12 (EFE) - Ecuador accuses Colombia of harbouring rebels",
        "2025-11-12",
    )
    assert [(e.cameo, e.date) for e in _lead_events(doc)] == [("112", "2025-11-12")]


def test_datelines_year_anchors_an_undated_article(nlp):
    doc = _doc(
        nlp,
        "ANKARA, Sept. 3, 2024 (AFP) -- Turkey condemned an Israeli air strike "
        "on a school in Gaza on Monday.",
    )
    assert ("111", "2024-09-02") in {(e.cameo, e.date) for e in _lead_events(doc)}


def test_datelines_wire_service_can_act_elsewhere(nlp):
    doc = _doc(nlp, "Iran accused Reuters of spreading false reports.", "2025-02-01")
    assert ("112", "Iran", "Reuters") in {
        (e.cameo, e.source.name, e.target and e.target.name) for e in doc._.kg_events
    }


def test_datelines_crowd_takes_the_dateline_state(nlp):
    doc = _doc(
        nlp,
        "BELGRADE, March 16 - Thousands marched on Saturday against the "
        "government's new media law.",
        "2025-03-16",
    )
    (event,) = _lead_events(doc)
    assert (event.root, event.source.country, event.date) == ("14", "SRB", "2025-03-15")


# -- titles ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Georgian Foreign Minister Ilia Darchiashvili met Armenian Foreign "
            "Minister Ararat Mirzoyan in Yerevan.",
            {"Ilia Darchiashvili": "GEO", "Ararat Mirzoyan": "ARM"},
        ),
        (
            "The Foreign Minister of Kenya, Musalia Mudavadi, met Japan's Prime "
            "Minister Shigeru Ishiba in Tokyo.",
            {"Musalia Mudavadi": "KEN", "Shigeru Ishiba": "JPN"},
        ),
        (
            "Uruguayan President Yamandu Orsi spoke with his Brazilian counterpart "
            "Luiz Inacio Lula da Silva.",
            {"Yamandu Orsi": "URY", "Luiz Inacio Lula da Silva": "BRA"},
        ),
        (
            "Indian Foreign Ministry spokesman Randhir Jaiswal criticised Pakistan.",
            {"Randhir Jaiswal": "IND"},
        ),
        (
            "The Prime Minister of Australia, Anthony Albanese, praised New Zealand.",
            {"Anthony Albanese": "AUS"},
        ),
    ],
)
def test_datelines_title_gives_the_official_a_state(nlp, text, expected):
    people = {
        e.name: (e.country, e.role)
        for e in _doc(nlp, text)._.kg_entities
        if e.kind == "person"
    }
    assert {name: people[name][0] for name in expected} == expected
    assert all(people[name][1] for name in expected)


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        (
            "Rubio spoke with Philippine Foreign Secretary Enrique Manalo by phone.",
            {"Philippine Foreign", "Philippine"},
        ),
        (
            "The Council of the European Union extended sanctions on Iran. The "
            "Council said the measures would last a year.",
            {"Council"},
        ),
    ],
)
def test_datelines_title_fragments_are_no_actors(nlp, text, junk):
    names = {e.name for e in _doc(nlp, text)._.kg_entities}
    assert not names & junk


# -- the bundled sample -----------------------------------------------------

#: Every official (a person with a role) of the sample, by article: the ISO3
#: their title names ("Philippine Foreign Secretary", "U.S. Secretary of
#: State"), or None where it names no state ("EU foreign policy chief",
#: "Foreign Secretary", "a Houthi military spokesman").
OFFICIALS: dict[str, dict[str, str | None]] = {
    "china-philippines-statement": {
        "Lin Jian": "CHN",
        "Ferdinand Marcos Jr.": "PHL",
        "Marco Rubio": "USA",
        "Enrique Manalo": "PHL",
    },
    "egypt-sudan-agreement": {
        "Badr Abdelatty": "EGY",
        "Abdel Fattah al-Sisi": "EGY",
    },
    "eu-belarus-sanctions": {
        "Radoslaw Sikorski": "POL",
        "Kaja Kallas": None,
        "Alexander Lukashenko": None,
        "Sviatlana Tsikhanouskaya": None,
    },
    "ethiopia-somalia-ankara-talks": {
        "Gedion Timothewos": "ETH",
        "Ahmed Moallim Fiqi": "SOM",
        "Hakan Fidan": "TUR",
    },
    "russia-expels-uk-diplomats": {"David Lammy": None},
    "kenya-haiti-police": {"William Ruto": "KEN", "Antonio Guterres": None},
    "greece-turkey-talks": {
        "Hakan Fidan": "TUR",
        "Giorgos Gerapetritis": "GRC",
        "Kyriakos Mitsotakis": "GRC",
        "Recep Tayyip Erdogan": "TUR",
    },
    "japan-aid-sudan": {"Takeshi Iwaya": "JPN", "Cindy McCain": None},
    "red-sea-ship-attack": {"Yahya Saree": None},
    "tbilisi-protest": {
        "Salome Zourabichvili": None,
        "Irakli Kobakhidze": None,
        "Kaja Kallas": None,
    },
    "ukraine-us-talks": {
        "Volodymyr Zelenskiy": "UKR",
        "Donald Trump": "USA",
        "Steve Witkoff": None,
        "Jared Kushner": None,
    },
}

#: Where each sample article was filed: its dateline's city.
PLACES = {
    "china-philippines-statement": ("Beijing", "CHN"),
    "egypt-sudan-agreement": ("Cairo", "EGY"),
    "eu-belarus-sanctions": ("Brussels", "BEL"),
    "ethiopia-somalia-ankara-talks": ("Ankara", "TUR"),
    "russia-expels-uk-diplomats": ("Moscow", "RUS"),
    "kenya-haiti-police": ("Nairobi", "KEN"),
    "greece-turkey-talks": ("Athens", "GRC"),
    "japan-aid-sudan": ("Tokyo", "JPN"),
    "red-sea-ship-attack": ("Dubai", "ARE"),
    "tbilisi-protest": ("Tbilisi", "GEO"),
    "ukraine-us-talks": ("Kyiv", "UKR"),
}

#: The lead's event of each `CITY, Mon DD -` article: CAMEO root, the source
#: (its state, or its name for a body of no state) and the day of its own
#: "on Tuesday", never the dateline's day.
LEADS = {
    "china-philippines-statement": ("11", "CHN", "2025-06-09"),
    "egypt-sudan-agreement": ("05", "EGY", "2025-05-20"),
    "eu-belarus-sanctions": ("16", "European Union", "2025-02-25"),
    "ethiopia-somalia-ankara-talks": ("04", "ETH", "2025-06-12"),
    "russia-expels-uk-diplomats": ("16", "RUS", "2025-06-17"),
    "kenya-haiti-police": ("15", "KEN", "2025-06-19"),
    "greece-turkey-talks": ("04", "TUR", "2025-03-10"),
    "japan-aid-sudan": ("03", "JPN", "2025-04-16"),
    "red-sea-ship-attack": ("19", "YEM", "2025-01-12"),
    "tbilisi-protest": ("14", "GEO", "2024-12-01"),
}


@pytest.fixture(scope="module")
def sample(nlp) -> dict[str, tuple[Article, Doc]]:
    """Every article of data/articles through the pipeline, by id."""
    out = {}
    for article in iter_articles([DATA]):
        assert isinstance(article, Article)
        doc = nlp.make_doc(article.text)
        doc._.kg_anchor = article.date
        out[article.id] = (article, nlp(doc))
    return out


def _doc_of(sample: dict[str, tuple[Article, Doc]], key: str) -> Doc:
    return sample[key][1]


def _filed(doc: Doc, article: Article) -> str | None:
    """The day of a text-opening dated dateline ("June 18" in a 2025 article)."""
    found = find_datelines(doc)
    if not found or found[0].span.start_char != 0 or found[0].date is None:
        return None
    return resolve_date(found[0].date.text, article.date)


def test_datelines_sample_is_all_covered(sample):
    """The tables below name every sample article, and LEADS every one that
    opens with `CITY, Mon DD -` (filed on its publication day)."""
    assert set(sample) == set(OFFICIALS) == set(PLACES)
    opening = {key: _filed(doc, article) for key, (article, doc) in sample.items()}
    assert {key for key, day in opening.items() if day} == set(LEADS)
    for key in LEADS:
        assert opening[key] == sample[key][0].date.isoformat()


@pytest.mark.parametrize("key", sorted(OFFICIALS))
def test_datelines_sample_officials_have_their_title_state(sample, key):
    officials = {
        e.name: e.country
        for e in _doc_of(sample, key)._.kg_entities
        if e.kind == "person" and e.role
    }
    expected = OFFICIALS[key]
    assert set(officials) == set(expected)
    stated = {name: iso3 for name, iso3 in expected.items() if iso3}
    assert {name: officials[name] for name in stated} == stated


@pytest.mark.parametrize("key", sorted(PLACES))
def test_datelines_sample_dateline_city_is_the_place(sample, key):
    place = _doc_of(sample, key)._.kg_dateline_place
    assert place is not None
    assert (place.kind, place.name, place.country) == ("location", *PLACES[key])


@pytest.mark.parametrize("key", sorted(LEADS))
def test_datelines_sample_lead_event_found_and_dated_by_its_day(sample, key):
    article, doc = sample[key]
    root, who, day = LEADS[key]
    leads = _lead_events(doc)
    assert any(
        e.root == root and who in (e.source.name, e.source.country) for e in leads
    ), [(e.cameo, e.source.name) for e in leads]
    assert day != _filed(doc, article)
    assert {e.date for e in leads} == {day}
