"""Event streams over the change journal: sync tokens, bubbling, visibility and rendering.

Follows Asana's events API (digest §C.10, spec `getEvents` / `getWorkspaceEvents`):
- a stream is every journal entry whose topics include the subscribed gid (a project's stream holds
  its own changes, its sections', its tasks' and their subtasks'; a task's holds its own and its
  subtasks'; a workspace's holds everything in it);
- a sync token is `<signature>:<position>`, signed with the server's secret and bound to the
  stream; no token, a foreign or forged one, or one older than the journal's retention -> 412 with a
  fresh token at the current position;
- each call returns at most `limit` events after the token (100 for resources, 1,000 for
  workspaces) with `has_more`, and a token that continues right after what was returned;
  re-sending a token returns the same events.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.errors import AsanaError
from vinyasa.events import queries
from vinyasa.protocol.fields import FieldTree
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.resources import REGISTRY, render_targets
from vinyasa.protocol.values import iso_ms

SYNC_MESSAGE = (
    "Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch "
    "the full dataset for this query now and use the new sync token for the next sync."
)
DEFAULT_FIELDS = ("user", "resource", "type", "action", "parent", "created_at", "change")
_TABLES = {"task": "tasks", "project": "projects", "section": "sections", "user": "users"}


class SyncExpired(AsanaError):
    """412: the request has no sync token, or one that is invalid or too old; carries a fresh one."""

    status = 412

    def __init__(self, sync: str) -> None:
        super().__init__(SYNC_MESSAGE, extra={"sync": sync})


@dataclass(frozen=True)
class Page:
    """One call's answer: rendered events, the next token and whether more are waiting."""

    events: list[dict[str, Any]]
    sync: str
    has_more: bool


def _token(secret: bytes, topic: int, position: int) -> str:
    mac = hmac.new(secret, f"{topic}:{position}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{mac}:{position}"


def _position(secret: bytes, topic: int, token: str) -> int | None:
    """The position inside a token for this stream, or None when it is not one of ours for it."""
    mac, _, raw = token.partition(":")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    position = int(raw)
    return position if hmac.compare_digest(_token(secret, topic, position), token) else None


def subscription(caller: Caller, value: str) -> tuple[str, int]:
    """The project or task named by `resource` (visible to the caller), as (kind, gid); anything else
    answers like an unknown object (400 naming `resource`)."""
    gid = as_gid(value)
    kind = queries.resource_kind(caller.conn, gid) if gid is not None else None
    if kind == "project":
        return kind, access.project(caller, value, "resource").gid
    if kind == "task":
        return kind, access.task(caller, value, "resource").gid
    raise access.unknown("resource", value, "object")


def read(caller: Caller, secret: bytes, topic: int, sync: str | None, limit: int) -> tuple[list[Any], Page]:
    """The entries after `sync` on stream `topic` (412 `SyncExpired` for a missing or stale token)."""
    conn = caller.conn
    upto = journal.last_id(conn)
    after = _position(secret, topic, sync) if sync else None
    if after is None or after > upto or after < journal.pruned_through(conn):
        raise SyncExpired(_token(secret, topic, upto))
    rows = queries.stream(conn, topic, after, upto, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    position = rows[-1]["id"] if has_more else upto
    return rows, Page([], _token(secret, topic, position), has_more)


def visible(caller: Caller, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop events about tasks the caller cannot see (a deleted task's events stay: it has none)."""
    tasks = {r["resource_gid"] for r in rows if r["resource_type"] == "task"}
    if not tasks:
        return rows
    still = queries.existing(caller.conn, "tasks", sorted(tasks))
    hidden = access.hidden_tasks(caller.conn, caller, sorted(still)) if still else set()
    return [r for r in rows if not (r["resource_type"] == "task" and r["resource_gid"] in hidden)]


def render(caller: Caller, rows: list[dict[str, Any]], tree: FieldTree | None) -> list[dict[str, Any]]:
    """Events as Asana renders them; `tree` (opt_fields) picks fields and sub-fields of references."""
    wanted: dict[str, FieldTree | None] = (
        dict.fromkeys(DEFAULT_FIELDS) if tree is None else {k: v or None for k, v in tree.items()}
    )
    change_sub = wanted.get("change") or {}
    slots = {
        "user": [("user", r["user_gid"]) for r in rows if r["user_gid"] is not None],
        "resource": [(r["resource_type"], r["resource_gid"]) for r in rows],
        "parent": [(r["parent_type"], r["parent_gid"]) for r in rows if r["parent_gid"] is not None],
        "value": [(r["value_type"], r["value_gid"]) for r in rows if r["value_gid"] is not None],
    }
    # Objects of one type wanted with the same sub-fields are rendered once, whichever slots name
    # them (the user of one event is often the new value of another).
    groups: dict[tuple[str, str], tuple[FieldTree | None, list[int], dict[str, None]]] = {}
    for slot, targets in slots.items():
        if slot == "value":
            if "change" not in wanted:
                continue
            sub = next((change_sub.get(k) for k in ("new_value", "added_value", "removed_value")), None)
        elif slot not in wanted:
            continue
        else:
            sub = wanted[slot]
        for kind, gid in targets:
            _sub, gids, slot_names = groups.setdefault((kind, repr(sub)), (sub, [], {}))
            gids.append(gid)
            slot_names[slot] = None
    rendered: dict[tuple[str, str, int], dict[str, Any]] = {}
    for (kind, _key), (sub, gids, slot_names) in groups.items():
        done = _references(caller, kind, gids, sub)
        for slot in slot_names:
            rendered.update({(slot, kind, gid): item for gid, item in done.items()})
    getters = [(name, _GETTERS[name]) for name in wanted if name in _GETTERS]
    stamps: dict[int, str] = {}  # events of one burst share their second: format it once
    out = []
    for row in rows:
        event = {name: get(row, rendered) for name, get in getters}
        if "created_at" in wanted:
            ms = row["created_at"]
            second = stamps.get(ms // 1000)
            if second is None:
                second = stamps[ms // 1000] = str(iso_ms(ms - ms % 1000))[:-5]
            event["created_at"] = f"{second}.{ms % 1000:03d}Z"
        if "change" in wanted and row["action"] == "changed":
            event["change"] = _change(row, rendered)
        out.append(event)
    return out


def _references(
    caller: Caller, kind: str, gids: list[int], sub: FieldTree | None
) -> dict[int, dict[str, Any]]:
    """Compact records of the referenced objects by gid; deleted ones, and those the caller cannot see
    (a private task added as a dependency, the private project a visible task was added to, its
    section: `access.HIDDEN`), as `{gid, resource_type}`."""
    unique = sorted(set(gids))
    resource = REGISTRY.get(kind)
    table = _TABLES.get(kind, resource.table_name if resource else None)
    alive = queries.existing(caller.conn, table, unique) if table else set()
    out = {g: {"gid": str(g), "resource_type": kind} for g in unique}
    hidden = access.HIDDEN.get(kind)
    if alive and hidden is not None and resource is not None and resource.hidden is None:
        alive -= hidden(caller.conn, caller, sorted(alive))  # (render_targets hides the others)
    if resource is not None and alive:
        out.update(render_targets(caller.conn, caller, kind, sorted(alive), sub))
    return out


Rendered = dict[tuple[str, str, int], dict[str, Any]]


def _ref(done: Rendered, slot: str, kind: str | None, gid: int | None) -> dict[str, Any] | None:
    return done.get((slot, kind, gid)) if kind is not None and gid is not None else None


# How each plain event field is read from a journal row and the rendered references.
_GETTERS: dict[str, Any] = {
    "user": lambda row, done: _ref(done, "user", "user", row["user_gid"]),
    "resource": lambda row, done: _ref(done, "resource", row["resource_type"], row["resource_gid"]),
    "type": lambda row, _done: row["resource_type"],
    "action": lambda row, _done: row["action"],
    "parent": lambda row, done: _ref(done, "parent", row["parent_type"], row["parent_gid"]),
}
_VALUE_KEYS = {"added": "added_value", "removed": "removed_value"}


def _change(row: dict[str, Any], done: Rendered) -> dict[str, Any]:
    """`change` of a `changed` event: the field and the change's action, and the value only when it
    is a resource (digest §C.10)."""
    change: dict[str, Any] = {"field": row["field"], "action": row["change_action"]}
    if row["value_type"] is not None:
        key = _VALUE_KEYS.get(row["change_action"], "new_value")
        change[key] = _ref(done, "value", row["value_type"], row["value_gid"])
    return change
