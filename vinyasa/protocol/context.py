"""The request context and the route class that owns each request's transaction.

Every API route uses `AsanaRoute`: it reads the body (413 past the limit), opens one connection,
authenticates the bearer token, then runs the endpoint and commits, or rolls back on any error.
Endpoints take the `Ctx` and answer through `ctx.one` / `ctx.page` / `ctx.empty`, so envelopes,
projection and pagination live here once. No await happens while a transaction is open, so a
request that lost a race with another transaction (vinyasa.db.race_kind) is simply run again.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import random
import re
import time
from collections.abc import Callable, Coroutine, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Annotated, Any, Optional, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Connection, Engine
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from vinyasa.core import Caller, journal
from vinyasa.core.caller import WriteNeeded
from vinyasa.db import RequestTransactions, WriteLockBusy, missing_key, race_kind
from vinyasa.errors import AsanaError, InvalidRequest, NotAuthorized, NotFound, PayloadTooLarge, RateLimited
from vinyasa.protocol import changes, sql
from vinyasa.protocol.body import Payload, fields_option, parse_body, pretty_option, validate
from vinyasa.protocol.fields import FieldTree, parse_fields
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.messages import say
from vinyasa.protocol.pagination import (
    NOT_FILTERS,
    AnySelect,
    Listing,
    OffsetCodec,
    keyset,
    keyset_sql,
    parse_limit,
    query_scope,
)
from vinyasa.protocol.ratelimit import RateLimiter
from vinyasa.protocol.resources import Resource, project, project_one
from vinyasa.walspace import Checkpointer

log = logging.getLogger("vinyasa")
API_PREFIX = "/api/1.0"
JSON = "application/json; charset=UTF-8"
M = TypeVar("M", bound=BaseModel)
_WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
# Query parameters whose value is a list (Asana's `style: form, explode: false` arrays). Clients may
# send one comma-separated value or repeat the key (the Node SDK sends `opt_fields=a&opt_fields=b`).
LIST_PARAMS = frozenset({"opt_fields"})


def query_param(query: QueryParams, name: str) -> str | None:
    """A query parameter's value; for `LIST_PARAMS` every repetition, comma-joined, in order."""
    if name not in LIST_PARAMS:
        return query.get(name)
    values = query.getlist(name)
    return ",".join(values) if values else None


# Runs of one request that lost a race with another transaction (deadlock, serialization failure,
# unique or foreign-key violation; see vinyasa.db.race_kind) before it answers with `_race_error`.
ATTEMPTS = 5
LOCK_PAUSE, LOCK_PAUSE_MAX = 0.0005, 0.004  # seconds between tries for a busy SQLite write lock


@dataclass
class Runtime:
    """Per-process state the routes need: engine, offset signer, limits."""

    engine: Engine
    codec: OffsetCodec
    max_body_bytes: int
    public_url: str | None
    limiter: RateLimiter | None
    rich_text_strict: bool = False  # VINYASA_RICH_TEXT=strict (see vinyasa.richtext)
    busy_timeout: float = 30.0  # seconds a write waits for SQLite's write lock (sqlite_busy_timeout)
    tokens: TokenCache = field(default_factory=lambda: TokenCache())
    transactions: RequestTransactions = field(init=False)
    checkpointer: Checkpointer = field(init=False)

    def __post_init__(self) -> None:
        self.transactions = RequestTransactions(self.engine)
        self.checkpointer = Checkpointer(self.engine)  # SQLite's WAL, off the request path

    def close(self) -> None:
        """Close every database connection (at shutdown)."""
        self.checkpointer.stop()
        self.transactions.close()
        self.engine.dispose()


def token_digest(token: str) -> str:
    """How tokens are stored: SHA-256 hex digest."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(kw_only=True)
class Ctx(Caller):
    """One API request: the caller (connection inside the request's transaction, user, base URL,
    cache, recorded changes, opted-out API changes) plus the HTTP parts only routes use: request,
    body, options, headers."""

    request: Request
    runtime: Runtime
    payload: Payload
    fields: FieldTree | None = None
    pretty: bool = False
    limit: int | None = None
    filters: frozenset[str] = frozenset()  # the operation's declared query parameters that filter
    headers: dict[str, str] = field(default_factory=dict)

    # ---- input -------------------------------------------------------------------------------
    def input(self, model: type[M], refused: Mapping[str, str] | None = None) -> M:
        """The body's `data` validated against `model` (400 naming any bad field, in Asana's words).

        `refused` is a resource's table of fields this request cannot write, each with what to use
        instead: naming one is a 400 (Asana's answer), where other read-only fields are ignored."""
        for name, hint in (refused or {}).items():
            if name in self.payload.data:
                raise InvalidRequest(say("unwritable", name, hint=hint))
        return validate(model, self.payload.data)

    # ---- output ------------------------------------------------------------------------------
    def respond(self, body: dict[str, Any], status: int = 200) -> Response:
        """Serialize an envelope, indented when opt_pretty was asked for; add `Asana-Change`."""
        option = orjson.OPT_INDENT_2 if self.pretty else 0
        if changes.KEY in self.cache:
            notice = changes.header(self, self.disabled)
            if notice:
                self.headers["Asana-Change"] = notice
        return Response(orjson.dumps(body, option=option), status, self.headers or None, JSON)

    def one(self, resource: Resource, gid: int, status: int = 200) -> Response:
        """The full record of one object (opt_fields replaces the default set)."""
        if status == 201:
            kind = resource.resource_type
            plural = kind + "es" if kind.endswith("s") else kind + "s"  # project_status -> project_statuses
            self.headers["Location"] = f"{self.base_url}{API_PREFIX}/{plural}/{gid}"
        return self.respond({"data": project_one(self.conn, self, resource, gid, self.fields)}, status)

    def one_seen(self, resource: Resource, value: str, check: Callable[[], int]) -> Response:
        """The full record of the object the path's `value` names, for a GET of one object:
        `check()` is the access rule (the gid of an object the caller may see, or it raises as for
        an unknown one). The check and the render run together (`sql.gather`: on PostgreSQL the
        check's read travels with the render's first reads, one round trip less); the render is
        answered only when the check passes for the gid `value` spells, else the check's gid is
        rendered afterwards (`me`). A failed check's error is the answer, nothing of the render (an
        error the render met is raised only by rendering again once the check has passed)."""
        guess = as_gid(value)
        if guess is None:
            return self.one(resource, check())

        def render() -> Any:
            try:
                return project_one(self.conn, self, resource, guess, self.fields)
            except Exception as exc:  # noqa: BLE001 - the check decides first; see below
                return exc

        gid, rendered = sql.gather(self.conn, check, render)
        if gid != guess or isinstance(rendered, Exception):  # rendered again, errors raised as usual
            rendered = project_one(self.conn, self, resource, gid, self.fields)
        return self.respond({"data": rendered})

    def data(self, value: Any, status: int = 200) -> Response:
        """A computed `data` value that is not a stored resource."""
        return self.respond({"data": value}, status)

    def empty(self) -> Response:
        """`{"data": {}}`, Asana's answer to deletes and most actions."""
        return self.respond({"data": {}})

    def items(self, resource: Resource, gids: list[int]) -> Response:
        """Compact records of these objects in this order, without `next_page` (the search
        endpoints: Asana pages them by `limit` only)."""
        return self.respond({"data": project(self.conn, self, resource, gids, self.fields, full=False)})

    def page(
        self,
        resource: Resource,
        stmt: AnySelect | Listing,
        *,
        descending: bool = False,
        cap: int = 1000,
        truncate: bool = False,
        full: bool = False,
        render: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
    ) -> Response:
        """A keyset-paginated list of compact records (`full`: full records, for vinyasa's own lists).

        `stmt` selects the sort key columns, the last of which is the item's gid (or is a Listing: the
        same as prepared SQL, for the hottest lists). Without `limit`
        the whole list comes back; past `cap` items that is a 400 (Asana's "result is too large"),
        or a silent cut at `cap` when `truncate` (the alphabetical user lists). `render` turns the
        page's rows into records itself, for a list of several resource types (portfolio items).
        """
        scope = query_scope(self.request.url.path, self.request.query_params.multi_items(), self.filters)
        raw_offset = self.request.query_params.get("offset")
        after = self.runtime.codec.decode(raw_offset, scope) if raw_offset else None
        size = self.limit if self.limit is not None else cap
        rows: list[Any]
        if isinstance(stmt, Listing):
            rows = sql.fetch(self.conn, *keyset_sql(stmt, after, descending=descending, limit=size))
        else:
            rows = list(self.conn.execute(keyset(stmt, after, descending=descending, limit=size)))
        more = len(rows) > size
        if more and self.limit is None and not truncate:
            raise InvalidRequest(
                "The result is too large. You should use pagination (may require specifying a workspace)!"
            )
        rows = rows[:size]
        if render is not None:
            items = render(rows)
        else:
            items = project(self.conn, self, resource, [r[-1] for r in rows], self.fields, full=full)
        body: dict[str, Any] = {"data": items}
        if self.limit is not None:
            body["next_page"] = self._next_page(list(rows[-1]), scope) if more else None
        return self.respond(body)

    def _next_page(self, key: list[Any], scope: str) -> dict[str, str]:
        token = self.runtime.codec.encode(key, scope)
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "offset"]
        params.append(("offset", token))
        # `path` is relative to the API's base (Asana's), `uri` the full address of the route itself
        # (also outside /api/1.0: vinyasa's own /_vinyasa/ lists page the same way).
        query = "?" + urlencode(params)
        full = self.request.url.path
        path = full.removeprefix(API_PREFIX) + query
        return {"offset": token, "path": path, "uri": self.base_url + full + query}


def _disabled(request: Request) -> frozenset[str]:
    """The Asana changes the client opted out of with `Asana-Disable` (vinyasa.protocol.changes)."""
    if "asana-disable" not in request.headers:
        return frozenset()
    return changes.names(",".join(request.headers.getlist("asana-disable")))


async def current_ctx(request: Request) -> Ctx:
    """FastAPI dependency (async, so no threadpool hop): the context `AsanaRoute` prepared."""
    ctx: Ctx = request.state.ctx
    return ctx


CtxDep = Annotated[Ctx, Depends(current_ctx)]


async def _read_body(request: Request, limit: int) -> bytes:
    """The whole body; 413 past `limit` bytes. A client that goes away mid-body is logged in one
    line (its answer, a 400, goes nowhere)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        path = request.url.path
        log.warning("client disconnected after %d body bytes of %s %s", size, request.method, path)
        raise InvalidRequest("The client disconnected before sending the whole request body") from None
    return b"".join(chunks)


_BASE_URLS: dict[tuple[Any, ...], str] = {}
# A Host header: a DNS name or IPv4 address, or a bracketed IPv6 address, and an optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")


def _base_url(request: Request) -> str:
    """Where the client reached this server (scheme and Host), as Starlette works it out, cached.

    400 for a Host header that is not a host name or address with an optional port (RFC 9112
    section 3.2); only such short, valid hosts are cached (256 at most)."""
    scope = request.scope
    server = scope.get("server")  # a tuple, or a list under some test clients
    host = request.headers.get("host")
    key = (
        scope.get("scheme"),
        host,
        server and tuple(server),
        scope.get("root_path"),
        scope.get("app_root_path"),
    )
    base = _BASE_URLS.get(key)
    if base is None:
        if host is not None and (len(host) > 261 or not _HOST.fullmatch(host)):
            raise InvalidRequest("Invalid Host header")
        if len(_BASE_URLS) >= 256:  # Host comes from clients: bound the cache
            _BASE_URLS.clear()
        base = _BASE_URLS[key] = str(request.base_url).rstrip("/")
    return base


class TokenCache:
    """Recently seen token digests -> user gid, so most requests skip the token lookup.

    Tokens cannot be revoked through the API; they are removed from the database by hand or by
    other processes, which this cache cannot hear about. So entries expire after `ttl` seconds
    (5 by default): a token removed from the database stops working at most `ttl` seconds later,
    in every worker process. Unknown tokens are never cached.
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[int, float]] = {}

    def get(self, digest: str) -> int | None:
        hit = self._entries.get(digest)
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, digest: str, user_gid: int) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = (user_gid, time.monotonic() + self.ttl)


def _authenticate(conn: Connection, request: Request, cache: TokenCache) -> int:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorized("Not Authorized")
    digest = token_digest(token.strip())
    user = cache.get(digest)
    if user is None:
        user = sql.fetch_value(conn, "SELECT user_gid FROM tokens WHERE token_hash = ?", [digest])
        if user is None:
            raise NotAuthorized("Not Authorized")
        cache.put(digest, user)
    return int(user)


def _query_names(dependant: Dependant) -> frozenset[str]:
    """Every query parameter an endpoint declares, its dependencies' included."""
    names = {q.alias for q in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


def _race_error(kind: str, exc: BaseException) -> AsanaError:
    """What a race still lost after `ATTEMPTS` runs becomes: the answer Asana gives for the state
    the other transaction left (its object is gone: 404; it already exists: 400), or, for lock
    conflicts, Asana's answer to too many concurrent requests (429 with Retry-After)."""
    if kind == "foreign_key":
        key = missing_key(exc)
        return NotFound(f"Unknown object: {key}" if key else "Unknown object")
    if kind == "unique":
        return InvalidRequest("The object already exists")
    return RateLimited(1)


_SPENT = "vinyasa.rate_spent"  # request scope key: the request was counted by the rate limiter


class AsanaRoute(APIRoute):
    """An API route whose request runs in one transaction with an authenticated context."""

    def _direct_inputs(self) -> tuple[list[str], list[tuple[str, str, bool, bool]]] | None:
        """Path and query parameter names (query: name, alias, required, typed) when every input is a
        plain string or an optional typed query parameter, and the only dependency is the context:
        such endpoints are called directly, skipping FastAPI's dependency solving (hundreds of
        microseconds a request), unless a typed parameter is given. Anything else (bodies...) goes
        through FastAPI."""
        dep = self.dependant
        if dep.body_params or dep.header_params or dep.cookie_params:
            return None
        if [d.call for d in dep.dependencies] != [current_ctx]:
            return None
        if "ctx" not in inspect.signature(self.endpoint).parameters:
            return None
        plain = (str, str | None, Optional[str])  # noqa: UP045 - both spellings occur
        if any(f.field_info.annotation not in plain for f in dep.path_params):
            return None
        query = []
        for q in dep.query_params:
            info = q.field_info
            if info.annotation in plain:
                query.append((q.name, q.alias, info.is_required(), False))
            elif not info.is_required() and info.default is None:  # typed (a Boolean...), optional
                query.append((q.name, q.alias, False, True))
            else:
                return None
        return [p.name for p in dep.path_params], query

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        direct = self._direct_inputs()
        endpoint = self.endpoint
        filters = _query_names(self.dependant) - NOT_FILTERS

        async def call(request: Request, ctx: Ctx) -> Response:
            if direct is not None:
                path_names, query = direct
                params = request.query_params
                # A typed parameter, when given, goes through FastAPI's validation and its errors;
                # absent, it is None, as FastAPI would pass.
                if all(
                    alias in params if required else not (typed and alias in params)
                    for _, alias, required, typed in query
                ):
                    kwargs: dict[str, Any] = {name: request.path_params[name] for name in path_names}
                    kwargs.update((name, params.get(alias)) for name, alias, _, _ in query)
                    response: Response = await endpoint(ctx=ctx, **kwargs)
                    return response
            if "fastapi_inner_astack" in request.scope:
                return await inner(request)  # FastAPI validates and reports what is wrong
            async with AsyncExitStack() as stack:  # called by AsanaApp: set what FastAPI's stack would
                names = ("fastapi_middleware_astack", "fastapi_inner_astack", "fastapi_function_astack")
                for name in names:
                    request.scope[name] = stack
                try:
                    return await inner(request)
                finally:  # a retried request gets a fresh stack
                    for name in names:
                        del request.scope[name]

        async def attempt(
            request: Request, runtime: Runtime, raw: bytes, write: bool, first: bool, wait: bool = True
        ) -> Response:
            # From here on nothing awaits until the transaction ends (see module docstring), so running
            # this again after a rollback starts from scratch: a new Ctx (headers, cache), new reads.
            with runtime.transactions.begin(write=write, wait=wait) as conn:
                user_gid = _authenticate(conn, request, runtime.tokens)
                query = request.query_params
                query_text = "".join(k + v for k, v in query.multi_items()) if query else ""
                if "\x00" in request.scope["path"] or "\x00" in query_text:
                    raise InvalidRequest("The request's path or query contains a NUL character")
                if runtime.limiter is not None and first and _SPENT not in request.scope:
                    request.scope[_SPENT] = True  # once per request, even one run in two parts
                    runtime.limiter.spend(user_gid)
                has_body = request.method in _WRITE_METHODS
                payload = parse_body(raw, request.headers.get("content-type", "")) if has_body else Payload()
                opt_fields = query_param(query, "opt_fields")
                fields_raw = opt_fields if opt_fields is not None else payload.options.get("fields")
                pretty = query.get("opt_pretty", payload.options.get("pretty", False))
                base = runtime.public_url or _base_url(request)
                request.state.ctx = Ctx(
                    request=request,
                    conn=conn,
                    runtime=runtime,
                    user_gid=user_gid,
                    payload=payload,
                    base_url=base,
                    fields=parse_fields(fields_option(fields_raw)),
                    pretty=pretty_option(pretty),
                    limit=parse_limit(query.get("limit")),
                    filters=filters,
                    disabled=_disabled(request),
                    rich_text_strict=runtime.rich_text_strict,
                    writable=write,
                )
                response = await call(request, request.state.ctx)
                journal.flush(request.state.ctx)  # the request's changes, in its own transaction
                return response

        async def locked(
            request: Request, runtime: Runtime, raw: bytes, write: bool, first: bool
        ) -> Response:
            """`attempt`; a write whose BEGIN finds SQLite's write lock held by another process (the
            webhook delivery worker, the job runner, another server process) waits for it here,
            between tries, with the event loop free to serve other requests, not blocked in SQLite's
            busy handler (whose sleeps grow to 100 ms). Past the busy timeout it waits as before."""
            if not write:
                return await attempt(request, runtime, raw, write, first)
            deadline = time.monotonic() + runtime.busy_timeout
            pause = LOCK_PAUSE
            while time.monotonic() < deadline:
                try:
                    return await attempt(request, runtime, raw, write, first, wait=False)
                except WriteLockBusy:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, LOCK_PAUSE_MAX)
            return await attempt(request, runtime, raw, write, first)

        async def handler(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            write = request.method in _WRITE_METHODS
            raw = await _read_body(request, runtime.max_body_bytes) if write else b""
            for tries in range(1, ATTEMPTS + 1):
                try:
                    return await locked(request, runtime, raw, write, tries == 1)
                except WriteNeeded:  # a read that must write (Caller.need_write): again, as a write
                    if write:
                        raise
                    write = True
                    continue
                except Exception as exc:
                    kind = race_kind(exc)
                    if kind is None:
                        raise
                    if tries == ATTEMPTS:
                        raise _race_error(kind, exc) from exc
                # Outside the transaction: let the other one finish (5-10, 10-20, 20-40, 40-80 ms).
                await asyncio.sleep(random.uniform(0.5, 1.0) * 0.005 * 2**tries)
            raise AssertionError("unreachable")

        self.asana_handler = handler  # AsanaApp calls it directly (vinyasa.protocol.dispatch)
        return handler
