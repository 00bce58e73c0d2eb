"""kg.analysis.network and `kg network` on the hand-written store of helpers.trigstore.

The fixture's asserted actor network is a tree: Zelenskiy -> Russia,
UN -> Russia, Russia -> Ukraine (2 events), and the US, Poland and the Wagner
Group -> Ukraine. Its metrics are worked out by hand below.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from helpers.cli import kg
from helpers.trigstore import ID, POL, RUS, UKR, UN, USA, WAGNER, ZEL

from kg.analysis.graphs import EventFilter, actor_network, load_events
from kg.analysis.network import (
    Community,
    DyadMonth,
    analyse,
    dyad_months,
    find_communities,
    format_dyads,
    format_report,
    pagerank,
    scores,
)
from kg.errors import UsageError
from kg.store import open_store

# PageRank, alpha 0.85, Ukraine the only actor with no out-ties. With b the rank
# of an actor nobody acts upon: Russia = b(1 + 2 * 0.85) = 2.7b, Ukraine =
# b + 0.85 (2.7b + 3b) = 5.845b, and 5b + 2.7b + 5.845b = 1.
B = 1 / 13.545
PAGERANK = {UKR: 5.845 * B, RUS: 2.7 * B, ZEL: B, USA: B, UN: B, WAGNER: B, POL: B}
# Degree: partners / 6. Betweenness (undirected, normalised by 15 pairs): Ukraine
# lies between its 3 leaves (3 pairs) and between them and Russia's side (9);
# Russia between its 2 leaves (1) and between them and Ukraine's side (8).
DEGREE = {UKR: 4 / 6, RUS: 3 / 6, ZEL: 1 / 6, USA: 1 / 6, UN: 1 / 6, WAGNER: 1 / 6,
          POL: 1 / 6}  # fmt: skip
BETWEENNESS = {UKR: 12 / 15, RUS: 9 / 15, ZEL: 0, USA: 0, UN: 0, WAGNER: 0, POL: 0}
# Ties broken by events, then label.
ORDER = [UKR, RUS, ZEL, POL, UN, USA, WAGNER]


@pytest.fixture(scope="module")
def rows(trig_store_path):
    with open_store(trig_store_path) as store:
        return load_events(store)


@pytest.fixture(scope="module")
def network(rows):
    return actor_network(rows)


@pytest.mark.parametrize(
    "metric, expected",
    [("pagerank", PAGERANK), ("degree", DEGREE), ("betweenness", BETWEENNESS)],
)
def test_network_scores_match_hand_computation(network, metric, expected):
    got = scores(network, metric)
    assert got == {node: round(value, 6) for node, value in expected.items()}


def test_network_pagerank_is_a_fixed_point(network):
    rank = pagerank(network)
    assert sum(rank.values()) == pytest.approx(1.0, abs=1e-12)
    for node, value in PAGERANK.items():
        assert rank[node] == pytest.approx(value, abs=1e-10)


@pytest.mark.parametrize("metric", ["pagerank", "degree", "betweenness"])
def test_network_ranking_order_and_counts(network, metric):
    report = analyse(network, metric, top=None)
    assert [a.iri for a in report.actors] == ORDER
    ukraine = report.actors[0]
    assert (ukraine.rank, ukraine.label, ukraine.kind, ukraine.country) == (
        1,
        "Ukraine",
        "Country",
        "UKR",
    )
    assert (ukraine.events, ukraine.partners, ukraine.cooperation) == (5, 4, 2)
    assert (ukraine.conflict, ukraine.community) == (3, None)
    russia = report.actors[1]
    assert (russia.events, russia.partners, russia.cooperation, russia.conflict) == (
        4,
        3,
        1,
        3,
    )


@pytest.mark.parametrize("top, expected", [(2, 2), (0, 7), (None, 7), (20, 7)])
def test_network_top_limits_the_ranking(network, top, expected):
    assert len(analyse(network, top=top).actors) == expected


EXPECTED_COMMUNITIES = [
    Community(
        1,
        4,
        3,
        ("Ukraine", "Poland", "United States", "Wagner Group"),
        (UKR, POL, USA, WAGNER),
    ),
    Community(
        2, 3, 2, ("Russia", "United Nations", "Volodymyr Zelenskiy"), (RUS, UN, ZEL)
    ),
]


def test_network_louvain_communities_are_exact_and_seeded(network):
    centrality = scores(network, "pagerank")
    assert find_communities(network, centrality) == EXPECTED_COMMUNITIES
    assert find_communities(network, centrality) == find_communities(
        network, centrality
    )
    report = analyse(network, communities=True, top=None)
    assert report.communities == tuple(EXPECTED_COMMUNITIES)
    assert {a.iri: a.community for a in report.actors} == {
        UKR: 1, POL: 1, USA: 1, WAGNER: 1, RUS: 2, UN: 2, ZEL: 2
    }  # fmt: skip


def test_network_self_loops_count_once(rows):
    shelling = next(r for r in rows if r.source.iri == RUS)
    looped = [*rows, replace(shelling, target=shelling.source)]
    network = actor_network(looped)
    russia = next(a for a in analyse(network, top=None).actors if a.iri == RUS)
    assert (russia.partners, russia.conflict) == (3, 4)
    assert scores(network, "degree")[RUS] == round(3 / 6, 6)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda n: analyse(n, "eigenvector"), "Unknown metric 'eigenvector'"),
        (lambda n: analyse(n, top=-1), "--top must be 0 or more"),
    ],
)
def test_network_rejects_bad_arguments(network, call, message):
    with pytest.raises(UsageError, match=message):
        call(network)


def dyad(source, target, month, counts, goldstein, labels):
    events, cooperation, conflict = counts
    return DyadMonth(
        labels[0],
        labels[1],
        month,
        events,
        cooperation,
        conflict,
        (cooperation - conflict) / events,
        goldstein,
        source,
        target,
    )


def test_network_dyad_months_by_busiest_dyad(rows):
    assert dyad_months(rows) == [
        dyad(RUS, UKR, "2019-01", (1, 0, 1), -10.0, ("Russia", "Ukraine")),
        dyad(RUS, UKR, "2019-02", (1, 0, 1), -2.0, ("Russia", "Ukraine")),
        dyad(POL, UKR, "2019-03", (1, 1, 0), 2.8, ("Poland", "Ukraine")),
        dyad(UN, RUS, "2019-02", (1, 0, 1), -2.0, ("United Nations", "Russia")),
        dyad(USA, UKR, "2019-02", (1, 1, 0), 7.0, ("United States", "Ukraine")),
        dyad(ZEL, RUS, "2019-01", (1, 1, 0), 1.0, ("Volodymyr Zelenskiy", "Russia")),
        dyad(WAGNER, UKR, "2019-03", (1, 0, 1), -10.0, ("Wagner Group", "Ukraine")),
    ]


def test_network_dyad_months_top_and_flagged_events(trig_store_path):
    with open_store(trig_store_path) as store:
        rows = load_events(store, EventFilter(modalities=None))
    got = dyad_months(rows, top=2)
    assert [(d.source, d.target, d.month, d.events) for d in got] == [
        ("Russia", "Ukraine", "2019-01", 2),
        ("Russia", "Ukraine", "2019-02", 1),
        ("Poland", "Ukraine", "2019-03", 1),
    ]


def test_network_format_report_csv_is_exact(network):
    text = format_report(analyse(network, "degree", communities=True, top=3), "csv")
    assert text.splitlines() == [
        "rank,label,kind,country,degree,events,partners,cooperation,conflict,"
        "community,iri",
        f"1,Ukraine,Country,UKR,0.666667,5,4,2,3,1,{UKR}",
        f"2,Russia,Country,RUS,0.5,4,3,1,3,2,{RUS}",
        f"3,Volodymyr Zelenskiy,Person,UKR,0.166667,2,1,1,0,2,{ZEL}",
    ]


def test_network_format_report_json_and_table(network):
    report = analyse(network, "betweenness", communities=True, top=2)
    data = json.loads(format_report(report, "json"))
    assert data["metric"] == "betweenness"
    assert data["actors"][0] == {
        "rank": 1,
        "iri": UKR,
        "label": "Ukraine",
        "kind": "Country",
        "country": "UKR",
        "events": 5,
        "partners": 4,
        "cooperation": 2,
        "conflict": 3,
        "community": 1,
        "betweenness": 0.8,
    }
    assert [c["members"] for c in data["communities"]] == [
        ["Ukraine", "Poland", "United States", "Wagner Group"],
        ["Russia", "United Nations", "Volodymyr Zelenskiy"],
    ]
    table = format_report(report, "table")
    assert "Actors by betweenness" in table and "Communities" in table
    assert "Ukraine, Poland, United States, Wagner Group" in table


def test_network_format_dyads_csv_is_exact(rows):
    text = format_dyads(dyad_months(rows, top=1), "csv")
    assert list(csv.reader(io.StringIO(text))) == [
        ["source", "target", "month", "events", "cooperation", "conflict",
         "balance", "goldstein_mean", "source_iri", "target_iri"],
        ["Russia", "Ukraine", "2019-01", "1", "0", "1", "-1.0", "-10.0", RUS, UKR],
        ["Russia", "Ukraine", "2019-02", "1", "0", "1", "-1.0", "-2.0", RUS, UKR],
    ]  # fmt: skip


def test_network_csv_cells_are_never_formulas(rows):
    """An actor named like a formula (article text is hostile) stays text in
    both CSVs a spreadsheet user opens: the ranking and the dyads."""
    evil = '=HYPERLINK("http://example.org/x","click")'

    def renamed(actor):
        hit = actor is not None and actor.label == "Russia"
        return replace(actor, label=evil) if hit else actor

    hostile = [
        replace(row, source=renamed(row.source), target=renamed(row.target))
        for row in rows
    ]
    ranking = format_report(analyse(actor_network(hostile), "degree", top=3), "csv")
    dyads = format_dyads(dyad_months(hostile, top=1), "csv")
    for text in (ranking, dyads):
        cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
        assert "'" + evil in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_network_cli_ranks_actors_as_json(trig_store_path):
    result = kg("network", "--store", str(trig_store_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["label"] for a in data["actors"][:2]] == ["Ukraine", "Russia"]
    assert data["actors"][0]["pagerank"] == round(PAGERANK[UKR], 6)


def test_network_cli_filters_and_csv(trig_store_path):
    result = kg(
        "network", "--store", str(trig_store_path), "--metric", "degree",
        "--country", "POL", "--format", "csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "rank,label,kind,country,degree,events,partners,cooperation,conflict,iri",
        f"1,Poland,Country,POL,1.0,1,1,1,0,{POL}",
        f"2,Ukraine,Country,UKR,1.0,1,1,1,0,{UKR}",
    ]


def test_network_cli_dyads_with_all_events(trig_store_path):
    args = [
        "network",
        "--store",
        str(trig_store_path),
        "--dyads",
        "--all",
        "--top",
        "1",
    ]
    result = kg(*args, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["month"], r["events"], r["conflict"]) for r in rows] == [
        ("2019-01", "2", "2"),
        ("2019-02", "1", "1"),
    ]
    table = kg(*args)
    assert "Cooperation and conflict by dyad and month" in table.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dyads", "--communities"], "kg: error: --dyads lists dyads, not actors"),
        (["--type", "4x"], "kg: error: --type: '4x' is not a CAMEO code"),
        (["--type", "99"], "kg: error: --type: '99' is not a CAMEO code in the"),
    ],
)
def test_network_cli_usage_errors(trig_store_path, args, message):
    result = kg("network", "--store", str(trig_store_path), *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert f"{ID}" not in result.stdout
