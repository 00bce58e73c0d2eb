"""Where a remote store lives, and the HTTP client that speaks to it.

A ``sparql+http[s]://`` store URL (the form is in :mod:`kg.store.remote`) names a
query URL, an update URL, credentials and a timeout; :func:`parse_endpoint`
reads it and :class:`Client` sends form-encoded POSTs there with the standard
library only, answering HTTP Basic or Digest challenges when asked.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.request import (
    BaseHandler,
    HTTPBasicAuthHandler,
    HTTPDigestAuthHandler,
    HTTPPasswordMgrWithDefaultRealm,
    Request,
    build_opener,
)

from kg.errors import StoreError
from kg.store.base import REMOTE_SCHEMES

USER_ENV = "KG_STORE_USER"
PASSWORD_ENV = "KG_STORE_PASSWORD"
DEFAULT_TIMEOUT = 60.0
_OPTIONS = ("update", "timeout")


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store lives: query and update URLs, credentials, timeout."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def display(self) -> str:
        """The store's name in messages: the query URL, never the password."""
        return f"sparql+{self.query_url}"


def parse_endpoint(url: str, env: Mapping[str, str] | None = None) -> Endpoint:
    """Read a ``sparql+http(s)://`` store URL (the form is in kg.store.remote).

    Args:
        url: the --store value.
        env: where KG_STORE_USER / KG_STORE_PASSWORD are looked up (os.environ).

    Raises:
        StoreError: not a sparql+http(s) URL, no host, or an unknown option.
    """
    env = os.environ if env is None else env
    if not url.lower().startswith(REMOTE_SCHEMES):
        raise StoreError(
            f"{url!r} is not a SPARQL store URL; write sparql+http://HOST:PORT/PATH."
        )
    parts = urlsplit(url[len("sparql+") :])
    if not parts.hostname:
        raise StoreError(
            f"{_redact(url)} names no host; write sparql+http://HOST:PORT/PATH."
        )
    options = _options(parts.query, url)
    host = parts.netloc.rpartition("@")[2]
    path = parts.path if parts.path not in ("", "/") else "/query"
    query_url = urlunsplit((parts.scheme, host, path, "", ""))
    return Endpoint(
        query_url=query_url,
        update_url=_update_url(query_url, options.get("update")),
        user=unquote(parts.username) if parts.username else env.get(USER_ENV),
        password=unquote(parts.password) if parts.password else env.get(PASSWORD_ENV),
        timeout=_timeout(options.get("timeout"), url),
    )


def _options(query: str, url: str) -> dict[str, str]:
    options = {}
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        if key not in _OPTIONS:
            raise StoreError(
                f"Unknown option {key!r} in {_redact(url)}; the options are "
                f"{', '.join(_OPTIONS)} (e.g. ?update=/update&timeout=120)."
            )
        options[key] = unquote(value)
    return options


def _update_url(query_url: str, given: str | None) -> str:
    if given:
        return urljoin(query_url, given)
    if query_url.endswith("/query"):
        return query_url[: -len("query")] + "update"
    return query_url


def _timeout(given: str | None, url: str) -> float:
    if given is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise StoreError(
            f"timeout={given!r} in {_redact(url)} is not a number of seconds above 0."
        )
    return seconds


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc))


class Client:
    """Form-encoded POSTs with a timeout, answering auth challenges if asked."""

    def __init__(self, endpoint: Endpoint) -> None:
        handlers: list[BaseHandler] = []
        if endpoint.user is not None:
            passwords = HTTPPasswordMgrWithDefaultRealm()
            for url in {endpoint.query_url, endpoint.update_url}:
                passwords.add_password(
                    None, url, endpoint.user, endpoint.password or ""
                )
            handlers = [
                HTTPBasicAuthHandler(passwords),
                HTTPDigestAuthHandler(passwords),
            ]
        self._opener = build_opener(*handlers)

    def post(
        self, url: str, fields: list[tuple[str, str]], accept: str, timeout: float
    ) -> tuple[bytes, Message]:
        """POST ``fields`` form-encoded; the body and headers of a 2xx answer.

        Raises:
            HTTPError, URLError, TimeoutError: as urllib raises them.
        """
        request = Request(
            url,
            data=urlencode(fields).encode("utf-8"),
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            },
            method="POST",
        )
        with self._opener.open(request, timeout=timeout) as response:
            return response.read(), response.headers


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def why(err: Exception) -> str:
    """What went wrong with a request, in a few words (with the server's own)."""
    if isinstance(err, HTTPError):
        try:
            body = err.read().decode("utf-8", "replace")
        except OSError:
            body = ""
        return f"HTTP {err.code} {err.reason}: {' '.join(body.split())[:300]}"
    if isinstance(err, URLError):
        return str(err.reason)
    return str(err) or type(err).__name__


def timed_out(err: Exception) -> bool:
    reason = err.reason if isinstance(err, URLError) else err
    return isinstance(reason, (TimeoutError, socket.timeout))


__all__ = [
    "DEFAULT_TIMEOUT",
    "PASSWORD_ENV",
    "USER_ENV",
    "Client",
    "Endpoint",
    "capital",
    "parse_endpoint",
    "timed_out",
    "why",
]
