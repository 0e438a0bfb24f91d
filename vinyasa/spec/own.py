"""Building blocks for the /docs description of vinyasa's own endpoints (`/_vinyasa/...`).

They are not Asana operations, so Asana's spec cannot describe them: each family that has some
describes them in the same OpenAPI shape (a module with `TAG`, `TAG_DESCRIPTION` and `paths()`,
listed in vinyasa.spec.openapi), served from the root (`servers: /`) with the normal bearer token.
"""

from __future__ import annotations

from typing import Any

ROOT = [{"url": "/", "description": "vinyasa itself"}]
GID = {"type": "string", "example": "12345"}


PAGE_PARAMS = [  # vinyasa's own lists page as Asana's do (`ctx.page`)
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    {"name": "offset", "in": "query", "schema": {"type": "string"}, "description": "`next_page.offset`."},
]


def data_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON body `{"data": schema}`, as a request body's or response's `content`."""
    return {"content": {"application/json": {"schema": {"type": "object", "properties": {"data": schema}}}}}


def path_param(name: str) -> dict[str, Any]:
    """A required string path parameter (a gid)."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "example": "12345"}


def operation(
    tag: str,
    op_id: str,
    summary: str,
    ok: tuple[str, str, dict[str, Any]],
    errors: dict[str, Any],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation: `ok` is (status, description, schema of `data`); `body` the request's `data`."""
    status, description, schema = ok
    found: dict[str, Any] = {
        "operationId": op_id,
        "tags": [tag],
        "summary": summary,
        "description": summary,
        "responses": {status: {"description": description, **data_content(schema)}, **errors},
    }
    if body is not None:
        found["requestBody"] = {"required": True, **data_content(body)}
    return found
