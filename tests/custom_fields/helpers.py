"""Shared bits of the custom field tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World
from tests.helpers import ok


async def make_field(
    client: httpx.AsyncClient, world: World, name: str, subtype: str = "text", **extra: Any
) -> dict[str, Any]:
    """A new custom field in the world's organization; its full record."""
    body = {"workspace": world.workspace, "name": name, "resource_subtype": subtype, **extra}
    data: dict[str, Any] = ok(await client.post("/custom_fields", json={"data": body}), 201)
    return data


async def option_names(client: httpx.AsyncClient, field: str) -> list[str]:
    """A field's enum option names in order."""
    data = ok(await client.get(f"/custom_fields/{field}?opt_fields=enum_options.name"))
    return [o["name"] for o in data["enum_options"]]
