"""Choosing events among candidates: the best pair per trigger, if it is likely.

Each trigger yields at most one event: the reading (root, source, target) the
ranking model puts first, kept when the detection model's score for the trigger
reaches the threshold; failing that, the dependency rules' own reading of the
trigger, when its score reaches the lower threshold for rule readings (both
thresholds are set by cross-validation). The same (root, source, target) coded
twice in one sentence ("met … for talks") is one event, the likelier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from kg.extraction.actors import DocActors
from kg.extraction.coder.candidates import (
    TriggerCandidates,
    candidate_groups,
    make_event,
)
from kg.extraction.coder.features import Part
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


def best_choices(
    group: TriggerCandidates, coder: CoderModel
) -> tuple[Choice | None, Choice | None]:
    """The trigger's best reading (root, source, target), and the best of those
    the dependency rules coded themselves.

    The ranking model orders the readings; each choice's score, which decides
    whether it becomes an event, is the detection model's highest over the
    readings it was chosen among (the likelihood that the trigger holds an
    event at all). Without a ranker the detection model orders them too.
    """
    best = _Best()
    ruled = _Best()
    detect = _Scorer(coder.part_logit)
    rank = _Scorer(coder.part_rank) if coder.rank_weights else None
    for root in group.roots:
        z_of = detect.readings(group, root)
        q_of = None if rank is None else rank.readings(group, root)
        for source, target in group.pairs(root):
            pair = group.pair_part(root, source, target)
            z = z_of(source, target, pair)
            q = z if q_of is None else q_of(source, target, pair)
            best.offer(z, q, (root, source, target))
            if (root, source, target) in group.rule_pairs:
                ruled.offer(z, q, (root, source, target))
    return _choice(group, coder, best), _choice(group, coder, ruled)


class _Best:
    """The highest-ranked reading seen so far and the highest detection score."""

    def __init__(self) -> None:
        self.z = float("-inf")
        self.q = float("-inf")
        self.reading: tuple[str, int, int | None] | None = None

    def offer(self, z: float, q: float, reading: tuple[str, int, int | None]) -> None:
        self.z = max(self.z, z)
        if q > self.q:
            self.q, self.reading = q, reading


class _Scorer:
    """Sums one linear model over a trigger's readings, each part once."""

    def __init__(self, part: Callable[[Part], float]) -> None:
        self.part = part

    def readings(
        self, group: TriggerCandidates, root: str
    ) -> Callable[[int, int | None, Part], float]:
        """A function (source, target, pair part) -> summed score of the reading
        with ``root``; the parts of the trigger and of each actor are summed once."""
        part = self.part
        base = part(group.trigger_features[root])
        sources = {
            a: part(group.source_base[a]) + part(p)
            for a, p in group.source_features[root].items()
        }
        targets = {
            a: (0.0 if a is None else part(group.target_base[a])) + part(p)
            for a, p in group.target_features[root].items()
        }

        def score(source: int, target: int | None, pair: Part) -> float:
            return base + sources[source] + targets[target] + part(pair)

        return score


def _choice(group: TriggerCandidates, coder: CoderModel, found: _Best) -> Choice | None:
    if found.reading is None:
        return None
    root, source, target = found.reading
    z = found.z
    return Choice(group, root, source, target, coder.raw(z), coder.probability(z))


def kept_choice(
    best: Choice | None, ruled: Choice | None, coder: CoderModel
) -> Choice | None:
    """The trigger's event: its best candidate if likely enough, else the rules'
    own reading if that clears the (lower) threshold for rule readings."""
    if best is not None and coder.keeps(best.raw, best.rule):
        return best
    if ruled is not None and coder.keeps(ruled.raw, True):
        return ruled
    return None


def choose(groups: list[TriggerCandidates], coder: CoderModel) -> list[Choice]:
    """The kept choice of every trigger, one per (sentence, root, source, target)."""
    kept: dict[tuple[int, str, int, int | None], Choice] = {}
    for group in groups:
        choice = kept_choice(*best_choices(group, coder), coder)
        if choice is None:
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
    groups = candidate_groups(doc, actors, finder, triggers, coder)
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
