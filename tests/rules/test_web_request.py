"""POST /rule_triggers/{gid}/run over HTTP, bad input, and the definition API's errors and access."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, api_client
from tests.helpers import documented_operations, fails, ok
from tests.rules.helpers import OWN, drain, get_task, project, rule, runs, task, text_field

pytestmark = pytest.mark.anyio
MESSAGE = {"message": "Successfully saved the payload and ran the rule"}


async def _hooked(client, world: World):
    p = await project(client, world)
    field = await text_field(client, world, p["project"])
    r = await rule(
        client,
        p["project"],
        {"type": "incoming_web_request"},
        [
            {
                "type": "set_custom_field",
                "custom_field": field,
                "value": "#{{action_data.ticket_id}} ({{ action_data.who }})",
            },
            {"type": "create_subtask", "name": "{{action_data.ticket_id}}"},
            {"type": "set_due_date", "due_on": "{{action_data.due}}"},
        ],
    )
    assert r["trigger"]["rule_trigger_gid"] != r["gid"]
    assert r["trigger"]["url"].endswith(f"/api/1.0/rule_triggers/{r['trigger']['rule_trigger_gid']}/run")
    return p, field, r, r["trigger"]["rule_trigger_gid"]


async def test_run_fills_action_data_and_answers_after_the_actions(client, world: World) -> None:
    p, _, r, trigger = await _hooked(client, world)
    t = await task(client, p)
    body = {"data": {"resource": t, "action_data": {"ticket_id": 42, "who": "ana", "due": "2030-03-03"}}}
    assert ok(await client.post(f"/rule_triggers/{trigger}/run", json=body)) == MESSAGE
    got = await get_task(client, t, "custom_fields.display_value,due_on,num_subtasks")  # no drain: done
    assert [v["display_value"] for v in got["custom_fields"]] == ["#42 (ana)"]
    assert got["due_on"] == "2030-03-03" and got["num_subtasks"] == 1
    assert [s["name"] for s in ok(await client.get(f"/tasks/{t}/subtasks"))] == ["42"]
    [run] = await runs(client, r["gid"])
    assert (
        run["trigger"] == "incoming_web_request"
        and run["status"] == "succeeded"
        and len(run["actions_done"]) == 3
    )
    assert world.count("SELECT count(*) FROM journal WHERE cause_gid = :r", r=int(r["gid"])) >= 3


async def test_bad_input(client, world: World) -> None:
    p, _, r, trigger = await _hooked(client, world)
    other = await project(client, world, "Other")
    t = await task(client, p)
    outside = await task(client, other)
    run = f"/rule_triggers/{trigger}/run"
    before = world.count("SELECT count(*) FROM journal")
    fails(await client.post(run, json={"data": {"resource": t}}), 400, "action_data")
    fails(await client.post(run, json={"data": {"resource": t, "action_data": "x"}}), 400, "action_data")
    fails(await client.post(run, json={"data": {"action_data": {}}}), 400, "resource")
    fails(
        await client.post(run, json={"data": {"resource": outside, "action_data": {}}}),
        400,
        "not in the rule's project",
    )
    fails(await client.post(run, json={"data": {"resource": "12345", "action_data": {}}}), 400, "resource")
    fails(
        await client.post(
            run, json={"data": {"resource": t, "action_data": {"who": "x", "due": "2030-01-01"}}}
        ),
        400,
        "ticket_id",
    )
    fails(
        await client.post(
            run, json={"data": {"resource": t, "action_data": {"ticket_id": 1, "who": 2, "due": "soon"}}}
        ),
        400,
        "due_on",
    )
    fails(
        await client.post("/rule_triggers/99999/run", json={"data": {"resource": t, "action_data": {}}}),
        404,
        "Unknown rule_trigger",
    )
    fails(await client.post("/rule_triggers/abc/run", json={"data": {"resource": t, "action_data": {}}}), 404)
    # A rule's own gid is not its trigger's; an event rule has no trigger.
    fails(
        await client.post(
            f"/rule_triggers/{r['gid']}/run", json={"data": {"resource": t, "action_data": {}}}
        ),
        404,
    )
    ok(await client.put(f"{OWN}/rules/{r['gid']}", json={"data": {"enabled": False}}))
    fails(
        await client.post(run, json={"data": {"resource": t, "action_data": {"ticket_id": 1}}}),
        400,
        "disabled",
    )
    assert world.count("SELECT count(*) FROM rule_runs") == 0
    assert world.count("SELECT count(*) FROM journal WHERE cause_gid IS NOT NULL") == 0
    assert world.count("SELECT count(*) FROM journal") == before + 1  # just the rule's own change


async def test_a_caller_who_cannot_see_the_project_gets_404(client, world: World) -> None:
    p, _, r, trigger = await _hooked(client, world)
    t = await task(client, p)
    ok(await client.put(f"/projects/{p['project']}", json={"data": {"privacy_setting": "private"}}))
    _, token = world.person("eve@example.com")
    async with api_client(world.env, token) as eve:
        fails(
            await eve.post(
                f"/rule_triggers/{trigger}/run", json={"data": {"resource": t, "action_data": {}}}
            ),
            404,
        )
        fails(await eve.get(f"{OWN}/rules/{r['gid']}"), 404, "Unknown rule")
        fails(await eve.get(f"{OWN}/projects/{p['project']}/rules"), 404)
        fails(await eve.post(f"{OWN}/projects/{p['project']}/rules", json={"data": {}}), 404)


async def test_definitions_need_editor_access(client, world: World) -> None:
    p = await project(client, world)
    r = await rule(client, p["project"], {"type": "task_added_to_project"}, [{"type": "mark_complete"}])
    bob, token = world.person("bob@example.com")
    ok(await client.post(f"/projects/{p['project']}/addMembers", json={"data": {"members": [bob]}}))
    with world.env.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE project_members SET access_level = 'commenter' WHERE user_gid = :u"), {"u": int(bob)}
        )
    async with api_client(world.env, token) as bob_client:
        fails(await bob_client.get(f"{OWN}/rules/{r['gid']}"), 403, "editor")
        fails(await bob_client.put(f"{OWN}/rules/{r['gid']}", json={"data": {"name": "x"}}), 403)
        fails(await bob_client.get(f"{OWN}/projects/{p['project']}/rules"), 403)
    async with api_client(world.env, None) as anonymous:
        fails(await anonymous.get(f"{OWN}/rules/{r['gid']}"), 401)


async def test_definition_errors_change_nothing(client, world: World) -> None:
    p = await project(client, world)
    other = await project(client, world, "Other")
    url = f"{OWN}/projects/{p['project']}/rules"
    good = {"name": "R", "trigger": {"type": "task_completed"}, "actions": [{"type": "mark_incomplete"}]}
    bad = [
        ({**good, "name": None}, "name"),
        ({k: v for k, v in good.items() if k != "trigger"}, "trigger"),
        ({**good, "actions": []}, "actions"),
        ({**good, "trigger": {"type": "nope"}}, "trigger"),
        ({**good, "trigger": {"type": "task_moved_to_section"}}, "trigger.section"),
        ({**good, "trigger": {"type": "task_moved_to_section", "section": other["todo"]}}, "trigger.section"),
        ({**good, "trigger": {"type": "due_date_approaching", "days": -1}}, "days"),
        ({**good, "actions": [{"type": "set_due_date"}]}, "due_on or days_from_now"),
        ({**good, "actions": [{"type": "set_due_date", "due_on": "2030-13-01"}]}, "due_on"),
        ({**good, "actions": [{"type": "set_custom_field", "custom_field": "1"}]}, "custom_field"),
        ({**good, "actions": [{"type": "set_assignee", "assignee": "nobody@example.com"}]}, "assignee"),
        ({**good, "actions": [{"type": "add_to_project", "project": "1"}]}, "project"),
        ({**good, "actions": [{"type": "mark_complete", "bogus": 1}]}, "bogus"),
        ({**good, "conditions": [{"type": "assignee_is"}]}, "conditions[0].user"),
        (
            {
                **good,
                "actions": [
                    {"type": "create_subtask", "name": "{{action_data.x}}"},
                    {"type": "set_assignee", "assignee": "{{action_data.x}}"},
                ],
            },
            "assignee",
        ),
    ]
    for body, fragment in bad:
        fails(await client.post(url, json={"data": body}), 400, fragment)
    assert world.count("SELECT count(*) FROM rules") == 0
    made = ok(await client.post(url, json={"data": good}), 201)
    assert made["enabled"] is True and made["conditions"] == [] and made["project"]["gid"] == p["project"]
    fails(await client.put(f"{OWN}/rules/{made['gid']}", json={"data": {"actions": []}}), 400, "actions")
    fails(await client.get(f"{OWN}/rules/123"), 404, "Unknown rule")
    listed = ok(await client.get(url))
    assert [x["gid"] for x in listed] == [made["gid"]]
    assert drain(world) == 0


async def test_docs_describe_the_rule_routes(client, world: World) -> None:
    doc = (await client.get("http://testserver/openapi.json")).json()
    served = {key: op["operationId"] for key, op in documented_operations(doc).items()}
    routes = {
        (method, route.path): route.operation_id
        for route in world.env.app.routes
        if getattr(route, "path", "").startswith(("/_vinyasa/rules", "/_vinyasa/projects/"))
        for method in route.methods
    }
    assert routes and routes.items() <= served.items()
    assert "Rules (vinyasa)" in {t["name"] for t in doc["tags"]}
    assert doc["paths"]["/_vinyasa/rules/{rule_gid}"]["servers"][0]["url"] == "/"
    assert doc["paths"]["/rule_triggers/{rule_trigger_gid}/run"]["post"]["operationId"] == "triggerRule"


@pytest.mark.parametrize(
    ("action", "data", "fragment"),
    [
        ({"type": "set_due_date", "due_on": "{{action_data.v}}"}, 5, "due_on"),
        ({"type": "create_subtask", "name": "{{action_data.v}}"}, "x" * 5000, "name"),
        ({"type": "set_assignee", "assignee": "{{action_data.v}}"}, ["me"], "assignee"),
    ],
)
async def test_action_data_a_rule_cannot_use_is_a_400_naming_it(client, world: World, action, data, fragment):
    """A value of `action_data` that the action it fills cannot take: a 400 in the envelope naming
    the field, and nothing done (they were 500s: found by a fresh attack)."""
    p = await project(client, world)
    t = await task(client, p)
    r = await rule(
        client,
        p["project"],
        {"type": "incoming_web_request"},
        [{"type": "create_subtask", "name": "first"}, action],
    )
    run = f"/rule_triggers/{r['trigger']['rule_trigger_gid']}/run"
    fails(await client.post(run, json={"data": {"resource": t, "action_data": {"v": data}}}), 400, fragment)
    assert ok(await client.get(f"/tasks/{t}/subtasks")) == []


@pytest.mark.parametrize(
    ("name", "data", "made"),
    [
        ("{{action_data.v}}", 1, "1"),
        ("{{action_data.v}}", 2.5, "2.5"),
        ("{{action_data.v}}", True, "true"),
        ("#{{action_data.v}} for {{action_data.v}}", False, "#false for false"),
        ("n={{ action_data.v }}", 7, "n=7"),
    ],
)
async def test_a_placeholder_gives_text_as_json_writes_it(client, world: World, name, data, made) -> None:
    """Numbers and booleans in a text field (a subtask's name, or text around a placeholder) read as
    JSON writes them (Python's `True` leaked: found by a fresh attack)."""
    p = await project(client, world)
    t = await task(client, p)
    r = await rule(
        client, p["project"], {"type": "incoming_web_request"}, [{"type": "create_subtask", "name": name}]
    )
    run = f"/rule_triggers/{r['trigger']['rule_trigger_gid']}/run"
    ok(await client.post(run, json={"data": {"resource": t, "action_data": {"v": data}}}))
    assert [s["name"] for s in ok(await client.get(f"/tasks/{t}/subtasks"))] == [made]


@pytest.mark.parametrize(("data", "kind"), [(None, "null"), ({"a": 1}, "an object"), ([1], "an array")])
@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"type": "create_subtask", "name": "{{action_data.v}}"}, "name"),
        ({"type": "create_subtask", "name": "Call {{action_data.v}}"}, "name"),
        ({"type": "set_due_date", "due_on": "2030-01-{{action_data.v}}"}, "due_on"),
        ({"type": "set_assignee", "assignee": "{{action_data.v}}@example.com"}, "assignee"),
    ],
)
async def test_a_placeholder_that_is_not_text_where_text_is_needed_is_a_400(
    client, world: World, action, field, data, kind
) -> None:
    """null, an object or an array where an action needs text (a subtask's name, text around a
    placeholder in any field): a 400 naming the field, nothing done (a subtask was named "None" or
    "{'a': 1}", Python's spelling)."""
    p = await project(client, world)
    t = await task(client, p)
    first = {"type": "create_subtask", "name": "first"}
    r = await rule(client, p["project"], {"type": "incoming_web_request"}, [first, action])
    run = f"/rule_triggers/{r['trigger']['rule_trigger_gid']}/run"
    message = fails(await client.post(run, json={"data": {"resource": t, "action_data": {"v": data}}}), 400)
    assert (
        message
        == f"{field}: action_data key 'v' is {kind}, where the action needs text (a string, a number or a boolean)"
    )
    assert ok(await client.get(f"/tasks/{t}/subtasks")) == []


async def _two_enum_fields(client, world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two enum fields of one option each ("Size", "Other")."""
    body = {
        "workspace": world.workspace,
        "name": "Size",
        "resource_subtype": "enum",
        "enum_options": [{"name": "S"}],
    }
    sized = ok(await client.post("/custom_fields", json={"data": body}), 201)
    other = ok(await client.post("/custom_fields", json={"data": {**body, "name": "Other"}}), 201)
    return sized, other


async def test_a_set_custom_field_value_the_field_cannot_take_is_a_400(client, world: World) -> None:
    """The value of a `set_custom_field` action is checked as PUT /tasks checks it, when the rule is
    made or changed (it was stored, and every run failed: found by a fresh attack); a placeholder is
    checked by each run."""
    p = await project(client, world)
    text = await text_field(client, world, p["project"])
    sized, other = await _two_enum_fields(client, world)
    ok(
        await client.post(
            f"/projects/{p['project']}/addCustomFieldSetting", json={"data": {"custom_field": sized["gid"]}}
        )
    )
    bad = [
        (text, 5, "Not a string"),
        (sized["gid"], other["enum_options"][0]["gid"], "actions[0].value"),
        (sized["gid"], "abc", "actions[0].value"),
    ]
    trigger = {"type": "task_added_to_project"}
    for field, value, fragment in bad:
        action = {"type": "set_custom_field", "custom_field": field, "value": value}
        made: dict[str, Any] = {"name": "r", "trigger": trigger, "actions": [action]}
        fails(await client.post(f"{OWN}/projects/{p['project']}/rules", json={"data": made}), 400, fragment)
    assert ok(await client.get(f"{OWN}/projects/{p['project']}/rules")) == []
    good = {
        "type": "set_custom_field",
        "custom_field": sized["gid"],
        "value": sized["enum_options"][0]["gid"],
    }
    kept = await rule(client, p["project"], trigger, [good])
    cleared = {**good, "value": None}
    ok(await client.put(f"{OWN}/rules/{kept['gid']}", json={"data": {"actions": [cleared]}}))
    fails(
        await client.put(f"{OWN}/rules/{kept['gid']}", json={"data": {"actions": [{**good, "value": "S"}]}}),
        400,
        "actions[0].value",
    )


async def test_a_value_a_rule_compares_with_must_fit_its_field(client, world: World) -> None:
    """The `value` of a custom_field_changed trigger or a custom_field_has_value condition is one the
    field can hold (an option of that field, a number, a day...): anything else never matched, so a
    rule that could never run was stored (found by a fresh attack)."""
    p = await project(client, world)
    sized, other = await _two_enum_fields(client, world)
    numeric = {"workspace": world.workspace, "name": "N", "resource_subtype": "number"}
    number = ok(await client.post("/custom_fields", json={"data": numeric}), 201)
    for field in (sized, number):
        setting = {"data": {"custom_field": field["gid"]}}
        ok(await client.post(f"/projects/{p['project']}/addCustomFieldSetting", json=setting))
    mark = [{"type": "mark_complete"}]
    url = f"{OWN}/projects/{p['project']}/rules"
    foreign = other["enum_options"][0]["gid"]
    changed = {"type": "custom_field_changed", "custom_field": sized["gid"], "value": foreign}
    made: dict[str, Any] = {"name": "r", "trigger": changed, "actions": mark}
    fails(
        await client.post(url, json={"data": made}), 400, "trigger.value: Not a value the custom field 'Size'"
    )
    has = {"type": "custom_field_has_value", "custom_field": number["gid"], "value": "many"}
    made = {"name": "r", "trigger": {"type": "task_completed"}, "conditions": [has], "actions": mark}
    fails(await client.post(url, json={"data": made}), 400, "conditions[0].value")
    assert ok(await client.get(url)) == []
    ok(await client.post(url, json={"data": {**made, "conditions": [{**has, "value": 3}]}}), 201)
    own = sized["enum_options"][0]["gid"]
    ok(
        await client.post(
            url, json={"data": {"name": "r", "trigger": {**changed, "value": own}, "actions": mark}}
        ),
        201,
    )
