"""The OpenAPI document vinyasa serves: Asana's own operations, for the routes it implements.

Every API route carries the operation_id of Asana's spec (`vinyasa/spec/*.yaml`); the document copies
that operation from the vendored spec verbatim (summary, description, parameters, request body,
responses, with the path-level parameters), keeps only the components they reference, and adds:

- `servers: [{"url": "/api/1.0"}]` (Asana's paths are relative to it) and bearer auth as the only
  security scheme, so Swagger UI's "Try it out" sends the personal access token the CLI printed;
- vinyasa's own endpoints (`/healthz`), whose `servers` entry points at the root;
- optional parameters' examples as `x-example`, so "Try it out" does not send Asana's samples;
- a route's query parameters that Asana's operation does not list (GET /tasks' `tag` and
  `user_task_list`, which Asana's text names but its spec omits), with the route's `Query`
  description and `x-vinyasa: true`;
- the in-scope operations not implemented yet, in `x-vinyasa-unimplemented` (operationId, method,
  path, tags) and as a list in `info.description`.

FastAPI's generated document is not used: it had no request bodies, `{}` response schemas and a 422
the server never sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from vinyasa import __version__
from vinyasa.protocol.context import API_PREFIX
from vinyasa.rules import openapi as rules_openapi
from vinyasa.spec import load_spec
from vinyasa.webhooks import openapi as webhooks_openapi

METHODS = ("get", "post", "put", "delete", "patch")
SECURITY_SCHEME = "personalAccessToken"
# vinyasa's own /_vinyasa/ endpoints that /docs describes, by family (each: TAG, TAG_DESCRIPTION, paths()).
OWN_DOCS = (rules_openapi, webhooks_openapi)

_DESCRIPTION = """\
vinyasa speaks [Asana's REST API v1.0](https://developers.asana.com/reference). The operations below
are Asana's own, copied from Asana's OpenAPI spec (Apache-2.0, vendored in `vinyasa/spec/`), for the
routes this server implements.

**Try it out**: press *Authorize* and paste the personal access token `vinyasa serve` printed on its
first start (another one: `vinyasa token create --email EMAIL`).
"""


def implemented_operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    """operationId -> (method, path relative to /api/1.0) for every API route of the app."""
    found: dict[str, tuple[str, str]] = {}
    for route in app.routes:
        if isinstance(route, APIRoute) and route.operation_id and route.path.startswith(API_PREFIX):
            for method in sorted(route.methods or ()):
                found[route.operation_id] = (method.lower(), route.path.removeprefix(API_PREFIX))
    return found


def _query_parameters(app: FastAPI) -> dict[str, list[ModelField]]:
    """operationId -> the query parameters its route reads (its dependencies' included)."""

    def walk(dependant: Dependant) -> list[ModelField]:
        return [*dependant.query_params, *(q for sub in dependant.dependencies for q in walk(sub))]

    return {
        route.operation_id: walk(route.dependant)
        for route in app.routes
        if isinstance(route, APIRoute) and route.operation_id
    }


def _with_route_parameters(
    spec: dict[str, Any], path: str, operation: dict[str, Any], route_params: list[ModelField]
) -> dict[str, Any]:
    """The operation, plus the route's query parameters it does not list (module docstring)."""
    listed = [*spec["paths"][path].get("parameters", []), *operation.get("parameters", [])]
    shared = spec["components"].get("parameters", {})
    names = {(shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p)["name"] for p in listed}
    extra = [
        {
            "name": param.alias,
            "in": "query",
            "description": param.field_info.description or "",
            "schema": {"type": "string"},
            "x-vinyasa": True,
        }
        for param in route_params
        if param.alias not in names
    ]
    return {**operation, "parameters": [*operation.get("parameters", []), *extra]} if extra else operation


def spec_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operationId, method, path, operation) for every operation of a spec, in the spec's order."""
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation and "operationId" in operation:
                yield operation["operationId"], method, path, operation


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _components(spec: dict[str, Any], roots: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The components the roots reference, transitively (local `#/components/...` refs only)."""
    kept: dict[str, dict[str, Any]] = {}
    pending = [ref for root in roots for ref in _refs(root)]
    while pending:
        ref = pending.pop()
        parts = ref.removeprefix("#/").split("/")
        if len(parts) != 3 or parts[0] != "components":
            continue
        _, kind, name = parts
        if name in kept.get(kind, {}):
            continue
        node = spec["components"][kind][name]
        kept.setdefault(kind, {})[name] = node
        pending.extend(_refs(node))
    return {kind: dict(sorted(nodes.items())) for kind, nodes in sorted(kept.items())}


def _own_paths() -> dict[str, Any]:
    """vinyasa's endpoints outside Asana's API (served from the root, not /api/1.0)."""
    return {
        "/healthz": {
            "servers": [{"url": "/", "description": "vinyasa itself"}],
            "get": {
                "operationId": "vinyasaHealthz",
                "tags": ["vinyasa"],
                "summary": "Liveness probe",
                "description": 'Answers 200 `{"status":"ok"}` while the server runs; needs no token.',
                "security": [],
                "responses": {
                    "200": {
                        "description": "The server is up.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"status": {"type": "string", "example": "ok"}},
                                }
                            }
                        },
                    }
                },
            },
        }
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The document for the app's routes (see the module docstring). Costs ~1 s the first time (the
    spec is parsed once per process); the app caches the result."""
    scope, full = load_spec("scope_oas.yaml"), load_spec("asana_oas.yaml")
    implemented = implemented_operations(app)
    route_params = _query_parameters(app)
    paths: dict[str, dict[str, Any]] = {}
    missing: list[dict[str, Any]] = []
    in_scope = list(spec_operations(scope))
    scoped = {op_id for op_id, *_ in in_scope}
    # Implemented operations beyond the in-scope cut (e.g. /memberships, /events) come from the whole spec.
    beyond = [op for op in spec_operations(full) if op[0] in implemented and op[0] not in scoped]
    for op_id, method, path, operation in [*in_scope, *beyond]:
        spec = scope if op_id in scoped else full
        if op_id not in implemented:
            missing.append(
                {
                    "operationId": op_id,
                    "method": method.upper(),
                    "path": path,
                    "tags": operation.get("tags", []),
                }
            )
            continue
        item = paths.setdefault(path, {})
        for key, value in spec["paths"][path].items():
            if key not in METHODS:
                item[key] = value  # path-level parameters, summary
        item[method] = _with_route_parameters(spec, path, operation, route_params[op_id])
    paths.update(_own_paths())
    extra_tags: list[dict[str, Any]] = []
    control = getattr(app.state, "control_openapi", None)  # the emulator's routes, when on
    if control is not None:
        control_paths, control_tag = control()
        paths.update(control_paths)
        extra_tags.append(control_tag)
    for docs in OWN_DOCS:
        paths.update(docs.paths())
    schemes = scope["components"]["securitySchemes"]
    document: dict[str, Any] = {
        "openapi": scope["openapi"],
        "info": {
            "title": "vinyasa — Asana REST API v1.0",
            "version": __version__,
            "description": _DESCRIPTION + _unimplemented_note(missing),
            "license": {
                "name": "Asana's spec: Apache 2.0",
                "url": "https://www.apache.org/licenses/LICENSE-2.0",
            },
        },
        "servers": [{"url": API_PREFIX, "description": "this server"}],
        "security": [{SECURITY_SCHEME: []}],
        "tags": [*_tags(full, paths), *extra_tags],
        "paths": paths,
        "components": {
            **_components(full, paths.values()),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    **schemes.get(SECURITY_SCHEME, {}),
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (`vinyasa serve` or `vinyasa token create`).",
                }
            },
        },
        "x-vinyasa-unimplemented": missing,
    }
    document = _str_keys(document)  # a copy: the cached spec stays untouched whatever callers do
    _optional_examples_as_extensions(document)
    return document


def _str_keys(node: Any) -> Any:
    """A deep copy with every mapping key a string (Asana's whole spec writes `200:` as integers)."""
    if isinstance(node, dict):
        return {str(k): _str_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_str_keys(v) for v in node]
    return node


def _optional_examples_as_extensions(document: dict[str, Any]) -> None:
    """Swagger UI's "Try it out" pre-fills every parameter with its `example`, so a plain GET /users/me
    would send Asana's sample `workspace=12345` and a 40-field `opt_fields`. Optional parameters keep
    their example as `x-example` (shown, not sent)."""
    parameter_lists = [item.get("parameters", []) for item in document["paths"].values()]
    parameter_lists += [
        op.get("parameters", [])
        for item in document["paths"].values()
        for key, op in item.items()
        if key in METHODS
    ]
    parameter_lists.append(list(document["components"].get("parameters", {}).values()))
    for parameters in parameter_lists:
        for parameter in parameters:
            if "$ref" not in parameter and not parameter.get("required") and "example" in parameter:
                parameter["x-example"] = parameter.pop("example")


def _tags(spec: dict[str, Any], paths: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    used = {
        tag
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
        for tag in op.get("tags", [])
    }
    tags = [tag for tag in spec.get("tags", []) if tag["name"] in used]
    own = {"name": "vinyasa", "description": "vinyasa's own endpoints, outside Asana's API."}
    return [*tags, own, *({"name": docs.TAG, "description": docs.TAG_DESCRIPTION} for docs in OWN_DOCS)]


def _unimplemented_note(missing: list[dict[str, Any]]) -> str:
    if not missing:
        return ""
    lines = [
        "",
        f"**Not implemented yet** ({len(missing)} operations of the in-scope tags; also in",
        "`x-vinyasa-unimplemented`): " + ", ".join(f"`{op['method']} {op['path']}`" for op in missing) + ".",
    ]
    return "\n".join(lines) + "\n"
