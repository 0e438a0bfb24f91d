"""Building a project with sections and rules over the API, and running what rules enqueued."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World
from tests.helpers import ok
from vinyasa.core import runner

OWN = "http://testserver/_vinyasa"


def drain(world: World) -> int:
    """Run every due job (rule runs included) to its end."""
    return runner.drain(world.env.app.state.runtime.transactions)


async def project(client: httpx.AsyncClient, world: World, name: str = "Rules") -> dict[str, Any]:
    """A project with sections Todo, Doing, Done; returns their gids."""
    gid = ok(
        await client.post(
            "/projects", json={"data": {"name": name, "workspace": world.workspace, "team": world.team}}
        ),
        201,
    )["gid"]
    first = ok(await client.get(f"/projects/{gid}/sections"))[0]["gid"]
    ok(await client.put(f"/sections/{first}", json={"data": {"name": "Todo"}}))
    doing = ok(await client.post(f"/projects/{gid}/sections", json={"data": {"name": "Doing"}}), 201)["gid"]
    done = ok(await client.post(f"/projects/{gid}/sections", json={"data": {"name": "Done"}}), 201)["gid"]
    return {"project": gid, "todo": first, "doing": doing, "done": done}


async def rule(
    client: httpx.AsyncClient,
    project_gid: str,
    trigger: dict[str, Any],
    actions: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    body = {"name": extra.pop("name", "A rule"), "trigger": trigger, "actions": actions, **extra}
    made: dict[str, Any] = ok(
        await client.post(f"{OWN}/projects/{project_gid}/rules", json={"data": body}), 201
    )
    return made


async def task(client: httpx.AsyncClient, p: dict[str, Any], name: str = "T", **fields: Any) -> str:
    """A task in the project's first section (Todo)."""
    body = {"name": name, "memberships": [{"project": p["project"], "section": p["todo"]}], **fields}
    gid: str = ok(await client.post("/tasks", json={"data": body}), 201)["gid"]
    return gid


async def runs(client: httpx.AsyncClient, rule_gid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await client.get(f"{OWN}/rules/{rule_gid}/runs"))
    return found


async def get_task(client: httpx.AsyncClient, gid: str, fields: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(await client.get(f"/tasks/{gid}", params={"opt_fields": fields}))
    return found


async def text_field(client: httpx.AsyncClient, world: World, project_gid: str, name: str = "Ticket") -> str:
    gid: str = ok(
        await client.post(
            "/custom_fields",
            json={"data": {"workspace": world.workspace, "name": name, "resource_subtype": "text"}},
        ),
        201,
    )["gid"]
    ok(
        await client.post(
            f"/projects/{project_gid}/addCustomFieldSetting", json={"data": {"custom_field": gid}}
        )
    )
    return gid
