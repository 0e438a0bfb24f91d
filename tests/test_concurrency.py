"""32 writers at once on one project, from 32 threads so transactions really overlap (PostgreSQL row
locks; SQLite's single writer with busy waits): member changes, section moves, task placement and
deletes. Afterwards every invariant holds and no request got a 5xx ("database is locked" included)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import in_threads, ok
from tests.tasks.helpers import make_task, project_with_sections

pytestmark = pytest.mark.anyio
WRITERS = 32


async def _one_writer(
    c: Any, i: int, project: str, sections: list[str], tasks: list[str], people: list[str]
) -> list[int]:
    """A few writes of every kind, chosen by the writer's number."""
    codes = []
    section = sections[i % len(sections)]
    other = sections[(i + 1) % len(sections)]
    task = tasks[i % len(tasks)]
    anchor = tasks[(i + 3) % len(tasks)]
    users = [people[(i + k) % len(people)] for k in range(3)]
    key = "members" if i % 2 else "followers"
    action = ("add" if i % 4 < 2 else "remove") + key.capitalize()
    codes.append((await c.post(f"/projects/{project}/{action}", json={"data": {key: users}})).status_code)
    move = {"section": section, ("before_section" if i % 2 else "after_section"): other}
    if section != other:
        codes.append((await c.post(f"/projects/{project}/sections/insert", json={"data": move})).status_code)
    codes.append((await c.post(f"/sections/{section}/addTask", json={"data": {"task": task}})).status_code)
    placement = {"project": project, "insert_after": anchor} if task != anchor else {"project": project}
    codes.append((await c.post(f"/tasks/{task}/addProject", json={"data": placement})).status_code)
    if i % 8 == 0:
        codes.append((await c.delete(f"/tasks/{tasks[-1 - i // 8]}")).status_code)
    if i % 5 == 0:
        created = await c.post(f"/projects/{project}/sections", json={"data": {"name": f"S{i}"}})
        codes.append(created.status_code)
        if created.status_code == 201:
            codes.append((await c.delete(f"/sections/{created.json()['data']['gid']}")).status_code)
    return codes


async def test_mixed_writers_keep_every_invariant(world):
    people = [world.person(f"c{i}@example.com")[0] for i in range(8)]
    async with api_client(world.env, world.token) as client:
        project, sections = await project_with_sections(client, world, "A", "B", "C")
        tasks = [await make_task(client, world, f"T{n}", projects=[project]) for n in range(16)]
    barrier = threading.Barrier(WRITERS)
    results: list[list[int]] = []

    def worker(i: int) -> None:
        async def go() -> list[int]:
            async with api_client(world.env, world.token) as c:
                barrier.wait()
                return await _one_writer(c, i, project, sections, tasks, people)

        results.append(asyncio.run(go()))

    in_threads(worker, WRITERS)

    codes = Counter(code for batch in results for code in batch)
    assert len(results) == WRITERS
    assert not [c for c in codes if c >= 500], codes
    assert set(codes) <= {200, 201, 400, 404}, codes  # 400/404: a task or section another writer deleted

    p = int(project)
    # each member once
    assert world.count("SELECT count(*) FROM project_members WHERE project_gid = :p", p=p) == world.count(
        "SELECT count(DISTINCT user_gid) FROM project_members WHERE project_gid = :p", p=p
    )
    # a total section order: distinct positions, and the API lists each section exactly once
    n_sections = world.count("SELECT count(*) FROM sections WHERE project_gid = :p", p=p)
    assert n_sections == world.count(
        "SELECT count(DISTINCT position) FROM sections WHERE project_gid = :p", p=p
    )
    async with api_client(world.env, world.token) as client:
        listed = [s["gid"] for s in ok(await client.get(f"/projects/{project}/sections"))]
        assert len(listed) == len(set(listed)) == n_sections
        in_order = [t["gid"] for t in ok(await client.get(f"/projects/{project}/tasks"))]
    # a total task order: each task once, distinct positions within each section
    placed = world.count("SELECT count(*) FROM task_projects WHERE project_gid = :p", p=p)
    assert len(in_order) == len(set(in_order)) == placed
    assert placed == world.count(
        "SELECT count(*) FROM (SELECT DISTINCT section_gid, position FROM task_projects WHERE project_gid = :p) x",
        p=p,
    )
    # no orphan or inconsistent rows
    assert (
        world.count(
            "SELECT count(*) FROM task_projects tp LEFT JOIN sections s ON s.gid = tp.section_gid"
            " WHERE tp.project_gid = :p AND (s.gid IS NULL OR s.project_gid <> tp.project_gid"
            " OR s.position <> tp.section_position)",
            p=p,
        )
        == 0
    )
    assert (
        world.count(
            "SELECT count(*) FROM task_projects tp LEFT JOIN tasks t ON t.gid = tp.task_gid WHERE t.gid IS NULL"
        )
        == 0
    )
    assert (
        world.count(
            "SELECT count(*) FROM project_members m LEFT JOIN users u ON u.gid = m.user_gid WHERE u.gid IS NULL"
        )
        == 0
    )
