"""The store's history: every run that changes it is recorded in PROV-O.

Each run (``kg ingest``, ``kg build``, ``kg remove``) is a ``kg:IngestRun`` described
in its own named graph, named by the run's IRI and kept out of the union default
graph, so article graphs stay replaceable while the history is never rewritten::

    GRAPH kgr:run/20261126T101500.123456Z {
      kgr:run/20261126T101500.123456Z a kg:IngestRun , prov:Activity ;
          rdfs:label "kg ingest" ;
          prov:startedAtTime "2026-11-26T10:15:00.123456Z"^^xsd:dateTime ;
          prov:endedAtTime "2026-11-26T10:15:09.5Z"^^xsd:dateTime ;
          prov:wasAssociatedWith kgr:agent/kg/0.1.0 ;
          kg:extractorVersion "0.1.0" ; kg:model "en_core_web_sm 3.8.0" ;
          kg:coderVersion "3fa2b1c4d5e6" ;
          kg:added kgr:article/a ; kg:replaced kgr:article/b ;
          kg:revision <kgr:run/20261126T101500.123456Z/revision/b> ;
          kg:addedCount 1 ; kg:replacedCount 1 ; kg:removedCount 0 ;
          kg:unchangedCount 3 ; kg:failedCount 0 .
      <.../revision/b> a kg:Revision ; kg:revisedArticle kgr:article/b ;
          kg:previousHash "<old sha256>" ; kg:contentHash "<new sha256>" .
      kgr:agent/kg/0.1.0 a prov:SoftwareAgent ; rdfs:label "kg 0.1.0" .
    }

and every article graph a run writes says ``kgr:article/a prov:wasGeneratedBy <run>``.

Every run is recorded, including one that changed nothing: the history then says
when the store was last checked against its sources and with which model, and a
run whose every input failed is visible rather than silent. A short record is
written when a run starts and the full one when it ends (also when it stops on an
error), so a killed run still shows in ``kg history``, as unfinished.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg import __version__
from kg.errors import KGError, StoreError, UsageError
from kg.rdf.iris import agent_iri, article_id, article_iri, revision_iri, run_iri
from kg.rdf.namespaces import KG, bind_prefixes
from kg.store.base import Store

logger = logging.getLogger(__name__)

HISTORY_FORMATS = ("table", "json")
#: Article ids listed per kind in a history table row before "... and N more".
_SHOWN_IDS = 5
#: What a missing value reads as (rdflib wants a term as the default).
_EMPTY = Literal("")


@dataclass(frozen=True)
class Revision:
    """One article graph a run replaced because the article's content changed."""

    article: str
    previous_hash: str
    content_hash: str


@dataclass(frozen=True)
class Run:
    """One recorded run, as ``kg history`` shows it.

    Attributes:
        iri: the run's IRI, also the name of the graph that describes it.
        command: "ingest", "remove" or "import-gdelt".
        started, ended: UTC times; ``ended`` is None for a run that was killed.
        extractor_version, model: kg version and spaCy pipeline (None for remove).
        added, replaced, removed: article ids, and hashes for the replaced ones.
        unchanged, failed: articles left as they were, inputs not stored.
        error: why the run stopped early, if it did.
        coder_version: version of the trained event coder the run extracted
            with (None for runs that did not extract, and older records).
    """

    iri: URIRef
    command: str
    started: datetime
    ended: datetime | None
    extractor_version: str
    model: str | None = None
    added: tuple[str, ...] = ()
    replaced: tuple[Revision, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: int = 0
    error: str | None = None
    coder_version: str | None = None

    @property
    def status(self) -> str:
        """One of finished, stopped (by an error) or unfinished (killed)."""
        if self.ended is None:
            return "unfinished"
        return "stopped" if self.error else "finished"


@dataclass
class RunLog:
    """What a run in progress has done so far; the ingest and remove loops fill it.

    ``reextracted`` counts the replaced articles whose text was unchanged but
    whose stored extractor or coder version was not the running one.
    """

    iri: URIRef
    command: str
    started: datetime
    model: str | None = None
    coder_version: str | None = None
    added: list[str] = field(default_factory=list)
    replaced: list[Revision] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    reextracted: int = 0

    def note(
        self,
        status: str,
        article_id: str,
        previous_hash: str | None = None,
        content_hash: str = "",
    ) -> None:
        """Note one store write by its outcome, so every writer records runs alike.

        Args:
            status: what ``Store.put_article`` answered: "added", "replaced" or
                "unchanged" (anything else, e.g. "failed", is counted elsewhere).
            article_id: the article's id as ``kg history`` shows it.
            previous_hash: the content hash stored before a replacement.
            content_hash: the content hash stored now.
        """
        if status == "added":
            self.added.append(article_id)
        elif status == "replaced":
            revision = Revision(article_id, previous_hash or "", content_hash)
            self.replaced.append(revision)
        elif status == "unchanged":
            self.unchanged += 1

    def snapshot(self, ended: datetime | None = None, error: str | None = None) -> Run:
        """The run as recorded so far, frozen."""
        return Run(
            self.iri,
            self.command,
            self.started,
            ended,
            __version__,
            self.model,
            tuple(self.added),
            tuple(self.replaced),
            tuple(self.removed),
            self.unchanged,
            self.failed,
            error,
            self.coder_version,
        )


@contextmanager
def recording(
    store: Store,
    command: str,
    *,
    model: str | None = None,
    coder_version: str | None = None,
) -> Iterator[RunLog]:
    """Record a run in ``store``: a short record now, the full one at the end.

    Args:
        store: the store the run changes.
        command: "ingest", "remove" or "import-gdelt", shown by ``kg history``.
        model: the spaCy pipeline label, for runs that extract.
        coder_version: the trained event coder's version, for runs that extract.

    Yields:
        The :class:`RunLog` to fill in while the run works.
    """
    started = _now()
    iri = run_iri(_stamp(started))
    while iri in set(store.runs()):  # two runs in one microsecond: keep both
        started += timedelta(microseconds=1)
        iri = run_iri(_stamp(started))
    log = RunLog(iri, command, started, model, coder_version)
    store.put_run(iri, run_graph(log.snapshot()))
    try:
        yield log
    except BaseException as exc:
        _record_stop(store, log, exc)
        raise
    store.put_run(iri, run_graph(log.snapshot(ended=_now())))
    logger.debug("recorded run %s", iri)


def _record_stop(store: Store, log: RunLog, exc: BaseException) -> None:
    """Record a run that stopped on an error; never mask that error."""
    reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    try:
        store.put_run(log.iri, run_graph(log.snapshot(_now(), reason)))
    except KGError as err:
        logger.warning("could not record the end of run %s: %s", log.iri, err)


def run_graph(run: Run) -> Graph:
    """The PROV-O description of a run: the contents of its named graph."""
    graph = Graph()
    bind_prefixes(graph)
    node, agent = run.iri, agent_iri(run.extractor_version)
    for p, o in (
        (RDF.type, KG.IngestRun),
        (RDF.type, PROV.Activity),
        (RDFS.label, Literal(f"kg {run.command}")),
        (PROV.startedAtTime, _datetime(run.started)),
        (PROV.wasAssociatedWith, agent),
        (KG.extractorVersion, Literal(run.extractor_version)),
    ):
        graph.add((node, p, o))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(f"kg {run.extractor_version}")))
    if run.model:
        graph.add((node, KG.model, Literal(run.model)))
    if run.coder_version:
        graph.add((node, KG.coderVersion, Literal(run.coder_version)))
    if run.ended is not None:
        graph.add((node, PROV.endedAtTime, _datetime(run.ended)))
        _add_outcome(graph, run)
    if run.error:
        graph.add((node, RDFS.comment, Literal(f"stopped early: {run.error}")))
    return graph


def _add_outcome(graph: Graph, run: Run) -> None:
    """Which articles the run added, replaced and removed, and the counts."""
    node = run.iri
    for prop, ids in ((KG.added, run.added), (KG.removed, run.removed)):
        for aid in ids:
            graph.add((node, prop, article_iri(aid)))
    for revision in run.replaced:
        _add_revision(graph, node, revision)
    for prop, count in (
        (KG.addedCount, len(run.added)),
        (KG.replacedCount, len(run.replaced)),
        (KG.removedCount, len(run.removed)),
        (KG.unchangedCount, run.unchanged),
        (KG.failedCount, run.failed),
    ):
        graph.add((node, prop, Literal(count, datatype=XSD.integer)))


def _add_revision(graph: Graph, run: URIRef, revision: Revision) -> None:
    node, article = revision_iri(run, revision.article), article_iri(revision.article)
    graph.add((run, KG.replaced, article))
    graph.add((run, KG.revision, node))
    graph.add((node, RDF.type, KG.Revision))
    graph.add((node, KG.revisedArticle, article))
    graph.add((node, KG.previousHash, Literal(revision.previous_hash)))
    graph.add((node, KG.contentHash, Literal(revision.content_hash)))


def read_runs(store: Store, limit: int | None = None) -> list[Run]:
    """Recorded runs, newest first.

    Args:
        store: an open store.
        limit: at most this many runs (the newest); None for all.
    """
    runs = sorted(
        (read_run(store, iri) for iri in store.runs()),
        key=lambda run: run.started,
        reverse=True,
    )
    return runs if limit is None else runs[:limit]


def read_run(store: Store, iri: URIRef) -> Run:
    """One run, read back from its named graph."""
    graph = store.read_graph(iri)
    ended = graph.value(iri, PROV.endedAtTime)
    comment = graph.value(iri, RDFS.comment)
    return Run(
        iri,
        str(graph.value(iri, RDFS.label, default=Literal("kg ?"))).removeprefix("kg "),
        _utc(graph.value(iri, PROV.startedAtTime)),
        None if ended is None else _utc(ended),
        str(graph.value(iri, KG.extractorVersion, default=_EMPTY)),
        _str_or_none(graph.value(iri, KG.model)),
        _ids(graph, iri, KG.added),
        _revisions(graph, iri),
        _ids(graph, iri, KG.removed),
        _count(graph, iri, KG.unchangedCount),
        _count(graph, iri, KG.failedCount),
        str(comment).removeprefix("stopped early: ") if comment else None,
        _str_or_none(graph.value(iri, KG.coderVersion)),
    )


def _ids(graph: Graph, run: URIRef, prop: URIRef) -> tuple[str, ...]:
    return tuple(sorted(article_id(str(a)) or str(a) for a in graph.objects(run, prop)))


def _revisions(graph: Graph, run: URIRef) -> tuple[Revision, ...]:
    found = (
        Revision(
            article_id(str(graph.value(node, KG.revisedArticle))) or "",
            str(graph.value(node, KG.previousHash, default=_EMPTY)),
            str(graph.value(node, KG.contentHash, default=_EMPTY)),
        )
        for node in graph.objects(run, KG.revision)
    )
    return tuple(sorted(found, key=lambda r: r.article))


def _count(graph: Graph, run: URIRef, prop: URIRef) -> int:
    value = graph.value(run, prop)
    return int(str(value)) if value is not None else 0


def format_history(runs: list[Run], fmt: str = "table") -> str:
    """``kg history`` output: a table for reading, or JSON for scripts.

    Raises:
        UsageError: ``fmt`` is not "table" or "json".
    """
    if fmt == "json":
        return json.dumps([run_to_json(r) for r in runs], indent=2)
    if fmt != "table":
        raise UsageError(
            f"Unknown history format {fmt!r}: use one of {', '.join(HISTORY_FORMATS)}."
        )
    if not runs:
        return "No runs recorded in this store yet."
    header = f"{'started (UTC)':<19}  {'command':<7}  {'status':<10}  "
    header += "added  replaced  removed  unchanged  failed  extractor / model"
    return "\n".join([header, *(line for r in runs for line in _table_lines(r))])


def _table_lines(run: Run) -> list[str]:
    """One summary row, then one indented line per kind of change."""
    coder = f"coder {run.coder_version}" if run.coder_version else None
    version = " / ".join(x for x in (run.extractor_version, run.model, coder) if x)
    lines = [
        f"{run.started:%Y-%m-%d %H:%M:%S}  {run.command:<7}  {run.status:<10}  "
        f"{len(run.added):>5}  {len(run.replaced):>8}  {len(run.removed):>7}  "
        f"{run.unchanged:>9}  {run.failed:>6}  {version}"
    ]
    replaced = [
        f"{r.article} ({r.previous_hash[:8]} -> {r.content_hash[:8]})"
        for r in run.replaced
    ]
    for label, items in (
        ("added", list(run.added)),
        ("replaced", replaced),
        ("removed", list(run.removed)),
    ):
        if items:
            lines.append(f"    {label}: {_some(items)}")
    if run.error:
        lines.append(f"    stopped early: {run.error}")
    return lines


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN_IDS])
    more = len(items) - _SHOWN_IDS
    return shown + (f" ... and {more} more" if more > 0 else "")


def run_to_json(run: Run) -> dict[str, object]:
    """A run as plain JSON values (ISO times, lists of article ids)."""
    return {
        "run": str(run.iri),
        "command": run.command,
        "status": run.status,
        "started": run.started.isoformat(),
        "ended": run.ended.isoformat() if run.ended else None,
        "extractor_version": run.extractor_version,
        "model": run.model,
        "coder_version": run.coder_version,
        "added": list(run.added),
        "replaced": [
            {
                "article": r.article,
                "previous_hash": r.previous_hash,
                "content_hash": r.content_hash,
            }
            for r in run.replaced
        ],
        "removed": list(run.removed),
        "unchanged": run.unchanged,
        "failed": run.failed,
        "error": run.error,
    }


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    """ISO 8601 basic format to the microsecond: sortable, and no ':' in the IRI."""
    return moment.strftime("%Y%m%dT%H%M%S.%fZ")


def _datetime(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _utc(value: object) -> datetime:
    """A stored xsd:dateTime as an aware UTC datetime."""
    moment = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(moment, datetime):
        raise StoreError(
            f"A run record holds {value!r} where a time was expected; the run graph "
            "was edited by hand. Drop that graph or fix its prov:startedAtTime."
        )
    return moment.astimezone(timezone.utc)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = [
    "HISTORY_FORMATS",
    "Revision",
    "Run",
    "RunLog",
    "format_history",
    "read_run",
    "read_runs",
    "recording",
    "run_graph",
    "run_to_json",
]
