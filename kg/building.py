"""``kg build``: the main job in one call — store, Turtle file and HTML view.

A new user runs ``kg build data/articles`` and gets ``kg-out/store`` (persistent
Oxigraph store), ``kg-out/graph.ttl`` and ``kg-out/graph.html``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.analysis.stats import Stats, collect_stats
from kg.errors import UsageError
from kg.exports import export
from kg.ingestion import IngestReport, OnError, Progress, ingest
from kg.store import open_store
from kg.views.graph import render_html

DEFAULT_OUT = Path("kg-out")


@dataclass(frozen=True)
class BuildReport:
    """Where the outputs are, what the ingest did and what the store now holds."""

    out: Path
    store: Path
    turtle: Path
    html: Path
    ingest: IngestReport
    stats: Stats
    seconds: float


def build(
    paths: Iterable[str | Path],
    out: str | Path = DEFAULT_OUT,
    *,
    model: str | None = None,
    on_error: OnError | None = None,
    progress: Progress | None = None,
    validate: bool = False,
    workers: int = 1,
    dask: str | None = None,
) -> BuildReport:
    """Ingest articles into ``OUT/store``, then write ``graph.ttl`` and ``graph.html``.

    Re-running adds new and changed articles to the same store; unchanged ones are
    skipped, so the outputs always show everything built so far. With
    ``validate``, an article whose graph breaks a SHACL shape is not stored (see
    :func:`kg.ingestion.ingest`). ``workers`` extraction processes, or a Dask
    cluster at ``dask`` (an address or "local"), give the same outputs as one.
    ``graph.ttl`` and ``graph.html`` are each replaced whole (:mod:`kg.files`), so
    a run that is killed or runs out of disk leaves the previous ones readable.
    """
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the outputs.")
    out.mkdir(parents=True, exist_ok=True)
    store_path, turtle, html = out / "store", out / "graph.ttl", out / "graph.html"
    with open_store(store_path) as store:
        report = ingest(
            paths,
            store,
            model=model,
            on_error=on_error,
            progress=progress,
            validate=validate,
            workers=workers,
            dask=dask,
        )
        export(store, "turtle", turtle)
        render_html(store, html, title=f"kg event graph: {out.name}")
        stats = collect_stats(store)
    return BuildReport(
        out,
        store_path,
        turtle,
        html,
        report,
        stats,
        round(time.perf_counter() - started, 2),
    )
