"""Find and load the bundled ontology, CAMEO scheme and SHACL shapes.

``ontology/`` lives outside the package in the source tree, and the wheel ships it as
``kg/_ontology``; :func:`ontology_dir` is the one place that knows both, so nothing
else builds paths to these files. Nothing is read until a function is called.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from kg.errors import OntologyError
from kg.rdf.namespaces import CAMEO, bind_prefixes

logger = logging.getLogger(__name__)

ONTOLOGY_FILE = "kg.ttl"
CAMEO_FILE = "cameo.ttl"
SHAPES_FILE = "shapes.ttl"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # kg/, beside the wheel's _ontology


def _candidates() -> tuple[Path, ...]:
    """Folders that may hold the ontology, installed copy first."""
    return (_PACKAGE_DIR / "_ontology", _PACKAGE_DIR.parent / "ontology")


def ontology_dir() -> Path:
    """The folder holding ``kg.ttl``, ``cameo.ttl`` and ``shapes.ttl``.

    The installed copy wins so an installed kg never reads a stray checkout.

    Returns:
        The first candidate folder that contains ``kg.ttl``.

    Raises:
        OntologyError: neither the installed copy nor the source tree has it.
    """
    for folder in _candidates():
        if (folder / ONTOLOGY_FILE).is_file():
            return folder
    tried = ", ".join(str(p) for p in _candidates())
    raise OntologyError(
        f"kg's ontology files are missing (looked in {tried}). "
        "Reinstall with `pip install --force-reinstall kg-events`, or run from a "
        "source checkout that still has its ontology/ folder."
    )


def _parse_into(graph: Graph, name: str) -> Graph:
    """Parse one ontology file into ``graph``, turning failures into OntologyError."""
    path = ontology_dir() / name
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(
            f"{path} is missing. Reinstall kg-events or restore the file from git."
        ) from exc
    except Exception as exc:  # rdflib raises several unrelated parser errors
        raise OntologyError(
            f"{path} does not parse as Turtle ({exc}). Restore it from git or fix "
            "the syntax error named here."
        ) from exc
    return graph


def load_ontology() -> Graph:
    """The kg ontology and the CAMEO scheme in one new graph, prefixes bound.

    A fresh graph each call, so callers may add to it; use :func:`cameo_labels`
    when only code names are needed.

    Raises:
        OntologyError: a file is missing or does not parse.
    """
    graph = Graph()
    bind_prefixes(graph)
    _parse_into(graph, ONTOLOGY_FILE)
    return _parse_into(graph, CAMEO_FILE)


def load_shapes() -> Graph:
    """The SHACL shapes in a new graph, prefixes bound.

    Raises:
        OntologyError: the file is missing or does not parse.
    """
    graph = Graph()
    bind_prefixes(graph)
    return _parse_into(graph, SHAPES_FILE)


@lru_cache(maxsize=1)
def cameo_labels() -> dict[str, str]:
    """CAMEO code -> English preferred label, for every concept of the scheme.

    Cached: the scheme ships with kg and does not change while it runs. The dict
    is shared between callers, so treat it as read-only.

    Raises:
        OntologyError: ``cameo.ttl`` is missing or does not parse.
    """
    graph = _parse_into(Graph(), CAMEO_FILE)
    labels: dict[str, str] = {}
    for concept, notation in graph.subject_objects(SKOS.notation):
        if str(concept).startswith(str(CAMEO)):
            label = graph.value(concept, SKOS.prefLabel)
            labels[str(notation)] = str(label) if label is not None else str(notation)
    return dict(sorted(labels.items()))
