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
  request bodies at :data:`MAX_BODY_BYTES`.
- Only ``/`` (the graph view), ``/sparql`` and ``/update`` are served; no path
  from a request ever reaches the file system (there are no asset files). The
  server binds 127.0.0.1 by default and, when bound to loopback, refuses foreign
  Host headers (DNS rebinding).
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import logging
import re
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import QueryError, StoreError, UsageError
from kg.query.worker import bounded_timeout
from kg.serve.handlers import store_version
from kg.serve.replies import Reply, error_reply, negotiate
from kg.serve.workers import WorkerPool

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
#: Largest POST body read; a SPARQL query longer than 1 MiB is not a query.
MAX_BODY_BYTES = 1 << 20
_DRAIN_BYTES = 4 << 20

#: Shortest write token accepted; a token is a password that never expires.
MIN_TOKEN_LENGTH = 16
# RFC 6750's b64token: what an Authorization: Bearer header can carry as is.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/-]+=*")

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)
_STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
_EXAMPLE_QUERY = (
    "SELECT ?event ?type WHERE { ?event a kg:Event ; kg:eventType ?type } LIMIT 10"
)
_INDEX_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"


@dataclass(frozen=True)
class Settings:
    """How ``kg serve`` runs.

    Attributes:
        store: folder of an existing store (opened read-only).
        host, port: where to listen; port 0 picks a free port.
        timeout: seconds a query may run before its worker is killed.
        max_rows: most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned.
        workers: worker processes, i.e. queries that can run at once.
        view_timeout: seconds allowed to draw the HTML view.
        title: title of the HTML view.
        write_token: enables SPARQL Update at /update for requests that carry
            ``Authorization: Bearer`` this token; None keeps the server read-only.
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


class Endpoint:
    """The running service: worker pool, HTTP server and the cached view.

    Use as a context manager; :meth:`serve_until_stopped` blocks.
    """

    def __init__(self, settings: Settings) -> None:
        _check_settings(settings)
        self.settings = settings
        self.pool = WorkerPool(settings.store, settings.workers)
        self.writer: WorkerPool | None = None
        if settings.write_token is not None:
            self.writer = WorkerPool(settings.store, 1, writable=True)
        self.http: ThreadingHTTPServer | None = None
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
        if self.writer is not None and not _is_loopback(self.settings.host):
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

    def _listen(self) -> _HTTPServer:
        try:
            return _make_http_server(self)
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
    def url(self) -> str:
        """Base URL of the running server, e.g. http://127.0.0.1:8000/."""
        host, port = self.http.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def serve_until_stopped(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then return (the caller exits cleanly)."""
        # Both signals stop the server, even when it was started with SIGINT
        # ignored (a background job of a non-interactive shell inherits that).
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.signal(number, _interrupt)
        try:
            self.http.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            logger.info("stopping")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def query(self, text: str, accept: str | None) -> Reply:
        """Refuse what cannot be read-only, then run the query in a worker."""
        from kg.query import check_read_only

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
            return _read_only_reply()
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


def _check_settings(settings: Settings) -> None:
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
    _check_token(settings.write_token)


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


# --- HTTP ---------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint


class _HTTPServerV6(_HTTPServer):
    address_family = socket.AF_INET6


def _make_http_server(endpoint: Endpoint) -> _HTTPServer:
    host = endpoint.settings.host
    cls = _HTTPServerV6 if ":" in host else _HTTPServer
    server = cls((host, endpoint.settings.port), _Handler)
    server.endpoint = endpoint
    return server


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class _Handler(BaseHTTPRequestHandler):
    """Routes /, /sparql, /update; everything else is 404, other methods 405."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    sys_version = ""
    timeout = 60  # seconds a silent client may hold a connection

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._send(self._route())

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(self._route(), body=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET  # noqa: N815

    def _route(self) -> Reply:
        method = "GET" if self.command == "HEAD" else self.command
        refused = self._refuse_host()
        if refused is not None:
            return refused
        path = urlsplit(self.path).path
        if path == "/sparql":
            allowed = ("GET", "POST")
        elif path == "/":
            allowed = ("GET",)
        elif path == "/update":
            allowed = ("POST",)
        else:
            return error_reply(404, f"Nothing at {path[:200]}; try / or /sparql.")
        if method not in allowed:
            self.close_connection = True  # any body is left unread
            allow = ", ".join(allowed + (("HEAD",) if "GET" in allowed else ()))
            return error_reply(405, f"{method} is not allowed here.", ("Allow", allow))
        if path == "/":
            return self.server.endpoint.view()
        if path == "/update":
            return self._update()
        return self._sparql(method)

    def _refuse_host(self) -> Reply | None:
        bound = self.server.endpoint.settings.host
        host = self.headers.get("Host")
        if host is None or not _is_loopback(bound):
            return None
        name = urlsplit(f"//{host}").hostname or ""
        if name.lower() in _LOOPBACK_NAMES or _is_loopback(name):
            return None
        return error_reply(403, f"Host {host[:100]!r} is not served here.")

    def _sparql(self, method: str) -> Reply:
        params, problem = _url_params(self.path)
        if problem is None and method == "POST":
            problem = self._read_post(params)
        if problem is not None:
            return problem
        accept = self.headers.get("Accept")
        return _protocol_query(self.server.endpoint, method, params, accept)

    def _update(self) -> Reply:
        """POST /update: check the token before reading a byte of the body."""
        endpoint = self.server.endpoint
        header = self.headers.get("Authorization")
        if endpoint.writer is None or not endpoint.authorised(header):
            self.close_connection = True  # the body is left unread
            return _read_only_reply() if endpoint.writer is None else _no_token(header)
        params, problem = _url_params(self.path)
        if problem is not None:
            self.close_connection = True
            return problem
        body, problem = self._read_body()
        if problem is not None:
            return problem
        text, problem = _update_text(params, body, self.headers.get("Content-Type"))
        return problem or endpoint.update(text)

    def _read_post(self, params: dict[str, list[str]]) -> Reply | None:
        """Add the POST body's query to ``params``; a Reply if it cannot be read."""
        body, problem = self._read_body()
        if problem is not None:
            return problem
        media, charset = _content_type(self.headers.get("Content-Type", ""))
        if media == "application/sparql-update":
            return _read_only_reply(self.server.endpoint.writer is not None)
        if media == "application/x-www-form-urlencoded":
            return _merge_params(params, body)
        if media == "application/sparql-query":
            try:
                params.setdefault("query", []).append(body.decode(charset))
            except (LookupError, UnicodeDecodeError):
                return error_reply(400, f"The query body is not valid {charset}.")
            return None
        return error_reply(
            415,
            "Send the query as application/sparql-query or as "
            "application/x-www-form-urlencoded query=...",
        )

    def _read_body(self) -> tuple[bytes, Reply | None]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return b"", error_reply(411, "Send a Content-Length (no chunked bodies).")
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self.close_connection = True
            return b"", error_reply(411, "A POST needs a valid Content-Length.")
        if int(length) > MAX_BODY_BYTES:
            self.close_connection = True
            if int(length) <= _DRAIN_BYTES:
                # Read a modest overshoot so that the client, still sending,
                # gets the 413 rather than a broken pipe; a huge body stays unread.
                self._drain(int(length))
            return b"", _too_large()
        return self.rfile.read(int(length)), None

    def _drain(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it (curl asks first)."""
        length = self.headers.get("Content-Length", "0").strip()
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(_too_large())
            return False
        return super().handle_expect_100()

    def _send(self, reply: Reply, *, body: bool = True) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        headers = dict(_SECURITY_HEADERS) | {"Content-Security-Policy": _STRICT_CSP}
        headers |= dict(reply.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(reply.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log method, path and status; never a query string of /update."""
        target = self.path
        if urlsplit(target).path == "/update":
            target = "/update"  # a misplaced ?access_token= stays out of the logs
        code = getattr(code, "value", code)  # an HTTPStatus
        self.log_message('"%s %s" %s %s', self.command, target, code, size)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.info("%s %s", self.address_string(), format % args)


def _url_params(path: str) -> tuple[dict[str, list[str]], Reply | None]:
    try:
        params = parse_qs(
            urlsplit(path).query,
            keep_blank_values=True,
            errors="strict",
            max_num_fields=100,
        )
    except (UnicodeDecodeError, ValueError) as err:
        return {}, error_reply(400, f"The request parameters cannot be read: {err}.")
    return params, None


def _merge_params(params: dict[str, list[str]], body: bytes) -> Reply | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error_reply(400, "The form body is not valid UTF-8.")
    form, problem = _url_params("?" + text)
    for key, values in form.items():
        params.setdefault(key, []).extend(values)
    return problem


def _content_type(header: str) -> tuple[str, str]:
    media, *params = (p.strip() for p in header.split(";"))
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    return media.lower(), charset


def _too_large() -> Reply:
    return error_reply(
        413, f"The body is over {MAX_BODY_BYTES} bytes; send a shorter query."
    )


def _read_only_reply(writable: bool = False) -> Reply:
    if writable:
        return error_reply(
            403,
            "/sparql is read-only: send SPARQL Update to /update with "
            "Authorization: Bearer and the server's write token.",
        )
    return error_reply(
        403,
        "This endpoint is read-only: SPARQL Update is refused. Change the store "
        "with kg ingest or kg remove instead (or start kg serve with --write-token "
        "to accept authorised updates at /update).",
    )


def _no_token(header: str | None) -> Reply:
    """401 as RFC 6750 says: a challenge, and whether the token sent was wrong."""
    challenge = 'Bearer realm="kg serve"'
    if header is not None:
        challenge += ', error="invalid_token"'
    return error_reply(
        401,
        "Updates need the header Authorization: Bearer <write token> with the "
        "token kg serve was started with.",
        ("WWW-Authenticate", challenge),
    )


def _update_text(
    params: dict[str, list[str]], body: bytes, content_type: str | None
) -> tuple[str, Reply | None]:
    """The one update of a POST /update (SPARQL 1.1 Protocol, section 2.2)."""
    media, charset = _content_type(content_type or "")
    if media == "application/x-www-form-urlencoded":
        problem = _merge_params(params, body)
        if problem is not None:
            return "", problem
    elif media == "application/sparql-update":
        try:
            params.setdefault("update", []).append(body.decode(charset))
        except (LookupError, UnicodeDecodeError):
            return "", error_reply(400, f"The update body is not valid {charset}.")
    else:
        return "", error_reply(
            415,
            "Send the update as application/sparql-update or as "
            "application/x-www-form-urlencoded update=...",
        )
    if set(params) - {"update"}:
        # Names are not echoed: a misplaced ?access_token= must not come back.
        return "", error_reply(
            400,
            "/update takes one update= parameter and nothing else: queries go to "
            "/sparql; using-graph-uri and using-named-graph-uri are not supported; "
            "the token goes in the Authorization header.",
        )
    updates = params.get("update", [])
    if len(updates) != 1:
        return "", error_reply(400, "Send exactly one update parameter.")
    return updates[0], None


def _protocol_query(
    endpoint: Endpoint, method: str, params: dict[str, list[str]], accept: str | None
) -> Reply:
    """Check the SPARQL Protocol parameters, then run the one query."""
    if "update" in params:
        return _read_only_reply(endpoint.writer is not None)
    graphs = [
        v
        for k in ("default-graph-uri", "named-graph-uri")
        for v in params.get(k, [])
        if v
    ]
    if graphs:
        return error_reply(
            400,
            "default-graph-uri and named-graph-uri are not supported: queries read "
            "the union of all graphs; use GRAPH <name> { ... } in the query.",
        )
    queries = params.get("query", [])
    if not queries and method == "GET":
        return _index_page()
    if not queries:
        return error_reply(400, "No query: send query=SELECT ... in the form body.")
    if len(queries) > 1:
        return error_reply(400, "Send exactly one query parameter.")
    return endpoint.query(queries[0], accept)


def _index_page() -> Reply:
    """What a browser sees at /sparql without a query: where things are."""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto}}
textarea{{width:100%;font-family:monospace}}</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET or POST
<code>query=</code>); the prefixes kg:, kgr:, cameo:, skos: ... are declared.
<a href="/">The graph view</a> is at <code>/</code>.</p>
<form method="get" action="/sparql"><textarea name="query" rows="8">{
        html.escape(_EXAMPLE_QUERY)
    }</textarea><p><button type="submit">Run</button></p></form>
</body></html>
"""
    return Reply(
        200,
        "text/html; charset=utf-8",
        page.encode(),
        (("Content-Security-Policy", _INDEX_CSP),),
    )


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
