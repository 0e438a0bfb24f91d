"""Status updates on portfolios: the existing status-update store with a portfolio as parent."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.portfolios.helpers import make_portfolio

pytestmark = pytest.mark.anyio


async def _post(client, parent, status_type="on_track", text="fine"):
    data = {"parent": parent, "status_type": status_type, "text": text, "title": text}
    return ok(await client.post("/status_updates", json={"data": data}), 201)


async def test_status_updates_on_a_portfolio(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    first = await _post(client, folio, "on_track", "first")
    assert first["resource_subtype"] == "portfolio_status_update"
    assert first["parent"] == {"gid": folio, "resource_type": "portfolio", "name": "Bets"}
    assert first["status_type"] == "on_track"
    second = await _post(client, folio, "off_track", "second")
    got = ok(await client.get(f"/portfolios/{folio}"))
    assert got["current_status_update"] == {
        "gid": second["gid"],
        "resource_type": "status_update",
        "title": "second",
        "resource_subtype": "portfolio_status_update",
    }
    listed = ok(await client.get("/status_updates", params={"parent": folio}))
    assert [s["gid"] for s in listed] == [second["gid"], first["gid"]]
    assert ok(await client.get(f"/status_updates/{first['gid']}"))["text"] == "first"
    fails(await client.get(f"/project_statuses/{first['gid']}"), 404)  # the legacy view is projects'
    assert ok(await client.delete(f"/status_updates/{second['gid']}")) == {}
    assert ok(await client.get(f"/portfolios/{folio}"))["current_status_update"]["gid"] == first["gid"]
    fails(await _bad(client, folio, "achieved"), 400, "status_type")
    assert world.count("SELECT count(*) FROM statuses") == 1
    ok(await client.delete(f"/portfolios/{folio}"))
    assert world.count("SELECT count(*) FROM statuses") == 0


async def _bad(client, parent, status_type):
    data = {"parent": parent, "status_type": status_type, "text": "x"}
    return await client.post("/status_updates", json={"data": data})


async def test_project_status_updates_unchanged(client, world):
    from tests.projects.helpers import make_project

    project = (await make_project(client, world))["gid"]
    made = await _post(client, project)
    assert made["resource_subtype"] == "project_status_update"
    assert made["parent"]["resource_type"] == "project"
    assert ok(await client.get(f"/project_statuses/{made['gid']}"))["color"] == "green"
