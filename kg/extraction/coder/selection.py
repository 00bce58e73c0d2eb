"""Choosing events among candidates: the best pair per trigger, if it is likely.

Each trigger yields at most one event: the (root, source, target) whose summed
score is highest, kept when its calibrated probability reaches the model's
threshold. The same (root, source, target) coded twice in one sentence ("met
… for talks") is one event, the likelier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc

from kg.extraction.actors import DocActors
from kg.extraction.coder.candidates import (
    TriggerCandidates,
    build_candidates,
    candidate_triggers,
    make_event,
)
from kg.extraction.coder.files import CoderModel
from kg.extraction.events import EventFinder, Trigger
from kg.records import Event


@dataclass(frozen=True)
class Choice:
    """The best candidate of one trigger and its calibrated probability."""

    group: TriggerCandidates
    root: str
    source: int
    target: int | None
    raw: float
    probability: float

    @property
    def rule(self) -> bool:
        """Whether the dependency rules coded exactly this event themselves."""
        return (self.root, self.source, self.target) in self.group.rule_pairs


def best_choice(group: TriggerCandidates, coder: CoderModel) -> Choice | None:
    """The trigger's highest-scoring (root, source, target), or None if it has none."""
    best: tuple[float, str, int, int | None] | None = None
    for root in group.roots:
        base = coder.logit(group.trigger_features[root])
        sources = {a: coder.logit(f) for a, f in group.source_features[root].items()}
        targets = {a: coder.logit(f) for a, f in group.target_features[root].items()}
        for source, target in group.pairs(root):
            z = base + sources[source] + targets[target]
            z += coder.logit(group.pair_features(root, source, target))
            if best is None or z > best[0]:
                best = (z, root, source, target)
    if best is None:
        return None
    z, root, source, target = best
    return Choice(group, root, source, target, coder.raw(z), coder.probability(z))


def choose(groups: list[TriggerCandidates], coder: CoderModel) -> list[Choice]:
    """The kept choice of every trigger, one per (sentence, root, source, target)."""
    kept: dict[tuple[int, str, int, int | None], Choice] = {}
    for group in groups:
        choice = best_choice(group, coder)
        if choice is None or not coder.keeps(choice.raw, choice.rule):
            continue
        key = (group.trigger.head.sent.start, choice.root, choice.source, choice.target)
        if key not in kept or kept[key].probability < choice.probability:
            kept[key] = choice
    return sorted(kept.values(), key=lambda c: c.group.trigger.head.i)


def code_events(
    doc: Doc,
    actors: DocActors,
    finder: EventFinder,
    triggers: list[Trigger],
    coder: CoderModel,
) -> list[Event]:
    """The events the coder keeps for one document.

    ``finder.events(triggers)`` must have run: its choices are features here.
    """
    everything = candidate_triggers(doc, actors, triggers, coder)
    groups = build_candidates(doc, actors, finder, everything, finder.chosen, coder)
    events = [
        make_event(finder, c.group, c.root, c.source, c.target, c.probability, coder)
        for c in choose(groups, coder)
    ]
    # Nominal mentions met on the way add aliases: give every event the final form.
    final = {(e.kind, e.name): e for e in actors.entities()}
    return [
        replace(
            e,
            source=final.get((e.source.kind, e.source.name), e.source),
            target=e.target and final.get((e.target.kind, e.target.name), e.target),
        )
        for e in events
    ]
