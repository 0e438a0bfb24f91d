"""Fixture files through POST /_vinyasa/fixtures, on both databases: a whole world by name, fixed
gids, the journal, and bad files that name their line and change nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.anyio

WORLD = """\
users:
  - {name: Alice, email: alice@example.com, token: alice-token}
  - {name: Bob, email: bob@example.com, gid: "1001"}
workspaces:
  - {name: Acme, owner: Alice, gid: "1002"}
teams:
  - {name: Eng, workspace: Acme, members: [Bob]}
custom_fields:
  - {name: Priority, workspace: Acme, resource_subtype: enum, enum_options: [High, Low]}
projects:
  - name: Launch
    team: Eng
    notes: The launch
    sections: [Backlog, Doing]
    custom_fields: [Priority]
    statuses: [{title: On track, status_type: on_track, text: Fine}]
tasks:
  - name: Write spec
    project: Launch
    section: Doing
    assignee: Bob
    due_on: 2026-12-01
    custom_fields: {Priority: High}
    subtasks:
      - {name: Outline, gid: "1003", as: Bob}
      - {name: Review, completed: true}
"""


def _rows(emu) -> int:
    with emu.app.state.runtime.engine.connect() as conn:
        return sum(
            int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in (
                "users",
                "workspaces",
                "teams",
                "projects",
                "sections",
                "tasks",
                "tokens",
                "journal",
                "custom_fields",
            )
        )


async def _load(emu, body: str):
    return await emu.admin.post(
        "/fixtures", content=body.encode(), headers={"Content-Type": "application/x-yaml"}
    )


async def test_a_whole_world_by_name(emu):
    r = await _load(emu, WORLD)
    assert r.status_code == 201, r.text
    made = r.json()["data"]
    assert (
        made["user"]["Bob"] == "1001"
        and made["workspace"]["Acme"] == "1002"
        and made["task"]["Outline"] == "1003"
    )
    async with emu.client("alice-token") as alice:
        me = (await alice.get("/users/me", params={"opt_fields": "name,workspaces.name"})).json()["data"]
        assert me["name"] == "Alice" and [w["name"] for w in me["workspaces"]] == ["Acme"]
        project = made["project"]["Launch"]
        sections = (await alice.get(f"/projects/{project}/sections")).json()["data"]
        assert [s["name"] for s in sections] == ["Backlog", "Doing"]
        task = (
            await alice.get(
                f"/tasks/{made['task']['Write spec']}",
                params={
                    "opt_fields": "assignee.name,due_on,memberships.section.name,custom_fields.display_value,num_subtasks"
                },
            )
        ).json()["data"]
        assert task["assignee"]["name"] == "Bob" and task["due_on"] == "2026-12-01"
        assert task["memberships"][0]["section"]["name"] == "Doing"
        assert task["custom_fields"][0]["display_value"] == "High"
        assert task["num_subtasks"] == 2
        outline = (
            await alice.get("/tasks/1003", params={"opt_fields": "created_by.name,parent.name"})
        ).json()["data"]
        assert outline["parent"]["name"] == "Write spec" and outline["created_by"]["name"] == "Bob"
        statuses = (
            await alice.get("/status_updates", params={"parent": project, "opt_fields": "title"})
        ).json()["data"]
        assert [s["title"] for s in statuses] == ["On track"]
        team = (await alice.get(f"/teams/{made['team']['Eng']}/users")).json()["data"]
        assert sorted(u["name"] for u in team) == ["Alice", "Bob"]
        events = await alice.get("/events", params={"resource": project})
        assert events.status_code == 412  # a stream exists: its journal entries were written
    with emu.app.state.runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM journal")).scalar_one() > 0


async def test_json_files_load_too(emu):
    doc = {
        "users": [{"name": "J", "email": "j@example.com", "token": "j-token"}],
        "workspaces": [{"name": "W"}],
    }
    r = await emu.admin.post(
        "/fixtures", content=json.dumps(doc, indent=1).encode(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 201, r.text
    async with emu.client("j-token") as j:
        assert (await j.get("/users/me")).json()["data"]["name"] == "J"


BAD = [
    (
        "users:\n  - {name: A, email: a@example.com}\nworkspaces:\n  - {name: W}\ntasks:\n  - name: T\n    asignee: A\n",
        "line 7: asignee: not a field here",
    ),
    ("users:\n  - {name: A, email: a@example.com, mail: x}\n", "line 2: mail: not a field here"),
    (
        "users:\n  - {name: A, email: a@example.com}\nprojects:\n  - {name: P, team: Nope}\n",
        "line 4: team: Unknown team: Nope",
    ),
    (
        "users:\n  - {name: A, email: a@example.com}\nportfolios:\n  - {name: X}\n",
        "line 3: portfolios: not a fixture section",
    ),
    ("users:\n  - name: A\n\temail: x\n", "line 3: not valid YAML"),
    (
        "users:\n  - {name: A, email: a@example.com}\nworkspaces:\n  - {name: W}\ntasks:\n  - {name: T, due_on: 2026-13-45}\n",
        "line 6",
    ),
    ("users:\n  - {name: A, email: a@example.com}\n  - {name: B}\n", "line 3: email: Missing input"),
    ("users: 5\n", "line 1: users: a list of objects"),
    ("- 1\n", "line 1: a fixture file is an object"),
    ("users:\n  - {name: A, email: a@example.com, gid: abc}\n", "line 2: gid: Not a valid gid"),
    (
        "users:\n  - {name: A, email: a@example.com, token: t1}\n  - {name: B, email: b@example.com, token: t1}\n",
        "already in use",
    ),
    (
        "users:\n  - {name: A, email: a@example.com}\nworkspaces:\n  - {name: W}\nprojects:\n  - {name: P, workspace: W, color: plaid}\n",
        "line 6: projects: color",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD)
async def test_a_bad_file_names_its_line_and_changes_nothing(emu, body, message):
    before = _rows(emu)
    r = await _load(emu, body)
    assert r.status_code == 400, r.text
    assert message in r.json()["errors"][0]["message"]
    assert _rows(emu) == before


async def test_a_fixed_gid_already_taken_changes_nothing(emu):
    assert (await _load(emu, "users:\n  - {name: A, email: a@example.com, gid: '1001'}\n")).status_code == 201
    before = _rows(emu)
    r = await _load(
        emu, "users:\n  - {name: Z, email: z@example.com}\n  - {name: B, email: b@example.com, gid: '1001'}\n"
    )
    assert r.status_code == 400 and "already in use" in r.json()["errors"][0]["message"]
    assert _rows(emu) == before


async def test_fixture_then_reset_and_recorder_untouched(emu):
    assert (await _load(emu, WORLD)).status_code == 201
    await emu.control("POST", "/reset")
    async with emu.client("alice-token") as alice:
        assert (await alice.get("/users/me")).status_code == 401  # the fixture's token went with it
    assert (await _load(emu, WORLD)).status_code == 201  # and loads again
    assert [e["status"] for e in await emu.control("GET", "/requests")] == [
        401
    ]  # control calls are not recorded


async def test_approval_status_loads_and_survives_a_snapshot(emu):
    ws = emu.workspace
    body = f"""\
tasks:
  - {{name: Sign-off, workspace: "{ws}", resource_subtype: approval, approval_status: changes_requested}}
  - {{name: Open, workspace: "{ws}", resource_subtype: approval}}
"""
    r = await _load(emu, body)
    assert r.status_code == 201, r.text
    made = r.json()["data"]["task"]
    fields = {"opt_fields": "completed,approval_status"}

    async def read() -> list[dict[str, object]]:
        return [
            (await emu.api.get(f"/tasks/{made[n]}", params=fields)).json()["data"]
            for n in ("Sign-off", "Open")
        ]

    expected = [
        {"gid": made["Sign-off"], "completed": True, "approval_status": "changes_requested"},
        {"gid": made["Open"], "completed": False, "approval_status": "pending"},
    ]
    assert await read() == expected
    await emu.control("POST", "/snapshots", json={"data": {"name": "approvals"}})
    await emu.control("POST", "/reset")
    await emu.control("POST", "/snapshots/approvals/restore")
    assert await read() == expected
    bad = await _load(emu, f'tasks:\n  - {{name: X, workspace: "{ws}", approval_status: maybe}}\n')
    assert bad.status_code == 400 and "approval_status" in bad.text
