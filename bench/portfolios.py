"""Data for the portfolio-items rows of bench.run: a portfolio of 1,500 projects (Asana's maximum)
built through the API, and the offset token of its last page of 100."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

ITEMS = 1500
Request = Callable[..., dict[str, object]]  # bench.run._request: (base, token, method, path, body)


def _page(base: str, token: str, path: str) -> dict[str, Any]:
    req = urllib.request.Request(base + "/api/1.0" + path)
    req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        body: dict[str, Any] = json.loads(r.read())
        return body


def seed_portfolio(base: str, token: str, workspace: str, team: str, request: Request) -> dict[str, str]:
    """A full portfolio; returns its gid (`portfolio`) and its last page's offset (`portfolio_deep`)."""
    folio = str(
        request(base, token, "POST", "/portfolios", {"data": {"name": "Bench", "workspace": workspace}})[
            "gid"
        ]
    )
    for i in range(ITEMS):
        project = request(base, token, "POST", "/projects", {"data": {"name": f"Item {i}", "team": team}})[
            "gid"
        ]
        request(base, token, "POST", f"/portfolios/{folio}/addItem", {"data": {"item": project}})
    path, deep = f"/portfolios/{folio}/items?limit=100", ""
    while True:
        body = _page(base, token, path + (f"&offset={urllib.parse.quote(deep)}" if deep else ""))
        if body["next_page"] is None:
            break
        deep = str(body["next_page"]["offset"])
    return {"portfolio": folio, "portfolio_deep": urllib.parse.quote(deep)}
