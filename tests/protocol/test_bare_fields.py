"""The one bare-field rule (issue 13 §3): an object-valued field named without sub-fields renders
each object as its identity, `{gid, resource_type}`; task `memberships` records have no gid, so `{}`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.protocol.resources import REGISTRY
from vinyasa.protocol.specs import Ref, RefList

pytestmark = pytest.mark.anyio


def _identity_only(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(item is None or set(item) == {"gid", "resource_type"} for item in items)


async def _task_in_project(client, world) -> tuple[str, str, str]:
    project = (await make_project(client, world))["gid"]
    section = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    task = await make_task(client, world, memberships=[{"project": project, "section": section}])
    return project, section, task


async def test_bare_memberships_are_empty_objects_like_asana(client, world):
    project, section, task = await _task_in_project(client, world)
    data = ok(await client.get(f"/tasks/{task}?opt_fields=memberships"))
    assert data == {"gid": task, "memberships": [{}]}
    data = ok(await client.get(f"/tasks/{task}?opt_fields=projects"))
    assert data == {"gid": task, "projects": [{"gid": project, "resource_type": "project"}]}
    data = ok(await client.get(f"/tasks/{task}?opt_fields=memberships.project"))
    assert data["memberships"] == [{"project": {"gid": project, "resource_type": "project"}}]
    data = ok(await client.get(f"/tasks/{task}?opt_fields=memberships.section.name"))
    assert data["memberships"] == [{"section": {"gid": section, "name": "Untitled section"}}]
    # Without opt_fields the default representation holds compact references.
    full = ok(await client.get(f"/tasks/{task}"))
    assert full["memberships"] == [
        {
            "project": {"gid": project, "resource_type": "project", "name": "Roadmap"},
            "section": {"gid": section, "resource_type": "section", "name": "Untitled section"},
        }
    ]


async def test_every_bare_reference_is_its_identity(client, world):
    """Every Ref and RefList of tasks and projects, asked for bare, in one request each."""
    project, _section, task = await _task_in_project(client, world)
    lists = {"task": f"/projects/{project}/tasks", "project": f"/workspaces/{world.workspace}/projects"}
    for kind, gid, path in (("task", task, "tasks"), ("project", project, "projects")):
        resource = REGISTRY[kind]
        refs = sorted(n for n, spec in resource.fields.items() if isinstance(spec, Ref | RefList))
        assert refs, kind
        fields = {"opt_fields": ",".join(refs)}
        data = ok(await client.get(f"/{path}/{gid}", params=fields))
        assert set(data) == {"gid", *refs}
        bad = {n: data[n] for n in refs if not _identity_only(data[n])}
        assert not bad, (kind, bad)
        listed = ok(await client.get(lists[kind], params=fields))  # the same inside a list
        assert listed and all(_identity_only(item[n]) for item in listed for n in refs)
