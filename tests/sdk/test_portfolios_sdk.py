"""Portfolios and portfolio memberships through the official asana SDK (PortfoliosApi,
PortfolioMembershipsApi, StatusUpdatesApi with a portfolio parent)."""

from __future__ import annotations

import json
import uuid

import asana
import pytest
from asana.rest import ApiException


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def test_portfolio_lifecycle(live):
    client = live.client()
    portfolios = asana.PortfoliosApi(client)
    projects = asana.ProjectsApi(client)
    made = portfolios.create_portfolio(
        {
            "data": {
                "name": f"Bets {_tag()}",
                "workspace": live.workspace,
                "color": "dark-green",
                "public": False,
            }
        },
        {"opt_fields": "name,color,owner,privacy_setting,members"},
    )
    folio = made["gid"]
    assert made["color"] == "dark-green" and made["owner"]["gid"] == live.user
    assert made["privacy_setting"] == "members_only" and [m["gid"] for m in made["members"]] == [live.user]

    updated = portfolios.update_portfolio(
        {"data": {"name": "Renamed", "due_on": "2027-06-30", "start_on": "2027-06-01", "public": True}},
        folio,
        {"opt_fields": "name,start_on,due_on,privacy_setting"},
    )
    assert updated == {
        "gid": folio,
        "name": "Renamed",
        "start_on": "2027-06-01",
        "due_on": "2027-06-30",
        "privacy_setting": "members_only",
    }
    assert portfolios.get_portfolio(folio, {"opt_fields": "archived"}) == {"gid": folio, "archived": False}
    mine = [p["gid"] for p in portfolios.get_portfolios(live.workspace, {"owner": "me"})]
    assert folio in mine

    gids = []
    for i in range(5):
        body = {"data": {"name": f"P{i}", "workspace": live.workspace, "team": live.team}}
        gids.append(projects.create_project(body, {})["gid"])
    for gid in gids[:3]:
        assert portfolios.add_item_for_portfolio({"data": {"item": gid}}, folio) == {}
    portfolios.add_item_for_portfolio({"data": {"item": gids[3], "insert_before": gids[0]}}, folio)
    portfolios.add_item_for_portfolio({"data": {"item": gids[4], "insert_after": gids[0]}}, folio)
    portfolios.add_item_for_portfolio({"data": {"item": gids[2], "insert_before": gids[3]}}, folio)
    order = [gids[2], gids[3], gids[0], gids[4], gids[1]]
    assert [i["gid"] for i in portfolios.get_items_for_portfolio(folio, {})] == order
    paged = list(portfolios.get_items_for_portfolio(folio, {"limit": 2, "opt_fields": "name"}))
    assert [i["gid"] for i in paged] == order and set(paged[0]) == {"gid", "name"}
    assert portfolios.remove_item_for_portfolio({"data": {"item": gids[0]}}, folio) == {}

    child = portfolios.create_portfolio({"data": {"name": "Child", "workspace": live.workspace}}, {})
    portfolios.add_item_for_portfolio({"data": {"item": child["gid"]}}, folio)
    last = list(portfolios.get_items_for_portfolio(folio, {}))[-1]
    assert last == {"gid": child["gid"], "resource_type": "portfolio", "name": "Child"}
    with pytest.raises(ApiException) as caught:
        portfolios.add_item_for_portfolio({"data": {"item": folio}}, child["gid"])
    assert caught.value.status == 400 and "contain" in json.loads(caught.value.body)["errors"][0]["message"]

    updates = asana.StatusUpdatesApi(client)
    status = updates.create_status_for_object(
        {"data": {"parent": folio, "status_type": "on_track", "text": "Good", "title": "W1"}},
        {"opt_fields": "parent.name,resource_subtype"},
    )
    assert status["resource_subtype"] == "portfolio_status_update" and status["parent"]["name"] == "Renamed"
    current = portfolios.get_portfolio(folio, {"opt_fields": "current_status_update.title"})
    assert current["current_status_update"] == {"gid": status["gid"], "title": "W1"}
    assert [s["gid"] for s in updates.get_statuses_for_object(folio, {})] == [status["gid"]]

    assert portfolios.delete_portfolio(child["gid"]) == {}
    assert portfolios.delete_portfolio(folio) == {}
    with pytest.raises(ApiException) as caught:
        portfolios.get_portfolio(folio, {})
    assert caught.value.status == 404


def test_members_and_memberships(live):
    client = live.client()
    portfolios = asana.PortfoliosApi(client)
    memberships = asana.PortfolioMembershipsApi(client)
    bob = asana.WorkspacesApi(client).add_user_for_workspace(
        {"data": {"user": f"b-{_tag()}@example.com"}}, live.workspace, {}
    )
    folio = portfolios.create_portfolio(
        {"data": {"name": "Shared", "workspace": live.workspace, "default_access_level": "viewer"}}, {}
    )["gid"]
    token = live.cli("token", "create", "--email", bob["email"])["token"]
    as_bob = asana.PortfoliosApi(live.client(token))
    with pytest.raises(ApiException) as caught:
        as_bob.get_portfolio(folio, {})
    assert caught.value.status == 404

    added = portfolios.add_members_for_portfolio(
        {"data": {"members": [bob["gid"]]}}, folio, {"opt_fields": "members"}
    )
    assert {m["gid"] for m in added["members"]} == {live.user, bob["gid"]}
    assert as_bob.get_portfolio(folio, {"opt_fields": "name"})["name"] == "Shared"
    with pytest.raises(ApiException) as caught:
        as_bob.update_portfolio({"data": {"name": "Mine"}}, folio, {})
    assert caught.value.status == 403

    listed = list(
        memberships.get_portfolio_memberships_for_portfolio(folio, {"opt_fields": "user,access_level"})
    )
    assert {(m["user"]["gid"], m["access_level"]) for m in listed} == {
        (live.user, "admin"),
        (bob["gid"], "viewer"),
    }
    theirs = list(memberships.get_portfolio_memberships({"workspace": live.workspace, "user": bob["gid"]}))
    assert len(theirs) == 1
    one = memberships.get_portfolio_membership(
        theirs[0]["gid"], {"opt_fields": "portfolio.name,access_level"}
    )
    assert one["portfolio"]["name"] == "Shared" and one["access_level"] == "viewer"
    by_portfolio = list(memberships.get_portfolio_memberships({"portfolio": folio, "limit": 1}))
    assert len(by_portfolio) == 2

    removed = portfolios.remove_members_for_portfolio(
        {"data": {"members": [bob["gid"], live.user]}}, folio, {"opt_fields": "members"}
    )
    assert [m["gid"] for m in removed["members"]] == [live.user]
    with pytest.raises(ApiException) as caught:
        as_bob.get_portfolio(folio, {})
    assert caught.value.status == 404


def test_custom_fields_through_a_portfolio(live):
    client = live.client()
    portfolios = asana.PortfoliosApi(client)
    folio = portfolios.create_portfolio({"data": {"name": "Fields", "workspace": live.workspace}}, {})["gid"]
    project = asana.ProjectsApi(client).create_project(
        {"data": {"name": "Funded", "workspace": live.workspace, "team": live.team}}, {}
    )["gid"]
    portfolios.add_item_for_portfolio({"data": {"item": project}}, folio)
    setting = portfolios.add_custom_field_setting_for_portfolio(
        {
            "data": {
                "custom_field": {"name": f"Budget {_tag()}", "resource_subtype": "number", "precision": 1}
            }
        },
        folio,
    )
    field = setting["custom_field"]["gid"]
    assert setting["parent"]["gid"] == folio
    listed = list(asana.CustomFieldSettingsApi(client).get_custom_field_settings_for_portfolio(folio, {}))
    assert [s["gid"] for s in listed] == [setting["gid"]]
    got = asana.ProjectsApi(client).update_project(
        {"data": {"custom_fields": {field: 12.5}}}, project, {"opt_fields": "custom_fields.display_value"}
    )
    assert got["custom_fields"] == [{"gid": field, "display_value": "12.5"}]
    assert (
        portfolios.remove_custom_field_setting_for_portfolio({"data": {"custom_field": field}}, folio) == {}
    )
    got = asana.ProjectsApi(client).get_project(project, {"opt_fields": "custom_fields.enabled"})
    assert got["custom_fields"] == [{"gid": field, "enabled": False}]
