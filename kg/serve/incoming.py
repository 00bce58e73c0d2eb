"""Reading a SPARQL 1.1 Protocol request: its body, parameters and charset.

Split from :mod:`kg.serve.protocol` (the routes and middleware): what a POST
may carry (a form or ``application/sparql-query``/``-update``, UTF-8 only, at most
``Settings.max_request_bytes``), how URL and body parameters merge, the dataset an
update names, and the one-line replies when any of it is wrong.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.requests import Request

from kg.serve.replies import Reply, error_reply

if TYPE_CHECKING:
    from kg.serve.replies import Service

#: How far past the cap a declared body is still read (and thrown away) so that
#: a client still sending gets the 413 rather than a broken pipe.
_DRAIN_BYTES = 4 << 20


async def read_post(
    service: Service, request: Request, params: dict[str, list[str]]
) -> Reply | None:
    """Add the POST body's query to ``params``; a Reply if it cannot be read."""
    body, problem = await read_body(request, service.settings.max_request_bytes)
    if problem is not None:
        return problem
    media, charset = _content_type(request.headers.get("content-type", ""))
    if media == "application/sparql-update":
        return read_only_reply(service.writable)
    if media in _BODY_TYPES and not _is_utf8(charset):
        return _not_utf8(charset)
    if media == "application/x-www-form-urlencoded":
        return merge_params(params, body)
    if media == "application/sparql-query":
        try:
            params.setdefault("query", []).append(body.decode("utf-8"))
        except UnicodeDecodeError:
            return error_reply(400, "The query body is not valid UTF-8.")
        return None
    return error_reply(
        415,
        "Send the query as application/sparql-query or as "
        "application/x-www-form-urlencoded query=...",
    )


async def read_body(request: Request, limit: int) -> tuple[bytes, Reply | None]:
    """The whole body, or 413 once it is over ``limit`` bytes.

    A Content-Length over the limit is refused before a byte is read; a body
    without one (chunked) is counted as it arrives and refused at the first
    chunk past the limit, so at most ``limit`` bytes (plus one chunk) are ever
    held. The 413 closes the connection: the rest of the body is never read.
    """
    length = request.headers.get("content-length", "").strip()
    declared = int(length) if length.isdigit() else None
    if declared is not None and declared > limit:
        if declared - limit <= _DRAIN_BYTES:
            # Read (and drop) a modest overshoot so that the client, still
            # sending, gets the 413 rather than a broken pipe; a huge body
            # stays unread.
            async for _ in request.stream():
                pass
        return b"", closing(_too_large(limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", closing(_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks), None


def closing(reply: Reply) -> Reply:
    """The reply with ``Connection: close``: the rest of the body is not read."""
    return Reply(
        reply.status,
        reply.content_type,
        reply.body,
        reply.headers + (("Connection", "close"),),
    )


def url_params(query: str) -> tuple[dict[str, list[str]], Reply | None]:
    try:
        params = parse_qs(
            query,
            keep_blank_values=True,
            errors="strict",
            max_num_fields=100,
        )
    except (UnicodeDecodeError, ValueError) as err:
        return {}, error_reply(400, f"The request parameters cannot be read: {err}.")
    return params, None


def merge_params(params: dict[str, list[str]], body: bytes) -> Reply | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error_reply(400, "The form body is not valid UTF-8.")
    form, problem = url_params(text)
    for key, values in form.items():
        params.setdefault(key, []).extend(values)
    return problem


_NOT_KEYWORDS = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^>\s]*>|#[^\n]*""")
_DATASET_KEYWORD = re.compile(r"(?<![\w:])(?:WITH|USING)(?![\w:])", re.IGNORECASE)


def _names_dataset(update: str) -> bool:
    """True if an update's text holds USING or WITH (outside strings and IRIs)."""
    return bool(_DATASET_KEYWORD.search(_NOT_KEYWORDS.sub(" ", update)))


_BODY_TYPES = {
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
}


def _is_utf8(charset: str) -> bool:
    return charset.lower().replace("-", "").replace("_", "") == "utf8"


def _not_utf8(charset: str) -> Reply:
    """415: the SPARQL 1.1 Protocol takes queries and updates in UTF-8 only."""
    return error_reply(
        415,
        f"The body is declared as {charset[:40]}; SPARQL requests are UTF-8 only "
        "(send charset=utf-8, or no charset).",
    )


def _content_type(header: str) -> tuple[str, str]:
    media, *params = (p.strip() for p in header.split(";"))
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    return media.lower(), charset


def _too_large(limit: int) -> Reply:
    return error_reply(
        413,
        f"The body is over {limit} bytes (kg serve --max-request-bytes); send a "
        "shorter query, or split the update into several.",
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


def no_token(header: str | None) -> Reply:
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


def update_text(
    params: dict[str, list[str]], body: bytes, content_type: str | None
) -> tuple[str, Reply | None]:
    """The one update of a POST /update (SPARQL 1.1 Protocol, section 2.2)."""
    media, charset = _content_type(content_type or "")
    if media in _BODY_TYPES and not _is_utf8(charset):
        return "", _not_utf8(charset)
    if media == "application/x-www-form-urlencoded":
        problem = merge_params(params, body)
        if problem is not None:
            return "", problem
    elif media == "application/sparql-update":
        try:
            params.setdefault("update", []).append(body.decode("utf-8"))
        except UnicodeDecodeError:
            return "", error_reply(400, "The update body is not valid UTF-8.")
    else:
        return "", error_reply(
            415,
            "Send the update as application/sparql-update or as "
            "application/x-www-form-urlencoded update=...",
        )
    extra = set(params) - {"update"}
    using = {"using-graph-uri", "using-named-graph-uri"}
    if extra & using and any(_names_dataset(u) for u in params.get("update", [])):
        return "", error_reply(
            400,
            "The update names its dataset twice, with USING or WITH in the text and "
            "using-graph-uri / using-named-graph-uri in the request: the SPARQL 1.1 "
            "Protocol (2.2.3) refuses that; keep one.",
        )
    if extra:
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
