"""The delivery log's routes are described in /openapi.json (and so in /docs), with their tag."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.helpers import documented_operations
from vinyasa.webhooks import openapi

pytestmark = pytest.mark.anyio


async def test_the_openapi_document_lists_the_delivery_log_routes(client, world: World) -> None:
    doc = (await client.get("http://testserver/openapi.json")).json()
    served = documented_operations(doc)
    routes = {
        (method, route.path): route.operation_id
        for route in world.env.app.routes
        if getattr(route, "path", "").startswith("/_vinyasa/webhooks/")
        for method in route.methods
    }
    assert len(routes) == 2
    for key, operation_id in routes.items():
        assert served[key]["operationId"] == operation_id
        assert served[key]["tags"] == [openapi.TAG] and served[key]["description"]
    assert openapi.TAG in {t["name"] for t in doc["tags"]}
    log = doc["paths"]["/_vinyasa/webhooks/{webhook_gid}/deliveries"]
    assert log["servers"][0]["url"] == "/"
    assert {p["name"] for p in log["get"]["parameters"]} == {"limit", "offset"}
