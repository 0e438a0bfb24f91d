"""What the definition, option and setting writes store, read back through SQLAlchemy's types: the
same values on both databases (booleans, defaults), and unchanged values journal nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from tests.custom_fields.helpers import make_field
from tests.helpers import ok
from vinyasa.models import CustomField, CustomFieldSetting, EnumOption

pytestmark = pytest.mark.anyio


def _row(world: Any, model: Any, gid: str) -> dict[str, Any]:
    with world.db() as conn:
        return dict(conn.execute(select(model.__table__).where(model.gid == int(gid))).one()._mapping)


def _changed(world: Any, gid: str) -> list[str]:
    with world.db() as conn:
        rows = conn.execute(
            text("SELECT field FROM journal WHERE resource_gid = :g AND action = 'changed' ORDER BY field"),
            {"g": int(gid)},
        )
        return [r[0] for r in rows]


async def test_definition_and_option_rows(client, world):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a", "enabled": False}])
    stored = _row(world, CustomField, field["gid"])
    assert stored["has_notifications_enabled"] is True
    assert (stored["id_counter"], stored["description"], stored["name_key"]) == (0, "", "stage")
    assert (stored["precision"], stored["format"], stored["input_restrictions"]) == (None, None, "task")
    option = field["enum_options"][0]["gid"]
    assert _row(world, EnumOption, option)["enabled"] is False

    same = {"name": "Stage", "has_notifications_enabled": True, "description": ""}
    ok(await client.put(f"/custom_fields/{field['gid']}", json={"data": same}))
    ok(await client.put(f"/enum_options/{option}", json={"data": {"enabled": False, "color": "none"}}))
    assert _changed(world, field["gid"]) == [] and _changed(world, option) == []

    off = {"has_notifications_enabled": False, "name": "STAGE"}
    ok(await client.put(f"/custom_fields/{field['gid']}", json={"data": off}))
    ok(await client.put(f"/enum_options/{option}", json={"data": {"enabled": True}}))
    stored = _row(world, CustomField, field["gid"])
    assert (stored["has_notifications_enabled"], stored["name"], stored["name_key"]) == (
        False,
        "STAGE",
        "stage",
    )
    assert _row(world, EnumOption, option)["enabled"] is True
    assert _changed(world, field["gid"]) == ["has_notifications_enabled", "name"]
    assert _changed(world, option) == ["enabled"]


async def test_setting_rows(client, world):
    project = ok(await client.post("/projects", json={"data": {"name": "P", "team": world.team}}), 201)["gid"]
    field = await make_field(client, world, "Notes")
    added = f"/projects/{project}/addCustomFieldSetting"
    setting = ok(await client.post(added, json={"data": {"custom_field": field["gid"]}}))["gid"]
    stored = _row(world, CustomFieldSetting, setting)
    assert stored["is_important"] is False
    assert (stored["project_gid"], stored["portfolio_gid"], stored["workspace_gid"]) == (
        int(project),
        None,
        None,
    )
    removed = f"/projects/{project}/removeCustomFieldSetting"
    ok(await client.post(removed, json={"data": {"custom_field": field["gid"]}}))
    assert world.count("SELECT count(*) FROM custom_field_settings") == 0
