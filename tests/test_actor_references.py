"""Actors that are not names: acronyms, definite descriptions, "City, D.C.".

Every case is a sentence written for these tests, run through the real model.
An acronym folds into the body its long form names; "the president", "the
government", "the ministry" become mentions (in ``kg_entity_tokens``) of the
one actor the article has for them, so events can use them; "Washington, D.C."
is one place.
"""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from kg.extraction.actors import DocActors, _holds_role
from kg.extraction.mentions import initials, is_acronym
from kg.records import Entity


def _one(entities: list[Entity], name: str) -> Entity:
    hits = [e for e in entities if e.name == name]
    assert len(hits) == 1, [(e.name, e.kind, e.aliases) for e in entities]
    return hits[0]


def _referent(doc: Doc, word: str, nth: int = 0) -> str | None:
    """The name of the entity the ``nth`` token spelled ``word`` is a mention of."""
    tokens = [t for t in doc if t.text == word]
    index = doc._.kg_entity_tokens.get(tokens[nth].i)
    return None if index is None else doc._.kg_entities[index].name


def _rule_referent(doc: Doc, word: str) -> str | None:
    """The actor the event rules take the first token spelled ``word`` for
    ("the government" is left to them and to the coder's generic mentions)."""
    token = next(t for t in doc if t.text == word)
    actors = DocActors.load(doc)
    index = actors.entity_for_token(token)
    return None if index is None else actors.clusters[index].name


# -- acronyms ----------------------------------------------------------------


def test_initials_of_long_names():
    assert "OPEC" in initials("Organization of the Petroleum Exporting Countries")
    assert "AFP" in initials("Agence France-Presse")
    assert "FAA" in initials("U.S. Federal Aviation Administration")
    assert "NATO" in initials("North Atlantic Treaty Organization")
    assert "NATO" not in initials("Northern Atlantic Fisheries Board")


def test_what_is_an_acronym():
    assert is_acronym("PKK") and is_acronym("U.N.") and is_acronym("FARC-EP")
    assert not is_acronym("Paris") and not is_acronym("A") and not is_acronym("Ltd")


def test_bracketed_acronym_and_its_later_use_are_one_body(nlp):
    """The brackets define the acronym whatever its letters (PKK is not KWP)."""
    doc = nlp(
        "The Kurdistan Workers' Party (PKK) claimed the attack on Sunday. "
        "Turkish officials said PKK fighters had crossed the border."
    )
    entities = list(doc._.kg_entities)
    party = _one(entities, "Kurdistan Workers' Party")
    assert "PKK" in party.aliases
    assert "PKK" not in {e.name for e in entities}
    assert dict(party.merges)["PKK"].startswith("'PKK': written in brackets")
    assert _referent(doc, "PKK", 1) == "Kurdistan Workers' Party"


def test_acronym_alone_folds_into_the_body_with_its_initials(nlp):
    doc = nlp(
        "The Federal Aviation Administration grounded the new jets on Tuesday. "
        "A day later the FAA said the ban would last a month."
    )
    entities = list(doc._.kg_entities)
    agency = _one(entities, "Federal Aviation Administration")
    assert "FAA" in agency.aliases and "initials" in dict(agency.merges)["FAA"]
    assert _referent(doc, "FAA") == "Federal Aviation Administration"


def test_acronym_that_two_bodies_could_have_stays_apart(nlp):
    """Two parties with the initials NDP: the acronym is not guessed."""
    entities = list(
        nlp(
            "The National Democratic Party and the New Democratic Party both "
            "lost seats. The NDP blamed the economy."
        )._.kg_entities
    )
    assert "NDP" in {e.name for e in entities}
    assert not any("NDP" in e.aliases for e in entities)


# -- definite descriptions ---------------------------------------------------


def test_the_president_is_the_only_president_named(nlp):
    doc = nlp(
        "President Maria Ortega of Chile met Prime Minister John Smith of Canada "
        "in Ottawa on Monday. The president said the talks had been useful."
    )
    assert _referent(doc, "president") == "Maria Ortega"
    assert len([e for e in doc._.kg_entities if e.kind == "person"]) == 2


@pytest.mark.parametrize(
    "text",
    [
        # two presidents named: "the president" could be either
        "President Maria Ortega of Chile met President Luis Gomez of Peru in Lima "
        "on Monday. The president said the talks had been useful.",
        # the former president is not the one in office
        "President Maria Ortega of Chile opened the new port on Monday. "
        "The former president criticised the cost of the project.",
        # a description points back within its paragraph (or to the lead): in a
        # digest, the president of one item is not the one named in another
        "Floods hit the north of the country on Monday.\n"
        "President Maria Ortega of Chile opened a new port in Arica.\n"
        "In Peru, the president dissolved the congress after a long dispute.",
    ],
    ids=["two-presidents", "former-president", "another-digest-item"],
)
def test_the_president_without_one_referent_is_nobody(nlp, text):
    assert _referent(nlp(text), "president") is None


def test_the_president_of_a_readout_named_in_its_title_line(nlp):
    """A header-less statement: its first line (the title) names the president."""
    doc = nlp(
        "Readout of President Smith's Call with the Chancellor\n\n"
        "The President spoke today with the Chancellor about trade."
    )
    assert _referent(doc, "President", 1) == "Smith"


def test_coordinated_title_shares_the_article(nlp):
    """ "The President and Prime Minister": "the" covers both titles."""
    doc = nlp(
        "President Maria Ortega of Chile met Prime Minister John Smith of Canada "
        "on Monday. The President and Prime Minister also discussed fishing rights."
    )
    assert _referent(doc, "Minister", 1) == "John Smith"


def test_a_description_with_a_name_in_it_names_its_own_referent(nlp):
    """ "the Smith administration" is not the state the sentence is set in."""
    doc = nlp(
        "Kenya closed its border on Monday. Kenya said the closure was brief. "
        "The Smith administration criticised the decision."
    )
    assert _rule_referent(doc, "administration") is None


def test_the_ministry_is_the_only_ministry_named(nlp):
    doc = nlp(
        "The Ministry of Foreign Affairs of Peru summoned the Chilean ambassador "
        "on Friday. The ministry said the remarks were unacceptable."
    )
    assert _referent(doc, "ministry") == "Ministry of Foreign Affairs"


def test_the_government_is_the_state_the_article_is_about(nlp):
    doc = nlp(
        "Kenya closed its border with Somalia on Monday. Kenya said the closure "
        "was temporary. The government said the crossing would reopen in May."
    )
    assert _rule_referent(doc, "government") == "Kenya"
    assert [e.name for e in doc._.kg_entities if e.kind == "country"] == [
        "Kenya",
        "Somalia",
    ]


def test_the_government_is_not_the_state_it_acts_on(nlp):
    """ "The government blamed Somalia": Somalia is its counterpart."""
    doc = nlp(
        "Kenya closed its border with Somalia on Monday. Kenya said the closure "
        "was temporary. The government blamed Somalia for the delay."
    )
    assert _rule_referent(doc, "government") != "Somalia"


def test_the_government_of_the_state_a_sentence_happens_in(nlp):
    doc = nlp(
        "Kenya closed its border with Somalia on Monday. Thousands protested in "
        "Uganda against the government on Tuesday."
    )
    assert _rule_referent(doc, "government") == "Uganda"


def test_roles_answer_to_their_own_description():
    assert _holds_role("Minister of Foreign Affairs", ["foreign", "minister"])
    assert _holds_role("Foreign Minister", ["minister"])
    assert _holds_role("Secretary of State", ["secretary"])
    assert not _holds_role("Vice President", ["president"])
    assert not _holds_role("Defence Minister", ["foreign", "minister"])


# -- places ------------------------------------------------------------------


def test_washington_dc_is_one_place(nlp):
    entities = list(
        nlp("Thousands marched in Washington, D.C. on Saturday.")._.kg_entities
    )
    place = _one(entities, "Washington, D.C.")
    assert place.kind == "location" and place.geonames_id is not None
    assert "D.C." not in {e.name for e in entities}


def test_city_and_state_stay_two_places(nlp):
    """ "Portland, Oregon" is no one name: the state is a place of its own."""
    entities = list(
        nlp("Thousands marched in Portland, Oregon on Saturday.")._.kg_entities
    )
    assert {"Portland", "Oregon"} <= {e.name for e in entities}
