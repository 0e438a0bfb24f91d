"""Auth, the error envelope for every failure, gids."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok

pytestmark = pytest.mark.anyio


async def test_missing_token_is_401(world):
    async with api_client(world.env, None) as anon:
        fails(await anon.get("/users/me"), 401, "Not Authorized")


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer ", "token"])
async def test_bad_token_is_401(world, header):
    async with api_client(world.env, None) as anon:
        fails(await anon.get("/users/me", headers={"Authorization": header}), 401)


async def test_bad_token_on_a_write_changes_nothing(world):
    async with api_client(world.env, "wrong") as anon:
        fails(await anon.post("/teams", json={"data": {"name": "x", "organization": world.workspace}}), 401)
    assert world.count("SELECT count(*) FROM teams") == 1


async def test_unknown_route_is_404_envelope(client):
    fails(await client.get("/nothing/here"), 404)
    fails(await client.get("/../../etc/passwd"), 404)


async def test_wrong_method_on_known_path_is_404(client, world):
    fails(await client.delete(f"/workspaces/{world.workspace}"), 404)
    fails(await client.post("/users/me"), 404)
    fails(await client.patch(f"/teams/{world.team}"), 404)


async def test_unexpected_error_is_500_with_phrase_and_rolls_back(client, world, monkeypatch):
    import vinyasa.teams.service as team_service

    def explode(*_a, **_k):
        raise RuntimeError("secret internals")

    real = team_service.add_member
    monkeypatch.setattr(
        team_service, "invite", lambda ctx, team, ws, user: (real(ctx.conn, team, user), explode())
    )
    newcomer, _ = world.person("crash@example.com")
    before = world.count("SELECT count(*) FROM team_members")
    r = await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": newcomer}})
    fails(r, 500)
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert world.count("SELECT count(*) FROM team_members") == before


async def test_gids_are_digit_strings_and_not_sequential(client, world):
    gids = []
    for i in range(5):
        gids.append(
            int(
                ok(
                    await client.post(
                        "/teams", json={"data": {"name": f"T{i}", "organization": world.workspace}}
                    ),
                    201,
                )["gid"]
            )
        )
    assert all(len(str(g)) == 16 for g in gids)
    steps = {b - a for a, b in zip(gids, gids[1:], strict=False)}
    assert steps != {1} and len(gids) == len(set(gids))


@pytest.mark.parametrize("gid", ["abc", "12a", "0", "1" * 200, "-5", "99999999999999999999"])
async def test_malformed_path_gids_are_404(client, gid):
    fails(await client.get(f"/teams/{gid}"), 404)
    fails(await client.get(f"/workspaces/{gid}"), 404)


async def test_rate_limit_429_with_retry_after(world):
    from vinyasa.protocol.ratelimit import RateLimiter

    runtime = world.env.app.state.runtime
    runtime.limiter = RateLimiter(3)
    try:
        async with api_client(world.env, world.token) as c:
            for _ in range(3):
                ok(await c.get("/users/me"))
            r = await c.get("/users/me")
            fails(r, 429, "rate limit")
            assert int(r.headers["Retry-After"]) >= 1
    finally:
        runtime.limiter = None


async def test_location_header_on_create(client, world):
    r = await client.post("/teams", json={"data": {"name": "L", "organization": world.workspace}})
    assert r.headers["Location"] == f"http://testserver/api/1.0/teams/{r.json()['data']['gid']}"


async def test_json_content_type(client):
    r = await client.get("/users/me")
    assert r.headers["content-type"].startswith("application/json")
