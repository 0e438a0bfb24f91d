"""/openapi.json is Asana's own description of the implemented operations; /docs works offline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from vinyasa.spec import load_spec
from vinyasa.spec.openapi import implemented_operations, spec_operations

pytestmark = pytest.mark.anyio


@pytest.fixture
async def root(world):
    """A client at the server's root (no token: the docs are public)."""
    transport = httpx.ASGITransport(app=world.env.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _document(root) -> dict[str, Any]:
    r = await root.get("/openapi.json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    document: dict[str, Any] = r.json()
    return document


async def test_operations_are_asanas_own_for_every_route(root, world):
    doc = await _document(root)
    assert (await root.get("/api/1.0/openapi.json")).json() == doc
    scope = load_spec("scope_oas.yaml")
    served = {
        op["operationId"]: (method, path)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    routes = implemented_operations(world.env.app)
    assert set(routes) <= set(served)
    for op_id, method, path, asana in spec_operations(scope):
        if op_id in routes:
            assert routes[op_id] == (method, path), op_id
            mine = doc["paths"][path][method]
            assert mine["description"] == asana["description"]
            assert mine["responses"].keys() == asana["responses"].keys()
            assert mine.get("requestBody") == asana.get("requestBody")
    me = doc["paths"]["/users/{user_gid}"]["get"]
    assert "opt_fields" in {p.get("name") for p in me["parameters"]}
    assert {"$ref": "#/components/parameters/pretty"} in doc["paths"]["/users/{user_gid}"]["parameters"]
    create = doc["paths"]["/projects"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert body == {"$ref": "#/components/schemas/ProjectRequest"}
    assert "ProjectRequest" in doc["components"]["schemas"]
    answer = create["responses"]["201"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert answer == {"$ref": "#/components/schemas/ProjectResponse"}


async def test_every_reference_resolves_and_nothing_is_fastapis(root):
    doc = await _document(root)

    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in set(refs(doc)):
        _, section, kind, name = ref.split("/")
        assert name in doc[section][kind], ref
    codes = {
        code
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for code in op.get("responses", {})
    }
    assert "422" not in codes
    assert "HTTPValidationError" not in doc["components"]["schemas"]


async def test_bearer_auth_servers_own_endpoints_and_unimplemented(root):
    doc = await _document(root)
    assert doc["servers"] == [{"url": "/api/1.0", "description": "this server"}]
    assert doc["components"]["securitySchemes"] == {
        "personalAccessToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (`vinyasa serve` or `vinyasa token create`).",
        }
    }
    assert doc["security"] == [{"personalAccessToken": []}]
    health = doc["paths"]["/healthz"]
    assert health["servers"] == [{"url": "/", "description": "vinyasa itself"}]
    assert health["get"]["security"] == []
    assert (await root.get("/healthz")).status_code == 200
    missing = {op["operationId"] for op in doc["x-vinyasa-unimplemented"]}
    served = {
        op.get("operationId")
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
    }
    in_scope = {op_id for op_id, *_ in spec_operations(load_spec("scope_oas.yaml"))}
    assert missing == in_scope - served
    assert "addTagForTask" in served and "getTaskForCustomID" in served
    assert missing == set()  # every in-scope operation is served (issue 23): the docs list none
    assert "Not implemented yet" not in doc["info"]["description"]


async def test_optional_parameters_carry_no_example_try_it_out_would_send(root):
    doc = await _document(root)
    workspace = doc["components"]["parameters"]["workspace_query_param"]
    assert "example" not in workspace and workspace["x-example"] == "12345"
    assert doc["components"]["parameters"]["user_path_gid"]["example"] == "me"  # required: kept


@pytest.mark.parametrize("path", ["/docs", "/api/1.0/docs"])
async def test_docs_page_uses_bundled_assets_only(root, path):
    r = await root.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in (
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-ui.css",
        "/docs/static/favicon.png",
    ):
        assert asset in page
        got = await root.get(asset)
        assert got.status_code == 200 and len(got.content) > 1000
    assert "url: '/openapi.json'" in page
    assert '"persistAuthorization": true' in page


async def test_unknown_static_file_is_asanas_404(root):
    r = await root.get("/docs/static/nothing.js")
    assert r.status_code == 404
    assert r.json()["errors"][0]["message"] == "No matching route for request"


def test_unimplemented_operations_are_listed_in_the_description():
    from vinyasa.spec.openapi import _unimplemented_note

    text = _unimplemented_note([{"operationId": "x", "method": "GET", "path": "/x", "tags": []}])
    assert "**Not implemented yet** (1 operations" in text and "`GET /x`" in text
    assert _unimplemented_note([]) == ""
