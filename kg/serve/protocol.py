"""The SPARQL 1.1 Protocol over HTTP: routes, request bodies and their limits.

Only ``/`` (the query page), ``/view`` (the graph view), ``/sparql`` and
``/update`` are served; no path from a request ever reaches the file system
(there are no asset files). When
bound to loopback the server refuses foreign Host headers (DNS rebinding). What
a request asks for is done by the :class:`Service` (``kg.serve.server.
Endpoint``), in its worker processes.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from kg.serve.page import query_page_csp, render_query_page
from kg.serve.replies import Reply, error_reply
from kg.serve.settings import Settings

logger = logging.getLogger(__name__)

#: Largest POST body read; a SPARQL query longer than 1 MiB is not a query.
MAX_BODY_BYTES = 1 << 20
_DRAIN_BYTES = 4 << 20

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


class Service(Protocol):
    """What the HTTP layer needs of the running service."""

    settings: Settings

    @property
    def writable(self) -> bool:
        """True when started with a write token (updates accepted at /update)."""
        ...

    def query(self, text: str, accept: str | None) -> Reply:
        """Answer one query."""
        ...

    def update(self, text: str) -> Reply:
        """Apply one authorised update."""
        ...

    def view(self) -> Reply:
        """The HTML view of the store."""
        ...

    def authorised(self, header: str | None) -> bool:
        """True if an Authorization header carries the write token."""
        ...


class HTTPServer(ThreadingHTTPServer):
    """The listening server; it hands each request to a :class:`_Handler`."""

    daemon_threads = True
    endpoint: Service


class HTTPServerV6(HTTPServer):
    """The same, on an IPv6 address."""

    address_family = socket.AF_INET6


def make_http_server(endpoint: Service) -> HTTPServer:
    host = endpoint.settings.host
    cls = HTTPServerV6 if ":" in host else HTTPServer
    server = cls((host, endpoint.settings.port), _Handler)
    server.endpoint = endpoint
    return server


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class _Handler(BaseHTTPRequestHandler):
    """Routes /, /sparql, /update; everything else is 404, other methods 405."""

    server: HTTPServer
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
        allowed: tuple[str, ...]
        if path == "/sparql":
            allowed = ("GET", "POST")
        elif path in ("/", "/view"):
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
            return query_page_reply()
        if path == "/view":
            return self.server.endpoint.view()
        if path == "/update":
            return self._update()
        return self._sparql(method)

    def _refuse_host(self) -> Reply | None:
        bound = self.server.endpoint.settings.host
        host = self.headers.get("Host")
        if host is None or not is_loopback(bound):
            return None
        name = urlsplit(f"//{host}").hostname or ""
        if name.lower() in _LOOPBACK_NAMES or is_loopback(name):
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
        if not endpoint.writable or not endpoint.authorised(header):
            self.close_connection = True  # the body is left unread
            return _no_token(header) if endpoint.writable else read_only_reply()
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
            return read_only_reply(self.server.endpoint.writable)
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


def read_only_reply(writable: bool = False) -> Reply:
    """403 for an update sent where updates are not taken."""
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
    endpoint: Service, method: str, params: dict[str, list[str]], accept: str | None
) -> Reply:
    """Check the SPARQL Protocol parameters, then run the one query."""
    if "update" in params:
        return read_only_reply(endpoint.writable)
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


def query_page_reply() -> Reply:
    """The query page (YASGUI, kg.serve.page) at /, posting to /sparql."""
    page = render_query_page("/sparql").encode("utf-8")
    csp = ("Content-Security-Policy", query_page_csp("/sparql"))
    return Reply(200, "text/html; charset=utf-8", page, (csp,))


def _index_page() -> Reply:
    """What a browser sees at /sparql without a query: where things are."""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto}}
textarea{{width:100%;font-family:monospace}}</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET or POST
<code>query=</code>); the prefixes kg:, kgr:, cameo:, skos: ... are declared.
<a href="/">The query page</a> is at <code>/</code>, the graph view at
<code>/view</code>.</p>
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


__all__ = [
    "MAX_BODY_BYTES",
    "HTTPServer",
    "Service",
    "is_loopback",
    "make_http_server",
    "read_only_reply",
]
