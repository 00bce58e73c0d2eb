"""kg: news articles in, an RDF knowledge graph of CAMEO-coded events out.

The Python API mirrors the command line::

    from kg import build, extract, iter_articles, open_store, run_query

Names are imported on first use (PEP 562), so ``import kg`` stays cheap and the
CLI starts without loading spaCy until a command needs it.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("kg-events")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

_EXPORTS: dict[str, str] = {
    "Article": "kg.records",
    "Entity": "kg.records",
    "Event": "kg.records",
    "Extraction": "kg.records",
    "KGError": "kg.errors",
    "iter_articles": "kg.read",
    "build_pipeline": "kg.extraction.pipeline",
    "extract": "kg.extraction",
    "extraction_to_graph": "kg.rdf.mapping",
    "open_store": "kg.store",
    "ingest": "kg.ingestion",
    "build": "kg.building",
    "run_query": "kg.query",
    "export": "kg.exports",
    "render_html": "kg.views.graph",
    "collect_stats": "kg.analysis.stats",
    "validate_graph": "kg.rdf.validate",
    "evaluate": "kg.evaluation",
    "load_gold": "kg.evaluation",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
