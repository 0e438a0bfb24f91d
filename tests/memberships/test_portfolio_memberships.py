"""Portfolio memberships through /memberships (Asana's spec: `parent` is a goal, project or portfolio;
PortfolioMembershipCompactResponse): list, create, read, change and end them, with the rules of
addMembers/removeMembers (admin only, users only, the owner stays). Found missing by a fresh review
as an integration moving off /portfolio_memberships would use them."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World, api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import make_portfolio

pytestmark = pytest.mark.anyio


async def test_a_portfolios_memberships_through_memberships(client: httpx.AsyncClient, world: World) -> None:
    bob, bob_token = world.person("bob@example.com")
    portfolio = (await make_portfolio(client, world))["gid"]
    listed = ok(await client.get("/memberships", params={"parent": portfolio}))
    assert [
        (m["resource_type"], m["resource_subtype"], m["member"]["gid"], m["access_level"]) for m in listed
    ] == [("membership", "portfolio_membership", world.user, "admin")]
    owner_membership = listed[0]["gid"]

    body = {"parent": portfolio, "member": bob, "access_level": "editor"}
    made = ok(await client.post("/memberships", json={"data": body}), 201)
    assert made == {
        "gid": made["gid"],
        "resource_type": "membership",
        "resource_subtype": "portfolio_membership",
        "parent": {"gid": portfolio, "resource_type": "portfolio", "name": "Bets"},  # no opt-in here
        "member": {"gid": bob, "resource_type": "user", "name": "bob"},
        "access_level": "editor",
    }
    assert listed[0]["parent"]["gid"] == portfolio
    fails(await client.post("/memberships", json={"data": body}), 400, "already a member of this portfolio")
    fails(
        await client.post("/memberships", json={"data": {**body, "member": world.team}}),
        400,
        "member: A portfolio's members are users",
    )
    fails(
        await client.post("/memberships", json={"data": {**body, "access_level": "commenter"}}),
        400,
        "access_level: Not a valid access level for a portfolio: commenter",
    )
    one = ok(
        await client.get(f"/memberships/{made['gid']}", params={"opt_fields": "parent.name,access_level"})
    )
    assert one == {"gid": made["gid"], "parent": {"gid": portfolio, "name": "Bets"}, "access_level": "editor"}
    only_bob = ok(await client.get("/memberships", params={"parent": portfolio, "member": bob}))
    assert [m["gid"] for m in only_bob] == [made["gid"]]
    assert ok(await client.get("/memberships", params={"parent": portfolio, "member": world.team})) == []
    for subtype, count in (("portfolio_membership", 2), ("project_membership", 0)):
        found = ok(
            await client.get("/memberships", params={"parent": portfolio, "resource_subtype": subtype})
        )
        assert len(found) == count, (subtype, found)
    fails(
        await client.get(
            "/memberships", params={"member": world.team, "resource_subtype": "portfolio_membership"}
        ),
        400,
        "parent: Missing input",
    )
    # The owner stays an admin: else nobody could manage the portfolio any more.
    demote = {"data": {"access_level": "editor"}}
    fails(await client.put(f"/memberships/{owner_membership}", json=demote), 400, "owner is always an admin")

    changed = ok(await client.put(f"/memberships/{made['gid']}", json={"data": {"access_level": "viewer"}}))
    assert changed["access_level"] == "viewer"
    old_view = ok(
        await client.get(f"/portfolios/{portfolio}/portfolio_memberships?opt_fields=user,access_level")
    )
    assert {(m["user"]["gid"], m["access_level"]) for m in old_view} == {
        (world.user, "admin"),
        (bob, "viewer"),
    }

    async with api_client(world.env, bob_token) as as_bob:  # a viewer may look, not change members
        assert ok(await as_bob.get(f"/memberships/{owner_membership}"))["access_level"] == "admin"
        fails(await as_bob.delete(f"/memberships/{owner_membership}"), 403, "admin access")

    fails(await client.delete(f"/memberships/{owner_membership}"), 400, "owner is always a member")
    assert ok(await client.delete(f"/memberships/{made['gid']}")) == {}
    fails(await client.get(f"/memberships/{made['gid']}"), 404)
    assert [m["gid"] for m in ok(await client.get("/memberships", params={"parent": portfolio}))] == [
        owner_membership
    ]


async def test_a_portfolio_the_caller_cannot_see_is_unknown(client: httpx.AsyncClient, world: World) -> None:
    _carol, token = world.person("carol@example.com")
    portfolio = (await make_portfolio(client, world))["gid"]  # members_only: carol is no member
    membership = ok(await client.get("/memberships", params={"parent": portfolio}))[0]["gid"]
    async with api_client(world.env, token) as carol:
        unknown_parent = await carol.get("/memberships", params={"parent": "123456789"})
        hidden_parent = await carol.get("/memberships", params={"parent": portfolio})
        assert hidden_parent.status_code == unknown_parent.status_code == 400
        assert hidden_parent.json()["errors"][0]["message"] == unknown_parent.json()["errors"][0][
            "message"
        ].replace("123456789", portfolio)
        unknown = await carol.get("/memberships/123456789")
        hidden = await carol.get(f"/memberships/{membership}")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json() == {
            "errors": [
                {
                    **unknown.json()["errors"][0],
                    "message": unknown.json()["errors"][0]["message"].replace("123456789", membership),
                }
            ]
        }
        for method in ("PUT", "DELETE"):  # changing it: the same 404
            r = await carol.request(
                method, f"/memberships/{membership}", json={"data": {"access_level": "viewer"}}
            )
            assert (r.status_code, r.json()) == (404, hidden.json())
        body = {"parent": portfolio, "member": "me", "access_level": "admin"}
        fails(
            await carol.post("/memberships", json={"data": body}), 400, f"parent: Unknown object: {portfolio}"
        )
