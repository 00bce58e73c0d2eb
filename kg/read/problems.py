"""The problems reading can meet, each as an InputError saying what to do about it.

Every message names a fix a command-line user can apply (re-save as UTF-8, split
the file, quote the number), so an analyst with a broken corpus knows the next step.
"""

from __future__ import annotations

from typing import Any

from kg.errors import InputError


def json_type(value: Any) -> str:
    """'a number', 'an array', ...: a value's JSON type, for messages users act on."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "an object", list: "an array", str: "a string", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _size(n: int) -> str:
    """Human size in decimal units: '25.0 MB', '12.3 kB', '100 bytes'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def too_big(limit: int, size: int | None = None, what: str = "file") -> str:
    """The over-the-limit problem text, with the size when it is known.

    The fix is one a command-line user can apply: the limit is per file, and for
    JSON Lines per line, so a big corpus fits as many files or as one .jsonl file.
    """
    fix = (
        "split that article into smaller ones"
        if what == "line"
        else "split it into one file per article, or one article per line of a "
        ".jsonl file (the limit is then per line)"
    )
    if size is None:
        return f"is over the {_size(limit)} limit; {fix}"
    prefix = "" if what == "file" else f"{what} "
    return f"{prefix}is {_size(size)}, over the {_size(limit)} limit; {fix}"


def empty_file(label: str) -> InputError:
    return InputError(label, "file is empty; add the article text or remove the file")


def binary_file(label: str, head: bytes) -> InputError:
    """NUL bytes: UTF-16 saved without a byte-order mark, or not text at all."""
    if _looks_utf16(head):
        return InputError(
            label,
            "looks like UTF-16 without a byte-order mark; re-save it as UTF-8",
        )
    return InputError(
        label,
        "looks binary (NUL bytes), not text; give kg .txt, .md, "
        ".json or .jsonl articles",
    )


def _looks_utf16(head: bytes) -> bool:
    """Mostly-ASCII UTF-16: every other byte NUL, on one side only."""
    even, odd = head[0::2], head[1::2]
    for zeros, other in ((odd, even), (even, odd)):
        if len(zeros) >= 2 and zeros.count(0) >= 0.9 * len(zeros) and 0 not in other:
            return True
    return False


def bad_utf8(label: str, exc: UnicodeDecodeError, base: int) -> InputError:
    """Name the first bad byte and its offset, so it can be found in a hex editor."""
    bad = exc.object[exc.start]
    return InputError(
        label,
        f"is not valid UTF-8 (byte 0x{bad:02x} at offset "
        f"{base + exc.start}); re-save it as UTF-8",
    )


def unreadable(what: str, exc: ValueError | RecursionError) -> str:
    """The problem with a value a parser could not build (not a syntax error)."""
    if isinstance(exc, RecursionError):
        return (
            f"{what} is nested too deeply to read (an article needs only a few "
            "levels of [ and {); fix it"
        )
    if "digits" in str(exc):  # int() refuses numbers of over 4,300 digits
        return f"{what} holds a number too long to read; put it in quotes as a string"
    return f"{what} cannot be read ({exc}); fix it"


def os_error(label: str, exc: OSError) -> InputError:
    """Map the OS's complaint to a message with a fix."""
    if isinstance(exc, FileNotFoundError):
        return InputError(label, "no such file or directory; check the path")
    if isinstance(exc, PermissionError):
        return InputError(
            label,
            "permission denied; make it readable (chmod +r) "
            "or run kg as a user who can read it",
        )
    return InputError(label, f"cannot be read ({exc.strerror or exc}); check the path")


__all__ = [
    "bad_utf8",
    "binary_file",
    "empty_file",
    "json_type",
    "os_error",
    "too_big",
    "unreadable",
]
