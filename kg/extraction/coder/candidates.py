"""Candidate events: every trigger word with every actor of its sentence.

Triggers come from two lexicons: the hand-written CAMEO patterns the rules use
and the lemmas ``kg train`` learned from annotated triggers (with the roots they
were coded as). For each trigger, every actor named in its sentence may be the
source or the target (the nearest :data:`MAX_ACTORS`), and so may the actors the
dependency rules found through pronouns or earlier sentences. The rules' own
answer is kept as features, so the model learns when to trust them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from spacy.attrs import LEMMA, POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, Span, Token

from kg.extraction.actors import DocActors
from kg.extraction.coder import features as F
from kg.extraction.coder.files import CoderModel
from kg.extraction.coder.generic import (
    MAX_GENERIC,
    Generic,
    generic_entity,
    generic_mentions,
)
from kg.extraction.events import (
    SPEECH_VERBS,
    EventFinder,
    Trigger,
    _inside_quote,
)
from kg.extraction.modality import code_for, modality_of
from kg.extraction.syntax import per_doc, sentence_starts
from kg.records import ACTOR_KINDS, Entity, Event

#: Actors of a sentence considered per trigger, nearest first (chosen by
#: cross-validation on train: 8 above 6 and 10).
MAX_ACTORS = 8
#: Actors of the previous sentence considered too ("He then met …").
EARLIER_ACTORS = 2
#: Roots a learned trigger may take: the most frequent few, each with this share.
MAX_ROOTS = 3
MIN_ROOT_SHARE = 0.15
_LEAD_KEY = "kg_lead_sentence"  # Doc.user_data key of the lead sentence's start
#: Parts of speech a learned trigger may have.
TRIGGER_POS = frozenset({"VERB", "NOUN", "AUX", "ADJ", "PROPN"})
_TRIGGER_POS_IDS = frozenset(POS_IDS[p] for p in TRIGGER_POS)


@dataclass
class TriggerCandidates:
    """One trigger and the parts of every candidate event it may head.

    ``trigger_features[root]``, ``source_base[actor]`` with
    ``source_features[root][actor]``, and ``target_base[actor]`` with
    ``target_features[root][actor or None]`` are feature lists (the base ones
    do not depend on the root, so they are built and summed once); a
    candidate's features are the trigger's, its source's, its target's and
    :meth:`pair_part` of the pair.
    """

    trigger: Trigger
    roots: list[str]
    codes: dict[str, tuple[str, str]]
    actors: list[int]
    rule_pairs: set[tuple[str, int, int | None]]
    trigger_features: dict[str, F.Part] = field(default_factory=dict)
    source_features: dict[str, dict[int, F.Part]] = field(default_factory=dict)
    target_features: dict[str, dict[int | None, F.Part]] = field(default_factory=dict)
    source_base: dict[int, F.Part] = field(default_factory=dict)
    target_base: dict[int, F.Part] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    countries: dict[int, str | None] = field(default_factory=dict)
    coarse: dict[int | None, str] = field(default_factory=dict)
    earlier: dict[int, int] = field(default_factory=dict)
    latent: dict[int, Generic] = field(default_factory=dict)
    spots: dict[int, tuple[F.Placed | None, str]] = field(default_factory=dict)
    pair_facts: dict[tuple[int, int | None], tuple] = field(default_factory=dict)
    present: float = 0.0  # share of the text's sentences in the present tense

    def pairs(self, root: str) -> Iterator[tuple[int, int | None]]:
        """Every (source, target) pair of a root: distinct actors, or no target."""
        for source in self.source_features[root]:
            for target in self.target_features[root]:
                if target != source:
                    yield source, target

    def dating(self) -> list[str]:
        """Features for the dating model (only chosen events need them)."""
        return F.dating_features(self.trigger.head, self.present)

    def _pair_facts(self, source: int, target: int | None) -> tuple:
        """What a pair's features depend on besides the root, worked out once
        for all roots: same state, kinds, the mentions' relation, their paths."""
        coarse = self.coarse
        if not coarse:  # kinds without the generic noun, worked out once
            coarse.update({a: k.split(":")[0] for a, k in self.kinds.items()})
            coarse[None] = "-"
        country = self.countries.get(source)
        same = (
            target is not None
            and country is not None
            and country == self.countries[target]
        )
        spot, short = self.spots[source]
        if target is None:
            relation, other_short = F.NO_TARGET, "-"
        else:
            other, other_short = self.spots[target]
            relation = F.relation_of(spot, other)
        return (
            same,
            f"{coarse[source]}>{coarse[target]}",
            relation,
            f"{short}|{other_short}",
        )

    def pair_part(self, root: str, source: int, target: int | None) -> F.Part:
        """Features of the pair as a whole (what does not depend on the root is
        worked out once per pair)."""
        facts = self.pair_facts.get((source, target))
        if facts is None:
            facts = self.pair_facts[source, target] = self._pair_facts(source, target)
        same, kinds, relation, paths = facts
        rule = (root, source, target) in self.rule_pairs
        return F.pair_part(rule, same, kinds, root, relation, paths)

    def features(self, root: str, source: int, target: int | None) -> list[str]:
        """All features of one candidate (for training)."""
        parts = [
            self.trigger_features[root],
            self.source_base[source],
            self.source_features[root][source],
            self.target_features[root][target],
            self.pair_part(root, source, target),
        ]
        if target is not None:
            parts.insert(3, self.target_base[target])
        return [feature for part in parts for feature in F.expand(part)]


def candidate_triggers(
    doc: Doc, actors: DocActors, rule_triggers: list[Trigger], coder: CoderModel
) -> list[Trigger]:
    """The rules' triggers plus every word whose lemma the coder learned."""
    taken = {t.head.i for t in rule_triggers}
    found = list(rule_triggers)
    strings, lowered = doc.vocab.strings, dict[int, str]()
    # token attributes as one array: a Token object only for the few hits
    for i, (lemma_id, pos) in enumerate(doc.to_array([LEMMA, POS]).tolist()):
        if pos not in _TRIGGER_POS_IDS or i in taken or i in actors.by_token:
            continue
        lemma = lowered.get(lemma_id)
        if lemma is None:
            lemma = lowered[lemma_id] = strings[lemma_id].lower()
        if lemma in coder.lexicon:
            root = coder.lexicon[lemma][0][0]
            found.append(Trigger(doc[i : i + 1], doc[i], root, False))
    return sorted(found, key=lambda t: t.head.i)


def build_candidates(
    doc: Doc,
    actors: DocActors,
    finder: EventFinder,
    triggers: list[Trigger],
    rule_events: dict[int, list[tuple[str, int, int | None]]],
    coder: CoderModel,
) -> list[TriggerCandidates]:
    """The candidates of every trigger that has at least one possible source.

    Args:
        rule_events: trigger head index -> (root, source, target) the rules chose.
    """
    starts = sentence_starts(doc)
    mentions = _mentions_by_sentence(doc, actors, starts)
    generics = generic_mentions(doc, actors, coder.actor_nouns)
    sents = list(doc.sents)
    previous = _previous_sentences(doc, sents)
    present = F.present_share(sents)
    chains: dict[int, list[Token]] = {}  # mention -> its heads, shared by triggers
    out = []
    rule_heads = {t.head.i for t in triggers if t.head.i in rule_events}
    for trigger in triggers:
        head = trigger.head
        start = starts[head.i]
        chosen = rule_events.get(head.i, [])
        named = dict(mentions.get(start, {}))
        nearest = sorted(named, key=lambda a: abs(named[a][0].i - head.i))[:MAX_ACTORS]
        latent = _nearest_generics(generics.get(start, []), head)
        named.update({g.index: [g.token] for g in latent.values()})
        nearest += list(latent)
        before = _recent_actors(mentions.get(previous.get(start, -1), {}))
        ruled = [a for _, s, t in chosen for a in (s, t) if a is not None]
        people = list(dict.fromkeys(nearest + ruled + before))
        if not people:
            continue
        codes = _roots(trigger, coder)
        group = TriggerCandidates(
            trigger=trigger,
            roots=list(codes),
            codes=codes,
            actors=people,
            rule_pairs=set(chosen),
            earlier={a: n + 1 for n, a in enumerate(before) if a not in named},
            latent=latent,
            present=present,
        )
        _describe(group, named, head.i in rule_heads, coder, finder, chains)
        out.append(group)
    return out


def _nearest_generics(found: list[Generic], head: Token) -> dict[int, Generic]:
    """The generic mentions nearest the trigger, by candidate index."""
    nearest = sorted(found, key=lambda g: abs(g.token.i - head.i))[:MAX_GENERIC]
    return {g.index: g for g in nearest}


def _previous_sentences(doc: Doc, sents: list[Span]) -> dict[int, int]:
    """Sentence start -> start of the sentence before it in the same paragraph."""
    out, last, text = {}, None, doc.text  # Doc.text builds a new string each time
    for sent in sents:
        if last is not None and "\n\n" not in text[last.end_char : sent.start_char + 1]:
            out[sent.start] = last.start
        last = sent
    return out


def _recent_actors(named: dict[int, list[Token]]) -> list[int]:
    """The actors of the previous sentence, last mentioned first."""
    return sorted(named, key=lambda a: -named[a][-1].i)[:EARLIER_ACTORS]


def candidate_groups(
    doc: Doc,
    actors: DocActors,
    finder: EventFinder,
    triggers: list[Trigger],
    coder: CoderModel,
) -> list[TriggerCandidates]:
    """Every trigger's candidates, the rules' and the learned lexicon's.

    ``finder.find_readings(triggers)`` must have run: its choices are features here.
    """
    everything = candidate_triggers(doc, actors, triggers, coder)
    return build_candidates(doc, actors, finder, everything, finder.chosen, coder)


def _roots(trigger: Trigger, coder: CoderModel) -> dict[str, tuple[str, str]]:
    """The trigger's own root first, then the roots its lemma was learned with.

    Each is the root the event would be output with: a planned cooperative act
    ("will meet") is coded as intent (03), as CAMEO does, so its candidate is 03.

    Returns:
        root -> (CAMEO code, modality) of the event coded with it.
    """
    learned = coder.lexicon.get(trigger.head.lemma_.lower(), ())
    roots = [trigger.code[:2]]
    roots += [r for r, share in learned[:MAX_ROOTS] if share >= MIN_ROOT_SHARE]
    modality = modality_of(trigger.head)
    codes: dict[str, tuple[str, str]] = {}
    for root in roots:
        code, mood = final_code(trigger, root, modality)
        codes.setdefault(code[:2], (code, mood))
    return dict(list(codes.items())[:MAX_ROOTS])


def final_code(trigger: Trigger, root: str, modality: str) -> tuple[str, str]:
    """(CAMEO code, modality) of the trigger's event coded with ``root``.

    The trigger's own finer code is kept when the root is its own; a planned
    cooperative act folds into intent (see :func:`kg.extraction.modality.code_for`).
    """
    code = trigger.code if trigger.code[:2] == root else root
    return code_for(code, modality)


def _describe(
    group: TriggerCandidates,
    named: dict[int, list[Token]],
    ruled: bool,
    coder: CoderModel,
    finder: EventFinder,
    chains: dict[int, list[Token]],
) -> None:
    """Fill in the feature lists of a trigger's candidates.

    Args:
        chains: mention index -> its heads up to the root (see
            :func:`features.ancestors`), filled as mentions are met, for the
            other triggers of the Doc.
    """
    trigger, head = group.trigger, group.trigger.head
    lemma = head.lemma_.lower()
    clusters = finder.actors.clusters
    for actor in group.actors:
        if actor in group.latent:
            generic = group.latent[actor]
            group.kinds[actor] = f"gen:{generic.noun}:{generic.how}"
            group.countries[actor] = generic.country
        else:
            group.kinds[actor] = clusters[actor].kind
            group.countries[actor] = clusters[actor].country
    context = _context_features(trigger, ruled, coder, len(named))
    rule_sources = {(r, s) for r, s, _ in group.rule_pairs}
    rule_targets = {(r, t) for r, _, t in group.rule_pairs}
    up = F.ancestors(head)
    paths = {a: _nearest_path(head, named.get(a), up, chains) for a in group.actors}
    subject = _subject_kind(head, finder.actors)
    for actor in group.actors:
        path, offset = paths[actor]
        spot = None if offset is None else F.placed(head.doc[head.i + offset])
        group.spots[actor] = (spot, "far" if path is None else F.short_path(path))
        rank = group.earlier.get(actor)
        kind = group.kinds[actor]
        group.source_base[actor] = F.actor_base("s", kind, path, offset, rank, subject)
        group.target_base[actor] = F.actor_base("t", kind, path, offset, rank, subject)
    for root in group.roots:
        share = dict(coder.lexicon.get(lemma, ())).get(root, 0.0)
        extra = [*context, f"share={_share_bucket(share)}"]
        extra += ["ruleroot"] if trigger.code[:2] == root and ruled else []
        group.trigger_features[root] = F.trigger_part(head, root, lemma, extra)
        group.source_features[root] = {}
        group.target_features[root] = {None: F.no_target(root, lemma)}
        for actor in group.actors:
            path, offset = paths[actor]
            kind, rank = group.kinds[actor], group.earlier.get(actor)
            group.source_features[root][actor] = F.actor_by_root(
                "s", root, kind, path, offset, (root, actor) in rule_sources, rank
            )
            group.target_features[root][actor] = F.actor_by_root(
                "t", root, kind, path, offset, (root, actor) in rule_targets, rank
            )


def _context_features(
    trigger: Trigger, ruled: bool, coder: CoderModel, named: int
) -> list[str]:
    """Trigger-level facts: modality, quotation, reporting, position, lexicons."""
    head = trigger.head
    found = [f"mod={modality_of(head)}", f"nactors={min(named, 4)}"]
    found += ["quoted"] if _inside_quote(head) else []
    found += ["reported"] if _reported(head) else []
    start = sentence_starts(head.doc)[head.i]
    found += ["lead"] if start == _first_sentence_start(head.doc) else []
    found += ["ruletrigger"] if len(trigger.span) > 1 or ruled else []
    found += ["ruleevent"] if ruled else []
    rate = coder.rates.get(head.lemma_.lower())
    found += [f"rate={_share_bucket(rate)}"] if rate is not None else ["rate=none"]
    return found


def _subject_kind(head: Token, actors: DocActors) -> str:
    """What the trigger's clause has as subject: a name, a pronoun, a noun, none."""
    verb = head if head.pos_ in ("VERB", "AUX") else head.head
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.i in actors.by_token:
                return "named"
            if child.pos_ == "PRON":
                return f"pron:{child.lower_}"
            return "noun"
    return "none"


def _reported(head: Token) -> bool:
    """Inside a clause that a speech verb governs ("said X had attacked")."""
    node = head
    for _ in range(3):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.lemma_.lower() in SPEECH_VERBS:
            return True
    return False


def _first_sentence_start(doc: Doc) -> int:
    """Start of the first sentence with a word (worked out once per Doc)."""
    return per_doc(doc, _LEAD_KEY, _lead_start)


def _lead_start(doc: Doc) -> int:
    for sent in doc.sents:
        if any(t.is_alpha for t in sent):
            return sent.start
    return 0


def _mentions_by_sentence(
    doc: Doc, actors: DocActors, starts: list[int]
) -> dict[int, dict[int, list[Token]]]:
    """Sentence start -> actor index -> head tokens of its mentions there."""
    out: dict[int, dict[int, list[Token]]] = {}
    kinds = [c.kind for c in actors.clusters]
    for i, actor in actors.by_token.items():
        if i in actors.dateline_tokens or kinds[actor] not in ACTOR_KINDS:
            continue
        token = doc[i]
        if token.head.i != i and actors.by_token.get(token.head.i) == actor:
            continue  # not the head of its mention
        out.setdefault(starts[i], {}).setdefault(actor, []).append(token)
    return out


def _nearest_path(
    head: Token,
    mentions: list[Token] | None,
    up: list[Token],
    chains: dict[int, list[Token]],
) -> tuple[str | None, int | None]:
    """The dependency path from the trigger (whose ancestors are ``up``) to the
    nearest of the mentions.

    A mention that is a description ("the president", "the court": a common
    noun the actor layer resolved to a named actor) marks its path with "~":
    it is weaker evidence than a name, and the model weighs it apart.
    """
    if not mentions:
        return None, None
    best = min(mentions, key=lambda m: abs(m.i - head.i))
    down = chains.get(best.i)
    if down is None:
        down = chains[best.i] = F.ancestors(best)
    path = F.dependency_path(head, best, up, down)
    if best.pos_ == "NOUN" and best.is_lower:
        path = "~" + path
    return path, best.i - head.i


def _share_bucket(share: float | None) -> str:
    if share is None:
        return "none"
    for limit in (0.05, 0.15, 0.3, 0.5, 0.7, 0.9):
        if share <= limit:
            return f"<={limit}"
    return ">0.9"


def candidate_entity(
    group: TriggerCandidates,
    frozen: Mapping[int, Entity] | Sequence[Entity],
    actor: int,
) -> Entity:
    """The entity a candidate actor index stands for (a generic one as it would be)."""
    if actor in group.latent:
        return generic_entity(group.latent[actor])
    return frozen[actor]


def make_event(
    finder: EventFinder,
    group: TriggerCandidates,
    root: str,
    source: int,
    target: int | None,
    confidence: float,
    coder: CoderModel,
) -> Event:
    """The event a chosen candidate stands for, with its place and date.

    The root is the model's choice: no rule recodes it afterwards.
    """
    code, modality = group.codes[root]
    trigger = replace(group.trigger, code=code)
    place, when = finder.circumstances(trigger)
    if (
        when is None
        and finder.anchor is not None
        and coder.on_publication_day(group.dating())
    ):
        when = finder.anchor.isoformat()
    if place is None and target is not None and target not in group.latent:
        place = finder._target_territory(trigger, target)
    clusters = finder.actors.clusters
    frozen = {
        a: clusters[a].freeze() for a in (source, target) if a is not None and a >= 0
    }
    sent = trigger.head.sent
    text = sent.text.rstrip()
    return Event(
        cameo=code,
        trigger=trigger.span.text,
        source=candidate_entity(group, frozen, source),
        target=None if target is None else candidate_entity(group, frozen, target),
        location=place,
        date=when,
        sentence=text,
        start=sent.start_char,
        end=sent.start_char + len(text),
        confidence=round(confidence, 3),
        trigger_start=trigger.span.start_char,
        modality=modality,
    )


__all__ = [
    "TriggerCandidates",
    "build_candidates",
    "candidate_groups",
    "candidate_triggers",
    "make_event",
]
