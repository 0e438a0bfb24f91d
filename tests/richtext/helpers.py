"""Writing and reading back the rich field of each object that has one (tasks, projects, status
updates, legacy project statuses, project briefs, teams), over the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa import richtext


@dataclass(frozen=True)
class Writer:
    """How to write one object's rich field: `method path` with `extra` data; `read` is the path to
    read it back from ("{gid}" is the written object's gid)."""

    method: str
    path: str
    extra: dict[str, Any]
    field: str
    plain: str
    read: str

    async def write(self, client: httpx.AsyncClient, html: str) -> httpx.Response:
        """Send `html` as the rich field."""
        body = {"data": {**self.extra, self.field: html}}
        return await client.request(self.method, self.path, json=body)

    async def stored(self, client: httpx.AsyncClient, gid: str) -> tuple[str, str]:
        """The (rich, plain) text stored on the object."""
        data = ok(
            await client.get(self.read.format(gid=gid), params={"opt_fields": f"{self.field},{self.plain}"})
        )
        return data[self.field], data[self.plain]


async def _task(client: httpx.AsyncClient, world: Any) -> Writer:
    gid = await make_task(client, world)
    return Writer("PUT", f"/tasks/{gid}", {}, "html_notes", "notes", "/tasks/{gid}")


async def _project(client: httpx.AsyncClient, world: Any) -> Writer:
    gid = (await make_project(client, world))["gid"]
    return Writer("PUT", f"/projects/{gid}", {}, "html_notes", "notes", "/projects/{gid}")


async def _status_update(client: httpx.AsyncClient, world: Any) -> Writer:
    project = (await make_project(client, world))["gid"]
    extra = {"parent": project, "status_type": "on_track"}
    return Writer("POST", "/status_updates", extra, "html_text", "text", "/status_updates/{gid}")


async def _project_status(client: httpx.AsyncClient, world: Any) -> Writer:
    project = (await make_project(client, world))["gid"]
    path = f"/projects/{project}/project_statuses"
    return Writer("POST", path, {"color": "green"}, "html_text", "text", "/project_statuses/{gid}")


async def _brief(client: httpx.AsyncClient, world: Any) -> Writer:
    project = (await make_project(client, world))["gid"]
    brief = ok(await client.post(f"/projects/{project}/project_briefs", json={"data": {"text": ""}}), 201)
    return Writer("PUT", f"/project_briefs/{brief['gid']}", {}, "html_text", "text", "/project_briefs/{gid}")


async def _team(client: httpx.AsyncClient, world: Any) -> Writer:
    return Writer("PUT", f"/teams/{world.team}", {}, "html_description", "description", "/teams/{gid}")


# Each object with its tag set, as Asana's rich-text guide gives it.
OBJECTS: dict[str, tuple[Callable[[httpx.AsyncClient, Any], Awaitable[Writer]], frozenset[str]]] = {
    "task": (_task, richtext.TASK_TAGS),
    "project": (_project, richtext.BASIC_TAGS),
    "status_update": (_status_update, richtext.BASIC_TAGS),
    "project_status": (_project_status, richtext.BASIC_TAGS),
    "project_brief": (_brief, richtext.BRIEF_TAGS),
    "team": (_team, richtext.BASIC_TAGS),
}


@contextmanager
def strict_mode(world: Any) -> Iterator[None]:
    """Run the app as with VINYASA_RICH_TEXT=strict for the duration."""
    runtime = world.env.app.state.runtime
    runtime.rich_text_strict = True
    try:
        yield
    finally:
        runtime.rich_text_strict = False
