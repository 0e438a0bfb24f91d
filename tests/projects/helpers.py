"""Shared bits of the project tests: the spec's field sets and a quick way to make projects."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import ok

# ProjectResponse minus its opt-in fields (html_notes, project_brief, created_from_template).
FULL = {
    "gid",
    "resource_type",
    "name",
    "archived",
    "color",
    "icon",
    "created_at",
    "current_status",
    "current_status_update",
    "custom_field_settings",
    "default_view",
    "due_date",
    "due_on",
    "members",
    "modified_at",
    "notes",
    "public",
    "privacy_setting",
    "start_on",
    "default_access_level",
    "minimum_access_level_for_customization",
    "minimum_access_level_for_sharing",
    "custom_fields",
    "completed",
    "completed_at",
    "completed_by",
    "followers",
    "owner",
    "team",
    "permalink_url",
    "workspace",
}
OPT_IN = {"html_notes", "project_brief", "created_from_template"}


async def make_project(client: httpx.AsyncClient, world: Any, **fields: Any) -> dict[str, Any]:
    """A project in the world's organization and team (override with keyword fields)."""
    data = {"name": "Roadmap", "workspace": world.workspace, "team": world.team, **fields}
    data = {k: v for k, v in data.items() if v is not None}
    created: dict[str, Any] = ok(await client.post("/projects", json={"data": data}), 201)
    return created


def gids(items: list[dict[str, Any]]) -> list[str]:
    """The gids of a list of records, in order."""
    return [item["gid"] for item in items]
