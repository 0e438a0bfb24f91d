"""Request bodies: JSON data/options, form fields, empty bodies, invalid input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_json_data_wrapper(client, world):
    data = ok(
        await client.post("/teams", json={"data": {"name": "Core", "organization": world.workspace}}), 201
    )
    assert data["name"] == "Core"


async def test_form_encoded_flat_fields(client, world):
    r = await client.post(
        "/teams", data={"name": "Form team", "organization": world.workspace, "endorsed": "True"}
    )
    data = ok(r, 201)
    assert data["name"] == "Form team"
    assert data["endorsed"] is True


async def test_form_options_use_opt_prefix(client, world):
    r = await client.post(
        "/teams",
        data={"name": "Opt", "organization": world.workspace, "opt_fields": "name", "opt_pretty": "true"},
    )
    assert r.status_code == 201
    assert r.json() == {"data": {"gid": r.json()["data"]["gid"], "name": "Opt"}}
    assert "\n  " in r.text


async def test_json_options_fields_and_pretty(client, world):
    body = {
        "data": {"name": "Opts", "organization": world.workspace},
        "options": {"fields": ["name"], "pretty": True},
    }
    r = await client.post("/teams", json=body)
    assert r.status_code == 201
    assert set(r.json()["data"]) == {"gid", "name"}
    assert "\n  " in r.text


async def test_invalid_json_is_400_and_changes_nothing(client, world):
    before = world.count("SELECT count(*) FROM teams")
    r = await client.post(
        "/teams", content=b'{"data": {"name": ', headers={"content-type": "application/json"}
    )
    fails(r, 400, "invalid JSON")
    assert world.count("SELECT count(*) FROM teams") == before


async def test_invalid_utf8_is_400(client):
    r = await client.post(
        "/teams", content=b'{"data": {"name": "\xff\xfe"}}', headers={"content-type": "application/json"}
    )
    fails(r, 400)


async def test_body_must_be_an_object(client):
    fails(await client.post("/teams", json=[1, 2]), 400, "JSON object")
    fails(await client.post("/teams", json={"data": "x"}), 400, "data")


async def test_deeply_nested_json_is_400(client, world):
    nested: dict[str, Any] = {}
    for _ in range(200):
        nested = {"x": nested}
    r = await client.post(
        "/teams", json={"data": {"name": "n", "organization": world.workspace, "extra": nested}}
    )
    fails(r, 400, "nested")


async def test_missing_required_field_names_it(client, world):
    fails(
        await client.post("/teams", json={"data": {"organization": world.workspace}}),
        400,
        "name: Missing input",
    )
    fails(await client.post("/teams", json={"data": {"name": "x"}}), 400, "organization: Missing input")
    fails(await client.post(f"/workspaces/{world.workspace}/addUser", json={}), 400, "user: Missing input")


async def test_empty_body_and_braces_are_an_empty_payload(client, world):
    # The SDK sends `{}` (or nothing) on calls without input; required fields then decide.
    fails(await client.post(f"/teams/{world.team}/addUser", content=b"{}"), 400, "user: Missing input")
    fails(await client.post(f"/teams/{world.team}/addUser"), 400, "user: Missing input")
    ok(await client.put(f"/teams/{world.team}", content=b"{}", headers={"content-type": "application/json"}))


async def test_wrong_types_are_400(client, world):
    fails(
        await client.post("/teams", json={"data": {"name": 5, "organization": world.workspace}}), 400, "name"
    )
    fails(await client.put(f"/teams/{world.team}", json={"data": {"endorsed": "perhaps"}}), 400, "endorsed")
    fails(
        await client.put(f"/teams/{world.team}", json={"data": {"visibility": "everyone"}}), 400, "visibility"
    )


async def test_booleans_accept_both_cases(client, world):
    for raw, expected in (("true", True), ("False", False), ("True", True), ("false", False)):
        data = ok(await client.put(f"/teams/{world.team}", data={"endorsed": raw}))
        assert data["endorsed"] is expected
    data = ok(await client.put(f"/teams/{world.team}", json={"data": {"endorsed": True}}))
    assert data["endorsed"] is True


async def test_unknown_query_params_and_feature_headers_are_ignored(client, world):
    r = await client.post(
        f"/teams/{world.team}/addUser?body=%7B%27data%27%3A+%7B%7D%7D&whatever=1",
        json={"data": {"user": "me"}},
        headers={"Asana-Enable": "new_user_task_lists,unknown_feature", "Asana-Disable": "string_ids"},
    )
    assert ok(r)["user"]["gid"] == world.user


async def test_oversized_body_is_413(world):
    from tests.conftest import api_client

    runtime = world.env.app.state.runtime
    old = runtime.max_body_bytes
    runtime.max_body_bytes = 1024
    try:
        async with api_client(world.env, world.token) as c:
            r = await c.post("/teams", json={"data": {"name": "x" * 5000, "organization": world.workspace}})
            fails(r, 413, "larger than")
    finally:
        runtime.max_body_bytes = old
    assert world.count("SELECT count(*) FROM teams") == 1


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE teams;--",
        '<script>alert("x")</script>',
        "&amp; &lt;b&gt; ' \" \\ %s %(x)s ?",
        "名前 🚀 \u200b",
    ],
)
async def test_injection_strings_are_stored_verbatim(client, world, name):
    created = ok(
        await client.post("/teams", json={"data": {"name": name, "organization": world.workspace}}), 201
    )
    assert created["name"] == name
    assert ok(await client.get(f"/teams/{created['gid']}?opt_fields=name"))["name"] == name
    listed = [t["name"] for t in ok(await client.get(f"/workspaces/{world.workspace}/teams"))]
    assert name in listed
    assert world.count("SELECT count(*) FROM teams") == 2
