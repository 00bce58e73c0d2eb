"""Run ``kg`` commands in the test process, through click's CliRunner.

A child process costs an interpreter start and the imports of kg, spaCy, rdflib
and Oxigraph per command. Most command-line tests need nothing only a process
gives (signals, a stdin pipe, dropped privileges, the ``python -m kg`` entry, the
console's encoding), so they run ``kg.cli.main`` here instead: main, not just the
click group, so that its error handling turns a KGError into the same one line
and exit status a user sees. Logging and the environment are set up afresh for
each run and put back after it, as a new process would find and leave them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from click.testing import CliRunner

from kg.cli import main


@dataclass(frozen=True)
class Ran:
    """A finished command: its exit status and what it printed, as bytes.

    The fields are those of ``subprocess.CompletedProcess``, so a test reads the
    same whether the command ran here or in a child process.
    """

    args: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes


def run_kg(*args: str) -> Ran:
    """``kg ARGS...`` run in this process; an exception kg did not handle is
    raised here (a traceback a user would see fails the test)."""
    with (
        CliRunner().isolation() as (stdout, stderr, _),
        _fresh_environ(),
        _fresh_root_logger(),
    ):
        try:
            main(list(args))
            code = 0
        except SystemExit as stop:
            code = _exit_status(stop.code)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return Ran(list(args), code, stdout.getvalue(), stderr.getvalue())


def _exit_status(code: object) -> int:
    """The status a process would exit with after ``sys.exit(code)``."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


@contextmanager
def _fresh_environ() -> Iterator[None]:
    """Undo what a run sets in os.environ (--model-dir, Dask's log level)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _fresh_root_logger() -> Iterator[None]:
    """A root logger without handlers, as in a new process, for the run.

    ``kg`` logs warnings through ``logging.basicConfig``, which does nothing
    while the root logger has a handler (pytest adds its own); without this the
    ``kg: WARNING:`` lines would not reach the captured stderr.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.flush()
        root.handlers[:] = handlers
        root.setLevel(level)
