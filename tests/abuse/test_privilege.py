"""Privilege probes (issue 12 §2): across two workspaces and the project access levels, nobody gains
access they were not given, and nothing the caller cannot see leaks, by status, message or field.

Every refused call is checked to leave the whole database unchanged.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.db import Base

pytestmark = pytest.mark.anyio

SKIP = {"gid_counter", "meta", "alembic_version", "tokens"}


def state(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but counters and tokens), to compare around refused calls."""
    with world.db() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(table.select())),
            )
            for table in Base.metadata.sorted_tables
            if table.name not in SKIP
        }


class Probe:
    """Runs calls that must be refused and checks that none of them changed anything."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.before = state(world)

    async def refuse(self, call: Any, status: int, *fragments: str) -> str:
        message = fails(await call, status, *fragments)
        assert state(self.world) == self.before, f"a refused call ({message}) changed the database"
        return message


def admin_of(world: World, workspace: str, user: str) -> None:
    """Make a user an admin of a workspace (no API does this)."""
    with world.env.engine.begin() as conn:
        conn.execute(
            text("UPDATE workspace_members SET is_admin = :yes WHERE workspace_gid = :w AND user_gid = :u"),
            {"yes": True, "w": int(workspace), "u": int(user)},
        )


async def members(client: httpx.AsyncClient, project: str) -> dict[str, str]:
    """user gid -> access level of a project's memberships."""
    found = ok(await client.get(f"/projects/{project}/project_memberships?opt_fields=user,access_level"))
    return {m["user"]["gid"]: m["access_level"] for m in found}


# ---- editor -> owner -> admin takeover -----------------------------------------------------------


async def test_an_editor_cannot_take_over_a_public_project(client, world):
    """Issue example: on a public project every member is an editor; `owner: me`, then privacy
    `private` and `removeMembers` of the creator would lock the creator (a workspace admin) out."""
    ed, token = world.person("ed@example.com")
    other_team = ok(
        await client.post("/teams", json={"data": {"name": "Other", "organization": world.workspace}}), 201
    )["gid"]
    ok(await client.post(f"/teams/{other_team}/addUser", json={"data": {"user": ed}}))
    project = (await make_project(client, world))["gid"]
    async with api_client(world.env, token) as c:
        probe = Probe(world)
        for change in [
            {"owner": "me"},
            {"owner": ed},
            {"privacy_setting": "private"},
            {"public": False},
            {"privacy_setting": "private_to_team"},
            {"default_access_level": "admin"},
            {"default_access_level": "viewer"},
            {"minimum_access_level_for_sharing": "admin"},
            {"minimum_access_level_for_customization": "admin"},
            {"team": other_team},
            {"name": "mine now", "owner": "me"},
        ]:
            await probe.refuse(c.put(f"/projects/{project}", json={"data": change}), 403, "admin access")
        await probe.refuse(
            c.post(f"/projects/{project}/removeMembers", json={"data": {"members": world.user}}),
            403,
            "admin access",
        )
        # What does not change ownership or settings stays open to editors, and a no-op owner too.
        assert (
            ok(await c.put(f"/projects/{project}", json={"data": {"name": "Renamed"}}))["name"] == "Renamed"
        )
        ok(await c.put(f"/projects/{project}", json={"data": {"owner": world.user, "public": True}}))
    assert await members(client, project) == {world.user: "admin"}
    assert ok(await client.get(f"/projects/{project}"))["owner"]["gid"] == world.user


async def test_an_editor_of_a_private_project_cannot_remove_its_admin(client, world):
    ed, token = world.person("ed@example.com")
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": ed}}))
    assert await members(client, project) == {world.user: "admin", ed: "editor"}
    async with api_client(world.env, token) as c:
        probe = Probe(world)
        for who in (world.user, "owner@example.com", f"{world.user},{ed}"):
            await probe.refuse(
                c.post(f"/projects/{project}/removeMembers", json={"data": {"members": who}}),
                403,
                "admin access",
            )
        # an editor may still leave
        ok(await c.post(f"/projects/{project}/removeMembers", json={"data": {"members": "me"}}))
        fails(await c.get(f"/projects/{project}"), 404)
    assert await members(client, project) == {world.user: "admin"}


async def test_an_editor_adds_members_at_most_as_editors(client, world):
    """Sharing never grants more than the caller has: with default_access_level admin, an editor's
    addMembers/addFollowers add editors (an admin's add admins)."""
    ed, token = world.person("ed@example.com")
    carl, _ = world.person("carl@example.com")
    dora, _ = world.person("dora@example.com")
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": ed}}))
    ok(await client.put(f"/projects/{project}", json={"data": {"default_access_level": "admin"}}))
    async with api_client(world.env, token) as c:
        ok(await c.post(f"/projects/{project}/addMembers", json={"data": {"members": carl}}))
        ok(await c.post(f"/projects/{project}/addFollowers", json={"data": {"followers": dora}}))
    assert await members(client, project) == {
        world.user: "admin",
        **dict.fromkeys([ed, carl, dora], "editor"),
    }


async def test_a_project_always_keeps_an_admin(client, world):
    ann, token = world.person("ann@example.com")
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    me = {"data": {"members": "me"}}
    probe = Probe(world)
    await probe.refuse(
        client.post(f"/projects/{project}/removeMembers", json=me), 400, "members: A project must keep"
    )
    # An admin hands the project over: the new owner becomes an admin, then the old one may leave.
    ok(await client.put(f"/projects/{project}", json={"data": {"owner": ann}}))
    assert await members(client, project) == {world.user: "admin", ann: "admin"}
    ok(await client.post(f"/projects/{project}/removeMembers", json={"data": {"members": "me"}}))
    async with api_client(world.env, token) as c:
        probe = Probe(world)
        await probe.refuse(
            c.post(f"/projects/{project}/removeMembers", json={"data": {"members": ann}}),
            400,
            "at least one admin",
        )
        assert await members(c, project) == {ann: "admin"}


# ---- tasks follow the project's access levels ------------------------------------------------------

LEVELS = ["admin", "editor", "commenter", "viewer"]


async def _member_at(client: httpx.AsyncClient, world: World, level: str) -> tuple[str, str, str]:
    """A private project where carl is a member at `level`: (project, carl, carl's token)."""
    carl, token = world.person("carl@example.com")
    project = (await make_project(client, world, privacy_setting="private", default_access_level=level))[
        "gid"
    ]
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": carl}}))
    ok(await client.put(f"/projects/{project}", json={"data": {"default_access_level": "editor"}}))
    return project, carl, token


@pytest.mark.parametrize("level", LEVELS)
async def test_tasks_follow_the_projects_access_levels(client, world, level):
    """Viewers and commenters of every project a task is in cannot change, move or delete it, nor
    its subtasks; editors and admins can (issue 12)."""
    project, _carl, token = await _member_at(client, world, level)
    task = await make_task(client, world, name="t", projects=[project])
    sub = ok(await client.post(f"/tasks/{task}/subtasks", json={"data": {"name": "sub"}}), 201)["gid"]
    other = await make_task(client, world, name="other", projects=[project])
    async with api_client(world.env, token) as c:
        own = await make_task(c, world, name="own")  # in no project: its collaborators change it
        assert ok(await c.put(f"/tasks/{own}", json={"data": {"name": "own2"}}))["name"] == "own2"
        calls = [
            lambda: c.put(f"/tasks/{task}", json={"data": {"completed": True}}),
            lambda: c.put(f"/tasks/{sub}", json={"data": {"name": "renamed"}}),
            lambda: c.post(f"/tasks/{sub}/setParent", json={"data": {"parent": other}}),
            lambda: c.post(f"/tasks/{own}/setParent", json={"data": {"parent": task}}),
            lambda: c.post(f"/tasks/{task}/subtasks", json={"data": {"name": "x"}}),
            lambda: c.post("/tasks", json={"data": {"name": "x", "parent": task}}),
            lambda: c.delete(f"/tasks/{sub}"),
            lambda: c.delete(f"/tasks/{task}"),
        ]
        if level in ("viewer", "commenter"):
            probe = Probe(world)
            for call in calls:
                await probe.refuse(call(), 403, "editor access")
        else:
            for call in calls:
                assert (await call()).status_code in (200, 201)
            fails(await c.get(f"/tasks/{task}"), 404)


async def test_a_viewer_elsewhere_is_still_an_editor_here(client, world):
    """One project where the caller is editor is enough, whatever their level in the others."""
    project, carl, token = await _member_at(client, world, "viewer")
    open_project = (await make_project(client, world, name="Open"))["gid"]
    task = await make_task(client, world, name="t", projects=[project, open_project])
    async with api_client(world.env, token) as c:
        assert ok(await c.put(f"/tasks/{task}", json={"data": {"name": "t2"}}))["name"] == "t2"
    assert carl


# ---- workspace membership ---------------------------------------------------------------------------


async def test_removing_a_user_ends_their_access_and_passes_what_they_own(client, world):
    """Issue example: re-adding a removed user used to restore their private-project access."""
    bob, token = world.person("bob@example.com")
    elsewhere = world.other_workspace("Elsewhere", "bob@example.com")
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": bob}}))
    shared = (await make_project(client, world, privacy_setting="private", name="Shared"))["gid"]
    ok(await client.post(f"/projects/{shared}/addMembers", json={"data": {"members": bob}}))
    async with api_client(world.env, token) as c:
        theirs = (await make_project(c, world, privacy_setting="private", name="Bob's"))["gid"]
        secret = await make_task(c, world, name="secret", projects=[theirs])
        followed = await make_task(c, world, name="followed", projects=[shared])
        far = (
            await make_project(c, world, workspace=elsewhere["workspace"], team=elsewhere["team"], name="Far")
        )["gid"]
    assigned = await make_task(client, world, name="for bob", assignee=bob)

    ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": bob}}))

    # what bob owned passes to the caller: his project (owner and admin), his assigned task
    project = ok(await client.get(f"/projects/{theirs}"))
    assert project["owner"]["gid"] == world.user
    assert await members(client, theirs) == {world.user: "admin"}
    assert ok(await client.get(f"/tasks/{secret}"))["name"] == "secret"
    assert ok(await client.get(f"/tasks/{assigned}"))["assignee"]["gid"] == world.user
    assert await members(client, shared) == {world.user: "admin"}
    with world.db() as conn:
        for table, column in (
            ("project_members", "user_gid"),
            ("team_members", "user_gid"),
            ("task_followers", "user_gid"),
        ):
            left = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :u"), {"u": int(bob)}
            ).scalar_one()
            # only what bob has in the other workspace remains: his project there and its team
            assert left == {"project_members": 1, "team_members": 1, "task_followers": 0}[table], table

    # added back, bob gets nothing of his old access
    ok(
        await client.post(
            f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "bob@example.com"}}
        )
    )
    async with api_client(world.env, token) as c:
        for path in (f"/projects/{shared}", f"/projects/{theirs}", f"/tasks/{secret}", f"/tasks/{followed}"):
            fails(await c.get(path), 404)
        fails(await c.get(f"/tasks/{assigned}"), 404)
        assert ok(await c.get(f"/projects/{far}"))["name"] == "Far"
        assert ok(await c.get(f"/users/me/teams?organization={world.workspace}")) == []


async def test_only_admins_remove_users_and_the_last_admin_stays(client, world):
    bob, token = world.person("bob@example.com")
    ann, ann_token = world.person("ann@example.com")
    async with api_client(world.env, token) as c:
        probe = Probe(world)
        for who in (ann, world.user, "me"):
            await probe.refuse(
                c.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": who}}),
                403,
                "admin",
            )
        # addUser stays open to members
        added = ok(
            await c.post(f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "new@example.com"}})
        )
        assert added["email"] == "new@example.com"
    me = {"data": {"user": "me"}}
    probe = Probe(world)
    await probe.refuse(
        client.post(f"/workspaces/{world.workspace}/removeUser", json=me), 400, "user: The last admin"
    )
    # With a second admin, either may remove the other; the one left cannot remove themselves.
    admin_of(world, world.workspace, ann)
    async with api_client(world.env, ann_token) as c:
        ok(await c.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": world.user}}))
        fails(await client.get(f"/workspaces/{world.workspace}"), 404)
        probe = Probe(world)
        await probe.refuse(
            c.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": ann}}),
            400,
            "last admin",
        )
        ok(await c.get(f"/workspaces/{world.workspace}"))
    assert bob


async def test_an_admin_who_leaves_hands_their_projects_to_another_admin(client, world):
    """Leaving (removeUser of oneself) is for non-last admins; what they own goes to another admin,
    so no project is left without one."""
    ann, ann_token = world.person("ann@example.com")
    admin_of(world, world.workspace, ann)
    ed, _ = world.person("ed@example.com")
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": ed}}))
    ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json={"data": {"user": "me"}}))
    fails(await client.get(f"/workspaces/{world.workspace}"), 404)
    async with api_client(world.env, ann_token) as c:
        assert ok(await c.get(f"/projects/{project}"))["owner"]["gid"] == ann
        assert await members(c, project) == {ann: "admin", ed: "editor"}
        # handing a project to a member who is an editor makes them its admin
        ok(await c.put(f"/projects/{project}", json={"data": {"owner": ed}}))
        assert await members(c, project) == {ann: "admin", ed: "admin"}


# ---- existence leaks: what the caller cannot see answers like what does not exist ----------------


async def _unseen_sections(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """Sections the owner cannot see (another workspace; a private project of someone else), a
    section of another project the owner can see, and a made-up gid."""
    eve, eve_token = world.person("eve@example.com")
    far = world.other_workspace("Far", "eve@example.com")
    async with api_client(world.env, eve_token) as c:
        far_project = (await make_project(c, world, workspace=far["workspace"], team=far["team"]))["gid"]
        hidden = (await make_project(c, world, privacy_setting="private"))["gid"]
        far_section = ok(await c.get(f"/projects/{far_project}/sections"))[0]["gid"]
        hidden_section = ok(await c.get(f"/projects/{hidden}/sections"))[0]["gid"]
    visible = (await make_project(client, world, name="Visible"))["gid"]
    assert eve
    return {
        "far": far_section,
        "hidden": hidden_section,
        "visible": ok(await client.get(f"/projects/{visible}/sections"))[0]["gid"],
        "made_up": "98765432109",
    }


async def test_unseen_section_gids_answer_like_made_up_ones(client, world):
    """Issue example: a section gid of another workspace said "Not a section of this project"."""
    sections = await _unseen_sections(client, world)
    project = (await make_project(client, world))["gid"]
    mine = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    task = await make_task(client, world, name="t", projects=[project])

    def calls(gid: str) -> list[Any]:
        return [
            lambda: client.post(
                "/tasks", json={"data": {"memberships": [{"project": project, "section": gid}]}}
            ),
            lambda: client.post(
                f"/tasks/{task}/addProject", json={"data": {"project": project, "section": gid}}
            ),
            lambda: client.post(
                f"/projects/{project}/sections/insert",
                json={"data": {"section": gid, "before_section": mine}},
            ),
            lambda: client.post(
                f"/projects/{project}/sections/insert", json={"data": {"section": mine, "after_section": gid}}
            ),
            lambda: client.post(
                f"/projects/{project}/sections", json={"data": {"name": "n", "insert_before": gid}}
            ),
            lambda: client.put(f"/sections/{mine}", json={"data": {"insert_after": gid}}),
        ]

    probe = Probe(world)
    for i in range(len(calls("0"))):
        made_up = await probe.refuse(calls(sections["made_up"])[i](), 400, "Unknown object")
        for kind in ("far", "hidden"):
            message = await probe.refuse(calls(sections[kind])[i](), 400)
            assert message == made_up.replace(sections["made_up"], sections[kind]), (kind, i)
        # a section of another project the caller can see may say so
        await probe.refuse(calls(sections["visible"])[i](), 400, "Not a section of this project")


async def test_a_subtask_does_not_reveal_an_unseen_parent(client, world):
    """Issue example: a subtask assigned to bob showed its (private) parent's name."""
    bob, token = world.person("bob@example.com")
    project = (await make_project(client, world, privacy_setting="private"))["gid"]
    parent = await make_task(client, world, name="Confidential", projects=[project])
    sub = ok(
        await client.post(f"/tasks/{parent}/subtasks", json={"data": {"name": "yours", "assignee": bob}}), 201
    )["gid"]
    bare = {"gid": parent, "resource_type": "task"}
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/tasks/{parent}"), 404)
        assert ok(await c.get(f"/tasks/{sub}"))["parent"] == bare
        for fields in ("parent", "parent.name", "parent.name,parent.notes,parent.assignee", "parent.gid"):
            assert ok(await c.get(f"/tasks/{sub}?opt_fields={fields}"))["parent"] == bare, fields
        listed = ok(await c.get(f"/tasks?assignee=me&workspace={world.workspace}&opt_fields=parent.name"))
        assert [t["parent"] for t in listed] == [bare]
    assert ok(await client.get(f"/tasks/{sub}"))["parent"]["name"] == "Confidential"


async def test_a_public_project_does_not_reveal_its_secret_team(client, world):
    """Issue example: a public project's `team` showed a secret team's name to everyone."""
    bob, token = world.person("bob@example.com")
    secret = ok(
        await client.post(
            "/teams",
            json={"data": {"name": "Skunkworks", "organization": world.workspace, "visibility": "secret"}},
        ),
        201,
    )["gid"]
    project = (await make_project(client, world, team=secret))["gid"]
    bare = {"gid": secret, "resource_type": "team"}
    async with api_client(world.env, token) as c:
        fails(await c.get(f"/teams/{secret}"), 404)
        assert ok(await c.get(f"/projects/{project}"))["team"] == bare
        for fields in ("team", "team.name", "team.name,team.visibility"):
            assert ok(await c.get(f"/projects/{project}?opt_fields={fields}"))["team"] == bare
        listed = ok(await c.get(f"/workspaces/{world.workspace}/projects?opt_fields=name,team.name"))
        assert {p["gid"]: p["team"] for p in listed}[project] == bare
        ok(await client.post(f"/teams/{secret}/addUser", json={"data": {"user": bob}}))
        assert ok(await c.get(f"/projects/{project}"))["team"]["name"] == "Skunkworks"
    assert ok(await client.get(f"/projects/{project}"))["team"]["name"] == "Skunkworks"


async def test_another_workspace_is_unknown_in_paths_and_bodies(client, world):
    """A member of one workspace probing another: every gid there answers like a made-up one."""
    far = world.other_workspace("Far", "eve@example.com")
    with world.env.engine.begin() as conn:
        eve = conn.execute(text("SELECT gid FROM users WHERE email = 'eve@example.com'")).scalar_one()
    eve_token = world.person("eve2@example.com", [far["workspace"]])[1]
    async with api_client(world.env, eve_token) as c:
        far_project = (await make_project(c, world, workspace=far["workspace"], team=far["team"]))["gid"]
        far_task = await make_task(c, world, name="far", workspace=far["workspace"])
    made_up = "98765432109"
    probe = Probe(world)

    async def same(call: Any, real: str, status: int) -> None:
        """The call answers for the real (unseen) gid exactly as for the made-up one."""
        expected = (await probe.refuse(call(made_up), status, "Unknown")).replace(made_up, real)
        assert await probe.refuse(call(real), status) == expected

    for path in ("/projects/{}", "/projects/{}/sections", "/projects/{}/tasks"):
        await same(lambda g, path=path: client.get(path.format(g)), far_project, 404)
    await same(lambda g: client.put(f"/projects/{g}", json={"data": {"owner": "me"}}), far_project, 404)
    await same(
        lambda g: client.post(f"/projects/{g}/addMembers", json={"data": {"members": "me"}}), far_project, 404
    )
    await same(
        lambda g: client.post("/tasks", json={"data": {"name": "x", "projects": [g]}}), far_project, 400
    )
    await same(lambda g: client.put(f"/tasks/{g}", json={"data": {"name": "x"}}), far_task, 404)
    await same(lambda g: client.post("/tasks", json={"data": {"name": "x", "parent": g}}), far_task, 400)
    await probe.refuse(
        client.post(f"/workspaces/{far['workspace']}/removeUser", json={"data": {"user": str(eve)}}), 404
    )


# ---- the same rules under concurrency --------------------------------------------------------------


def _send(world: World, token: str, path: str, body: dict[str, Any]) -> int:
    async def go() -> int:
        async with api_client(world.env, token) as c:
            return (await c.post(path, json={"data": body})).status_code

    return asyncio.run(go())


async def test_two_admins_removing_each_other_at_once_leave_one(client, world):
    """Workspace and project admins who remove each other at the same moment: one wins, the other
    is refused (403/400), never zero admins and never a 5xx (row locks on PostgreSQL)."""
    rounds = 25
    people = [world.person(f"admin{i}@example.com") for i in range(rounds)]
    projects = []
    for user, _ in people:
        admin_of(world, world.workspace, user)
        project = (await make_project(client, world, privacy_setting="private", owner=user))["gid"]
        projects.append(project)  # admins: the owner (creator) and `user`
    calls = []
    for (user, token), project in zip(people, projects, strict=True):
        calls.append((world.token, f"/projects/{project}/removeMembers", {"members": user}))
        calls.append((token, f"/projects/{project}/removeMembers", {"members": world.user}))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda call: _send(world, *call), calls))
    assert set(statuses) <= {200, 400, 404}, statuses  # 404: the loser no longer sees the project
    assert statuses.count(200) == rounds  # exactly one of each pair
    with world.db() as conn:
        left = conn.execute(
            text(
                "SELECT count(*) FROM projects p WHERE (SELECT count(*) FROM project_members m"
                " WHERE m.project_gid = p.gid AND m.access_level = 'admin') <> 1"
            )
        ).scalar_one()
    assert left == 0

    calls = [(world.token, f"/workspaces/{world.workspace}/removeUser", {"user": people[0][0]})]
    calls.append((people[0][1], f"/workspaces/{world.workspace}/removeUser", {"user": world.user}))
    for _ in range(10):
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = list(pool.map(lambda call: _send(world, *call), calls))
        assert sorted(statuses) in ([200, 403], [200, 404]), statuses
        with world.db() as conn:
            admins = conn.execute(
                text("SELECT count(*) FROM workspace_members WHERE workspace_gid = :w AND is_admin"),
                {"w": int(world.workspace)},
            ).scalar_one()
        assert admins == rounds  # the other 24, plus whichever of the pair won
        # put the loser back as an admin for the next round
        with world.env.engine.begin() as conn:
            for user in (world.user, people[0][0]):
                conn.execute(
                    text(
                        "INSERT INTO workspace_members (workspace_gid, user_gid, is_admin, created_at)"
                        " SELECT :w, :u, :yes, 0 WHERE NOT EXISTS (SELECT 1 FROM workspace_members"
                        " WHERE workspace_gid = :w AND user_gid = :u)"
                    ),
                    {"w": int(world.workspace), "u": int(user), "yes": True},
                )
