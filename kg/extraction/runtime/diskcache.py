"""A per-user cache, kept between runs, of tables kg derives from its dependencies.

Building the GeoNames city index took seconds in every process (each ``kg``
command, each extraction worker); reading it back takes a fraction of one. An
entry is named by a key of everything it was derived from (package versions, the
source of the code that built it), so a new version of either builds it afresh.
Entries are written with :mod:`marshal`: plain Python values only, so reading one
runs no code. A cache that cannot be read or written is skipped, never an error.

The folder is ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
from pathlib import Path
from typing import TypeAlias

from kg.errors import KGError
from kg.files import replacing

logger = logging.getLogger(__name__)

#: What an entry may hold: plain values and containers of them, as marshal
#: writes them (no objects, so reading an entry back runs no code).
Marshallable: TypeAlias = (
    None
    | bool
    | int
    | float
    | str
    | bytes
    | tuple["Marshallable", ...]
    | list["Marshallable"]
    | dict[str, "Marshallable"]
)

CACHE_ENV = "KG_CACHE_DIR"


def cache_dir() -> Path:
    """Where entries are kept (not created until something is saved)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


def has(name: str, key: str) -> bool:
    """True if an entry is kept under ``name`` and ``key`` (readable or not)."""
    return _path(name, key).is_file()


def load(name: str, key: str) -> object | None:
    """The value saved under ``name`` and ``key``, or None if there is none.

    An unreadable or damaged entry counts as none (and is rebuilt by the caller).
    """
    path = _path(name, key)
    try:
        with path.open("rb") as handle:
            return marshal.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError) as err:
        logger.debug("cache entry %s unreadable (%s); rebuilding it", path, err)
        return None


def save(name: str, key: str, value: Marshallable) -> None:
    """Keep ``value`` (plain Python data) under ``name`` and ``key``.

    Written to a temporary file and renamed, so a reader never sees half an
    entry; entries of ``name`` under other keys (older versions) are removed.
    """
    path = _path(name, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, value)
        for stale in path.parent.glob(f"{name}-*.marshal"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError, KGError) as err:
        logger.debug("cannot write cache entry %s (%s); going on without", path, err)


def _write(path: Path, value: Marshallable) -> None:
    """Write an entry atomically (:mod:`kg.files`): processes that build the same
    table at once each rename a whole file of their own into place."""
    with replacing(path, what="cache entry", error=KGError) as handle:
        marshal.dump(value, handle)


def _path(name: str, key: str) -> Path:
    """One file per name and key; the marshal format and Python version count."""
    full = f"{key}|marshal {marshal.version}|python {sys.version_info[:2]}"
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:16]
    return cache_dir() / f"{name}-{digest}.marshal"
