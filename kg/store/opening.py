"""Opening a store: a folder (one writer, many readers), memory, or a server.

A folder store has one writer at a time (RocksDB locks the folder) and any
number of read-only readers beside it. Every read-only open in kg goes through
:func:`open_read_only`, so each one retries the race with a writer the same way.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pyoxigraph as pyox

from kg.errors import StoreError
from kg.store.base import MEMORY, Store, is_remote
from kg.store.failures import failure_message
from kg.store.local import LocalStore

logger = logging.getLogger("kg.store")

#: Seconds between tries of a locked store (open_store's ``wait``).
_LOCK_POLL_SECONDS = 0.2
#: Tries of a read-only open that races a writer (0.05 s apart).
_READ_ONLY_TRIES = 20


def open_store(
    location: str | Path | None = None, *, read_only: bool = False, wait: float = 0
) -> Store:
    """Open (or create) a store in a folder, in memory, or on a SPARQL server.

    A folder store has one writer at a time: RocksDB locks the folder while it is
    open read-write. A second writer fails at once with a StoreError saying the
    store is in use, unless ``wait`` lets it queue. Failing is the default
    because a script or cron job that hangs silently behind a long ingest is
    worse than one that says why it stopped. Readers never take the lock.

    Args:
        location: a folder path, None / "memory" for a throwaway store, or a
            ``sparql+http(s)://`` URL of a shared server (see :mod:`kg.store.remote`).
        read_only: open an existing folder store for reading only. Readers then
            never write the store's files, so any number of them (``kg query``
            and its timeout worker, ``kg serve``) can run beside one writer.
        wait: seconds to keep retrying a folder store that another process
            holds open for writing; 0 fails at once.

    Raises:
        StoreError: the path is a file or a folder of something else, another
            process still holds the store open after ``wait`` seconds, or the
            server cannot be reached.
    """
    if location is None or str(location) == MEMORY:
        return LocalStore(pyox.Store(), None)
    if is_remote(location):
        from kg.store.remote import open_remote

        return open_remote(str(location))
    path = Path(location)
    _check_store_path(path)
    if read_only:
        return open_read_only(path)
    return _open_read_write(path, wait)


def _open_read_write(path: Path, wait: float) -> LocalStore:
    """Open a folder store for writing, retrying for ``wait`` s while it is locked."""
    deadline = time.monotonic() + wait
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # pyoxigraph makes one
            inner = pyox.Store(str(path))
        except (OSError, RuntimeError) as err:  # RuntimeError: RocksDB "Corruption"
            if not _is_locked(err) or time.monotonic() >= deadline:
                raise StoreError(_open_failure(path, err)) from err
            logger.debug("store %s is in use (%s); waiting", path, err)
            time.sleep(_LOCK_POLL_SECONDS)
            continue
        logger.debug("opened store %s", path)
        return LocalStore(inner, path)


def open_read_only(path: Path) -> LocalStore:
    """Open a folder store read-only, retrying while a writer replaces its files.

    A read-only open lists the store's files, then opens them. A writer that
    flushes or compacts in between deletes some, and the open fails with "No such
    file" (OSError) or a RocksDB "Corruption" (RuntimeError) that is only a race:
    retried, the next open sees the new files.

    Raises:
        StoreError: no store in ``path``, or every try failed.
    """
    if not (path / "CURRENT").is_file():
        raise StoreError(
            f"No kg store at {path}: build one with `kg build ARTICLES --out DIR` "
            "or `kg ingest`, or pass --store PATH (env KG_STORE)."
        )
    for _ in range(_READ_ONLY_TRIES):
        try:
            return LocalStore(pyox.Store.read_only(str(path)), path, read_only=True)
        except (OSError, RuntimeError) as err:
            failure = err
            logger.debug("read-only open of %s failed (%s); retrying", path, err)
            time.sleep(0.05)
    raise StoreError(_open_failure(path, failure)) from failure


def _check_store_path(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"Cannot open store {path}: it is a file, not a store folder. "
            "Pass a new or empty folder (or 'memory')."
        )
    if path.is_dir() and not (path / "CURRENT").is_file() and not _new_store(path):
        raise StoreError(
            f"Cannot open store {path}: the folder holds other files and is not an "
            "Oxigraph store. Pass a new or empty folder (or 'memory')."
        )


#: What RocksDB writes into a folder before CURRENT, the file that makes it a
#: store: a run killed then leaves only these, and no data (data lives in
#: ``*.sst`` and ``*.log`` files, written after CURRENT).
_BOOTSTRAP = re.compile(
    r"LOCK|LOG|LOG\.old\.\d+|IDENTITY|MANIFEST-000001|OPTIONS-\d+|\d+\.dbtmp"
)


def _new_store(path: Path) -> bool:
    """True for a folder that holds nothing, or only what an interrupted creation
    of a store left (see ``_BOOTSTRAP``): RocksDB creates the store afresh in it,
    as the README promises that re-running finishes the job. Anything else (a
    user's files, a store that lost its CURRENT) is refused, never overwritten.
    """
    try:
        entries = list(path.iterdir())
    except OSError:
        return True  # let the open itself report why the folder cannot be used
    return all(e.is_file() and _BOOTSTRAP.fullmatch(e.name) for e in entries)


def _is_locked(err: Exception) -> bool:
    """True if RocksDB refused the folder because a writer holds its LOCK file.

    Matched on RocksDB's own words, not on "lock" alone: the folder's path is in
    every message and may itself hold "lock".
    """
    text = str(err).lower()
    return "while lock file" in text or "lock hold by" in text


def _open_failure(path: Path, err: Exception) -> str:
    """The one-line message for a failed open: the cause, then what to do."""
    text = str(err)
    if "lock hold by current process" in text:
        return (
            f"Cannot open store {path}: this process already has it open for "
            "writing. Close that store (or reuse it) before opening it again."
        )
    if _is_locked(err):
        return (
            f"Cannot open store {path}: another kg process is using it (the store "
            "is in use; one writer at a time). Wait for it to finish or close it, "
            "then retry. kg ingest and kg remove can queue with --wait SECONDS; "
            "kg query and kg serve can read the store meanwhile."
        )
    return failure_message(path, err, "open")


__all__ = ["open_read_only", "open_store"]
