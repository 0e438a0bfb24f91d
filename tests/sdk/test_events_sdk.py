"""The events API through the official asana SDK: its EventIterator's 412 dance, and following a
project through 500 changes with `full_payload` (the SDK's way to keep the sync token) with no event
lost or duplicated."""

from __future__ import annotations

import json
import uuid

import asana
import pytest
from asana.rest import ApiException

from tests.sdk.conftest import Live


@pytest.fixture
def live(emulated):
    """This file runs on the test kit's emulator (reset before each test), not a `vinyasa serve` process."""
    return emulated


def test_event_iterator_catches_the_412_and_follows_a_project(live: Live) -> None:
    client = live.client()
    projects, tasks, events = asana.ProjectsApi(client), asana.TasksApi(client), asana.EventsApi(client)
    project = projects.create_project(
        {"data": {"name": f"Events {uuid.uuid4().hex[:8]}", "workspace": live.workspace, "team": live.team}},
        {},
    )["gid"]
    # The SDK's iterator catches the 412, takes the token from its body and reads what follows: nothing.
    assert list(events.get_events(project, {})) == []
    with pytest.raises(ApiException) as first:
        events.get_events(project, {}, full_payload=True)
    assert first.value.status == 412
    sync = json.loads(first.value.body)["sync"]
    task = tasks.create_task({"data": {"name": "Tracked", "projects": [project]}}, {})["gid"]
    seen: list[tuple[str, str]] = []
    changes = 500
    for i in range(changes):
        tasks.update_task({"data": {"name": f"Tracked {i}"}}, task, {})
        if i % 150 == 149:  # poll now and then, as an integration would
            while True:
                page = events.get_events(project, {"sync": sync}, full_payload=True)
                seen.extend((e["resource"]["gid"], e["action"]) for e in page["data"])
                sync = page["sync"]
                if not page["has_more"]:
                    break
    while True:
        page = events.get_events(project, {"sync": sync, "opt_fields": "action,resource"}, full_payload=True)
        seen.extend((e["resource"]["gid"], e["action"]) for e in page["data"])
        sync = page["sync"]
        if not page["has_more"]:
            break
    assert seen[:2] == [(task, "added"), (task, "added")]  # to the project, then to its section
    assert seen[2:] == [(task, "changed")] * changes
