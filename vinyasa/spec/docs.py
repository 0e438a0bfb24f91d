"""Interactive docs that work offline: Swagger UI from the `fastapi-offline` package's bundled assets.

Routes (added after the API routes, so the direct route table is unaffected):
`GET /openapi.json` and `/api/1.0/openapi.json` (the document of `vinyasa/spec/openapi.py`, built on
first use and cached), `GET /docs` and `/api/1.0/docs` (Swagger UI), `/docs/static/*` (its assets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
import orjson
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from vinyasa.protocol.context import API_PREFIX
from vinyasa.spec.openapi import build_openapi

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
STATIC_URL = "/docs/static"
OPENAPI_URL = "/openapi.json"
DOCS_URLS = ("/docs", API_PREFIX + "/docs")
SWAGGER_PARAMETERS = {
    "persistAuthorization": True,
    "displayOperationId": True,
    "docExpansion": "none",
    "filter": True,
    "defaultModelsExpandDepth": -1,
}


def install_docs(app: FastAPI) -> None:
    """Add the docs routes and make `app.openapi()` return vinyasa's document."""
    cache: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if "document" not in cache:
            cache["document"] = build_openapi(app)
        document: dict[str, Any] = cache["document"]
        return document

    def openapi_bytes() -> bytes:
        if "bytes" not in cache:
            cache["bytes"] = orjson.dumps(openapi())
        data: bytes = cache["bytes"]
        return data

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to replace it

    async def openapi_json() -> Response:
        body = cache.get("bytes") or await run_in_threadpool(openapi_bytes)
        return Response(body, media_type="application/json")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="vinyasa — Asana API reference",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    for url in (OPENAPI_URL, API_PREFIX + OPENAPI_URL):
        app.add_api_route(url, openapi_json, methods=["GET"], include_in_schema=False)
    for url in DOCS_URLS:
        app.add_api_route(url, swagger_ui, methods=["GET"], include_in_schema=False)
    app.mount(STATIC_URL, StaticFiles(directory=ASSETS), name="docs-static")
