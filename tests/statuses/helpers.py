"""Shared bits of the status and brief tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import ok

STATUS_FULL = {
    "gid",
    "resource_type",
    "title",
    "text",
    "color",
    "author",
    "created_at",
    "created_by",
    "modified_at",
}
UPDATE_FULL = {
    "gid",
    "resource_type",
    "title",
    "resource_subtype",
    "text",
    "status_type",
    "author",
    "created_at",
    "created_by",
    "hearted",
    "hearts",
    "liked",
    "likes",
    "reaction_summary",
    "modified_at",
    "num_hearts",
    "num_likes",
    "parent",
}
BRIEF_FULL = {"gid", "resource_type", "title", "html_text", "permalink_url", "project"}


async def post_status(client: httpx.AsyncClient, project: str, **fields: Any) -> dict[str, Any]:
    """A legacy project status (green, "All good" unless overridden)."""
    data = {"color": "green", "text": "All good", **fields}
    created: dict[str, Any] = ok(
        await client.post(f"/projects/{project}/project_statuses", json={"data": data}), 201
    )
    return created


async def post_update(client: httpx.AsyncClient, project: str, **fields: Any) -> dict[str, Any]:
    """A status update on a project (on_track, "All good" unless overridden)."""
    data = {"parent": project, "status_type": "on_track", "text": "All good", **fields}
    created: dict[str, Any] = ok(await client.post("/status_updates", json={"data": data}), 201)
    return created


async def current(client: httpx.AsyncClient, project: str) -> tuple[Any, Any]:
    """The project's current_status and current_status_update (gid, color, status_type)."""
    fields = "current_status.color,current_status_update.status_type"
    data = ok(await client.get(f"/projects/{project}", params={"opt_fields": fields}))
    return data["current_status"], data["current_status_update"]
