"""The evaluation report as text, as ``kg evaluate`` prints it.

The last line has the corpus scorer's form, so scripts that read one read both.
"""

from __future__ import annotations

import json

from kg.evaluation.gold import GoldEvent
from kg.evaluation.keys import cameo_root
from kg.evaluation.scores import EvaluationReport, Score
from kg.records import Event


def format_report(report: EvaluationReport, verbose: bool = False) -> str:
    """The report as text; the last line is ``events_f1=… entities_f1=… strict_f1=…``.

    Args:
        report: from :func:`~kg.evaluation.evaluate`.
        verbose: also list each article's misses and false alarms.
    """
    lines = [*_summary_lines(report), *_kind_lines(report), "", *_root_lines(report)]
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


def _kind_lines(report: EvaluationReport) -> list[str]:
    """Events F1 per text kind, when the gold names more than one kind."""
    by_kind: dict[str, list] = {}
    for article in report.articles:
        by_kind.setdefault(article.kind or "unknown", []).append(article)
    if len(by_kind) < 2:
        return []
    lines = ["by text kind:"]
    for kind, articles in sorted(by_kind.items()):
        events = sum((a.events for a in articles), Score(0, 0, 0))
        strict = sum((a.strict for a in articles), Score(0, 0, 0))
        lines.append(
            f"  {kind:<26} events_f1 {events.f1:.4f}  strict_f1 {strict.f1:.4f}"
            f"  ({len(articles)} texts, {events.gold} gold events)"
        )
    return lines


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
    from kg.rdf.ontology import cameo_labels

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
