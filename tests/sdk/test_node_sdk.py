"""The official Node SDK (`asana` 3.x, pinned by tests/sdk/node/package-lock.json) drives every
implemented operation against a live `vinyasa serve`: one node process per backend.

It runs as its users configure it: `ApiClient.cache = false` (every GET carries `_=<timestamp>`),
`opt_fields` as arrays (sent as repeated keys), and pagination walks with `nextPage()`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import asana
import pytest

from tests.sdk.conftest import Live
from vinyasa.app import create_app
from vinyasa.config import Settings
from vinyasa.protocol.context import AsanaRoute

NODE_DIR = Path(__file__).parent / "node"
REQUIRED = os.environ.get("VINYASA_REQUIRE_POSTGRES") == "1"  # set in CI: nothing may skip there


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}; the Node SDK suite cannot run (VINYASA_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node_sdk() -> str:
    """The `node` binary, with the SDK installed by `npm ci` from the lock file when it is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("node and npm are not installed")
    assert node is not None and npm is not None
    if not (NODE_DIR / "node_modules" / "asana" / "package.json").exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {NODE_DIR}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return node


@pytest.fixture(scope="session")
def node_run(node_sdk: str, live: Live) -> dict[str, Any]:
    """Run tests/sdk/node/drive.js once per backend and return what it printed."""
    live.favor(live.user, live.user, workspace=live.workspace)  # what getFavoritesForUser lists
    user_field = asana.CustomFieldsApi(live.client()).create_custom_field(
        {"data": {"workspace": live.workspace, "name": "Node user field", "resource_subtype": "text"}}, {}
    )["gid"]
    live.give_user_field(user_field)  # what updateUser:custom_fields sets
    env = {
        **os.environ,
        "VINYASA_BASE": live.base,
        "VINYASA_TOKEN": live.token,
        "VINYASA_USER": live.user,
        "VINYASA_WORKSPACE": live.workspace,
        "VINYASA_TEAM": live.team,
        "VINYASA_USER_FIELD": user_field,
    }
    done = subprocess.run(
        [node_sdk, "drive.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def _implemented() -> set[str]:
    app = create_app(Settings(database_url="sqlite://"))
    return {r.operation_id for r in app.routes if isinstance(r, AsanaRoute) and r.operation_id}


def test_every_implemented_operation_succeeds(node_run):
    assert node_run.get("crash") is None, node_run["crash"]
    assert node_run["failures"] == {}
    called = {name.split(":")[0] for name in [*node_run["calls"], *node_run["expected_errors"]]}
    called = {name for name in called if name != "walk"}
    missing = _implemented() - called
    assert not missing, f"operations the Node SDK suite does not drive: {sorted(missing)}"
    assert len(_implemented()) >= 64


def test_opt_fields_arrays_and_responses(node_run):
    calls = node_run["calls"]
    assert set(calls["getUser"]) == {"gid", "name", "email"}
    assert calls["getUsers"] and all(set(u) == {"gid", "name", "email"} for u in calls["getUsers"])
    assert calls["updateWorkspace"]["name"] == "Acme Node"
    assert calls["createTeam"]["organization"]["name"] == "Acme Node"
    assert calls["updateTeam"]["description"] == "Drives the SDK"
    assert calls["updateProject"] == {
        "gid": calls["createProject"]["gid"],
        "notes": "From node",
        "color": "dark-blue",
    }
    assert calls["updateSection"]["name"] == "Alpha"
    assert [s["name"] for s in calls["getSectionsForProject"]][-2:] == ["B", "Alpha"]
    assert calls["updateTask"] == {
        "gid": node_run["ids"]["tasks"][0],
        "name": "T0 renamed",
        "completed": True,
    }
    # The bare-field rule: `memberships` records are {}, `projects` references are {gid, resource_type}.
    assert calls["getTask"]["memberships"] == [{}]
    assert calls["getTask"]["projects"] == [{"gid": node_run["ids"]["project"], "resource_type": "project"}]
    assert calls["getTaskCountsForProject"] == {"num_tasks": 5, "num_completed_tasks": 1}
    assert calls["setParentForTask"]["parent"]["name"] == "T2"
    assert sorted(p["name"] for p in calls["getProjectsForTask"]) == ["Node roadmap", "Second"]
    assert calls["getProjectBrief"]["text"] == "Because"
    assert [o["name"] for o in calls["getCustomField"]["enum_options"]] == ["b", "a"]
    assert calls["getCustomField"]["name"] == "Node stage 2"
    assert calls["updateTask:custom_fields"]["custom_fields"] == [
        {"gid": calls["createCustomField"]["gid"], "display_value": "a"}
    ]
    assert calls["getCustomFieldSettingsForProject"][0]["custom_field"]["name"] == "Node stage 2"
    assert calls["removeCustomFieldSettingForProject"] == {}
    tag = calls["createTag"]
    assert tag["name"] == "Node tag" and tag["color"] == "light-green"
    assert calls["getTag"]["permalink_url"].endswith(f"/{tag['gid']}/list")
    assert calls["updateTag"]["notes"] == "From node"
    assert {t["gid"] for t in calls["getTags"]} >= {tag["gid"], calls["createTagForWorkspace"]["gid"]}
    assert [t["name"] for t in calls["getTagsForTask"]] == ["Node tag"]
    assert [t["tags"] for t in calls["getTasksForTag"]] == [[{"gid": tag["gid"], "name": "Node tag"}]] * 2
    assert calls["walk:getTasksForTag"]["pages"] == 2
    assert len(calls["searchTasksForWorkspace:tags"]) == 2  # searched before removeTagForTask
    assert node_run["expected_errors"]["addTagForTask:unknown"]["status"] == 400
    for deleted in (
        "deleteTag",
        "deleteCustomField",
        "deleteProject",
        "deleteTask",
        "deleteSection",
        "deleteStatus",
        "deleteProjectBrief",
    ):
        assert calls[deleted] == {}, deleted


def test_pagination_walks_with_cache_false(node_run):
    """`_=<timestamp>` differs on every page; the offset token must still be accepted."""
    calls = node_run["calls"]
    people = calls["walk:getUsersForWorkspace"]
    assert people["pages"] >= 3
    assert len(people["gids"]) == len(set(people["gids"]))
    assert set(people["gids"]) == {u["gid"] for u in calls["getUsersForWorkspace"]}
    assert people["shapes"] == ["email,gid,name"]
    assert set(calls["walk:getUsers"]["gids"]) == set(people["gids"])
    tasks = calls["walk:getTasksForProject"]
    assert tasks["pages"] == 3 and tasks["shapes"] == ["completed,gid,name"]
    assert tasks["gids"] == [t["gid"] for t in calls["getTasksForProject"]]
    incomplete = calls["walk:getTasks"]
    assert len(incomplete["gids"]) == 4 and node_run["ids"]["tasks"][0] not in incomplete["gids"]


def test_put_task_followers_is_refused(node_run):
    refused = node_run["expected_errors"]["updateTask:followers"]
    assert refused["status"] == 400
    assert refused["body"]["errors"][0]["message"].startswith("followers: ")


def test_events_follow_a_project_through_500_changes(node_run):
    """The Node SDK sees the 412 with a fresh `sync`, then follows the project with no event lost
    or duplicated, whatever the polling rhythm (has_more pages included)."""
    assert node_run["expected_errors"]["getEvents"]["status"] == 412
    follow = node_run["calls"]["getEvents"]
    assert follow["followed"] == [[follow["task"], "changed", "name"]] * 500
    assert follow["polls"] >= 7  # three polls mid-way and the last drain, each past 100 events
    assert node_run["expected_errors"]["getWorkspaceEvents"]["status"] == 412
    assert len(node_run["calls"]["getWorkspaceEvents"]) == 0  # nothing happened since its token


def test_jobs_and_templates_through_the_node_sdk(node_run):
    calls = node_run["calls"]
    assert calls["duplicateProject"]["resource_subtype"] == "duplicate_project"
    assert calls["getJob"]["status"] == "succeeded"
    assert calls["getJob"]["new_project"]["name"] == "Node copy"
    assert calls["duplicateTask:done"]["new_task"]["name"] == "T0 again"
    assert calls["getProjectTemplate"]["name"] == "Node template"
    assert calls["getProjectTemplate"]["public"] is True
    assert [t["name"] for t in calls["getProjectTemplates"]] == ["Node template"]
    assert calls["instantiateProject:done"]["new_project"]["name"] == "From node template"
    assert calls["deleteProjectTemplate"] == {}
    assert calls["duplicatePortfolio"]["resource_subtype"] == "duplicate_portfolio"
    assert calls["duplicatePortfolio:done"]["new_portfolio"]["name"] == "Node bets copy"


def test_memberships_through_the_node_sdk(node_run):
    calls = node_run["calls"]
    assert calls["createMembership"]["access_level"] == "editor"
    assert calls["updateMembership"]["access_level"] == "commenter"
    assert calls["deleteMembership"] == {}
    assert calls["getMembership"]["gid"] == calls["createMembership"]["gid"]


def test_portfolios_through_the_node_sdk(node_run):
    calls = node_run["calls"]
    assert calls["createPortfolio"]["color"] == "dark-teal"
    assert calls["updatePortfolio"] == {
        "gid": calls["createPortfolio"]["gid"],
        "name": "Node bets 2",
        "due_on": "2027-02-02",
    }
    assert calls["getPortfolio"]["owner"]["name"]
    assert calls["createPortfolio"]["gid"] in {p["gid"] for p in calls["getPortfolios"]}
    names = [i["name"] for i in calls["getItemsForPortfolio"]]
    assert names == ["I1", "I2", "I0", "Node child"]
    walked = calls["walk:getItemsForPortfolio"]
    assert walked["pages"] == 2 and walked["gids"] == [i["gid"] for i in calls["getItemsForPortfolio"]]
    assert calls["removeItemForPortfolio"] == {}
    assert node_run["expected_errors"]["addItemForPortfolio:cycle"]["status"] == 400
    assert len(calls["addMembersForPortfolio"]["members"]) == 2
    assert {m["access_level"] for m in calls["getPortfolioMembershipsForPortfolio"]} == {"admin", "editor"}
    assert [m["access_level"] for m in calls["getPortfolioMemberships"]] == ["editor"]
    assert calls["getPortfolioMembership"]["portfolio"]["name"] == "Node bets 2"
    assert len(calls["removeMembersForPortfolio"]["members"]) == 1
    status = calls["createStatusForObject:portfolio"]
    assert (
        status["resource_subtype"] == "portfolio_status_update" and status["parent"]["name"] == "Node bets 2"
    )
    field = calls["addCustomFieldSettingForPortfolio"]["custom_field"]["gid"]
    assert [s["custom_field"]["name"] for s in calls["getCustomFieldSettingsForPortfolio"]] == ["Node budget"]
    assert calls["updateProject:portfolio_field"]["custom_fields"] == [
        {"gid": field, "display_value": "ample"}
    ]
    assert calls["removeCustomFieldSettingForPortfolio"] == {}
    assert calls["deletePortfolio"] == {}


def test_webhooks_handshake_signed_delivery_and_crud(node_run):
    """The Node SDK creates a webhook whose target is a receiver in the node process (handshake),
    which then gets a delivery whose signature node's own crypto verifies; list, update, delete."""
    calls = node_run["calls"]
    task = node_run["ids"]["tasks"][1]
    assert calls["createWebhook"]["resource"]["gid"] == node_run["ids"]["project"]
    assert calls["createWebhook:delivery"] == {"verified": True, "events": [[task, "notes"]]}
    assert calls["getWebhook"]["filters"] == [
        {"resource_type": "task", "action": "changed", "fields": ["notes"]}
    ]
    assert calls["getWebhook"]["last_success_at"] is not None
    assert calls["walk:getWebhooks"]["gids"] == [calls["createWebhook"]["gid"]]
    assert calls["walk:getWebhooks"]["shapes"] == ["gid,target"]
    assert "Node roadmap" in [w["resource"]["name"] for w in calls["getWebhooks"]]
    assert calls["updateWebhook"]["filters"] == [{"action": "deleted"}]
    assert calls["deleteWebhook"] == {}
    assert node_run["expected_errors"]["getWebhook:deleted"]["status"] == 404


def test_rules_run_through_rules_api(node_run):
    calls, errors = node_run["calls"], node_run["expected_errors"]
    assert calls["triggerRule"] == {"message": "Successfully saved the payload and ran the rule"}
    assert [v["display_value"] for v in calls["triggerRule:task"]["custom_fields"]] == ["N-7"]
    [run] = calls["getRunsForRule_vinyasa"]
    assert run["trigger"] == "incoming_web_request" and run["actions_done"] == ["set_custom_field"]
    assert calls["updateRule_vinyasa"]["enabled"] is False and calls["deleteRule_vinyasa"] == {}
    assert errors["triggerRule:unknown"]["status"] == 404
    assert errors["triggerRule:disabled"]["status"] == 400


def test_search_dependencies_and_followers(node_run):
    calls, ids = node_run["calls"], node_run["ids"]
    assert calls["searchTasksForWorkspace"] == [{"gid": ids["tasks"][1], "name": "T1"}]
    assert [t["name"] for t in calls["searchTasksForWorkspace:completed"]] == ["T0 renamed"]
    assert [p["name"] for p in calls["searchProjectsForWorkspace"]] == ["Second"]
    assert calls["addDependenciesForTask"] == {} and calls["removeDependentsForTask"] == {}
    assert node_run["expected_errors"]["addDependenciesForTask:cycle"]["status"] == 400
    assert calls["getDependenciesForTask"] == [{"gid": ids["tasks"][2], "name": "T2"}]
    assert [t["gid"] for t in calls["getDependentsForTask"]] == [ids["tasks"][3]]
    blocked = sorted(t["gid"] for t in calls["searchTasksForWorkspace:blocked"])
    assert blocked == sorted([ids["tasks"][1], ids["tasks"][3]])
    assert ids["people"][1] in [f["gid"] for f in calls["addFollowersForTask"]["followers"]]
    assert ids["people"][1] not in [f["gid"] for f in calls["removeFollowerForTask"]["followers"]]


def test_user_for_workspace_and_goal_settings(node_run):
    assert node_run["calls"]["getUserForWorkspace"] == {
        "gid": node_run["calls"]["getUser"]["gid"],
        "email": node_run["calls"]["getUser"]["email"],
    }
    assert node_run["expected_errors"]["getCustomFieldSettingsForGoal"]["status"] == 404
    name = node_run["calls"]["getUser"]["name"]
    assert node_run["calls"]["updateUser"]["name"] == name + " N"
    assert node_run["calls"]["updateUserForWorkspace"]["name"] == name
    values = node_run["calls"]["updateUser:custom_fields"]["custom_fields"]
    assert [(v["name"], v["display_value"]) for v in values] == [("Node user field", "Node")]


def test_user_task_lists_through_the_node_sdk(node_run):
    calls = node_run["calls"]
    me = calls["getUser"]["gid"]
    mine = calls["getUserTaskListForUser"]
    assert mine["owner"]["gid"] == me and mine["name"].startswith("My tasks in ")
    listed = calls["getUserTaskList"]
    assert set(listed) == {"gid", "workspace"} and listed["gid"] == mine["gid"]
    tasks = calls["getTasksForUserTaskList"]
    assert isinstance(tasks, list) and all(set(t) == {"gid", "name"} for t in tasks)


def test_custom_ids_and_favorites(node_run):
    calls, ids = node_run["calls"], node_run["ids"]
    field = calls["createCustomField:custom_id"]
    assert (field["id_prefix"], field["representation_type"]) == ("NODE", "custom_id")
    found = calls["getTaskForCustomID"]
    assert found["gid"] == ids["numbered"] and found["name"] == "Numbered"
    assert [v["display_value"] for v in found["custom_fields"]] == ["NODE-1"]
    assert node_run["expected_errors"]["getTaskForCustomID:unknown"]["status"] == 404
    me = calls["getUser"]["gid"]
    assert calls["getFavoritesForUser"] == [{"gid": me, "name": calls["getUser"]["name"]}]  # opt_fields=name
    assert node_run["expected_errors"]["getFavoritesForUser:other"]["status"] == 403
