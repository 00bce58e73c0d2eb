"""What a failure of the embedded store (RocksDB under pyoxigraph) tells the user.

pyoxigraph raises RocksDB's failures as bare exceptions: a damaged file is a
``RuntimeError("Corruption: …")``, a full disk an ``OSError("IO error: …")``,
at the open, at any write, at the flush on close, or in the middle of reading
query rows. A user should see one line naming the store and what to do, never a
traceback, and this module words that line for every place it can happen.
"""

from __future__ import annotations

from pathlib import Path

#: How RocksDB words a full disk, a quota or a file-size limit (the strerror).
_NO_ROOM = ("No space left", "File too large", "Disk quota exceeded")
#: How RocksDB's own failures begin (its Status codes), as pyoxigraph passes them.
_ROCKSDB = ("Corruption", "IO error")
#: pyoxigraph's words for a store whose creation never finished, opened read-only.
_UNFINISHED = "only possible on read-write instances"


def is_store_failure(err: BaseException) -> bool:
    """True if ``err`` is RocksDB failing (not, say, a bug's RuntimeError).

    The text decides: Python's own OSErrors begin with ``[Errno N]``, RocksDB's
    with its status name.
    """
    if not isinstance(err, (OSError, RuntimeError)):
        return False
    text = str(err)
    return text.startswith(_ROCKSDB) or _UNFINISHED in text


def failure_message(location: Path | str | None, err: BaseException, doing: str) -> str:
    """One line: which store, what went wrong, what to do.

    ``doing`` is the verb of the sentence ("open", "read", "write").
    """
    where = f"store {location or 'memory'}"
    text = str(err).rstrip(". ")
    if _UNFINISHED in text:
        return (
            f"Cannot {doing} {where}: its creation never finished (the run that "
            "created it stopped early). Run `kg ingest` or `kg build` on it again "
            "to finish it."
        )
    if "Corruption" in text:
        return (
            f"Cannot {doing} {where}: it is damaged ({text}). Restore it from a "
            "backup, or rebuild it with `kg build ARTICLES --out DIR` in a new "
            "folder."
        )
    if any(words in text for words in _NO_ROOM):
        return (
            f"Cannot {doing} {where}: {text}. What was stored before is kept; free "
            "disk space (or raise the file-size limit) and run the command again."
        )
    return f"Cannot {doing} {where}: {text}. Check the path and its permissions."


__all__ = ["failure_message", "is_store_failure"]
