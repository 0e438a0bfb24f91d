"""The project lists: GET /projects, /workspaces/{gid}/projects, /teams/{gid}/projects."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.projects.helpers import gids, make_project

pytestmark = pytest.mark.anyio


async def _world_of_projects(client, world):
    """Two teams, an archived project, and a project in a second workspace of the owner."""
    other_team = ok(
        await client.post("/teams", json={"data": {"name": "Other", "organization": world.workspace}}), 201
    )
    second = world.other_workspace("Second", "owner@example.com")
    made = {
        "a": await make_project(client, world, name="A"),
        "b": await make_project(client, world, name="B", archived=True),
        "c": await make_project(client, world, name="C", team=other_team["gid"]),
        "d": await make_project(client, world, name="D", workspace=second["workspace"], team=second["team"]),
    }
    return {k: v["gid"] for k, v in made.items()}, other_team["gid"], second


async def test_get_projects_filters(client, world):
    p, other_team, second = await _world_of_projects(client, world)
    every = ok(await client.get("/projects"))
    assert sorted(gids(every)) == sorted(p.values())
    assert gids(every) == sorted(gids(every), key=int)  # stable order: by gid
    assert all(set(item) == {"gid", "resource_type", "name"} for item in every)
    assert all(item["resource_type"] == "project" for item in every)
    in_ws = set(gids(ok(await client.get(f"/projects?workspace={world.workspace}"))))
    assert in_ws == {p["a"], p["b"], p["c"]}
    assert set(gids(ok(await client.get(f"/projects?team={world.team}")))) == {p["a"], p["b"]}
    both = ok(await client.get(f"/projects?workspace={world.workspace}&team={other_team}"))
    assert gids(both) == [p["c"]]
    for flag in ("true", "True"):
        assert gids(ok(await client.get(f"/projects?archived={flag}"))) == [p["b"]]
    for flag in ("false", "False"):
        assert set(gids(ok(await client.get(f"/projects?archived={flag}&workspace={world.workspace}")))) == {
            p["a"],
            p["c"],
        }
    assert gids(ok(await client.get(f"/projects?workspace={second['workspace']}"))) == [p["d"]]


async def test_get_projects_bad_filters(client, world):
    stranger = world.other_workspace("Theirs", "x@example.com")
    second = world.other_workspace("Second", "owner@example.com")
    fails(await client.get("/projects?archived=maybe"), 400, "archived")
    fails(await client.get("/projects?workspace=999"), 400, "workspace")
    fails(await client.get(f"/projects?workspace={stranger['workspace']}"), 400, "workspace")
    fails(await client.get("/projects?team=abc"), 400, "team")
    fails(await client.get(f"/projects?team={stranger['team']}"), 400, "team")
    fails(await client.get(f"/projects?workspace={world.workspace}&team={second['team']}"), 400, "team")


async def test_workspace_and_team_lists(client, world):
    p, other_team, second = await _world_of_projects(client, world)
    assert set(gids(ok(await client.get(f"/workspaces/{world.workspace}/projects")))) == {
        p["a"],
        p["b"],
        p["c"],
    }
    assert gids(ok(await client.get(f"/workspaces/{world.workspace}/projects?archived=True"))) == [p["b"]]
    assert set(gids(ok(await client.get(f"/workspaces/{world.workspace}/projects?archived=false")))) == {
        p["a"],
        p["c"],
    }
    assert set(gids(ok(await client.get(f"/teams/{world.team}/projects")))) == {p["a"], p["b"]}
    assert gids(ok(await client.get(f"/teams/{world.team}/projects?archived=false"))) == [p["a"]]
    assert gids(ok(await client.get(f"/teams/{other_team}/projects"))) == [p["c"]]
    assert gids(ok(await client.get(f"/teams/{second['team']}/projects"))) == [p["d"]]
    stranger = world.other_workspace("Theirs", "x@example.com")
    for path in (
        "/workspaces/999/projects",
        f"/workspaces/{stranger['workspace']}/projects",
        "/teams/999/projects",
        f"/teams/{stranger['team']}/projects",
    ):
        fails(await client.get(path), 404)
    fails(await client.get(f"/teams/{world.team}/projects?archived=perhaps"), 400, "archived")


async def test_lists_honour_opt_fields(client, world):
    await make_project(client, world, name="A", color="dark-red")
    items = ok(
        await client.get(f"/workspaces/{world.workspace}/projects?opt_fields=name,color,owner.email,archived")
    )
    assert items == [
        {
            "gid": items[0]["gid"],
            "name": "A",
            "color": "dark-red",
            "archived": False,
            "owner": {"gid": world.user, "email": "owner@example.com"},
        }
    ]


async def test_pages_cover_every_project_once(client, world):
    made = {(await make_project(client, world, name=f"P{i}"))["gid"] for i in range(7)}
    for path in ("/projects", f"/workspaces/{world.workspace}/projects", f"/teams/{world.team}/projects"):
        seen, url, pages = [], f"{path}{'&' if '?' in path else '?'}limit=3", 0
        while url:
            body = (await client.get(url)).json()
            pages += 1
            seen += gids(body["data"])
            nxt = body["next_page"]
            url = nxt["path"] if nxt else ""
        assert pages == 3
        assert len(seen) == 7 and set(seen) == made


async def test_offsets_are_bound_to_their_list(client, world):
    for i in range(3):
        await make_project(client, world, name=f"P{i}")
    first = (await client.get(f"/workspaces/{world.workspace}/projects?limit=1")).json()
    token = first["next_page"]["offset"]
    fails(await client.get(f"/teams/{world.team}/projects?limit=1&offset={token}"), 400, "offset")
    fails(
        await client.get(f"/workspaces/{world.workspace}/projects?limit=1&archived=true&offset={token}"), 400
    )
    second = ok(await client.get(f"/workspaces/{world.workspace}/projects?limit=1&offset={token}"))
    assert gids(second) != gids(first["data"])
