"""The trained coder's files: where they live, what version they are, loading them.

The files are plain JSON (feature weights, the learned trigger lexicon, the
threshold and calibration), not pickles: a model folder a user passes with
``--model-dir`` is data that kg reads, never code that it runs. The bundled set
lives in ``kg/extraction/data/coder`` and is versioned with the extractor; its
version is the SHA-256 of its files, so a store can tell which one coded it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import ModelError
from kg.extraction.coder.features import Part, expand

#: The trained files shipped with kg.
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "coder"
#: Setting that points kg at another folder of trained files.
CODER_ENV = "KG_CODER_DIR"
#: Files of a trained model folder, all required.
MODEL_FILES = ("model.json", "lexicon.json")
#: Parts whose sums one model keeps (a few MB); past it the memo starts afresh.
MAX_CACHED_PARTS = 200_000
#: Format of the files this kg reads; ``kg train`` writes it.
FORMAT = 1
_REBUILD = (
    "rebuild it with `kg train CORPUS_DIR -o DIR` and pass --model-dir DIR, or "
    "reinstall kg to restore the bundled model"
)


@dataclass(frozen=True)
class CoderModel:
    """A trained coder, as read from its folder.

    Attributes:
        weights: feature name -> weight of the linear model.
        bias: its intercept.
        threshold: lowest raw score (the logistic model's) that becomes an event.
        rule_threshold: the same for the event the dependency rules coded
            themselves (None: ``threshold``); cross-validation sets it lower,
            since a full rule analysis is evidence the features only partly see.
        lexicon: trigger lemma -> (CAMEO root, share of its gold uses) pairs,
            most frequent first; learned from the training gold.
        calibration: (raw score, calibrated probability) knots, increasing.
        rates: trigger lemma -> share of its occurrences in the training texts
            that were annotated as event triggers.
        dating, dating_bias: a second linear model: whether an event whose own
            sentence names no day happened on the publication day (news digests
            and headlines say "X attacks Y" of that day; background does not).
        actor_nouns: common nouns that name actors ("police", "protesters").
        rank_weights: feature name -> weight of the ranking model that orders
            one trigger's readings (empty: the readings are ordered by
            ``weights``).
        version: short hash of the files, recorded in every store it codes.
        folder: where it was read from.
    """

    weights: dict[str, float]
    bias: float
    threshold: float
    lexicon: dict[str, tuple[tuple[str, float], ...]]
    calibration: tuple[tuple[float, float], ...] = ()
    rule_threshold: float | None = None
    rates: dict[str, float] = field(default_factory=dict)
    dating: dict[str, float] = field(default_factory=dict)
    dating_bias: float = -30.0
    actor_nouns: frozenset[str] = frozenset()
    rank_weights: dict[str, float] = field(default_factory=dict)
    version: str = ""
    folder: str = ""
    #: Both models' summed weights of the parts already seen (see
    #: :meth:`part_scores`); not an init field, so ``replace`` starts afresh.
    _sums: dict[Part, tuple[float, float]] = field(
        default_factory=dict, init=False, compare=False, repr=False, hash=False
    )

    def keeps(self, raw: float, rule: bool) -> bool:
        """Whether a trigger's best candidate, with this raw score, becomes an event."""
        if rule and self.rule_threshold is not None:
            return raw >= self.rule_threshold
        return raw >= self.threshold

    def logit(self, features: list[str]) -> float:
        """The linear model's sum over some features (without the intercept)."""
        get = self.weights.get
        total = 0.0
        for feature in features:
            total += get(feature, 0.0)
        return total

    def part_scores(self, part: Part) -> tuple[float, float]:
        """Both models' summed weights of one part's features: (detection,
        ranking), worked out once per part.

        A part is a feature template with the few values it depends on, and the
        same few recur over and over ("a country subject two tokens before the
        trigger"): building and summing their strings once per model, not once
        per candidate, takes the coder's cost down to dictionary lookups. The
        ranker orders the readings of one trigger (which root, which source,
        which target); detection says whether the best one is an event at all.
        Without a ranker the detection weights rank too.
        """
        found = self._sums.get(part)
        if found is None:
            if len(self._sums) >= MAX_CACHED_PARTS:
                self._sums.clear()
            features = expand(part)
            z = self.logit(features)
            rank = self.rank_weights.get
            q = sum(rank(f, 0.0) for f in features) if self.rank_weights else z
            found = self._sums[part] = (z, q)
        return found

    def raw(self, logit: float) -> float:
        """The logistic model's own probability for a summed logit."""
        z = max(min(self.bias + logit, 30.0), -30.0)
        return 1.0 / (1.0 + math.exp(-z))

    def probability(self, logit: float) -> float:
        """Calibrated probability that a candidate with this summed logit is right."""
        return calibrate(self.raw(logit), self.calibration)

    def score(self, features: list[str]) -> float:
        """Calibrated probability that the candidate is a correct event."""
        return self.probability(self.logit(features))

    def on_publication_day(self, features: list[str]) -> bool:
        """Whether an event with no day of its own is dated to the article's day."""
        z = self.dating_bias + sum(self.dating.get(f, 0.0) for f in features)
        return z > 0.0


def calibrate(p: float, knots: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear map of a raw score through isotonic knots (identity if none)."""
    if not knots:
        return p
    if p <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
        if p <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)
    return knots[-1][1]


def coder_dir(model_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder to load: the argument, else ``KG_CODER_DIR``, else the bundled one."""
    chosen = model_dir or os.environ.get(CODER_ENV)
    return Path(chosen).expanduser() if chosen else BUNDLED_DIR


def coder_version(model_dir: str | os.PathLike[str] | None = None) -> str:
    """The version of the trained files a pipeline would load (12 hex digits).

    Raises:
        ModelError: the folder is missing or incomplete.
    """
    return _version(str(coder_dir(model_dir).resolve()))


@lru_cache(maxsize=8)
def _version(folder: str) -> str:
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = Path(folder) / name
        try:
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError as err:
            problem = f"{name} cannot be read ({err.strerror})"
            raise _damaged(Path(folder), problem) from err
    return digest.hexdigest()[:12]


def load_coder(model_dir: str | os.PathLike[str] | None = None) -> CoderModel:
    """Read a trained coder folder.

    Raises:
        ModelError: one line naming the folder, what is wrong, and how to
            rebuild or reinstall it.
    """
    folder = coder_dir(model_dir)
    if not folder.is_dir():
        raise ModelError(
            f"the trained event coder folder {folder} does not exist; {_REBUILD}"
        )
    model = _read_json(folder, "model.json")
    lexicon = _read_json(folder, "lexicon.json")
    try:
        if model.get("format") != FORMAT:
            raise ValueError(f"format {model.get('format')!r}, this kg reads {FORMAT}")
        return CoderModel(
            weights={str(k): float(v) for k, v in model["weights"].items()},
            bias=float(model["bias"]),
            threshold=float(model["threshold"]),
            rule_threshold=float(model.get("rule_threshold", model["threshold"])),
            lexicon={
                str(lemma): tuple((str(r), float(p)) for r, p in roots)
                for lemma, roots in lexicon["lemmas"].items()
            },
            calibration=tuple(
                (float(x), float(y)) for x, y in model.get("calibration", [])
            ),
            rates={str(k): float(v) for k, v in lexicon.get("rates", {}).items()},
            dating={
                str(k): float(v)
                for k, v in model.get("dating", {}).get("weights", {}).items()
            },
            dating_bias=float(model.get("dating", {}).get("bias", -30.0)),
            actor_nouns=frozenset(str(n) for n in lexicon.get("actor_nouns", {})),
            rank_weights={
                str(k): float(v) for k, v in model.get("ranking", {}).items()
            },
            version=coder_version(folder),
            folder=str(folder),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _damaged(
            folder, f"model.json or lexicon.json is not a kg model ({err})"
        ) from err


def _read_json(folder: Path, name: str) -> dict:
    path = folder / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _damaged(folder, f"{name} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _damaged(folder, f"{name} cannot be read ({err})") from err
    if not isinstance(data, dict):
        raise _damaged(folder, f"{name} does not hold a JSON object")
    return data


def _damaged(folder: Path, problem: str) -> ModelError:
    return ModelError(
        f"the trained event coder in {folder} is damaged: {problem}; {_REBUILD}"
    )
