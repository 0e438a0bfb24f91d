"""What SDKs put on the wire (issue 13 §1): repeated list keys, and offsets bound only to filters."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def _add_people(client, world, n):
    for i in range(n):
        path = f"/workspaces/{world.workspace}/addUser"
        ok(await client.post(path, json={"data": {"user": f"w{i:02d}@example.com"}}))


async def test_repeated_opt_fields_are_one_list(client, world):
    """The Node SDK sends arrays as repeated keys: `opt_fields=name&opt_fields=email`."""
    repeated = ok(await client.get(f"/users/{world.user}?opt_fields=name&opt_fields=email"))
    joined = ok(await client.get(f"/users/{world.user}?opt_fields=name,email"))
    assert repeated == joined
    assert set(repeated) == {"gid", "name", "email"}


async def test_repeated_opt_fields_on_lists_and_mixed_forms(client, world):
    query = "opt_fields=name&opt_fields=email,is_organization&opt_fields="
    items = ok(await client.get(f"/workspaces?{query}"))
    assert items and all(set(w) == {"gid", "name", "is_organization"} for w in items)


async def test_repeated_opt_fields_on_writes(client, world):
    made = ok(
        await client.post(
            "/teams?opt_fields=name&opt_fields=organization.name",
            json={"data": {"name": "Wire", "organization": world.workspace}},
        ),
        201,
    )
    assert set(made) == {"gid", "name", "organization"}
    assert set(made["organization"]) == {"gid", "name"}


async def test_cache_buster_does_not_bind_the_offset(client, world):
    """`ApiClient.cache = false` adds `_=<timestamp>` to every GET, different on every page."""
    await _add_people(client, world, 4)
    seen: list[str] = []
    path = f"/users?workspace={world.workspace}&limit=2&opt_fields=name&opt_fields=email&_=1000"
    stamp = 1000
    while path:
        body = (await client.get(path)).json()
        assert "errors" not in body, body
        seen += [u["gid"] for u in body["data"]]
        assert all(set(u) == {"gid", "name", "email"} for u in body["data"])
        nxt = body["next_page"]
        if nxt is None:
            break
        stamp += 1
        path = f"/users?workspace={world.workspace}&limit=2&opt_fields=name,email&_={stamp}"
        path += f"&offset={nxt['offset']}&unknown=x"
    assert len(seen) == 5 == len(set(seen))


async def test_offset_still_bound_to_declared_filters(client, world):
    await _add_people(client, world, 3)
    token = (await client.get(f"/users?workspace={world.workspace}&limit=1&_=1")).json()["next_page"][
        "offset"
    ]
    ok(await client.get(f"/users?workspace={world.workspace}&limit=1&_=2&offset={token}"))
    fails(await client.get(f"/users?limit=1&_=2&offset={token}"), 400, "offset")
    # A different limit or opt_fields does not change which items the list holds.
    ok(await client.get(f"/users?workspace={world.workspace}&limit=3&opt_fields=email&offset={token}"))
