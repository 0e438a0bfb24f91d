"""Really concurrent reorderings: requests from many threads at once, each with its own event loop.

The asyncio.gather test in test_placement interleaves requests on one event loop; a request's
transaction never awaits, so there they run one after the other. Here threads overlap the
transactions themselves, so the project-row lock (PostgreSQL) and the write lock (SQLite) are what
keep positions distinct.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import api_client
from tests.helpers import ok
from tests.tasks.helpers import make_task, project_with_sections
from tests.tasks.layout import layout, stored_invariants

pytestmark = pytest.mark.anyio


def _send(world: Any, method: str, path: str, body: dict[str, Any]) -> tuple[int, str]:
    async def go() -> tuple[int, str]:
        async with api_client(world.env, world.token) as c:
            r = await c.request(method, path, json={"data": body})
            return r.status_code, r.text

    return asyncio.run(go())


async def test_threads_insert_sections_and_add_tasks(client, world):
    project, sections = await project_with_sections(client, world, *[f"S{i}" for i in range(5)])
    tasks = [await make_task(client, world, name=f"t{i}") for i in range(32)]
    calls: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(32):
        moved, anchor = sections[i % 6], sections[(i * 5 + 1) % 6]
        key = "before_section" if i % 2 else "after_section"
        calls.append(("POST", f"/projects/{project}/sections/insert", {"section": moved, key: anchor}))
        calls.append(("POST", f"/sections/{sections[i % 6]}/addTask", {"task": tasks[i]}))
    for i in range(8):  # and some creates and addProjects into the same project meanwhile
        calls.append(
            (
                "POST",
                "/tasks",
                {"name": f"new{i}", "memberships": [{"project": project, "section": sections[i % 6]}]},
            )
        )
        calls.append(("POST", f"/tasks/{tasks[i]}/addProject", {"project": project, "insert_after": None}))
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda call: _send(world, *call), calls))
    assert [r for r in results if r[0] >= 500] == []
    assert {status for status, _ in results} <= {200, 201, 400}, results
    refused = [text for status, text in results if status == 400]
    assert all("itself" in text for text in refused), refused  # only moves of a section next to itself
    got = await layout(client, project)  # each task once, project order == sections' orders joined
    assert sorted(name for name, _ in got) == sorted(["Untitled section", *[f"S{i}" for i in range(5)]])
    placed = sorted(name for _, names in got for name in names)
    assert placed == sorted([f"t{i}" for i in range(32)] + [f"new{i}" for i in range(8)])
    stored_invariants(world, project)
    assert world.count("SELECT count(*) FROM task_projects WHERE project_gid = :p", p=int(project)) == 40
    assert len(ok(await client.get(f"/projects/{project}/sections"))) == 6
