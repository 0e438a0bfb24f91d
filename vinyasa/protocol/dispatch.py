"""The application class: API requests go straight to their route; everything else through FastAPI.

Starlette finds a route by trying every route's regex in order and then passes the request through
four middleware layers; for ~65 routes that was a third of the cost of a small GET. `RouteTable`
finds the same route by method and path segments, and `AsanaApp` calls its handler directly,
rendering errors with the app's own exception handlers. Anything the table cannot decide exactly as
Starlette would (no full match, a wrong method, a `root_path`, routes after one it cannot model) goes
through the full FastAPI stack, so the answers are the same, only faster.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.convertors import StringConvertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from vinyasa.protocol.context import AsanaRoute

Handler = Callable[[Request], Awaitable[Response]]
# One entry per route: the path's segments (None where a parameter goes), the parameter names, and
# the route with its handler (None for a route that must be served by the full stack).
_Entry = tuple[tuple[str | None, ...], tuple[str, ...], Route, Handler | None]


class RouteTable:
    """Routes bucketed by (method, number of path segments), in the app's order."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._buckets: dict[tuple[str, int], list[_Entry]] = {}
        for route in routes:
            modelled = isinstance(route, Route) and all(
                isinstance(c, StringConvertor) for c in route.param_convertors.values()
            )
            if not modelled:
                break  # a Mount or a {x:path} route could match any shape: stop here, Starlette decides
            assert isinstance(route, Route)
            segments = route.path_format.split("/")
            pattern = tuple(None if s.startswith("{") else s for s in segments)
            names = tuple(s[1:-1] for s in segments if s.startswith("{"))
            handler = route.asana_handler if isinstance(route, AsanaRoute) else None
            for method in route.methods or ():
                self._buckets.setdefault((method, len(segments)), []).append((pattern, names, route, handler))

    def match(self, method: str, path: str) -> tuple[Route | None, Handler | None, dict[str, str]]:
        """The first route that fully matches, as Starlette's `[^/]+` parameters would (else no route),
        its handler (None: serve it through the full stack) and its path parameters."""
        parts = path.split("/")
        for pattern, names, route, handler in self._buckets.get((method, len(parts)), ()):
            values = []
            for want, got in zip(pattern, parts, strict=True):
                if want is None:
                    if not got:
                        break
                    values.append(got)
                elif want != got:
                    break
            else:
                return route, handler, dict(zip(names, values, strict=True))
        return None, None, {}


class AsanaApp(FastAPI):
    """FastAPI with a direct path for API routes (see the module docstring)."""

    route_table: RouteTable | None = None

    def seal_routes(self) -> None:
        """Build the route table; call once every route is added (later routes still work, slower)."""
        self.route_table = RouteTable(self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.route_table is not None and not scope.get("root_path"):
            # HEAD answers as GET would, without the body (RFC 9110 section 9.3.2; the server drops it).
            method = "GET" if scope["method"] == "HEAD" else scope["method"]
            route, handler, params = self.route_table.match(method, scope["path"])
            if route is not None and handler is not None:
                scope["app"] = self
                scope["route"], scope["endpoint"], scope["path_params"] = route, route.endpoint, params
                await self._serve(handler, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _serve(self, handler: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except Exception as exc:
            response = await self._render_error(request, exc)
        await response(scope, receive, send)

    async def _render_error(self, request: Request, exc: Exception) -> Response:
        """The answer the app's exception handlers give (the most specific class wins, as in Starlette)."""
        handlers: dict[Any, Any] = self.exception_handlers
        for cls in type(exc).__mro__:
            if cls in handlers:
                response: Response = await handlers[cls](request, exc)
                return response
        raise exc
