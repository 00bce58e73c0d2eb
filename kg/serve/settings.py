"""How ``kg serve`` runs: :class:`Settings`, and the checks made before it starts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import StoreError, UsageError
from kg.query.worker import bounded_timeout

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
#: Largest /sparql answer sent: 64 MiB holds the default 10,000 rows even at
#: 6 KiB a row, and keeps one answer well inside the server's memory.
DEFAULT_MAX_ANSWER_BYTES = 64 << 20
#: Largest POST body read (/sparql and /update): a SPARQL query longer than
#: 1 MiB is not a query, and an update of one article graph is far smaller.
DEFAULT_MAX_REQUEST_BYTES = 1 << 20
#: Smallest byte cap accepted: room for a short query or answer, so that a
#: typo (--max-answer-bytes 64) is refused rather than failing every request.
MIN_CAP_BYTES = 1024
#: Shortest write token accepted; a token is a password that never expires.
MIN_TOKEN_LENGTH = 16
# RFC 6750's b64token: what an Authorization: Bearer header can carry as is.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/-]+=*")
_ORIGIN = re.compile(r"https?://[^/\s?#]+")


@dataclass(frozen=True)
class Settings:
    """How ``kg serve`` runs.

    Attributes:
        store: folder of an existing store (opened read-only).
        host, port: where to listen; port 0 picks a free port.
        timeout: seconds a query may run before its worker is killed.
        max_rows: most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned.
        max_answer_bytes: most bytes of one /sparql answer; a larger one is
            refused in the worker, so the server process never holds it.
        max_request_bytes: most bytes of a POST body (/sparql and /update);
            a larger one gets 413 without being read into memory.
        workers: worker processes, i.e. queries that can run at once.
        view_timeout: seconds allowed to draw the HTML view.
        title: title of the HTML view.
        write_token: enables SPARQL Update at /update for requests that carry
            ``Authorization: Bearer`` this token; None keeps the server read-only.
        cors: origins whose pages may query /sparql from a browser ("*": any);
            empty (the default) sends no CORS headers. /update never gets them.
    """

    store: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    workers: int = 2
    view_timeout: float = 300.0
    title: str = "kg event graph"
    write_token: str | None = field(default=None, repr=False)
    cors: tuple[str, ...] = ()
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES


def check_settings(settings: Settings) -> None:
    """Refuse settings the server cannot run with, before anything starts.

    Raises:
        StoreError: no store folder at ``settings.store``.
        UsageError: a time limit, row or byte cap, worker count or token that
            does not fit.
    """
    store = settings.store
    if str(store) == "memory" or not (Path(store) / "CURRENT").is_file():
        raise StoreError(
            f"No store at {store}: kg serve reads an existing store folder. Build "
            "one first (kg build ARTICLES or kg ingest ARTICLES --store PATH)."
        )
    # Bounded here, not only in the CLI: inf or nan would reach poll() per request.
    bounded_timeout(settings.timeout, "timeout")
    bounded_timeout(settings.view_timeout, "view_timeout")
    if settings.timeout <= 0 or settings.max_rows < 1 or settings.workers < 1:
        raise UsageError(
            "kg serve needs --timeout above 0, --max-rows of at least 1 and at "
            "least one worker."
        )
    if settings.max_answer_bytes < MIN_CAP_BYTES or (
        settings.max_request_bytes < MIN_CAP_BYTES
    ):
        raise UsageError(
            f"kg serve needs --max-answer-bytes and --max-request-bytes of at least "
            f"{MIN_CAP_BYTES} (an error reply or a short query is that long)."
        )
    _check_token(settings.write_token)
    for origin in settings.cors:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise UsageError(
                f"--cors {origin!r} is not an origin; give scheme, host and port as "
                "a browser sends them (https://yasgui.example.org, "
                "http://localhost:8080) or '*' for any."
            )


def _check_token(token: str | None) -> None:
    """Refuse a write token that is short or cannot travel in a Bearer header."""
    if token is None:
        return
    make = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    if len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(
            f"The write token has {len(token)} characters; use at least "
            f"{MIN_TOKEN_LENGTH}, random ({make})."
        )
    if not _TOKEN_CHARS.fullmatch(token):
        raise UsageError(
            "The write token may hold only letters, digits and - . _ ~ + / "
            f"(then = at the end), as in an HTTP Bearer token; {make}."
        )


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_REQUEST_BYTES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "MIN_CAP_BYTES",
    "MIN_TOKEN_LENGTH",
    "Settings",
    "check_settings",
]
