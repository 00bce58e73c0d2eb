"""A SPARQL 1.1 Protocol endpoint and the HTML view, over HTTP.

``kg serve`` lets other tools (rdflib's SPARQLStore, SPARQLWrapper, YASGUI,
curl) query a store. Whoever can reach the port can send any query, so:

- Nothing can write by default: query workers open the store with
  ``pyoxigraph.Store.read_only``, SPARQL Update is refused at the door, and
  SERVICE and LOAD are refused by :func:`kg.query.check_read_only` before a
  query reaches the store.
- Writes need a write token (``Settings.write_token``, ``--write-token``): only
  then does one writer process open the store read-write, and ``POST /update``
  accepts SPARQL Update from requests carrying ``Authorization: Bearer TOKEN``
  (compared in constant time; the token is never logged). Even then only
  INSERT DATA / DELETE DATA into one article graph run, through the Store's
  methods, so the union default graph stays right (:mod:`kg.serve.updates`).
- Time and size are bounded: queries run in worker processes that are killed
  after ``timeout`` seconds (see :mod:`kg.serve.workers`), results are capped
  at ``max_rows`` (header ``X-SPARQL-MaxRows`` when cut, as Virtuoso does), and
  request bodies at :data:`kg.serve.protocol.MAX_BODY_BYTES`.
- Only ``/`` (the graph view), ``/sparql`` and ``/update`` are served; no path
  from a request ever reaches the file system (there are no asset files). The
  server binds 127.0.0.1 by default and, when bound to loopback, refuses foreign
  Host headers (DNS rebinding).
"""

from __future__ import annotations

import hmac
import logging
import signal
import threading
from collections.abc import Callable

from kg.errors import QueryError, StoreError
from kg.query.guard import check_read_only
from kg.serve.handlers import store_version
from kg.serve.protocol import (
    HTTPServer,
    is_loopback,
    make_http_server,
    read_only_reply,
)
from kg.serve.replies import Reply, error_reply, negotiate
from kg.serve.settings import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    Settings,
    check_settings,
)
from kg.serve.workers import WorkerPool

logger = logging.getLogger(__name__)


class Endpoint:
    """The running service: worker pool, HTTP server and the cached view.

    Use as a context manager; :meth:`serve_until_stopped` blocks.
    """

    def __init__(self, settings: Settings) -> None:
        check_settings(settings)
        self.settings = settings
        self.pool = WorkerPool(settings.store, settings.workers)
        self.writer: WorkerPool | None = None
        if settings.write_token is not None:
            self.writer = WorkerPool(settings.store, 1, writable=True)
        self.http: HTTPServer | None = None
        self._view: tuple[tuple, Reply] | None = None
        self._view_lock = threading.Lock()

    def __enter__(self) -> Endpoint:
        try:
            self.pool.start()
            if self.writer is not None:
                self.writer.start()
            self.http = self._listen()
        except BaseException:
            self._close_pools()  # no worker outlives a server that did not start
            raise
        if self.writer is not None and not is_loopback(self.settings.host):
            logger.warning(
                "updates are enabled on %s: the write token travels in clear text "
                "over plain HTTP; put a TLS proxy in front of kg serve",
                self.settings.host,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.http is not None:
            self.http.server_close()
        self._close_pools()

    def _listen(self) -> HTTPServer:
        try:
            return make_http_server(self)
        except OSError as err:
            raise StoreError(
                f"Cannot listen on {self.settings.host}:{self.settings.port}: "
                f"{err.strerror or err}. Choose another --port or --host."
            ) from err

    def _close_pools(self) -> None:
        self.pool.close()
        if self.writer is not None:
            self.writer.close()

    @property
    def writable(self) -> bool:
        """True when started with a write token (updates accepted at /update)."""
        return self.writer is not None

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. http://127.0.0.1:8000/."""
        host, port = self._listening().server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def _listening(self) -> HTTPServer:
        """The HTTP server; it exists only inside ``with Endpoint(...)``."""
        if self.http is None:
            raise StoreError(
                "The endpoint is not listening; use it as a context manager: "
                "with Endpoint(settings) as endpoint: ..."
            )
        return self.http

    def serve_until_stopped(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then return (the caller exits cleanly)."""
        # Both signals stop the server, even when it was started with SIGINT
        # ignored (a background job of a non-interactive shell inherits that).
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.signal(number, _interrupt)
        try:
            self._listening().serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            logger.info("stopping")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def query(self, text: str, accept: str | None) -> Reply:
        """Refuse what cannot be read-only, then run the query in a worker."""
        if not text.strip():
            return error_reply(400, "The query is empty; send query=SELECT ...")
        try:
            check_read_only(text)
        except QueryError as err:
            return error_reply(403, str(err))
        request = ("query", text, accept, self.settings.max_rows)
        return self.pool.run(request, self.settings.timeout)

    def authorised(self, header: str | None) -> bool:
        """True if an Authorization header carries the write token (constant time)."""
        token = self.settings.write_token
        scheme, _, given = (header or "").strip().partition(" ")
        if token is None or scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("latin-1"), token.encode())

    def update(self, text: str) -> Reply:
        """Apply an authorised SPARQL Update in the writer process."""
        if self.writer is None:
            return read_only_reply()
        if not text.strip():
            return error_reply(400, "The update is empty; send update=INSERT DATA ...")
        return self.writer.run(("update", text), self.settings.timeout)

    def view(self) -> Reply:
        """The HTML view, drawn again only when the store has changed."""
        with self._view_lock:
            version = store_version(self.settings.store)
            if self._view is not None and self._view[0] == version:
                return self._view[1]
            reply = self.pool.run(
                ("view", self.settings.title), self.settings.view_timeout
            )
            if reply.status == 200:
                self._view = (version, reply)
            return reply


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings, *, on_start: Callable[[str], None] | None = None) -> None:
    """Serve a store until Ctrl-C or SIGTERM; the API behind ``kg serve``.

    Args:
        settings: store, address, timeout and result cap.
        on_start: called with the base URL once the server listens.

    Raises:
        StoreError: no store at the path, it cannot be opened, or the port is taken.
        UsageError: a timeout that is not between 0 and one day, or a bad setting.
    """
    with Endpoint(settings) as endpoint:
        if on_start is not None:
            on_start(endpoint.url)
        endpoint.serve_until_stopped()


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "Reply",
    "Settings",
    "negotiate",
    "serve",
]
