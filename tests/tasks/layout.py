"""The full arrangement of a project (sections, tasks in each, project order) and its stored invariants."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from tests.helpers import ok

Layout = list[tuple[str, list[str]]]


async def layout(client: httpx.AsyncClient, project: str) -> Layout:
    """[(section name, [task names in it])...] in the project's order, read through the API.

    Also asserts that GET /projects/{gid}/tasks (and GET /tasks?project=) is exactly the sections'
    task lists concatenated in section order, and that every task appears once.
    """
    sections = ok(await client.get(f"/projects/{project}/sections"))
    out: Layout = []
    flat: list[str] = []
    for section in sections:
        tasks = ok(await client.get(f"/sections/{section['gid']}/tasks"))
        out.append((section["name"], [t["name"] for t in tasks]))
        flat += [t["gid"] for t in tasks]
    in_project = [t["gid"] for t in ok(await client.get(f"/projects/{project}/tasks"))]
    assert in_project == flat, (in_project, flat)
    assert [t["gid"] for t in ok(await client.get(f"/tasks?project={project}"))] == flat
    assert len(set(flat)) == len(flat)
    return out


def stored_invariants(world: Any, project: str) -> None:
    """What the database must hold for a project's order, whatever happened before.

    Section positions are distinct within the project; task positions distinct within a section;
    each task row's copy of its section's position is current; each task is in one section of it.
    """
    p = int(project)
    assert (
        world.count("SELECT count(*) - count(DISTINCT position) FROM sections WHERE project_gid = :p", p=p)
        == 0
    )
    assert (
        world.count(
            "SELECT count(*) FROM (SELECT section_gid FROM task_projects WHERE project_gid = :p"
            " GROUP BY section_gid HAVING count(*) <> count(DISTINCT position)) dup",
            p=p,
        )
        == 0
    )
    assert (
        world.count(
            "SELECT count(*) FROM task_projects tp JOIN sections s ON s.gid = tp.section_gid"
            " WHERE tp.project_gid = :p AND (tp.section_position <> s.position OR s.project_gid <> :p)",
            p=p,
        )
        == 0
    )
    assert (
        world.count(
            "SELECT count(*) - count(DISTINCT task_gid) FROM task_projects WHERE project_gid = :p", p=p
        )
        == 0
    )


def snapshot(world: Any) -> tuple[tuple[Any, ...], ...]:
    """Every stored row that ordering touches, to compare before and after a refused request."""
    with world.db() as conn:
        rows = []
        for sql in (
            "SELECT gid, project_gid, name, position FROM sections ORDER BY gid",
            "SELECT task_gid, project_gid, section_gid, section_position, position, completed, is_milestone"
            " FROM task_projects ORDER BY task_gid, project_gid",
            "SELECT gid, name, parent_gid, root_gid, position, completed, resource_subtype, assignee_gid,"
            " due_on, due_at, start_on, start_at, modified_at FROM tasks ORDER BY gid",
            "SELECT task_gid, user_gid FROM task_followers ORDER BY task_gid, user_gid",
        ):
            rows.append(tuple(tuple(r) for r in conn.execute(text(sql))))
        return tuple(rows)
