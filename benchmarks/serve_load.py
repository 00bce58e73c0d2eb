"""Load on ``kg serve``: concurrent clients on loopback, every answer checked.

Builds a store from ``data/articles`` (or takes ``--store``), starts the real
``kg serve`` command on 127.0.0.1 and runs N client threads for S seconds. Each
client cycles through a fixed mix: four cookbook SELECTs (JSON, by GET and POST),
a CONSTRUCT (N-Triples), the HTML view, and three requests the server must refuse
(SPARQL Update at /sparql and at /update, and a LOAD: 403 is their correct
answer). Every answer is compared with what the same query returns from the
store directly; anything else (wrong status, wrong rows, a dropped connection)
counts as an error.

    python benchmarks/serve_load.py                 # 8 clients, KG_LOAD_SECONDS or 60 s
    python benchmarks/serve_load.py --seconds 10 --threads 4 --store kg-out/store

Prints requests, errors, p50/p90/p99 latency and requests per second, overall
and per kind of request. ``tests/test_serve_load.py`` runs the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
SECONDS_ENV = "KG_LOAD_SECONDS"
COOKBOOK = [
    ("top-actors", {}),
    ("who-met-whom", {}),
    ("events-by-type", {"cameo": "04"}),
    ("actor-events", {"actor": "United States"}),
]
CONSTRUCT = (
    "CONSTRUCT { ?e kg:eventType ?t ; kg:sourceActor ?a . ?a rdfs:label ?n } "
    "WHERE { ?e a kg:Event ; kg:eventType ?t ; kg:sourceActor ?a . ?a rdfs:label ?n }"
)
UPDATE = "INSERT DATA { GRAPH <urn:kg:load> { <urn:kg:s> <urn:kg:p> <urn:kg:o> } }"
LOAD = "LOAD <http://example.org/data.ttl>"


@dataclass(frozen=True)
class Probe:
    """One kind of request and the test of its answer (None when it is right)."""

    name: str
    path: str
    data: bytes | None
    headers: dict[str, str]
    check: Callable[[int, bytes], str | None]


@dataclass
class Stats:
    """Latencies and errors, per probe name, gathered by every client thread."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            if error is not None:
                self.errors.append(f"{name}: {error}")

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def report(self) -> str:
        """The figures as plain text: one line overall, then one per probe."""
        every = [s for values in self.latencies.values() for s in values]
        lines = [_line("all", every, len(self.errors), self.seconds)]
        for name, values in sorted(self.latencies.items()):
            failed = sum(e.startswith(f"{name}: ") for e in self.errors)
            lines.append(_line(name, values, failed, self.seconds))
        lines += [f"  error: {e}" for e in self.errors[:10]]
        return "\n".join(lines)


def _line(name: str, seconds: list[float], errors: int, elapsed: float) -> str:
    ms = sorted(s * 1000 for s in seconds) or [0.0]
    pick = [ms[min(len(ms) - 1, int(q * len(ms)))] for q in (0.5, 0.9, 0.99)]
    rate = len(seconds) / elapsed if elapsed else 0.0
    return (
        f"{name:<16} requests={len(seconds):<6} errors={errors:<4} "
        f"p50={pick[0]:.1f}ms p90={pick[1]:.1f}ms p99={pick[2]:.1f}ms "
        f"req/s={rate:.1f}"
    )


# --- the store and what it should answer ----------------------------------------


def build_store(folder: Path, nlp=None) -> Path:  # noqa: ANN001 - spaCy Language
    """A store of the bundled sample articles, built by kg's own ingest."""
    from kg.ingestion import ingest
    from kg.store import open_store

    path = folder / "store"
    with open_store(path) as store:
        ingest([ARTICLES], store, nlp=nlp)
    return path


def probes(store_path: Path, view: bytes) -> list[Probe]:
    """The request mix, each with its expected answer taken from the store itself."""
    from kg.query.cookbook import prepare
    from kg.store import open_store

    found = []
    with open_store(store_path, read_only=True) as store:
        for number, (name, params) in enumerate(COOKBOOK):
            text = prepare(name, params)
            found.append(_select_probe(name, text, _bindings_of(store, text), number))
        found.append(_construct_probe(_triples_of(store, CONSTRUCT)))
    found.append(Probe("view", "/view", None, {}, _same_page(view)))
    update, load = UPDATE.encode(), "/sparql?" + urlencode({"query": LOAD})
    found.append(_refused("update", "/sparql", update, b"read-only"))
    found.append(_refused("update-path", "/update", update, b"--write-token"))
    found.append(_refused("load", load, None, b"LOAD is not allowed"))
    return found


def _bindings_of(store, text: str) -> list[str]:  # noqa: ANN001 - kg.store.Store
    from kg.query import execute, format_json

    return _sorted_bindings(format_json(execute(store, text)).encode())


def _triples_of(store, text: str) -> set[str]:  # noqa: ANN001 - kg.store.Store
    from kg.query import execute

    body = ox.serialize(execute(store, text).triples, format=ox.RdfFormat.N_TRIPLES)
    return set(body.decode().splitlines())


def _sorted_bindings(body: bytes) -> list[str]:
    rows = json.loads(body)["results"]["bindings"]
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def _select_probe(name: str, text: str, expected: list[str], number: int) -> Probe:
    accept = {"Accept": "application/sparql-results+json"}

    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"status {status}: {body[:200]!r}"
        got = _sorted_bindings(body)
        return None if got == expected else f"{len(got)} rows, not {len(expected)}"

    if number % 2:  # every other one as a POSTed form, as SPARQLWrapper sends
        form = urlencode({"query": text}).encode()
        headers = accept | {"Content-Type": "application/x-www-form-urlencoded"}
        return Probe(name, "/sparql", form, headers, check)
    return Probe(name, "/sparql?" + urlencode({"query": text}), None, accept, check)


def _construct_probe(expected: set[str]) -> Probe:
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"status {status}: {body[:200]!r}"
        got = set(body.decode().splitlines())
        return None if got == expected else f"{len(got)} triples, not {len(expected)}"

    path = "/sparql?" + urlencode({"query": CONSTRUCT})
    return Probe("construct", path, None, {"Accept": "application/n-triples"}, check)


def _same_page(expected: bytes) -> Callable[[int, bytes], str | None]:
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"status {status}"
        return None if body == expected else f"{len(body)} bytes, not {len(expected)}"

    return check


def _refused(name: str, path: str, data: bytes | None, wanted: bytes) -> Probe:
    """A request a read-only server must answer with 403 and a message naming why."""
    headers = {"Content-Type": "application/sparql-update"} if data else {}

    def check(status: int, body: bytes) -> str | None:
        if status == 403 and wanted in body:
            return None
        return f"status {status}: {body[:200]!r}"

    return Probe(name, path, data, headers, check)


# --- the server and the clients ---------------------------------------------------


def start_server(store_path: Path) -> tuple[subprocess.Popen, str]:
    """``kg serve`` on 127.0.0.1 and a free port; returns the process and base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--store",
            str(store_path),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline().decode()
    found = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
    if found is None:
        process.kill()
        raise RuntimeError(f"kg serve did not start: {line}{process.stderr.read()}")
    return process, found.group(1)


def fetch(base: str, probe: Probe, timeout: float = 60.0) -> tuple[int, bytes]:
    """Status and body of one request (HTTP errors are answers too)."""
    request = urllib.request.Request(base.rstrip("/") + probe.path, probe.data)
    for name, value in probe.headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def run_load(base: str, mix: list[Probe], seconds: float, threads: int) -> Stats:
    """``threads`` clients cycling through ``mix`` for ``seconds``, answers checked."""
    stats = Stats()
    deadline = time.monotonic() + seconds
    workers = [
        threading.Thread(target=_client, args=(base, mix, n, deadline, stats))
        for n in range(threads)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stats.seconds = time.monotonic() - started
    return stats


def _client(base: str, mix: list[Probe], offset: int, deadline: float, stats: Stats):  # noqa: ANN202
    turn = offset
    while time.monotonic() < deadline:
        probe = mix[turn % len(mix)]
        turn += 1
        started = time.perf_counter()
        try:
            status, body = fetch(base, probe)
            error = probe.check(status, body)
        except (OSError, ValueError) as err:  # refused, reset, timed out, bad JSON
            error = f"{type(err).__name__}: {err}"
        stats.add(probe.name, time.perf_counter() - started, error)


def load_test(store_path: Path, seconds: float, threads: int) -> Stats:
    """Serve ``store_path`` with kg serve, run the load, stop the server."""
    process, base = start_server(store_path)
    try:
        status, view = fetch(base, Probe("view", "/view", None, {}, _same_page(b"")))
        if status != 200:
            raise RuntimeError(f"the view answered {status}")
        return run_load(base, probes(store_path, view), seconds, threads)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = float(os.environ.get(SECONDS_ENV, "60"))
    parser.add_argument("--seconds", type=float, default=default)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--store", type=Path, help="an existing store folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-load-") as folder:
        store = args.store or build_store(Path(folder))
        stats = load_test(store, args.seconds, args.threads)
    print(f"kg serve, {args.threads} clients on 127.0.0.1 for {stats.seconds:.1f} s")
    print(stats.report())
    sys.exit(1 if stats.errors else 0)


if __name__ == "__main__":
    main()
