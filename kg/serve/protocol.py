"""The SPARQL 1.1 Protocol over HTTP, as a Starlette (ASGI) application.

Why Starlette and uvicorn rather than ``http.server``: request-line and header
parsing, keep-alive, chunked bodies, client disconnects and the limits on what
a client may send are done by a maintained stack (uvicorn's h11 parser answers
a malformed request line with 400 instead of a traceback, and this layer turns
an over-long one into 414), and the application is a plain ASGI callable that
tests drive over real HTTP. What stays here is the endpoint's own policy.

Only ``/`` and ``/view`` (the graph view), ``/sparql`` and ``/update`` are
served; no path from a request ever reaches the file system (there are no asset
files). When bound to loopback the server refuses foreign Host headers (DNS
rebinding). What a request asks for is done by the :class:`Service`
(``kg.serve.server.Endpoint``) in its worker processes; those blocking calls run
on Starlette's thread pool, so the event loop keeps serving other clients.
"""

from __future__ import annotations

import html
import ipaddress
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response

from kg.serve.incoming import (
    closing,
    no_token,
    read_body,
    read_only_reply,
    read_post,
    update_text,
    url_params,
)
from kg.serve.page import query_page_csp, render_query_page
from kg.serve.replies import Reply, Service, error_reply
from kg.serve.settings import Settings

logger = logging.getLogger(__name__)

#: Longest request target (path and query string); longer GETs get 414 (use POST).
MAX_TARGET_BYTES = 1 << 16
#: Largest request head uvicorn's h11 parser buffers (above it: 400).
MAX_HEAD_BYTES = 1 << 18

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)
_STRICT_CSP = b"default-src 'none'; frame-ancestors 'none'"
_EXAMPLE_QUERY = (
    "SELECT ?event ?type WHERE { ?event a kg:Event ; kg:eventType ?type } LIMIT 10"
)
_INDEX_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def make_app(service: Service) -> ASGIApp:
    """The ASGI application of ``kg serve`` for one running service."""

    async def sparql(request: Request) -> Response:
        method = _method(request)
        if method not in ("GET", "POST"):
            return _not_allowed(method, ("GET", "POST"))
        return send(await _sparql(service, request, method))

    async def index(request: Request) -> Response:
        method = _method(request)
        if method != "GET":
            return _not_allowed(method, ("GET",))
        return send(await run_in_threadpool(front_page, service))

    async def view(request: Request) -> Response:
        method = _method(request)
        if method != "GET":
            return _not_allowed(method, ("GET",))
        return send(await run_in_threadpool(service.view))

    async def update(request: Request) -> Response:
        method = _method(request)
        if method != "POST":
            return _not_allowed(method, ("POST",))
        return send(await _update(service, request))

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        return send(error_reply(404, f"Nothing at {path[:200]}; try / or /sparql."))

    sparql_app: ASGIApp = _App(request_response(sparql))
    if service.settings.cors:
        # Only /sparql: a page from another origin may query, never update.
        sparql_app = CORSMiddleware(
            sparql_app,
            allow_origins=list(service.settings.cors),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["X-SPARQL-MaxRows"],
            max_age=600,
        )
    app = Starlette(
        routes=[
            Route("/", index, methods=_ALL_METHODS),
            Route("/view", view, methods=_ALL_METHODS),
            Route("/sparql", sparql_app),  # an ASGI app: every method reaches it
            Route("/update", update, methods=_ALL_METHODS),
        ],
        exception_handlers={404: not_found, HTTPException: not_found},
    )
    app.router.redirect_slashes = False
    return _Guard(app, service.settings)


class _App:
    """An ASGI callable that Starlette's Route mounts as is (for every method)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class _Guard:
    """Outermost layer: Host check, target length, security headers, access log.

    It sees every request and every answer, including those of Starlette's own
    middleware, so no reply leaves without the browser hardening headers.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan is off; nothing else
            return
        status = 0

        async def send_hardened(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _harden(list(message.get("headers", [])))
            await send(message)

        refused = self._refuse(scope)
        try:
            if refused is not None:
                await _send_reply(refused, send_hardened)  # the body stays unread
            else:
                await self.app(scope, receive, send_hardened)
        finally:
            _log_request(scope, status)

    def _refuse(self, scope: Scope) -> Reply | None:
        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
        if target > MAX_TARGET_BYTES:
            return error_reply(
                414,
                f"The request target is over {MAX_TARGET_BYTES} bytes; send a long "
                "query by POST (application/sparql-query or a form).",
                ("Connection", "close"),
            )
        bound = self.settings.host
        host = _header(scope, b"host")
        if host is None or not is_loopback(bound):
            return None
        name = urlsplit(f"//{host}").hostname or ""
        if name.lower() in _LOOPBACK_NAMES or is_loopback(name):
            return None
        return error_reply(403, f"Host {host[:100]!r} is not served here.")


async def _send_reply(reply: Reply, send: Send) -> None:
    headers = [(b"content-type", reply.content_type.encode("latin-1"))]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers
    ]
    await send(
        {"type": "http.response.start", "status": reply.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": reply.body})


def _harden(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Add the security headers and the strict CSP unless the reply sets its own.

    Names go out in their usual spelling (Starlette lowercases them; HTTP does
    not care, but some clients and scripts compare them as written).
    """
    names = {name.lower() for name, _ in headers}
    for name, value in _SECURITY_HEADERS:
        if name not in names:
            headers.append((name, value))
    if b"content-security-policy" not in names:
        headers.append((b"content-security-policy", _STRICT_CSP))
    return [(_spelled(name), value) for name, value in headers]


_SPELLINGS = {
    b"www-authenticate": b"WWW-Authenticate",
    b"x-sparql-maxrows": b"X-SPARQL-MaxRows",
}


def _spelled(name: bytes) -> bytes:
    lower = name.lower()
    return _SPELLINGS.get(lower) or b"-".join(
        part[:1].upper() + part[1:] for part in lower.split(b"-")
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _log_request(scope: Scope, status: int) -> None:
    """Log method, path and status; never a query string of /update."""
    target = scope.get("path", "")
    if target != "/update" and scope.get("query_string"):
        target += "?" + bytes(scope["query_string"]).decode("latin-1")
    client = scope.get("client") or ("-", 0)
    logger.info('%s "%s %s" %s', client[0], scope.get("method"), target[:300], status)


def send(reply: Reply) -> Response:
    """A Starlette response carrying a :class:`Reply` as is."""
    response = Response(reply.body, status_code=reply.status)
    response.headers["content-type"] = reply.content_type
    for name, value in reply.headers:
        response.headers.append(name, value)
    return response


def _method(request: Request) -> str:
    return "GET" if request.method == "HEAD" else request.method


def _not_allowed(method: str, allowed: tuple[str, ...]) -> Response:
    allow = ", ".join(allowed + (("HEAD",) if "GET" in allowed else ()))
    return send(
        error_reply(
            405,
            f"{method} is not allowed here.",
            ("Allow", allow),
            ("Connection", "close"),  # any body is left unread
        )
    )


async def _sparql(service: Service, request: Request, method: str) -> Reply:
    params, problem = url_params(request.url.query)
    if problem is None and method == "POST":
        problem = await read_post(service, request, params)
    if problem is not None:
        return problem
    accept = request.headers.get("accept")
    base = str(request.url.replace(query="", fragment=""))
    return await _protocol_query(service, method, params, accept, base)


async def _update(service: Service, request: Request) -> Reply:
    """POST /update: check the token before reading a byte of the body."""
    header = request.headers.get("authorization")
    if not service.writable or not service.authorised(header):
        reply = no_token(header) if service.writable else read_only_reply()
        return closing(reply)  # the body is left unread
    params, problem = url_params(request.url.query)
    if problem is not None:
        return closing(problem)
    body, problem = await read_body(request, service.settings.max_request_bytes)
    if problem is not None:
        return problem
    text, problem = update_text(params, body, request.headers.get("content-type"))
    if problem is not None:
        return problem
    return await run_in_threadpool(service.update, text)


async def _protocol_query(
    service: Service,
    method: str,
    params: dict[str, list[str]],
    accept: str | None,
    base_iri: str,
) -> Reply:
    """Check the SPARQL Protocol parameters, then run the one query.

    ``default-graph-uri`` and ``named-graph-uri`` (any number of each) make the
    query's dataset (SPARQL 1.1 Protocol, 2.1.4): given either, the default
    graph is the merge of the first and ``GRAPH`` sees only the second, over
    any FROM / FROM NAMED of the query; given neither, the default graph is the
    union of the store's graphs and every named graph is visible.
    """
    if "update" in params:
        return read_only_reply(service.writable)
    defaults = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    default_graph = named_graphs = None
    if defaults or named:
        default_graph, named_graphs = defaults, named
    queries = params.get("query", [])
    if not queries and method == "GET":
        return _index_page()
    if not queries:
        return error_reply(400, "No query: send query=SELECT ... in the form body.")
    if len(queries) > 1:
        return error_reply(400, "Send exactly one query parameter.")
    return await run_in_threadpool(
        service.query, queries[0], accept, base_iri, default_graph, named_graphs
    )


def front_page(service: Service) -> Reply:
    """``/``: the query page (YASGUI, offline, posting to /sparql)."""
    body = render_query_page("/sparql").encode("utf-8")
    csp = ("Content-Security-Policy", query_page_csp("/sparql"))
    return Reply(200, "text/html; charset=utf-8", body, (csp,))


def _index_page() -> Reply:
    """What a browser sees at /sparql without a query: where things are."""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto}}
textarea{{width:100%;font-family:monospace}}</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET or POST
<code>query=</code>); the prefixes kg:, kgr:, cameo:, skos: ... are declared.
<a href="/">The front page</a> is at <code>/</code>, <a href="/view">the graph
view</a> at <code>/view</code>.</p>
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
    "MAX_HEAD_BYTES",
    "MAX_TARGET_BYTES",
    "Service",
    "is_loopback",
    "make_app",
    "read_only_reply",
]
