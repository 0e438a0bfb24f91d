"""A seeded world and valid inputs for every implemented operation, found without per-route code.

Operations come from the route table (`vinyasa.app.ROUTERS`). A path parameter `{kind_gid}` names a
resource of `kind` made by the world; a body starts minimal (`name` for creates and updates, empty
for actions) and is completed from the server's own 400 answers: each Asana error names the field it
wants (`"workspace: Missing input"`), which is filled from the world (a gid of that kind) or from the
example Asana's spec gives for a property of that name. Every create operation runs 100 times, so
every list the world can fill holds 100 items. `OVERRIDES` holds the few inputs neither source can
give. A route added later is synthesized the same way.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

API = "/api/1.0"
FILL = 100
SPARE = "spare@example.com"
_UNIQUE = itertools.count(1)  # `{n}` in names: unique across worlds and threads


@dataclass(frozen=True)
class Op:
    """One implemented operation: method, path template (without the API prefix), operationId."""

    method: str
    path: str
    operation_id: str

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def kind(self) -> str:
        """create | update | delete | action | get | list (the target it is judged against)."""
        if self.method == "DELETE":
            return "delete"
        if self.method == "PUT":
            return "update"
        if self.method == "POST":
            return "create" if self.operation_id.startswith("create") else "action"
        return "list" if _returns_list(self.operation_id, self.path) else "get"


def operations() -> list[Op]:
    """Every implemented API operation, from the route table, in its order."""
    from vinyasa.app import ROUTERS

    ops = []
    for router in ROUTERS:
        for route in router.routes:
            path = getattr(route, "path", "")
            if not path.startswith(API):
                continue
            for method in sorted(getattr(route, "methods", ()) or ()):
                name = getattr(route, "operation_id", None) or f"{method.lower()}:{path[len(API) :]}"
                ops.append(Op(method, path[len(API) :], name))
    return ops


@cache
def _spec() -> dict[str, Any]:
    from vinyasa.spec import load_spec

    return load_spec("asana_oas.yaml")


@cache
def _spec_ops() -> dict[str, dict[str, Any]]:
    """operationId -> the spec's operation, with the parameters its path declares for all of its
    operations (Asana's spec lists `limit` and `offset` there for most lists) added to its own."""
    out = {}
    for item in _spec()["paths"].values():
        shared = item.get("parameters", [])
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                out[op["operationId"]] = {**op, "parameters": [*shared, *op.get("parameters", [])]}
    return out


def _returns_list(operation_id: str, path: str) -> bool:
    op = _spec_ops().get(operation_id)
    if op is None:  # not in the spec (e.g. the events of one project): its last segment decides
        return not path.endswith("}")
    ok = op.get("responses", {}).get(200) or op.get("responses", {}).get("200") or {}
    schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
    data = schema.get("properties", {}).get("data", {})
    return bool(data.get("type") == "array")


def _parameters(operation_id: str) -> list[dict[str, Any]]:
    """The spec's parameters of the operation, references resolved."""
    out = []
    for p in _spec_ops().get(operation_id, {}).get("parameters", []):
        if "$ref" in p:
            p = _spec()["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        out.append(p)
    return out


def query_params(operation_id: str) -> set[str]:
    """The query parameter names the spec declares for the operation."""
    return {p["name"] for p in _parameters(operation_id) if p.get("in") == "query"}


def enum_value(operation_id: str, name: str) -> str | None:
    """The first value the spec allows for a query parameter that is an enum (favorites'
    `resource_type`), else None."""
    for p in _parameters(operation_id):
        if p.get("in") == "query" and p["name"] == name and (p.get("schema") or {}).get("enum"):
            return str(p["schema"]["enum"][0])
    return None


@cache
def _examples() -> dict[str, Any]:
    """Property name -> the first example Asana's spec gives for a property of that name."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if isinstance(prop, dict) and "example" in prop and name not in found:
                    found[name] = prop["example"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(_spec()["components"]["schemas"])
    return found


# Field name -> the kind of resource it names (the world's gid of that kind fills it).
REFERENCES = {
    "workspace": "workspace",
    "organization": "workspace",
    "team": "team",
    "project": "project",
    "projects": "project",
    "parent": "project",
    "user": "user",
    "users": "user",
    "member": "user",
    "members": "user",
    "followers": "user",
    "owner": "user",
    "assignee": "user",
    "custom_field": "custom_field",
    "section": "section",
    "resource": "project",
    "task": "task",
    "before_enum_option": "enum_option",
    "after_enum_option": "enum_option",
    "before_section": "section",
    "after_section": "section",
    "item": "project",  # a portfolio's items are projects
    "dependencies": "task",
    "dependents": "task",
}
LISTS = {"projects", "members", "followers", "users", "dependencies", "dependents"}

# Inputs that neither the world nor the spec's examples make valid, by operationId.
# A value "@kind" is the world's gid of that kind, "@kind#i" the i-th one made ("@operationId#i": the
# i-th one that operation made).
OVERRIDES: dict[str, dict[str, Any]] = {
    # tasks made in the world's project, so its task lists hold them (the 400s ask for a workspace)
    "createTask": {"body": {"projects": ["@project"]}},
    "getTasks": {"query": {"project": "@project"}},
    # the message names no field ("One of before_section or after_section is required")
    "insertSectionForProject": {"body": {"section": "@section#2", "before_section": "@section"}},
    # the option to move and its anchor, both options of the enum field
    "insertEnumOptionForCustomField": {
        "path": {"custom_field_gid": "enum_field"},
        "body": {"enum_option": "@enum_option#2", "before_enum_option": "@enum_option#1"},
    },
    # a task's parent is another task (`parent` means a project for status updates)
    "setParentForTask": {"body": {"parent": "@createTask#2"}},
    # the world's owner is already a member; a user the world added to the workspace is not
    "createMembership": {"body": {"member": "@user#5", "parent": "@project"}},
    # the spec gives no example of the status type
    "createStatusForObject": {"body": {"status_type": "on_track", "text": "Sweep", "parent": "@project"}},
    # a custom field must have a type; the spec's example ("text") is fine but the name must be new
    "createCustomField": {"body": {"resource_subtype": "text", "name": "Sweep {n}"}},
    # an enum option belongs to an enum field
    "createEnumOptionForCustomField": {"path": {"custom_field_gid": "enum_field"}},
    "updateEnumOption": {"path": {"custom_field_gid": "enum_field"}},
    # webhooks on a project no other row writes to: the world's project would have the 100
    # webhooks the fill makes deliver every write row's events while it is measured
    "createWebhook": {"body": {"resource": "@createProjectForTeam#1"}},
    # a rule runs on a task of its project (`resource` names a project elsewhere)
    "triggerRule": {"body": {"resource": "@task", "action_data": {}}},
    # addUser makes a new user from an email: every call adds one (the list fill uses it)
    "addUserForWorkspace": {"body": {"user": "sweep{n}@example.com"}},
}


class Client:
    """A keep-alive JSON client for one server."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None, prefix: str = API) -> tuple[int, Any]:
        """Send one request (again on a new connection when the server closed an idle one)."""
        data = None if body is None else json.dumps({"data": body}).encode()
        for attempt in range(2):
            try:
                self.conn.request(method, prefix + path, body=data, headers=self.headers)
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


@dataclass
class Request:
    """A concrete request for one operation (path with query; body or None)."""

    method: str
    path: str
    body: dict[str, Any] | None
    items: int | None = None  # for lists: the items the request answers
    op_id: str = ""


@dataclass
class World:
    """Resources made through the API, by kind; the request found for each operation."""

    client: Client
    gids: dict[str, str] = field(default_factory=dict)
    made: dict[str, list[str]] = field(default_factory=dict)
    creators: dict[str, Request] = field(default_factory=dict)  # kind -> a request that makes one
    by_kind: dict[str, list[str]] = field(default_factory=dict)  # kind -> gids made, in order
    listed: dict[str, Request] = field(default_factory=dict)  # kind -> the list its gid came from
    values: dict[str, Any] = field(default_factory=dict)  # input name -> what the run provides
    taken: set[str] = field(default_factory=set)  # gids `_another` gave

    def resolve(self, value: Any) -> Any:
        """An override's value with its "@kind" / "@kind#i" references replaced by world gids."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, str) and value.startswith("@"):
            kind, _, index = value[1:].partition("#")
            if index:
                made = self.made.get(kind) or self.by_kind.get(kind, [])
                return made[int(index) - 1] if len(made) >= int(index) else None
            return self.gids.get(kind)
        return value

    def _fresh(self, value: Any) -> Any:
        if isinstance(value, str) and "{n}" in value:
            return value.replace("{n}", f"{next(_UNIQUE)}x{time.time_ns() % 10**9}")
        if isinstance(value, dict):
            return {k: self._fresh(v) for k, v in value.items()}
        return value

    def path_for(self, op: Op) -> str | None:
        path = op.path
        override = OVERRIDES.get(op.operation_id, {}).get("path", {})
        for param in op.params:
            kind = override.get(param) or next((k for k in kinds_of(param) if k in self.gids), "")
            gid = self.gids.get(kind)
            if gid is None:
                return None
            path = path.replace("{" + param + "}", gid)
        return path

    def value_for(self, name: str, op: Op | None = None) -> Any:
        """A value for the input `name`: one the run provides (a webhook `target` it receives on),
        the spec's first allowed value of an enum query parameter, a world gid of the kind the name
        refers to (`tag`: the world's tag), else the spec's example."""
        if name in self.values:
            return self.values[name]
        allowed = enum_value(op.operation_id, name) if op is not None else None
        if allowed is not None:
            return allowed
        kind = REFERENCES.get(name) or (name if name in self.gids else None)
        if kind == "user" and op is not None and op.kind == "action" and "spare_user" in self.gids:
            kind = "spare_user"  # add/remove actions move a user of their own, not the world's owner
        if kind and kind in self.gids:
            gid: str | None = self.gids[kind]
            if op is not None and kind in {k for p in op.params for k in kinds_of(p)}:
                gid = self._another(kind)  # the path names one (a task's dependencies): another
            if gid is None:
                return None
            return [gid] if name in LISTS else gid
        return _examples().get(name)

    def _another(self, kind: str) -> str | None:
        """An object of `kind` other than the world's own one and than those earlier inputs took
        this way (a task's dependency and its dependent are two tasks: one would make a cycle)."""
        for gid in self.by_kind.get(kind, []):
            if gid != self.gids.get(kind) and gid not in self.taken:
                self.taken.add(gid)
                return gid
        return None

    def find(self, op: Op, *, limit: int | None = None) -> tuple[Request | None, str]:
        """A request for `op` that the server answers with 2xx (and its answer), or None and why."""
        path = self.path_for(op)
        if path is None:
            return None, self._unmade(op)
        override = OVERRIDES.get(op.operation_id, {})
        query: dict[str, Any] = dict(self.resolve(override.get("query", {})))
        if limit is not None and "limit" in query_params(op.operation_id):
            query["limit"] = limit
        body: dict[str, Any] | None = None
        if op.method in ("POST", "PUT"):
            body = {"name": "Sweep {n}"} if op.kind in ("create", "update") else {}
            body.update(self.resolve(override.get("body", {})))
        last = ""
        for _ in range(8):
            full = path + ("?" + urlencode(query) if query else "")
            sent = self._fresh(body) if body is not None else None
            status, answer = self.client.call(op.method, full, sent)
            if status < 300:
                self._record(op, Request(op.method, full, body, op_id=op.operation_id), answer)
                items = len(answer["data"]) if op.kind == "list" and answer else None
                return Request(op.method, full, body, items, op.operation_id), ""
            message = (answer or {}).get("errors", [{}])[0].get("message", "") if answer else ""
            last = f"{status} {message}"
            if status == 412 and answer and "sync" in answer:  # the events API hands out a token
                query["sync"] = answer["sync"]
                continue
            # the field an Asana error names ("workspace: Missing input"; "You must specify portfolio")
            wanted = re.match(r"([a-z_]+)(?:\[\d+\])?(?:\.[a-z_]+)?:", message) or re.search(
                r"must specify ([a-z_]+)", message
            )
            if status != 400 or not wanted:
                break
            name = wanted.group(1)
            value = self.value_for(name, op)
            if value is None:
                break
            if op.method == "GET" or (op.method == "DELETE"):
                if query.get(name) == value:
                    break
                query[name] = value[0] if isinstance(value, list) else value
            else:
                assert body is not None
                if body.get(name) == value:
                    break
                body[name] = value
        return None, last

    def _unmade(self, op: Op) -> str:
        """Why `op` has no input: the path parameters no object of the world fills, and what the
        route answers with `1` for them (goals, outside vinyasa's scope, are a 404 for any gid)."""
        missing = [p for p in op.params if not any(k in self.gids for k in kinds_of(p))] or op.params
        probe = op.path
        for param in op.params:
            gid = next((self.gids[k] for k in kinds_of(param) if k in self.gids), "1")
            probe = probe.replace("{" + param + "}", gid)
        status, answer = self.client.call("GET", probe) if op.method == "GET" else (0, None)
        message = (answer or {}).get("errors", [{}])[0].get("message", "") if answer else ""
        made = (
            " (no operation makes one)"
            if not any(k in self.creators for p in missing for k in kinds_of(p))
            else ""
        )
        said = f"; with 1 it answers {status} {message}" if status else ""
        return f"no resource for {', '.join(missing)}{made}{said}"

    def wait_job(self, answer: Any, seconds: float = 300.0) -> Any:
        """The job an answer names, once it has finished (its `new_...` objects made), else the
        answer itself. Jobs run in the order they were made: a new one waits for all before it
        (the sweep drives rows that start jobs as bounded pools for that reason)."""
        data = (answer or {}).get("data")
        if not isinstance(data, dict) or data.get("resource_type") != "job":
            return answer
        deadline = time.monotonic() + seconds
        while True:
            status, job = self.client.call("GET", f"/jobs/{data['gid']}")
            if (
                status >= 300
                or job["data"]["status"] in ("succeeded", "failed")
                or time.monotonic() > deadline
            ):
                return job
            time.sleep(0.05)

    def make(self, request: Request, kind: str) -> str:
        """Send a request that makes an object (`kind`: the world's name for it), directly or
        through the job it starts; the new object's gid."""
        answer = self.replay(request)
        if answer["data"].get("resource_type") != "job":
            return str(answer["data"]["gid"])
        data = self.wait_job(answer)["data"]
        made = next(
            (v for k, v in data.items() if k.startswith("new_") and v and v["resource_type"] == kind), None
        )
        if made is None:
            raise RuntimeError(f"{request.method} {request.path} made no {kind}: {answer}")
        return str(made["gid"])

    def _record(self, op: Op, request: Request, answer: Any) -> None:
        job = self.wait_job(answer)
        if job is not answer:  # the objects a job made (a project's template): made by this request
            for key, value in (job.get("data") or {}).items():
                if key.startswith("new_") and isinstance(value, dict) and "gid" in value:
                    kind = value["resource_type"]
                    self.by_kind.setdefault(kind, []).append(value["gid"])
                    self.gids.setdefault(kind, value["gid"])
                    self.creators.setdefault(kind, request)
        data = (answer or {}).get("data")  # (a job itself too: getJob reads it)
        if isinstance(data, dict) and "gid" in data and "resource_type" in data:
            kind = data["resource_type"]
            if op.kind == "create":
                self.made.setdefault(op.operation_id, []).append(data["gid"])
                self.by_kind.setdefault(kind, []).append(data["gid"])
                if request.method:  # the world's enum field is made before any request is found
                    self.creators.setdefault(kind, request)
                if kind == "custom_field" and data.get("resource_subtype") == "enum":
                    self.gids.setdefault("enum_field", data["gid"])
            self.gids.setdefault(kind, data["gid"])
            for option in data.get("enum_options") or []:
                self.gids.setdefault("enum_option", option["gid"])
        elif isinstance(data, list) and data and isinstance(data[0], dict) and "resource_type" in data[0]:
            if data[0]["resource_type"] not in self.gids:
                self.gids[data[0]["resource_type"]] = data[0]["gid"]
                self.listed[data[0]["resource_type"]] = request

    def refresh(self) -> None:
        """Take again the first item of each list a gid came from (a remove may have taken it)."""
        for kind, listing in self.listed.items():
            status, answer = self.client.call(listing.method, listing.path)
            if status < 300 and answer["data"]:
                self.gids[kind] = answer["data"][0]["gid"]

    def replay(self, request: Request) -> Any:
        """Send a request found before again (fresh names); its answer. Raises on an error."""
        status, answer = self.client.call(request.method, request.path, self._fresh(request.body))
        if status >= 300:
            raise RuntimeError(f"{request.method} {request.path}: {status} {answer}")
        data = (answer or {}).get("data")
        if isinstance(data, dict) and "resource_type" in data:
            self.by_kind.setdefault(data["resource_type"], []).append(data["gid"])
            self.made.setdefault(request.op_id, []).append(data["gid"])
        return answer


# A path parameter whose objects carry another resource_type (Asana's /memberships serve project
# memberships).
ALIASES = {"membership": "project_membership"}


def kind_of(param: str) -> str:
    """The resource_type of the objects a path parameter `{kind_gid}` names."""
    kind = param.removesuffix("_gid")
    return ALIASES.get(kind, kind)


def kinds_of(param: str) -> tuple[str, ...]:
    """The resource_types a path parameter `{kind_gid}` may name, its own first (POST /memberships
    answers a `membership`; the project's membership list shows the same rows as
    `project_membership`)."""
    own = param.removesuffix("_gid")
    return (own, kind_of(param)) if kind_of(param) != own else (own,)


def twin_of(request: Request) -> Request:
    """The `add...` action of a `remove...` one and the reverse, with the same body."""
    path = request.path
    swapped = path.replace("/remove", "/add") if "/remove" in path else path.replace("/add", "/remove")
    return Request(request.method, swapped, request.body, op_id=request.op_id)


def build(
    client: Client, seed: dict[str, str], values: dict[str, Any] | None = None
) -> tuple[World, dict[str, Request], dict[str, str]]:
    """Make the world: every create operation once (in dependency order), then each 99 more times
    so lists hold 100; find a request for every operation. `values`: inputs the run provides by
    name (a webhook `target`). Returns the world, the request found per operationId and, for the
    operations without one, why."""
    from bench.unlisted import unlisted

    world = World(
        client,
        gids={"workspace": seed["workspace"], "team": seed["team"], "user": seed["user"]},
        values=values or {},
    )
    ops = operations()
    found: dict[str, Request] = {}
    why: dict[str, str] = {}
    creates = [op for op in ops if op.kind == "create"]
    # an enum field first, so enum options have a parent (and a way to make more: a field holds
    # a limited number of options, a row adding many needs fresh ones)
    enum_field = Request(
        "POST",
        "/custom_fields",
        {
            "workspace": seed["workspace"],
            "name": "Sweep enum {n}",
            "resource_subtype": "enum",
            "enum_options": [{"name": "A"}, {"name": "B"}],
        },
    )
    world.creators["enum_field"] = enum_field
    status, answer = client.call(enum_field.method, enum_field.path, world._fresh(enum_field.body))
    if status < 300:
        world._record(Op("POST", "/custom_fields", "createCustomField"), Request("", "", None), answer)
    users = OVERRIDES["addUserForWorkspace"]["body"]
    for _ in range(FILL - 1):
        world.replay(Request("POST", f"/workspaces/{seed['workspace']}/addUser", users))
    # A user that add/remove actions move in and out, named by email: a user removed from the
    # workspace is no longer visible by gid, but adding them back by email always works.
    world.replay(Request("POST", f"/workspaces/{seed['workspace']}/addUser", {"user": SPARE}))
    world.gids["spare_user"] = SPARE
    for _ in range(3):  # a create may need a resource another create makes
        for op in creates:
            if op.operation_id not in found:
                request, reason = world.find(op)
                if request:
                    found[op.operation_id] = request
                else:
                    why[op.operation_id] = reason
    unlisted(world)
    for request in found.values():
        for _ in range(FILL - 1):
            try:
                world.replay(request)
            except RuntimeError:  # one of a kind (a project's brief): one is all there is
                break

    def removes(op: Op) -> bool:
        return "/remove" in op.path

    # reads twice: a read of one object may come before the list that shows one (a template)
    for phase in ("write", "read", "read", "remove"):  # removes last: they undo what reads show
        # removes from the innermost container first (a user leaves projects and teams before
        # the workspace): the route table lists workspaces first
        for op in reversed(ops) if phase == "remove" else ops:
            if op.operation_id in found or op.kind == "delete":
                continue
            wanted = {"read": op.method == "GET", "remove": removes(op)}.get(
                phase, op.method != "GET" and not removes(op)
            )
            if not wanted:
                continue
            request, reason = world.find(op, limit=100 if op.kind == "list" else None)
            if request:
                found[op.operation_id] = request
                why.pop(op.operation_id, None)
                if phase == "remove":  # put back what it took away (its `add...` twin)
                    twin = twin_of(request)
                    try:
                        world.replay(twin)
                    except RuntimeError:
                        pass
            else:
                why[op.operation_id] = reason
    return world, found, why
