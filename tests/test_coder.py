"""The trained event coder: its files, its events, and `kg train` on a small corpus.

The corpus here is written for the project (sentences built from templates), not
taken from ../shared/corpus; it is small, so training on it checks the mechanics
(reproducible files, cross-validation, errors), not the quality.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.clirunner import run_kg

from kg.errors import InputError, ModelError
from kg.extraction import extract
from kg.extraction.coder import BUNDLED_DIR, coder_version, load_coder
from kg.extraction.coder.trainer import cross_validate_folder, train
from kg.records import Article

PAIRS = [
    ("France", "FRA", "Germany", "DEU"),
    ("Japan", "JPN", "China", "CHN"),
    ("Brazil", "BRA", "Argentina", "ARG"),
    ("Kenya", "KEN", "Uganda", "UGA"),
    ("India", "IND", "Pakistan", "PAK"),
    ("Canada", "CAN", "Mexico", "MEX"),
    ("Egypt", "EGY", "Ethiopia", "ETH"),
    ("Poland", "POL", "Belarus", "BLR"),
    ("Chile", "CHL", "Peru", "PER"),
    ("Greece", "GRC", "Turkey", "TUR"),
]
TEMPLATES = [
    ("{a} condemned {b} on Monday for the border incident.", "condemned", "11"),
    ("{b} expelled two diplomats from {a} on Tuesday.", "expelled", "16"),
    ("Officials from {a} met their counterparts from {b} in Geneva.", "met", "04"),
    ("The weather in the region stayed mild all week.", None, None),
]


def _actor(name: str, iso3: str) -> dict:
    return {"name": name, "canonical": name, "kind": "country", "country": iso3}


def write_corpus(folder: Path, pairs: list[tuple[str, str, str, str]]) -> Path:
    """A training folder: one article per pair, its gold in gold.jsonl."""
    (folder / "articles").mkdir(parents=True)
    lines = []
    for n, (a, a3, b, b3) in enumerate(pairs):
        sentences, events = [], []
        for template, trigger, root in TEMPLATES:
            sentence = template.format(a=a, b=b)
            sentences.append(sentence)
            if trigger is None:
                continue
            source, target = ((b, b3), (a, a3)) if root == "16" else ((a, a3), (b, b3))
            events.append(
                {
                    "id": f"t{n:02d}-E{len(events) + 1}",
                    "type": root,
                    "trigger": trigger,
                    "source": _actor(*source),
                    "target": _actor(*target),
                    "location": None,
                    "date": None,
                    "sentence": sentence,
                }
            )
        aid = f"t{n:02d}"
        body = "\n\n".join(sentences)
        (folder / "articles" / f"{aid}.txt").write_text(
            f'---\nid: "{aid}"\ntitle: "Test {aid}"\ndate: 2024-05-17\n---\n{body}\n',
            encoding="utf-8",
        )
        gold = {
            "id": aid,
            "text_kind": "project",
            "entities": [_actor(a, a3), _actor(b, b3)],
            "events": events,
        }
        lines.append(json.dumps(gold))
    (folder / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "train", PAIRS)


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "coder"
    return train(corpus, out, folds=2, seed=7), out


# --- the bundled files ------------------------------------------------------------


def test_coder_bundled_model_loads_with_a_stable_version():
    coder = load_coder()
    assert coder.folder == str(BUNDLED_DIR)
    assert len(coder.version) == 12 and coder.version == coder_version()
    assert coder.weights and coder.lexicon and 0 < coder.threshold < 1
    size = sum(p.stat().st_size for p in BUNDLED_DIR.iterdir())
    assert size < 50 * 2**20


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda d: (d / "model.json").unlink(), "model.json is missing"),
        (lambda d: (d / "lexicon.json").write_text("{", "utf-8"), "cannot be read"),
        (lambda d: (d / "model.json").write_text("[]", "utf-8"), "not hold a JSON"),
        (
            lambda d: (d / "model.json").write_text('{"format": 99}', "utf-8"),
            "not a kg model",
        ),
    ],
)
def test_coder_damaged_folder_says_how_to_rebuild(tmp_path, damage, problem):
    folder = tmp_path / "coder"
    shutil.copytree(BUNDLED_DIR, folder)
    damage(folder)
    with pytest.raises(ModelError) as err:
        load_coder(folder)
    message = str(err.value)
    assert problem in message and "kg train" in message and "\n" not in message


def test_coder_missing_folder_is_one_line(tmp_path):
    with pytest.raises(ModelError, match=r"does not exist; rebuild it with `kg train"):
        load_coder(tmp_path / "nowhere")


# --- what the bundled coder finds -------------------------------------------------


def _events(nlp, text: str) -> list:
    article = Article(id="x", text=text, title="", date=None)
    (extraction,) = list(extract([article], nlp))
    return [e for e in extraction.events if e.modality == "asserted"]


def test_coder_finds_an_expulsion_with_its_source_and_target(nlp):
    events = _events(nlp, "Russia expelled two British diplomats on Monday.")
    assert any(
        e.root == "16"
        and e.source.country == "RUS"
        and e.target
        and e.target.country == "GBR"
        for e in events
    ), events
    assert all(0.0 <= e.confidence <= 1.0 for e in events)


def test_coder_codes_a_generic_group_with_its_state(nlp):
    text = "Police in Nairobi fired tear gas at protesters on Tuesday."
    sources = {(e.source.kind, e.source.country) for e in _events(nlp, text)}
    assert ("group", "KEN") in sources


def test_coder_leaves_a_sentence_without_an_event_alone(nlp):
    assert _events(nlp, "The weather in Paris stayed mild and sunny all week.") == []


# --- kg train -------------------------------------------------------------------


def test_coder_train_writes_files_that_load_and_report(trained):
    report, out = trained
    coder = load_coder(out)
    assert coder.version == report.version
    assert report.texts == len(PAIRS) and report.events == 3 * len(PAIRS)
    assert len(report.cv.fold_f1) == 2
    assert {"condemn", "expel", "meet"} <= set(coder.lexicon)


def test_coder_train_is_reproducible(corpus, trained, tmp_path):
    _, first = trained
    again = tmp_path / "again"
    train(corpus, again, folds=2, seed=7)
    for name in ("model.json", "lexicon.json"):
        assert (again / name).read_bytes() == (first / name).read_bytes()


def test_coder_train_writes_a_ranking_model_that_loads(trained):
    report, out = trained
    body = json.loads((out / "model.json").read_text("utf-8"))
    assert body["ranking"], "kg train wrote no ranking weights"
    assert load_coder(out).rank_weights == pytest.approx(body["ranking"])


def test_coder_ranker_prefers_what_set_right_readings_apart():
    """Each trigger's right reading has the object as target, its wrong ones
    the subject; the ranker learns that, whatever else the readings share."""
    from kg.extraction.coder.training import fit_ranker

    groups = [
        [
            (["r=16", "tpath=>dobj", f"lem=word{n}"], 1),
            (["r=16", "tpath=>nsubj", f"lem=word{n}"], 0),
            (["r=16", "tnone", f"lem=word{n}"], 0),
        ]
        for n in range(30)
    ]
    weights = fit_ranker(groups, c=1.0)
    assert weights["tpath=>dobj"] > 0 > weights["tpath=>nsubj"]
    assert "r=16" not in weights  # shared by every reading: says nothing


def test_coder_ranker_chooses_the_reading_a_model_with_only_detection_would_not(
    nlp,
):
    """With ranking weights that favour a target after "against", the chosen
    reading of a trigger follows them, while the decision to keep the trigger
    still comes from the detection weights."""
    from dataclasses import replace

    from kg.extraction.actors import DocActors
    from kg.extraction.coder import selection
    from kg.extraction.coder.candidates import candidate_groups
    from kg.extraction.events import EventFinder, find_triggers
    from kg.extraction.pipeline import TRIGGERS_KEY

    coder = nlp.get_pipe("kg_events").coder
    doc = nlp("Brazil protested against Argentina over the border closure.")
    actors = DocActors.load(doc)
    triggers = find_triggers(doc, actors, TRIGGERS_KEY)
    finder = EventFinder(doc, actors, None)
    list(finder.events(triggers))
    groups = [
        g
        for g in candidate_groups(doc, actors, finder, triggers, coder)
        if g.trigger.head.lower_ == "protested"
    ]
    assert groups
    group = groups[0]
    names = {a: finder.actors.clusters[a].name for a in group.actors if a >= 0}
    plain, _ = selection.best_choices(group, replace(coder, rank_weights={}))
    # made-up ranking weights: a source after the trigger, and no target
    # (a replaced model starts with empty part caches: none of the old sums leak)
    ranker = replace(coder, rank_weights={"sside=after": 5.0, "tnone": 5.0})
    ranked, _ = selection.best_choices(group, ranker)
    assert plain is not None and ranked is not None
    assert ranked.raw == pytest.approx(plain.raw)  # detection is unchanged
    assert names.get(ranked.source) == "Argentina" and ranked.target is None
    assert (plain.source, plain.target) != (ranked.source, ranked.target)


def test_coder_rule_readings_alone_match_those_of_the_rule_events(nlp):
    """With a coder, the rule finder only records its readings; they are the
    ones it records while building its own events."""
    from kg.extraction.actors import DocActors
    from kg.extraction.events import EventFinder, find_triggers
    from kg.extraction.pipeline import TRIGGERS_KEY

    doc = nlp(
        "Chile expelled two Peruvian diplomats on Monday. Peru condemned the "
        "expulsion and recalled its ambassador from Santiago. They met the "
        "Bolivian foreign minister a day later."
    )

    def readings(build_events: bool) -> dict:
        actors = DocActors.load(doc)
        triggers = find_triggers(doc, actors, TRIGGERS_KEY)
        finder = EventFinder(doc, actors, None)
        if build_events:
            events = list(finder.events(triggers))
            assert len(events) == sum(len(r) for r in finder.chosen.values())
        else:
            finder.find_readings(triggers)
        return finder.chosen

    chosen = readings(build_events=False)
    assert chosen == readings(build_events=True)
    assert {root for found in chosen.values() for root, _, _ in found} >= {"16", "11"}


def test_coder_trained_model_is_used_by_the_pipeline(trained, monkeypatch):
    from kg.extraction.coder import CODER_ENV
    from kg.extraction.pipeline import build_pipeline

    _, out = trained
    monkeypatch.setenv(CODER_ENV, str(out))
    nlp = build_pipeline()
    assert nlp.get_pipe("kg_events").coder.folder == str(out)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda g: g.replace('"type": "11"', '"type": "99"', 1), "99"),
        (
            lambda g: g.replace("France condemned", "France loudly condemned", 1),
            "is not in the article's text",
        ),
        (lambda g: "{not json\n" + g, "not valid JSON"),
        (lambda g: g.replace('"id": "t03"', '"id": "t77"', 1), "has no text"),
    ],
)
def test_coder_train_malformed_gold_is_one_line_with_file_and_line(
    corpus, tmp_path, edit, problem
):
    broken = tmp_path / "broken"
    shutil.copytree(corpus, broken)
    gold = broken / "gold.jsonl"
    gold.write_text(edit(gold.read_text("utf-8")), "utf-8")
    with pytest.raises(InputError) as err:
        cross_validate_folder(broken, folds=2)
    message = str(err.value)
    assert str(gold) in message and problem in message and "\n" not in message
    assert message.split(": ")[0].rsplit(":", 1)[1].isdigit()  # file:line


def test_coder_kg_train_command(corpus, tmp_path):
    out = tmp_path / "cli-model"
    result = run_kg("train", str(corpus), "-o", str(out), "--folds", "2")
    assert result.returncode == 0, result.stderr.decode()
    assert "cross-validated events_f1" in result.stdout.decode()
    assert load_coder(out).weights


def test_coder_kg_train_missing_folder_is_one_line(tmp_path):
    result = run_kg("train", str(tmp_path / "none"), "-o", str(tmp_path))
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "is missing" in lines[0], result.stderr.decode()


def test_coder_kg_evaluate_cv_reports_folds_kinds_and_reliability(corpus):
    result = run_kg("evaluate", "--cv", str(corpus), "--folds", "2")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "cross-validated events_f1" in out and "(folds: " in out
    assert "project" in out and "reliability" in out


def test_coder_kg_evaluate_without_gold_or_cv_is_a_usage_error():
    result = run_kg("evaluate")
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert len(stderr.strip().splitlines()) == 1 and "--cv" in stderr


def test_coder_marks_a_description_mention_apart_from_a_name(nlp):
    """ "The president" resolved to a named person is a candidate actor whose
    dependency path carries the description mark, so the model weighs it
    apart from a name."""
    from kg.extraction.actors import DocActors
    from kg.extraction.coder.candidates import candidate_groups
    from kg.extraction.events import EventFinder, find_triggers
    from kg.extraction.pipeline import TRIGGERS_KEY

    coder = nlp.get_pipe("kg_events").coder
    doc = nlp(
        "President Amelia Norberg of Finland arrived in Oslo on Monday.\n\n"
        "The president criticised Russia over the closure of the border."
    )
    actors = DocActors.load(doc)
    president = next(
        i for i, c in enumerate(actors.clusters) if c.name.endswith("Norberg")
    )
    triggers = find_triggers(doc, actors, TRIGGERS_KEY)
    finder = EventFinder(doc, actors, None)
    list(finder.events(triggers))
    (group,) = [
        g
        for g in candidate_groups(doc, actors, finder, triggers, coder)
        if g.trigger.head.lower_ == "criticised"
    ]
    path = group.source_base[president][3]  # ("base", role, kind, path, ...)
    assert path is not None and path.startswith("~"), group.source_base[president]


def test_coder_relation_of_two_mentions_tells_coordination_and_order(nlp):
    """The pair features say how source and target mentions stand: coordinated
    names rarely act on each other, an adjective on its noun never does."""
    from kg.extraction.coder.features import relation

    doc = nlp("Kenya and Uganda signed a trade pact with Tanzania.")
    kenya, uganda, tanzania = (
        next(t for t in doc if t.text == w) for w in ("Kenya", "Uganda", "Tanzania")
    )
    assert relation(kenya, uganda) == "conj"
    assert relation(kenya, tanzania) == "s<t"
    assert relation(tanzania, kenya) == "t<s"
    assert relation(kenya, None) == "fartarget"  # named in another sentence
    assert relation(None, kenya) == "farsource"
    troops = nlp("Kenyan troops entered the town.")
    assert relation(troops[0], troops[1]) == "attached"
