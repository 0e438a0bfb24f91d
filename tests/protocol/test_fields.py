"""opt_fields projection and opt_pretty."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_full_record_without_opt_fields(client, world):
    data = ok(await client.get(f"/teams/{world.team}"))
    assert data["resource_type"] == "team"
    assert data["organization"] == {"gid": world.workspace, "resource_type": "workspace", "name": "Acme"}
    assert "description" not in data and "html_description" not in data  # opt-in
    assert data["custom_field_settings"] == []
    assert data["permalink_url"].startswith("http://testserver/")


async def test_opt_fields_replaces_the_default_set(client, world):
    data = ok(await client.get("/users/me?opt_fields=email"))
    assert data == {"gid": world.user, "email": "owner@example.com"}


async def test_opt_in_fields_only_when_named(client, world):
    ok(
        await client.put(
            f"/teams/{world.team}", json={"data": {"html_description": "<body>Hi <em>all</em></body>"}}
        )
    )
    data = ok(await client.get(f"/teams/{world.team}?opt_fields=description,html_description,name"))
    assert data == {
        "gid": world.team,
        "description": "Hi all",
        "html_description": "<body>Hi <em>all</em></body>",
        "name": "Acme Team",
    }


async def test_dotted_paths_and_this_prefix(client, world):
    data = ok(await client.get("/users/me?opt_fields=this.workspaces.name,this.workspaces.is_organization"))
    assert data == {
        "gid": world.user,
        "workspaces": [{"gid": world.workspace, "name": "Acme", "is_organization": True}],
    }


async def test_nested_paths_at_depth(client, world):
    data = ok(
        await client.post(
            f"/teams/{world.team}/addUser",
            params={"opt_fields": "team.organization.name,user.email"},
            json={"data": {"user": "me"}},
        )
    )
    assert data == {
        "gid": data["gid"],
        "team": {"gid": world.team, "organization": {"gid": world.workspace, "name": "Acme"}},
        "user": {"gid": world.user, "email": "owner@example.com"},
    }


async def test_bare_reference_gives_gid_and_type(client, world):
    data = ok(await client.get(f"/teams/{world.team}?opt_fields=organization"))
    assert data == {"gid": world.team, "organization": {"gid": world.workspace, "resource_type": "workspace"}}


async def test_group_syntax(client, world):
    data = ok(await client.get("/users/me?opt_fields=this.(name|email)"))
    assert data == {"gid": world.user, "name": "owner", "email": "owner@example.com"}


async def test_compact_records_in_lists(client, world):
    data = ok(await client.get(f"/workspaces/{world.workspace}/teams"))
    assert data == [{"gid": world.team, "resource_type": "team", "name": "Acme Team"}]
    data = ok(await client.get(f"/workspaces/{world.workspace}/teams?opt_fields=visibility"))
    assert data == [{"gid": world.team, "visibility": "request_to_join"}]


async def test_unknown_fields_are_ignored_and_garbage_paths_rejected(client, world):
    assert ok(await client.get("/users/me?opt_fields=nonsense,name")) == {"gid": world.user, "name": "owner"}
    fails(await client.get("/users/me?opt_fields=name;drop"), 400, "opt_fields")
    huge = ",".join(f"f{i}" for i in range(5000))
    fails(await client.get(f"/users/me?opt_fields={huge}"), 400, "opt_fields")


@pytest.mark.parametrize("flag", ["opt_pretty", "opt_pretty=true", "opt_pretty=True"])
async def test_opt_pretty_forms(client, flag):
    r = await client.get(f"/users/me?{flag}")
    assert r.status_code == 200
    assert r.text.startswith("{\n  ")


async def test_not_pretty_by_default_or_when_false(client):
    assert "\n" not in (await client.get("/users/me")).text
    assert "\n" not in (await client.get("/users/me?opt_pretty=false")).text
