"""Tests of kg.evaluation: gold reading, matching rules, scores and the report.

The hand-built extractions below are scored against ``tests/data/eval/gold.jsonl``
with every expected count worked out by hand. Where the development corpus in
``../shared`` exists, the same outputs (and the real extractor's output on the dev
corpus) are also scored by the corpus's own ``score.py``, which must agree.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg.errors import InputError, KGError
from kg.evaluation import (
    EvaluationReport,
    GoldArticle,
    evaluate,
    format_report,
    load_gold,
    loose_key,
    normalise,
)
from kg.extraction.formats import jsonl_lines
from kg.records import Article, Entity, Event, Extraction

EVAL = Path(__file__).parent / "data" / "eval"
GOLD = EVAL / "gold.jsonl"
SHARED = Path(__file__).parents[2] / "shared"
SCORE_PY = SHARED / "corpus" / "score.py"
DEV = SHARED / "corpus" / "dev"
needs_shared = pytest.mark.skipif(
    not SCORE_PY.is_file(),
    reason="the development corpus (../shared/corpus) is not present",
)
LAST_LINE = re.compile(r"events_f1=\d\.\d{4} entities_f1=\d\.\d{4} strict_f1=\d\.\d{4}")

HAUGEN = Entity("Norwegian Foreign Minister Ingrid Haugen", "person", "NOR")
DAHLBERG = Entity("Lars Dahlberg", "person", "SWE")
NORWAY = Entity("Norway", "country", "NOR")
SWEDEN = Entity("Sweden", "country", "SWE")
FINLAND = Entity("Finland", "country", "FIN")
OSLO = Entity("Oslo", "location", "NOR")
KENYA = Entity("Kenya", "country", "KEN")
NAIROBI = Entity("Nairobi", "location", "KEN")
AMNESTY = Entity("Amnesty", "organization")


def _event(cameo, source, target=None, *, location=None, date=None, **kw) -> Event:
    """A hand-built event; offsets and sentence do not affect scoring."""
    return Event(
        cameo=cameo,
        trigger="t",
        source=source,
        target=target,
        location=location,
        date=date,
        sentence=kw.pop("sentence", "A sentence."),
        start=kw.pop("start", 0),
        end=10,
        confidence=0.9,
        **kw,
    )


def _extraction(article_id, events=(), entities=()) -> Extraction:
    return Extraction(Article(article_id, "text"), tuple(entities), tuple(events))


def _hand_built() -> list[Extraction]:
    """System output for the eval gold; the comments give each item's fate."""
    nordic = _extraction(
        "nordic-fisheries-talks",
        [
            # E01 swapped (symmetric), right place and date: TP lenient and strict
            _event("040", DAHLBERG, HAUGEN, location=OSLO, date="2024-05-14"),
            # E01 again via alt_sources/alt_targets: ignored lenient; no date: strict FP
            _event("042", NORWAY, SWEDEN, location=OSLO),
            # optional E02: ignored
            _event("010", Entity("Haugen", "person", "NOR")),
            # E03 by a finer code; gold date null so any date passes strict
            _event("0311", SWEDEN, NORWAY, date="2024-05-20"),
            # E04 through alt_targets
            _event("02", FINLAND, SWEDEN),
            # flagged: left out unless include_flagged, then an FP
            _event("04", FINLAND, NORWAY, modality="hypothetical"),
        ],
        [
            HAUGEN,
            Entity("Dahlberg", "person", "SWE"),
            NORWAY,
            SWEDEN,
            Entity("the Arctic", "location"),  # optional: ignored
            Entity("Fisheries Agency", "organization", "NOR"),  # FP
        ],
    )
    protesters = Entity("demonstrators", "group", "KEN")
    nairobi = _extraction(
        "nairobi-tax-protest",
        [
            # E01 via alt_source Kenya, group target by country: TP both
            _event(
                "173",
                KENYA,
                Entity("protesters", "group", "KEN"),
                location=NAIROBI,
                date="2024-06-02",
            ),
            # E02 (no gold target); place Kenya is not Nairobi: strict FP + miss
            _event("14", protesters, location=KENYA, date="2024-06-02"),
            # E04 through alt_types 10: TP both
            _event("10", AMNESTY, Entity("Kenyan government", "country", "KEN")),
            # gold E03 needs a target: FP both, E03 missed
            _event("11", Entity("Amnesty International", "organization"), start=189),
        ],
        [
            Entity("Kenya Police", "organization", "KEN"),
            NAIROBI,
            Entity("Amnesty International", "organization"),
            KENYA,
            Entity("NAIROBI", "location", "KEN"),  # same key as Nairobi: dropped
            Entity("Protesters", "group", "KEN"),  # optional: ignored
        ],
    )
    belarus = _extraction(
        "belarus-sanctions",
        [
            # E01: alt_types 17, target by alias, date in alt_dates: TP both
            _event(
                "172",
                Entity("EU", "organization"),
                Entity("Minsk", "location"),
                date="2024-07-10",
            ),
            _event("99", Entity("Belarus", "country", "BLR")),  # no CAMEO root: FP
        ],
    )
    unknown = _extraction("not-in-gold", [_event("04", NORWAY, SWEDEN)], [NORWAY])
    return [nordic, nairobi, belarus, unknown]


@pytest.fixture(scope="module")
def gold() -> dict[str, GoldArticle]:
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def report(gold) -> EvaluationReport:
    return evaluate(gold, _hand_built())


@pytest.fixture(scope="module")
def pipeline_extractions(nlp) -> list[Extraction]:
    """The real extractor's output on the evaluation articles."""
    from kg.extraction import extract
    from kg.read import iter_articles

    return list(extract(iter_articles([EVAL / "articles"]), nlp))


def _run_score_py(
    gold: Path, extractions, tmp_path: Path, include_flagged: bool = False
) -> tuple[str, dict]:
    """score.py's last line and JSON metrics for the output ``kg extract`` prints."""
    system, metrics = tmp_path / "system.jsonl", tmp_path / "metrics.json"
    with system.open("w", encoding="utf-8") as handle:
        for extraction in extractions:
            for line in jsonl_lines(extraction, include_flagged):
                handle.write(line + "\n")
    command = [sys.executable, str(SCORE_PY), str(gold), str(system)]
    result = subprocess.run(
        [*command, "--json", str(metrics)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1], json.loads(metrics.read_text())


def _assert_agrees(report: EvaluationReport, last_line: str, scored: dict) -> None:
    """Our report and score.py's metrics give the same counts, F1s and errors."""
    assert format_report(report, verbose=False).splitlines()[-1] == last_line
    for label, ours in (
        ("entities", report.entities),
        ("events_lenient", report.events),
        ("events_strict", report.strict),
    ):
        theirs = scored[label]
        assert (ours.tp, ours.fp, ours.gold) == (
            theirs["tp"],
            theirs["fp"],
            theirs["gold"],
        ), label
        assert round(ours.f1, 4) == round(theirs["f1"], 4), label
    assert (
        report.ignored_events
        == scored["events_lenient"]["ignored_optional_or_duplicate"]
    )
    assert report.ignored_entities == scored["entities"]["ignored_optional"]
    theirs_roots = {
        r: (c["gold"], c["system"], c["tp_gold"], c["tp_system"])
        for r, c in scored["per_root"].items()
        if c["gold"] or c["system"]
    }
    ours_roots = {
        r.root: (r.gold, r.system, r.tp_gold, r.tp_system) for r in report.per_root
    }
    assert ours_roots == theirs_roots
    assert _our_details(report) == _their_details(scored)


def _our_details(report: EvaluationReport) -> dict[str, tuple]:
    return {
        a.article: (
            sorted(g.id for g in a.missed_events),
            sorted(g.id for g in a.strict_misses),
            sorted(g.canonical for g in a.missed_entities),
            sorted(e.name for e in a.false_entities),
            sorted(
                (e.cameo[:2], e.source.name, e.target.name if e.target else None)
                for e in a.false_events
            ),
        )
        for a in report.articles
    }


def _their_details(scored: dict) -> dict[str, tuple]:
    return {
        aid: (
            sorted(m[0] for m in d["missed_events"]),
            sorted(d["strict_misses"]),
            sorted(d["missed_entities"]),
            sorted(d["false_entities"]),
            sorted((f[0], f[1], f[2]) for f in d["false_events"]),
        )
        for aid, d in scored["details"].items()
    }


# --------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("name", "primary", "loose"),
    [
        ("the Taliban's", "taliban", "taliban"),
        ("Recep Tayyip Erdoğan", "recep tayyip erdogan", "recep tayyip erdogan"),
        (
            "German Chancellor ANGELA MERKEL",
            "german chancellor angela merkel",
            "angela merkel",
        ),
        ("U.S.", "u s", "s"),
        ("President", "president", "president"),
    ],
)
def test_evaluation_name_keys(name, primary, loose):
    assert (normalise(name), loose_key(name)) == (primary, loose)


# --------------------------------------------------------------------- gold
def test_evaluation_load_gold_reads_every_field(gold):
    assert sorted(gold) == [
        "belarus-sanctions",
        "nairobi-tax-protest",
        "nordic-fisheries-talks",
    ]
    talks = gold["nordic-fisheries-talks"].events[0]
    assert (talks.id, talks.root, talks.symmetric, talks.joint) == (
        "nft-E01",
        "04",
        True,
        True,
    )
    assert [a.name for a in talks.sources] == ["Ingrid Haugen", "Norway"]
    assert gold["belarus-sanctions"].events[0].roots == {"16", "17"}
    assert gold["belarus-sanctions"].entities[-1].optional


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ('{"id": "a", "entities": [], "events": []}\n{"id": "b",', 2, "not valid JSON"),
        ('{"id": "a", "entities": []}', 1, "has no 'events' list"),
        ('["a"]', 1, "no article 'id'"),
        (
            '{"id": "a", "entities": [{"kind": "person"}], "events": []}',
            1,
            "entity 1 has no 'name'",
        ),
        (
            '{"id": "a", "entities": [], "events": [{"id": "E1", "type": "04"}]}',
            1,
            "event 'E1' has no 'source'",
        ),
        (
            '{"id": "a", "entities": [], "events": [{"id": "E1", "type": "99",'
            ' "source": {"name": "X"}}]}',
            1,
            "type '99' is not a CAMEO code",
        ),
        (
            '\n{"id": "7", "entities": [], "events": []}\n'
            '{"id": "007", "entities": [], "events": []}',
            3,
            "article '007' appears twice",
        ),
    ],
)
def test_evaluation_load_gold_names_file_and_line(tmp_path, content, line, problem):
    path = tmp_path / "gold.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_gold(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize("name", ["missing.jsonl"])
def test_evaluation_load_gold_missing_file(tmp_path, name):
    with pytest.raises(InputError, match="cannot read the gold file"):
        load_gold(tmp_path / name)


# --------------------------------------------------------------------- scores
@pytest.mark.parametrize(
    ("attr", "tp", "fp", "gold_n", "precision", "recall", "f1"),
    [
        ("events", 7, 2, 10, 7 / 9, 7 / 10, 14 / 19),
        ("strict", 6, 4, 10, 0.6, 0.6, 0.6),
        ("entities", 8, 1, 13, 8 / 9, 8 / 13, 16 / 22),
    ],
)
def test_evaluation_scores_hand_built(
    report, attr, tp, fp, gold_n, precision, recall, f1
):
    score = getattr(report, attr)
    assert (score.tp, score.fp, score.gold) == (tp, fp, gold_n)
    assert score.precision == pytest.approx(precision)
    assert score.recall == pytest.approx(recall)
    assert score.f1 == pytest.approx(f1)


def test_evaluation_bookkeeping_hand_built(report):
    assert (report.ignored_events, report.ignored_entities) == (2, 2)
    assert (report.flagged, report.invalid_roots) == (1, 1)
    assert report.unknown_articles == ("not-in-gold",)
    assert not report.entities_derived
    geo = report.geocoding
    assert (geo.checked, geo.country_right, geo.place_right) == (3, 3, 2)


def test_evaluation_per_root_hand_built(report):
    rows = {r.root: (r.gold, r.system, r.tp_gold, r.tp_system) for r in report.per_root}
    assert rows == {
        "02": (2, 1, 2, 1),
        "03": (1, 1, 1, 1),
        "04": (1, 1, 1, 1),
        "05": (1, 0, 0, 0),
        "10": (0, 1, 0, 1),
        "11": (1, 1, 0, 0),
        "12": (1, 0, 0, 0),
        "14": (1, 1, 1, 1),
        "16": (1, 0, 1, 0),
        "17": (1, 2, 1, 2),
    }
    sixteen = next(r for r in report.per_root if r.root == "16")
    assert (sixteen.precision, sixteen.recall, sixteen.f1) == (0.0, 1.0, 0.0)


@pytest.mark.parametrize(("include_flagged", "fp", "flagged"), [(True, 3, 0)])
def test_evaluation_include_flagged_scores_them(gold, include_flagged, fp, flagged):
    report = evaluate(gold, _hand_built(), include_flagged=include_flagged)
    assert (report.events.tp, report.events.fp, report.flagged) == (7, fp, flagged)


@pytest.mark.parametrize("article", ["nordic-fisheries-talks"])
def test_evaluation_entities_derived_from_events(gold, article):
    """With no entity list anywhere, an article's entities are its events' actors."""
    extraction = replace(_hand_built()[0], entities=())
    report = evaluate({article: gold[article]}, [extraction])
    assert report.entities_derived
    # Haugen appears under two keys (full title and "Haugen"): one TP, one FP
    assert (report.entities.tp, report.entities.fp, report.entities.gold) == (6, 1, 6)


@pytest.mark.parametrize("ids", [("2", "002.txt")])
def test_evaluation_article_ids_compare_like_the_corpus(ids):
    gold_id, system_id = ids
    gold = {gold_id: GoldArticle(gold_id)}
    report = evaluate(gold, [_extraction(system_id, entities=[NORWAY])])
    assert report.unknown_articles == ()
    assert [a.article for a in report.articles] == ["002"]
    assert "geocoding: no matched event has a gold place" in format_report(report)
    assert (report.entities.fp, report.entities.gold) == (1, 0)


# --------------------------------------------------------------------- report
def test_evaluation_format_report_lists_errors(report):
    text = format_report(report, verbose=True)
    assert text.splitlines()[-1] == (
        "events_f1=0.7368 entities_f1=0.7273 strict_f1=0.6000"
    )
    assert "16   Reduce relations" in text
    assert "geocoding on 3 matched events with a gold place: country 1.0000, " in text
    for line in (
        "[nairobi-tax-protest]",
        "  missed event   ntp-E03 11 Amnesty International -> Kenyan police: "
        '"Amnesty International condemned the arrests and called on t…"',
        '  false event    11 Amnesty International -> - @189: "A sentence."',
        "  strict miss    ntp-E02 14 protesters -> -: "
        '"Thousands of protesters had marched through Nairobi on Sund…"',
        "  missed entity  Finland",
        "  false entity   Fisheries Agency",
    ):
        assert line in text.splitlines()


def test_evaluation_format_report_quiet_has_no_errors(report):
    text = format_report(report, verbose=False)
    assert "missed event" not in text
    assert LAST_LINE.fullmatch(text.splitlines()[-1])


@needs_shared
@pytest.mark.parametrize("include_flagged", [False, True])
def test_evaluation_hand_built_agrees_with_score_py(gold, include_flagged, tmp_path):
    report = evaluate(gold, _hand_built(), include_flagged=include_flagged)
    last_line, scored = _run_score_py(GOLD, _hand_built(), tmp_path, include_flagged)
    _assert_agrees(report, last_line, scored)


# --------------------------------------------------------------------- end to end
def test_evaluation_pipeline_report_structure(gold, pipeline_extractions):
    report = evaluate(gold, pipeline_extractions)
    assert [a.article for a in report.articles] == sorted(gold)
    assert (report.events.gold, report.strict.gold, report.entities.gold) == (
        10,
        10,
        13,
    )
    scored_events = sum(
        e.modality == "asserted" for x in pipeline_extractions for e in x.events
    )
    assert report.events.tp + report.events.fp + report.ignored_events == scored_events
    assert report.strict.tp <= report.events.tp
    assert 0.0 <= report.geocoding.place_accuracy <= report.geocoding.country_accuracy
    assert LAST_LINE.fullmatch(format_report(report, verbose=True).splitlines()[-1])


@needs_shared
def test_evaluation_pipeline_agrees_with_score_py(gold, pipeline_extractions, tmp_path):
    report = evaluate(gold, pipeline_extractions)
    last_line, scored = _run_score_py(GOLD, pipeline_extractions, tmp_path)
    _assert_agrees(report, last_line, scored)


@needs_shared
def test_evaluation_dev_corpus_agrees_with_score_py(nlp, tmp_path):
    from kg.extraction import extract
    from kg.read import iter_articles

    extractions = list(extract(iter_articles([DEV / "articles"]), nlp))
    gold_path = DEV / "gold.jsonl"
    report = evaluate(load_gold(gold_path), extractions)
    last_line, scored = _run_score_py(gold_path, extractions, tmp_path)
    _assert_agrees(report, last_line, scored)


# --- no article in common --------------------------------------------------------


@pytest.mark.parametrize("read", [["unrelated-story"], ["other-a", "other-b"], []])
def test_evaluate_refuses_when_no_article_is_in_the_gold(read):
    extractions = [_extraction(key, entities=[NORWAY]) for key in read]
    with pytest.raises(KGError, match="^no article in common between the gold") as err:
        evaluate(load_gold(GOLD), extractions, require_common=True)
    assert err.value.exit_code == 1
    assert "\n" not in str(err.value)
    # without the flag (the trainer's folds), the same input is scored as before
    assert evaluate(load_gold(GOLD), extractions).unknown_articles == tuple(read)


def test_evaluate_scores_as_before_when_one_article_is_in_common():
    extractions = [
        _extraction("unrelated-story", entities=[NORWAY]),
        _extraction("nordic-fisheries-talks", entities=[HAUGEN, NORWAY]),
    ]
    report = evaluate(load_gold(GOLD), extractions, require_common=True)
    assert report.unknown_articles == ("unrelated-story",)


def test_kg_evaluate_on_articles_outside_the_gold_fails_in_one_line():
    from helpers.clirunner import run_kg

    articles = Path(__file__).parents[1] / "data" / "articles"
    ran = run_kg("evaluate", str(GOLD), str(articles))
    lines = ran.stderr.decode().splitlines()
    assert ran.returncode == 1
    assert ran.stdout == b""  # no report of zeros
    assert len(lines) == 1 and b"Traceback" not in ran.stderr
    assert lines[0].startswith("kg: error: no article in common between the gold (3:")
    assert "11 article(s) read" in lines[0]
