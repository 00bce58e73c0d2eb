"""Events: CAMEO triggers plus source, target, place and date from the parse.

A trigger comes from the lexicon (``data/triggers.jsonl``, matched by a
``span_ruler``); its arguments come from the dependency tree: subjects and
passive agents are sources, objects and the nouns after "with", "on", "against"
are targets, and for an eventive noun ("talks with Y") the source is the subject
of the verb that governs it. No source actor, no event: the CAMEO convention is
to code only what the text attributes to someone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from spacy.attrs import IS_SPACE, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from kg.extraction.actors import DocActors
from kg.extraction.dates import resolve_date
from kg.extraction.mentions import ROLE_NOUNS
from kg.extraction.modality import code_for, modality_of
from kg.extraction.syntax import governing_verb as _governing_verb
from kg.extraction.syntax import per_doc
from kg.records import Entity, Event

TARGET_PREPS = frozenset(["off"]) | frozenset(
    "with on upon against to toward towards into at for between".split()
)
PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "off"})
#: Prepositions whose object is where an action goes ("travelled to Berlin").
DESTINATION_PREPS = frozenset({"to", "into"})
#: Roots whose object may be the place itself ("seized the town of X").
FORCE_ROOTS = frozenset({"15", "18", "19", "20"})
#: Roots of physical events, which happen somewhere (meetings, aid, protests,
#: force); the others are things said.
PHYSICAL_ROOTS = frozenset({"04", "07", "08", "14", "15", "17", "18", "19", "20"})
#: "the city [of] X": the preposition of a name inside a common noun phrase.
OF = frozenset({"of"})
#: How many place phrases down a place may be named ("in an ambush in X").
PLACE_DEPTH = 2
SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
#: Verbs whose object names the participants of an eventive-noun subject
#: ("the conversation involved X and Y").
PARTICIPATION_VERBS = frozenset({"involve", "include", "bring", "feature", "join"})
DEFINITE_DETS = frozenset({"the", "this", "that", "these", "those"})
#: Verbs that carry an event noun and whose subject is that event's source:
#: "X held talks", "X imposed sanctions", "X launched an attack". A noun under any
#: other verb ("Reuters reported the attack") gets no source from it.
SUPPORT_VERBS = frozenset(
    "hold have conduct carry launch stage make impose announce send provide give "
    "deliver offer sign reach begin start continue resume join host lead order issue "
    "lodge file mount level express extend pledge approve take seek propose open "
    "call unveil introduce adopt agree complete finalize finalise broker mediate "
    "attend organize organise convene initiate intensify escalate step declare "
    "slap put place enact expand tighten renew voice pay".split()
)
#: Prepositions that put an event noun in the subject's own timeline
#: ("X said after talks with Y" → X took part in the talks).
TEMPORAL_PREPS = frozenset({"after", "following", "before", "during", "ahead"})
#: Roots whose action is mutual: "X and Y met" is X meeting Y.
SYMMETRIC_ROOTS = frozenset({"04", "05", "06", "19"})
PRONOUNS = frozenset({"he", "she", "him", "her"})
#: Subject pronouns resolved from the clause structure and the preceding
#: subjects: "they" (a plural antecedent), "it" (the state or body that said
#: it), "I"/"we" (the speaker of the quotation they stand in).
PLURAL_PRONOUNS = frozenset({"they"})
SPEAKER_PRONOUNS = frozenset({"i", "we"})
#: Verbs that attribute a quotation or a reported clause to their subject.
SPEECH_VERBS = frozenset(
    "say tell add state respond reply tweet write post declare insist note stress "
    "explain comment remark argue announce".split()
)
#: Verbs whose clause states what their subject says, thinks or does of itself:
#: "Iran said it would …", "X and Y denied they had …". Not "demanded that
#: they …" or "warned that they …", whose "they" is mostly someone else.
REPORTING_VERBS = SPEECH_VERBS | frozenset(
    "believe think expect hope agree confirm deny admit acknowledge vow promise "
    "claim".split()
)
QUOTE_MARKS = frozenset({'"', "“", "”", "``", "''"})
_QUOTED_KEY = "kg_quoted"  # Doc.user_data key of the per-token quotation flags
_QUOTE_IDS = frozenset(get_string_id(mark) for mark in QUOTE_MARKS)
#: Nouns for the members of a body: "leaders of AU member states" act as the AU.
MEMBER_NOUNS = frozenset({"state", "country", "nation", "member", "government"})
#: People who act for their states: "leaders", "ministers", "diplomats of …".
DELEGATE_NOUNS = ROLE_NOUNS | {"official", "diplomat", "delegate", "delegation"}
#: Previous sentences searched for the antecedent of a plural "they".
ANTECEDENT_SENTENCES = 2
#: Roots whose target is whoever is blamed or rebuffed. What such a verb or noun
#: takes as its object is often a deed, not an actor ("condemned the deal between
#: X and Y", "rejected the proposal from X"): the deed's author is the target.
BLAME_ROOTS = frozenset({"11", "12"})
#: Roots whose verb may state its charge or threat as a clause; the clause's
#: subject is the target: "alleged that X hid figures", "warned that X would pay".
CHARGE_ROOTS = BLAME_ROOTS | {"13"}
#: Prepositions that name the author of a deed ("the strikes by X", "the pact
#: between X and Y", "the offer from X").
AUTHOR_PREPS = frozenset({"by", "from", "between"})
#: Roots whose nouns take "from" for the place or side left, not the author:
#: "the withdrawal from X", "the release from custody".
DEPARTURE_ROOTS = frozenset({"08"})
#: Prepositions that name what a blaming word is about ("criticism of X",
#: "complained about X", "protested over X's decision").
BLAMED_PREPS = frozenset({"of", "about", "over"})
#: Verbs whose subject undergoes the event noun they take as object, done by the
#: "from"/"by" phrase: "X received aid from Y", "X faced criticism from Y".
RECEIVING_VERBS = frozenset("receive face draw attract earn suffer".split())
#: Verbs whose subject caused a blaming noun object, and so is blamed:
#: "X's plan sparked condemnation from Y".
CAUSING_VERBS = frozenset("spark prompt provoke trigger".split())


@dataclass(frozen=True)
class Trigger:
    """A lexicon match: its words, its head token and its CAMEO code."""

    span: Span
    head: Token
    code: str
    needs_target: bool
    object_is_topic: bool = False  # "discussed the situation": no target


def find_triggers(doc: Doc, actors: DocActors, spans_key: str) -> list[Trigger]:
    """The longest lexicon match per head token, skipping words inside names."""
    best: dict[int, Span] = {}
    for span in doc.spans.get(spans_key, []):
        head = span.root
        if head.i in actors.by_token or head.ent_type_ in ("ORG", "WORK_OF_ART", "LAW"):
            continue
        if head.i not in best or len(span) > len(best[head.i]):
            best[head.i] = span
    heads = {i: best[i].label_[:2] for i in best}
    out = []
    for i, span in sorted(best.items()):
        verb = _governing_verb(doc[i]) if doc[i].pos_ not in ("VERB", "AUX") else None
        if verb is not None and heads.get(verb.i) == span.label_[:2]:
            continue  # "met ... for talks": one event, coded on the verb
        flags = set(span.id_.split("!")[1:])
        out.append(
            Trigger(span, doc[i], span.label_, "target" in flags, "topic" in flags)
        )
    return out


class EventFinder:
    """Turns triggers into events for one document."""

    def __init__(self, doc: Doc, actors: DocActors, anchor: date | None) -> None:
        self.doc = doc
        self.actors = actors
        self.anchor = anchor
        self._dates: dict[int, list[Span]] | None = None
        # Last (source, targets) per CAMEO root: "the talks" refers back to them.
        self._recent: dict[str, tuple[list[int], list[int]]] = {}
        self._roots_at: dict[int, str] = {}  # trigger head index -> CAMEO root
        # "they" token index -> the earlier sentence that names its antecedent
        self._antecedents: dict[int, Span] = {}
        #: trigger head index -> (root, source, target) of each event the rules
        #: coded there; the trained coder reads them as features
        self.chosen: dict[int, list[tuple[str, int, int | None]]] = {}

    def events(self, triggers: list[Trigger]) -> Iterator[Event]:
        self._roots_at = {t.head.i: t.code[:2] for t in triggers}
        found = [e for t in triggers for e in self._events_for(t)]
        # Nominal mentions met on the way add aliases: give every event the final form.
        final = {(e.kind, e.name): e for e in self.actors.entities()}
        for event in found:
            yield replace(
                event,
                source=final.get((event.source.kind, event.source.name), event.source),
                target=event.target
                and final.get((event.target.kind, event.target.name), event.target),
            )

    def find_readings(self, triggers: list[Trigger]) -> None:
        """Only the rules' readings of each trigger, into :attr:`chosen`.

        The trained coder reads the rules' choices as features and builds its
        own events; the rules' events (place, date, entity records) would be
        thrown away, so they are not made.
        """
        self._roots_at = {t.head.i: t.code[:2] for t in triggers}
        for trigger in triggers:
            self._readings(trigger)

    def _events_for(self, trigger: Trigger) -> Iterator[Event]:
        readings = self._readings(trigger)
        if not readings:
            return
        place, when = self.circumstances(trigger)
        for _, source, target in readings:
            where = place or self._target_territory(trigger, target)
            yield self._event(trigger, source, target, where, when)

    def _readings(self, trigger: Trigger) -> list[tuple[str, int, int | None]]:
        """The (root, source, target) readings the rules give a trigger (also
        kept in :attr:`chosen`): its arguments by the dependency rules."""
        head = trigger.head
        root = trigger.code[:2]
        verbal = head.pos_ in ("VERB", "AUX")
        if verbal:
            sources, targets = self._verb_args(head, trigger.object_is_topic)
        else:
            sources, targets = self._noun_args(head, root)
        if root in BLAME_ROOTS:
            targets = self._blamed_targets(head, verbal) or targets
        if root in CHARGE_ROOTS and verbal:
            targets = targets or self._charged(head, root)
        if not verbal and not sources:
            if not targets and self._refers_back(head, root):
                return []  # "the talks" again: the same event, already coded
            sources, targets = self._resolve_anaphora(head, root, sources, targets)
        if trigger.needs_target and not targets:
            return []
        if len(sources) > 1 and not targets and root in SYMMETRIC_ROOTS:
            sources, targets = sources[:1], sources[1:]  # "X and Y met": X met Y
        if sources:
            self._recent[root] = (sources, targets)
        readings: list[tuple[str, int, int | None]] = [
            (root, source, target)
            for source in sources
            for target in _others(targets, source)
        ]
        if readings:
            self.chosen.setdefault(head.i, []).extend(readings)
        return readings

    def circumstances(self, trigger: Trigger) -> tuple[Entity | None, str | None]:
        """Where and when the trigger's event happened, as far as the text says."""
        place = (
            self._place(trigger)
            or self._sentence_place(trigger)
            or self._physical_place(trigger)
        )
        when = self._date(trigger)
        earlier = self._antecedent_sentence(trigger.head)
        if earlier is not None:
            # "X and Y met in Cairo on Monday. They called on Z …": said there, then
            place = place or self._only_place(earlier)
            when = when or self._only_date(earlier)
        return place, when

    def _refers_back(self, noun: Token, root: str) -> bool:
        """A definite event noun with nothing new, naming an event already seen."""
        return root in self._recent and any(
            c.dep_ == "det" and c.lower_ in DEFINITE_DETS for c in noun.children
        )

    def _resolve_anaphora(
        self, noun: Token, root: str, sources: list[int], targets: list[int]
    ) -> tuple[list[int], list[int]]:
        """A definite event noun with no stated source ("the conversation") takes
        the source (and, if it names none, the targets) of the last event of its
        kind in the article."""
        if sources or root not in self._recent:
            return sources, targets
        if not any(
            c.dep_ == "det" and c.lower_ in DEFINITE_DETS for c in noun.children
        ):
            return sources, targets
        previous_sources, previous_targets = self._recent[root]
        return previous_sources, targets or previous_targets

    # -- arguments ----------------------------------------------------------
    def _verb_args(
        self, verb: Token, object_is_topic: bool = False
    ) -> tuple[list[int], list[int]]:
        sources = [] if _is_passive(verb) else self._subjects(verb)
        if _is_passive(verb) and verb.dep_ == "relcl":
            targets = self._actors_in(verb.head)  # "Y, who was arrested by X"
        else:
            targets = []
        for child in verb.children:
            if child.dep_ in ("dobj", "dative", "obj", "attr") and not object_is_topic:
                targets += (
                    self._actors_in(child)
                    or self._prep_objects(child)
                    or self._pobj_actors(child)  # "sent a letter to X" (dative)
                )
            elif child.dep_ in ("dobj", "obj") and object_is_topic:
                targets += self._prep_objects(child)
            elif child.dep_ == "nsubjpass":
                targets += self._actors_in(child)
            elif child.dep_ == "agent":
                sources = self._pobj_actors(child) or sources
            elif child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                targets += self._pobj_actors(child)
            elif child.dep_ == "prt":
                targets += self._prep_objects(child)
        if not targets:
            targets = self._clause_targets(verb)
        return sources, targets

    def _clause_targets(self, verb: Token, depth: int = 2) -> list[int]:
        """Targets down the verb's purpose clauses: "committed to send troops to
        Saudi Arabia", "threatens to take measures to reinstate the government of
        Niger"."""
        found: list[int] = []
        for clause in (c for c in verb.children if c.dep_ in ("xcomp", "advcl")):
            for child in clause.children:
                if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                    found += self._pobj_actors(child)
                elif child.dep_ in ("dobj", "obj"):
                    found += self._actors_in(child)
            if not found and depth > 1:
                found += self._clause_targets(clause, depth - 1)
        return found

    def _blamed_targets(self, head: Token, verbal: bool) -> list[int]:
        """Who a blaming verb or noun is aimed at, through what it is about.

        "condemned the strikes by X on Y" blames X, not Y; "criticism of X",
        "complained over X's decision", "denounced the deal between X and Y".
        """
        preps = BLAMED_PREPS if not verbal else BLAMED_PREPS - {"of"}
        if verbal and not _is_passive(head):
            # "condemned the actions by X": the parser often hangs "by X" on the verb
            preps |= {"by", "from"}
        things = [c for c in head.children if verbal and c.dep_ in ("dobj", "obj")]
        things += [
            p
            for c in head.children
            if c.dep_ == "prep" and c.lower_ in preps
            for p in c.children
            if p.dep_ == "pobj"
        ]
        return [a for t in things for a in self._blamed(t)]

    def _blamed(self, thing: Token, nested: bool = False) -> list[int]:
        """The actor a blamed thing names, else the author of the deed it names.

        "Turkey", "Turkey's actions", "the proposal from Egypt", and one "of"
        further down: "the memorandum of understanding between X and Y". Below an
        "of", "from" is where someone comes from ("the killing of a reporter from
        X"), and it is where a withdrawal leaves from: neither is an author.
        """
        named = self._actors_in(thing)
        if named:
            return named
        preps = AUTHOR_PREPS
        if nested or self._roots_at.get(thing.i) in DEPARTURE_ROOTS:
            preps = AUTHOR_PREPS - {"from"}
        authors = [
            a
            for c in thing.children
            if c.dep_ == "prep" and c.lower_ in preps
            for a in self._pobj_actors(c)
        ]
        if authors or nested:
            return authors
        return [
            a
            for c in thing.children
            if c.dep_ == "prep" and c.lower_ == "of"
            for p in c.children
            if p.dep_ == "pobj"
            for a in self._blamed(p, nested=True)
        ]

    def _charged(self, verb: Token, root: str) -> list[int]:
        """The subject of the clause that states the charge or threat: "alleged
        (that) X was hiding figures", "warned that X would pay".

        For disapproval also the clause of a "saying" beside the verb: "condemned
        the move, saying X's actions violate the law" (a rejection's "saying"
        clause gives its reasons instead). Pronoun subjects are left out: they
        mostly name the speaker.
        """
        clauses = [c for c in verb.children if c.dep_ == "ccomp"]
        clauses += [
            g
            for c in verb.children
            if root == "11" and c.dep_ in ("advcl", "xcomp")
            for g in c.children
            if g.dep_ == "ccomp"
        ]
        return [
            a
            for clause in clauses
            for s in clause.children
            if s.dep_ == "nsubj" and s.pos_ != "PRON"
            for a in self._actors_in(s)
        ]

    def _noun_args(self, noun: Token, root: str = "") -> tuple[list[int], list[int]]:
        sources: list[int] = []
        targets = self._prep_objects(noun) + self._participants(noun)
        for child in noun.children:
            if child.dep_ == "poss":
                sources += self._actors_in(child)
            elif child.dep_ in ("compound", "amod", "nmod"):
                # "Russian strikes", "US sanctions": a state word, not a name
                sources += [
                    a
                    for a in self._actors_in(child)
                    if self.actors.clusters[a].kind in ("country", "group")
                ]
            elif child.dep_ == "acl":
                sources += [
                    a
                    for g in child.children
                    if g.dep_ == "agent"
                    for a in self._pobj_actors(g)
                ]
            elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
                sources += self._pobj_actors(child)
            elif child.dep_ == "prep" and child.lower_ == "between":
                pair = self._pobj_actors(child)
                sources, targets = pair[:1], pair[1:]
        received_by, received_from = self._received(noun, root)
        sources = sources or received_from
        targets = targets or received_by
        if not sources and not self._refers_back(noun, root):
            # "attended the rally", "during the talks": a definite noun for an event
            # already coded is that event again, not a new one by the verb's subject
            verb = self._support_verb(noun)
            if verb is not None:
                sources = self._subjects(verb)
                if not targets:
                    targets = [
                        t
                        for c in verb.children
                        if c.dep_ in ("prep", "dative") and c.lower_ in TARGET_PREPS
                        for t in self._pobj_actors(c)
                    ]
        return sources, targets

    def _received(self, noun: Token, root: str) -> tuple[list[int], list[int]]:
        """Who undergoes and who does an event noun that is the object of a verb
        of receiving: "X faced criticism from Y", "X received aid from Y", and
        for blame "X's move sparked condemnation from Y".

        Returns:
            The verb's subject actors (targets) and the "from"/"by" actors
            (sources), both empty when the noun is not such an object.
        """
        verb = noun.head
        lemmas = RECEIVING_VERBS | (CAUSING_VERBS if root in BLAME_ROOTS else set())
        if (
            noun.dep_ not in ("dobj", "obj")
            or verb.lemma_.lower() not in lemmas
            or _is_passive(verb)
        ):
            return [], []
        doers = [
            a
            for token in (noun, verb)
            for c in token.children
            if c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from")
            for a in self._pobj_actors(c)
        ]
        return self._subjects(verb) if doers else [], doers

    def _support_verb(self, noun: Token) -> Token | None:
        """The verb whose subject is the source of an event noun, if there is one."""
        verb = _governing_verb(noun)
        if verb is None or _is_passive(verb):
            return None
        if (
            verb.lemma_.lower() in SUPPORT_VERBS
            or verb.lemma_.lower() in TEMPORAL_PREPS
        ):
            return verb
        link = noun.head
        if link.dep_ == "prep" and link.lower_ in TEMPORAL_PREPS:
            return verb
        return None

    def _participants(self, noun: Token) -> list[int]:
        """Objects of "involved"/"included" hung on an event noun."""
        verbs = [c for c in noun.children if c.dep_ in ("acl", "relcl")]
        if noun.dep_ in SUBJECT_DEPS:
            verbs.append(noun.head)
        return [
            a
            for v in verbs
            if v.lemma_ in PARTICIPATION_VERBS
            for c in v.children
            if c.dep_ in ("dobj", "obj")
            for a in self._actors_in(c)
        ]

    def _subjects(self, verb: Token) -> list[int]:
        """Subject actors, inherited through "and"/"to"-clauses when unstated."""
        for _ in range(4):
            subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
            if subjects:
                return [a for s in subjects for a in self._actors_in(s)]
            if verb.dep_ == "relcl":
                return self._actors_in(verb.head)
            controller = self._object_controller(verb)
            if controller:
                return controller
            if (
                verb.dep_ not in ("xcomp", "conj", "advcl", "ccomp", "pcomp", "prep")
                or verb.head == verb
            ):
                return []
            verb = verb.head
        return []

    def _object_controller(self, clause: Token) -> list[int]:
        """ "urged Russia to withdraw", "called on Turkey to halt": in a to-clause
        under a verb with an object, the object does the clause's action."""
        if clause.dep_ != "xcomp":
            return []
        for child in clause.head.children:
            if child.dep_ in ("dobj", "obj") and child.i < clause.i:
                return self._actors_in(child)
            if (
                child.dep_ == "prep"
                and child.lower_ in ("on", "upon")
                and child.i < clause.i
            ):
                return self._pobj_actors(child)
        return []

    def _actors_in(self, token: Token) -> list[int]:
        """Actors a noun phrase names, with coordination ("X and Y") expanded."""
        if token.dep_ in ("nsubj", "nsubjpass") and token.lower_ in (
            PLURAL_PRONOUNS | SPEAKER_PRONOUNS | {"it"}
        ):
            return self._pronoun_referents(token)
        out: list[int] = []
        for node in _conjuncts(token):
            found, via = self._actor_of(node)
            if found is not None:
                out.append(found)
                out += self._coordinated_states(node)
            if via is not node:
                out += [
                    a
                    for c in via.children
                    if c.dep_ == "conj"
                    for a in self._actors_in(c)
                ]
        out = [self.actors.as_state(a) for a in dict.fromkeys(out)]
        clusters = self.actors.clusters
        return [a for a in dict.fromkeys(out) if clusters[a].kind != "location"]

    def _pronoun_referents(self, pronoun: Token) -> list[int]:
        """The actors a subject pronoun stands for, or none when unsure.

        "I"/"we" inside a quotation are its speaker; outside quotes the others
        take the subject of the clause that reports them ("Iran said it would
        …", "X and Y said they …"), and a plural "they" else the nearest
        preceding plural subject. An unresolved pronoun gives no actor: better
        no event than one with the wrong source.
        """
        quoted = _inside_quote(pronoun)
        if pronoun.lower_ in SPEAKER_PRONOUNS:
            return self._speaker(pronoun.head) if quoted else []
        if quoted:
            return []
        reporter = self._reporting_subjects(pronoun)
        if reporter is not None:
            return reporter
        if pronoun.lower_ in PLURAL_PRONOUNS:
            return self._plural_antecedent(pronoun)
        return []

    def _speaker(self, verb: Token) -> list[int]:
        """Who utters a quoted clause: the subject of the speech verb outside the
        quotes that governs it ('"We reject this," said X') or hangs from it
        (parsed as 'X said: "I reject …"' with "said" under "reject")."""
        node = verb
        for _ in range(3):
            for child in node.children:
                if child.dep_ in ("ccomp", "parataxis") and _says(child):
                    return self._subjects(child)
            if node.dep_ not in ("ccomp", "parataxis", "conj", "xcomp"):
                return []
            node = node.head
            if _says(node):
                return self._subjects(node)
        return []

    def _reporting_subjects(self, pronoun: Token) -> list[int] | None:
        """The subject of the verb that reports the pronoun's clause, when it
        agrees in number: "Iran said it would retaliate" (one state or body),
        "Egypt and Sudan said they had agreed" (two or more actors).

        Returns:
            The referents, [] when the reporter disagrees, None when the clause
            is not reported.
        """
        clause = pronoun.head
        if clause.dep_ != "ccomp" or clause.head.lemma_.lower() not in REPORTING_VERBS:
            return None
        found = self._subjects(clause.head)
        kinds = {self.actors.clusters[a].kind for a in found}
        if pronoun.lower_ == "it":
            return (
                found
                if len(found) == 1 and kinds <= {"country", "organization"}
                else []
            )
        return found if len(found) > 1 or kinds == {"group"} else []

    def _plural_antecedent(self, pronoun: Token) -> list[int]:
        """The nearest main-clause subject before a plural "they" that can be its
        antecedent: coordinated actors or a group.

        Single persons and singular things are passed over ("they" cannot mean
        them); a plural noun with no actor, or a single state or body (which
        some writers call "they"), stops the search unresolved.
        """
        for subject in self._preceding_subjects(pronoun):
            if subject.lower_ in PLURAL_PRONOUNS:
                found = self._pronoun_referents(subject)
            elif subject.pos_ == "PRON":
                continue
            else:
                found = self._actors_in(subject)
            kinds = {self.actors.clusters[a].kind for a in found}
            if (
                subject.lower_ in PLURAL_PRONOUNS
                or len(found) > 1
                or kinds == {"group"}
            ):
                if found and subject.sent != pronoun.sent:
                    earlier = self._antecedents.get(subject.i, subject.sent)
                    self._antecedents[pronoun.i] = earlier
                return found
            if kinds - {"person"} or (not found and _plural_noun(subject)):
                return []
        return []

    def _antecedent_sentence(self, head: Token) -> Span | None:
        """The earlier sentence a "they" subject of the trigger's clause (or one
        above it) was resolved to, if any."""
        for token in [head, *head.ancestors]:
            for child in token.children:
                if (
                    child.dep_ in ("nsubj", "nsubjpass")
                    and child.i in self._antecedents
                ):
                    return self._antecedents[child.i]
        return None

    def _preceding_subjects(self, pronoun: Token) -> list[Token]:
        """Main-clause subjects before the pronoun, nearest first, in its own
        sentence and the ANTECEDENT_SENTENCES sentences before it."""
        sent = pronoun.sent
        first = sent.start
        for _ in range(ANTECEDENT_SENTENCES):
            if first == 0:
                break
            first = self.doc[first - 1].sent.start
        return [
            t
            for t in reversed(self.doc[first : pronoun.i])
            if t.dep_ in ("nsubj", "nsubjpass") and _main_clause(t.head)
        ]

    def _coordinated_states(self, noun: Token) -> list[int]:
        """ "Greek and Turkish diplomats": every coordinated state word counts."""
        found = []
        for amod in (c for c in noun.children if c.dep_ in ("amod", "compound")):
            for word in _conjuncts(amod)[1:]:
                state = self.actors.state_named(word.text, word.text)
                if state is not None:
                    found.append(state)
        return found

    def _actor_of(self, token: Token) -> tuple[int | None, Token]:
        """The actor a head noun denotes, and the token that named it.

        "Trump's special envoy Steve Witkoff": the apposition names the actor, not
        the possessor, so modifiers are tried in order appos, compound, amod, poss.
        """
        if token.i in self.actors.dateline_tokens:
            # "NAIROBI -- Kenyan President William Ruto met …" parsed with the
            # dateline as subject: the apposition is the actor, the city never is
            for child in (c for c in token.children if c.dep_ == "appos"):
                found, via = self._actor_of(child)
                if found is not None:
                    return found, via
            return None, token
        named = self.actors.by_token.get(token.i)
        if named is not None:
            return named, token
        if token.lower_ in PRONOUNS:
            return self.actors.last_person_before(token.i), token
        for child in (c for c in token.children if c.dep_ == "appos"):
            hit = self.actors.entity_for_token(child)
            if hit is not None:
                return hit, child
        nominal = self.actors.nominal_entity(token)
        if nominal is not None:
            return nominal, token
        for dep in ("compound", "amod", "nmod", "poss"):
            for child in (c for c in token.children if c.dep_ == dep):
                hit = self.actors.entity_for_token(child)
                if hit is not None:
                    return hit, child
        for child in (
            c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
        ):
            for pobj in (c for c in child.children if c.dep_ == "pobj"):
                hit = self.actors.entity_for_token(pobj)
                if hit is None and token.lemma_.lower() in DELEGATE_NOUNS:
                    hit = self._membership(pobj)
                if hit is not None:
                    return hit, pobj
        return None, token

    def _membership(self, noun: Token) -> int | None:
        """The body whose members a plural noun names: "(leaders of) AU member
        states", "(ministers of) NATO countries"."""
        if noun.lemma_.lower() not in MEMBER_NOUNS or noun.tag_ != "NNS":
            return None
        for child in noun.children:
            index = self.actors.by_token.get(child.i)
            if (
                child.dep_ in ("compound", "nmod")
                and index is not None
                and self.actors.clusters[index].kind == "organization"
            ):
                return index
        return None

    def _pobj_actors(self, prep: Token) -> list[int]:
        return [
            a
            for c in prep.children
            if c.dep_ in ("pobj", "pcomp")
            for a in self._actors_in(c)
        ]

    def _prep_objects(self, token: Token) -> list[int]:
        found: list[int] = []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                found += self._pobj_actors(child)
                for pobj in (c for c in child.children if c.dep_ == "pobj"):
                    found += self._prep_objects(pobj) if not found else []
        return found

    # -- circumstances ------------------------------------------------------
    def _place(self, trigger: Trigger) -> Entity | None:
        """A place named after "in"/"at"/"near"/"off" on the trigger, its verb,
        or the verb's object ("met with X in Qatar", "off the coast of Taiwan");
        else the place the action goes to or takes (:meth:`_destination`)."""
        anchors = _anchors(trigger)
        anchors += [c for a in anchors for c in a.children if c.dep_ in ("dobj", "obj")]
        anchors += [p for a in anchors for p in _objects_after(a, TARGET_PREPS)]
        for anchor in anchors:
            for pobj in _objects_after(anchor, PLACE_PREPS):
                found = self._place_in(pobj)
                if found is not None:
                    return found
        return self._destination(trigger)

    def _destination(self, trigger: Trigger) -> Entity | None:
        """A place the trigger's action goes to ("travelled to Berlin",
        "summoned the envoy to Tokyo") or, for visits and force, takes as its
        object ("visited the islands", "seized control of Zinjibar")."""
        anchors = _anchors(trigger)
        found = [p for a in anchors for p in _objects_after(a, DESTINATION_PREPS)]
        if trigger.code[:3] in ("042", "043") or trigger.code[:2] in FORCE_ROOTS:
            found += [
                c for a in anchors for c in a.children if c.dep_ in ("dobj", "obj")
            ]
        for token in found:
            place = self._place_in(token, 0)
            if place is not None:
                return place
        return None

    def _place_in(self, pobj: Token, depth: int = PLACE_DEPTH) -> Entity | None:
        """The place a prepositional object names.

        In order: the word itself; a name set beside it ("the capital Santiago",
        "the Baghdad airport"); its "of" phrase ("the city of Aden"); where it
        is, down to ``depth`` phrases ("an ambush in Chhattisgarh", "a restaurant
        in Mogadishu"); and only then its owner ("Yemen's capital"), the least
        precise of them.
        """
        for token in _place_words(pobj):
            found = self._place_at(token)
            if found is not None:
                return found
        if depth > 0:
            for inner in _objects_after(pobj, PLACE_PREPS):
                found = self._place_in(inner, depth - 1)
                if found is not None:
                    return found
        for owner in (c for c in pobj.children if c.dep_ == "poss"):
            found = self._place_at(owner)
            if found is not None:
                return found
        return None

    def _place_at(self, token: Token) -> Entity | None:
        """The place (location or state) a token names, if any."""
        index = self.actors.by_token.get(token.i)
        if index is not None and self.actors.clusters[index].kind in (
            "location",
            "country",
        ):
            return self.actors.clusters[index].freeze()
        return None

    def _sentence_place(self, trigger: Trigger) -> Entity | None:
        """The one place a sentence puts things in ("met in Niamey … where … signed"),
        when the trigger itself has none and the sentence names exactly one.

        Only places on the trigger's own clause chain count: in "they met in Tokyo,
        and China criticised them", Tokyo is not where China criticised.
        """
        return self._only_place(trigger.head.sent, _clause_chain(trigger.head))

    def _physical_place(self, trigger: Trigger) -> Entity | None:
        """For a physical event (a meeting, a protest, force), the one place its
        sentence puts anything "in" or "at", whichever clause says it ("a bomb
        went off at a market in Kandahar, Afghanistan, killing …").
        A reported event looks only in the reported clause: in "officials meeting
        in Geneva said X attacked Y", Geneva is where it was said. Words
        (statements, appeals, criticism) stay unplaced unless their own clause
        names the place."""
        if trigger.code[:2] not in PHYSICAL_ROOTS:
            return None
        scope = _reported_clause(trigger.head)
        return self._only_place(trigger.head.sent, scope)

    def _only_place(self, sent: Span, clause: set[int] | None = None) -> Entity | None:
        """The one place a sentence (or the given clause chain of it) puts
        things "in" or "at", or None when it names none or several."""
        places = {
            place
            for prep in sent
            if prep.dep_ == "prep"
            and prep.lower_ in ("in", "at")
            and (clause is None or prep.head.i in clause)
            for pobj in prep.children
            if pobj.dep_ == "pobj" and (place := self._place_at(pobj)) is not None
        }
        return places.pop() if len(places) == 1 else None

    def _target_territory(self, trigger: Trigger, target: int | None) -> Entity | None:
        """Visits, aid and force land on the target state's territory: where the
        text names no place, an event of those roots is placed in the target state."""
        if (
            target is None
            or trigger.code[:3] != "042"
            and trigger.code[:2] not in ("07", "15", "18", "19", "20")
        ):
            return None
        cluster = self.actors.clusters[target]
        return cluster.freeze() if cluster.kind == "country" else None

    def _date(self, trigger: Trigger) -> str | None:
        """The day the trigger's clause is dated to, or None.

        In order: a DATE attached to the trigger or its verb; one attached to the
        clause it is coordinated with or depends on ("On Thursday she held a rally
        and promised …"); the sentence's only day-level date; and for a verb in
        the present tense outside quotes (headline style), the publication date.
        """
        anchors = {t.i for t in _anchors(trigger)}
        found = self._attached_date(trigger.head.sent, anchors)
        clause = trigger.head if trigger.head.pos_ in ("VERB", "AUX") else None
        clause = clause or _governing_verb(trigger.head)
        for _ in range(2):
            if found or clause is None or clause.dep_ not in ("conj", "xcomp", "advcl"):
                break
            clause = clause.head
            found = self._attached_date(trigger.head.sent, {clause.i})
        return (
            found
            or self._only_date(trigger.head.sent, _clause_chain(trigger.head))
            or self._present(clause)
        )

    def _only_date(self, sent: Span, chain: set[int] | None = None) -> str | None:
        """The one day a sentence names, or None; with ``chain``, a day that
        dates another clause ("agreed to a plan to be put to X on Sunday") is
        left out."""
        days = {
            resolve_date(e.text, self.anchor)
            for e in self._dates_in(sent)
            if chain is None or _dated_clause(e.root) in chain
        } - {None}
        return days.pop() if len(days) == 1 else None

    def _present(self, verb: Token | None) -> str | None:
        """Headline present ("China sends aid"): the event is dated to the article."""
        if verb is None or self.anchor is None or verb.tag_ not in ("VBZ", "VBP"):
            return None
        if any(t.is_quote for t in verb.sent) or any(
            c.dep_ == "aux" for c in verb.children
        ):
            return None
        return self.anchor.isoformat()

    def _dates_in(self, sent: Span) -> list[Span]:
        """DATE entities of a sentence, indexed once per document.

        ``Span.ents`` walks the whole document's entities on every call, which
        made long documents quadratic. A dateline's day ("MOSCOW, June 18 -")
        is the filing day, not the day of any event, and is left out.
        """
        if self._dates is None:
            self._dates = {}
            for ent in self.doc.ents:
                if (
                    ent.label_ == "DATE"
                    and ent.start not in self.actors.dateline_tokens
                ):
                    self._dates.setdefault(ent.root.sent.start, []).append(ent)
        return self._dates.get(sent.start, [])

    def _attached_date(self, sent: Span, anchors: set[int]) -> str | None:
        """A day-level DATE entity in ``sent`` whose head chain reaches an anchor."""
        for ent in self._dates_in(sent):
            if ent.label_ != "DATE":
                continue
            node, steps = ent.root, 0
            while node.head != node and node.i not in anchors and steps < 3:
                node, steps = node.head, steps + 1
            if node.i in anchors:
                resolved = resolve_date(ent.text, self.anchor)
                if resolved:
                    return resolved
        return None

    def _event(
        self,
        trigger: Trigger,
        source: int,
        target: int | None,
        place: Entity | None,
        when: str | None,
    ) -> Event:
        sent = trigger.head.sent
        text = sent.text.rstrip()
        code, modality = code_for(trigger.code, modality_of(trigger.head))
        code = _official_protest(code, self.actors.clusters[source].kind)
        confidence = 0.55 + (0.2 if target is not None else 0.0)
        confidence += 0.1 if trigger.head.pos_ in ("VERB", "AUX") else 0.0
        confidence += 0.05 if place is not None else 0.0
        return Event(
            cameo=code,
            trigger=trigger.span.text,
            source=self.actors.clusters[source].freeze(),
            target=self.actors.clusters[target].freeze()
            if target is not None
            else None,
            location=place,
            date=when,
            sentence=text,
            start=sent.start_char,
            end=sent.start_char + len(text),
            confidence=round(min(confidence, 1.0), 3),
            trigger_start=trigger.span.start_char,
            modality=modality,
        )


def _others(targets: list[int], source: int) -> list[int | None]:
    """The targets other than ``source``, or [None] (no target) when none is left."""
    others: list[int | None] = [t for t in targets if t != source]
    return others or [None]


def _inside_quote(token: Token) -> bool:
    """Whether an odd number of quotation marks opens before the token in its
    paragraph."""
    return _quoted_tokens(token.doc)[token.i]


def _quoted_tokens(doc: Doc) -> list[bool]:
    """Per token, whether it stands inside quotation marks, counted from the
    start of its paragraph; worked out once per Doc (one pass, so a long
    paragraph with many pronouns stays linear)."""
    return per_doc(doc, _QUOTED_KEY, _quotation_flags)


def _quotation_flags(doc: Doc) -> list[bool]:
    flags, marks = [], 0
    # token attributes as one array: no Token object per word
    rows = doc.to_array([ORTH, IS_SPACE]).tolist()
    for i, (orth, space) in enumerate(rows):
        flags.append(marks % 2 == 1)
        if space and "\n" in doc[i].text:
            marks = 0
        else:
            marks += orth in _QUOTE_IDS
    return flags


def _says(verb: Token) -> bool:
    """A speech verb outside quotation marks: it attributes what it governs."""
    return verb.lemma_.lower() in SPEECH_VERBS and not _inside_quote(verb)


def _main_clause(verb: Token) -> bool:
    """The sentence's root verb or a verb coordinated with it."""
    while verb.dep_ == "conj":
        verb = verb.head
    return verb.dep_ == "ROOT"


def _plural_noun(token: Token) -> bool:
    """ "the ministers", "rebels", "Egypt and Sudan": a plural noun phrase."""
    return token.tag_ in ("NNS", "NNPS") or any(
        c.dep_ == "conj" for c in token.children
    )


def _clause_chain(token: Token) -> set[int]:
    """The token and its ancestors up to, not across, a coordination."""
    chain = {token.i}
    while token.head != token and token.dep_ != "conj":
        token = token.head
        chain.add(token.i)
    return chain


def _official_protest(code: str, source_kind: str) -> str:
    """A state or body that "protests" complains officially (CAMEO 114); only
    people and groups take to the street (14x)."""
    if code[:2] == "14" and source_kind in ("country", "organization"):
        return "114"
    return code


def _dated_clause(token: Token) -> int:
    """The verb a date word hangs from (its own index if none)."""
    verb = _governing_verb(token, steps=len(token.doc))
    return token.i if verb is None else verb.i


def _reported_clause(token: Token) -> set[int] | None:
    """The tokens of the clausal complement ("said [X attacked Y]") the token is
    in, or None when it is in no such clause."""
    for node in [token, *token.ancestors]:
        if node.dep_ == "ccomp":
            return {t.i for t in node.subtree}
    return None


def _place_words(pobj: Token) -> list[Token]:
    """A prepositional object, the names set beside it and its "of" objects."""
    beside = [c for c in pobj.children if c.dep_ in ("appos", "compound", "nmod")]
    return [pobj, *beside, *_objects_after(pobj, OF)]


def _objects_after(token: Token, preps: frozenset[str]) -> list[Token]:
    """The objects of the given prepositions hanging from a token ("in X")."""
    return [
        pobj
        for prep in token.children
        if prep.dep_ == "prep" and prep.lower_ in preps
        for pobj in prep.children
        if pobj.dep_ == "pobj"
    ]


def _anchors(trigger: Trigger) -> list[Token]:
    """Tokens that circumstances ("in Cairo", "on Monday") may hang from."""
    tokens = list(trigger.span)
    if trigger.head.pos_ not in ("VERB", "AUX"):
        verb = _governing_verb(trigger.head)
        if verb is not None:
            tokens.append(verb)
    return tokens


def _conjuncts(token: Token) -> list[Token]:
    """The token and every token coordinated with it ("A, B and C")."""
    out, stack = [], [token]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in node.children if c.dep_ == "conj")
    return sorted(out, key=lambda t: t.i)


def _is_passive(verb: Token) -> bool:
    """ "was arrested", "were attacked": the subject undergoes the action."""
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
