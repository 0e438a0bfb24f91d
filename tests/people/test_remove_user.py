"""POST /workspaces/{gid}/removeUser: what leaves with the user, what stays (other workspaces), and
what the change journal tells sync clients and webhooks about it (both databases)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import World, api_client
from tests.helpers import ok

pytestmark = pytest.mark.anyio

# A workspace's rows a removeUser could touch.
ROWS = {
    "tasks": "SELECT gid, assignee_gid, modified_at FROM tasks WHERE workspace_gid = :w ORDER BY gid",
    "projects": "SELECT gid, owner_gid, modified_at FROM projects WHERE workspace_gid = :w ORDER BY gid",
    "project_members": "SELECT m.gid, m.user_gid, m.access_level, m.is_follower FROM project_members m"
    " JOIN projects p ON p.gid = m.project_gid WHERE p.workspace_gid = :w ORDER BY m.gid",
    "task_followers": "SELECT f.task_gid, f.user_gid FROM task_followers f JOIN tasks t ON t.gid = f.task_gid"
    " WHERE t.workspace_gid = :w ORDER BY f.task_gid, f.user_gid",
    "team_members": "SELECT m.team_gid, m.user_gid FROM team_members m JOIN teams t ON t.gid = m.team_gid"
    " WHERE t.workspace_gid = :w ORDER BY 1, 2",
    "portfolios": "SELECT gid, owner_gid FROM portfolios WHERE workspace_gid = :w ORDER BY gid",
    "portfolio_members": "SELECT m.portfolio_gid, m.user_gid, m.access_level FROM portfolio_members m"
    " JOIN portfolios p ON p.gid = m.portfolio_gid WHERE p.workspace_gid = :w ORDER BY 1, 2",
    "workspace_members": "SELECT user_gid, is_admin FROM workspace_members WHERE workspace_gid = :w ORDER BY 1",
}


def _rows(world: World, workspace: str) -> dict[str, list[tuple[Any, ...]]]:
    with world.db() as conn:
        return {k: [tuple(r) for r in conn.execute(text(q), {"w": int(workspace)})] for k, q in ROWS.items()}


async def _things(c: httpx.AsyncClient, workspace: str, team: str) -> tuple[str, str, str]:
    """A project, a portfolio and a task (in the project, assigned to the caller) of the caller's."""
    project = ok(await c.post("/projects", json={"data": {"name": "P", "team": team}}), 201)["gid"]
    portfolio = ok(await c.post("/portfolios", json={"data": {"name": "F", "workspace": workspace}}), 201)[
        "gid"
    ]
    body = {"name": "t", "projects": [project], "assignee": "me"}
    task = ok(await c.post("/tasks", json={"data": body}), 201)["gid"]
    return project, portfolio, task


async def _bob_everywhere(client: httpx.AsyncClient, world: World) -> tuple[str, dict[str, Any]]:
    """Bob in the organization and in another workspace, in each: a team member, owner of a project,
    a portfolio and a task, member of the owner's project and portfolio, assignee and follower of
    the owner's task. Returns bob and, per workspace, what was made there."""
    other = world.other_workspace("Elsewhere", "owner@example.com")
    bob, token = world.person("bob@example.com", [world.workspace, str(other["workspace"])])
    made: dict[str, Any] = {}
    for workspace, team in ((world.workspace, world.team), (str(other["workspace"]), str(other["team"]))):
        ok(await client.post(f"/teams/{team}/addUser", json={"data": {"user": bob}}))
        async with api_client(world.env, token) as c:
            theirs = await _things(c, workspace, team)
        project, portfolio, task = await _things(client, workspace, team)
        ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": [bob]}}))
        ok(await client.post(f"/tasks/{task}/addFollowers", json={"data": {"followers": [bob]}}))
        ok(await client.put(f"/tasks/{task}", json={"data": {"assignee": bob}}))
        ok(await client.post(f"/portfolios/{portfolio}/addMembers", json={"data": {"members": [bob]}}))
        made[workspace] = {"theirs": theirs, "ours": (project, portfolio, task), "other": other}
    return bob, made


async def test_remove_user_ends_everything_there_and_nothing_elsewhere(client, world):
    bob, _made = await _bob_everywhere(client, world)
    other = next(iter(_made.values()))["other"]["workspace"]
    elsewhere = _rows(world, str(other))
    assert any(int(bob) in row for rows in elsewhere.values() for row in rows)
    ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": bob}}))
    assert _rows(world, str(other)) == elsewhere  # the other workspace: not a row changed
    here = _rows(world, world.workspace)
    owner = int(world.user)
    assert [r[1] for r in here["tasks"]] == [owner, owner]  # both tasks passed to the caller
    assert [r[1] for r in here["projects"]] == [owner, owner]
    assert [r[1] for r in here["portfolios"]] == [owner, owner]
    for table in (
        "project_members",
        "task_followers",
        "team_members",
        "portfolio_members",
        "workspace_members",
    ):
        assert not [r for r in here[table] if int(bob) in r], (table, here[table])
    admins = [r for r in here["project_members"] if r[1] == owner and r[2] == "admin"]
    assert len(admins) == 2  # the caller administers bob's project now


def _stream(world: World, gid: str) -> tuple[str, dict[str, str]]:
    """Where a resource's events are read: the workspace's own stream, or /events."""
    if gid == world.workspace:
        return f"/workspaces/{gid}/events", {}
    return "/events", {"resource": gid}


async def _sync(c: httpx.AsyncClient, world: World, gid: str) -> str:
    path, params = _stream(world, gid)
    first = await c.get(path, params=params)
    assert first.status_code == 412
    token: str = first.json()["sync"]
    return token


async def test_remove_user_journals_what_it_changes(client, world):
    """What removeUser changes reaches the event streams (and so webhooks) as the same change made
    through its own endpoint would: the task's new assignee and its follower gone, the project's new
    owner, its new admin (the caller, when not a member yet) and member gone, the portfolio's and the team's member gone."""
    bob, made = await _bob_everywhere(client, world)
    project, portfolio, task = made[world.workspace]["ours"]
    their_project = made[world.workspace]["theirs"][0]
    syncs = {gid: await _sync(client, world, gid) for gid in (project, their_project, world.workspace)}
    ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": bob}}))

    def seen(events: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        """(resource, action, field, change action, the user or resource the change names)."""
        found: set[tuple[Any, ...]] = set()
        for e in events:
            change = e.get("change") or {}
            value: dict[str, Any] = next(
                (change[k] for k in ("new_value", "added_value", "removed_value") if change.get(k)), {}
            )
            found.add(
                (
                    e["resource"]["gid"],
                    e["action"],
                    change.get("field"),
                    change.get("action"),
                    value.get("gid"),
                )
            )
        return found

    got = {}
    for gid, sync in syncs.items():
        path, params = _stream(world, gid)
        r = await client.get(path, params={**params, "sync": sync})
        assert r.status_code == 200, r.text
        got[gid] = seen(r.json()["data"])
    assert (task, "changed", "assignee", "changed", world.user) in got[project], got[project]
    assert (task, "changed", "followers", "removed", bob) in got[project], got[project]
    assert (project, "changed", "members", "removed", bob) in got[project], got[project]
    theirs = got[their_project]
    assert (their_project, "changed", "owner", "changed", world.user) in theirs, theirs
    assert (their_project, "changed", "members", "added", world.user) in theirs, theirs
    assert (project, "changed", "members", "added", world.user) not in got[project]  # already one
    assert (portfolio, "changed", "members", "removed", bob) in got[world.workspace], got[world.workspace]
    their_portfolio = made[world.workspace]["theirs"][1]
    assert (their_portfolio, "changed", "members", "added", world.user) in got[world.workspace]
    assert (their_portfolio, "changed", "owner", "changed", world.user) in got[world.workspace]
    assert (world.team, "changed", "members", "removed", bob) in got[world.workspace], got[world.workspace]
