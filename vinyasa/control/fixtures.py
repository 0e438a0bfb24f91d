"""Fixture files: a known world in YAML (or JSON), loaded through the services, all or nothing.

```yaml
users:                       # created first; `token` becomes a personal access token of theirs
  - {name: Alice, email: alice@example.com, token: alice-token, gid: "1001"}
  - {name: Bob, email: bob@example.com}
workspaces:                  # owner: a user above (default: the first); members: default all users
  - {name: Acme, owner: Alice, organization: true}
teams:
  - {name: Eng, workspace: Acme, as: Alice, members: [Bob]}
custom_fields:
  - {name: Priority, workspace: Acme, resource_subtype: enum, enum_options: [{name: High}, {name: Low}]}
projects:
  - name: Launch
    team: Eng                # or workspace: Acme
    as: Alice                # who creates it (default: the workspace's owner)
    sections: [Backlog, Doing]
    custom_fields: [Priority]
    statuses: [{title: On track, status_type: on_track, text: Fine}]
tasks:
  - name: Write spec
    project: Launch          # or projects: [...]; section: a section of the (first) project
    section: Doing
    assignee: Bob
    due_on: 2026-12-01
    custom_fields: {Priority: High}
    subtasks: [{name: Outline}]
favorites:                   # a user's sidebar (GET /users/{gid}/favorites), in this order
  - {user: Bob, project: Launch}                # or task:, tag:, portfolio:, project_template:
  - {user: Bob, person: Alice, workspace: Acme} # a user favorite names its workspace
```

Every entry may carry `gid` (a fixed gid, digits) and `as` (the acting user; default: the owner of
its workspace); any other key is the API's own field (`notes`, `color`, `completed`, `privacy_setting`,
...) and goes through the same service and rules as `POST` would. References are by name (users also
by email), inside the file or already in the database. A bad file raises `FixtureError` naming the
line; the transaction rolls back, so nothing changes.

Portfolios are not loaded here yet: another family registers a loader for a top-level key with
`register(key, loader, after=...)` (the extension point), and a file using a key no loader handles
is a 400 naming that line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import insert, select

from vinyasa import access
from vinyasa.bootstrap import create_workspace
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.core.unit import unit_of_work
from vinyasa.custom_fields import service as custom_fields
from vinyasa.custom_fields import settings as cf_settings
from vinyasa.custom_fields.schemas import AddSettingBody, CustomFieldFields
from vinyasa.db import RequestTransactions
from vinyasa.errors import AsanaError
from vinyasa.models import EnumOption, Section, Token, User
from vinyasa.projects import service as projects
from vinyasa.projects.schemas import ProjectFields
from vinyasa.protocol.body import validate
from vinyasa.protocol.context import token_digest
from vinyasa.protocol.gids import allocate, as_gid, pinned
from vinyasa.sections import service as sections
from vinyasa.sections.schemas import SectionBody
from vinyasa.statuses import service as statuses
from vinyasa.statuses.schemas import StatusUpdateFields
from vinyasa.tasks import service as tasks
from vinyasa.tasks.schemas import TaskFields
from vinyasa.teams import service as teams
from vinyasa.teams.schemas import TeamFields
from vinyasa.users import favorites
from vinyasa.users.service import create_user, find_user
from vinyasa.workspaces.service import add_member

MAX_BYTES = 10 * 1024 * 1024


class FixtureError(AsanaError):
    """400: the fixture file is not valid; the message names the line."""

    status = 400


class _Map(dict[str, Any]):
    """A YAML mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        plain = super().construct_mapping(node, deep=True)
        mapping = _Map({str(k): v for k, v in plain.items()})
        mapping.line = node.start_mark.line + 1
        mapping.lines = {
            str(key.value): key.start_mark.line + 1
            for key, _ in node.value
            if isinstance(key, yaml.ScalarNode)
        }
        return mapping


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    mapping = loader.construct_mapping(node)
    assert isinstance(mapping, _Map)
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
# Dates stay text (`due_on: 2026-12-01`): the API's own validation reads them, and names the field.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _list_of_maps(doc: _Map, key: str) -> list[_Map]:
    items = doc.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, _Map) for i in items):
        raise FixtureError(f"line {doc.lines.get(key, 1)}: {key}: a list of objects")
    return items


Loader = Callable[["World", _Map], None]
# Top-level keys and their loaders, in loading order (`register` adds more: portfolios).
_LOADERS: dict[str, Loader] = {}


def register(key: str, loader: Loader, *, after: str | None = None) -> None:
    """Let another family load entries of a top-level key (e.g. `portfolios`): `loader(world,
    entry)` is called for each entry, after those of `after` (default: after everything)."""
    order = list(_LOADERS.items())
    index = len(order) if after is None else [k for k, _ in order].index(after) + 1
    order.insert(index, (key, loader))
    _LOADERS.clear()
    _LOADERS.update(order)


@dataclass
class World:
    """Loading state: the collecting caller, the base URL, and what each name refers to."""

    collector: Caller
    base_url: str
    names: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> name -> gid
    owners: dict[int, int] = field(default_factory=dict)  # workspace -> owner user
    workspace_of: dict[tuple[str, int], int] = field(default_factory=dict)

    def caller(self, user: int) -> Caller:
        """A caller for one operation, sharing the transaction (its entries join the collector's)."""
        return Caller(conn=self.collector.conn, user_gid=user, base_url=self.base_url)

    def done(self, caller: Caller) -> None:
        self.collector.recorded.extend(caller.recorded)
        caller.recorded = []

    def name(self, kind: str, name: str, gid: int) -> None:
        self.names.setdefault(kind, {})[name] = gid

    def ref(self, kind: str, value: Any, entry: _Map, key: str) -> int:
        """The gid a reference names: a name from this file, a gid, or (users) an email."""
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            text = str(value)
            if text in self.names.get(kind, {}):
                return self.names[kind][text]
            if kind == "user":
                found = find_user(self.collector.conn, text)
                if found is not None:
                    return found
            gid = as_gid(text)
            if gid is not None:
                return gid
        raise FixtureError(
            f"line {entry.lines.get(key, entry.line)}: {key}: Unknown {kind}: {str(value)[:64]}"
        )

    def actor(self, entry: _Map, workspace: int | None) -> int:
        if "as" in entry:
            return self.ref("user", entry["as"], entry, "as")
        if workspace is not None and workspace in self.owners:
            return self.owners[workspace]
        owner = self.collector.conn.execute(
            select(User.gid).order_by(User.created_at, User.gid).limit(1)
        ).scalar_one_or_none()
        if owner is None:
            raise FixtureError(f"line {entry.line}: as: No user to act as; add users to the file")
        return int(owner)


_SPECIAL = frozenset(
    {
        "gid",
        "as",
        "members",
        "sections",
        "statuses",
        "subtasks",
        "project",
        "section",
        "token",
        "owner",
        "workspaces",
        "organization",
        "team",
        "workspace",
        "projects",
        "assignee",
        "custom_fields",
        "enum_options",
        "followers",
    }
)


def _api_fields(entry: _Map, allowed: set[str] | None = None) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _SPECIAL and (allowed is None or k in allowed)}


def _fixed(entry: _Map) -> int | None:
    if "gid" not in entry:
        return None
    gid = as_gid(str(entry["gid"]))
    if gid is None:
        raise FixtureError(
            f"line {entry.lines.get('gid', entry.line)}: gid: Not a valid gid: {str(entry['gid'])[:64]}"
        )
    return gid


def _create(world: World, entry: _Map, make: Callable[[], int]) -> int:
    """Run `make` (a service call) with the entry's fixed gid pinned; the new object's gid."""
    fixed = _fixed(entry)
    with pinned(fixed):
        gid = make()
    if fixed is not None and gid != fixed:
        raise FixtureError(f"line {entry.line}: gid: this object's gid cannot be fixed")
    return gid


def _validated(model: type[BaseModel], data: dict[str, Any], entry: _Map) -> Any:
    """`data` checked as the API would; a key of `entry` that is neither the file's own nor a field
    of `model` (a typo such as `asignee`) is an error naming its line, not silently ignored."""
    for key in entry:
        if key not in _SPECIAL and key not in model.model_fields:
            raise FixtureError(f"line {entry.lines.get(key, entry.line)}: {key}: not a field here")
    return validate(model, data)


def _only(entry: _Map, allowed: set[str]) -> None:
    for key in entry:
        if key not in allowed:
            raise FixtureError(f"line {entry.lines.get(key, entry.line)}: {key}: not a field here")


def _users(world: World, entry: _Map) -> None:
    _only(entry, {"name", "email", "token", "gid"})
    conn = world.collector.conn
    email = str(entry.get("email") or "").strip()
    if not email:
        raise FixtureError(f"line {entry.line}: email: Missing input")
    name = str(entry.get("name") or email.split("@")[0])
    gid = _create(world, entry, lambda: create_user(conn, email, name))
    world.name("user", name, gid)
    world.name("user", email, gid)
    if "token" in entry:
        token = str(entry["token"])
        conn.execute(
            insert(Token).values(
                gid=allocate(conn)[0], user_gid=gid, token_hash=token_digest(token), created_at=now_ms()
            )
        )


def _workspaces(world: World, entry: _Map) -> None:
    _only(entry, {"name", "gid", "owner", "organization", "members"})
    conn = world.collector.conn
    name = str(entry.get("name") or "")
    if not name.strip():
        raise FixtureError(f"line {entry.line}: name: Missing input")
    users = world.names.get("user", {})
    owner = world.ref("user", entry["owner"], entry, "owner") if "owner" in entry else None
    if owner is None:
        owner = next(iter(users.values()), None) or world.actor(entry, None)
    email = conn.execute(select(User.email).where(User.gid == owner)).scalar_one()
    organization = bool(entry.get("organization", True))
    fixed = _fixed(entry)
    with pinned(fixed):
        made = create_workspace(conn, name, email, organization=organization, team=False)
    gid = int(str(made["workspace"]))
    if fixed is not None and gid != fixed:
        raise FixtureError(f"line {entry.line}: gid: this object's gid cannot be fixed")
    world.name("workspace", name, gid)
    world.owners[gid] = owner
    members = entry.get("members")
    wanted = (
        set(users.values()) if members is None else {world.ref("user", m, entry, "members") for m in members}
    )
    for user in sorted(wanted - {owner}):
        add_member(conn, gid, user)


def _teams(world: World, entry: _Map) -> None:
    ws = world.ref("workspace", entry.get("workspace"), entry, "workspace") if "workspace" in entry else None
    if ws is None:
        ws = next(iter(world.names.get("workspace", {}).values()), None)
    if ws is None:
        raise FixtureError(f"line {entry.line}: workspace: Missing input")
    ctx = world.caller(world.actor(entry, ws))
    body = _validated(TeamFields, {**_api_fields(entry), "organization": str(ws)}, entry)
    gid = _create(world, entry, lambda: teams.create_team(ctx, body))
    for member in entry.get("members") or []:
        user = world.ref("user", member, entry, "members")
        if user != ctx.user_gid:
            teams.invite(ctx, gid, ws, user)
    world.done(ctx)
    world.name("team", str(entry.get("name")), gid)
    world.workspace_of[("team", gid)] = ws


def _custom_fields(world: World, entry: _Map) -> None:
    ws = world.ref("workspace", entry.get("workspace"), entry, "workspace") if "workspace" in entry else None
    ws = ws or next(iter(world.names.get("workspace", {}).values()), None)
    ctx = world.caller(world.actor(entry, ws))
    data = {**_api_fields(entry), "workspace": str(ws) if ws else None}
    options = entry.get("enum_options")
    if options is not None:
        data["enum_options"] = [o if isinstance(o, dict) else {"name": str(o)} for o in options]
    body = _validated(CustomFieldFields, data, entry)
    gid = _create(world, entry, lambda: custom_fields.create_field(ctx, body))
    world.done(ctx)
    world.name("custom_field", str(entry.get("name")), gid)
    for option_gid, option_name in world.collector.conn.execute(
        select(EnumOption.gid, EnumOption.name).where(EnumOption.custom_field_gid == gid)
    ):
        world.name(f"enum_option:{gid}", option_name, option_gid)


def _projects(world: World, entry: _Map) -> None:
    team = world.ref("team", entry["team"], entry, "team") if "team" in entry else None
    ws = world.ref("workspace", entry["workspace"], entry, "workspace") if "workspace" in entry else None
    ws = ws or (world.workspace_of.get(("team", team)) if team else None)
    ws = ws or next(iter(world.names.get("workspace", {}).values()), None)
    ctx = world.caller(world.actor(entry, ws))
    data = _api_fields(entry)
    if "owner" in entry:
        data["owner"] = str(world.ref("user", entry["owner"], entry, "owner"))
    if "followers" in entry:
        data["followers"] = [str(world.ref("user", f, entry, "followers")) for f in entry["followers"]]
    body = _validated(ProjectFields, data, entry)
    gid = _create(world, entry, lambda: projects.create_project(ctx, body, workspace_gid=ws, team_gid=team))
    name = str(entry.get("name"))
    world.name("project", name, gid)
    project = access.project(ctx, str(gid))
    world.workspace_of[("project", gid)] = project.workspace_gid
    names = [str(s) for s in entry.get("sections") or []]
    if names:  # the project's first section is its default one, renamed
        first = ctx.conn.execute(select(Section.gid).where(Section.project_gid == gid)).scalar_one()
        sections.update_section(ctx, access.section(ctx, str(first)), SectionBody(name=names[0]))
        world.name(f"section:{gid}", names[0], first)
        for other in names[1:]:
            world.name(
                f"section:{gid}", other, sections.create_section(ctx, project, SectionBody(name=other))
            )
    for field_name in entry.get("custom_fields") or []:
        field_gid = world.ref("custom_field", field_name, entry, "custom_fields")
        parent = cf_settings.Parent(cf_settings.PROJECT, gid, project.workspace_gid)
        cf_settings.add_setting(ctx, parent, AddSettingBody(custom_field=str(field_gid)))
    for status in entry.get("statuses") or []:
        if not isinstance(status, _Map):
            raise FixtureError(f"line {entry.lines.get('statuses', entry.line)}: statuses: a list of objects")
        author = world.caller(world.actor(status, ws))
        fields = _validated(StatusUpdateFields, {**_api_fields(status), "parent": str(gid)}, status)
        _create(world, status, lambda a=author, f=fields: statuses.create_status_update(a, f))  # type: ignore[misc]
        world.done(author)
    world.done(ctx)


def _task(world: World, entry: _Map, parent: access.VisibleTask | None) -> None:
    ws = world.ref("workspace", entry["workspace"], entry, "workspace") if "workspace" in entry else None
    names = list(entry.get("projects") or []) + ([entry["project"]] if "project" in entry else [])
    project_gids = [
        world.ref("project", p, entry, "projects" if "projects" in entry else "project") for p in names
    ]
    data = _api_fields(entry)
    if project_gids:
        section = entry.get("section")
        memberships = [{"project": str(p)} for p in project_gids]
        if section is not None:
            memberships[0]["section"] = str(
                world.ref(f"section:{project_gids[0]}", section, entry, "section")
            )
        data["memberships"] = memberships
    elif parent is None:
        ws = ws or next(iter(world.names.get("workspace", {}).values()), None)
        data["workspace"] = str(ws) if ws else None
    if "assignee" in entry:
        data["assignee"] = (
            str(world.ref("user", entry["assignee"], entry, "assignee")) if entry["assignee"] else None
        )
    if "followers" in entry:
        data["followers"] = [str(world.ref("user", f, entry, "followers")) for f in entry["followers"]]
    if "custom_fields" in entry:
        data["custom_fields"] = _values(world, entry)
    owner_ws = parent.workspace_gid if parent else ws
    if owner_ws is None and project_gids:
        owner_ws = next(
            (w for (k, g), w in world.workspace_of.items() if k == "project" and g == project_gids[0]), None
        )
    ctx = world.caller(world.actor(entry, owner_ws))
    body = _validated(TaskFields, data, entry)
    gid = _create(world, entry, lambda: tasks.create_task(ctx, body, parent=parent))
    world.done(ctx)
    if "name" in entry:
        world.name("task", str(entry["name"]), gid)
    subtasks = entry.get("subtasks") or []
    if subtasks:
        me = access.task(ctx, str(gid))
        for sub in subtasks:
            if not isinstance(sub, _Map):
                raise FixtureError(
                    f"line {entry.lines.get('subtasks', entry.line)}: subtasks: a list of objects"
                )
            _task(world, sub, me)


def _values(world: World, entry: _Map) -> dict[str, Any]:
    values = entry["custom_fields"]
    if not isinstance(values, dict):
        raise FixtureError(f"line {entry.lines.get('custom_fields', entry.line)}: custom_fields: an object")
    out: dict[str, Any] = {}
    for key, value in values.items():
        field_gid = world.ref("custom_field", key, entry, "custom_fields")
        options = world.names.get(f"enum_option:{field_gid}", {})
        if isinstance(value, list):
            value = [str(options.get(str(v), v)) for v in value]
        elif isinstance(value, str) and value in options:
            value = str(options[value])
        out[str(field_gid)] = value
    return out


def _tasks(world: World, entry: _Map) -> None:
    _task(world, entry, None)


_FAVORITE_KINDS = {"project": "project", "task": "task", "tag": "tag", "portfolio": "portfolio"}
_FAVORITE_KINDS |= {"project_template": "project_template", "person": "user"}


def _favorites(world: World, entry: _Map) -> None:
    """One favorite of `user`, appended to its list (vinyasa.users.favorites.change)."""
    _only(entry, {"user", "workspace", *_FAVORITE_KINDS})
    named = [k for k in _FAVORITE_KINDS if k in entry]
    if "user" not in entry or len(named) != 1:
        raise FixtureError(f"line {entry.line}: favorites: a `user` and one of {', '.join(_FAVORITE_KINDS)}")
    key = named[0]
    user = world.ref("user", entry["user"], entry, "user")
    target = world.ref(_FAVORITE_KINDS[key], entry[key], entry, key)
    space = world.ref("workspace", entry["workspace"], entry, "workspace") if "workspace" in entry else None
    favorites.change(world.collector.conn, user, str(target), workspace=None if space is None else str(space))


for _key, _loader in (
    ("users", _users),
    ("workspaces", _workspaces),
    ("teams", _teams),
    ("custom_fields", _custom_fields),
    ("projects", _projects),
    ("tasks", _tasks),
    ("favorites", _favorites),
):
    register(_key, _loader)


def parse(text: str) -> _Map:
    """The fixture document; FixtureError naming the line for anything that is not one."""
    if len(text.encode()) > MAX_BYTES:
        raise FixtureError(f"line 1: the file is larger than {MAX_BYTES} bytes")
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise FixtureError(f"line {line}: not valid YAML or JSON: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise FixtureError(f"line 1: not valid YAML or JSON: {str(exc)[:200]}") from None
    if doc is None:
        return _Map()
    if not isinstance(doc, _Map):
        raise FixtureError("line 1: a fixture file is an object of lists (users, workspaces, ...)")
    for key in doc:
        if key not in _LOADERS:
            raise FixtureError(
                f"line {doc.lines.get(key, 1)}: {key}: not a fixture section (known: {', '.join(_LOADERS)})"
            )
    return doc


def load(world: World, doc: _Map) -> dict[str, dict[str, str]]:
    """Create everything `doc` describes through the services, in dependency order."""
    for key, loader in _LOADERS.items():
        for entry in _list_of_maps(doc, key):
            try:
                loader(world, entry)
            except FixtureError:
                raise
            except AsanaError as exc:
                raise FixtureError(f"line {entry.line}: {key}: {exc.message}") from None
    return {
        kind: {name: str(gid) for name, gid in names.items()}
        for kind, names in world.names.items()
        if ":" not in kind
    }


def load_text(transactions: RequestTransactions, text: str, base_url: str) -> dict[str, dict[str, str]]:
    """Parse and load a fixture file in one transaction (all or nothing); the gids of every named
    object, by kind and name: `{"users": {"Alice": "..."}, "projects": {...}}`."""
    doc = parse(text)
    from sqlalchemy.exc import IntegrityError

    try:
        with unit_of_work(transactions, 0, base_url) as collector:
            made = load(World(collector, base_url), doc)
            journal.flush(collector)
    except IntegrityError as exc:
        raise FixtureError(
            f"a gid, email or token in the file is already in use ({_first_line(exc)})"
        ) from None
    return made


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
