"""Tests of kg.analysis.stats: exact counts on a fixed three-article store."""

from __future__ import annotations

import pytest
from helpers.storefixture import fill

from kg.analysis.stats import (
    ActorCount,
    RootCount,
    collect_stats,
    format_stats,
    format_summary,
)
from kg.rdf.iris import article_iri
from kg.store import open_store


@pytest.mark.parametrize("with_ontology, triples", [(True, 86), (False, 86)])
def test_stats_counts_are_exact(store, with_ontology, triples):
    fill(store, with_ontology=with_ontology)
    stats = collect_stats(store)
    assert (stats.articles, stats.events, stats.actors, stats.places) == (3, 5, 5, 1)
    assert stats.actors_by_class == (
        ("Person", 1),
        ("Organization", 1),
        ("Country", 2),
        ("Group", 1),
    )
    # the ontology and CAMEO scheme every store carries are not the articles' own
    assert stats.triples == triples
    assert store.triple_count() == triples + (14 if with_ontology else 0)


@pytest.mark.parametrize("with_ontology", [True, False])
def test_stats_events_by_cameo_root_named_from_ontology(store, with_ontology):
    fill(store, with_ontology=with_ontology)
    names = ("Consult", "Disapprove", "Fight") if with_ontology else (None,) * 3
    assert collect_stats(store).events_by_root == (
        RootCount("04", names[0], 2),
        RootCount("11", names[1], 1),
        RootCount("19", names[2], 2),
    )


@pytest.mark.parametrize("top", [3])
def test_stats_top_actors_most_active_first(store, top):
    fill(store)
    kgr = "https://w3id.org/kg-events/id/"
    assert collect_stats(store, top=top).top_actors == (
        ActorCount(kgr + "country/RUS", "Russia", "kg:Country", 3),
        ActorCount(kgr + "country/UKR", "Ukraine", "kg:Country", 2),
        ActorCount(
            kgr + "organization/united-nations", "United Nations", "kg:Organization", 2
        ),
    )


@pytest.mark.parametrize("aid", ["a2"])
def test_stats_follow_removal_of_an_article(store, aid):
    fill(store)
    store.remove_article(article_iri(aid))
    stats = collect_stats(store)
    assert (stats.articles, stats.events, stats.actors) == (2, 3, 4)
    assert dict(stats.actors_by_class)["Group"] == 0


@pytest.mark.parametrize("location", ["memory"])
def test_stats_of_empty_store_are_zero(location):
    with open_store(location) as s:
        stats = collect_stats(s)
    assert (stats.articles, stats.events, stats.actors, stats.triples) == (0, 0, 0, 0)
    assert stats.events_by_root == () and stats.top_actors == ()
    assert format_summary(stats) == (
        "0 articles, 0 actors, 0 events, 0 places, 0 triples"
    )


@pytest.mark.parametrize("width", [100])
def test_stats_format_is_readable_text(store, width):
    fill(store)
    stats = collect_stats(store)
    text = format_stats(stats, width=width)
    rows = {tuple(line.replace("│", " ").split()) for line in text.splitlines()}
    assert ("articles", "3") in rows and ("countrys", "2") not in rows
    assert ("countries", "2") in rows and ("places", "1") in rows
    assert ("19", "Fight", "2") in rows
    assert ("Russia", "kg:Country", "kgr:country/RUS", "3") in rows
    assert format_summary(stats) == (
        "3 articles, 5 actors, 5 events, 1 place, 86 triples"
    )
    assert max(len(line) for line in text.splitlines()) <= width
