"""What portfolio writes record in the change journal: items added/removed with the portfolio as
parent, `changed` entries of the portfolio's fields and members."""

from __future__ import annotations

import pytest

from tests.helpers import ok
from tests.portfolios.helpers import add_item, make_portfolio
from tests.projects.helpers import make_project

pytestmark = pytest.mark.anyio


def _entries(world, gid):
    with world.db() as conn:
        from sqlalchemy import text

        rows = conn.execute(
            text(
                "SELECT resource_type, action, parent_type, parent_gid, field, change_action, value_gid"
                " FROM journal WHERE resource_gid = :g ORDER BY id"
            ),
            {"g": int(gid)},
        )
        return [tuple(r) for r in rows]


async def test_item_and_field_records(client, world):
    folio = (await make_portfolio(client, world))["gid"]
    project = (await make_project(client, world))["gid"]
    bob, _ = world.person("bob@example.com")
    await add_item(client, folio, project)
    other = (await make_project(client, world, name="Other"))["gid"]
    await add_item(client, folio, other)
    for anchor in (
        "insert_before",
        "insert_after",
    ):  # moves of an item: no record (as a task's, in its section)
        ok(await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": project, anchor: other}}))
    ok(await client.post(f"/portfolios/{folio}/removeItem", json={"data": {"item": project}}))
    item_rows = [r for r in _entries(world, project) if r[2] == "portfolio"]
    assert item_rows == [
        ("project", "added", "portfolio", int(folio), None, None, None),
        ("project", "removed", "portfolio", int(folio), None, None, None),
    ]
    ok(await client.put(f"/portfolios/{folio}", json={"data": {"name": "New", "color": "dark-red"}}))
    ok(await client.put(f"/portfolios/{folio}", json={"data": {"name": "New"}}))  # no change: no record
    ok(await client.post(f"/portfolios/{folio}/addMembers", json={"data": {"members": [bob]}}))
    rows = _entries(world, folio)
    assert rows[0][:2] == ("portfolio", "added")
    assert ("portfolio", "changed", None, None, "name", "changed", None) in rows
    assert ("portfolio", "changed", None, None, "color", "changed", None) in rows
    assert ("portfolio", "changed", None, None, "members", "added", int(bob)) in rows
    assert len([r for r in rows if r[4] == "name"]) == 1
    # a rolled-back write records nothing
    before = world.count("SELECT count(*) FROM journal")
    await client.post(f"/portfolios/{folio}/addItem", json={"data": {"item": folio}})
    assert world.count("SELECT count(*) FROM journal") == before
