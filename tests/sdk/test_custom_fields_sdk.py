"""Custom fields through the official asana SDK against a live server: CustomFieldsApi (definitions,
enum options), CustomFieldSettingsApi and the project's settings, and tasks carrying values."""

from __future__ import annotations

import uuid

import asana
import pytest
from asana.rest import ApiException


@pytest.fixture
def live(emulated):
    """This file runs on the test kit's emulator (reset before each test), not a `vinyasa serve` process."""
    return emulated


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def test_definitions_and_enum_options(live):
    fields = asana.CustomFieldsApi(live.client())
    name = f"Stage {_tag()}"
    body = {"data": {"workspace": live.workspace, "name": name, "resource_subtype": "enum"}}
    body["data"]["enum_options"] = [{"name": "a"}, {"name": "b", "color": "red"}]
    field = fields.create_custom_field(body, {})
    assert field["resource_subtype"] == field["type"] == "enum"
    a, b = (o["gid"] for o in field["enum_options"])
    c = fields.create_enum_option_for_custom_field(
        field["gid"], {"body": {"data": {"name": "c", "insert_before": a}}}
    )
    fields.insert_enum_option_for_custom_field(
        field["gid"], {"body": {"data": {"enum_option": a, "after_enum_option": b}}}
    )
    got = fields.get_custom_field(field["gid"], {"opt_fields": "name,enum_options.name"})
    assert [o["name"] for o in got["enum_options"]] == ["c", "b", "a"]
    disabled = fields.update_enum_option(c["gid"], {"body": {"data": {"enabled": False}}})
    assert disabled["enabled"] is False
    renamed = fields.update_custom_field(field["gid"], {"body": {"data": {"name": name + "!"}}})
    assert renamed["name"] == name + "!"
    with pytest.raises(ApiException) as info:
        fields.update_custom_field(field["gid"], {"body": {"data": {"resource_subtype": "text"}}})
    assert info.value.status == 400
    listed = list(fields.get_custom_fields_for_workspace(live.workspace, {"limit": 2}))
    assert field["gid"] in [f["gid"] for f in listed]
    assert fields.delete_custom_field(field["gid"]) == {}
    with pytest.raises(ApiException) as info:
        fields.get_custom_field(field["gid"], {})
    assert info.value.status == 404


def test_settings_and_task_values(live):
    client = live.client()
    fields = asana.CustomFieldsApi(client)
    projects = asana.ProjectsApi(client)
    tasks = asana.TasksApi(client)
    project = projects.create_project(
        {"data": {"name": "CF", "workspace": live.workspace, "team": live.team}}, {}
    )
    number = fields.create_custom_field(
        {
            "data": {
                "workspace": live.workspace,
                "name": f"Cost {_tag()}",
                "resource_subtype": "number",
                "precision": 1,
            }
        },
        {},
    )
    text = fields.create_custom_field(
        {"data": {"workspace": live.workspace, "name": f"Note {_tag()}", "resource_subtype": "text"}}, {}
    )
    setting = projects.add_custom_field_setting_for_project(
        {"data": {"custom_field": number["gid"], "is_important": True}}, project["gid"], {}
    )
    assert setting["custom_field"]["gid"] == number["gid"] and setting["is_important"] is True
    projects.add_custom_field_setting_for_project(
        {"data": {"custom_field": text["gid"], "insert_before": setting["gid"]}}, project["gid"], {}
    )
    settings = list(
        asana.CustomFieldSettingsApi(client).get_custom_field_settings_for_project(
            project["gid"], {"opt_fields": "custom_field.name"}
        )
    )
    assert [s["custom_field"]["name"] for s in settings] == [text["name"], number["name"]]
    team_settings = asana.CustomFieldSettingsApi(client).get_custom_field_settings_for_team(
        live.team, {"opt_fields": "custom_field.name,parent.name"}
    )
    mine = [s for s in team_settings if s["parent"]["gid"] == project["gid"]]
    assert sorted(s["custom_field"]["name"] for s in mine) == sorted([text["name"], number["name"]])

    task = tasks.create_task(
        {"data": {"name": "T", "projects": [project["gid"]], "custom_fields": {number["gid"]: 2.26}}}, {}
    )
    values = {v["gid"]: v for v in task["custom_fields"]}
    assert values[number["gid"]]["number_value"] == 2.3 and values[number["gid"]]["display_value"] == "2.3"
    task = tasks.update_task({"data": {"custom_fields": {text["gid"]: "hi"}}}, task["gid"], {})
    assert {v["gid"]: v for v in task["custom_fields"]}[text["gid"]]["text_value"] == "hi"
    with pytest.raises(ApiException) as info:
        tasks.update_task({"data": {"custom_fields": {number["gid"]: "many"}}}, task["gid"], {})
    assert info.value.status == 400 and number["gid"] in str(info.value.body)

    projects.remove_custom_field_setting_for_project({"data": {"custom_field": text["gid"]}}, project["gid"])
    got = tasks.get_task(task["gid"], {"opt_fields": "custom_fields.enabled,custom_fields.display_value"})
    values = {v["gid"]: v for v in got["custom_fields"]}
    assert values[text["gid"]] == {"gid": text["gid"], "enabled": False, "display_value": "hi"}


def test_reference_values_and_display_pages(live):
    client = live.client()
    projects, tasks = asana.ProjectsApi(client), asana.TasksApi(client)
    project = projects.create_project({"data": {"name": "Refs", "team": live.team}}, {})
    body = {"workspace": live.workspace, "name": f"Links {_tag()}", "resource_subtype": "reference"}
    body["input_restrictions"] = ["task", "project"]
    links = asana.CustomFieldsApi(client).create_custom_field({"data": body}, {})
    assert links["input_restrictions"] == ["task", "project"]
    projects.add_custom_field_setting_for_project(
        {"data": {"custom_field": links["gid"]}}, project["gid"], {}
    )
    target = tasks.create_task({"data": {"name": "Target", "workspace": live.workspace}}, {})
    task = tasks.create_task(
        {
            "data": {
                "name": "T",
                "projects": [project["gid"]],
                "custom_fields": {links["gid"]: [target["gid"], project["gid"]]},
            }
        },
        {"opt_fields": "custom_fields.reference_value.name,custom_fields.display_value"},
    )
    assert task["custom_fields"] == [
        {
            "gid": links["gid"],
            "reference_value": [
                {"gid": target["gid"], "name": "Target"},
                {"gid": project["gid"], "name": "Refs"},
            ],
            "display_value": "Target, Refs",
        }
    ]
    page = list(
        tasks.get_tasks_for_project(
            project["gid"], {"opt_fields": "name,custom_fields.display_value", "limit": 10}
        )
    )
    assert page == [
        {
            "gid": task["gid"],
            "name": "T",
            "custom_fields": [{"gid": links["gid"], "display_value": "Target, Refs"}],
        }
    ]
    with pytest.raises(ApiException) as info:
        tasks.update_task({"data": {"custom_fields": {links["gid"]: ["123456789"]}}}, task["gid"], {})
    assert info.value.status == 400 and links["gid"] in str(info.value.body)
