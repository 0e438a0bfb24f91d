import pytest

pytestmark = pytest.mark.anyio


async def test_me(client, world):
    r = await client.get("/users/me")
    assert r.status_code == 200
    assert r.json()["data"]["gid"] == world.user
