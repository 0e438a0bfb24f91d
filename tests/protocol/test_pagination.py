"""Keyset pagination: limit bounds, next_page states, signed offsets."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def _add_people(client, world, n):
    for i in range(n):
        ok(
            await client.post(
                f"/workspaces/{world.workspace}/addUser", json={"data": {"user": f"u{i:02d}@example.com"}}
            )
        )


async def test_next_page_absent_without_limit(client, world):
    await _add_people(client, world, 3)
    body = (await client.get(f"/users?workspace={world.workspace}")).json()
    assert "next_page" not in body
    assert len(body["data"]) == 4


async def test_walk_pages_and_last_page_is_null(client, world):
    await _add_people(client, world, 6)
    seen, url, pages = [], f"/users?workspace={world.workspace}&limit=3&opt_fields=email", 0
    while url:
        body = (await client.get(url)).json()
        pages += 1
        seen += [u["gid"] for u in body["data"]]
        assert "next_page" in body
        nxt = body["next_page"]
        if nxt is None:
            break
        assert set(nxt) == {"offset", "path", "uri"}
        assert nxt["path"].startswith("/users?")
        assert not nxt["path"].startswith("/api/1.0")
        assert nxt["uri"] == "http://testserver/api/1.0" + nxt["path"]
        query = parse_qs(urlparse(nxt["path"]).query)
        assert query["workspace"] == [world.workspace] and query["limit"] == ["3"]
        assert query["opt_fields"] == ["email"] and query["offset"] == [nxt["offset"]]
        url = nxt["path"]
    assert pages == 3
    assert len(seen) == 7 == len(set(seen))
    assert seen == sorted(seen, key=int)  # GET /users is ordered by user id


async def test_exact_multiple_ends_with_null(client, world):
    await _add_people(client, world, 1)
    body = (await client.get(f"/users?workspace={world.workspace}&limit=2")).json()
    assert len(body["data"]) == 2 and body["next_page"] is None


async def test_pages_stay_consistent_while_items_are_added(client, world):
    await _add_people(client, world, 4)
    first = (await client.get(f"/workspaces/{world.workspace}/users?limit=2")).json()
    await client.post(f"/workspaces/{world.workspace}/addUser", json={"data": {"user": "aaa@example.com"}})
    second = (
        await client.get(
            "/workspaces/" + world.workspace + "/users?limit=2&offset=" + first["next_page"]["offset"]
        )
    ).json()
    names = [u["name"] for u in first["data"] + second["data"]]
    assert names == sorted(names) and len(set(names)) == 4


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5"])
async def test_limit_out_of_range_is_400(client, limit):
    fails(await client.get(f"/users?limit={limit}"), 400, "limit")


async def test_garbage_offset_is_400(client):
    fails(await client.get("/users?limit=2&offset=garbage"), 400, "offset")
    fails(await client.get("/users?limit=2&offset=eyJ4IjoxfQ.AAAA"), 400, "offset")


async def test_tampered_offset_is_400(client, world):
    await _add_people(client, world, 3)
    token = (await client.get("/users?limit=1")).json()["next_page"]["offset"]
    body, sig = token.split(".")
    fails(await client.get(f"/users?limit=1&offset={body}x.{sig}"), 400, "offset")


async def test_offset_from_another_query_is_400(client, world):
    await _add_people(client, world, 3)
    token = (await client.get(f"/workspaces/{world.workspace}/users?limit=1")).json()["next_page"]["offset"]
    fails(await client.get(f"/users?limit=1&offset={token}"), 400, "offset")
    fails(await client.get(f"/users?limit=1&workspace={world.workspace}&offset={token}"), 400, "offset")


async def test_sdk_style_limit_on_undeclared_endpoint(client, world):
    body = (await client.get(f"/teams/{world.team}/users?limit=100")).json()
    assert body["next_page"] is None
    assert [u["gid"] for u in body["data"]] == [world.user]
