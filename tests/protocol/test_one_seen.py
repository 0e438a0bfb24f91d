"""GET of one object (Ctx.one_seen): the access check and the render run together; the answer is the
render only when the check passes, and a hidden object answers exactly like an unknown one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection

from tests.conftest import World, api_client
from tests.helpers import ok
from tests.projects.helpers import make_project
from vinyasa.protocol import sql

pytestmark = pytest.mark.anyio


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The statements of each round trip of a request on PostgreSQL (each is one `_together` call:
    a statement alone, or several sent together)."""
    sent: list[list[str]] = []
    pipelined = sql._together

    def counted(conn: Connection, statements: list[Any]) -> list[Any]:
        sent.append([q for q, _ in statements])
        return pipelined(conn, statements)

    monkeypatch.setattr(sql, "_together", counted)
    return sent


async def test_the_check_travels_with_the_first_reads(
    client: Any, world: World, trips: list[list[str]]
) -> None:
    gid = (await make_project(client, world))["gid"]
    trips.clear()
    assert ok(await client.get(f"/projects/{gid}"))["name"] == "Roadmap"
    if world.env.backend == "postgresql":
        # the check with the project's own reads, its members read with their names (a link list)
        assert len(trips) == 1, trips
        assert any("FOR SHARE" not in q and "p.default_access_level" in q for q in trips[0])
        assert any(q.startswith("SELECT projects.gid") for q in trips[0])


async def test_a_hidden_object_answers_as_an_unknown_one(client: Any, world: World) -> None:
    _, token = world.person("bob@example.com")
    hidden = (await make_project(client, world, privacy_setting="private"))["gid"]
    async with api_client(world.env, token) as bob:
        seen = await bob.get(f"/projects/{hidden}")
        unknown = await bob.get("/projects/1234567890123456")
    assert seen.status_code == unknown.status_code == 404
    assert seen.json()["errors"][0]["message"].replace(hidden, "X") == unknown.json()["errors"][0][
        "message"
    ].replace("1234567890123456", "X")
    assert seen.headers.get("asana-change") is None


async def test_a_path_that_is_not_a_gid_is_checked_first(client: Any, world: World) -> None:
    me = ok(await client.get("/users/me"))
    assert me["gid"] == world.user
    assert (await client.get("/projects/not-a-gid")).status_code == 404
