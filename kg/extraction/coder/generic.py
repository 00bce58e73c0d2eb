"""Actors that are not names: "police", "protesters", "the ministry", "troops".

Analysts code such groups as actors of the state they belong to ("Police fire
tear gas" in a story from Hong Kong is Hong Kong's police). The nouns come from
the training gold (``kg train`` counts the common nouns annotated as sources and
targets); the state comes, in order, from a modifier ("Iranian police"), from a
state or place named in the same sentence, or from the state the article is
mostly about. A generic actor is only a candidate: it becomes an actor of the
graph when the coder picks it for an event.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import DEP, LEMMA, POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, Token

from kg.extraction import gazetteer
from kg.extraction.actors import DocActors
from kg.extraction.syntax import sentence_starts
from kg.records import Entity

#: Generic mentions of a sentence considered per trigger, nearest first.
MAX_GENERIC = 2
#: How the state of a generic mention was found, as a merge reason says it.
_HOW = {
    "modifier": "named beside it",
    "sentence": "the state or place named in its sentence",
    "article": "the state the article is mostly about",
}


@dataclass(frozen=True)
class Generic:
    """A generic group mention and the state it is taken to belong to."""

    token: Token
    noun: str
    country: str | None
    how: str  # "modifier", "sentence", "article" or "none"

    @property
    def index(self) -> int:
        """Its candidate index: negative, so it never clashes with an entity's."""
        return -(self.token.i + 1)

    @property
    def name(self) -> str:
        """ "Hong Kong police"; just "police" when no state is known."""
        word = self.token.lower_
        state = gazetteer.country_by_code(self.country) if self.country else None
        return f"{state.name} {word}" if state else word


def generic_mentions(
    doc: Doc, actors: DocActors, nouns: frozenset[str]
) -> dict[int, list[Generic]]:
    """Sentence start -> the generic group mentions in it."""
    if not nouns:
        return {}
    dominant = actors._dominant_country()
    places: dict[int, str | None] = {}
    out: dict[int, list[Generic]] = {}
    starts = sentence_starts(doc)
    strings, noun_pos = doc.vocab.strings, POS_IDS["NOUN"]
    compound = strings["compound"]  # dependency labels are string hashes
    # token attributes as one array: a Token object only for the few nouns
    rows = doc.to_array([LEMMA, POS, DEP]).tolist()
    for i, (lemma_id, pos, dep) in enumerate(rows):
        if pos != noun_pos or dep == compound or i in actors.by_token:
            continue
        noun = strings[lemma_id].lower()
        if noun not in nouns:
            continue
        token = doc[i]
        start = starts[i]
        if start not in places:
            places[start] = actors.sentence_country(token)
        out.setdefault(start, []).append(
            _generic(token, noun, actors, places[start], dominant)
        )
    return out


def _generic(
    token: Token, noun: str, actors: DocActors, place: str | None, dominant: str | None
) -> Generic:
    modifier = actors._modifier_country(token)
    if modifier is not None:
        return Generic(token, noun, modifier.iso3, "modifier")
    if place is not None:
        return Generic(token, noun, place, "sentence")
    if dominant is not None:
        return Generic(token, noun, dominant, "article")
    return Generic(token, noun, None, "none")


def generic_entity(generic: Generic) -> Entity:
    """The actor a generic mention stands for, as an event's source or target.

    It is not added to the article's named entities: the graph describes it as
    an actor of the events that name it (with the phrase and why it got its
    state), and the list of named entities stays a list of names.
    """
    token = generic.token
    phrase = token.doc[token.left_edge.i : token.i + 1].text
    reason = (
        f"'{phrase}': {generic.token.lower_} of {gazetteer_name(generic.country)} "
        f"({_HOW[generic.how]})"
        if generic.country
        else f"'{phrase}': a group named only by a common noun"
    )
    aliases = (phrase,) if phrase != generic.name else ()
    return Entity(
        name=generic.name,
        kind="group",
        country=generic.country,
        aliases=aliases,
        merges=((phrase, reason),),
    )


def gazetteer_name(iso3: str) -> str:
    """A state's short name from its ISO3 code (the code itself if unknown)."""
    state = gazetteer.country_by_code(iso3)
    return state.name if state else iso3
