"""Train the event coder on annotated articles, and cross-validate it.

A corpus folder holds ``articles/`` (the texts) and ``gold.jsonl`` (their gold
events, in the format of :mod:`kg.evaluation.gold`). Training parses every text
once, learns the trigger lexicon from the gold triggers, turns every trigger of
every text into candidates, labels each candidate right when it matches a
required gold event of the same sentence (root, source and target, as the scorer
counts it), and fits two linear models: a logistic regression that says whether
a reading is right (scikit-learn's liblinear: a well-kept, deterministic solver
for sparse binary features; a few seconds on a few hundred thousand candidates)
and a conditional logit that ranks each trigger's readings (:func:`fit_ranker`,
SciPy's L-BFGS). The threshold and the calibration come from
cross-validation on the same folder, so the scores the model gives are honest
on text it has not seen.

Needs scikit-learn and SciPy (``pip install "kg-events[train]"``); using a
trained model does not.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.errors import InputError, KGError
from kg.evaluation import (
    EvaluationReport,
    GoldArticle,
    evaluate,
    lenient_match,
    load_gold,
)
from kg.evaluation.keys import article_key
from kg.evaluation.matching import match_items
from kg.evaluation.scores import Score
from kg.evaluation.scoring import ASSERTED
from kg.extraction.actors import DocActors
from kg.extraction.chunks import merge_entities, shift_event
from kg.extraction.coder.candidates import (
    TRIGGER_POS,
    TriggerCandidates,
    candidate_entity,
    candidate_groups,
    make_event,
)
from kg.extraction.coder.files import FORMAT, CoderModel, calibrate
from kg.extraction.coder.selection import Choice, best_choices
from kg.extraction.events import EventFinder, find_triggers
from kg.extraction.pipeline import TRIGGERS_KEY
from kg.files import write_text
from kg.records import Article, Entity, Event, Extraction

logger = logging.getLogger(__name__)

#: A learned trigger lemma needs this many gold uses in the training texts.
MIN_TRIGGER_COUNT = 2
#: ... and at least this share of its uses annotated as triggers: "be" and
#: "have" sometimes carry an event, but far too rarely to be worth a candidate.
MIN_TRIGGER_RATE = 0.03
#: A common noun is a candidate actor if at least this share of its uses in the
#: training texts were annotated as an event's source or target ("rebels" yes,
#: "people" or "country" no: mostly not actors).
MIN_ACTOR_NOUN_RATE = 0.1
#: Regularisation strength (inverse) of the logistic regression.
DEFAULT_C = 0.1
#: The ranking model's regularisation (chosen by cross-validation on train:
#: events F1 0.459, 0.469, 0.473, 0.463, 0.458 at 0.03, 0.05, 0.1, 0.3, 1.0).
RANK_C = 0.1
DEFAULT_FOLDS = 5
DEFAULT_SEED = 13


class TrainingError(KGError):
    """The training folder cannot be used (missing parts, unusable gold)."""


@dataclass
class Piece:
    """One parsed piece of an article (long articles are cut into pieces)."""

    article: Article
    offset: int
    doc: Doc
    entities: list[Entity]
    entity_tokens: dict[int, int]


@dataclass
class Coded:
    """The candidates of one piece under one model, ready to score or label."""

    piece: Piece
    actors: DocActors
    finder: EventFinder
    groups: list[TriggerCandidates]


@dataclass
class Corpus:
    """A training folder, parsed once."""

    pieces: list[Piece]
    gold: dict[str, GoldArticle]
    articles: dict[str, Article] = field(default_factory=dict)

    def keys(self) -> list[str]:
        return sorted({article_key(p.article.id) for p in self.pieces} & set(self.gold))


# ------------------------------------------------------------------ reading


def read_corpus(
    folder: Path, nlp: Language, progress: Callable[[int], None] | None = None
) -> Corpus:
    """Parse a corpus folder's articles up to the actor component.

    Raises:
        TrainingError: no ``articles/`` or ``gold.jsonl``, or no article has gold.
        InputError: a malformed gold line, a gold article without text or a gold
            sentence not in its text (one line naming file, line, problem).
    """
    from kg.extraction.batch import _pieces, _prepare
    from kg.read import iter_articles

    articles_dir, gold_path = folder / "articles", folder / "gold.jsonl"
    for needed in (articles_dir, gold_path):
        if not needed.exists():
            raise TrainingError(
                f"{needed} is missing: a training folder holds articles/ (the texts) "
                "and gold.jsonl (their gold events)"
            )
    gold = {article_key(k): v for k, v in load_gold(gold_path).items()}
    articles = [a for a in iter_articles([articles_dir]) if article_key(a.id) in gold]
    _check_gold_articles(gold, articles, gold_path)
    if not any(g.events for g in gold.values()):
        raise TrainingError(
            f"{gold_path} holds no gold events; training needs annotated events"
        )
    inputs = [
        (_prepare(nlp, text, article), (article, offset))
        for article in articles
        for offset, text, _ in _pieces(article)
    ]
    pieces = []
    with nlp.select_pipes(disable=["kg_events"]):
        for n, (doc, (article, offset)) in enumerate(
            nlp.pipe(inputs, as_tuples=True, batch_size=16)
        ):
            pieces.append(
                Piece(
                    article,
                    offset,
                    doc,
                    list(doc._.kg_entities or []),
                    dict(doc._.kg_entity_tokens or {}),
                )
            )
            if progress:
                progress(n + 1)
    return Corpus(pieces, gold, {article_key(a.id): a for a in articles})


def _check_gold_articles(
    gold: dict[str, GoldArticle], articles: list[Article], path: Path
) -> None:
    """Every gold article has its text, and every gold sentence is in it.

    Raises:
        InputError: naming the gold file, the line and the problem.
    """
    texts = {article_key(a.id): a.text for a in articles}
    for key, article in sorted(gold.items(), key=lambda kv: kv[1].line):
        if key not in texts:
            raise InputError(
                str(path),
                f"article {article.id!r} has no text in {path.parent / 'articles'}; "
                "add its text (a .txt with the same id) or remove its gold line",
                article.line,
            )
        for event in article.events:
            if event.sentence and locate(texts[key], event.sentence) is None:
                raise InputError(
                    str(path),
                    f"event {event.id} of article {article.id!r}: its sentence "
                    f"{event.sentence[:50]!r}… is not in the article's text; copy it "
                    "from the text exactly",
                    article.line,
                )


def locate(text: str, sentence: str) -> tuple[int, int] | None:
    """Character span of a gold sentence in a text (whitespace may differ)."""
    start = text.find(sentence)
    if start >= 0:
        return start, start + len(sentence)
    words = sentence.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (found.start(), found.end()) if found else None


# ------------------------------------------------------------------ lexicon


def learn_lexicon(corpus: Corpus, keys: Iterable[str]) -> tuple[dict, dict, dict]:
    """Trigger lemmas with their roots, each lemma's trigger rate, actor nouns.

    Returns:
        ({lemma: [[root, share], ...]}, {lemma: gold uses / occurrences},
        {noun: gold uses}) — the nouns are common nouns annotated as actors.
    """
    keys = set(keys)
    roots: dict[str, Counter[str]] = defaultdict(Counter)
    seen: Counter[str] = Counter()
    nouns: Counter[str] = Counter()
    for piece in corpus.pieces:
        key = article_key(piece.article.id)
        if key not in keys:
            continue
        seen.update(t.lemma_.lower() for t in piece.doc if t.pos_ in TRIGGER_POS)
        for gold in corpus.gold[key].events:
            head = _gold_head(piece, gold.sentence, gold.trigger)
            if head is not None:
                roots[head.lemma_.lower()][gold.root] += 1
            for actor in (gold.source, gold.target):
                noun = _gold_head(piece, gold.sentence, actor.name) if actor else None
                if noun is not None and noun.pos_ == "NOUN":
                    nouns[noun.lemma_.lower()] += noun.i not in piece.entity_tokens
    lexicon, rates = {}, {}
    for lemma, counts in sorted(roots.items()):
        total = sum(counts.values())
        rates[lemma] = round(min(total / max(seen[lemma], 1), 1.0), 4)
        if total >= MIN_TRIGGER_COUNT and rates[lemma] >= MIN_TRIGGER_RATE:
            lexicon[lemma] = [[r, round(n / total, 4)] for r, n in counts.most_common()]
    actor_nouns = {
        n: c
        for n, c in sorted(nouns.items())
        if c >= MIN_TRIGGER_COUNT and c >= MIN_ACTOR_NOUN_RATE * seen[n]
    }
    return lexicon, rates, actor_nouns


def _gold_head(piece: Piece, sentence: str, phrase: str) -> Token | None:
    """The head token of a gold phrase in its sentence, if it lies in this piece."""
    span = locate(piece.article.text, sentence) if sentence else None
    if span is None or not phrase:
        return None
    at = piece.article.text.lower().find(phrase.lower(), span[0], span[1] + len(phrase))
    if at < 0:
        return None
    local = at - piece.offset
    words = piece.doc.char_span(local, local + len(phrase), alignment_mode="expand")
    if words is None or len(words) == 0:
        return None
    return words.root


# ------------------------------------------------------------------ candidates


def code_piece(piece: Piece, coder: CoderModel) -> Coded:
    """The candidates of a piece under a coder's lexicon."""
    doc = piece.doc
    doc._.kg_entities = list(piece.entities)
    doc._.kg_entity_tokens = dict(piece.entity_tokens)
    actors = DocActors.load(doc)
    triggers = find_triggers(doc, actors, TRIGGERS_KEY)
    finder = EventFinder(doc, actors, doc._.kg_anchor)
    finder.find_readings(triggers)
    groups = candidate_groups(doc, actors, finder, triggers, coder)
    return Coded(piece, actors, finder, groups)


def labelled_groups(
    coded: Coded, gold: GoldArticle
) -> Iterable[list[tuple[list[str], int]]]:
    """Per trigger, (features, 1 or 0) of each of its readings; readings matching
    only optional gold events are left out (the scorer neither rewards nor
    penalises them)."""
    spans = [(locate(coded.piece.article.text, g.sentence), g) for g in gold.events]
    frozen = [c.freeze() for c in coded.actors.clusters]
    for group in coded.groups:
        at = group.trigger.head.idx + coded.piece.offset
        local = [g for span, g in spans if span and span[0] <= at < span[1]]
        readings = []
        for root in group.roots:
            for source, target in group.pairs(root):
                label = _label(
                    root,
                    candidate_entity(group, frozen, source),
                    None if target is None else candidate_entity(group, frozen, target),
                    local,
                )
                if label is not None:
                    readings.append((group.features(root, source, target), label))
        yield readings


def dating_examples(coded: Coded, gold: GoldArticle) -> Iterable[tuple[list[str], int]]:
    """(dating features, 1 if on the publication day) of each right candidate
    whose sentence names no day of its own."""
    anchor = coded.piece.doc._.kg_anchor
    if anchor is None:
        return
    spans = [(locate(coded.piece.article.text, g.sentence), g) for g in gold.events]
    frozen = [c.freeze() for c in coded.actors.clusters]
    for group in coded.groups:
        at = group.trigger.head.idx + coded.piece.offset
        local = [
            g
            for span, g in spans
            if span and span[0] <= at < span[1] and not g.optional
        ]
        right = _right_gold(group, frozen, local)
        if right is None:
            continue
        code, _ = group.codes[right[0]]
        if coded.finder.circumstances(replace(group.trigger, code=code))[1] is None:
            yield group.dating(), int(right[1].date == anchor.isoformat())


def _right_gold(
    group: TriggerCandidates, frozen: list[Entity], golds: list
) -> tuple | None:
    """(root, gold event) of the first candidate of a trigger that matches a gold."""
    for root in group.roots:
        for source, target in group.pairs(root):
            probe = Event(
                root,
                "",
                candidate_entity(group, frozen, source),
                None if target is None else candidate_entity(group, frozen, target),
                None,
                None,
                "",
                0,
                0,
                0.0,
            )
            for gold in golds:
                if lenient_match(probe, gold):
                    return root, gold
    return None


def _label(root: str, source: Entity, target: Entity | None, golds: list) -> int | None:
    probe = Event(root, "", source, target, None, None, "", 0, 0, 0.0)
    matched = [g for g in golds if lenient_match(probe, g)]
    if any(not g.optional for g in matched):
        return 1
    return None if matched else 0


# ------------------------------------------------------------------ fitting


def fit(
    examples: list[tuple[list[str], int]],
    c: float = DEFAULT_C,
    seed: int = DEFAULT_SEED,
) -> tuple[dict[str, float], float]:
    """Feature weights and intercept of a logistic regression on the examples."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform({f: 1 for f in features} for features, _ in examples)
    y = [label for _, label in examples]
    if len(set(y)) < 2:
        raise TrainingError(
            "the training folder gives no right (or no wrong) candidate events; it "
            "needs gold events whose sentences and actors are in the texts"
        )
    logger.info("fitting %d candidates x %d features", x.shape[0], x.shape[1])
    x.indices = x.indices.astype("int32")  # liblinear takes 32-bit indices only
    x.indptr = x.indptr.astype("int32")
    model = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=500)
    model.fit(x, y)
    return _named(vectorizer, model.coef_[0]), float(model.intercept_[0])


def train_model(
    corpus: Corpus, keys: list[str], c: float = DEFAULT_C, seed: int = DEFAULT_SEED
) -> CoderModel:
    """A coder fitted on the given articles (threshold 0.5, not calibrated)."""
    lexicon, rates, nouns = learn_lexicon(corpus, keys)
    bare = replace(_model({}, 0.0, 0.5, lexicon, rates), actor_nouns=frozenset(nouns))
    wanted = set(keys)
    groups: list[list[tuple[list[str], int]]] = []
    dated: list[tuple[list[str], int]] = []
    for piece in corpus.pieces:
        key = article_key(piece.article.id)
        if key in wanted:
            coded = code_piece(piece, bare)
            groups.extend(labelled_groups(coded, corpus.gold[key]))
            dated.extend(dating_examples(coded, corpus.gold[key]))
    weights, bias = fit([x for readings in groups for x in readings], c, seed)
    dating, dating_bias = (
        fit(dated, 1.0, seed) if len({y for _, y in dated}) == 2 else ({}, -30.0)
    )
    model = _model(weights, bias, 0.5, lexicon, rates)
    return replace(
        model,
        dating=dating,
        dating_bias=dating_bias,
        actor_nouns=frozenset(nouns),
        rank_weights=fit_ranker(groups, RANK_C),
    )


def fit_ranker(
    groups: list[list[tuple[list[str], int]]], c: float = RANK_C
) -> dict[str, float]:
    """Weights of a listwise ranking model over each trigger's readings.

    The detection model learns "is this reading right" over all readings of all
    triggers, most of them wrong in many ways at once; choosing among the
    readings of one trigger that holds an event is another task (which root,
    which actor as source, which as target). It is learnt here as a conditional
    logit: a softmax over the readings of each trigger, fitted to put its mass
    on the right ones (several can be right: an actor's aliases, an optional
    target), with an L2 penalty of ``1 / (2c)``. Every wrong reading counts,
    not a sample of them as in pairwise ranking, and one confusing trigger
    weighs as much as one clear one. Triggers whose readings are all right or
    all wrong say nothing about the order and are left out.

    Fitted with scipy's L-BFGS from zero weights: deterministic.
    """
    from scipy.optimize import minimize
    from sklearn.feature_extraction import DictVectorizer

    useful = [g for g in groups if len({label for _, label in g}) == 2]
    if not useful:
        return {}
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(
        {f: 1 for f in features} for g in useful for features, _ in g
    ).tocsr()
    sizes = np.array([len(g) for g in useful])
    lists = _Lists(
        starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]),
        owner=np.repeat(np.arange(len(useful)), sizes),
        right=np.array([label == 1 for g in useful for _, label in g]),
    )
    xt = x.T.tocsr()

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = x @ w
        all_norm, p_all = lists.softmax(scores)
        right_norm, p_right = lists.softmax(np.where(lists.right, scores, -np.inf))
        loss = float(np.sum(all_norm - right_norm)) + float(w @ w) / (2 * c)
        return loss, xt @ (p_all - p_right) + w / c

    found = minimize(
        loss_and_gradient,
        np.zeros(x.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500},
    )
    return _named(vectorizer, found.x)


def _named(vectorizer: Any, coefficients: np.ndarray) -> dict[str, float]:
    """A fitted linear model's weights by feature name, as the model file keeps
    them: rounded, and the ones too small to change a score left out."""
    names = vectorizer.get_feature_names_out()
    return {
        str(n): round(float(w), 5)
        for n, w in zip(names, coefficients, strict=True)
        if abs(w) >= 1e-4
    }


@dataclass(frozen=True)
class _Lists:
    """The readings of several triggers laid end to end: where each trigger's
    readings start, which trigger each reading belongs to, which are right."""

    starts: np.ndarray
    owner: np.ndarray
    right: np.ndarray

    def softmax(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per trigger, the log of the sum of exp(scores) over its readings, and
        each reading's share of that sum (-inf scores get none)."""
        top = np.maximum.reduceat(scores, self.starts)
        exp = np.exp(scores - top[self.owner])
        total = np.add.reduceat(exp, self.starts)
        return top + np.log(total), exp / total[self.owner]


def _model(
    weights: dict,
    bias: float,
    threshold: float,
    lexicon: dict,
    rates: dict,
    calibration: tuple = (),
) -> CoderModel:
    return CoderModel(
        weights=weights,
        bias=bias,
        threshold=threshold,
        lexicon={k: tuple((r, p) for r, p in v) for k, v in lexicon.items()},
        calibration=calibration,
        rates=rates,
    )


# ------------------------------------------------------------------ scoring


def extractions(
    corpus: Corpus,
    keys: Iterable[str],
    coder: CoderModel,
    tags: dict[int, tuple[str, bool]] | None = None,
) -> list[Extraction]:
    """Every trigger's best candidate and, if another, the rules' own reading.

    Args:
        tags: if given, receives for the ``id()`` of each event whether it is a
            trigger's best ("best") or the rules' reading ("alt"), and whether
            the rules coded it; :func:`_kept` then picks as ``choose`` would.
    """
    wanted = set(keys)
    entities: dict[str, list[tuple[Entity, ...]]] = defaultdict(list)
    events: dict[str, list[Event]] = defaultdict(list)
    for piece in corpus.pieces:
        key = article_key(piece.article.id)
        if key not in wanted:
            continue
        coded = code_piece(piece, coder)
        for group in coded.groups:
            best, ruled = best_choices(group, coder)
            if ruled is not None and best is not None and _same(ruled, best):
                ruled = None
            for choice in (best, ruled):
                if choice is None:
                    continue
                event = shift_event(_event(coded, choice, coder), piece.offset)
                if tags is not None:
                    tags[id(event)] = ("best" if choice is best else "alt", choice.rule)
                events[key].append(event)
        entities[key].append(tuple(coded.actors.entities()))
    return [
        Extraction(corpus.articles[k], merge_entities(entities[k]), tuple(events[k]))
        for k in sorted(wanted)
    ]


def _same(one: Choice, other: Choice) -> bool:
    return (one.root, one.source, one.target) == (
        other.root,
        other.source,
        other.target,
    )


def _event(coded: Coded, choice: Choice, coder: CoderModel) -> Event:
    return make_event(
        coded.finder,
        choice.group,
        choice.root,
        choice.source,
        choice.target,
        choice.probability,
        coder,
    )


def events_f1(
    corpus: Corpus,
    outputs: list[Extraction],
    threshold: float,
    rule_threshold: float | None = None,
    tags: dict[int, tuple[str, bool]] | None = None,
    memo: dict[tuple, Score] | None = None,
) -> float:
    """Lenient events F1 of the outputs kept at the thresholds.

    Args:
        memo: per (article, kept events) counts already worked out; the
            threshold grid keeps the same events of most articles at many
            thresholds, so matching each distinct set once makes it cheap.
    """
    kept = _kept(outputs, threshold, rule_threshold, tags)
    if memo is None:
        return _score(corpus, kept).events.f1
    total = Score()
    for x in kept:
        asserted = tuple(e for e in x.events if e.modality == ASSERTED)
        key = (article_key(x.article.id), tuple(map(id, asserted)))
        if key not in memo:
            gold = corpus.gold[key[0]].events
            match = match_items(asserted, gold, lenient_match)
            memo[key] = Score(len(match.pairs), len(match.false), match.required)
        total = total + memo[key]
    return total.f1


def _kept(
    outputs: list[Extraction],
    threshold: float,
    rule_threshold: float | None = None,
    tags: dict[int, tuple[str, bool]] | None = None,
) -> list[Extraction]:
    """What :func:`~kg.extraction.coder.selection.choose` keeps at the thresholds:
    per trigger, its best candidate if it clears its threshold, else the rules'
    reading if that clears the rule threshold; then one per sentence and
    (root, source, target)."""
    if tags is None:
        return [
            Extraction(
                x.article,
                x.entities,
                tuple(e for e in x.events if e.confidence >= threshold),
            )
            for x in outputs
        ]
    floor = threshold if rule_threshold is None else rule_threshold
    return [
        Extraction(
            x.article, x.entities, _kept_events(x.events, threshold, floor, tags)
        )
        for x in outputs
    ]


def _kept_events(
    events: tuple[Event, ...], threshold: float, floor: float, tags: dict
) -> tuple[Event, ...]:
    by_trigger: dict[int, dict[str, Event]] = defaultdict(dict)
    for event in events:
        by_trigger[event.trigger_start][tags[id(event)][0]] = event
    kept: dict[tuple, Event] = {}
    for found in by_trigger.values():
        best, alt = found.get("best"), found.get("alt")
        if best is not None and best.confidence >= (
            floor if tags[id(best)][1] else threshold
        ):
            chosen = best
        elif alt is not None and alt.confidence >= floor:
            chosen = alt
        else:
            continue
        key = (chosen.start, chosen.cameo[:2], chosen.source, chosen.target)
        if key not in kept or kept[key].confidence < chosen.confidence:
            kept[key] = chosen
    return tuple(sorted(kept.values(), key=lambda e: e.trigger_start))


def _score(corpus: Corpus, outputs: list[Extraction]) -> EvaluationReport:
    keys = {article_key(x.article.id) for x in outputs}
    return evaluate({k: corpus.gold[k] for k in keys}, outputs)


def folds(keys: list[str], k: int, seed: int) -> list[list[str]]:
    """k groups of articles, shuffled with the seed (grouped by text)."""
    order = sorted(keys)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


# ------------------------------------------------------------------ cross-validation


@dataclass(frozen=True)
class CrossValidation:
    """Cross-validated figures of a training folder.

    Attributes:
        threshold: raw score that maximises pooled F1 over the held-out folds.
        rule_threshold: the same for events the dependency rules coded themselves.
        fold_f1: lenient events F1 of each held-out fold at that threshold.
        pooled_f1: F1 of all held-out output together.
        calibration: isotonic knots (raw score -> share right) from held-out output.
        reliability: (low, high, events, share right) per confidence band.
        by_kind: (text kind, events F1, texts) of the held-out output per kind.
        pooled_strict_f1: strict (place and date too) F1 of all held-out output.
    """

    threshold: float
    rule_threshold: float
    fold_f1: tuple[float, ...]
    pooled_f1: float
    calibration: tuple[tuple[float, float], ...]
    reliability: tuple[tuple[float, float, int, float], ...]
    by_kind: tuple[tuple[str, float, int], ...] = ()
    pooled_strict_f1: float = 0.0

    @property
    def mean(self) -> float:
        return sum(self.fold_f1) / len(self.fold_f1)

    @property
    def spread(self) -> float:
        """Standard deviation of the fold F1s."""
        m = self.mean
        return (sum((f - m) ** 2 for f in self.fold_f1) / len(self.fold_f1)) ** 0.5


THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(2, 19))
RULE_THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, *THRESHOLDS)


def cross_validate(
    corpus: Corpus,
    k: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    c: float = DEFAULT_C,
    progress: Callable[[int], None] | None = None,
) -> CrossValidation:
    """Train on k-1 folds, code the held-out one; pick threshold and calibration."""
    held_out: list[list[Extraction]] = []
    ruled: dict[int, tuple[str, bool]] = {}
    for n, held in enumerate(folds(corpus.keys(), k, seed)):
        rest = [key for key in corpus.keys() if key not in set(held)]
        model = _with_threshold(train_model(corpus, rest, c, seed), 0.0)
        held_out.append(extractions(corpus, held, model, ruled))
        if progress:
            progress(n + 1)
    pooled = [x for fold in held_out for x in fold]
    memo: dict[tuple, Score] = {}
    threshold, rule_threshold = max(
        ((t, r) for t in THRESHOLDS for r in RULE_THRESHOLDS if r <= t),
        key=lambda tr: (
            events_f1(corpus, pooled, tr[0], tr[1], ruled, memo),
            -tr[0],
            -tr[1],
        ),
    )
    best_only = [
        Extraction(
            x.article,
            x.entities,
            tuple(e for e in x.events if ruled[id(e)][0] == "best"),
        )
        for x in pooled
    ]
    calibration = _calibrate(corpus, best_only)
    held_out = [_kept(fold, threshold, rule_threshold, ruled) for fold in held_out]
    kept = [x for fold in held_out for x in fold]
    reliability = _reliability(corpus, kept, calibration)
    kinds: dict[str, list[Extraction]] = defaultdict(list)
    for x in kept:
        kinds[corpus.gold[article_key(x.article.id)].kind or "unknown"].append(x)
    return CrossValidation(
        threshold=threshold,
        rule_threshold=rule_threshold,
        fold_f1=tuple(events_f1(corpus, fold, 0.0) for fold in held_out),
        pooled_f1=events_f1(corpus, kept, 0.0),
        calibration=calibration,
        reliability=reliability,
        by_kind=tuple(
            (kind, round(events_f1(corpus, xs, 0.0), 4), len(xs))
            for kind, xs in sorted(kinds.items())
        ),
        pooled_strict_f1=_score(corpus, kept).strict.f1,
    )


def _with_threshold(model: CoderModel, threshold: float) -> CoderModel:
    return replace(model, threshold=threshold)


def _calibrate(corpus: Corpus, outputs: list[Extraction]) -> tuple:
    """Isotonic map from raw score to the share of events that were right."""
    from sklearn.isotonic import IsotonicRegression

    scores, right = _judged(corpus, outputs)
    if len(set(right)) < 2:
        return ()
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(scores, right)
    return tuple(
        (round(float(x), 4), round(float(y), 4))
        for x, y in zip(iso.X_thresholds_, iso.y_thresholds_, strict=True)
    )


def _reliability(corpus: Corpus, kept: list[Extraction], knots: tuple) -> tuple:
    """(low, high, events, share right) per band of calibrated confidence."""
    scores, right = _judged(corpus, kept)
    calibrated = [calibrate(s, knots) for s in scores]
    bands = []
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [
            r
            for c, r in zip(calibrated, right, strict=True)
            if low <= c < low + 0.2 or (low == 0.8 and c >= 0.8)
        ]
        share = sum(inside) / len(inside) if inside else 0.0
        bands.append((low, round(low + 0.2, 1), len(inside), round(share, 3)))
    return tuple(bands)


def _judged(corpus: Corpus, outputs: list[Extraction]) -> tuple[list[float], list[int]]:
    """(raw score, 1 if the scorer matched it) for every output event."""
    keys = {article_key(x.article.id) for x in outputs}
    report = evaluate({k: corpus.gold[k] for k in keys}, outputs)
    false = {id(e) for a in report.articles for e in a.false_events}
    scores, right = [], []
    for x in outputs:
        for event in x.events:
            if event.modality == "asserted":
                scores.append(event.confidence)
                right.append(0 if id(event) in false else 1)
    return scores, right


# ------------------------------------------------------------------ writing


def write_model(
    folder: Path, model: CoderModel, cv: CrossValidation, about: dict
) -> None:
    """Write model.json and lexicon.json (sorted keys: reproducible bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    lexicon = {
        "format": FORMAT,
        "lemmas": {k: [list(p) for p in v] for k, v in sorted(model.lexicon.items())},
        "rates": dict(sorted(model.rates.items())),
        "actor_nouns": {n: 1 for n in sorted(model.actor_nouns)},
    }
    body = {
        "format": FORMAT,
        "about": about,
        "bias": round(model.bias, 5),
        "threshold": cv.threshold,
        "rule_threshold": cv.rule_threshold,
        "calibration": [list(k) for k in cv.calibration],
        "cross_validation": {
            "folds": list(cv.fold_f1),
            "mean_events_f1": round(cv.mean, 4),
            "spread": round(cv.spread, 4),
            "pooled_events_f1": round(cv.pooled_f1, 4),
            "pooled_strict_f1": round(cv.pooled_strict_f1, 4),
            "by_kind": [list(k) for k in cv.by_kind],
            "reliability": [list(b) for b in cv.reliability],
        },
        "weights": dict(sorted(model.weights.items())),
        "ranking": dict(sorted(model.rank_weights.items())),
        "dating": {
            "bias": round(model.dating_bias, 5),
            "weights": dict(sorted(model.dating.items())),
        },
    }
    for name, data in (("model.json", body), ("lexicon.json", lexicon)):
        text = json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False)
        write_text(folder / name, text + "\n", what="trained coder")
