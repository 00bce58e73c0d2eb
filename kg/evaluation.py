"""Score extractions against hand-made gold events and entities.

An analyst tuning the extractor needs one number that moves when it gets better, and
the list of what it missed. The matching follows the conventions of the development
corpus (``corpus/README.md`` and its ``score.py``), so ``kg evaluate`` and the corpus
scorer report the same figures for the same output:

* names match after normalisation (accents, case, punctuation, possessive 's, a
  leading "the") against a gold name, canonical name or alias; a looser key also drops
  leading titles and demonyms ("German Chancellor Angela Merkel" -> "angela merkel");
* a lenient event match needs the CAMEO root (or an ``alt_types`` root), the source and,
  when the gold has one, the target, each by name or by equal ISO3 country code;
  ``alt_sources``/``alt_targets`` are accepted and symmetric events match swapped;
* a strict match also needs the place (by name, or by country code when the gold place
  is a country) and the date (exact or one of ``alt_dates``); a null gold is unchecked;
* matching is one-to-one (maximum bipartite) per article; optional gold items are
  neither rewarded nor penalised, and a further system event that matches an already
  matched joint or mutual gold event is ignored rather than called a false alarm.
"""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from kg.errors import InputError
from kg.records import Entity, Event, Extraction

logger = logging.getLogger(__name__)

ASSERTED = "asserted"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Leading words the looser name key drops: titles, honorifics and demonyms. The same
# list as the corpus scorer's, so both agree on which names match.
_LEADING_WORDS = frozenset(
    """
    the a an president presidents vice prime minister ministers foreign defence defense
    interior secretary secretaries of state general gen lt col colonel admiral adm
    chancellor king queen prince mr mrs ms dr sir ambassador envoy special
    representative spokesperson spokesman spokeswoman speaker senator governor chief
    executive deputy acting caretaker supreme leader former opposition candidate
    director commissioner head chairman chairperson us u s uk american british german
    french iranian russian chinese israeli turkish egyptian greek cypriot italian
    japanese iraqi syrian saudi brazilian nigerian afghan philippine belarusian
    belarussian serbian cuban libyan spanish argentine argentinian chadian indian
    pakistani kenyan venezuelan ukrainian
    """.split()
)

S = TypeVar("S")
G = TypeVar("G", bound="GoldName | GoldEvent")


# --------------------------------------------------------------------- normalisation
def normalise(name: str | None) -> str:
    """The primary name key: spelling variants of one name compare equal.

    Args:
        name: a surface form ("the Taliban's", "Erdoğan").

    Returns:
        Lower-case ASCII words joined by single spaces ("taliban", "erdogan").
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"'s\b", "", text.lower().translate(_QUOTES))
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    return text.removeprefix("the ")


def loose_key(name: str | None) -> str:
    """The secondary key: :func:`normalise` without leading titles and demonyms."""
    words = normalise(name).split()
    while len(words) > 1 and words[0] in _LEADING_WORDS:
        words.pop(0)
    return " ".join(words)


def _iso3(code: str | None) -> str | None:
    """An ISO 3166 alpha-3 code in upper case, or None for anything else."""
    text = str(code or "").strip().upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


@lru_cache(maxsize=1)
def cameo_roots() -> frozenset[str]:
    """The 2-digit CAMEO roots, read from the bundled CAMEO scheme."""
    from kg.ontology import cameo_labels

    return frozenset(code for code in cameo_labels() if len(code) == 2)


def cameo_root(code: str | int | None) -> str | None:
    """The 2-digit root of a CAMEO code ("042" -> "04", "7" -> "07"), else None."""
    digits = re.sub(r"\D", "", str(code if code is not None else ""))
    if not digits:
        return None
    root = digits[:2].zfill(2)
    return root if root in cameo_roots() else None


def _day(value: str | None) -> str | None:
    """The YYYY-MM-DD part of a date string, or None when it has none."""
    text = str(value or "").strip()[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def article_key(article_id: str) -> str:
    """Article ids as the corpus compares them: "002.txt", "2" and "002" agree."""
    key = re.sub(r"\.txt$", "", os.path.basename(str(article_id).strip()))
    return key.zfill(3) if key.isdigit() else key


# --------------------------------------------------------------------- gold records
@dataclass(frozen=True)
class GoldName:
    """A gold actor, place or entity, with every name it may be written as.

    Attributes:
        name: the name as written in the article.
        canonical: the preferred name, shown in reports.
        kind: person, organization, country, group, location or other.
        country: ISO 3166 alpha-3 code, if any.
        aliases: other accepted surface forms.
        optional: for entities: finding it is neither rewarded nor penalised.
    """

    name: str
    canonical: str = ""
    kind: str | None = None
    country: str | None = None
    aliases: tuple[str, ...] = ()
    optional: bool = False

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.canonical, *self.aliases) if n)

    @cached_property
    def keys(self) -> frozenset[str]:
        """Primary keys of every accepted name."""
        return frozenset(k for k in map(normalise, self._names) if k)

    @cached_property
    def loose_keys(self) -> frozenset[str]:
        """Secondary keys (titles and demonyms dropped) of every accepted name."""
        return frozenset(k for k in map(loose_key, self._names) if k)

    def matches_name(self, name: str | None) -> bool:
        """Whether a system name is one of this item's names."""
        if not name:
            return False
        loose = loose_key(name)
        return normalise(name) in self.keys or bool(loose and loose in self.loose_keys)


@dataclass(frozen=True)
class GoldEvent:
    """One gold event and the variants a correct system output may take.

    Attributes:
        id: the gold's own id ("002-E03"), shown in reports.
        root: 2-digit CAMEO root.
        source, target, location: the gold actors and place (target/place optional).
        date: ISO date, or None when the text does not pin it.
        alt_roots: further roots accepted for the event.
        alt_sources, alt_targets: further actors accepted (joint or mutual actions).
        alt_dates: further dates accepted.
        symmetric: source and target may be swapped.
        optional: finding it is neither rewarded nor penalised.
    """

    id: str
    root: str
    source: GoldName
    target: GoldName | None = None
    location: GoldName | None = None
    date: str | None = None
    sentence: str = ""
    trigger: str = ""
    alt_roots: tuple[str, ...] = ()
    alt_sources: tuple[GoldName, ...] = ()
    alt_targets: tuple[GoldName, ...] = ()
    alt_dates: tuple[str, ...] = ()
    symmetric: bool = False
    optional: bool = False

    @property
    def roots(self) -> frozenset[str]:
        return frozenset((self.root, *self.alt_roots))

    @property
    def sources(self) -> tuple[GoldName, ...]:
        return (self.source, *self.alt_sources)

    @property
    def targets(self) -> tuple[GoldName, ...]:
        return (*((self.target,) if self.target else ()), *self.alt_targets)

    @property
    def joint(self) -> bool:
        """A joint or mutual action, which several system events may report."""
        return bool(self.alt_sources or self.alt_targets or self.symmetric)


@dataclass(frozen=True)
class GoldArticle:
    """The gold entities and events of one article."""

    id: str
    entities: tuple[GoldName, ...] = ()
    events: tuple[GoldEvent, ...] = ()


# --------------------------------------------------------------------- reading gold
class _Malformed(ValueError):
    """A gold line parses as JSON but lacks what scoring needs."""


def load_gold(path: str | os.PathLike[str]) -> dict[str, GoldArticle]:
    """Read a gold file: JSON Lines, one article object per line.

    Args:
        path: the gold ``.jsonl`` file (the corpus format).

    Returns:
        Articles keyed by :func:`article_key` of their id.

    Raises:
        InputError: the file cannot be read, a line is not JSON, a field scoring needs
            is missing or wrong, or an article id appears twice; names file and line.
    """
    label = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeError) as exc:
        raise InputError(
            label,
            f"cannot read the gold file ({exc}); check the path "
            "and that it is UTF-8 JSON Lines",
        ) from exc
    gold: dict[str, GoldArticle] = {}
    for number, line in enumerate(lines, 1):
        if line.strip():
            article = _parse_line(line, label, number)
            key = article_key(article.id)
            if key in gold:
                raise InputError(
                    label,
                    f"article {article.id!r} appears twice; keep one line per article",
                    number,
                )
            gold[key] = article
    return gold


def _parse_line(line: str, label: str, number: int) -> GoldArticle:
    """One gold line as a GoldArticle, or an InputError naming the line."""
    try:
        return _gold_article(json.loads(line))
    except json.JSONDecodeError as exc:
        problem = (
            f"not valid JSON ({exc.msg}, column {exc.colno}); each line must "
            "be one gold article object"
        )
        raise InputError(label, problem, number) from exc
    except _Malformed as exc:
        raise InputError(label, str(exc), number) from None


def _gold_article(obj: Any) -> GoldArticle:
    if not isinstance(obj, dict) or obj.get("id") in (None, ""):
        raise _Malformed(
            "no article 'id'; each line must be an object with id, entities and events"
        )
    for key in ("entities", "events"):
        if not isinstance(obj.get(key), list):
            raise _Malformed(
                f"article {obj['id']!r} has no '{key}' list; give it "
                f"'{key}': [] when there are none"
            )
    entities = (_gold_name(e, f"entity {n}") for n, e in enumerate(obj["entities"], 1))
    events = (_gold_event(e, n) for n, e in enumerate(obj["events"], 1))
    return GoldArticle(str(obj["id"]), tuple(entities), tuple(events))


def _gold_name(obj: Any, where: str) -> GoldName:
    name = obj.get("name") if isinstance(obj, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise _Malformed(
            f"{where} has no 'name'; every gold actor, place and entity needs one"
        )
    return GoldName(
        name=name,
        canonical=str(obj.get("canonical") or name),
        kind=obj.get("kind"),
        country=obj.get("country"),
        aliases=tuple(a for a in obj.get("aliases") or () if isinstance(a, str)),
        optional=bool(obj.get("optional")),
    )


def _gold_event(obj: Any, number: int) -> GoldEvent:
    where = f"event {number}"
    if not isinstance(obj, dict) or any(not obj.get(k) for k in ("id", "type")):
        raise _Malformed(f"{where} needs 'id', 'type' and 'source'")
    where = f"event {obj['id']!r}"
    names = _gold_names(obj, where)
    return GoldEvent(
        id=str(obj["id"]),
        root=_gold_root(obj["type"], where),
        date=str(obj["date"]) if obj.get("date") else None,
        sentence=str(obj.get("sentence") or ""),
        trigger=str(obj.get("trigger") or ""),
        alt_roots=tuple(_gold_root(t, where) for t in obj.get("alt_types") or ()),
        alt_dates=tuple(str(d) for d in obj.get("alt_dates") or ()),
        symmetric=bool(obj.get("symmetric")),
        optional=bool(obj.get("optional")),
        **names,
    )


def _gold_names(obj: dict[str, Any], where: str) -> dict[str, Any]:
    """The actors and place of a gold event, by GoldEvent field name."""

    def one(key: str) -> GoldName | None:
        return _gold_name(obj[key], f"{where} {key}") if obj.get(key) else None

    def many(key: str) -> tuple[GoldName, ...]:
        return tuple(_gold_name(a, f"{where} {key}") for a in obj.get(key) or ())

    if not obj.get("source"):
        raise _Malformed(
            f"{where} has no 'source'; conservative coding needs a named source actor"
        )
    return {
        "source": one("source"),
        "target": one("target"),
        "location": one("location"),
        "alt_sources": many("alt_sources"),
        "alt_targets": many("alt_targets"),
    }


def _gold_root(code: Any, where: str) -> str:
    root = cameo_root(code)
    if root is None:
        raise _Malformed(
            f"{where}: type {code!r} is not a CAMEO code; use a root "
            'from "01" to "20" or a finer code such as "042"'
        )
    return root


# --------------------------------------------------------------------- predicates
def _actor_matches(actor: Entity | None, gold: GoldName) -> bool:
    """Same name, or the same country code (a country stands for its government)."""
    if actor is None:
        return False
    if gold.matches_name(actor.name):
        return True
    code = _iso3(actor.country)
    return code is not None and code == _iso3(gold.country)


def _any_actor(actor: Entity | None, golds: Iterable[GoldName]) -> bool:
    return any(_actor_matches(actor, g) for g in golds)


def lenient_match(event: Event, gold: GoldEvent) -> bool:
    """Right root, source and (when the gold has one) target; swapped if symmetric."""
    if cameo_root(event.cameo) not in gold.roots:
        return False
    if _any_actor(event.source, gold.sources) and (
        gold.target is None or _any_actor(event.target, gold.targets)
    ):
        return True
    return (
        gold.symmetric
        and gold.target is not None
        and _any_actor(event.target, gold.sources)
        and _any_actor(event.source, gold.targets)
    )


def _place_matches(place: Entity | None, gold: GoldName | None) -> bool:
    """A null gold place is not checked; a country-level one also matches by code."""
    if gold is None:
        return True
    if place is None:
        return False
    if gold.matches_name(place.name):
        return True
    code = _iso3(place.country)
    return gold.kind == "country" and code is not None and code == _iso3(gold.country)


def _date_matches(date: str | None, gold: GoldEvent) -> bool:
    if not gold.date:
        return True
    return _day(date) in {gold.date, *gold.alt_dates}


def strict_match(event: Event, gold: GoldEvent) -> bool:
    """A lenient match whose place and date are right too."""
    return (
        lenient_match(event, gold)
        and _place_matches(event.location, gold.location)
        and _date_matches(event.date, gold)
    )


def _entity_match(entity: Entity, gold: GoldName) -> bool:
    return gold.matches_name(entity.name)


# --------------------------------------------------------------------- matching
@dataclass(frozen=True)
class _Match:
    """One-to-one matching of system items to gold items, by index."""

    pairs: tuple[tuple[int, int], ...]  # (system index, required gold index)
    false: tuple[int, ...]
    missed: tuple[int, ...]
    required: int
    ignored: int


def _max_matching(
    left: Sequence[int], right: Sequence[int], ok: Callable[[int, int], bool]
) -> dict[int, int]:
    """Maximum bipartite matching by augmenting paths; returns left -> right.

    Items with the fewest candidates go first, so ties between equally large
    matchings resolve as in the corpus scorer.
    """
    candidates = {i: [j for j in right if ok(i, j)] for i in left}
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in sorted(left, key=lambda i: len(candidates[i])):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _match(
    system: Sequence[S],
    gold: Sequence[G],
    ok: Callable[[S, G], bool],
) -> _Match:
    """Match required gold first, then let optional and joint gold absorb the rest."""
    required = [j for j, g in enumerate(gold) if not g.optional]
    optional = [j for j, g in enumerate(gold) if g.optional]
    first = _max_matching(
        range(len(system)), required, lambda i, j: ok(system[i], gold[j])
    )
    rest = [i for i in range(len(system)) if i not in first]
    second = _max_matching(rest, optional, lambda i, j: ok(system[i], gold[j]))
    joint = [j for j in (*first.values(), *second.values()) if _is_joint(gold[j])]
    leftover = [i for i in rest if i not in second]
    false = [i for i in leftover if not any(ok(system[i], gold[j]) for j in joint)]
    found = set(first.values())
    return _Match(
        pairs=tuple(first.items()),
        false=tuple(false),
        missed=tuple(j for j in required if j not in found),
        required=len(required),
        ignored=len(second) + len(leftover) - len(false),
    )


def _is_joint(gold: GoldName | GoldEvent) -> bool:
    return isinstance(gold, GoldEvent) and gold.joint


# --------------------------------------------------------------------- scores
def _harmonic_mean(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True)
class Score:
    """Counts and precision/recall/F1 of one kind of item."""

    tp: int = 0
    fp: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _harmonic_mean(self.precision, self.recall)

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.gold + other.gold)


@dataclass(frozen=True)
class RootScore:
    """Lenient scores of one CAMEO root.

    Precision counts system events of this root (``tp_system`` of ``system``); recall
    counts gold events of this root (``tp_gold`` of ``gold``). They differ when an
    ``alt_types`` root matched.
    """

    root: str
    gold: int = 0
    system: int = 0
    tp_gold: int = 0
    tp_system: int = 0

    @property
    def precision(self) -> float:
        return self.tp_system / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return _harmonic_mean(self.precision, self.recall)

    def __add__(self, other: RootScore) -> RootScore:
        return RootScore(
            self.root,
            self.gold + other.gold,
            self.system + other.system,
            self.tp_gold + other.tp_gold,
            self.tp_system + other.tp_system,
        )


@dataclass(frozen=True)
class Geocoding:
    """Places of lenient-matched events whose gold names a place.

    A right place counts as a right country too.
    """

    checked: int = 0
    country_right: int = 0
    place_right: int = 0

    @property
    def country_accuracy(self) -> float:
        return self.country_right / self.checked if self.checked else 0.0

    @property
    def place_accuracy(self) -> float:
        return self.place_right / self.checked if self.checked else 0.0

    def __add__(self, other: Geocoding) -> Geocoding:
        return Geocoding(
            self.checked + other.checked,
            self.country_right + other.country_right,
            self.place_right + other.place_right,
        )


@dataclass(frozen=True)
class ArticleResult:
    """Scores of one gold article and what went wrong in it."""

    article: str
    entities: Score
    events: Score
    strict: Score
    ignored_events: int
    ignored_entities: int
    roots: tuple[RootScore, ...]
    geocoding: Geocoding
    invalid_roots: int
    missed_events: tuple[GoldEvent, ...] = ()
    false_events: tuple[Event, ...] = ()
    strict_misses: tuple[GoldEvent, ...] = ()
    missed_entities: tuple[GoldName, ...] = ()
    false_entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class EvaluationReport:
    """Scores over a gold set.

    Attributes:
        entities, events, strict: entity, lenient-event and strict-event scores.
        per_root: lenient scores of each CAMEO root seen in gold or output.
        geocoding: place accuracy on matched events whose gold has a place.
        ignored_events, ignored_entities: output matching optional gold or
            repeating a joint action; neither right nor wrong.
        flagged: negated, hypothetical or future events left out of scoring.
        invalid_roots: output events without a valid CAMEO root (false alarms).
        entities_derived: no extraction listed entities, so each article's were
            taken from its events' actors and places.
        unknown_articles: extracted articles absent from the gold (not scored).
        articles: per-article results, in gold-id order.
    """

    entities: Score
    events: Score
    strict: Score
    per_root: tuple[RootScore, ...] = ()
    geocoding: Geocoding = field(default_factory=Geocoding)
    ignored_events: int = 0
    ignored_entities: int = 0
    flagged: int = 0
    invalid_roots: int = 0
    entities_derived: bool = False
    unknown_articles: tuple[str, ...] = ()
    articles: tuple[ArticleResult, ...] = ()


# --------------------------------------------------------------------- evaluation
@dataclass
class _Output:
    """System events and entities grouped by article key."""

    events: defaultdict[str, list[Event]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entities: defaultdict[str, list[Entity]] = field(
        default_factory=lambda: defaultdict(list)
    )
    flagged: int = 0


def evaluate(
    gold: Mapping[str, GoldArticle],
    extractions: Iterable[Extraction],
    *,
    include_flagged: bool = False,
) -> EvaluationReport:
    """Score extractions against gold articles.

    Gold articles with no extraction count as entirely missed; extractions of
    articles not in the gold are reported in ``unknown_articles`` and not scored.

    Args:
        gold: from :func:`load_gold`.
        extractions: e.g. ``extract(iter_articles(paths))``; consumed once.
        include_flagged: also score events whose modality is not "asserted".

    Returns:
        The report; :func:`format_report` prints it.
    """
    output = _collect(extractions, include_flagged)
    derived = not any(output.entities.values())
    golds = {article_key(k): v for k, v in gold.items()}
    results = tuple(
        _score_article(
            golds[key],
            output.events.get(key, []),
            _system_entities(output, key, derived),
        )
        for key in sorted(golds)
    )
    unknown = sorted((set(output.events) | set(output.entities)) - set(golds))
    if unknown:
        logger.warning(
            "%d article(s) not in the gold set, not scored: %s",
            len(unknown),
            ", ".join(unknown[:10]),
        )
    return _sum(results, output.flagged, derived, tuple(unknown))


def _collect(extractions: Iterable[Extraction], include_flagged: bool) -> _Output:
    output = _Output()
    for extraction in extractions:
        key = article_key(extraction.article.id)
        for event in extraction.events:
            if include_flagged or event.modality == ASSERTED:
                output.events[key].append(event)
            else:
                output.flagged += 1
        output.entities[key].extend(extraction.entities)
    return output


def _system_entities(output: _Output, key: str, derived: bool) -> list[Entity]:
    """An article's entities, one per primary key; from its events when derived."""
    if derived:
        found = [
            x
            for e in output.events.get(key, [])
            for x in (e.source, e.target, e.location)
            if x is not None and x.name
        ]
    else:
        found = output.entities.get(key, [])
    unique: dict[str, Entity] = {}
    for entity in found:
        unique.setdefault(normalise(entity.name), entity)
    unique.pop("", None)
    return list(unique.values())


def _score_article(
    gold: GoldArticle, events: list[Event], entities: list[Entity]
) -> ArticleResult:
    lenient = _match(events, gold.events, lenient_match)
    strict = _match(events, gold.events, strict_match)
    named = _match(entities, gold.entities, _entity_match)
    roots, invalid = _root_scores(events, gold.events, lenient)
    return ArticleResult(
        article=article_key(gold.id),
        entities=_score(named),
        events=_score(lenient),
        strict=_score(strict),
        ignored_events=lenient.ignored,
        ignored_entities=named.ignored,
        roots=roots,
        geocoding=_geocoding(events, gold.events, lenient),
        invalid_roots=invalid,
        missed_events=tuple(gold.events[j] for j in lenient.missed),
        false_events=tuple(events[i] for i in lenient.false),
        strict_misses=tuple(
            gold.events[j] for j in strict.missed if j not in lenient.missed
        ),
        missed_entities=tuple(gold.entities[j] for j in named.missed),
        false_entities=tuple(entities[i] for i in named.false),
    )


def _score(match: _Match) -> Score:
    return Score(len(match.pairs), len(match.false), match.required)


def _root_scores(
    events: Sequence[Event], gold: Sequence[GoldEvent], match: _Match
) -> tuple[tuple[RootScore, ...], int]:
    """Per-root counts of one article, and its events without a valid root."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for g in gold:
        if not g.optional:
            counts[g.root]["gold"] += 1
    for i, j in match.pairs:
        counts[gold[j].root]["tp_gold"] += 1
        # a matched event's root is one the gold accepts, so it is valid
        counts[str(cameo_root(events[i].cameo))].update(("tp_system", "system"))
    invalid = 0
    for i in match.false:
        root = cameo_root(events[i].cameo)
        if root is None:
            invalid += 1
        else:
            counts[root]["system"] += 1
    return tuple(RootScore(r, **c) for r, c in sorted(counts.items())), invalid


def _geocoding(
    events: Sequence[Event], gold: Sequence[GoldEvent], match: _Match
) -> Geocoding:
    checked = country = place = 0
    for i, j in match.pairs:
        expected, found = gold[j].location, events[i].location
        if expected is None:
            continue
        place_ok = _place_matches(found, expected)
        code = _iso3(found.country) if found else None
        checked += 1
        place += place_ok
        country += place_ok or (code is not None and code == _iso3(expected.country))
    return Geocoding(checked, country, place)


def _sum(
    results: tuple[ArticleResult, ...],
    flagged: int,
    derived: bool,
    unknown: tuple[str, ...],
) -> EvaluationReport:
    roots: dict[str, RootScore] = {}
    for result in results:
        for r in result.roots:
            roots[r.root] = roots.get(r.root, RootScore(r.root)) + r
    return EvaluationReport(
        entities=sum((r.entities for r in results), Score()),
        events=sum((r.events for r in results), Score()),
        strict=sum((r.strict for r in results), Score()),
        per_root=tuple(roots[k] for k in sorted(roots)),
        geocoding=sum((r.geocoding for r in results), Geocoding()),
        ignored_events=sum(r.ignored_events for r in results),
        ignored_entities=sum(r.ignored_entities for r in results),
        flagged=flagged,
        invalid_roots=sum(r.invalid_roots for r in results),
        entities_derived=derived,
        unknown_articles=unknown,
        articles=results,
    )


# --------------------------------------------------------------------- report
def format_report(report: EvaluationReport, verbose: bool = False) -> str:
    """The report as text; the last line is ``events_f1=… entities_f1=… strict_f1=…``.

    Args:
        report: from :func:`evaluate`.
        verbose: also list each article's misses and false alarms.
    """
    lines = [*_summary_lines(report), "", *_root_lines(report)]
    if verbose:
        lines += ["", *_error_lines(report)]
    lines += [
        "",
        f"events_f1={report.events.f1:.4f} entities_f1={report.entities.f1:.4f} "
        f"strict_f1={report.strict.f1:.4f}",
    ]
    return "\n".join(lines)


def _summary_lines(report: EvaluationReport) -> list[str]:
    lines = [
        f"{'':16} {'precision':>9} {'recall':>9} {'F1':>9} "
        f"{'TP':>6} {'FP':>6} {'gold':>6}"
    ]
    for label, s in (
        ("entities", report.entities),
        ("events_lenient", report.events),
        ("events_strict", report.strict),
    ):
        lines.append(
            f"{label:16} {s.precision:9.4f} {s.recall:9.4f} {s.f1:9.4f} "
            f"{s.tp:6d} {s.fp:6d} {s.gold:6d}"
        )
    geo = report.geocoding
    lines.append(
        f"geocoding on {geo.checked} matched events with a gold place: "
        f"country {geo.country_accuracy:.4f}, place {geo.place_accuracy:.4f}"
        if geo.checked
        else "geocoding: no matched event has a gold place"
    )
    lines.append(
        f"ignored (optional gold or joint-action repeats): events "
        f"{report.ignored_events}, entities {report.ignored_entities}"
    )
    return lines + _note_lines(report)


def _note_lines(report: EvaluationReport) -> list[str]:
    notes = []
    if report.flagged:
        notes.append(f"left out {report.flagged} negated/hypothetical/future events")
    if report.entities_derived:
        notes.append("no entities listed: taken from event actors and places")
    if report.invalid_roots:
        notes.append(f"events without a valid CAMEO root: {report.invalid_roots}")
    if report.unknown_articles:
        notes.append(
            f"not in the gold, not scored: {', '.join(report.unknown_articles)}"
        )
    return notes


def _root_lines(report: EvaluationReport) -> list[str]:
    from kg.ontology import cameo_labels

    labels = cameo_labels()
    lines = [
        "per CAMEO root (lenient)",
        f"{'root':4} {'name':34} {'gold':>5} {'sys':>5} {'tp':>5} "
        f"{'P':>7} {'R':>7} {'F1':>7}",
    ]
    for r in report.per_root:
        lines.append(
            f"{r.root:4} {labels.get(r.root, '')[:34]:34} {r.gold:5d} {r.system:5d} "
            f"{r.tp_gold:5d} {r.precision:7.3f} {r.recall:7.3f} {r.f1:7.3f}"
        )
    return lines


def _error_lines(report: EvaluationReport) -> list[str]:
    lines = ["per-article errors (lenient; strict misses are lenient hits)"]
    for a in report.articles:
        items = [
            *(f"  missed event   {_gold_event_text(g)}" for g in a.missed_events),
            *(f"  false event    {_event_text(e)}" for e in a.false_events),
            *(f"  strict miss    {_gold_event_text(g)}" for g in a.strict_misses),
            *(f"  missed entity  {g.canonical}" for g in a.missed_entities),
            *(f"  false entity   {e.name}" for e in a.false_entities),
        ]
        if items:
            lines += [f"[{a.article}]", *items]
    return lines


def _gold_event_text(g: GoldEvent) -> str:
    target = g.target.canonical if g.target else "-"
    return f"{g.id} {g.root} {g.source.canonical} -> {target}: {_start(g.sentence)}"


def _event_text(e: Event) -> str:
    target = e.target.name if e.target else "-"
    root = cameo_root(e.cameo) or e.cameo
    return f"{root} {e.source.name} -> {target} @{e.start}: {_start(e.sentence)}"


def _start(sentence: str, width: int = 60) -> str:
    """The opening of an evidence sentence, enough to find it in the article."""
    text = " ".join(sentence.split())
    return json.dumps(
        text if len(text) <= width else text[: width - 1] + "…", ensure_ascii=False
    )
