"""Every file kg writes is the old file or the complete new one (kg/files.py).

Issue #17: two ``kg export`` runs to one file shared a fixed temporary name and
mixed their bytes; ``kg viz``, ``kg map`` and ``kg build`` wrote their pages in
place, so a kill or a full disk left them cut short; ``-o`` replaced a symlink or
a FIFO instead of writing through it. Kills and file-size limits need a real
process; the rest runs the CLI in this process (helpers.clirunner).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.clirunner import run_kg
from helpers.paths import DATA

from kg.errors import StoreError, UsageError
from kg.files import current_umask, replacing, write_bytes, write_text

OLD = b"the previous file, which must survive\n"
#: Two short articles: enough for a build to store, export and draw something.
ARTICLES = ("egypt-sudan-agreement.txt", "tbilisi-protest.txt")


def kg_process(*args: str, limit: int | None = None) -> subprocess.Popen:
    """``python -m kg ARGS`` as a child; ``limit`` caps the size of any file it
    writes (``ulimit -f``), with SIGXFSZ ignored so a write fails with EFBIG
    instead of killing the process."""
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=None if limit is None else lambda: _file_size_limit(limit),
    )


def _file_size_limit(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def leftovers(folder: Path) -> list[str]:
    """Temporary files kg left in ``folder`` (there must be none after a run
    that ended by itself, with success or an error)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def one_error_line(stderr: bytes) -> str:
    """The single ``kg: error:`` line a failed run printed (and nothing else)."""
    lines = stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kg: error: "), lines
    assert "Traceback" not in lines[0]
    return lines[0]


def nt_triples(path: Path) -> list[ox.Quad]:
    """The statements of an N-Triples file; raises if any line is cut or mixed."""
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# --- the helper itself ------------------------------------------------------------


def test_atomic_writes_replace_whole_files_and_leave_no_temporary(tmp_path):
    target = tmp_path / "page.html"
    target.write_bytes(OLD)
    write_text(target, "new page ✓\n")
    assert target.read_text(encoding="utf-8") == "new page ✓\n"
    write_bytes(target, b"bytes\n")
    assert target.read_bytes() == b"bytes\n"
    assert leftovers(tmp_path) == []


def test_atomic_writes_failed_stream_keeps_the_old_file(tmp_path):
    target = tmp_path / "entry.bin"
    target.write_bytes(OLD)
    with pytest.raises(ValueError, match="half way"):
        with replacing(target) as handle:
            handle.write(b"half of the new content")
            raise ValueError("half way")
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_atomic_writes_unwritable_target_is_one_line_naming_it(tmp_path):
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    with pytest.raises(StoreError) as raised:
        write_bytes(folder, b"x", what="export", error=StoreError)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"cannot write the export to {folder}: ")
    assert leftovers(tmp_path) == []
    with pytest.raises(UsageError, match="No such file or directory; choose a file"):
        write_text(tmp_path / "missing" / "v.html", "x", what="view")


def test_atomic_writes_new_file_mode_follows_the_umask(tmp_path):
    with umask(0o027):
        assert current_umask() == 0o027
        write_text(tmp_path / "a.html", "x")
    assert stat.S_IMODE((tmp_path / "a.html").stat().st_mode) == 0o640
    with umask(0o002):
        write_text(tmp_path / "b.html", "x")
    assert stat.S_IMODE((tmp_path / "b.html").stat().st_mode) == 0o664


def test_atomic_writes_replaced_file_keeps_its_mode(tmp_path, filled_store_path):
    out = tmp_path / "events.csv"
    out.write_bytes(OLD)
    out.chmod(0o604)
    ran = run_kg("export", "--store", str(filled_store_path), "--format", "csv",
                 "-o", str(out))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert out.read_bytes().startswith(b"event_id,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o604


# --- exports ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nt", "csv"])
def test_atomic_writes_export_through_a_symlink_writes_its_target(
    tmp_path, filled_store_path, fmt
):
    real = tmp_path / "dated" / f"2026-12-07.{fmt}"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / f"latest.{fmt}"
    link.symlink_to(real)
    ran = run_kg("export", "--store", str(filled_store_path), "--format", fmt,
                 "-o", str(link))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() != OLD
    if fmt == "nt":
        assert nt_triples(real)
    assert leftovers(tmp_path) == leftovers(real.parent) == []


@pytest.mark.parametrize("fmt", ["nt", "csv"])
def test_atomic_writes_export_to_a_fifo_writes_into_the_pipe(
    tmp_path, filled_store_path, fmt
):
    pipe = tmp_path / f"events.{fmt}"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(
        target=lambda: received.append(pipe.read_bytes()), daemon=True
    )
    reader.start()
    ran = run_kg("export", "--store", str(filled_store_path), "--format", fmt,
                 "-o", str(pipe))  # fmt: skip
    # A hang guard, not a timing check: had the pipe been replaced by a file,
    # the reader would wait for a writer forever.
    reader.join(timeout=120)
    assert not reader.is_alive(), "nothing was written into the pipe"
    assert ran.returncode == 0, ran.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # still the pipe, not a file
    copy = tmp_path / f"copy.{fmt}"
    copy.write_bytes(received[0])
    if fmt == "nt":
        count = len(nt_triples(copy))
        assert f"wrote {count} statements".encode() in ran.stderr and count > 50
    else:
        assert received[0].startswith(b"event_id,") and received[0].count(b"\n") > 3


@pytest.mark.system  # real processes killed or size-limited
def test_atomic_writes_two_exports_to_one_file_never_mix(tmp_path, filled_store_path):
    out = tmp_path / "events.nt"
    expected = None
    for _ in range(20):
        runs = [
            kg_process("export", "--store", str(filled_store_path),
                       "--format", "nt", "-o", str(out))
            for _ in range(2)
        ]  # fmt: skip
        results = [(run.wait(), run.stderr.read()) for run in runs]
        for run in runs:
            run.stdout.close()
            run.stderr.close()
        failed = [err for code, err in results if code != 0]
        assert len(failed) <= 1, failed  # at most one clear failure
        for err in failed:
            one_error_line(err)
        statements = nt_triples(out)  # every line whole: no mixed bytes
        expected = expected or len(statements)
        assert len(statements) == expected > 50
        assert leftovers(tmp_path) == []


# --- kills and file-size limits on the views and kg build ---------------------


def _run_to_the_end(args: list[str]) -> float:
    """Run ``kg ARGS`` to completion; how long it took (only to aim the kills)."""
    started = time.monotonic()
    run = kg_process(*args)
    _, err = run.communicate()
    assert run.returncode == 0, err
    return time.monotonic() - started


def _killed_at_random(args: list[str], seconds: float) -> None:
    """Run ``kg ARGS`` and SIGKILL it at a random moment near the end of the
    ``seconds`` a whole run takes, when it writes its files (it may finish)."""
    run = kg_process(*args)
    try:
        run.wait(timeout=random.uniform(0.5 * seconds, 1.1 * seconds))
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGKILL)
        run.wait()
    run.stdout.close()
    run.stderr.close()


@pytest.mark.system  # real processes killed or size-limited
@pytest.mark.parametrize("command", ["viz", "map"])
def test_atomic_writes_killed_view_leaves_the_old_page_or_the_new(
    tmp_path, filled_store_path, command
):
    page = tmp_path / "page.html"
    reference = tmp_path / "reference.html"
    args = [command, "--store", str(filled_store_path), "-o"]
    seconds = _run_to_the_end([*args, str(reference)])
    complete = reference.read_bytes()
    for _ in range(6):
        page.write_bytes(OLD)
        _killed_at_random([*args, str(page)], seconds)
        content = page.read_bytes()
        assert content in (OLD, complete), content[-200:]
    # Debris of a killed run may stay (a kill runs no cleanup), but it is only
    # ever a hidden temporary file beside the page, never the page itself.
    assert all(name.startswith(".page.html.") for name in leftovers(tmp_path))


def _build_outputs_are_whole(out: Path, expected_statements: int) -> None:
    turtle, html = out / "graph.ttl", out / "graph.html"
    if turtle.read_bytes() != OLD:
        parsed = list(ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE))
        assert len(parsed) == expected_statements
    if html.read_bytes() != OLD:
        assert html.read_bytes().rstrip().endswith(b"</html>")


@pytest.fixture
def articles(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ARTICLES:
        shutil.copy(DATA / name, folder / name)
    return folder


@pytest.mark.system  # real processes killed or size-limited
def test_atomic_writes_killed_build_leaves_whole_outputs(tmp_path, articles):
    reference = tmp_path / "reference"
    seconds = _run_to_the_end(["build", str(articles), "--out", str(reference)])
    statements = len(
        list(ox.parse(path=str(reference / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    )
    out = tmp_path / "out"
    for _ in range(4):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        (out / "graph.ttl").write_bytes(OLD)
        (out / "graph.html").write_bytes(OLD)
        _killed_at_random(["build", str(articles), "--out", str(out)], seconds)
        _build_outputs_are_whole(out, statements)


@pytest.mark.system  # real processes killed or size-limited
@pytest.mark.parametrize("command", ["viz", "map"])
def test_atomic_writes_file_size_limit_keeps_the_old_page(
    tmp_path, filled_store_path, command
):
    page = tmp_path / "page.html"
    page.write_bytes(OLD)
    run = kg_process(command, "--store", str(filled_store_path), "-o", str(page),
                     limit=4096)  # fmt: skip
    out, err = run.communicate()
    assert run.returncode != 0
    line = one_error_line(err)
    assert f"{page}: File too large; free disk space" in line
    assert page.read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.system  # real processes killed or size-limited
def test_atomic_writes_file_size_limit_on_build_keeps_the_old_outputs(
    tmp_path, articles
):
    out = tmp_path / "out"
    first = kg_process("build", str(articles), "--out", str(out))
    assert first.wait() == 0
    first.stdout.close()
    first.stderr.close()
    statements = len(
        list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    )
    # Half the page (it inlines vis-network, hundreds of kilobytes): above what
    # a re-run that stores nothing new writes to the store, below the page.
    limit = (out / "graph.html").stat().st_size // 2
    for name in ("graph.ttl", "graph.html"):
        (out / name).write_bytes(OLD)
    run = kg_process("build", str(articles), "--out", str(out), limit=limit)
    _, err = run.communicate()
    assert run.returncode != 0
    assert b"Traceback" not in err
    last = err.decode("utf-8").strip().splitlines()[-1]
    assert last.startswith("kg: error: ") and "File too large" in last, err
    assert (out / "graph.html").read_bytes() == OLD
    _build_outputs_are_whole(out, statements)
    assert leftovers(out) == []
