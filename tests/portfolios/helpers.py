"""Shared bits of the portfolio tests: the spec's field set and quick ways to make portfolios."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import ok

# PortfolioResponse minus its opt-in `archived`.
FULL = {
    "gid",
    "resource_type",
    "name",
    "color",
    "created_at",
    "created_by",
    "current_status_update",
    "custom_field_settings",
    "custom_fields",
    "default_access_level",
    "due_on",
    "members",
    "owner",
    "permalink_url",
    "privacy_setting",
    "project_templates",
    "public",
    "start_on",
    "workspace",
}


async def make_portfolio(client: httpx.AsyncClient, world: Any, **fields: Any) -> dict[str, Any]:
    """A portfolio in the world's organization (override with keyword fields)."""
    data = {"name": "Bets", "workspace": world.workspace, **fields}
    created: dict[str, Any] = ok(await client.post("/portfolios", json={"data": data}), 201)
    return created


async def add_item(client: httpx.AsyncClient, portfolio: str, item: str, **where: str) -> None:
    """addItem, asserting success."""
    ok(await client.post(f"/portfolios/{portfolio}/addItem", json={"data": {"item": item, **where}}))


async def items(client: httpx.AsyncClient, portfolio: str, **params: Any) -> list[str]:
    """The gids of a portfolio's items, in order (the whole list)."""
    return [i["gid"] for i in ok(await client.get(f"/portfolios/{portfolio}/items", params=params))]
