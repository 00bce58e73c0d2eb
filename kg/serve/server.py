"""A SPARQL 1.1 Protocol endpoint and the HTML view, over HTTP (uvicorn).

The HTTP layer is a Starlette application (:mod:`kg.serve.protocol`) served by
uvicorn with its h11 parser: a maintained stack parses requests, keeps
connections alive and survives malformed requests and clients that go away,
answering them with a status instead of a traceback. :class:`Listener` binds
the socket itself (so port 0 and a taken port are known before serving) and
leaves signals to :meth:`Endpoint.serve_until_stopped`.

``kg serve`` lets other tools (rdflib's SPARQLStore, SPARQLWrapper, YASGUI,
curl) query a store. Whoever can reach the port can send any query, so:

- Nothing can write by default: query workers open the store with
  ``pyoxigraph.Store.read_only``, SPARQL Update is refused at the door, and
  SERVICE and LOAD are refused by :func:`kg.query.check_read_only` (in the
  worker, inside :func:`kg.query.execute`) before a query reaches the store.
- Writes need a write token (``Settings.write_token``, ``--write-token``): only
  then does one writer process open the store read-write, and ``POST /update``
  accepts SPARQL Update from requests carrying ``Authorization: Bearer TOKEN``
  (compared in constant time; the token is never logged). Even then only
  INSERT DATA / DELETE DATA into one article graph run, through the Store's
  methods, so the union default graph stays right, and only once the new
  article graph passes kg's SHACL shapes and leaves the run history alone
  (:mod:`kg.serve.updates`).
- Time and size are bounded: queries run in worker processes that are killed
  after ``timeout`` seconds (see :mod:`kg.serve.workers`), results are capped
  at ``max_rows`` (header ``X-SPARQL-MaxRows`` when cut, as Virtuoso does), an
  answer over ``max_answer_bytes`` is refused in the worker (so this process
  never holds it), and request bodies over ``max_request_bytes`` get 413.
- Only ``/`` and ``/view`` (the graph view), ``/sparql`` and ``/update`` are
  served; no path from a request ever reaches the file system (there are no
  asset files). The server binds 127.0.0.1 by default and, when bound to
  loopback, refuses foreign Host headers (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator

import uvicorn

from kg.errors import StoreError
from kg.serve.handlers import store_version
from kg.serve.protocol import (
    MAX_HEAD_BYTES,
    ASGIApp,
    is_loopback,
    make_app,
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


class _Uvicorn(uvicorn.Server):
    """uvicorn's server without its signal handling: :class:`Endpoint` owns that.

    uvicorn would re-raise a captured SIGTERM once stopped, ending the process
    with the signal rather than letting ``kg serve`` say "stopped" and exit 0.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Listener:
    """The listening socket and the uvicorn server that answers on it.

    The socket is bound at once (a taken port fails before anything is served,
    and port 0 is known at once); :meth:`serve_forever` runs the event loop in
    the calling thread until :meth:`shutdown` (from another thread or a signal).
    """

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, not 0: asyncio turns Nagle off (TCP_NODELAY) only on
        # connections of such a socket; with it on, every answer written in two
        # parts (head, then body) waited ~40 ms for the client's delayed ACK.
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((host, port))
            self.socket.listen(128)
        except OSError:
            self.socket.close()
            raise
        self.server_address = self.socket.getsockname()
        config = uvicorn.Config(
            app,
            http="h11",
            lifespan="off",
            access_log=False,  # kg.serve.protocol logs requests, never a token
            log_config=None,  # uvicorn's loggers go wherever kg's logging goes
            proxy_headers=False,
            server_header=False,
            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
            timeout_keep_alive=60,  # seconds an idle client may hold a connection
            timeout_graceful_shutdown=5,
        )
        self.server = _Uvicorn(config)
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float = 0.1) -> None:
        """Serve until :meth:`shutdown`; uvicorn polls its stop flag every 0.1 s."""
        self._stopped.clear()
        try:
            asyncio.run(self.server.serve(sockets=[self.socket]))
        finally:
            self._stopped.set()

    def stop_soon(self) -> None:
        """Ask the server to stop (safe from a signal handler)."""
        self.server.should_exit = True

    def shutdown(self) -> None:
        """Stop serving and wait until the loop has ended."""
        self.stop_soon()
        self._stopped.wait(15)

    def server_close(self) -> None:
        self.socket.close()


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
        self.http: Listener | None = None
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

    def _listen(self) -> Listener:
        try:
            return Listener(make_app(self), self.settings.host, self.settings.port)
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

    def _listening(self) -> Listener:
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
        listener = self._listening()

        def stop(signum: int, frame: object) -> None:
            logger.info("stopping")
            listener.stop_soon()

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.signal(number, stop)
        try:
            listener.serve_forever()
        except KeyboardInterrupt:
            logger.info("stopping")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def query(
        self,
        text: str,
        accept: str | None,
        base_iri: str | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Reply:
        """Refuse what cannot be read-only, then run the query in a worker.

        ``base_iri`` resolves relative IRIs (the endpoint's URL); the graph lists
        are the protocol's dataset (None: the union, and every named graph).
        """
        if not text.strip():
            return error_reply(400, "The query is empty; send query=SELECT ...")
        # SERVICE, LOAD and updates are refused (403) in the worker, by
        # kg.query.execute's check_read_only, before the query reaches the store:
        # checked once, beside the query, not again in this one server process.
        settings = self.settings
        request = (
            "query", text, accept, settings.max_rows, base_iri, default_graph,
            named_graphs, settings.max_answer_bytes,
        )  # fmt: skip
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
    "Listener",
    "Reply",
    "Settings",
    "negotiate",
    "serve",
]
