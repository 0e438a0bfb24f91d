"""A project's rules are copied with it (Asana's ProjectDuplicateRequest: Rules are auto-included,
"their active/paused state is preserved in the new project"), and with a template saved from it:
sections of the project name the copy's sections, everything else stays; copying the tasks triggers
none of them. Found missing by a fresh SDK review."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World, api_client
from tests.helpers import ok
from tests.jobs.helpers import job_result
from tests.rules.helpers import OWN, drain, project, rule, runs, task

pytestmark = pytest.mark.anyio


async def _rules(client: httpx.AsyncClient, project_gid: str) -> list[dict[str, Any]]:
    """A project's rules, full, by name (a list orders them by gid)."""
    listed: list[dict[str, Any]] = ok(await client.get(f"{OWN}/projects/{project_gid}/rules"))
    full = [ok(await client.get(f"{OWN}/rules/{r['gid']}")) for r in listed]
    return sorted(full, key=lambda r: str(r["name"]))


async def _sections(client: httpx.AsyncClient, project_gid: str) -> dict[str, str]:
    return {s["name"]: s["gid"] for s in ok(await client.get(f"/projects/{project_gid}/sections"))}


async def _source(client: httpx.AsyncClient, world: World) -> tuple[dict[str, str], dict[str, str]]:
    p = await project(client, world)
    other = await project(client, world, "Other")
    await task(client, p, "T")
    await rule(
        client,
        p["project"],
        {"type": "task_moved_to_section", "section": p["doing"]},
        [{"type": "mark_complete"}],
        name="Doing means done",
    )
    await rule(
        client,
        p["project"],
        {"type": "task_added_to_project"},
        [{"type": "create_subtask", "name": "auto"}],
        conditions=[{"type": "in_section", "section": p["todo"]}],
        name="Paused",
        enabled=False,
    )
    await rule(
        client,
        p["project"],
        {"type": "task_added_to_project"},
        [
            {"type": "add_to_project", "project": other["project"], "section": other["done"]},
            {"type": "move_to_section", "section": p["done"]},
        ],
        name="Elsewhere too",
    )
    await rule(
        client, p["project"], {"type": "incoming_web_request"}, [{"type": "mark_complete"}], name="Hook"
    )
    return p, other


async def test_duplicate_copies_rules_onto_the_copys_sections(
    client: httpx.AsyncClient, world: World
) -> None:
    p, other = await _source(client, world)
    body = {"data": {"name": "Copy", "include": ["task_subtasks"]}}
    job = ok(await client.post(f"/projects/{p['project']}/duplicate", json=body), 201)
    done = await job_result(client, world, job)
    assert done["status"] == "succeeded", done
    copy = done["new_project"]["gid"]
    sections = await _sections(client, copy)
    old, new = await _rules(client, p["project"]), await _rules(client, copy)
    assert [(r["name"], r["enabled"]) for r in new] == [(r["name"], r["enabled"]) for r in old]
    moved, elsewhere, hook, paused = new
    assert moved["trigger"]["section"] == sections["Doing"]
    assert paused["conditions"] == [{"type": "in_section", "section": sections["Todo"]}]
    assert elsewhere["actions"] == [
        {"type": "add_to_project", "project": other["project"], "section": other["done"]},
        {"type": "move_to_section", "section": sections["Done"]},
    ]
    assert hook["trigger"]["rule_trigger_gid"] not in (None, old[2]["trigger"]["rule_trigger_gid"])
    assert all(r["project"]["gid"] == copy for r in new)

    # Copying the tasks triggered nothing; the copies work on the copy.
    drain(world)
    assert [await runs(client, r["gid"]) for r in new] == [[], [], [], []]
    copied = ok(await client.get(f"/projects/{copy}/tasks"))[0]["gid"]
    body = {"data": {"task": copied}}
    ok(await client.post(f"/sections/{sections['Doing']}/addTask", json=body))
    drain(world)
    assert ok(await client.get(f"/tasks/{copied}?opt_fields=completed"))["completed"] is True
    assert [r["status"] for r in await runs(client, moved["gid"])] == ["succeeded"]


async def test_a_template_saved_from_the_project_carries_its_rules(
    client: httpx.AsyncClient, world: World
) -> None:
    p, _ = await _source(client, world)
    body = {"data": {"name": "Tpl", "team": world.team, "public": True}}
    saved = await job_result(
        client, world, ok(await client.post(f"/projects/{p['project']}/saveAsTemplate", json=body), 201)
    )
    template = saved["new_project_template"]["gid"]
    body = {"data": {"name": "From template", "team": world.team}}
    made = await job_result(
        client,
        world,
        ok(await client.post(f"/project_templates/{template}/instantiateProject", json=body), 201),
    )
    assert made["status"] == "succeeded", made
    new_project = made["new_project"]["gid"]
    sections = await _sections(client, new_project)
    new = await _rules(client, new_project)
    assert [r["name"] for r in new] == ["Doing means done", "Elsewhere too", "Hook", "Paused"]
    assert new[0]["trigger"]["section"] == sections["Doing"]


async def test_the_copies_keep_the_sources_order(client: httpx.AsyncClient, world: World) -> None:
    p, _ = await _source(client, world)
    job = ok(await client.post(f"/projects/{p['project']}/duplicate", json={"data": {"name": "Copy"}}), 201)
    copy = (await job_result(client, world, job))["new_project"]["gid"]
    listed = [ok(await client.get(f"{OWN}/projects/{gid}/rules")) for gid in (p["project"], copy)]
    assert [r["name"] for r in listed[1]] == [r["name"] for r in listed[0]]


async def test_only_rules_the_copier_may_read_and_define_are_copied(
    client: httpx.AsyncClient, world: World
) -> None:
    """A commenter sees the project but not its rules (403): their copy has none. An editor's copy
    leaves out a rule naming a project they cannot see, as defining it would be a 400 (a fresh
    review found both copied: the rules' contents and the hidden project's gid leaked)."""
    bob, token = world.person("bob@example.com")
    p, _ = await _source(client, world)
    hidden = await project(client, world, "Hidden")
    ok(await client.put(f"/projects/{hidden['project']}", json={"data": {"privacy_setting": "private"}}))
    action = {"type": "add_to_project", "project": hidden["project"]}
    await rule(client, p["project"], {"type": "task_completed"}, [action], name="Into hidden")
    ok(await client.post(f"/projects/{p['project']}/addMembers", json={"data": {"members": bob}}))
    membership = ok(await client.get("/memberships", params={"parent": p["project"], "member": bob}))[0][
        "gid"
    ]
    async with api_client(world.env, token) as as_bob:
        for level, expected in (
            ("commenter", []),
            ("editor", ["Doing means done", "Elsewhere too", "Hook", "Paused"]),
        ):
            ok(await client.put(f"/memberships/{membership}", json={"data": {"access_level": level}}))
            job = ok(
                await as_bob.post(f"/projects/{p['project']}/duplicate", json={"data": {"name": level}}), 201
            )
            done = await job_result(as_bob, world, job)
            assert done["status"] == "succeeded", done
            copied = await _rules(as_bob, done["new_project"]["gid"])
            assert [r["name"] for r in copied] == expected
