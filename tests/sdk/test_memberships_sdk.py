"""Memberships (POST/GET/PUT/DELETE /memberships) through the official asana SDK's MembershipsApi,
against a live server: sharing a teamless project with a team gives its people access."""

from __future__ import annotations

import uuid

import asana
import pytest
from asana.rest import ApiException


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def test_share_a_project_with_a_team(live):
    client = live.client()
    memberships = asana.MembershipsApi(client)
    bob = asana.WorkspacesApi(client).add_user_for_workspace(
        {"data": {"user": f"b-{_tag()}@example.com"}}, live.workspace, {}
    )
    team = asana.TeamsApi(client).create_team(
        {"data": {"name": f"T {_tag()}", "organization": live.workspace}}, {}
    )
    asana.TeamsApi(client).add_user_for_team({"data": {"user": bob["gid"]}}, team["gid"], {})
    project = asana.ProjectsApi(client).create_project(
        {"data": {"name": "Teamless", "workspace": live.workspace, "privacy_setting": "private"}}, {}
    )
    assert project["team"] is None  # teamless: no team unless one is given
    token = live.cli("token", "create", "--email", bob["email"])["token"]
    as_bob = asana.ProjectsApi(live.client(token))
    with pytest.raises(ApiException) as info:
        as_bob.get_project(project["gid"], {})
    assert info.value.status == 404

    made = memberships.create_membership(
        {"body": {"data": {"parent": project["gid"], "member": team["gid"], "access_level": "commenter"}}}
    )
    assert made["resource_type"] == "membership" and made["resource_subtype"] == "project_membership"
    assert made["member"] == {"gid": team["gid"], "resource_type": "team", "name": team["name"]}
    assert as_bob.get_project(project["gid"], {"opt_fields": "name"})["name"] == "Teamless"

    listed = list(memberships.get_memberships({"parent": project["gid"], "limit": 1}))
    assert {m["member"]["gid"] for m in listed} == {live.user, team["gid"]}
    for_team = list(
        memberships.get_memberships(
            {"member": team["gid"], "resource_subtype": "project_membership", "opt_fields": "parent.name"}
        )
    )
    assert [m["parent"] for m in for_team] == [{"gid": project["gid"], "name": "Teamless"}]
    assert memberships.get_membership(made["gid"])["access_level"] == "commenter"
    changed = memberships.update_membership({"data": {"access_level": "editor"}}, made["gid"])
    assert changed["access_level"] == "editor"
    assert as_bob.update_project({"data": {"name": "Bob's"}}, project["gid"], {})["name"] == "Bob's"

    assert memberships.delete_membership(made["gid"]) == {}
    with pytest.raises(ApiException) as info:
        as_bob.get_project(project["gid"], {})
    assert info.value.status == 404
    with pytest.raises(ApiException) as info:
        memberships.create_membership({"body": {"data": {"parent": project["gid"]}}})
    assert info.value.status == 400 and b"member: Missing input" in info.value.body


def test_a_portfolios_memberships(live):
    """A portfolio as `parent` (Asana's spec: goal, project or portfolio), through MembershipsApi."""
    client = live.client()
    memberships = asana.MembershipsApi(client)
    bob = asana.WorkspacesApi(client).add_user_for_workspace(
        {"data": {"user": f"b-{_tag()}@example.com"}}, live.workspace, {}
    )
    portfolio = asana.PortfoliosApi(client).create_portfolio(
        {"data": {"name": "P", "workspace": live.workspace}}, {}
    )
    made = memberships.create_membership(
        {"body": {"data": {"parent": portfolio["gid"], "member": bob["gid"], "access_level": "editor"}}}
    )
    assert made["resource_subtype"] == "portfolio_membership" and made["parent"]["gid"] == portfolio["gid"]
    listed = list(memberships.get_memberships({"parent": portfolio["gid"], "limit": 1}))
    assert {(m["member"]["gid"], m["access_level"]) for m in listed} == {
        (live.user, "admin"),
        (bob["gid"], "editor"),
    }
    assert (
        memberships.update_membership({"data": {"access_level": "viewer"}}, made["gid"])["access_level"]
        == "viewer"
    )
    assert memberships.delete_membership(made["gid"]) == {}
    with pytest.raises(ApiException) as info:
        memberships.get_membership(made["gid"])
    assert info.value.status == 404
