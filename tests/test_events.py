"""Event arguments from the parse: who did what to whom, where and when."""

from __future__ import annotations

from datetime import date

import pytest
import spacy
from spacy.tokens import Doc

from kg.extraction import extract
from kg.extraction.events import _conjuncts, _governing_verb, _is_passive
from kg.records import Article, Event


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    """The dependency rules alone: what they read off a parse is what this module
    tests. Their events are the trained coder's candidates and features; the
    coder's own choices are tested in test_coder.py."""
    return rules_nlp


def _events(nlp, text: str, anchor: str | None = None) -> list[Event]:
    day = date.fromisoformat(anchor) if anchor else None
    return list(next(extract([Article(id="t", text=text, date=day)], nlp)).events)


def _triples(events: list[Event]) -> set[tuple[str, str, str | None]]:
    return {
        (e.cameo, e.source.name, e.target.name if e.target else None) for e in events
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia attacked Ukraine.", ("190", "Russia", "Ukraine")),
        ("Ukraine was attacked by Russia.", ("190", "Russia", "Ukraine")),
        (
            "Protesters were arrested by Georgian police in Tbilisi.",
            ("173", "Georgia", None),
        ),
        (
            "The journalist, who was arrested by Iranian police, was freed on Friday.",
            ("173", "Iran", None),
        ),
    ],
)
def test_events_active_and_passive_voice(nlp, text, expected):
    assert _triples(_events(nlp, text)) == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Egypt held talks with Israel in Cairo.", ("040", "Egypt", "Israel")),
        (
            "The European Union imposed sanctions on Iran.",
            ("163", "European Union", "Iran"),
        ),
        (
            "The United States called on Israel to halt the offensive.",
            ("020", "United States", "Israel"),
        ),
        (
            "Washington imposed new sanctions on Moscow.",
            ("163", "United States", "Russia"),
        ),
    ],
)
def test_events_prepositional_targets(nlp, text, expected):
    assert _triples(_events(nlp, text)) == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The attack on Ukraine by Russia drew condemnation.",
            ("190", "Russia", "Ukraine"),
        ),
        (
            "A meeting between Egypt and Qatar took place in Cairo.",
            ("040", "Egypt", "Qatar"),
        ),
    ],
)
def test_events_nominal_event_arguments(nlp, text, expected):
    assert _triples(_events(nlp, text)) == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "France and Germany condemned Russia.",
            {("111", "France", "Russia"), ("111", "Germany", "Russia")},
        ),
        (
            "The United States and Britain imposed sanctions on Iran and Syria.",
            {
                ("163", "United States", "Iran"),
                ("163", "United States", "Syria"),
                ("163", "United Kingdom", "Iran"),
                ("163", "United Kingdom", "Syria"),
            },
        ),
        (
            "U.S. President Donald Trump's special envoy Steve Witkoff and senior "
            "adviser Jared Kushner met Russian President Vladimir Putin in Moscow.",
            {
                ("040", "Steve Witkoff", "Vladimir Putin"),
                ("040", "Jared Kushner", "Vladimir Putin"),
            },
        ),
    ],
)
def test_events_coordinated_actors_one_event_each(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Greek and Turkish diplomats met in Athens.", {("040", "Greece", "Turkey")})],
)
def test_events_coordinated_demonyms_are_two_actors(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Turkey condemned Israel and praised Qatar.",
            {("111", "Turkey", "Israel"), ("051", "Turkey", "Qatar")},
        ),
        (
            "Germany urged Serbia to recognize Kosovo.",
            {("020", "Germany", "Serbia"), ("054", "Serbia", "Kosovo")},
        ),
    ],
)
def test_events_several_events_in_one_sentence(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Iran accused Israel of sabotage, Iranian state television reported.",
            {("112", "Iran", "Israel")},
        ),
        (
            "Germany accused Russia of cyberattacks, the foreign ministry said.",
            {("112", "Germany", "Russia")},
        ),
        (
            "Russia attacked Kharkiv overnight, Zelenskiy said.",
            {("190", "Russia", None)},
        ),
        (
            "Zelenskiy said Russia attacked Ukraine overnight.",
            {("190", "Russia", "Ukraine")},
        ),
    ],
)
def test_events_reported_speech_keeps_the_actor_not_the_reporter(nlp, text, expected):
    """The clause's own subject acts; whoever reports it is not the source."""
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Egypt held talks with Israel.", {("040", "Egypt", "Israel")}),
        (
            "China held military drills off the coast of Taiwan.",
            {("150", "China", "Taiwan")},
        ),
        ("Reuters reported the attack on the convoy.", set()),
        ("Reuters reported that Iran had seized a tanker.", set()),
    ],
)
def test_events_support_verb_lends_its_subject_reporting_verb_does_not(
    nlp, text, expected
):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Egypt held talks with Israel on Monday. Qatar welcomed the talks.",
        "Egypt and Israel held talks in Cairo. The talks ended without a deal.",
    ],
)
def test_events_definite_event_noun_refers_back(nlp, text):
    consults = [e for e in _events(nlp, text) if e.root == "04"]
    assert _triples(consults) == {("040", "Egypt", "Israel")}
    assert len(consults) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("India and Pakistan met in Geneva.", {("040", "India", "Pakistan")}),
        (
            "French President Emmanuel Macron and German Chancellor Olaf Scholz met "
            "in Paris.",
            {("040", "Emmanuel Macron", "Olaf Scholz")},
        ),
    ],
)
def test_events_symmetric_coordination_becomes_source_and_target(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "controlled"),
    [
        ("Germany urged Serbia to recognize Kosovo.", ("054", "Serbia", "Kosovo")),
        (
            "The United States urged Israel to sanction Iran.",
            ("163", "Israel", "Iran"),
        ),
    ],
)
def test_events_object_control_makes_the_object_the_actor(nlp, text, controlled):
    events = _events(nlp, text)
    assert controlled in _triples(events)
    inner = [e for e in events if e.cameo == controlled[0]]
    assert {e.modality for e in inner} == {"hypothetical"}


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Egypt held talks with Israel in Cairo.", "Cairo"),
        ("A meeting between Egypt and Qatar took place in Cairo.", "Cairo"),
        ("China held military drills off the coast of Taiwan.", "Taiwan"),
        ("India and Pakistan met in Geneva.", "Geneva"),
        ("Ukraine was attacked by Russia.", "Ukraine"),  # the target's territory
        # a place phrase inside a place phrase
        ("The Taliban attacked soldiers in an ambush in Kandahar.", "Kandahar"),
        # the name beside a common noun; the owner only when nothing closer
        ("Egypt held talks with Israel in the capital Cairo.", "Cairo"),
        ("Egypt held talks with Israel in Jordan's capital, Amman.", "Amman"),
        # the object of force is where it happens
        ("Israel bombed the city of Rafah.", "Rafah"),
        # the sentence's one town, whichever clause names it
        ("The Taliban attacked a convoy as it left a market in Kandahar.", "Kandahar"),
        # ... or its one state ("in Somalia" hangs from the commander here)
        (
            "An American drone strike targeting a commander in Somalia killed him.",
            "Somalia",
        ),
        # ... but not a town where a report was made
        ("Officials who gathered in Geneva said Russia attacked Ukraine.", "Ukraine"),
    ],
)
def test_events_place(nlp, text, place):
    events = _events(nlp, text)
    assert events
    assert {e.location.name if e.location else None for e in events} == {place}


def test_events_words_are_not_placed_by_another_clause(nlp):
    """A meeting happens somewhere; a criticism in the next clause was not made
    at the meeting's place."""
    text = "France and Germany met in Paris, and China criticised the meeting."
    events = _events(nlp, text)
    places = {e.root: e.location.name if e.location else None for e in events}
    assert places == {"04": "Paris", "11": None}


@pytest.mark.parametrize(
    ("text", "anchor", "day"),
    [
        (
            "Japan and South Korea held talks in Tokyo on Monday.",
            "2024-03-07",
            "2024-03-04",
        ),
        (
            "Japan and South Korea held talks in Tokyo last Thursday.",
            "2024-03-07",
            "2024-02-29",
        ),
        ("Japan condemned North Korea yesterday.", "2024-03-07", "2024-03-06"),
        ("Japan and South Korea held talks in Tokyo on Monday.", None, None),
        ("Japan condemned North Korea on 7 July 2019.", None, "2019-07-07"),
        # the sentence's one day dates another clause, not the agreement
        (
            "Germany and France agreed to a peace plan that will be presented "
            "to Russia on Sunday.",
            "2024-03-08",
            None,
        ),
        (
            "Germany and France agreed on Sunday to a peace plan.",
            "2024-03-08",
            "2024-03-03",
        ),
    ],
)
def test_events_date_from_anchor(nlp, text, anchor, day):
    events = _events(nlp, text, anchor)
    assert events
    assert {e.date for e in events} == {day}


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked a convoy in northern Mali.",
        "Rebels attacked a Malian army base on Tuesday.",
        "The prime minister praised the deal.",
    ],
)
def test_events_no_named_source_no_event(nlp, text):
    assert _events(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "NAIROBI -- Kenyan President William Ruto met Ethiopia's prime minister.",
            {("040", "William Ruto", "Ethiopia")},
        )
    ],
)
def test_events_dateline_subject_hands_over_to_its_apposition(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KYIV, March 3 - Ukraine's foreign minister met his Polish counterpart.",
            ("040", "Ukraine", "Poland"),
        )
    ],
)
def test_events_dateline_city_never_acts(nlp, text, expected):
    events = _events(nlp, text)
    assert [(e.cameo, e.source.name, e.target and e.target.name) for e in events] == [
        expected
    ]


@pytest.mark.parametrize("text", ["Kenya's opposition condemned the arrests."])
def test_events_possessor_is_not_the_actor_of_a_non_state_noun(nlp, text):
    assert not any(
        e.root == "11" and e.source.kind == "country" for e in _events(nlp, text)
    )


def _of_roots(events: list[Event], *roots: str) -> set[tuple[str, str, str | None]]:
    return _triples([e for e in events if e.root in roots])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Iran condemned the strikes by Israel on Syria.",
            {("111", "Iran", "Israel")},
        ),
        (
            "Sweden criticised the terms of the agreement between Iran and Belgium.",
            {("111", "Sweden", "Iran"), ("111", "Sweden", "Belgium")},
        ),
        (
            "Iran dismissed the claims by Israel as baseless.",
            {("120", "Iran", "Israel")},
        ),
        (
            "Peru criticised the report from Amnesty International.",
            {("111", "Peru", "Amnesty International")},
        ),
        (
            "Mexico condemned the killing of a journalist by Colombian soldiers.",
            {("111", "Mexico", "Colombia")},
        ),
        # negative: "from" after a withdrawal, or below an "of", names no author
        (
            "Germany criticised the withdrawal from Afghanistan.",
            {("111", "Germany", None)},
        ),
        (
            "Mexico condemned the killing of a journalist from Colombia.",
            {("111", "Mexico", None)},
        ),
    ],
)
def test_events_blame_targets_the_author_of_the_deed(nlp, text, expected):
    assert _of_roots(_events(nlp, text), "11", "12") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Egypt voiced criticism of Turkey.", {("111", "Egypt", "Turkey")}),
        ("Spain complained about Morocco.", {("114", "Spain", "Morocco")}),
        ("Chile complained about Peru's decision.", {("114", "Chile", "Peru")}),
        # negative: what the blame is about names no actor
        ("Canada condemned the violence over the weekend.", {("111", "Canada", None)}),
        ("Kenya's condemnation of the violence was swift.", {("111", "Kenya", None)}),
    ],
)
def test_events_blame_targets_what_it_is_about(nlp, text, expected):
    assert _of_roots(_events(nlp, text), "11") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "India alleged that Pakistan was sheltering militants.",
            {("112", "India", "Pakistan")},
        ),
        (
            "China warned that Japan would pay a heavy price.",
            {("130", "China", "Japan")},
        ),
        (
            "Greece condemned the decision, saying Turkey's moves violate "
            "international law.",
            {("111", "Greece", "Turkey")},
        ),
        # negative: a pronoun subject, and a rejection's "saying" gives reasons
        ("Japan alleged that he had been mistreated.", {("112", "Japan", None)}),
        (
            "France rejected the claims, saying that Germany had agreed.",
            {("120", "France", None)},
        ),
    ],
)
def test_events_charge_clause_subject_is_the_target(nlp, text, expected):
    assert _of_roots(_events(nlp, text), "11", "12", "13") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hungary faced criticism from the European Union.",
            {("111", "European Union", "Hungary")},
        ),
        ("Ukraine received aid from Germany.", {("070", "Germany", "Ukraine")}),
        (
            "Turkey's decision sparked condemnation from Greece.",
            {("111", "Greece", "Turkey")},
        ),
        # negative: the subject names no actor; "prompted" passes on only blame
        ("The attack drew condemnation from France.", {("111", "France", None)}),
        ("Japan's decision prompted aid from Germany.", {("070", "Germany", None)}),
    ],
)
def test_events_receiving_verb_subject_is_the_target(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("France offered help to Lebanon.", {("030", "France", "Lebanon")}),
        ("Britain sent aid to Sudan.", {("070", "United Kingdom", "Sudan")}),
        ("Japan made a pledge to the Philippines.", {("030", "Japan", "Philippines")}),
        # negative: "to" names no actor, and an offer needs a target
        ("France offered help to the victims.", set()),
    ],
)
def test_events_dative_to_names_the_target(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Indian prime minister paid a visit to Japan.",
            {("042", "India", "Japan")},
        ),
        # negative: paying for a visit is not making it
        ("The Indian prime minister paid for the visit.", set()),
    ],
)
def test_events_paid_a_visit_lends_its_subject(nlp, text, expected):
    assert _triples(_events(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iran turned down an offer from France.", {("120", "Iran", "France")}),
        ("Greece condemned the actions by Turkey.", {("111", "Greece", "Turkey")}),
        # negative: a passive verb's "by" is its source, not a target
        ("Greece was criticised by Turkey.", {("111", "Turkey", "Greece")}),
    ],
)
def test_events_blame_verb_by_phrase_names_the_author(nlp, text, expected):
    assert _of_roots(_events(nlp, text), "11", "12") == expected


# -- pure dependency helpers, on hand-built parses ----------------------------


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("en").vocab


@pytest.mark.parametrize(
    ("words", "deps", "heads", "verb", "expected"),
    [
        # Ukraine was attacked by Russia
        (
            ["Ukraine", "was", "attacked", "by", "Russia"],
            ["nsubjpass", "auxpass", "ROOT", "agent", "pobj"],
            [2, 2, 2, 2, 3],
            2,
            True,
        ),
        # Russia attacked Ukraine
        (
            ["Russia", "attacked", "Ukraine"],
            ["nsubj", "ROOT", "dobj"],
            [1, 1, 1],
            1,
            False,
        ),
        # Russia has attacked Ukraine: a perfect, not a passive
        (
            ["Russia", "has", "attacked", "Ukraine"],
            ["nsubj", "aux", "ROOT", "dobj"],
            [2, 2, 2, 2],
            2,
            False,
        ),
    ],
)
def test_events_is_passive(vocab, words, deps, heads, verb, expected):
    doc = Doc(vocab, words=words, deps=deps, heads=heads)
    assert _is_passive(doc[verb]) is expected


@pytest.mark.parametrize(
    ("words", "deps", "heads", "start", "expected"),
    [
        # France, Germany and Italy condemned Russia
        (
            ["France", ",", "Germany", "and", "Italy", "condemned", "Russia"],
            ["nsubj", "punct", "conj", "cc", "conj", "ROOT", "dobj"],
            [5, 0, 0, 2, 2, 5, 5],
            0,
            ["France", "Germany", "Italy"],
        ),
        (["Russia", "attacked"], ["nsubj", "ROOT"], [1, 1], 0, ["Russia"]),
    ],
)
def test_events_conjuncts_expand_coordination(
    vocab, words, deps, heads, start, expected
):
    doc = Doc(vocab, words=words, deps=deps, heads=heads)
    assert [t.text for t in _conjuncts(doc[start])] == expected


@pytest.mark.parametrize(
    ("words", "pos", "deps", "heads", "noun", "expected"),
    [
        # Egypt held talks with Israel
        (
            ["Egypt", "held", "talks", "with", "Israel"],
            ["PROPN", "VERB", "NOUN", "ADP", "PROPN"],
            ["nsubj", "ROOT", "dobj", "prep", "pobj"],
            [1, 1, 1, 2, 3],
            2,
            "held",
        ),
        # Egypt spoke after the talks
        (
            ["Egypt", "spoke", "after", "the", "talks"],
            ["PROPN", "VERB", "ADP", "DET", "NOUN"],
            ["nsubj", "ROOT", "prep", "det", "pobj"],
            [1, 1, 1, 4, 2],
            4,
            "spoke",
        ),
        # Talks: a headline with no verb
        (["Talks"], ["NOUN"], ["ROOT"], [0], 0, None),
    ],
)
def test_events_governing_verb(vocab, words, pos, deps, heads, noun, expected):
    doc = Doc(vocab, words=words, pos=pos, deps=deps, heads=heads)
    verb = _governing_verb(doc[noun])
    assert (verb.text if verb is not None else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "France and Germany met in Paris. They called on Russia to withdraw.",
            {("020", "France", "Russia"), ("020", "Germany", "Russia")},
        ),
        (
            "Kenya and Uganda signed a trade deal. President William Ruto praised "
            "the deal. They also condemned Tanzania.",
            {("111", "Kenya", "Tanzania"), ("111", "Uganda", "Tanzania")},
        ),
        (
            "Japan and India discussed the summit, where they will meet next month.",
            {("036", "Japan", "India")},
        ),
        ("The ministers met in Paris. They called on Russia to withdraw.", set()),
        (
            "The Turkish Foreign Ministry issued a statement. They condemned Greece.",
            set(),
        ),
        ("They condemned Greece.", set()),
    ],
)
def test_events_plural_they_takes_the_nearest_plural_subject(nlp, text, expected):
    """ "They" is coordinated actors named as a subject before it; a plural noun
    with no actor, or a single body, leaves it unresolved and codes nothing."""
    found = {t for t in _triples(_events(nlp, text)) if t[0][:2] in ("02", "03", "11")}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "place", "day"),
    [
        (
            "France and Germany met in Paris on Monday. They called on Russia to "
            "withdraw its troops.",
            "Paris",
            "2024-03-04",
        ),
        (
            "France and Germany met in Paris on Monday. They called on Russia in "
            "Vienna on Tuesday to withdraw its troops.",
            "Vienna",
            "2024-03-05",
        ),
    ],
)
def test_events_they_inherits_place_and_day_from_its_antecedent(nlp, text, place, day):
    """What "they" did next happened where and when they met, unless stated."""
    calls = [e for e in _events(nlp, text, "2024-03-08") if e.root == "02"]
    assert calls
    assert {(e.location and e.location.name, e.date) for e in calls} == {(place, day)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Iran said it would impose sanctions on Israel.",
            {("163", "Iran", "Israel")},
        ),
        (
            "Egypt and Sudan said they would impose sanctions on Ethiopia.",
            {("163", "Egypt", "Ethiopia"), ("163", "Sudan", "Ethiopia")},
        ),
        (
            "Kenyan President William Ruto said it would impose sanctions on Uganda.",
            set(),
        ),
        ("Iran and Iraq said it would impose sanctions on Israel.", set()),
        ("Egypt and Sudan demanded that they withdraw from Ethiopia.", set()),
    ],
)
def test_events_reported_pronoun_is_the_reporter_when_it_agrees(nlp, text, expected):
    """ "X said it/they …": the reporter, if a state or body (it) or several
    actors (they); a person is not "it", and "demanded that they" is others."""
    found = {t for t in _triples(_events(nlp, text)) if t[0][:2] != "10"}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"We reject the demands of Ukraine," Russian Foreign Minister Sergei '
            "Lavrov said.",
            ("120", "Sergei Lavrov", "Ukraine"),
        ),
        (
            'Russian Foreign Minister Sergei Lavrov said: "We reject the demands of '
            'Ukraine."',
            ("120", "Sergei Lavrov", "Ukraine"),
        ),
        (
            '"I condemn Iran," said German Chancellor Olaf Scholz.',
            ("111", "Olaf Scholz", "Iran"),
        ),
        ("We reject the demands of Ukraine.", None),
        ('"They attacked Israel," said Iranian President Ebrahim Raisi.', None),
    ],
)
def test_events_quoted_first_person_is_the_speaker(nlp, text, expected):
    """ "I"/"we" in a quotation is whoever the quotation is attributed to;
    outside quotes, or "they" inside them, names no one."""
    found = {t for t in _triples(_events(nlp, text)) if t[0][:2] in ("11", "12", "19")}
    assert found == ({expected} if expected else set())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Foreign ministers of NATO member states condemned Russia.",
            {("111", "NATO", "Russia")},
        ),
        ("The economies of EU member states condemned Russia.", set()),
        ("Leaders of several member states criticised Russia.", set()),
    ],
)
def test_events_delegates_of_member_states_act_for_the_body(nlp, text, expected):
    """ "Leaders of AU member states": people acting for a body's members."""
    assert _triples(_events(nlp, text)) == expected
