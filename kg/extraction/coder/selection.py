"""Choosing events among candidates: the best pair per trigger, if it is likely.

Each trigger yields at most one event: the reading (root, source, target) the
ranking model puts first, kept when the detection model's score for the trigger
reaches the threshold; failing that, the dependency rules' own reading of the
trigger, when its score reaches the lower threshold for rule readings (both
thresholds are set by cross-validation). The same (root, source, target) coded
twice in one sentence ("met … for talks") is one event, the likelier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc

from kg.extraction.actors import DocActors
from kg.extraction.coder.candidates import (
    TriggerCandidates,
    candidate_groups,
    make_event,
)
from kg.extraction.coder.files import CoderModel
from kg.extraction.events import EventFinder, Trigger
from kg.extraction.syntax import sentence_starts
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
    best, ruled = _Best(), _Best()
    rules = group.rule_pairs
    for root in group.roots:
        base_z, base_q, sources, targets = _summed_parts(group, root, coder)
        for source, (source_z, source_q) in sources.items():
            for target, (target_z, target_q) in targets.items():
                if target == source:
                    continue
                pair_z, pair_q = coder.part_scores(
                    group.pair_part(root, source, target)
                )
                z = base_z + source_z + target_z + pair_z
                q = base_q + source_q + target_q + pair_q
                best.offer(z, q, root, source, target)
                if (root, source, target) in rules:
                    ruled.offer(z, q, root, source, target)
    return _choice(group, coder, best), _choice(group, coder, ruled)


class _Best:
    """The highest-ranked reading seen so far and the highest detection score."""

    __slots__ = ("z", "q", "reading")

    def __init__(self) -> None:
        self.z = float("-inf")
        self.q = float("-inf")
        self.reading: tuple[str, int, int | None] | None = None

    def offer(
        self, z: float, q: float, root: str, source: int, target: int | None
    ) -> None:
        if z > self.z:
            self.z = z
        if q > self.q:
            self.q, self.reading = q, (root, source, target)


Scores = tuple[float, float]  # (detection logit, ranking score)


def _summed_parts(
    group: TriggerCandidates, root: str, coder: CoderModel
) -> tuple[float, float, dict[int, Scores], dict[int | None, Scores]]:
    """Both models' sums over the parts of a root's readings that do not depend
    on the pair: the trigger's, and each source's and target's, summed once.

    The readings are then scored in the order :meth:`TriggerCandidates.pairs`
    gives them, so ties between readings fall the same way.
    """
    scores = coder.part_scores
    base_z, base_q = scores(group.trigger_features[root])
    sources: dict[int, Scores] = {}
    for actor, part in group.source_features[root].items():
        (bz, bq), (rz, rq) = scores(group.source_base[actor]), scores(part)
        sources[actor] = (bz + rz, bq + rq)
    targets: dict[int | None, Scores] = {}
    for target, part in group.target_features[root].items():
        bz, bq = (0.0, 0.0) if target is None else scores(group.target_base[target])
        rz, rq = scores(part)
        targets[target] = (bz + rz, bq + rq)
    return base_z, base_q, sources, targets


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
        head = group.trigger.head
        start = sentence_starts(head.doc)[head.i]
        key = (start, choice.root, choice.source, choice.target)
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

    ``finder.find_readings(triggers)`` must have run: its choices are features here.
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
