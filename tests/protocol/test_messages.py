"""Asana's validation wording (issue 13 §3): one table of messages, and no library wording reaches a
client, whatever is sent to any route."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from pydantic import BaseModel

import vinyasa
from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.statuses.helpers import post_status, post_update
from tests.tasks.helpers import make_task
from tests.webhooks.receiver import shared_receiver
from vinyasa.core import runner
from vinyasa.custom_fields.schemas import AddSettingBody
from vinyasa.errors import InvalidRequest
from vinyasa.jobs.schemas import ProjectDuplicateFields
from vinyasa.protocol.body import validate
from vinyasa.protocol.context import AsanaRoute
from vinyasa.protocol.messages import MESSAGES, bad_gid, explain, say

pytestmark = pytest.mark.anyio

# Phrases of Pydantic, FastAPI, Starlette, orjson and Python itself.
LIBRARY = (
    "Input should",
    "validation error",
    "Field required",
    "type=",
    "Value error",
    "pydantic",
    "Extra inputs",
    "String should",
    "List should",
    "Dictionary should",
    "Traceback",
    "literal_error",
    "Expecting value",
    "has no attribute",
    "NoneType",
)
BAD_VALUES: list[Any] = [12345, 1.5, True, None, [1, 2], [{"x": 1}], {"x": 1}, "zzz", "", "2031-13-45"]


def _no_library_wording(message: str) -> None:
    leaked = [p for p in LIBRARY if p.lower() in message.lower()]
    assert not leaked, message


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(vinyasa.__path__, "vinyasa."):
        if info.name.endswith(".schemas"):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_table_examples_from_public_reports():
    assert say("missing", "workspace") == "workspace: Missing input"
    assert bad_gid("workspace", "abc") == "workspace: Not a Long"
    assert bad_gid("workspace", 752142915825) == "workspace: Not a valid GID type: number"
    assert bad_gid("workspace", "123") == "workspace: Unknown object: 123"
    assert all(template.startswith("{field}: ") for template in MESSAGES.values())


def test_pydantic_errors_are_translated():
    errors: list[dict[str, Any]] = [
        {"type": "missing", "loc": ("body", "name"), "msg": "Field required", "input": {}},
        {"type": "string_type", "loc": ("workspace",), "msg": "Input should be a valid string", "input": 5},
        {"type": "string_type", "loc": ("name",), "msg": "Input should be a valid string", "input": 5},
        {"type": "bool_parsing", "loc": ("query", "archived"), "msg": "Input should be a valid boolean"},
    ]
    assert explain(errors) == (
        "name: Missing input; workspace: Not a valid GID type: number; name: Not a string; "
        "archived: Not a boolean"
    )
    literal = {
        "type": "literal_error",
        "loc": ("color",),
        "msg": "Input should be 'a' or 'b'",
        "input": "purple",
        "ctx": {"expected": "'a' or 'b'"},
    }
    assert explain([literal]) == "color: Not a valid enum value: purple. Valid values are: a or b"


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__qualname__)
def test_every_body_model_field_and_bad_value_is_worded_by_the_table(model):
    """Every field of every input model, with every wrong JSON type: Asana's wording or success."""
    assert model.model_fields, model
    for name in model.model_fields:
        for bad in BAD_VALUES:
            message = _message_of(model, {name: bad})
            if message is not None:
                _no_library_wording(message)
                named = message.split(": ", 1)[0].split("[")[0].split(".")[0]
                assert named in (*model.model_fields, "data"), message
                for part in message.split("; "):
                    assert _names_data(part, {name: bad}), message  # no union branch (`include.str`)


def _names_data(message: str, data: Any) -> bool:
    """Whether a message's field path walks the data it is about (the last key may be missing)."""
    path, problem = message.split(": ", 1)
    parts = re.findall(r"\[(\d+)\]|\.?([^.\[]+)", path)
    for i, (index, key) in enumerate(parts):
        if index and isinstance(data, list) and int(index) < len(data):
            data = data[int(index)]
        elif key and isinstance(data, dict) and key in data:
            data = data[key]
        elif not (key and i == len(parts) - 1 and problem.startswith("Missing input")) and path != "data":
            return False
    return True


def test_a_union_fields_errors_name_the_field_not_the_branch():
    """Pydantic names the union branch that failed (`include.str`, `custom_field.CustomFieldFields`);
    the message names the field, and only what is wrong inside the branch the value has the shape
    of, or else everything the value is not."""
    cases: list[tuple[type[BaseModel], dict[str, Any], str]] = [
        (ProjectDuplicateFields, {"include": [1]}, "include[0]: Not a string"),
        (ProjectDuplicateFields, {"include": ["a", 2]}, "include[1]: Not a string"),
        (ProjectDuplicateFields, {"include": 5}, "include: Not a string or an array"),
        (
            ProjectDuplicateFields,
            {"name": 5, "include": {}},
            "name: Not a string; include: Not a string or an array",
        ),
        (AddSettingBody, {"custom_field": 5}, "custom_field: Not a string or an object"),
        (AddSettingBody, {"custom_field": {"name": 5}}, "custom_field.name: Not a string"),
        (AddSettingBody, {"custom_field": None}, "custom_field: Missing input"),
        (AddSettingBody, {}, "custom_field: Missing input"),
    ]
    for model, data, message in cases:
        assert _message_of(model, data) == message, data


def _message_of(model: type[BaseModel], data: dict[str, Any]) -> str | None:
    try:
        validate(model, data)
    except InvalidRequest as exc:
        return exc.message
    return None


async def test_examples_over_the_wire(client, world):
    fails(
        await client.post("/projects", json={"data": {"name": "x", "workspace": "abc"}}),
        400,
        "workspace: Not a Long",
    )
    message = fails(
        await client.post("/projects", json={"data": {"name": "x", "workspace": 752142915825}}), 400
    )
    assert message == "workspace: Not a valid GID type: number"
    fails(await client.get("/tasks?project=abc"), 400, "project: Not a Long")
    fails(
        await client.get(f"/workspaces/{world.workspace}/projects?archived=maybe"),
        400,
        "archived: Not a boolean",
    )
    project = (await make_project(client, world))["gid"]
    fails(
        await client.put(f"/projects/{project}", json={"data": {"color": "purple"}}),
        400,
        "color: Not a valid enum value: purple. Valid values are: dark-pink",
    )
    fails(await client.post(f"/projects/{project}/sections", json={"data": {}}), 400, "name: Missing input")
    task = await make_task(client, world)
    fails(
        await client.put(f"/tasks/{task}", json={"data": {"completed": [1]}}), 400, "completed: Not a boolean"
    )
    fails(await client.put(f"/tasks/{task}", json={"data": {"name": 5}}), 400, "name: Not a string")
    message = fails(await client.put(f"/tasks/{task}", json={"data": {"assignee": 5}}), 400)
    assert message == "assignee: Not a valid GID type: number"
    fails(await client.post("/tasks", json={"data": {"workspace": None}}), 400, "workspace: ")
    # Union-typed fields name the field, never the branch Pydantic tried (it said `include.str`).
    duplicate = {"name": "x", "include": [1]}
    message = fails(await client.post(f"/projects/{project}/duplicate", json={"data": duplicate}), 400)
    assert message == "include[0]: Not a string"
    message = fails(await client.post(f"/tasks/{task}/duplicate", json={"data": {"include": 5}}), 400)
    assert message == "include: Not a string or an array"
    setting = {"custom_field": 5}
    message = fails(
        await client.post(f"/projects/{project}/addCustomFieldSetting", json={"data": setting}), 400
    )
    assert message == "custom_field: Not a string or an object"


async def test_put_task_followers_is_400_and_changes_nothing(client, world):
    """Asana answers 400 to `followers` on PUT /tasks (use addFollowers); vinyasa did 200."""
    other, _ = world.person("f@example.com")
    task = await make_task(client, world, name="Before")
    before = ok(await client.get(f"/tasks/{task}"))
    for followers in ([other], other, []):
        message = fails(
            await client.put(f"/tasks/{task}", json={"data": {"name": "After", "followers": followers}}),
            400,
            "followers: ",
            "addFollowers",
        )
        _no_library_wording(message)
    form = await client.put(f"/tasks/{task}", data={"name": "After", "followers": other})
    fails(form, 400, "followers: ")
    assert ok(await client.get(f"/tasks/{task}")) == before
    # The fields no source says Asana refuses stay ignored (digest §E.2).
    project = (await make_project(client, world))["gid"]
    data = {"name": "Kept", "projects": [project], "tags": [], "memberships": [{"project": project}]}
    assert ok(await client.put(f"/tasks/{task}", json={"data": data}))["name"] == "Kept"
    assert ok(await client.get(f"/tasks/{task}?opt_fields=projects"))["projects"] == []
    # Followers still work where Asana takes them: on create and through addFollowers.
    made = ok(
        await client.post("/tasks", json={"data": {"workspace": world.workspace, "followers": [other]}}), 201
    )
    assert other in [f["gid"] for f in made["followers"]]


async def _path_values(client, world) -> dict[str, str]:
    project = (await make_project(client, world))["gid"]
    section = ok(await client.get(f"/projects/{project}/sections"))[0]["gid"]
    memberships = ok(await client.get(f"/projects/{project}/project_memberships"))
    brief = ok(await client.post(f"/projects/{project}/project_briefs", json={"data": {"text": "x"}}), 201)
    field = {
        "workspace": world.workspace,
        "name": "F",
        "resource_subtype": "enum",
        "enum_options": [{"name": "o"}],
    }
    custom_field = ok(await client.post("/custom_fields", json={"data": field}), 201)
    hook = {"resource": project, "target": shared_receiver().url}
    webhook = ok(await client.post("/webhooks", json={"data": hook}), 201)
    folio = {"name": "P", "workspace": world.workspace}
    portfolio = ok(await client.post("/portfolios", json={"data": folio}), 201)["gid"]
    portfolio_memberships = ok(await client.get(f"/portfolios/{portfolio}/portfolio_memberships"))
    save = {"name": "T", "public": True, "team": world.team}
    job = ok(await client.post(f"/projects/{project}/saveAsTemplate", json={"data": save}), 201)
    runner.drain(world.env.app.state.runtime.transactions)
    template = ok(await client.get(f"/jobs/{job['gid']}"))["new_project_template"]
    rule_body = {
        "name": "R",
        "trigger": {"type": "incoming_web_request"},
        "actions": [{"type": "mark_complete"}],
    }
    url = f"http://testserver/_vinyasa/projects/{project}/rules"
    rule = ok(await client.post(url, json={"data": rule_body}), 201)
    return {
        "webhook_gid": webhook["gid"],
        "delivery_gid": "1",  # no delivery yet: the log routes answer 404 in Asana's words
        "job_gid": job["gid"],
        "project_template_gid": template["gid"],
        "portfolio_gid": portfolio,
        "portfolio_membership_gid": portfolio_memberships[0]["gid"],
        "rule_gid": rule["gid"],
        "rule_trigger_gid": rule["trigger"]["rule_trigger_gid"],
        "custom_field_gid": custom_field["gid"],
        "enum_option_gid": custom_field["enum_options"][0]["gid"],
        "workspace_gid": world.workspace,
        "team_gid": world.team,
        "user_gid": world.user,
        "project_gid": project,
        "section_gid": section,
        "task_gid": await make_task(client, world, memberships=[{"project": project, "section": section}]),
        "project_status_gid": (await post_status(client, project))["gid"],
        "status_update_gid": (await post_update(client, project))["gid"],
        "project_brief_gid": brief["gid"],
        "project_membership_gid": memberships[0]["gid"],
        "membership_gid": memberships[0]["gid"],
    }


def _error(response: Any) -> str:
    """The error message of an envelope (the events API's 412 also carries a fresh `sync`)."""
    if response.status_code == 412:
        body = response.json()
        assert set(body) == {"errors", "sync"}, body
        return str(body["errors"][0]["message"])
    return fails(response, response.status_code)


class _Known(dict[str, str]):
    """Path values; a parameter the scene has no object for gets an unknown gid (a 404 answer)."""

    def __missing__(self, key: str) -> str:
        return "1"


async def test_sweep_every_route_answers_in_asanas_words(client, world):
    """Every write route with every wrong JSON type in every known field, and every GET with a bad
    value in each declared query parameter: a 4xx in Asana's envelope, no library wording, no 5xx."""
    values = await _path_values(client, world)
    fields = sorted({name for model in _models() for name in model.model_fields})
    routes = [r for r in world.env.app.routes if isinstance(r, AsanaRoute)]
    assert len(routes) >= 60
    checked = 0
    for route in routes:
        path = route.path.removeprefix("/api/1.0").format_map(_Known(values))
        if path.startswith("/_vinyasa/"):
            path = "http://testserver" + path  # vinyasa's own routes, outside /api/1.0
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if method in ("POST", "PUT"):
                bodies: list[Any] = [{"data": dict.fromkeys(fields, bad)} for bad in BAD_VALUES]
                bodies += [{"data": "x"}, {"data": [1]}, {"options": 5}, {}]
                for body in bodies:
                    response = await client.request(method, path, json=body)
                    checked += 1
                    assert response.status_code < 500, (method, path, response.text)
                    if response.status_code >= 400:
                        _no_library_wording(_error(response))
            elif method == "GET":
                names = [q.alias for q in route.dependant.query_params]
                for name in [*names, "limit", "offset", "opt_fields"]:
                    for bad in ("zzz", "", "-1", "1" * 30):
                        response = await client.get(path, params={name: bad})
                        checked += 1
                        assert response.status_code < 500, (path, name, response.text)
                        if response.status_code >= 400:
                            _no_library_wording(_error(response))
    assert checked > 500
