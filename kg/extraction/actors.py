"""Actors and places: classify named-entity mentions and merge aliases in a document.

spaCy's NER finds spans; this module decides what each one *is* for an event
coder — a person, an organisation, a state (named, as a demonym or by its seat of
power), an armed group, or a place — and folds every mention of the same referent
("Volodymyr Zelenskiy", "Zelenskiy", "Zelensky") into one :class:`Entity`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extraction import gazetteer
from kg.extraction.codes import actor_code
from kg.extraction.lexicon import data_rows
from kg.records import Entity

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
ROLE_NOUNS_EXTRA = frozenset("counterpart opponent rival successor predecessor".split())
#: "the government", "the authorities": with no state word, the article's own state.
DOMESTIC_NOUNS = frozenset(
    "government authorities administration regime cabinet parliament police "
    "military army".split()
)
LEADER_NOUNS = frozenset("leader president premier chancellor head king".split())
TITLE_WORDS = frozenset(
    "president vice prime minister foreign defence defense interior secretary general "
    "chancellor king queen prince ambassador envoy special representative spokesperson "
    "spokesman spokeswoman speaker senator governor chief deputy leader adviser "
    "advisor senior commander gen. lt. col. mr. mrs. ms. dr. sir premier sheikh emir "
    "mayor director head chairman minister-president affairs state peace".split()
)

ROLE_NOUNS = TITLE_WORDS | ROLE_NOUNS_EXTRA


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
        )


#: Words that turn a body's name into the name of one of its meetings or terms
#: ("Arctic Council Ministerial", "AU Summit"): the actor is the body.
EVENT_SUFFIX = re.compile(
    r"(?<=\w)\s+(Ministerial|Chairmanship|Presidency|Summit|Meeting|Session|Talks)$"
)


def clean_surface(text: str) -> str:
    """Mention text without a leading "the", a trailing possessive or dangling words.

    NER spans sometimes end in "of" or an unclosed "(AfCFTA"; those are cut.
    """
    text = re.sub(r"^(the|The)\s+", "", " ".join(text.split()))
    text = re.sub(r"(['\u2019]s|['\u2019])$", "", text).strip()
    text = EVENT_SUFFIX.sub("", text)
    if text.count("(") > text.count(")"):
        text = text[: text.rindex("(")].strip()
    return re.sub(r"\s+(of|and|the|for|in|on)$", "", text).strip(" ,;:-–")


def surname_key(name: str) -> str:
    """Last name folded across transliterations: Zelenskiy = Zelensky = Zelenskyy."""
    last = gazetteer.normalise(name).split()[-1] if gazetteer.normalise(name) else ""
    return re.sub(r"(iy|yy|ii|y|i)$", "", last)


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

    # -- building -----------------------------------------------------------
    def resolve(self) -> None:
        """Classify every entity span, persons with full names first."""
        spans = [e for e in self.doc.ents if e.label_ in ACTOR_LABELS]
        spans += _untagged_names(self.doc) + _dateline_places(self.doc)
        spans.sort(key=lambda s: (s.label_ != "PERSON", -len(s), s.start))
        for span in spans:
            index = self._classify(span)
            if index is not None:
                for token in span:
                    self.by_token[token.i] = index
        for token in self.doc:  # "the Ukrainian leader", "Iranian officials"
            if (
                token.i not in self.by_token
                and token.dep_ != "compound"  # a title on a name, not a mention
                and token.lemma_.lower() in LEADER_NOUNS | STATE_NOUNS
            ):
                self.nominal_entity(token)

    def _classify(self, span: Span) -> int | None:
        text = clean_surface(span.text)
        if not text or not any(c.isalpha() for c in text):
            return None
        if span.label_ == "KG_ACTOR":
            return self._known(span, text)
        if _part_of_title(span):
            return None  # "Secretary of State", "Department of Transportation"
        if span.label_ in ("PERSON", "ORG") and len(text.split()) == 1:
            misread = self._misread_place(span, text)  # "Niger" PERSON, "Niamey" ORG
            if misread is not None:
                return misread
        if span.label_ == "NORP" and not _names_people(span, text):
            return None  # "African trade", "pan-African": an adjective, not an actor
        person = self._person_by_surname(text)
        if person is not None and self._same_person(self.clusters[person].name, text):
            return self._alias(person, text)
        if span.label_ == "PERSON" or _looks_like_person(span, text):
            return self._person(span, text)
        return self._state_or_place(span, text)

    def _misread_place(self, span: Span, text: str) -> int | None:
        """A one-word country or major city the model tagged as a person or body.

        A capital after "in"/"at" is the city; elsewhere ("Washington's interest")
        it stands for its state.
        """
        if gazetteer.is_demonym(text):
            return None
        country = gazetteer.country_by_name(text)
        in_place = span.root.dep_ == "pobj" and span.root.head.lower_ in ("in", "at")
        if country is None and not in_place:
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
        return self._add("organization", text, self._org_country(span), text)

    def _place(self, text: str) -> int:
        city = gazetteer.city_by_name(text)
        if city is not None:
            # GeoNames' name where it is plain ASCII ("Kyiv" for "Kiev"), else the
            # English form the article uses ("Abu Ghraib", not "Abū Ghurayb").
            name = city.name if city.name.isascii() else text
            return self._add(
                "location",
                name,
                city.iso3,
                text,
                f"GeoNames {city.geonameid} ({city.name})",
            )
        return self._add("location", text, None, text)

    def _person(self, span: Span, text: str) -> int:
        span = _full_name(_drop_institution_word(span))
        text = clean_surface(span.text)
        role, country = describe_person(span)
        index = self._add("person", text, country, text)
        cluster = self.clusters[index]
        cluster.role = cluster.role or role
        cluster.country = cluster.country or country
        return index

    def _person_by_surname(self, text: str) -> int | None:
        key = surname_key(text)
        hits = [
            i
            for i, c in enumerate(self.clusters)
            if c.kind == "person" and key and surname_key(c.name) == key
        ]
        return hits[0] if len(hits) == 1 else None

    def _alias(self, index: int, text: str) -> int:
        name = self.clusters[index].name
        self.clusters[index].merge(text, f"same surname as {name}")
        return index

    def _org_country(self, span: Span) -> str | None:
        """An organisation's country from a state word in or just before its name."""
        tokens = list(span)
        if span.start > 0:
            tokens.insert(0, self.doc[span.start - 1])
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
            return self._definite_reference(token)
        noun = token.lemma_.lower()
        phrase = _np_text(token)
        if noun in LEADER_NOUNS:
            leader = self._leader_of(country.iso3)
            if leader is not None:
                self.clusters[leader].merge(
                    phrase,
                    f"'{phrase}': the {country.name} {noun} named in the article",
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
        return None

    def _definite_reference(self, token: Token) -> int | None:
        """ "the president", "the government": the one actor the article has for it.

        A definite role noun goes to the only person holding that role so far;
        "the government"/"the authorities" to the state the article is about,
        when one state clearly dominates its mentions.
        """
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
            return None
        if any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
            return None  # "the government of Niger" names its state itself
        noun = token.lemma_.lower()
        if noun in TITLE_WORDS | LEADER_NOUNS:
            holders = [
                i
                for i, c in enumerate(self.clusters)
                if c.kind == "person" and noun in (c.role or "").lower().split()
            ]
            if len(holders) != 1:
                return None
            phrase = _np_text(token)
            self.clusters[holders[0]].merge(
                phrase, f"'{phrase}': the only {noun} named in the article"
            )
            return holders[0]
        if noun in DOMESTIC_NOUNS:
            iso3 = self._dominant_country()
            country = gazetteer.country_by_code(iso3) if iso3 else None
            if country is not None:
                return self._add(
                    "country",
                    country.name,
                    country.iso3,
                    _np_text(token),
                    f"the article's main state is {country.name}",
                )
        return None

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
            )
            key = _cluster_key(cluster.kind, cluster.name, cluster.country)
            actors._by_key[key] = len(actors.clusters)
            actors.clusters.append(cluster)
        actors.by_token = dict(doc._.kg_entity_tokens or {})
        return actors


def _drop_institution_word(span: Span) -> Span:
    """ "Speaker of the House Nancy Pelosi": a name never follows "the" directly,
    so a first word after a determiner belongs to the phrase before it."""
    after_det = span.start > 0 and span.doc[span.start - 1].pos_ == "DET"
    if span[0].pos_ == "DET":
        span, after_det = span[1:], True
    if after_det and len(span) >= 3:
        return span[1:]
    return span


def _full_name(span: Span) -> Span:
    """Widen a person span over given names the model left out ("Antony J. Blinken").

    Only untagged proper nouns that modify the name's head and are not titles.
    """
    doc, start = span.doc, span.start
    while start > 0:
        token = doc[start - 1]
        before = doc[start - 2] if start > 1 else None
        if (
            token.pos_ != "PROPN"
            or token.ent_type_
            or token.dep_ != "compound"
            or token.head.i not in range(start, span.end)
            or token.text.lower().strip(".") in TITLE_WORDS
            or (before is not None and before.pos_ in ("DET", "ADP"))
        ):
            break
        start -= 1
    return doc[start : span.end]


def _state_reason(text: str, name: str) -> str:
    if gazetteer.is_demonym(text):
        return f"demonym of {name}"
    if gazetteer.country_by_seat(text):
        return f"seat of power standing for {name}"
    return f"another name of {name}"


def _looks_like_person(span: Span, text: str) -> bool:
    """A name the model mislabelled as a place or body, told by its syntax.

    "his Greek counterpart Giorgos Gerapetritis", "Foreign Minister X": an
    apposition to a role noun, or a name right after a title, names a person
    when no gazetteer knows it as a country or city.
    """
    if span.label_ not in ("GPE", "LOC", "ORG", "NORP") or len(text.split()) < 2:
        return False
    if (
        gazetteer.country_by_name(text)
        or gazetteer.country_by_seat(text)
        or gazetteer.city_by_name(text)
    ):
        return False
    root = span.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in ROLE_NOUNS:
        return True
    before = span.doc[span.start - 1] if span.start > 0 else None
    return before is not None and _is_title(before)


def _is_title(token: Token) -> bool:
    """ "President", "Presidents", "Minister": a word that precedes a person's name."""
    word = token.lower_.strip(".")
    if word in ("state", "affairs", "of", "foreign", "special", "senior"):
        return False
    return word in ROLE_NOUNS or (word.endswith("s") and word[:-1] in ROLE_NOUNS)


DATELINE_DASHES = frozenset({"-", "–", "—", "--"})


def _dateline_places(doc: Doc) -> list[Span]:
    """ "Kyiv – …", "ATHENS, March 11 - …": a city opening a line before a dash.

    Wire datelines are often missed by the model; a known city there is a place.
    """
    found = []
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if len(tokens) < 3:
            continue
        end = next((t.i for t in tokens[:5] if t.text in DATELINE_DASHES | {","}), None)
        if end is None or end == tokens[0].i:
            continue
        span = doc[tokens[0].i : end]
        if all(t.is_title or t.is_upper for t in span) and not any(
            t.ent_type_ for t in span
        ):
            if gazetteer.city_by_name(span.text.title()) is not None:
                found.append(Span(doc, span.start, span.end, label="GPE"))
    return found


def _part_of_title(span: Span) -> bool:
    """A one-word ORG that ends a title or department name ("Secretary of State")."""
    doc = span.doc
    if len(span) != 1 or span.start < 2 or doc[span.start - 1].lower_ != "of":
        return False
    head = doc[span.start - 2]
    return _is_title(head) or head.lower_ in ("department", "ministry", "secretary")


def _untagged_names(doc: Doc) -> list[Span]:
    """Names right after a title that the model did not tag at all.

    "Presidents Muhammadu Buhari of Nigeria": two or more capitalised proper
    nouns after a title word, outside any entity, are a person.
    """
    found = []
    for token in doc:
        if not token.is_title or not _is_title(token):
            continue
        end = token.i + 1
        while (
            end < len(doc)
            and doc[end].pos_ == "PROPN"
            and doc[end].is_title
            and not doc[end].ent_type_
        ):
            end += 1
        if end - token.i - 1 >= 2:
            found.append(Span(doc, token.i + 1, end, label="PERSON"))
    return found


def _names_people(span: Span, text: str) -> bool:
    """A NORP span that names a people or group ("Kurds", "Iranians", "Shiites"),
    or a country by its demonym; not a bare adjective ("African", "pan-Arab")."""
    if gazetteer.country_by_name(text) and gazetteer.is_demonym(text):
        return True
    if "-" in text:
        return False
    return span.root.tag_ in ("NNPS", "NNS") or span.root.dep_ in (
        "nsubj",
        "dobj",
        "pobj",
    )


def _cluster_key(kind: str, name: str, country: str | None) -> tuple[str, str]:
    return (kind, country or "") if kind == "country" else (kind, name.lower())


def _np_text(token: Token) -> str:
    left = min(
        (t.i for t in token.children if t.dep_ in ("amod", "compound", "det")),
        default=token.i,
    )
    return token.doc[left : token.i + 1].text


def describe_person(span: Span) -> tuple[str | None, str | None]:
    """Role and country from the words around a person's name.

    "U.S. President Donald Trump" → ("President", "USA"); "Zalmay Khalilzad, a US
    peace envoy" → ("peace envoy", "USA"); a possessor's country carries over
    ("Trump's special envoy Steve Witkoff" → USA).
    """
    doc = span.doc
    role_words: list[str] = []
    country: str | None = None
    i = span.start - 1
    while i >= 0 and doc[i].text.lower().strip(".") in TITLE_WORDS | {"of"}:
        role_words.insert(0, doc[i].text)
        i -= 1
    if i >= 0:
        country, i = _country_before(doc, i, country)
    for appos in (t for t in span.root.children if t.dep_ == "appos"):
        role_words = role_words or [
            t.text for t in appos.lefts if t.text.lower() in TITLE_WORDS
        ] + [appos.text]
        for t in appos.subtree:
            hit = gazetteer.country_by_name(t.text)
            if hit and country is None:
                country = hit.iso3
    country = country or _country_after(span) or _coordinated_country(span)
    role = " ".join(w for w in role_words if w.lower() != "of") or None
    return (role.strip() if role else None), country


def _country_after(span: Span) -> str | None:
    """ "President Muhammadu Buhari of Nigeria" → NGA."""
    for prep in (
        c for c in span.root.children if c.dep_ == "prep" and c.lower_ == "of"
    ):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            hit = gazetteer.country_by_name(pobj.text)
            if hit:
                return hit.iso3
    return None


def _coordinated_country(span: Span) -> str | None:
    """ "Trump's special envoy Steve Witkoff and senior adviser Jared Kushner":
    a titled name coordinated with another shares its state."""
    root = span.root
    if root.dep_ != "conj" or root.head.ent_type_ != "PERSON":
        return None
    head = root.head
    start = head.i
    while start > 0 and span.doc[start].ent_iob_ == "I":
        start -= 1
    return describe_person(span.doc[start : head.i + 1])[1]


def _country_before(doc: Doc, i: int, country: str | None) -> tuple[str | None, int]:
    token = doc[i]
    if token.text in ("'s", "\u2019s") and i > 0:
        owner = doc[i - 1]
        if owner.ent_type_ == "PERSON":
            start = owner.i
            while start > 0 and doc[start].ent_iob_ == "I":
                start -= 1
            _, owner_country = describe_person(doc[start : owner.i + 1])
            return owner_country, i
    for size in (3, 2, 1):
        if i - size + 1 < 0:
            continue
        hit = gazetteer.country_by_name(doc[i - size + 1 : i + 1].text)
        if hit:
            return hit.iso3, i - size
    return country, i
