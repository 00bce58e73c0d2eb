"""Peak memory and time of kg on hostile inputs: dense huge articles, a GDELT bomb.

Issue 17 found that one article of dense names cost about 2.4 GB of RSS per MB of
text, and that a 1.5 MB GDELT zip holding a single 1.5 GB line drove
``kg import-gdelt`` into a MemoryError. This script rebuilds such inputs from
words of its own (nothing is copied from a corpus), runs each through the real
CLI in a fresh subprocess, and prints one row per input: peak RSS of the process
tree (psutil, polled every 50 ms), seconds, exit status and whether kg refused
the input (its one-line ``kg:`` message, cut short).

A run whose RSS passes ``--cap`` is killed and shown as ``>CAP (killed)``, so the
benchmark itself never takes the shared machine past it.

Usage (from the repository root)::

    python benchmarks/hostile_memory.py                 # all cases
    python benchmarks/hostile_memory.py --sizes 0.25,0.5 --no-gdelt
    python benchmarks/hostile_memory.py --command ingest --cap 3.0

``--root DIR`` runs another kg tree, e.g. ``git archive main | tar -x -C DIR``
for a before/after comparison. Inputs are written under ``--work`` (default: a
temporary folder) and reused when they already exist there; the GDELT zip is
written in 1 MiB pieces, so making it takes little memory (about 2 MB on disk,
1.5 GB once unzipped).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent

_TITLES = (
    "President", "Prime Minister", "Foreign Minister", "General", "Ambassador",
    "Senator", "Defence Secretary", "Chancellor", "Envoy", "Governor", "Admiral",
)  # fmt: skip
_FIRST = (
    "Amara", "Tomasz", "Ines", "Kwame", "Liesel", "Ravi", "Odile", "Bruno", "Yuki",
    "Farid", "Marta", "Quentin", "Soraya", "Henrik", "Lucia", "Dmitri", "Noor",
)  # fmt: skip
_LAST = (
    "Kovacs", "Haldane", "Moreau", "Okonkwo", "Brandt", "Iyer", "Castellanos",
    "Virtanen", "Takeda", "Haddad", "Lindqvist", "Oyelaran", "Petrescu", "Vance",
)  # fmt: skip
_COUNTRIES = (
    "Hungary", "Chile", "Senegal", "Japan", "Norway", "Peru", "Jordan", "Kenya",
    "Poland", "Vietnam", "Canada", "Morocco", "Finland", "Ghana", "Uruguay",
)  # fmt: skip
_VERBS = (
    "met", "criticised", "accused", "praised", "thanked", "warned", "visited",
    "threatened", "signed an accord with", "held talks with",
)  # fmt: skip
_CITIES = ("Vienna", "Geneva", "Nairobi", "Lima", "Oslo", "Hanoi", "Accra", "Rabat")


def _person(rng: random.Random) -> str:
    return (
        f"{rng.choice(_TITLES)} {rng.choice(_FIRST)} {rng.choice(_LAST)} "
        f"of {rng.choice(_COUNTRIES)}"
    )


def _sentence(rng: random.Random) -> str:
    """One sentence crowded with titled names and countries."""
    others = ", ".join(_person(rng) for _ in range(rng.randint(2, 4)))
    return (
        f"{_person(rng)} {rng.choice(_VERBS)} {others} in {rng.choice(_CITIES)} "
        f"on Monday."
    )


def dense_article(path: Path, megabytes: float, seed: int = 17) -> Path:
    """Write a plain-text article of about ``megabytes`` MB of dense names."""
    if path.exists():
        return path
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts = ["Leaders of many nations met in a crowded week of talks\n\n"]
    size = len(parts[0])
    while size < target:
        paragraph = " ".join(_sentence(rng) for _ in range(5)) + "\n\n"
        parts.append(paragraph)
        size += len(paragraph)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def dense_folder(folder: Path, count: int, megabytes: float) -> Path:
    """A folder of ``count`` dense articles of ``megabytes`` MB, each its own words."""
    folder.mkdir(exist_ok=True)
    for n in range(count):
        dense_article(folder / f"part-{n}.txt", megabytes, seed=100 + n)
    return folder


def gdelt_bomb(path: Path, gigabytes: float = 1.5) -> Path:
    """Write a zip whose one member is a single line of ``gigabytes`` GB.

    Written a MiB at a time through ``ZipFile.open(..., "w")``, so neither the
    line nor the member is ever in memory.
    """
    if path.exists():
        return path
    piece = (b"1234567\t" * (1 << 17))[: 1 << 20]  # 1 MiB, no newline
    pieces = int(gigabytes * 1e9) // len(piece)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("20250311143000.export.CSV", "w", force_zip64=True) as member,
    ):
        for _ in range(pieces):
            member.write(piece)
        member.write(b"\n")
    return path


def run(args: list[str], cap_bytes: int, root: Path = ROOT) -> dict[str, object]:
    """Run ``python -m kg ARGS`` from the kg tree at ``root``; watch its peak RSS."""
    env = dict(os.environ, PYTHONPATH=str(root))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=root,  # python -m puts the working folder first on sys.path
    )
    watched = psutil.Process(proc.pid)
    peak, killed = 0, False
    while proc.poll() is None:
        peak = max(peak, _tree_rss(watched))
        if peak > cap_bytes:
            killed = True
            proc.kill()
            break
        time.sleep(0.05)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    said = next((ln for ln in lines if ln.startswith("kg:")), last)
    return {
        "peak": peak,
        "seconds": seconds,
        "status": proc.returncode,
        "killed": killed,
        "said": said,
        "traceback": any(ln.startswith("Traceback") for ln in lines),
    }


def _tree_rss(process: psutil.Process) -> int:
    """RSS of a process and its children (worker processes count too)."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _row(name: str, result: dict[str, object], cap: float) -> str:
    peak = (
        f">{cap:.1f} GB (killed)"
        if result["killed"]
        else (
            f"{int(result['peak']) / 1e9:.2f} GB"  # type: ignore[call-overload]
        )
    )
    refused = (
        "traceback"
        if result["traceback"]
        else (
            "refused"
            if result["status"] not in (0, None) and not result["killed"]
            else "-"
        )
    )
    said = str(result["said"])[:90]
    return (
        f"{name:<24} {peak:>18} {result['seconds']:>8.1f} "
        f"{result['status']!s:>6} {refused:>9}  {said}"
    )


def _article_row(
    name: str, path: Path, opts: argparse.Namespace, cap_bytes: int
) -> None:
    """Run kg extract (or ingest) on one article file or folder and print its row."""
    args = (
        ["extract", str(path)]
        if opts.command == "extract"
        else ["ingest", str(path), "--store", "memory"]
    )
    result = run(args, cap_bytes, opts.root)
    print(_row(f"{opts.command} {name}", result, opts.cap), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.25,0.5,1,2", help="article sizes, MB")
    parser.add_argument("--command", choices=["extract", "ingest"], default="extract")
    parser.add_argument("--no-gdelt", action="store_true")
    parser.add_argument("--no-articles", action="store_true")
    parser.add_argument(
        "--gdelt-gb", default="1.5,0.9", help="GDELT one-line bombs, GB unzipped"
    )
    parser.add_argument(
        "--folder",
        default="4x0.19",
        help="COUNTxMB: also a folder of COUNT dense articles of MB each, which "
        "kg extracts in one nlp.pipe batch ('' to skip)",
    )
    parser.add_argument("--cap", type=float, default=3.0, help="kill above this, GB")
    parser.add_argument("--work", type=Path, default=None, help="keep inputs here")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="kg source tree to run (e.g. a 'git archive' of an older revision)",
    )
    opts = parser.parse_args()
    work = opts.work or Path(tempfile.mkdtemp(prefix="kg-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    cap_bytes = int(opts.cap * 1e9)
    print(f"# kg hostile inputs, {time.strftime('%Y-%m-%d %H:%M')}, inputs in {work}")
    print(f"# kg from {opts.root}")
    print(f"# load average at start: {os.getloadavg()}")
    print(
        f"{'input':<24} {'peak RSS':>18} {'seconds':>8} {'exit':>6} {'outcome':>9}  "
        "kg said"
    )
    if not opts.no_articles:
        for size in (float(s) for s in opts.sizes.split(",")):
            path = dense_article(work / f"dense-{size:g}MB.txt", size)
            _article_row(f"{size:g} MB", path, opts, cap_bytes)
        if opts.folder:
            count, _, mb = opts.folder.partition("x")
            folder = dense_folder(work / f"folder-{opts.folder}", int(count), float(mb))
            _article_row(f"{count} x {mb} MB", folder, opts, cap_bytes)
    if not opts.no_gdelt:
        for gb in (float(g) for g in opts.gdelt_gb.split(",")):
            bomb = gdelt_bomb(work / f"bomb-{gb:g}GB.export.CSV.zip", gb)
            args = ["import-gdelt", str(bomb), "--store", "memory"]
            result = run(args, cap_bytes, opts.root)
            name = f"gdelt {bomb.stat().st_size / 1e6:.1f} MB zip/{gb:g} GB line"
            print(_row(name, result, opts.cap), flush=True)
    print(f"# load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
