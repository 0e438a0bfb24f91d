"""Every write route records what it changed: walked from the route table, so a new write route
without a recipe here (or one that writes without recording) fails this test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.receiver import shared_receiver
from vinyasa.core import runner

pytestmark = pytest.mark.anyio
Call = tuple[str, str, dict[str, Any] | None]  # method, path, body data
Recipe = Callable[[httpx.AsyncClient, World, dict[str, str]], Awaitable[Call]]


async def _scene(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """Fresh objects for one call: a project with a task and an extra section, a colleague, a status."""
    colleague = world.person(f"c{world.count('SELECT count(*) FROM users')}@example.com")[0]
    newcomer = world.person(f"n{world.count('SELECT count(*) FROM users')}@example.com")[0]
    project = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    task = await make_task(client, world, "T", projects=[project])
    peer = await make_task(client, world, "Peer", projects=[project])
    section = ok(await client.post(f"/projects/{project}/sections", json={"data": {"name": "S"}}), 201)["gid"]
    status = ok(
        await client.post(
            "/status_updates", json={"data": {"parent": project, "status_type": "on_track", "text": "ok"}}
        ),
        201,
    )["gid"]
    brief = ok(await client.post(f"/projects/{project}/project_briefs", json={"data": {"text": "b"}}), 201)[
        "gid"
    ]
    field: dict[str, Any] = {"workspace": world.workspace, "resource_subtype": "enum", "name": f"F{project}"}
    field["enum_options"] = [{"name": "a"}, {"name": "b"}]
    made = ok(await client.post("/custom_fields", json={"data": field}), 201)
    tag = {"name": f"Tag{project}", "workspace": world.workspace}
    tag_gid = ok(await client.post("/tags", json={"data": tag}), 201)["gid"]
    folio = {"name": "Bets", "workspace": world.workspace}
    portfolio = ok(await client.post("/portfolios", json={"data": folio}), 201)["gid"]
    return {
        "portfolio": portfolio,
        "tag": tag_gid,
        "field": made["gid"],
        "option": made["enum_options"][0]["gid"],
        "option2": made["enum_options"][1]["gid"],
        "colleague": colleague,
        "newcomer": newcomer,
        "project": project,
        "other": other,
        "task": task,
        "peer": peer,
        "section": section,
        "status": status,
        "brief": brief,
    }


def _call(method: str, path: str, data: dict[str, Any] | None = None) -> Recipe:
    def fill(value: Any, s: dict[str, str]) -> Any:
        if isinstance(value, str):
            return value.format(**s)
        return [fill(v, s) for v in value] if isinstance(value, list) else value

    async def recipe(_c: httpx.AsyncClient, _w: World, s: dict[str, str]) -> Call:
        return method, path.format(**s), {k: fill(v, s) for k, v in (data or {}).items()}

    return recipe


async def _webhook(client: httpx.AsyncClient, s: dict[str, str]) -> str:
    data = {"resource": s["project"], "target": shared_receiver().url}
    return str(ok(await client.post("/webhooks", json={"data": data}), 201)["gid"])


async def _create_webhook(_c: httpx.AsyncClient, _w: World, s: dict[str, str]) -> Call:
    return "POST", "/webhooks", {"resource": s["project"], "target": shared_receiver().url}


async def _update_webhook(c: httpx.AsyncClient, _w: World, s: dict[str, str]) -> Call:
    return "PUT", f"/webhooks/{await _webhook(c, s)}", {"filters": [{"action": "changed"}]}


async def _delete_webhook(c: httpx.AsyncClient, _w: World, s: dict[str, str]) -> Call:
    return "DELETE", f"/webhooks/{await _webhook(c, s)}", None


RECIPES: dict[str, Recipe] = {
    "createWebhook": _create_webhook,
    "updateWebhook": _update_webhook,
    "deleteWebhook": _delete_webhook,
    "createTeam": _call("POST", "/teams", {"name": "New team", "organization": "{workspace}"}),
    "updateTeam": _call("PUT", "/teams/{team}", {"name": "Renamed team"}),
    "updateUser": _call("PUT", "/users/me", {"name": "Renamed owner"}),
    "updateUserForWorkspace": _call("PUT", "/workspaces/{workspace}/users/me", {"name": "Owner again"}),
    "addUserForTeam": _call("POST", "/teams/{team}/addUser", {"user": "{newcomer}"}),
    "removeUserForTeam": _call("POST", "/teams/{team}/removeUser", {"user": "{user}"}),
    "addMembersForProject": _call("POST", "/projects/{project}/addMembers", {"members": ["{colleague}"]}),
    "removeMembersForProject": _call(
        "POST", "/projects/{project}/removeMembers", {"members": ["{colleague}"]}
    ),
    "addFollowersForProject": _call(
        "POST", "/projects/{project}/addFollowers", {"followers": ["{colleague}"]}
    ),
    "removeFollowersForProject": _call(
        "POST", "/projects/{project}/removeFollowers", {"followers": ["{colleague}"]}
    ),
    "createProject": _call("POST", "/projects", {"name": "P", "workspace": "{workspace}", "team": "{team}"}),
    "updateProject": _call("PUT", "/projects/{project}", {"name": "Renamed"}),
    "deleteProject": _call("DELETE", "/projects/{project}"),
    "createProjectForWorkspace": _call(
        "POST", "/workspaces/{workspace}/projects", {"name": "P", "team": "{team}"}
    ),
    "createProjectForTeam": _call("POST", "/teams/{team}/projects", {"name": "P"}),
    "createTask": _call("POST", "/tasks", {"name": "New", "workspace": "{workspace}"}),
    "updateTask": _call("PUT", "/tasks/{task}", {"completed": True}),
    "deleteTask": _call("DELETE", "/tasks/{task}"),
    "createSubtaskForTask": _call("POST", "/tasks/{task}/subtasks", {"name": "Sub"}),
    "setParentForTask": _call("POST", "/tasks/{task}/setParent", {"parent": None}),
    "addProjectForTask": _call("POST", "/tasks/{task}/addProject", {"project": "{other}"}),
    "removeProjectForTask": _call("POST", "/tasks/{task}/removeProject", {"project": "{project}"}),
    "addDependenciesForTask": _call("POST", "/tasks/{task}/addDependencies", {"dependencies": ["{peer}"]}),
    "removeDependenciesForTask": _call(
        "POST", "/tasks/{peer}/removeDependencies", {"dependencies": ["{task}"]}
    ),
    "addDependentsForTask": _call("POST", "/tasks/{task}/addDependents", {"dependents": ["{peer}"]}),
    "removeDependentsForTask": _call("POST", "/tasks/{task}/removeDependents", {"dependents": ["{peer}"]}),
    "createTag": _call("POST", "/tags", {"name": "New", "workspace": "{workspace}"}),
    "createTagForWorkspace": _call("POST", "/workspaces/{workspace}/tags", {"name": "New"}),
    "updateTag": _call("PUT", "/tags/{tag}", {"name": "Renamed", "color": "light-green"}),
    "deleteTag": _call("DELETE", "/tags/{tag}"),
    "addTagForTask": _call("POST", "/tasks/{task}/addTag", {"tag": "{tag}"}),
    "removeTagForTask": _call("POST", "/tasks/{task}/removeTag", {"tag": "{tag}"}),
    "addFollowersForTask": _call("POST", "/tasks/{task}/addFollowers", {"followers": ["{colleague}"]}),
    "removeFollowerForTask": _call("POST", "/tasks/{task}/removeFollowers", {"followers": ["{user}"]}),
    "createSectionForProject": _call("POST", "/projects/{project}/sections", {"name": "More"}),
    "updateSection": _call("PUT", "/sections/{section}", {"name": "Renamed"}),
    "deleteSection": _call("DELETE", "/sections/{section}"),
    "insertSectionForProject": _call(
        "POST", "/projects/{project}/sections/insert", {"section": "{section}", "before_section": "{first}"}
    ),
    "addTaskForSection": _call("POST", "/sections/{section}/addTask", {"task": "{task}"}),
    "updateWorkspace": _call("PUT", "/workspaces/{workspace}", {"name": "Renamed workspace"}),
    "addUserForWorkspace": _call("POST", "/workspaces/{workspace}/addUser", {"user": "new@example.com"}),
    "removeUserForWorkspace": _call("POST", "/workspaces/{workspace}/removeUser", {"user": "{colleague}"}),
    "createProjectBrief": _call("POST", "/projects/{other}/project_briefs", {"text": "brief"}),
    "updateProjectBrief": _call("PUT", "/project_briefs/{brief}", {"title": "Title"}),
    "deleteProjectBrief": _call("DELETE", "/project_briefs/{brief}"),
    "createProjectStatusForProject": _call(
        "POST", "/projects/{project}/project_statuses", {"color": "green", "text": "fine"}
    ),
    "deleteProjectStatus": _call("DELETE", "/project_statuses/{status}"),
    "createStatusForObject": _call(
        "POST", "/status_updates", {"parent": "{project}", "status_type": "at_risk", "text": "hm"}
    ),
    "deleteStatus": _call("DELETE", "/status_updates/{status}"),
    "createMembership": _call("POST", "/memberships", {"parent": "{other}", "member": "{colleague}"}),
    "updateMembership": _call("PUT", "/memberships/{membership}", {"access_level": "commenter"}),
    "deleteMembership": _call("DELETE", "/memberships/{membership}"),
    "createCustomField": _call(
        "POST", "/custom_fields", {"workspace": "{workspace}", "name": "New", "resource_subtype": "text"}
    ),
    "updateCustomField": _call("PUT", "/custom_fields/{field}", {"name": "Renamed field"}),
    "deleteCustomField": _call("DELETE", "/custom_fields/{field}"),
    "createEnumOptionForCustomField": _call("POST", "/custom_fields/{field}/enum_options", {"name": "c"}),
    "insertEnumOptionForCustomField": _call(
        "POST",
        "/custom_fields/{field}/enum_options/insert",
        {"enum_option": "{option}", "after_enum_option": "{option2}"},
    ),
    "updateEnumOption": _call("PUT", "/enum_options/{option}", {"enabled": False}),
    "addCustomFieldSettingForProject": _call(
        "POST", "/projects/{project}/addCustomFieldSetting", {"custom_field": "{field}"}
    ),
    "removeCustomFieldSettingForProject": _call(
        "POST", "/projects/{project}/removeCustomFieldSetting", {"custom_field": "{field}"}
    ),
    # Job routes: the job's work records the changes (the test runs due jobs after the call).
    "duplicateProject": _call("POST", "/projects/{project}/duplicate", {"name": "Copy"}),
    "duplicateTask": _call("POST", "/tasks/{task}/duplicate", {"include": "projects"}),
    "projectSaveAsTemplate": _call(
        "POST", "/projects/{project}/saveAsTemplate", {"name": "T", "public": True, "team": "{team}"}
    ),
    "instantiateProject": _call("POST", "/project_templates/{template}/instantiateProject", {"name": "I"}),
    "deleteProjectTemplate": _call("DELETE", "/project_templates/{template}"),
    "duplicatePortfolio": _call("POST", "/portfolios/{portfolio}/duplicate", {"name": "Copy"}),
    "addCustomFieldSettingForPortfolio": _call(
        "POST", "/portfolios/{portfolio}/addCustomFieldSetting", {"custom_field": "{field}"}
    ),
    "removeCustomFieldSettingForPortfolio": _call(
        "POST", "/portfolios/{portfolio}/removeCustomFieldSetting", {"custom_field": "{field}"}
    ),
    "createPortfolio": _call("POST", "/portfolios", {"name": "P", "workspace": "{workspace}"}),
    "updatePortfolio": _call("PUT", "/portfolios/{portfolio}", {"name": "Renamed"}),
    "deletePortfolio": _call("DELETE", "/portfolios/{portfolio}"),
    "addItemForPortfolio": _call("POST", "/portfolios/{portfolio}/addItem", {"item": "{project}"}),
    "removeItemForPortfolio": _call("POST", "/portfolios/{portfolio}/removeItem", {"item": "{project}"}),
    "addMembersForPortfolio": _call(
        "POST", "/portfolios/{portfolio}/addMembers", {"members": ["{colleague}"]}
    ),
    "removeMembersForPortfolio": _call(
        "POST", "/portfolios/{portfolio}/removeMembers", {"members": ["{colleague}"]}
    ),
    # The rule's actions record their changes (marked with the rule as their cause).
    "triggerRule": _call("POST", "/rule_triggers/{trigger}/run", {"resource": "{task}", "action_data": {}}),
}


def write_operations(app: Any) -> list[str]:
    """The operation ids of every API write route, from the app's route table."""
    return sorted(
        route.operation_id
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path.startswith("/api/1.0/")
        and route.operation_id
        and (route.methods or set()) & {"POST", "PUT", "DELETE", "PATCH"}
    )


async def test_every_write_route_has_a_recipe(world: World) -> None:
    assert set(write_operations(world.env.app)) == set(RECIPES)


@pytest.mark.parametrize("operation", sorted(RECIPES))
async def test_write_route_records_its_changes(
    client: httpx.AsyncClient, world: World, operation: str
) -> None:
    scene = await _scene(client, world)
    # the team admin, the owner, stays in the team; "removeUserForTeam" removes the owner themselves
    ok(await client.post(f"/teams/{world.team}/addUser", json={"data": {"user": scene["colleague"]}}))
    scene.update(workspace=world.workspace, team=world.team, user=world.user)
    scene["first"] = ok(await client.get(f"/projects/{scene['project']}/sections"))[0]["gid"]
    if operation == "deleteSection":
        ok(
            await client.post(
                f"/tasks/{scene['task']}/removeProject", json={"data": {"project": scene["project"]}}
            )
        )
    if operation in ("updateMembership", "deleteMembership"):
        body = {"data": {"parent": scene["project"], "member": scene["newcomer"], "access_level": "editor"}}
        scene["membership"] = ok(await client.post("/memberships", json=body), 201)["gid"]
    if operation == "removeFollowersForProject":
        ok(
            await client.post(
                f"/projects/{scene['project']}/addFollowers",
                json={"data": {"followers": [scene["colleague"]]}},
            )
        )
    if operation in ("removeUserForWorkspace", "removeMembersForProject"):
        ok(
            await client.post(
                f"/projects/{scene['project']}/addMembers", json={"data": {"members": [scene["colleague"]]}}
            )
        )
    if operation == "removeCustomFieldSettingForProject":
        body = {"data": {"custom_field": scene["field"]}}
        ok(await client.post(f"/projects/{scene['project']}/addCustomFieldSetting", json=body))
    if operation == "removeCustomFieldSettingForPortfolio":
        body = {"data": {"custom_field": scene["field"]}}
        ok(await client.post(f"/portfolios/{scene['portfolio']}/addCustomFieldSetting", json=body))
    if operation == "removeItemForPortfolio":
        ok(
            await client.post(
                f"/portfolios/{scene['portfolio']}/addItem", json={"data": {"item": scene["project"]}}
            )
        )
    if operation == "removeMembersForPortfolio":
        ok(
            await client.post(
                f"/portfolios/{scene['portfolio']}/addMembers",
                json={"data": {"members": [scene["colleague"]]}},
            )
        )
    if operation == "setParentForTask":
        parent = await make_task(client, world, "P", workspace=world.workspace)
        ok(await client.post(f"/tasks/{scene['task']}/setParent", json={"data": {"parent": parent}}))
    if operation in ("instantiateProject", "deleteProjectTemplate"):
        save = {"name": "T", "public": True, "team": world.team}
        job = ok(await client.post(f"/projects/{scene['project']}/saveAsTemplate", json={"data": save}), 201)
        runner.drain(world.env.app.state.runtime.transactions)
        done = ok(await client.get(f"/jobs/{job['gid']}"))
        scene["template"] = done["new_project_template"]["gid"]
    if operation == "triggerRule":
        rule = {
            "name": "R",
            "trigger": {"type": "incoming_web_request"},
            "actions": [{"type": "mark_complete"}],
        }
        url = f"http://testserver/_vinyasa/projects/{scene['project']}/rules"
        scene["trigger"] = ok(await client.post(url, json={"data": rule}), 201)["trigger"]["rule_trigger_gid"]
    if operation in ("removeDependenciesForTask", "removeDependentsForTask"):
        links = {"data": {"dependents": [scene["peer"]]}}
        ok(await client.post(f"/tasks/{scene['task']}/addDependents", json=links))
    if operation in ("removeTagForTask", "deleteTag"):
        ok(await client.post(f"/tasks/{scene['task']}/addTag", json={"data": {"tag": scene["tag"]}}))
    before = world.count("SELECT count(*) FROM journal")
    method, path, data = await RECIPES[operation](client, world, scene)
    response = await client.request(method, path, json={"data": data or {}})
    assert response.status_code in (200, 201), (operation, response.text)
    runner.drain(world.env.app.state.runtime.transactions)  # what job routes started
    assert world.count("SELECT count(*) FROM journal") > before, f"{operation} wrote without recording"
