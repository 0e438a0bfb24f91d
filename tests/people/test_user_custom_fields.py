"""Custom field values on users (`custom_fields` on UserResponse, set with PUT /users/{gid} and
PUT /workspaces/{gid}/users/{user_gid}): the fields a workspace gives its members, typed values,
who may set them, and that a viewer sees only fields of shared workspaces (issue 23)."""

from __future__ import annotations

import pytest

from tests.conftest import World, api_client
from tests.custom_fields.helpers import make_field
from tests.helpers import fails, ok
from vinyasa.core import Caller, journal
from vinyasa.users import fields

pytestmark = pytest.mark.anyio
SHOWN = {"opt_fields": "custom_fields.name,custom_fields.display_value,custom_fields.enabled"}


def give(world: World, workspace: str, field: str, *, remove: bool = False) -> list[str]:
    """What POST /_vinyasa/workspaces/{gid}/user_custom_fields does."""
    with world.env.engine.begin() as conn:
        ctx = Caller(conn=conn, user_gid=0, base_url="")
        out = fields.change_setting(ctx, workspace, field, remove=remove)
        journal.flush(ctx)
        return out


async def shown(client, user: str = "me") -> list[tuple[str, str | None, bool]]:
    data = ok(await client.get(f"/users/{user}", params=SHOWN))
    return [(v["name"], v["display_value"], v["enabled"]) for v in data["custom_fields"]]


async def test_users_carry_the_fields_their_workspace_gives(client, world: World) -> None:
    dept = (await make_field(client, world, "Dept"))["gid"]
    level = await make_field(client, world, "Level", "enum", enum_options=[{"name": "L1"}, {"name": "L2"}])
    assert await shown(client) == []
    assert give(world, world.workspace, dept) == [dept]
    assert give(world, world.workspace, level["gid"]) == [dept, level["gid"]]
    assert await shown(client) == [("Dept", None, True), ("Level", None, True)]
    l2 = level["enum_options"][1]["gid"]
    body = {"data": {"custom_fields": {dept: "Eng", level["gid"]: l2}}}
    data = ok(await client.put("/users/me", json=body, params={"opt_fields": "custom_fields.display_value"}))
    assert [v["display_value"] for v in data["custom_fields"]] == ["Eng", "L2"]
    changed = "SELECT count(*) FROM journal WHERE resource_gid = :g AND field = 'custom_fields'"
    assert world.count(changed, g=int(world.user)) == 2
    path = f"/workspaces/{world.workspace}/users/me"
    ok(await client.put(path, json={"data": {"custom_fields": {dept: None}}}))
    assert await shown(client) == [("Dept", None, True), ("Level", "L2", True)]
    give(world, world.workspace, level["gid"], remove=True)  # the value stays, disabled
    assert await shown(client) == [("Dept", None, True), ("Level", "L2", False)]


async def test_who_may_set_them(client, world: World) -> None:
    dept = (await make_field(client, world, "Dept"))["gid"]
    give(world, world.workspace, dept)
    bob, token = world.person("bob@example.com")
    body = {"data": {"custom_fields": {dept: "Ops"}}}
    ok(await client.put(f"/workspaces/{world.workspace}/users/{bob}", json=body))  # an admin may
    async with api_client(world.env, token) as as_bob:
        ok(await as_bob.put("/users/me", json={"data": {"custom_fields": {dept: "Sales"}}}))  # oneself
        fails(await as_bob.put(f"/users/{world.user}", json=body), 403, "admin")
    assert await shown(client, bob) == [("Dept", "Sales", True)]
    assert await shown(client) == [("Dept", None, True)]


async def test_bad_values_are_400_and_change_nothing(client, world: World) -> None:
    dept = (await make_field(client, world, "Dept"))["gid"]
    count = (await make_field(client, world, "Count", "number"))["gid"]
    unused = (await make_field(client, world, "Unused"))["gid"]
    give(world, world.workspace, dept)
    give(world, world.workspace, count)
    before = world.count("SELECT count(*) FROM user_custom_field_values")
    for values, words in (
        ({unused: "x"}, "Not a custom field of this user"),
        ({"1": "x"}, "custom_fields.1: Unknown object"),
        ({"nope": "x"}, "custom_fields.nope"),
        ({dept: "ok", count: "many"}, f"custom_fields.{count}"),
    ):
        fails(await client.put("/users/me", json={"data": {"custom_fields": values}}), 400, words)
    other = world.other_workspace("Elsewhere", "owner@example.com")["workspace"]
    fails(
        await client.put(f"/users/me?workspace={other}", json={"data": {"custom_fields": {dept: "x"}}}),
        400,
        "another workspace",
    )
    assert world.count("SELECT count(*) FROM user_custom_field_values") == before


async def test_a_viewer_sees_only_fields_of_shared_workspaces(client, world: World) -> None:
    dept = (await make_field(client, world, "Dept"))["gid"]
    give(world, world.workspace, dept)
    bob, token = world.person("bob@example.com")
    own = world.other_workspace("Bob's", "bob@example.com")["workspace"]
    async with api_client(world.env, token) as as_bob:
        body = {"workspace": own, "name": "Hobby", "resource_subtype": "text"}
        hobby = ok(await as_bob.post("/custom_fields", json={"data": body}), 201)["gid"]
        give(world, str(own), hobby)
        fails(
            await as_bob.put("/users/me", json={"data": {"custom_fields": {hobby: "chess", dept: "Eng"}}}),
            400,
            "another workspace",
        )
        ok(await as_bob.put("/users/me", json={"data": {"custom_fields": {hobby: "chess"}}}))
        assert sorted(await shown(as_bob)) == [("Dept", None, True), ("Hobby", "chess", True)]
    assert await shown(client, bob) == [("Dept", None, True)]  # the owner is not in Bob's workspace
