"""Shared bits of the section and task tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import ok
from tests.projects.helpers import make_project


async def project_with_sections(client: httpx.AsyncClient, world: Any, *names: str) -> tuple[str, list[str]]:
    """A project and its sections: the default one, then one per name (appended in order)."""
    project = (await make_project(client, world))["gid"]
    sections = [s["gid"] for s in ok(await client.get(f"/projects/{project}/sections"))]
    for name in names:
        created = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": name}}), 201)
        sections.append(created["gid"])
    return project, sections


async def make_task(client: httpx.AsyncClient, world: Any, name: str = "Task", **fields: Any) -> str:
    """A task (in the world's workspace unless projects/memberships/parent say otherwise)."""
    data = {"name": name, **fields}
    if not {"projects", "memberships", "parent"} & data.keys():
        data.setdefault("workspace", world.workspace)
    created: dict[str, Any] = ok(await client.post("/tasks", json={"data": data}), 201)
    return str(created["gid"])


async def names(client: httpx.AsyncClient, path: str) -> list[str]:
    """The names of a list's items, in order."""
    return [item["name"] for item in ok(await client.get(path))]


async def section_names(client: httpx.AsyncClient, project: str) -> list[str]:
    """The project's section names, in order."""
    return await names(client, f"/projects/{project}/sections")


async def project_for_limited_user(client: httpx.AsyncClient, world: Any, how: str) -> tuple[str, str, str]:
    """A project where bob has only viewer/commenter access, "by default" (the project's
    default_access_level) or as a "member" (his own membership); returns (project, bob, bob's token)."""
    bob, token = world.person("bob@example.com")
    level = how.split()[0]
    if how.endswith("by default"):
        project = (await make_project(client, world, default_access_level=level))["gid"]
    else:
        project = (await make_project(client, world, privacy_setting="private", default_access_level=level))[
            "gid"
        ]
        ok(await client.post(f"/projects/{project}/addMembers", json={"data": {"members": bob}}))
        ok(await client.put(f"/projects/{project}", json={"data": {"default_access_level": "editor"}}))
    return str(project), bob, token
