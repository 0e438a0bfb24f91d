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

from sqlalchemy import select

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.errors import AsanaError
from vinyasa.events import queries
from vinyasa.models import Task
from vinyasa.protocol.fields import FieldTree
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.resources import REGISTRY, project
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
    seen = {
        int(g)
        for g in caller.conn.execute(
            select(Task.gid).where(Task.gid.in_(sorted(still)), access.task_visible(caller))
        ).scalars()
    }
    hidden = still - seen
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
    rendered: dict[tuple[str, str, int], dict[str, Any]] = {}
    for slot, targets in slots.items():
        if slot == "value":
            if "change" not in wanted:
                continue
            sub = next((change_sub.get(k) for k in ("new_value", "added_value", "removed_value")), None)
        elif slot not in wanted:
            continue
        else:
            sub = wanted[slot]
        by_type: dict[str, list[int]] = {}
        for kind, gid in targets:
            by_type.setdefault(kind, []).append(gid)
        for kind, gids in by_type.items():
            rendered.update(_references(caller, slot, kind, gids, sub))
    return [_event(r, wanted, rendered) for r in rows]


def _references(
    caller: Caller, slot: str, kind: str, gids: list[int], sub: FieldTree | None
) -> dict[tuple[str, str, int], dict[str, Any]]:
    """Compact records of the referenced objects; deleted ones as `{gid, resource_type}`."""
    unique = sorted(set(gids))
    resource = REGISTRY.get(kind)
    table = _TABLES.get(kind, resource.table_name if resource else None)
    alive = queries.existing(caller.conn, table, unique) if table else set()
    out = {(slot, kind, g): {"gid": str(g), "resource_type": kind} for g in unique}
    if resource is not None and alive:
        for item in project(caller.conn, caller, resource, sorted(alive), sub, full=False):
            out[(slot, kind, int(item["gid"]))] = item
    return out


def _event(
    row: dict[str, Any], wanted: dict[str, FieldTree | None], done: dict[tuple[str, str, int], dict[str, Any]]
) -> dict[str, Any]:
    def ref(slot: str, kind: str | None, gid: int | None) -> dict[str, Any] | None:
        return done.get((slot, kind, gid)) if kind is not None and gid is not None else None

    event: dict[str, Any] = {}
    for name in wanted:
        if name == "user":
            event["user"] = ref("user", "user", row["user_gid"])
        elif name == "resource":
            event["resource"] = ref("resource", row["resource_type"], row["resource_gid"])
        elif name == "type":
            event["type"] = row["resource_type"]
        elif name == "action":
            event["action"] = row["action"]
        elif name == "parent":
            event["parent"] = ref("parent", row["parent_type"], row["parent_gid"])
        elif name == "created_at":
            event["created_at"] = iso_ms(row["created_at"])
        elif name == "change" and row["action"] == "changed":
            change: dict[str, Any] = {"field": row["field"], "action": row["change_action"]}
            value = ref("value", row["value_type"], row["value_gid"])
            if row["value_type"] is not None:  # only resource values are carried (digest §C.10)
                key = {"added": "added_value", "removed": "removed_value"}.get(
                    row["change_action"], "new_value"
                )
                change[key] = value
            event["change"] = change
    return event
