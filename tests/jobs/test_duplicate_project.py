"""POST /projects/{gid}/duplicate: include elements, order, custom fields, schedule_dates, errors."""

from __future__ import annotations

import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.jobs.helpers import job_result, source_project, structure

pytestmark = pytest.mark.anyio
EVERYTHING = "members,notes,task_assignee,task_dates,task_followers,task_notes,task_projects,task_subtasks"


async def test_duplicate_with_everything_copies_the_structure(client, world: World) -> None:
    src = await source_project(client, world)
    job = ok(
        await client.post(
            f"/projects/{src['project']}/duplicate", json={"data": {"name": "Copy", "include": EVERYTHING}}
        ),
        201,
    )
    assert job["resource_subtype"] == "duplicate_project" and job["new_project"] is None
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    new = done["new_project"]["gid"]
    assert done["new_project"]["name"] == "Copy"
    assert await structure(client, new) == await structure(client, src["project"])
    copy = ok(
        await client.get(
            f"/projects/{new}", params={"opt_fields": "notes,custom_field_settings.custom_field.name"}
        )
    )
    assert copy["notes"] == "About it"
    assert [s["custom_field"]["name"] for s in copy["custom_field_settings"]] == ["Stage"]
