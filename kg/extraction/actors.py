"""Actors and places: classify named-entity mentions and merge aliases in a document.

spaCy's NER finds spans; this module decides what each one *is* for an event
coder — a person, an organisation, a state (named, as a demonym or by its seat of
power), an armed group, or a place — and folds every mention of the same referent
("Volodymyr Zelenskiy", "Zelenskiy", "Zelensky") into one :class:`Entity`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extraction import gazetteer
from kg.extraction.codes import actor_code
from kg.extraction.dates import resolve_date
from kg.extraction.lexicon import data_rows
from kg.extraction.mentions import (
    TITLE_WORDS,
    Dateline,
    acronym_letters,
    clean_surface,
    common_word_opening,
    describe_person,
    drop_institution_word,
    find_datelines,
    full_name,
    initials,
    is_acronym,
    is_honorific,
    join_comma_places,
    listed_people,
    looks_like_person,
    mislabelled_states,
    names_people,
    not_an_actor,
    np_text,
    part_of_title,
    split_glued,
    state_name,
    stitch_spans,
    strip_honorifics,
    surname_key,
    title_fragment,
    titled_state_persons,
    untagged_names,
    untagged_states,
    untagged_subjects,
    widen_person_right,
)
from kg.extraction.people import known_person
from kg.records import Entity

#: The article's place from its dateline ("MOSCOW, June 18 -" → Moscow), an
#: Entity or None; set by the kg_actors component, like kg_entities.
if not Doc.has_extension("kg_dateline_place"):
    Doc.set_extension("kg_dateline_place", default=None)

#: NER labels that can name an actor or a place.
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "KG_ACTOR"})


#: Head nouns that make "the Ukrainian X" stand for the state or its leader.
STATE_NOUNS = frozenset(
    "government authorities officials official administration ministry military army "
    "forces troops police regime navy cabinet parliament state diplomats diplomat "
    "delegation side embassy leadership ambassador envoy minister ministers "
    "spokesman spokeswoman spokesperson representative representatives negotiator "
    "negotiators counterpart counterparts coast guard".split()
)


#: "the government", "the authorities": with no state word, the article's own state.
#: Non-state actors named by a common noun and their state ("Kenya's opposition").
GROUP_NOUNS = frozenset(
    "opposition rebels militants insurgents separatists protesters demonstrators "
    "activists students militia militias dissidents".split()
)
#: "Pan-African", "anti-Western": adjectives the model sometimes tags as bodies.
AFFIXED_ADJECTIVE = re.compile(r"(?i)^(pan|intra|inter|anti|pro|trans|non|post|pre)-")
DOMESTIC_NOUNS = frozenset(
    "government authorities administration regime cabinet parliament police "
    "military army".split()
)


#: Plural nouns for a crowd that acts without a state word ("Thousands
#: protested", "demonstrators gathered"): it takes the state it gathers in.
CROWD_NOUNS = frozenset("thousand hundred dozen crowd protester demonstrator".split())
#: Words that name a body only with the rest of its name: alone ("the Council
#: said"), they are that body if the article names just one such, else nobody.
BARE_BODIES = frozenset("council commission ministry committee court".split())


LEADER_NOUNS = frozenset("leader president premier chancellor head king".split())

#: Head words of a role a definite description names its holder by ("the
#: president", "the prime minister", "The Secretary").
ROLE_HEADS = frozenset(
    "president premier chancellor minister secretary king queen ambassador "
    "envoy spokesman spokeswoman spokesperson governor mayor emir sultan".split()
)
#: Head words of bodies a description names when the article names just one
#: such body ("the ministry", "the embassy", "the party", "the court").
BODY_NOUNS = frozenset(
    "ministry embassy party court council commission committee agency army navy "
    "senate parliament assembly union".split()
)
#: "the company", "the firm": a body named as a company.
COMPANY_NOUNS = frozenset("company firm airline carrier".split())
COMPANY_WORDS = frozenset(
    "holdings group inc inc. ltd ltd. limited corp corp. corporation company co "
    "co. plc llc sa ag gmbh airlines airways".split()
)
#: Descriptions of a state's rulers: "the government" is its state.
GOVERNMENT_NOUNS = frozenset(
    "government administration regime cabinet army military".split()
)
#: Modifiers that make "the president" someone other than the one in office.
NOT_CURRENT = frozenset(
    "former late then previous ex outgoing past future next".split()
)
#: Lower-case lemmas of the nouns that can stand for a state or its leader.
NOMINAL_NOUNS = LEADER_NOUNS | STATE_NOUNS
#: A state's armed services named by a common noun ("the Sudanese army",
#: "Yemeni forces", "Chilean police"): the noun's lemma → the service it
#: names. Army, military and security forces are one service; the navy, the
#: air force and the police are each their own. "Troops" and "soldiers" are
#: left out: they count the men sent or killed, and stand for the state as
#: often as for its army.
SERVICE_NOUNS = {
    "military": "military",
    "army": "military",
    "force": "military",  # plural only: "Yemeni forces", "security forces"
    "navy": "navy",
    "police": "police",
}
#: A party's name used as an adjective ("a Republican senator", "Labour
#: MPs", "the Tory leadership"): the word → the party and the state whose
#: party it must be (None: any state's).
PARTY_WORDS = {
    "Republican": ("Republican Party", "USA"),
    "Democratic": ("Democratic Party", "USA"),
    "Labour": ("Labour Party", None),
    "Conservative": ("Conservative Party", None),
    "Tory": ("Conservative Party", None),
}
#: What the article may call a party's members, a name for the party too.
PARTY_MEMBERS = {
    "Republican Party": ("republicans", "gop"),
    "Democratic Party": ("democrats",),
    "Labour Party": ("labour",),
    "Conservative Party": ("conservatives", "tories"),
}
#: Lemmas of the nouns for people protesting (the parser leaves some plural).
PROTESTER_NOUNS = frozenset(
    "protester protesters protestor protestors demonstrator demonstrators".split()
)
#: Other plural nouns that name a group acting as one with no name of its own:
#: "Somali pirates" hijack, hold and release as one band.
BAND_NOUNS = frozenset("pirate pirates".split())
#: Head words of a service's name, to find the one the model tagged as a body.
SERVICE_HEADS = {
    "military": frozenset("army military forces force troops".split()),
    "navy": frozenset({"navy"}),
    "air force": frozenset({"force"}),
    "police": frozenset({"police"}),
}


@dataclass(frozen=True)
class KnownActor:
    """An actor from ``data/actors.jsonl`` (international bodies, armed groups)."""

    name: str
    kind: str
    country: str | None
    sector: str


@lru_cache(maxsize=1)
def known_actors() -> dict[str, KnownActor]:
    """Canonical name → actor, from the package data file."""
    rows = data_rows("actors.jsonl")
    return {
        r["name"]: KnownActor(r["name"], r["kind"], r["country"], r["sector"])
        for r in rows
    }


def actor_patterns() -> list[dict]:
    """entity_ruler patterns for every known actor name and alias (label KG_ACTOR)."""
    patterns = []
    for row in data_rows("actors.jsonl"):
        for alias in [row["name"], *row["aliases"]]:
            patterns.append({"label": "KG_ACTOR", "pattern": alias, "id": row["name"]})
    return patterns


@dataclass
class _Cluster:
    """Mutable while a document is resolved; frozen into an Entity at the end."""

    name: str
    kind: str
    country: str | None
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    merges: dict[str, str] = field(default_factory=dict)  # alias -> why merged
    geo: tuple[int, float | None, float | None] | None = None  # GeoNames id, lat, lon

    def merge(self, surface: str, reason: str) -> None:
        """Record another name for this referent and why it was folded in."""
        self.aliases.append(surface)
        if surface != self.name and surface not in self.merges:
            self.merges[surface] = reason

    def freeze(self) -> Entity:
        aliases = tuple(dict.fromkeys(a for a in self.aliases if a != self.name))
        merges = tuple((a, self.merges[a]) for a in aliases if a in self.merges)
        known = known_actors().get(self.name)
        code = actor_code(
            self.kind,
            self.name,
            self.country,
            self.role,
            known.sector if known else None,
        )
        return Entity(
            self.name,
            self.kind,  # type: ignore[arg-type]
            self.country,
            aliases,
            self.role,
            code=code,
            merges=merges,
            geonames_id=self.geo[0] if self.geo else None,
            latitude=self.geo[1] if self.geo else None,
            longitude=self.geo[2] if self.geo else None,
        )


class DocActors:
    """Resolves the actor and place mentions of one document.

    Attributes:
        entities: the distinct referents, in order of first mention.
        by_token: token index → index into ``entities``.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.clusters: list[_Cluster] = []
        self.by_token: dict[int, int] = {}
        self._by_key: dict[tuple[str, str], int] = {}
        #: ISO3 codes of the states the article names: they decide between
        #: homonymous places ("Tripoli" in a story about Lebanon).
        self.context: frozenset[str] = frozenset()
        #: every token of a "MOSCOW, June 18 (Reuters) -" opener, dash included:
        #: its city is a place, its credit and day are no actors, none acts
        self.dateline_tokens: frozenset[int] = frozenset()
        self.datelines: list[Dateline] = []

    # -- building -----------------------------------------------------------
    def resolve(self) -> None:
        """Classify every entity span, persons with full names first."""
        spans = stitch_spans([e for e in self.doc.ents if e.label_ in ACTOR_LABELS])
        spans = join_comma_places(spans)
        spans = titled_state_persons(self.doc, spans)
        spans = listed_people(self.doc, spans)
        self.context = _states_named(spans)
        self._find_datelines()
        spans += untagged_names(self.doc) + untagged_states(self.doc)
        spans += mislabelled_states(self.doc) + untagged_subjects(self.doc)
        spans = [t for s in spans if (t := self._outside_dateline(s)) is not None]
        spans = [part for s in spans for part in split_glued(s, self.context)]
        spans = list({(s.start, s.end, s.label_): s for s in spans}.values())
        spans.sort(key=lambda s: (s.label_ != "PERSON", -len(s), s.start))
        for span in spans:
            index = self._classify(span)
            if index is not None:
                for token in span:
                    self.by_token[token.i] = index
        self._fold_acronyms()
        for dateline in self.datelines:
            index = self._dateline_place(dateline.city)
            for token in dateline.city:
                self.by_token[token.i] = index
        for token in _tokens_with_lemma(self.doc, NOMINAL_NOUNS):
            # "the Ukrainian leader", "Iranian officials"
            if (
                token.i not in self.by_token
                and token.dep_ != "compound"  # a title on a name, not a mention
            ):
                self.nominal_entity(token)
        self._armed_services()
        self._protesters()
        self._party_words()
        self._resolve_descriptions()

    def _find_datelines(self) -> None:
        """Note the datelines; with no publication date, a dated one anchors
        "on Tuesday" (the dateline's day is the filing day)."""
        self.datelines = find_datelines(self.doc)
        self.dateline_tokens = frozenset(
            t.i for d in self.datelines for t in self.doc[d.span.start : d.span.end]
        )
        if Doc.has_extension("kg_anchor") and self.doc._.kg_anchor is None:
            day = self.dateline_date
            if day is not None:
                self.doc._.kg_anchor = date.fromisoformat(day)

    def _dateline_place(self, city: Span) -> int:
        """A dateline's city, always a place (never its state, as "MOSCOW" tagged
        ORG would be): linked to GeoNames, and named as a place is written."""
        index = self._place(city.text)
        cluster = self.clusters[index]
        if cluster.name.isupper():
            cluster.name = cluster.name.title()  # "ANYTOWN" → "Anytown"
        return index

    def _outside_dateline(self, span: Span) -> Span | None:
        """The part of a mention after any dateline, or None if it lies within
        one: the city is classified apart (as a place), the day and the wire
        service credited ("(Reuters)") are no actors."""
        start = span.start
        while start < span.end and start in self.dateline_tokens:
            start += 1
        if start == span.end:
            return None
        if start == span.start:
            return span
        return Span(self.doc, start, span.end, span.label, span_id=span.id)

    @property
    def dateline_place(self) -> Entity | None:
        """The place the article was filed from: its first dateline's city."""
        if not self.datelines:
            return None
        index = self.by_token.get(self.datelines[0].city.start)
        return None if index is None else self.clusters[index].freeze()

    @property
    def dateline_date(self) -> str | None:
        """The ISO day of the first dateline ("June 18", "Jan. 14, 2025"): the
        filing day, a hint for the article's date, never an event's date.

        Resolved against the publication date; without one, only a dateline
        with its year gives a day.
        """
        if not self.datelines or self.datelines[0].date is None:
            return None
        return resolve_date(self.datelines[0].date.text, self._anchor())

    def _classify(self, span: Span) -> int | None:
        text = clean_surface(span.text)
        if not text or not any(c.isalpha() for c in text):
            return None
        if span.label_ == "KG_ACTOR":
            return self._known(span, text)
        if not_an_actor(text) or common_word_opening(span):
            return None  # "UTC", "Mi-24", "National Security Advisor", "Clashes"
        if part_of_title(span) or title_fragment(span):
            return None  # "Secretary of State", "Philippine Foreign Secretary X"
        if text.lower() in BARE_BODIES:
            return self._bare_body(text)
        # a person named in full comes first: "Moro" after "Sérgio Moro" is the
        # judge, not the town of Moro, whatever the model tagged it
        person = self._person_named(text)
        if person is not None:
            return self._alias(person, text, span)
        if span.label_ in ("PERSON", "ORG") and len(text.split()) == 1:
            misread = self._misread_place(span, text)  # "Niger" PERSON, "Niamey" ORG
            if misread is not None:
                return misread
        if span.label_ == "NORP" and not names_people(span, text):
            # "African trade", "pan-African": an adjective, not an actor; but
            # "Uzbekistan" tagged NORP is the state
            if not state_name(text):
                return None
        if AFFIXED_ADJECTIVE.match(text):
            return None  # "Pan-African", "anti-Western" tagged as a body
        if span.label_ == "PERSON" or looks_like_person(span, text):
            return self._person(span, text)
        return self._state_or_place(span, text)

    def _bare_body(self, text: str) -> int | None:
        """ "the Council" after "the Council of the European Union": the one
        body named in full whose name has the word; with none or several, the
        bare word is no actor (it would be a node of its own, "Council")."""
        word = text.lower()
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind == "organization"
            and word in c.name.lower().split()
            and c.name.lower() != word
        ]
        if len(hits) != 1:
            return None
        name = self.clusters[hits[0]].name
        self.clusters[hits[0]].merge(text, f"'{text}': the only {word} named, {name}")
        return hits[0]

    def _misread_place(self, span: Span, text: str) -> int | None:
        """A one-word country or major city the model tagged as a person or body.

        A capital after "in"/"at" is the city; elsewhere ("Washington's interest")
        it stands for its state.
        """
        if gazetteer.is_demonym(text):
            return None
        country = gazetteer.country_by_name(text)
        in_place = span.root.dep_ == "pobj" and span.root.head.lower_ in ("in", "at")
        if country is None and not in_place and not _seat_building(text):
            country = gazetteer.country_by_seat(text)
        if country is not None:
            return self._add(
                "country",
                country.name,
                country.iso3,
                text,
                _state_reason(text, country.name),
            )
        city = gazetteer.city_by_name(text)
        if city is not None and city.population >= 100_000:
            return self._place(text)
        return None

    @staticmethod
    def _same_person(known: str, text: str) -> bool:
        """A bare surname, or the same first name too ("Steve"/"Steven" Witkoff)."""
        words, known_words = text.split(), known.split()
        if len(words) == 1 or len(known_words) == 1:
            return True
        return words[0][:3].lower() == known_words[0][:3].lower()

    def _known(self, span: Span, text: str) -> int:
        actor = known_actors()[span.ent_id_] if span.ent_id_ in known_actors() else None
        if actor is None:
            return self._add("organization", text, None, text)
        return self._add(
            actor.kind,
            actor.name,
            actor.country,
            text,
            f"listed name of {actor.name} (actors.jsonl)",
        )

    def _state_or_place(self, span: Span, text: str) -> int:
        country = gazetteer.country_by_name(text)
        if country and span.label_ in ("GPE", "NORP", "ORG", "LOC", "PERSON"):
            return self._add(
                "country",
                country.name,
                country.iso3,
                text,
                _state_reason(text, country.name),
            )
        if span.label_ in ("GPE", "LOC", "FAC"):
            return self._place(text)
        seat = gazetteer.country_by_seat(text)
        if seat and span.label_ == "ORG" and _seat_building(text):
            return self._add(
                "organization",
                text,
                seat.iso3,
                text,
                f"the seat of power of {seat.name}, named as a body of its own",
            )
        if seat and span.label_ == "ORG":
            return self._add(
                "country",
                seat.name,
                seat.iso3,
                text,
                f"seat of power standing for {seat.name}",
            )
        if span.label_ == "NORP":
            return self._add("group", text, None, text)
        body = self._body_named(text)
        if body is not None:
            name = self.clusters[body].name
            self.clusters[body].merge(text, f"'{text}': short name of {name}")
            return body
        return self._add("organization", text, self._org_country(span), text)

    def _body_named(self, text: str) -> int | None:
        """The one body named in full that a shorter name stands for.

        "Knesset" after "Israeli Knesset", "Senate" after "Puerto Rico Senate",
        "Parliament" after "Parliament of Lesotho", "Burisma" after "Burisma
        Holdings": the short name is the full name's head (its last words, or
        its words before "of") or the full name without a company suffix.
        With none or several such bodies, None.
        """
        words = text.lower().split()
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind in ("organization", "group")
            and _short_name_of(words, c.name.lower().split())
            and not _seat_building(c.name)  # "House" is never the White House
        ]
        return hits[0] if len(hits) == 1 else None

    def _place(self, text: str) -> int:
        """A place, linked to GeoNames and disambiguated by the article's states.

        It is named as the article first writes it, not by GeoNames: a link by
        an alternate name ("Derna" to Darnah, "Djerba" to the town Houmt Souk)
        gives a name no reader of the article would use, and the node is the
        same across articles anyway (its IRI is the GeoNames id). All names of
        one GeoNames place in an article ("Kiev", "Kyiv") stay one entity.
        """
        place = gazetteer.resolve_place(text, self.context)
        if place is None:
            return self._add("location", text, None, text)
        key = _place_key(place.geonameid)
        if key not in self._by_key:
            self._by_key[key] = len(self.clusters)
            self.clusters.append(_Cluster(text, "location", place.iso3))
        index = self._by_key[key]
        reason = f"GeoNames {place.geonameid} ({place.name})"
        self.clusters[index].merge(text, reason)
        # kept for the name too: a dateline's "KYIV" is renamed "Kyiv" later
        self.clusters[index].merges.setdefault(text, reason)
        self.clusters[index].geo = (place.geonameid, place.latitude, place.longitude)
        return index

    def _person(self, span: Span, text: str) -> int | None:
        span = strip_honorifics(
            widen_person_right(full_name(drop_institution_word(span)))
        )
        text = clean_surface(span.text)
        if len(span) == 1 and is_honorific(span[0]):
            return None  # "Taoiseach" alone, tagged as a person: a title
        person = self._person_named(text)
        if person is not None:
            return self._alias(person, text, span)
        role, country = describe_person(span)
        if country is None:
            role, country = self._listed_person(text, role)
        index = self._add("person", text, country, text)
        cluster = self.clusters[index]
        cluster.role = cluster.role or role
        cluster.country = cluster.country or country
        return index

    def _listed_person(
        self, text: str, role: str | None
    ) -> tuple[str | None, str | None]:
        """Role and state of a name the article gives no title to, from the
        table of known people ("Erdogan accused …": TUR); the office only when
        the article's date says which one was held then."""
        person = known_person(text)
        if person is None:
            return role, None
        anchor = self._anchor()
        return role or person.role_on(anchor), person.state_on(anchor)

    def _anchor(self) -> date | None:
        """The publication date (or a dateline's day), if the Doc carries one."""
        return self.doc._.kg_anchor if Doc.has_extension("kg_anchor") else None

    def _person_by_surname(self, text: str) -> int | None:
        """The person with this surname; for a bare surname shared by several
        ("Biden" beside Joe and Hunter Biden), the one named most often, since
        a bare surname refers to the story's main bearer of it (with a tie,
        the one named first, who is usually the story's subject)."""
        key = surname_key(text)
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind == "person" and key and surname_key(c.name) == key
        ]
        if len(hits) > 1 and len(text.split()) == 1:
            counts = [len(self.clusters[i].aliases) for i in hits]
            return hits[counts.index(max(counts))]  # a tie: the first named
        return hits[0] if len(hits) == 1 else None

    def _person_named(self, text: str) -> int | None:
        """The person already found that a shorter mention names.

        A bare surname or the same name with another first name form
        ("Zelenskiy", "Steve Witkoff" for "Steven Witkoff"), a shorter form of
        the full name ("Pedro Pierluisi" for "Pedro R. Pierluisi Urrutia"), or
        a bare first name, or any word of a longer name ("Lula" in "Luiz
        Inácio Lula da Silva"), that only one person named in full has.
        Without this each would be a person (or a town) of its own.
        """
        person = self._person_by_surname(text)
        if person is not None and self._same_person(self.clusters[person].name, text):
            return person
        words = _name_words(text)
        if not words:
            return None
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind == "person"
            and len(_name_words(c.name)) > len(words)
            and _in_order(words, _name_words(c.name))
            and (len(words) > 1 or _may_stand_alone(words[0], _name_words(c.name)))
        ]
        if len(hits) != 1:
            return None
        if len(words) == 1 and (
            gazetteer.country_by_name(text) or gazetteer.city_by_name(text)
        ):
            return None  # "Jordan", "Sofia": the place, not a first name
        return hits[0]

    def _alias(self, index: int, text: str, span: Span) -> int:
        """Fold a later mention into a known person; a title it carries
        ("Greek Foreign Minister Giorgos Gerapetritis" after a bare
        "Gerapetritis") still gives the person a role and state."""
        cluster = self.clusters[index]
        cluster.merge(text, f"same surname as {cluster.name}")
        if cluster.role is None or cluster.country is None:
            role, country = describe_person(full_name(drop_institution_word(span)))
            if country is None and cluster.country is None:
                role, country = self._listed_person(text, role)
            cluster.role = cluster.role or role
            cluster.country = cluster.country or country
        return index

    def _org_country(self, span: Span) -> str | None:
        """An organisation's country from a state word in or just before its name."""
        tokens = list(span)
        before = span.start - 1
        if before > 0 and self.doc[before].text in ("'s", "\u2019s"):
            before -= 1  # "Mexico's Senate"
        if before >= 0:
            tokens.insert(0, self.doc[before])
        for token in tokens:
            country = gazetteer.country_by_name(token.text)
            if country:
                return country.iso3
        return None

    def _add(
        self,
        kind: str,
        name: str,
        country: str | None,
        surface: str,
        reason: str = "same name",
    ) -> int:
        key = _cluster_key(kind, name, country)
        if key not in self._by_key:
            self._by_key[key] = len(self.clusters)
            self.clusters.append(_Cluster(name, kind, country))
        index = self._by_key[key]
        self.clusters[index].merge(surface, reason)
        return index

    # -- acronyms -------------------------------------------------------------
    def _fold_acronyms(self) -> None:
        """Fold each body named by an acronym into the body its long form names.

        "the Kurdistan Workers' Party (PKK)", then "PKK" alone; "the Federal
        Aviation Administration … the FAA"; "NATO" beside "North Atlantic
        Treaty Organization" anywhere in the article. Without this the acronym
        is a second actor, and the events of the sentences that use it lose
        the actor the article named in full. The long form keeps the name;
        the acronym becomes an alias with the reason.
        """
        index = 0
        while index < len(self.clusters):
            cluster = self.clusters[index]
            long_form = None
            if cluster.kind in ("organization", "group") and is_acronym(cluster.name):
                long_form = self._long_form(index)
            if long_form is None:
                index += 1
                continue
            self._fold(index, long_form[0], long_form[1])
            # the cluster at ``index`` is gone: the next one moved into its place

    def _long_form(self, index: int) -> tuple[int, str] | None:
        """The body an acronym cluster stands for, and why.

        Written in brackets right after a body's name ("Kurdistan Freedom
        Falcons (TAK)": the article defines it, whatever the letters), else
        the one body whose name's initials are the acronym's letters.
        """
        doc, acronym = self.doc, self.clusters[index].name
        tokens = {t for t, c in self.by_token.items() if c == index}
        for start in sorted(t for t in tokens if t - 1 not in tokens):
            end = start
            while end + 1 in tokens:
                end += 1
            if start < 2 or end + 1 >= len(doc):
                continue
            before = self.by_token.get(start - 2)
            if (
                doc[start - 1].text == "("
                and doc[end + 1].text == ")"
                and before is not None
                and before != index
                and self.clusters[before].kind in ("organization", "group", "country")
            ):
                name = self.clusters[before].name
                letters = acronym_letters(acronym).upper()
                if any(letters != i and letters.endswith(i) for i in initials(name)):
                    # "[United Nations Educational, Scientific and] Cultural
                    # Organization (UNESCO)": the model cut the long name, so
                    # the acronym names the body better than what is left
                    self.clusters[before].name = acronym
                    self.clusters[before].merges.setdefault(
                        name, f"'{name}': the end of the long name of {acronym}"
                    )
                    self._by_key[_cluster_key("organization", acronym, None)] = before
                return before, f"'{acronym}': written in brackets after {name}"
        letters = acronym_letters(acronym).upper()
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if i != index
            and c.kind in ("organization", "group")
            and len(c.name.split()) >= 2
            and letters in initials(c.name)
        ]
        if len(hits) != 1:
            return None
        name = self.clusters[hits[0]].name
        return hits[0], f"'{acronym}': the initials of {name}"

    def _fold(self, source: int, target: int, reason: str) -> None:
        """Merge cluster ``source`` into ``target`` and drop it, renumbering."""
        gone, kept = self.clusters[source], self.clusters[target]
        for alias in gone.aliases:
            kept.merge(
                alias, reason if alias == gone.name else gone.merges.get(alias, reason)
            )
        kept.role = kept.role or gone.role
        kept.country = kept.country or gone.country
        del self.clusters[source]

        def renumber(i: int) -> int:
            i = target if i == source else i
            return i - 1 if i > source else i

        self.by_token = {t: renumber(i) for t, i in self.by_token.items()}
        self._by_key = {k: renumber(i) for k, i in self._by_key.items()}

    # -- nominal mentions ---------------------------------------------------
    def entity_for_token(self, token: Token) -> int | None:
        """The entity a token names or stands for, adding states met only nominally.

        Handles named mentions, "the Ukrainian leader" (→ the Ukrainian person with
        a leader's role, else the state) and "Iranian officials" (→ Iran).
        """
        if token.i in self.by_token:
            return self.by_token[token.i]
        return self.nominal_entity(token)

    def nominal_entity(self, token: Token) -> int | None:
        """A state (or its leader) named only by a common noun and a state word."""
        if token.pos_ not in ("NOUN", "PROPN"):
            return None
        country = self._modifier_country(token)
        if country is None:
            found = self._definite_reference(token)  # index 0 is an actor too
            return found if found is not None else self._crowd(token)
        noun = token.lemma_.lower()
        phrase = np_text(token)
        if noun in LEADER_NOUNS:
            leader = self._leader_of(country.iso3)
            if leader is not None:
                self.clusters[leader].merge(
                    phrase,
                    f"'{phrase}': the {noun} of {country.name} named in the article",
                )
                return leader
        if noun in STATE_NOUNS or noun in LEADER_NOUNS:
            return self._add(
                "country",
                country.name,
                country.iso3,
                phrase,
                f"'{phrase}' acts for the state of {country.name}",
            )
        if noun in GROUP_NOUNS:  # "Kenya's opposition" is not the state of Kenya
            return self._add(
                "group",
                f"{country.name} {noun}",
                country.iso3,
                phrase,
                f"'{phrase}': the {noun} of {country.name}",
            )
        return None

    def _armed_services(self) -> None:
        """A state's army, navy, air force or police named by a common noun
        and a state word ("the Turkish military", "Yemeni forces", "Niger's
        army", "Indonesian police") is an actor of its own, not the state: it
        fights, arrests and withdraws where the government talks. One entity
        per state and service, named as the article first writes it, folded
        into the service the article names in full ("Iraqi Army") if any.

        The tokens stay unmapped: events still read them as the coder does.
        """
        for token in self.doc:
            service = self._service_of(token)
            if service is None:
                continue
            country = self._modifier_country(token)
            if country is None:
                continue
            phrase = self._service_phrase(token)
            if phrase is None:
                continue
            reason = f"'{phrase}': the {service} of {country.name}"
            named = self._service_named(country.iso3, service)
            if named is not None:
                self.clusters[named].merge(phrase, reason)
                continue
            key = ("service", f"{country.iso3} {service}")
            if key not in self._by_key:
                self._by_key[key] = len(self.clusters)
                self.clusters.append(_Cluster(phrase, "organization", country.iso3))
            self.clusters[self._by_key[key]].merge(phrase, reason)

    def _protesters(self) -> None:
        """ "Protesters", "Iraqi demonstrators", "Somali pirates": the
        protesters (or pirates) of a state are a group the article names, one
        per state (a digest's protests in two states are two groups). The
        state is that of the noun's state word, else of the group its
        sentence named already, else of the first state or place the
        sentence names, else the article's main state; with none, no group.
        Named as the article first writes them ("protesters", "Libyan
        protesters"); a name taken already gets the state's demonym.

        The tokens stay unmapped: events still read them as the coder does.
        """
        dominant = self._dominant_country()
        named: dict[tuple[int, str], str] = {}  # (sentence, kind) → state
        for token in self.doc:
            lemma = token.lemma_.lower()
            if (
                lemma not in PROTESTER_NOUNS | BAND_NOUNS
                or token.tag_ not in ("NNS", "NNPS")
                or token.i in self.by_token
                or token.dep_ == "compound"
            ):
                continue
            kind = "pirates" if lemma in BAND_NOUNS else "crowd"
            modifier = self._modifier_country(token)
            iso3 = (
                modifier.iso3
                if modifier
                else named.get((token.sent.start, kind))  # "… eight pirates"
                or self.sentence_country(token)
                or dominant
            )
            word = token.lower_
            phrase = f"{self._state_word(token)} {word}" if modifier else word
            if iso3 is None:
                continue  # whose protesters, nothing in the text says
            named[(token.sent.start, kind)] = iso3
            key = (kind, iso3)
            if key not in self._by_key:
                name = phrase
                taken = {c.name.lower() for c in self.clusters}
                demonym = gazetteer.demonym_of(iso3)
                if name.lower() in taken and demonym:
                    name = f"{demonym} {word}"
                if name.lower() in taken:
                    continue
                self._by_key[key] = len(self.clusters)
                self.clusters.append(_Cluster(name, "group", iso3))
            state = gazetteer.country_by_code(iso3)
            self.clusters[self._by_key[key]].merge(
                phrase, f"'{phrase}': {word} of {state.name if state else iso3}"
            )

    def _state_word(self, token: Token) -> str:
        """The words of the state modifier of a noun ("Iraqi", "South Korean")."""
        for child in token.children:
            if child.dep_ not in ("amod", "compound", "nmod", "poss"):
                continue
            index = self.by_token.get(child.i)
            left = child.i
            while (
                index is not None and left > 0 and self.by_token.get(left - 1) == index
            ):
                left -= 1
            if index is not None or gazetteer.country_by_name(child.text):
                return self.doc[left : child.i + 1].text
        return ""

    def _party_words(self) -> None:
        """ "Republican senators", "a Labour MP", "the Democratic leadership": a
        party's name as a modifier of a common noun or a title names the
        party, which the model tags as an adjective or not at all. A party
        named already (in full, or by its members, "Republicans") takes it in.
        Words inside a longer name ("Democratic Republic", "Republican
        Guard") are that name's; "Republican"/"Democratic" are the US parties
        only in an article that names the USA."""
        for token in self.doc:
            party = PARTY_WORDS.get(token.text)
            if party is None or token.i in self.by_token:
                continue
            name, state = party
            if state is not None and state not in self.context:
                continue
            head = token.head
            if token.dep_ not in ("amod", "compound") or head.i <= token.i:
                continue
            if not (head.pos_ == "NOUN" or is_honorific(head)):
                continue  # "Republican Guard": a name of its own
            forms = {name.lower(), *PARTY_MEMBERS.get(name, ())}
            hits = [i for i, c in enumerate(self.clusters) if c.name.lower() in forms]
            reason = f"'{token.text}': the {name} named as an adjective"
            if hits:
                self.clusters[hits[0]].merge(token.text, reason)
                continue
            self._add("group", name, state, token.text, reason)

    def sentence_country(self, token: Token) -> str | None:
        """The state of the first state or place the token's sentence names."""
        for other in token.sent:
            index = self.by_token.get(other.i)
            if index is None:
                continue
            cluster = self.clusters[index]
            if cluster.kind in ("country", "location") and cluster.country:
                return cluster.country
        return None

    def _service_of(self, token: Token) -> str | None:
        if token.i in self.by_token or token.pos_ not in ("NOUN", "PROPN"):
            return None
        if token.dep_ == "compound":
            return None  # "army chief", "police station"
        noun = token.lemma_.lower()
        if noun == "force":
            if any(c.lower_ == "air" for c in token.children):
                return "air force"
            if token.tag_ not in ("NNS", "NNPS"):
                return None  # "a force for good"
        return SERVICE_NOUNS.get(noun)

    def _service_phrase(self, token: Token) -> str | None:
        """ "Sudanese troops" for "Six Sudanese troops", "Niger's army", "South
        Korean navy": the words from the state word (all of its name) to the
        noun; None when they run through a coordination ("Afghan and Iraqi
        forces": two services)."""
        left = token.i
        for t in token.lefts:
            if t.dep_ in ("amod", "compound", "nmod", "poss"):
                left = min(left, t.left_edge.i)
        index = self.by_token.get(left)
        while index is not None and left > 0 and self.by_token.get(left - 1) == index:
            left -= 1  # "States" of "United States"
        words = self.doc[left : token.i + 1]
        if any(t.dep_ in ("cc", "conj") or t.pos_ == "PUNCT" for t in words):
            return None
        return clean_surface(words.text)

    def _service_named(self, iso3: str, service: str) -> int | None:
        """The one body of this state the model tagged whose name ends in the
        service's head word ("Iraqi Army", "Israel Defense Forces")."""
        heads = SERVICE_HEADS[service]
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind in ("organization", "group")
            and c.country == iso3
            and c.name.lower().split()[-1] in heads
        ]
        return hits[0] if len(hits) == 1 else None

    def _crowd(self, token: Token) -> int | None:
        """ "Thousands protested in Tbilisi", "Demonstrators gathered …": a crowd
        that acts (a subject) with no state word belongs to the state it
        gathers in, else to the state of the article's dateline."""
        noun = token.lemma_.lower()
        noun = noun[:-1] if noun[:-1] in CROWD_NOUNS else noun  # NNPS keeps its -s
        if noun not in CROWD_NOUNS or token.dep_ != "nsubj":
            return None
        if token.tag_ not in ("NNS", "NNPS"):  # "Protesters" opening a lead: NNPS
            return None
        iso3 = self._gathering_country(token.head) or self._dateline_country()
        country = gazetteer.country_by_code(iso3) if iso3 else None
        if country is None:
            return None
        name = "protesters" if noun in ("protester", "demonstrator") else "crowd"
        phrase = np_text(token)
        return self._add(
            "group",
            f"{country.name} {name}",
            country.iso3,
            phrase,
            f"'{phrase}': a {name} in {country.name}",
        )

    def _gathering_country(self, verb: Token) -> str | None:
        """The state of the place a clause happens "in"/"at" ("protested in
        Tbilisi" → GEO)."""
        for prep in verb.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("in", "at"):
                continue
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                index = self.by_token.get(pobj.i)
                if index is not None and self.clusters[index].kind == "location":
                    return self.clusters[index].country
        return None

    def _dateline_country(self) -> str | None:
        """The state of the first dateline's city, if it is known."""
        place = self.dateline_place
        return place.country if place is not None else None

    def state_named(self, word: str, phrase: str) -> int | None:
        """The state a demonym or name stands for in a phrase ("Turkish" in
        "Greek and Turkish diplomats"), added if new."""
        country = gazetteer.country_by_name(word)
        if country is None:
            return None
        return self._add(
            "country",
            country.name,
            country.iso3,
            phrase,
            f"'{phrase}' acts for the state of {country.name}",
        )

    def _definite_reference(self, token: Token) -> int | None:
        """ "the president", "the government": the one actor the article has for it.

        What :meth:`_described` finds; failing that, for the event rules,
        "the government"/"the authorities" go to the state the article is
        about, when one state clearly dominates its mentions.
        """
        found = self._described(token)
        if found is not None or not _definite(token):
            return found
        if any(
            c.dep_ in ("amod", "compound", "nmod") and self._names_one(c)
            for c in token.children
        ):
            return None  # "the Trump administration", "the Tobruk-based government"
        if token.lemma_.lower() in DOMESTIC_NOUNS:
            iso3 = self._dominant_country()
            country = gazetteer.country_by_code(iso3) if iso3 else None
            if country is not None:
                return self._add(
                    "country",
                    country.name,
                    country.iso3,
                    np_text(token),
                    f"the article's main state is {country.name}",
                )
        return None

    # -- definite descriptions ----------------------------------------------
    def _resolve_descriptions(self) -> None:
        """Map "the president", "the government", "the ministry" to their referent.

        News names an actor once and then describes it: "President X met …
        The president said"; "the Foreign Ministry of Y … the ministry
        added". Each description whose referent the article pins down (see
        :meth:`_described`) becomes a mention of that actor in ``by_token``,
        so an event in its sentence can take it as source or target. No new
        actor is made: with none or several fitting, the word stays nobody.

        "The government", "the army" and the like are left to the event coder's
        generic mentions, which already give them the state of their sentence
        or article: made named mentions as well, they cost the cross-validated
        events F1 (0.418 with them left out, 0.412 with them in; the rules
        still resolve them through :meth:`_definite_reference`).
        """
        for token in _tokens_with_lemma(
            self.doc, ROLE_HEADS | BODY_NOUNS | COMPANY_NOUNS
        ):
            if (
                token.i in self.by_token
                or token.i in self.dateline_tokens
                or token.lemma_.lower() in GOVERNMENT_NOUNS
            ):
                continue
            index = self._described(token)
            if index is not None:
                self.by_token[token.i] = index

    def _described(self, token: Token) -> int | None:
        """The one actor of the article a definite description stands for.

        - a role ("the president", "the prime minister", "The Secretary"): the
          only person named with that role; two presidents named, nobody;
        - a body's head word ("the ministry", "the embassy", "the party",
          "the court"): the only body whose name has that word; "the company"
          the only one named as a company;
        - "the government", "the administration", "the regime" (and "the
          army" when no army is named): the state the sentence names, else the
          state the article is about, if it is already an actor.
        A description with its own state word ("the Iranian president") or
        "of" phrase ("the government of Niger") names its referent itself and
        is read elsewhere; "the former president" is someone else.
        """
        if (
            token.pos_ not in ("NOUN", "PROPN")
            or token.tag_ in ("NNS", "NNPS")
            or token.dep_ == "compound"
            or not _definite(token)
            or self._modifier_country(token) is not None
        ):
            return None
        if any(
            (c.dep_ == "prep" and c.lower_ == "of")
            or c.dep_ == "poss"
            or c.lower_ in NOT_CURRENT
            or c.tag_ in ("JJS", "RBS")  # "the highest court": a kind, not one
            or (c.dep_ in ("amod", "compound", "nmod") and self._names_one(c))
            for c in token.children
        ):
            return None
        noun = token.lemma_.lower()
        phrase = np_text(token)
        if noun in ROLE_HEADS:
            words = [
                c.lower_.strip(".")
                for c in token.children
                if c.dep_ in ("amod", "compound") and c.lower_.strip(".") in TITLE_WORDS
            ] + [noun]
            holders = [
                i
                for i, c in enumerate(self.clusters)
                if c.kind == "person" and c.role and _holds_role(c.role, words)
            ]
            if len(holders) != 1 or not self._named_before(holders[0], token):
                return None
            reason = f"'{phrase}': the only {' '.join(words)} named in the article"
            self.clusters[holders[0]].merge(phrase, reason)
            return holders[0]
        body = self._described_body(noun)
        if body is not None and self._named_before(body, token):
            name = self.clusters[body].name
            self.clusters[body].merge(
                phrase, f"'{phrase}': the only {noun} named, {name}"
            )
            return body
        if noun in GOVERNMENT_NOUNS:
            state = self._described_state(token)
            if state is not None:
                name = self.clusters[state].name
                self.clusters[state].merge(phrase, f"'{phrase}': the state of {name}")
            return state
        return None

    def _names_one(self, modifier: Token) -> bool:
        """A modifier with a name in it ("the Trump administration", "the
        Tobruk-based government", "the Court of Session's ruling"): the phrase
        names its referent itself, and may name another one than the
        article's only president or state. Title words ("Prime") are no name."""
        return any(
            t.i in self.by_token
            or (t.pos_ == "PROPN" and t.lower_.strip(".") not in TITLE_WORDS)
            for t in modifier.subtree
        )

    def _named_before(self, index: int, token: Token) -> bool:
        """Is the actor named before the description, in its paragraph or in
        the article's first one (its title and lead)?

        A description points back: "the president" of one item of a news
        digest is not the president named in another item.
        """
        doc = self.doc
        start = doc.text.rfind("\n", 0, token.idx) + 1
        lead_end = doc.text.find("\n", len(doc.text) - len(doc.text.lstrip()))
        for i, cluster in self.by_token.items():
            if cluster == index and i < token.i:
                at = doc[i].idx
                if at >= start or lead_end < 0 or at < lead_end:
                    return True
        return False

    def _described_body(self, noun: str) -> int | None:
        """The only body whose name has the noun ("the ministry" → "Ministry of
        Foreign Affairs"), or, for "the company"/"the firm", the only body
        named as a company ("Acme Holdings", "Example Airlines")."""
        if noun in COMPANY_NOUNS:
            hits = [
                i
                for i, c in enumerate(self.clusters)
                if c.kind == "organization"
                and c.name.lower().split()[-1].strip(".,") in COMPANY_WORDS
            ]
        elif noun in BODY_NOUNS:
            hits = [
                i
                for i, c in enumerate(self.clusters)
                if c.kind in ("organization", "group")
                and noun in c.name.lower().replace("'s", "").split()
            ]
        else:
            return None
        return hits[0] if len(hits) == 1 else None

    def _described_state(self, token: Token) -> int | None:
        """The state "the government" of a sentence is, if already an actor.

        The one state the sentence sets its scene in ("Protests in Jordan
        against the government", "Jordanian protesters … the government"),
        else the state the article is about. A state that is itself a
        party to the sentence ("the government blamed Somalia") is the
        government's counterpart, not its state; two scene states, None.
        """
        states = set()
        for other in token.sent:
            index = self.by_token.get(other.i)
            if (
                index is not None
                and other.i != token.i
                and self.clusters[index].kind == "country"
                and _sets_scene(other)
            ):
                states.add(index)
        if len(states) == 1:
            return states.pop()
        if states:
            return None
        iso3 = self._dominant_country()
        if iso3 is None:
            return None
        return self._by_key.get(_cluster_key("country", "", iso3))

    def _dominant_country(self) -> str | None:
        """The state mentioned most, if it has at least twice the next one's count."""
        counts: dict[str, int] = {}
        for index in self.by_token.values():
            cluster = self.clusters[index]
            if cluster.country and cluster.kind in ("country", "location"):
                counts[cluster.country] = counts.get(cluster.country, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or (len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]):
            return None
        return ranked[0][0]

    def _modifier_country(self, token: Token) -> gazetteer.Country | None:
        for child in token.children:
            if child.dep_ in ("amod", "compound", "nmod", "poss"):
                index = self.by_token.get(child.i)
                if index is not None and self.clusters[index].kind == "country":
                    code = self.clusters[index].country
                    return gazetteer.country_by_code(code) if code else None
                country = gazetteer.country_by_name(child.text)
                if country:
                    return country
        return None

    def as_state(self, index: int) -> int:
        """A capital or seat standing for its state ("Athens expelled …" → Greece)."""
        cluster = self.clusters[index]
        if cluster.kind != "location":
            return index
        seat = gazetteer.country_by_seat(cluster.name)
        if seat is None:
            return index
        return self._add(
            "country",
            seat.name,
            seat.iso3,
            cluster.name,
            f"capital acting for {seat.name}",
        )

    def last_person_before(self, position: int, window: int = 80) -> int | None:
        """What "he"/"she" most likely is: the last person named as a subject
        before the pronoun, else the last person named at all."""
        fallback = None
        for i in range(position - 1, max(position - window, 0) - 1, -1):
            index = self.by_token.get(i)
            if index is None or self.clusters[index].kind != "person":
                continue
            if self.doc[i].dep_ in ("nsubj", "nsubjpass"):
                return index
            fallback = index if fallback is None else fallback
        return fallback

    def _leader_of(self, iso3: str) -> int | None:
        for i, c in enumerate(self.clusters):
            role = (c.role or "").lower()
            if (
                c.kind == "person"
                and c.country == iso3
                and ("president" in role or "prime" in role or "leader" in role)
            ):
                return i
        return None

    def entities(self) -> list[Entity]:
        """The distinct referents found so far, frozen."""
        return [c.freeze() for c in self.clusters]

    def save(self) -> None:
        """Store the result on the Doc as plain records (picklable for n_process)."""
        self.doc._.kg_entities = self.entities()
        self.doc._.kg_entity_tokens = dict(self.by_token)
        self.doc._.kg_dateline_place = self.dateline_place

    @classmethod
    def load(cls, doc: Doc) -> DocActors:
        """Rebuild the resolver from what :meth:`save` stored on the Doc."""
        actors = cls(doc)
        for entity in doc._.kg_entities or []:
            cluster = _Cluster(
                entity.name,
                entity.kind,
                entity.country,
                [entity.name, *entity.aliases],
                entity.role,
                dict(entity.merges),
                (entity.geonames_id, entity.latitude, entity.longitude)
                if entity.geonames_id is not None
                else None,
            )
            key = (
                _place_key(cluster.geo[0])
                if cluster.kind == "location" and cluster.geo
                else _cluster_key(cluster.kind, cluster.name, cluster.country)
            )
            actors._by_key[key] = len(actors.clusters)
            actors.clusters.append(cluster)
        actors.by_token = dict(doc._.kg_entity_tokens or {})
        actors.datelines = find_datelines(doc)
        actors.dateline_tokens = frozenset(
            t.i for d in actors.datelines for t in doc[d.span.start : d.span.end]
        )
        return actors


def _tokens_with_lemma(doc: Doc, lemmas: frozenset[str]) -> list[Token]:
    """The tokens whose lower-cased lemma is in ``lemmas``, in document order.

    Reads the lemma ids as one array and each distinct lemma's text once, so
    the tokens that cannot match are never made into Token objects.
    """
    ids = doc.to_array("LEMMA").tolist()
    strings = doc.vocab.strings
    wanted = {i for i in set(ids) if strings[i].lower() in lemmas}
    return [doc[i] for i, lemma in enumerate(ids) if lemma in wanted]


def _states_named(spans: list[Span]) -> frozenset[str]:
    """ISO3 codes of every state a set of mentions names or implies."""
    found = set()
    for span in spans:
        text = clean_surface(span.text)
        country = gazetteer.country_by_name(text) or gazetteer.country_by_seat(text)
        if country is not None:
            found.add(country.iso3)
    return frozenset(found)


def _seat_building(text: str) -> bool:
    """A seat of power that is a building or street, not a city ("White
    House", "Pentagon", "Downing Street", "Kremlin"): the article names it as
    the office that works there, an actor of its own beside its state; a
    capital ("Washington", "Moscow") stands for the state."""
    return (
        gazetteer.country_by_seat(text) is not None
        and gazetteer.city_by_name(text) is None
    )


def _state_reason(text: str, name: str) -> str:
    if gazetteer.is_demonym(text):
        return f"demonym of {name}"
    if gazetteer.country_by_seat(text):
        return f"seat of power standing for {name}"
    return f"another name of {name}"


def _cluster_key(kind: str, name: str, country: str | None) -> tuple[str, str]:
    return (kind, country or "") if kind == "country" else (kind, name.lower())


def _place_key(geonameid: int) -> tuple[str, str]:
    """One cluster per GeoNames place, whatever name the article gives it."""
    return ("location", f"geonames:{geonameid}")


@lru_cache(maxsize=1 << 14)
def _name_words(name: str) -> tuple[str, ...]:
    """A person's name as folded words, initials left out ("Pedro R. Pierluisi"
    → pedro, pierluisi). Cached: every mention is compared with every person
    already found, so the same few names are split over and over."""
    return tuple(w for w in gazetteer.normalise(name).split() if len(w) > 1)


def _in_order(part: Sequence[str], whole: Sequence[str]) -> bool:
    """Every word of ``part`` occurs in ``whole``, in the same order."""
    rest = iter(whole)
    return all(word in rest for word in part)


#: Small words inside names that never stand for the person alone.
NAME_PARTICLES = frozenset(
    "al el bin ibn bint da de del der di dos du la le van von".split()
)


def _may_stand_alone(word: str, name: Sequence[str]) -> bool:
    """A first name, or any word but a particle of a name of three words or more."""
    if word in NAME_PARTICLES:
        return False
    return word == name[0] or len(name) >= 3


#: Words that end a company's full name and are left out of its short name.
COMPANY_SUFFIXES = frozenset(
    "holdings group inc inc. ltd ltd. limited corp corp. corporation company co co. "
    "plc llc llp sa ag nv gmbh kft".split()
)


def _short_name_of(short: list[str], full: list[str]) -> bool:
    """Is ``short`` (lower-case words) a short form of the name ``full``?

    Its head word alone ("Senate" of "Puerto Rico Senate"), or its last words
    without a state's name ("Central Bank" of "Iranian Central Bank"); not
    "Democratic Party" of "Liberal Democratic Party", another party.
    """
    if len(short) >= len(full):
        return False
    if full[-len(short) :] == short and (
        len(short) == 1
        or gazetteer.country_by_name(" ".join(full[: -len(short)])) is not None
    ):
        return True
    if "of" in full and full[: full.index("of")] == short:  # "Parliament of X"
        return True
    return full[: len(short)] == short and all(
        w in COMPANY_SUFFIXES for w in full[len(short) :]
    )


def _definite(token: Token) -> bool:
    """ "the president", or "(The President and) Prime Minister": "the" on the
    noun, or on the noun it is coordinated with."""
    for noun in (token, token.head if token.dep_ == "conj" else None):
        if noun is not None and any(
            c.dep_ == "det" and c.lower_ == "the" for c in noun.children
        ):
            return True
    return False


#: Words that make a role another one than its head word says ("Vice President").
ROLE_RANKS = frozenset("vice deputy assistant under".split())


def _holds_role(role: str, words: list[str]) -> bool:
    """Does a person with this role answer to the description's words?

    The role's head (its words before "of") must end in the description's
    noun, and every other word must be in the role: "the foreign minister" is
    the "Foreign Minister" or the "Minister of Foreign Affairs"; "the
    president" is not the "Vice President".
    """
    role_words = role.lower().replace(".", "").split()
    head = role_words[: role_words.index("of")] if "of" in role_words else role_words
    if not head or head[-1] != words[-1]:
        return False
    if any(w in ROLE_RANKS and w not in words for w in head):
        return False
    return all(w in role_words for w in words[:-1])


#: Prepositions that place a clause in a state ("in Jordan", "across Chad").
SCENE_PREPS = frozenset("in at across throughout inside within".split())


def _sets_scene(token: Token) -> bool:
    """A state mention that places the sentence rather than acting in it: a
    modifier ("Jordanian protesters", "Jordan's capital") or the object of
    "in"/"across"; not a subject or object ("the government blamed Somalia")."""
    head = token
    while head.dep_ == "compound" and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("amod", "poss", "nmod"):
        return True
    return head.dep_ == "pobj" and head.head.lower_ in SCENE_PREPS
