"""Setting favorites and the custom fields users carry through the control plane (POST
/_vinyasa/users/{gid}/favorites, /_vinyasa/workspaces/{gid}/user_custom_fields) and the
`favorites:` key of fixture files (issue 23)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

FILE = """\
users:
  - {name: Alice, email: alice@example.com, token: alice-token}
  - {name: Bob, email: bob@example.com}
workspaces:
  - {name: Acme, owner: Alice}
projects:
  - {name: Launch, workspace: Acme}
  - {name: Later, workspace: Acme}
tasks:
  - {name: Write spec, project: Launch}
favorites:
  - {user: Alice, project: Later}
  - {user: Alice, project: Launch}
  - {user: Alice, task: Write spec}
  - {user: Alice, person: Bob, workspace: Acme}
"""


async def _names(api, kind: str, workspace: str) -> list[str]:
    r = await api.get("/users/me/favorites", params={"resource_type": kind, "workspace": workspace})
    assert r.status_code == 200, r.text
    return [item["name"] for item in r.json()["data"]]


async def _project(emu, name: str) -> str:
    body = {"data": {"name": name, "workspace": emu.workspace}}
    r = await emu.api.post("/projects", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["gid"])


async def test_add_move_and_remove(emu):
    one, two, three = [await _project(emu, n) for n in ("One", "Two", "Three")]
    me = (await emu.api.get("/users/me")).json()["data"]["gid"]
    for gid in (one, two):
        await emu.control("POST", f"/users/{me}/favorites", json={"data": {"resource": gid}})
    body = {"data": {"resource": three, "insert_before": one}}
    assert await emu.control("POST", f"/users/{me}/favorites", json=body) == [three, one, two]
    assert await _names(emu.api, "project", emu.workspace) == ["Three", "One", "Two"]
    body = {"data": {"resource": one, "action": "remove"}}
    assert await emu.control("POST", "/users/owner@example.com/favorites", json=body) == [three, two]
    assert await _names(emu.api, "project", emu.workspace) == ["Three", "Two"]


async def test_bad_changes(emu):
    one = await _project(emu, "One")
    r = await emu.admin.post("/users/404/favorites", json={"data": {"resource": one}})
    assert r.status_code == 404 and "Unknown user" in r.json()["errors"][0]["message"]
    for body, words in (
        ({"resource": "1"}, "Unknown object"),
        ({"resource": one, "action": "star"}, "action"),
        ({"resource": one, "insert_after": "2"}, "insert_after"),
        ({}, "resource"),
    ):
        r = await emu.admin.post("/users/owner@example.com/favorites", json={"data": body})
        assert r.status_code == 400 and words in r.json()["errors"][0]["message"], r.text
    r = await emu.api.post(
        "http://testserver/_vinyasa/users/owner@example.com/favorites", json={"data": {"resource": one}}
    )
    assert r.status_code == 401


async def test_fixture_favorites(emu):
    r = await emu.admin.post(
        "/fixtures", content=FILE.encode(), headers={"Content-Type": "application/x-yaml"}
    )
    assert r.status_code == 201, r.text
    workspace = r.json()["data"]["workspace"]["Acme"]
    async with emu.client("alice-token") as alice:
        assert await _names(alice, "project", workspace) == ["Later", "Launch"]
        assert await _names(alice, "task", workspace) == ["Write spec"]
        assert await _names(alice, "user", workspace) == ["Bob"]
    await emu.control("POST", "/reset")
    bad = FILE + "  - {user: Alice}\n"
    r = await emu.admin.post(
        "/fixtures", content=bad.encode(), headers={"Content-Type": "application/x-yaml"}
    )
    assert r.status_code == 400 and "favorites" in r.json()["errors"][0]["message"], r.text


async def test_user_custom_fields_through_the_control_plane(emu):
    body = {"data": {"workspace": emu.workspace, "name": "Dept", "resource_subtype": "text"}}
    r = await emu.api.post("/custom_fields", json=body)
    assert r.status_code == 201, r.text
    field = r.json()["data"]["gid"]
    path = f"/workspaces/{emu.workspace}/user_custom_fields"
    assert await emu.control("POST", path, json={"data": {"custom_field": field}}) == [field]
    r = await emu.admin.post(path, json={"data": {"custom_field": field}})
    assert r.status_code == 400 and "already" in r.json()["errors"][0]["message"], r.text
    r = await emu.api.put("/users/me", json={"data": {"custom_fields": {field: "Eng"}}})
    assert r.status_code == 200, r.text
    assert [v["display_value"] for v in r.json()["data"]["custom_fields"]] == ["Eng"]
    assert await emu.control("POST", path, json={"data": {"custom_field": field, "action": "remove"}}) == []
    r = await emu.admin.post("/workspaces/1/user_custom_fields", json={"data": {"custom_field": field}})
    assert r.status_code == 400 and "workspace" in r.json()["errors"][0]["message"], r.text
