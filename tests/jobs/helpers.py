"""Building a source project over the API, running jobs, reading a project's structure back."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from sqlalchemy import text

from tests.conftest import World, make_engine_for
from tests.helpers import ok
from vinyasa.core import runner
from vinyasa.protocol import gids


def drain(world: World) -> int:
    """Run every due job to its end (the lifespan's runner is not running under ASGI tests)."""
    return runner.drain(world.env.app.state.runtime.transactions)


async def save_template(client: httpx.AsyncClient, world: World, project: str) -> str:
    """Save `project` as a public template of the world's team (a job run to its end); its gid."""
    body = {"name": "Plan", "public": True, "team": world.team}
    job = ok(await client.post(f"/projects/{project}/saveAsTemplate", json={"data": body}), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    return str(done["new_project_template"]["gid"])


async def job_result(client: httpx.AsyncClient, world: World, job: dict[str, Any]) -> dict[str, Any]:
    """Run the job and return its record once it ended."""
    assert job["resource_type"] == "job" and job["status"] == "not_started", job
    drain(world)
    done: dict[str, Any] = ok(await client.get(f"/jobs/{job['gid']}"))
    return done


async def source_project(client: httpx.AsyncClient, world: World, **extra: Any) -> dict[str, Any]:
    """A project with two sections, four tasks (dates, notes, assignee, a follower), two subtasks
    (one with a subtask of its own), an enum custom field set on one task; returns the gids."""
    project = ok(
        await client.post(
            "/projects",
            json={"data": {"name": "Source", "workspace": world.workspace, "notes": "About it", **extra}},
        ),
        201,
    )["gid"]
    first = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    ok(await client.put(f"/sections/{first}", json={"data": {"name": "Todo"}}))
    second = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "Done"}}), 201)[
        "gid"
    ]
    bob, _ = world.person("bob@example.com")
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("A", first, {"due_on": "2026-03-02", "start_on": "2026-02-27", "assignee": bob, "notes": "a notes"}),
        ("B", first, {"due_on": "2026-03-06"}),
        ("C", second, {"due_on": "2026-03-13", "followers": [bob]}),
        ("D", second, {}),
    ]
    tasks = {}
    for name, section, fields in specs:
        body = {"name": name, "memberships": [{"project": project, "section": section}], **fields}
        tasks[name] = ok(await client.post("/tasks", json={"data": body}), 201)["gid"]
    sub = ok(
        await client.post(
            f"/tasks/{tasks['A']}/subtasks", json={"data": {"name": "A1", "due_on": "2026-03-03"}}
        ),
        201,
    )["gid"]
    ok(await client.post(f"/tasks/{tasks['A']}/subtasks", json={"data": {"name": "A2"}}), 201)
    ok(await client.post(f"/tasks/{sub}/subtasks", json={"data": {"name": "A1a"}}), 201)
    field = ok(
        await client.post(
            "/custom_fields",
            json={
                "data": {
                    "workspace": world.workspace,
                    "name": "Stage",
                    "resource_subtype": "enum",
                    "enum_options": [{"name": "early"}, {"name": "late"}],
                }
            },
        ),
        201,
    )
    ok(
        await client.post(
            f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": field["gid"]}}
        )
    )
    late = field["enum_options"][1]["gid"]
    ok(await client.put(f"/tasks/{tasks['B']}", json={"data": {"custom_fields": {field["gid"]: late}}}))
    return {
        "project": project,
        "sections": [first, second],
        "tasks": tasks,
        "field": field["gid"],
        "late": late,
        "bob": bob,
    }


TASK_FIELDS = "name,notes,due_on,start_on,assignee,followers,custom_fields.display_value,num_subtasks"


async def structure(client: httpx.AsyncClient, project: str, subtasks: bool = True) -> list[Any]:
    """[section name, [task summaries]] in order; a task summary lists its subtasks recursively."""

    async def summary(task: dict[str, Any]) -> dict[str, Any]:
        out = {
            "name": task["name"],
            "notes": task["notes"],
            "due_on": task["due_on"],
            "start_on": task["start_on"],
            "assignee": task["assignee"] and task["assignee"]["gid"],
            "followers": sorted(f["gid"] for f in task["followers"]),
            "values": [v["display_value"] for v in task["custom_fields"]],
        }
        if subtasks:
            children = ok(
                await client.get(f"/tasks/{task['gid']}/subtasks", params={"opt_fields": TASK_FIELDS})
            )
            out["subtasks"] = [await summary(c) for c in children]
        return out

    out = []
    for section in ok(await client.get(f"/projects/{project}/sections")):
        tasks = ok(await client.get(f"/sections/{section['gid']}/tasks", params={"opt_fields": TASK_FIELDS}))
        out.append([section["name"], [await summary(t) for t in tasks]])
    return out


async def tag(client: httpx.AsyncClient, task: str, *tags: str) -> None:
    """Put the tags on the task, in this order."""
    for gid in tags:
        ok(await client.post(f"/tasks/{task}/addTag", json={"data": {"tag": gid}}))


async def new_tags(client: httpx.AsyncClient, world: World, *names: str) -> list[str]:
    """New tags of the world's workspace; their gids."""
    out = []
    for name in names:
        body = {"data": {"name": name, "workspace": world.workspace}}
        out.append(ok(await client.post("/tags", json=body), 201)["gid"])
    return out


async def depends(client: httpx.AsyncClient, task: str, *on: str) -> None:
    """`task` depends on the others (they block it)."""
    ok(await client.post(f"/tasks/{task}/addDependencies", json={"data": {"dependencies": list(on)}}))


async def names_of(client: httpx.AsyncClient, path: str) -> list[str]:
    """The names in a list of compact resources (a task's tags, dependencies, dependents)."""
    return [item["name"] for item in ok(await client.get(path, params={"opt_fields": "name"}))]


def fill(url: str, project: str, workspace: str, user: str, count: int) -> None:
    """`count` tasks in the project's first section, written straight into the database."""
    engine = make_engine_for(url)
    try:
        with engine.begin() as conn:
            section = conn.execute(
                text("SELECT gid FROM sections WHERE project_gid = :p ORDER BY position LIMIT 1"),
                {"p": int(project)},
            ).scalar_one()
            new = gids.allocate(conn, count)
            now = int(time.time() * 1000)
            conn.execute(
                text(
                    "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed,"
                    " parent_gid, root_gid, position, created_by_gid, created_at, modified_at)"
                    " VALUES (:g, :w, :n, '<body></body>', 'default_task', false, NULL, :g, 0, :u, :t, :t)"
                ),
                [
                    {"g": g, "w": int(workspace), "n": f"T{i}", "u": int(user), "t": now}
                    for i, g in enumerate(new)
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position,"
                    " completed, is_milestone, added_at) VALUES (:g, :p, :s, 0, :pos, false, false, :t)"
                ),
                [
                    {"g": g, "p": int(project), "s": section, "pos": (i + 1) << 20, "t": now}
                    for i, g in enumerate(new)
                ],
            )
    finally:
        engine.dispose()


def job_row(url: str, gid: str) -> dict[str, Any]:
    """A job's row, straight from the database: status, progress, new project, attempts, owner (the
    claim that holds or ended it)."""
    engine = make_engine_for(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, progress, result_gid, attempts, lease_owner FROM jobs WHERE gid = :g"),
                {"g": int(gid)},
            ).one()
    finally:
        engine.dispose()
    progress = json.loads(row[1] or "{}")
    return {"status": row[0], "progress": progress, "project": row[2], "attempts": row[3], "owner": row[4]}
