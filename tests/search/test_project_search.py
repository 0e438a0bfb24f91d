"""Project search: text on names, team/owner/member filters, completion, dates, sorting, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


async def search(client, world, **params) -> list[str]:
    found = ok(await client.get(f"/workspaces/{world.workspace}/projects/search", params=params))
    return [p["name"] for p in found]


async def test_filters_and_sorting(client, world, tick):
    bob, _ = world.person("bob@example.com")
    a = (await make_project(client, world, name="Launch website", due_on="2030-02-01"))["gid"]
    tick()
    b = (await make_project(client, world, name="Website copy", notes="launch", due_on="2030-01-01"))["gid"]
    tick()
    c = (await make_project(client, world, name="Hiring plan"))["gid"]
    with world.db() as db:  # no API sets a project's completion yet
        db.execute(
            text("UPDATE projects SET completed = :t, completed_at = 5 WHERE gid = :g"),
            {"t": True, "g": int(b)},
        )
        db.commit()
    ok(await client.post(f"/projects/{c}/addMembers", json={"data": {"members": bob}}))
    assert sorted(await search(client, world, text="web")) == ["Launch website", "Website copy"]
    assert await search(client, world, text="launch") == ["Launch website"]  # names only
    assert await search(client, world, completed="true") == ["Website copy"]
    assert await search(client, world, **{"members.any": bob}) == ["Hiring plan"]
    assert sorted(await search(client, world, **{"members.not": bob})) == ["Launch website", "Website copy"]
    assert len(await search(client, world, **{"owner.any": "me", "teams.any": world.team})) == 3
    assert await search(client, world, sort_by="due_date", sort_ascending="true") == [
        "Website copy", "Launch website", "Hiring plan"
    ]  # fmt: skip
    assert await search(client, world, **{"due_on.before": "2030-01-15"}) == ["Website copy"]
    assert await search(client, world, due_on="null") == ["Hiring plan"]
    assert await search(client, world, sort_by="created_at", limit="1") == ["Hiring plan"]
    assert await search(client, world, **{"completed_on.before": "2000-01-01"}) == ["Website copy"]
    assert await search(client, world, **{"completed_at.after": "2000-01-01T00:00:00Z"}) == []
    assert a


@pytest.mark.parametrize(
    "query", ["completed=x", "sort_by=likes", "teams.any=1", "owner.any=no@example.com", "portfolios.any=1",
              "due_on=x", "limit=0"],
)  # fmt: skip
async def test_bad_filters(client, world, query):
    fails(await client.get(f"/workspaces/{world.workspace}/projects/search?{query}"), 400)


async def test_visibility(client, world):
    _, token = world.person("bob@example.com")
    await make_project(client, world, name="Secret roadmap", privacy_setting="private")
    await make_project(client, world, name="Open roadmap")
    async with api_client(world.env, token) as as_bob:
        found = ok(await as_bob.get(f"/workspaces/{world.workspace}/projects/search?text=roadmap"))
        assert [p["name"] for p in found] == ["Open roadmap"]
    assert len(await search(client, world, text="roadmap")) == 2
