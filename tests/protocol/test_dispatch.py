"""The direct route table answers exactly as Starlette's route list would; kept connections stay clean."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match, Route

from tests.helpers import fails, ok
from vinyasa.app import create_app
from vinyasa.config import Settings
from vinyasa.protocol.context import AsanaRoute
from vinyasa.protocol.dispatch import RouteTable

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
ODD_SEGMENTS = ("123", "me", "a b", "%2F", "x\n", "0" * 200, "projects", "insert", "")


def _starlette_match(routes: list[Route], method: str, path: str) -> Route | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
    return None


def _paths(routes: list[Route]) -> set[str]:
    """Every route's path with odd values in its parameters, plus near misses around it."""
    paths = {"/", "/api/1.0", "/api/1.0/", "/healthz", "//api/1.0/users/me"}
    for route in routes:
        for value in ODD_SEGMENTS:
            path = route.path_format
            for name in route.param_convertors:
                path = path.replace("{" + name + "}", value)
            paths |= {path, path + "/", path + "/extra", path.rsplit("/", 1)[0], path.replace("/api/1.0", "")}
    return paths


def test_route_table_agrees_with_starlette_on_every_path_and_method():
    app = create_app(Settings(database_url="sqlite://"))
    routes = [r for r in app.router.routes if isinstance(r, Route)]
    table = RouteTable(app.router.routes)
    checked = 0
    for path in _paths(routes):
        for method in METHODS:
            expected = _starlette_match(routes, method, path)
            route, handler, params = table.match(method, path)
            assert route is expected, (method, path)
            if route is not None:
                assert (
                    params
                    == route.matches({"type": "http", "method": method, "path": path})[1]["path_params"]
                )
                assert (handler is not None) == isinstance(route, AsanaRoute)
            checked += 1
    assert checked > 5000


def test_route_table_stops_at_a_route_it_cannot_model():
    async def endpoint() -> None:
        return None

    anything = APIRoute("/api/1.0/{rest:path}", endpoint)
    later = APIRoute("/api/1.0/users/me", endpoint)
    table = RouteTable([anything, later])
    assert table.match("GET", "/api/1.0/users/me") == (None, None, {})


pytestmark = pytest.mark.anyio


async def test_fast_path_and_full_stack_give_the_same_answers(client):
    # Matched directly: the endpoint's 404. Not matched: the full stack decides (a 404 envelope for a
    # wrong method, Starlette's redirect for a trailing slash), as before the route table existed.
    fails(await client.get("/projects/1"), 404, "project")
    fails(await client.delete("/users/me"), 404, "No matching route")  # no DELETE /users/{gid}
    assert (await client.head("/users/me")).status_code == 200  # HEAD answers as GET (RFC 9110)
    assert (await client.head("/users/me/nothing")).status_code == 404
    r = await client.get("/projects/1/")
    assert r.status_code == 307 and r.headers["location"].endswith("/api/1.0/projects/1")


async def test_kept_connections_start_every_request_clean(client, world):
    # A write that fails half-way rolls back and its connection serves the next request normally.
    fails(await client.post("/teams", json={"data": {"name": "x", "organization": "999"}}), 400)
    gid = ok(
        await client.post("/teams", json={"data": {"name": "Kept", "organization": world.workspace}}), 201
    )["gid"]
    assert ok(await client.get(f"/teams/{gid}"))["name"] == "Kept"
    assert world.count("SELECT count(*) FROM teams") == 2
    kept = world.env.app.state.runtime.transactions
    for _ in range(3):
        ok(await client.get("/users/me"))
    assert all(not conn.in_transaction() for idle in kept._idle.values() for conn in idle)
    assert all(len(idle) <= kept.keep for idle in kept._idle.values())
