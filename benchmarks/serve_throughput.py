"""Throughput of ``kg serve`` against ``oxigraph serve-read-only`` on the same data.

Copies one store twice, serves one copy with the real ``kg serve`` command and the
other with Oxigraph's own HTTP server (the ``oxigraph`` binary of the PyPI
``oxigraph`` package, in the same venv), checks that both give the same answers,
then runs the same client mix against each for S seconds with N threads (one
keep-alive connection per thread) and prints requests per second and the ratio.

The mix is what a SPARQL client sends: the four cookbook SELECTs of
``serve_load.py`` (JSON results, by GET) and a CONSTRUCT (N-Triples, by POST
form), each with the kg prologue written out (Oxigraph declares no prefixes).
kg serve's extra safety costs are in it: the SERVICE/LOAD guard, a worker
process per query, the row cap, the security headers.

    python benchmarks/serve_throughput.py --store kg-out/store --seconds 10 --rounds 3
    python benchmarks/serve_throughput.py            # builds the sample store first

Issue 15 asks for a ratio of at least 0.5.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
OXIGRAPH = Path(sys.executable).with_name("oxigraph")


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    query: str
    accept: str


def _serve_load():  # noqa: ANN202 - the sibling script, as a module
    spec = importlib.util.spec_from_file_location("serve_load", HERE / "serve_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def client_mix() -> list[Request]:
    from kg.query.cookbook import prepare
    from kg.rdf.namespaces import sparql_prologue

    load = _serve_load()
    prologue = sparql_prologue()
    mix = [
        Request(
            name,
            "GET",
            prologue + prepare(name, params),
            "application/sparql-results+json",
        )
        for name, params in load.COOKBOOK
    ]
    mix.append(
        Request("construct", "POST", prologue + load.CONSTRUCT, "application/n-triples")
    )
    return mix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited: {process.stderr.read().decode()[-2000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {seconds:.0f} s")


def start_kg(store: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store)]
    return subprocess.Popen(
        [*command, "--port", str(port), "--max-rows", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def start_oxigraph(store: Path, port: int) -> subprocess.Popen:
    command = [str(OXIGRAPH), "serve-read-only", "--location", str(store)]
    return subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def ask(connection: http.client.HTTPConnection, path: str, request: Request) -> bytes:
    """One request on a kept-alive connection; raises on anything but 200."""
    headers = {"Accept": request.accept}
    if request.method == "GET":
        target, body = f"{path}?{urlencode({'query': request.query})}", None
    else:
        target, body = path, urlencode({"query": request.query}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(request.method, target, body, headers)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{request.name}: {response.status} {data[:200]!r}")
    return data


def size(request: Request, body: bytes) -> int:
    """Rows or triples of an answer, to check that both servers agree."""
    if request.accept.endswith("json"):
        return len(json.loads(body)["results"]["bindings"])
    return len([line for line in body.splitlines() if line.strip()])


def run(
    port: int, path: str, mix: list[Request], seconds: float, threads: int
) -> float:
    """Requests per second of ``threads`` clients cycling through ``mix``."""
    done = [0] * threads
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        turn = number
        try:
            while time.monotonic() < deadline:
                ask(connection, path, mix[turn % len(mix)])
                done[number] += 1
                turn += 1
        except Exception as err:  # counted, and reported below
            failures.append(repr(err))
        finally:
            connection.close()

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(f"{len(failures)} client(s) failed: {failures[:3]}")
    return sum(done) / (time.monotonic() - started)


def measure(
    store: Path, seconds: float, threads: int, rounds: int
) -> list[dict[str, float]]:
    """Requests per second of each server, round by round (kg, then Oxigraph)."""
    mix = client_mix()
    with tempfile.TemporaryDirectory(prefix="kg-throughput-") as folder:
        copies = {}
        for name in ("kg", "oxigraph"):
            copies[name] = Path(folder) / name
            shutil.copytree(store, copies[name])
        servers = {
            "kg": (start_kg, "/sparql"),
            "oxigraph": (start_oxigraph, "/query"),
        }
        running, ports = {}, {}
        try:
            for name, (start, _) in servers.items():
                ports[name] = free_port()
                running[name] = start(copies[name], ports[name])
                wait_for(ports[name], running[name])
            answers = {}
            for name, (_, path) in servers.items():
                connection = http.client.HTTPConnection(
                    "127.0.0.1", ports[name], timeout=60
                )
                answers[name] = [size(r, ask(connection, path, r)) for r in mix]
                connection.close()
            if answers["kg"] != answers["oxigraph"]:
                raise RuntimeError(f"the servers disagree: {answers}")
            print(
                "answers agree:",
                dict(zip([r.name for r in mix], answers["kg"], strict=True)),
            )
            rates = []
            for number in range(rounds):  # interleaved: both see the same machine
                rates.append(
                    {
                        name: run(ports[name], path, mix, seconds, threads)
                        for name, (_, path) in servers.items()
                    }
                )
                ratio = rates[-1]["kg"] / rates[-1]["oxigraph"]
                print(f"round {number + 1}: {rates[-1]} ratio {ratio:.2f}")
        finally:
            for process in running.values():
                process.terminate()
                process.wait(timeout=30)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, help="store folder (default: build the sample)"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not OXIGRAPH.is_file():
        sys.exit(f"no oxigraph binary at {OXIGRAPH}: pip install oxigraph")
    with tempfile.TemporaryDirectory(prefix="kg-throughput-store-") as folder:
        store = args.store or _serve_load().build_store(Path(folder))
        rounds = measure(store, args.seconds, args.threads, args.rounds)
    kg = sum(r["kg"] for r in rounds) / len(rounds)
    oxigraph = sum(r["oxigraph"] for r in rounds) / len(rounds)
    print(
        f"{args.threads} clients, {len(rounds)} rounds of {args.seconds:g} s each, "
        f"on {os.cpu_count()} CPU(s)\n"
        f"kg serve                 {kg:8.1f} req/s\n"
        f"oxigraph serve-read-only {oxigraph:8.1f} req/s\n"
        f"ratio kg/oxigraph        {kg / oxigraph:8.2f}x"
    )


if __name__ == "__main__":
    main()
