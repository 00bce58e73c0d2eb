"""Writing a file so that it is either the old one or the complete new one.

Every file kg writes (exports, HTML views and maps, ``kg build``'s Turtle and
HTML, cache entries) goes through here. A file written in place is cut short by
a kill, a full disk or a file-size limit, and the user is left with neither the
old file nor the new one; two processes writing the same fixed temporary name
mix their bytes. So the new content goes to a temporary file of its own
(:func:`tempfile.mkstemp`) in the target's folder, is flushed to disk and then
renamed over the target (one atomic step on POSIX), and the folder is synced so
the rename survives a crash.

Two kinds of target are not replaced. A symlink is followed and its target is
replaced atomically, so the link stays a link (a user's ``latest.ttl`` pointing
into a dated folder keeps pointing there). A FIFO or a character device
(``/dev/stdout``, a named pipe a reader waits on) is written directly: renaming
a file over it would remove the pipe and leave the reader waiting forever.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from kg.errors import KGError, UsageError, printable

#: errno values that mean "no room": a full disk, a quota, a file-size limit.
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
#: Top folders whose files are the system's (devices, process handles).
_SPECIAL = frozenset({"dev", "proc"})
#: errno values that mean "not allowed here".
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


def write_bytes(
    path: str | Path,
    data: bytes,
    *,
    what: str = "file",
    error: type[KGError] = UsageError,
) -> None:
    """Replace ``path`` with ``data`` atomically (see the module docstring).

    ``what`` names the file in the error ("view", "export"); ``error`` is the
    KGError subclass the caller documents for an unwritable output.

    Raises:
        KGError: (of class ``error``) the file cannot be written; ``path`` is
            then unchanged and no temporary file is left behind.
    """
    with replacing(path, what=what, error=error) as handle:
        handle.write(data)


def write_text(
    path: str | Path,
    text: str,
    *,
    what: str = "file",
    error: type[KGError] = UsageError,
) -> None:
    """Replace ``path`` with ``text`` as UTF-8, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"), what=what, error=error)


@contextmanager
def replacing(
    path: str | Path, *, what: str = "file", error: type[KGError] = UsageError
) -> Iterator[BinaryIO]:
    """A binary file whose content replaces ``path`` when the block ends cleanly.

    For output written piece by piece (a marshal dump, a streamed export). If
    the block raises, ``path`` is left as it was and the exception goes on (an
    OSError becomes ``error``, one line naming the file).
    """
    with replacing_path(path, what=what, error=error) as scratch:
        with _reraised(path, what, error), open(scratch, "wb") as handle:
            yield handle
            handle.flush()


@contextmanager
def replacing_path(
    path: str | Path, *, what: str = "file", error: type[KGError] = UsageError
) -> Iterator[Path]:
    """A path to write (by anything, e.g. Oxigraph's own serialiser) that then
    replaces ``path`` atomically when the block ends cleanly.

    The path given is a fresh temporary file beside the target, except for a
    FIFO or character device, where it is the target itself (written in place):
    a writer that syncs what it wrote fails there (EINVAL), so such callers
    check :func:`is_stream` and write through :func:`replacing` instead.
    """
    given = Path(path)
    if is_stream(given):
        with _reraised(given, what, error):
            yield given
        return
    target = Path(os.path.realpath(given))  # a symlink: replace what it points to
    with _reraised(given, what, error):
        mode = _final_mode(target)
        scratch = _scratch_beside(target)
    committed = False
    try:
        with _reraised(given, what, error):
            yield scratch
            _commit(scratch, target, mode)
            committed = True
    finally:
        if not committed:  # the block failed or was killed by an exception
            with suppress(OSError):
                scratch.unlink(missing_ok=True)


def _scratch_beside(target: Path) -> Path:
    """A new, empty file of this process's own in ``target``'s folder.

    Its name is unique (two processes writing one target never share it) and
    hidden, and it sits on the same file system, so the rename is atomic.
    """
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(descriptor)
    return Path(name)


def _commit(scratch: Path, target: Path, mode: int) -> None:
    """Sync ``scratch``'s bytes to disk, give it its mode, rename it to ``target``.

    The sync comes first: a rename that reaches the disk before the data would
    leave an empty file after a power cut, which is the failure this avoids.
    """
    descriptor = os.open(scratch, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.chmod(scratch, mode)
    os.replace(scratch, target)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; skipped where the system cannot.

    Some file systems refuse to open or sync a directory; the file is already
    in place by then, so that is no reason to report a failure.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def is_stream(path: Path) -> bool:
    """True for what is written directly, never replaced: a FIFO, a character
    device, or a name under /dev or /proc (``/dev/stdout`` names the process's
    own output, which may be a pipe, a terminal or a file opened to append)."""
    if _SPECIAL.intersection(path.absolute().parts[1:2]):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _final_mode(target: Path) -> int:
    """The permissions the new file gets: the replaced file's, else the umask's.

    mkstemp makes its file 0600 so no one reads it half-written; left like that,
    a page or export shared with a group or a web server would become unreadable.
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Setting and resetting it (the portable way) would, for that instant, give
    files another thread creates the wrong permissions.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _reraised(path: str | Path, what: str, error: type[KGError]) -> Iterator[None]:
    """Turn an OSError inside the block into ``error``: one line, file and remedy."""
    try:
        yield
    except BrokenPipeError:
        raise  # the reader of a pipe went away (``| head``): not a failure to report
    except OSError as err:
        raise error(unwritable(path, what, err)) from err


def unwritable(path: str | Path, what: str, err: OSError) -> str:
    """The one-line message for a file that could not be written."""
    reason = err.strerror or str(err)
    if err.errno in _NO_ROOM:
        remedy = (
            "free disk space (or raise the file-size limit) and run again; "
            "the previous file is unchanged"
        )
    elif err.errno in _NOT_ALLOWED:
        remedy = "choose a file in a folder you can write to"
    else:
        remedy = "choose a file in an existing, writable directory"
    return f"cannot write the {what} to {printable(str(path))}: {reason}; {remedy}"


__all__ = [
    "current_umask",
    "is_stream",
    "replacing",
    "replacing_path",
    "unwritable",
    "write_bytes",
    "write_text",
]
