"""``kg train`` and ``kg evaluate --cv`` as Python calls, and their reports.

Both parse a training folder once (``articles/`` and ``gold.jsonl``) and
cross-validate with folds grouped by text; ``train`` then fits the model on the
whole folder and writes the trained files, with the cross-validated threshold,
calibration and figures, into a folder that ``--model-dir`` (or
``KG_CODER_DIR``) loads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.extraction.coder.files import coder_version
from kg.extraction.coder.training import (
    DEFAULT_C,
    DEFAULT_FOLDS,
    DEFAULT_SEED,
    Corpus,
    CrossValidation,
    TrainingError,
    cross_validate,
    read_corpus,
    train_model,
    write_model,
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TrainingReport:
    """What ``train`` did and measured."""

    folder: Path
    version: str
    texts: int
    events: int
    features: int
    lexicon: int
    cv: CrossValidation
    seconds: float


def cross_validate_folder(
    corpus_dir: str | Path,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    model: str | None = None,
    progress: Progress | None = None,
) -> tuple[Corpus, CrossValidation]:
    """Parse a training folder and cross-validate the coder on it.

    Raises:
        TrainingError, InputError: the folder or its gold cannot be used.
    """
    from kg.extraction.pipeline import build_pipeline

    _require_sklearn()
    if folds < 2:
        raise TrainingError(f"--folds {folds}: cross-validation needs at least 2 folds")
    folder = Path(corpus_dir)
    nlp = build_pipeline(model)
    corpus = read_corpus(folder, nlp, _step(progress, "parsing", None))
    if len(corpus.keys()) < folds:
        raise TrainingError(
            f"{folder}: {len(corpus.keys())} annotated texts cannot make {folds} folds;"
            " annotate more texts or pass a smaller --folds"
        )
    cv = cross_validate(
        corpus, folds, seed, DEFAULT_C, _step(progress, "cross-validating", folds)
    )
    return corpus, cv


def train(
    corpus_dir: str | Path,
    out_dir: str | Path,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    model: str | None = None,
    progress: Progress | None = None,
) -> TrainingReport:
    """Train the event coder on a folder of gold files and write it to ``out_dir``.

    The same folder, seed and kg give the same files, byte for byte.
    """
    started = time.monotonic()
    corpus, cv = cross_validate_folder(
        corpus_dir, folds=folds, seed=seed, model=model, progress=progress
    )
    fitted = train_model(corpus, corpus.keys(), DEFAULT_C, seed)
    out = Path(out_dir)
    about = {
        "trained_on": Path(corpus_dir).resolve().name,
        "texts": len(corpus.keys()),
        "seed": seed,
        "folds": folds,
        "kg": _kg_version(),
    }
    write_model(out, fitted, cv, about)
    return TrainingReport(
        folder=out,
        version=coder_version(out),
        texts=len(corpus.keys()),
        events=sum(
            1 for k in corpus.keys() for e in corpus.gold[k].events if not e.optional
        ),
        features=len(fitted.weights),
        lexicon=len(fitted.lexicon),
        cv=cv,
        seconds=time.monotonic() - started,
    )


def format_cross_validation(cv: CrossValidation) -> str:
    """The cross-validation figures as an analyst reads them."""
    folds = "  ".join(f"{f:.3f}" for f in cv.fold_f1)
    lines = [
        f"cross-validated events_f1 {cv.mean:.4f} ± {cv.spread:.4f} (folds: {folds});"
        f" pooled {cv.pooled_f1:.4f}, strict {cv.pooled_strict_f1:.4f}",
        f"threshold (raw score) {cv.threshold:.2f}",
        "by text kind (held-out output):",
        *(
            f"  {kind:<28} events_f1 {f1:.4f}  ({n} texts)"
            for kind, f1, n in cv.by_kind
        ),
        "reliability of the calibrated confidence (held-out events):",
        *(
            f"  {low:.1f}–{high:.1f}  {n:>5} events  {share:.0%} right"
            for low, high, n, share in cv.reliability
        ),
    ]
    return "\n".join(lines)


def format_training(report: TrainingReport) -> str:
    """The summary ``kg train`` prints."""
    head = (
        f"trained on {report.texts} texts ({report.events} required gold events): "
        f"{report.features} weights, {report.lexicon} learned trigger lemmas; "
        f"version {report.version} in {report.folder} ({report.seconds:.0f} s)"
    )
    return head + "\n" + format_cross_validation(report.cv)


def _require_sklearn() -> None:
    """Training needs scikit-learn, an extra: say so before any work is done."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise TrainingError(
            "training the event coder needs scikit-learn; install it with "
            '`pip install "kg-events[train]"` (or `pip install scikit-learn`)'
        ) from None


def _step(
    progress: Progress | None, what: str, total: int | None
) -> Callable[[int], None] | None:
    """A one-number progress callback for one stage, or None without a reporter."""
    if progress is None:
        return None
    return lambda done: progress(what, done, total or 0)


def _kg_version() -> str:
    from kg import __version__

    return __version__


__all__ = [
    "TrainingReport",
    "cross_validate_folder",
    "format_cross_validation",
    "format_training",
    "train",
]
