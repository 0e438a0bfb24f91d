"""What a webhook is sent: its stream's journal entries after its cursor, through its filters, those
its creator can see, rendered as Asana's webhooks render events (compact `gid`/`resource_type`).

Asana's event shape on webhooks (developers.asana.com/docs/webhooks-guide):

    {"user": {"gid", "resource_type"} | null, "created_at": "...Z", "action": "changed",
     "resource": {"gid", "resource_type", "resource_subtype"?}, "parent": {...} | null,
     "change": {"field", "action", "new_value" | "added_value" | "removed_value"?}}

Bubbling is the journal's: a webhook on a project reads the project's stream, which holds its
sections', tasks' and subtasks' changes; a workspace's stream holds everything in it. Webhooks on
workspaces, teams and portfolios never receive task, subtask or story events (Asana).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, select

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.models import Portfolio, Project
from vinyasa.protocol.values import iso_ms
from vinyasa.webhooks import queries
from vinyasa.webhooks.schemas import HIGHER_LEVEL

BATCH = 100  # events in one POST at most (the journal entries read per round and webhook)
NEVER_HIGHER = frozenset({"task", "story"})  # not delivered to workspace/team/portfolio webhooks
NEVER = frozenset({"webhook"})  # vinyasa's own bookkeeping entries
_VALUE_KEY = {"added": "added_value", "removed": "removed_value"}
_PROJECT_CHILDREN = {
    "section": "sections",
    "status_update": "statuses",
    "project_brief": "project_briefs",
    "project_membership": "project_members",
}


@dataclass
class Hook:
    """A claimed webhook: what the worker needs to deliver to it."""

    gid: int
    workspace_gid: int
    creator_gid: int
    resource_type: str
    resource_gid: int
    target: str
    secret: str
    filters: list[dict[str, Any]] | None
    cursor: int
    delivery_retry_count: int
    failure_deletion_timestamp: int | None
    last_sent_at: int
    ends_at: int | None = None  # the journal id of the watched resource's deletion (the last to send)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Hook:
        raw = row.pop("filters")
        return cls(**row, filters=orjson.loads(raw) if raw else None)


@dataclass
class Batch:
    """One round's work for a webhook: the events to send (possibly none) and the journal id the
    cursor moves to once they are delivered (None: nothing new was read)."""

    hook: Hook
    events: list[dict[str, Any]] = field(default_factory=list)
    through: int | None = None
    first: int | None = None


def passes(filters: list[dict[str, Any]] | None, row: dict[str, Any], subtype: str | None) -> bool:
    """Whether an entry passes any of the filters (no filters: everything passes)."""
    if not filters:
        return True
    for f in filters:
        if "resource_type" in f and f["resource_type"] != row["resource_type"]:
            continue
        if "resource_subtype" in f and f["resource_subtype"] != subtype:
            continue
        if "action" in f and f["action"] != row["action"]:
            continue
        if "fields" in f and row["field"] not in f["fields"]:
            continue
        return True
    return False


class Viewers:
    """Per round: what each creator cannot see, decided by the access rule, cached per creator."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._callers: dict[int, Caller] = {}
        self._hidden: dict[tuple[int, str, int], bool] = {}

    def caller(self, user_gid: int) -> Caller:
        found = self._callers.get(user_gid)
        if found is None:
            found = self._callers[user_gid] = Caller(conn=self.conn, user_gid=user_gid, base_url="")
        return found

    def hidden(self, user_gid: int, rows: list[dict[str, Any]]) -> set[tuple[str, int]]:
        """The (type, gid) resources of these entries the user cannot see."""
        wanted: dict[str, set[int]] = {}
        for row in rows:
            key = (user_gid, row["resource_type"], row["resource_gid"])
            if key not in self._hidden:
                wanted.setdefault(row["resource_type"], set()).add(row["resource_gid"])
        for kind, gids in wanted.items():
            unseen = self._decide(self.caller(user_gid), kind, sorted(gids))
            self._hidden.update(((user_gid, kind, g), g in unseen) for g in gids)
        return {
            (r["resource_type"], r["resource_gid"])
            for r in rows
            if self._hidden[(user_gid, r["resource_type"], r["resource_gid"])]
        }

    def _decide(self, caller: Caller, kind: str, gids: list[int]) -> set[int]:
        conn = self.conn
        if kind == "task":
            alive = set(queries.subtypes(conn, "tasks", gids))
            return access.hidden_tasks(conn, caller, sorted(alive)) if alive else set()
        if kind == "team":
            return access.hidden_teams(conn, caller, gids)
        if kind == "project":
            return self._hidden_projects(caller, gids)
        if kind == "portfolio":
            return self._hidden_rows(Portfolio.gid, access.portfolio_visible(caller), gids)
        if kind in _PROJECT_CHILDREN:
            parents = queries.project_of(conn, _PROJECT_CHILDREN[kind], gids)
            unseen = self._hidden_projects(caller, sorted(set(parents.values())))
            return {g for g, p in parents.items() if p in unseen}
        return set()

    def _hidden_projects(self, caller: Caller, gids: list[int]) -> set[int]:
        return self._hidden_rows(Project.gid, access.project_visible(caller), gids)

    def _hidden_rows(self, key: Any, visible: ColumnElement[bool], gids: list[int]) -> set[int]:
        """Of these gids, the existing rows (of `key`'s table) that the `visible` condition excludes
        (a deleted resource's last events are not hidden: nobody can see it any more)."""
        if not gids:
            return set()
        existing = select(key).where(key.in_(gids))
        alive = {int(r[0]) for r in self.conn.execute(existing)}
        seen = {int(r[0]) for r in self.conn.execute(existing.where(visible))}
        return alive - seen


def _ref(kind: str | None, gid: int | None) -> dict[str, str] | None:
    return None if kind is None or gid is None else {"gid": str(gid), "resource_type": kind}


def render(row: dict[str, Any], subtype: str | None) -> dict[str, Any]:
    """One journal entry as a webhook event (module docstring)."""
    resource: dict[str, str] = {"gid": str(row["resource_gid"]), "resource_type": row["resource_type"]}
    if subtype is not None:
        resource["resource_subtype"] = subtype
    event: dict[str, Any] = {
        "user": _ref("user", row["user_gid"]),
        "created_at": iso_ms(row["created_at"]),
        "action": row["action"],
        "resource": resource,
        "parent": _ref(row["parent_type"], row["parent_gid"]),
    }
    if row["action"] == "changed":
        change: dict[str, Any] = {"field": row["field"], "action": row["change_action"]}
        if row["value_type"] is not None:
            change[_VALUE_KEY.get(row["change_action"], "new_value")] = _ref(
                row["value_type"], row["value_gid"]
            )
        event["change"] = change
    return event


def collect(conn: Connection, hooks: list[Hook], viewers: Viewers, limit: int = BATCH) -> list[Batch]:
    """Each hook's next batch: the stream is read once per (resource, cursor) (webhooks on one
    resource that are caught up share one read), then filtered, checked and rendered per hook. An
    ending webhook (its resource deleted) reads no further than the deletion."""
    streams: dict[tuple[int, int, int | None], list[dict[str, Any]]] = {}
    for hook in hooks:
        key = (hook.resource_gid, hook.cursor, hook.ends_at)
        if key not in streams:
            streams[key] = queries.stream(conn, hook.resource_gid, hook.cursor, limit, hook.ends_at)
    tasks = {r["resource_gid"] for rows in streams.values() for r in rows if r["resource_type"] == "task"}
    subtypes = queries.subtypes(conn, "tasks", sorted(tasks))
    out: list[Batch] = []
    same: dict[tuple[Any, ...], Batch] = {}  # alike webhooks share one rendering
    for hook in hooks:
        read = (hook.resource_gid, hook.cursor, hook.ends_at)
        alike = (*read, repr(hook.filters), hook.creator_gid, hook.resource_type)
        found = same.get(alike)
        if found is None:
            found = same[alike] = _batch(hook, streams[read], viewers, subtypes)
        out.append(Batch(hook, found.events, found.through, found.first))
    return out


def _batch(hook: Hook, rows: list[dict[str, Any]], viewers: Viewers, subtypes: dict[int, str]) -> Batch:
    batch = Batch(hook)
    if not rows:
        return batch
    batch.through, batch.first = rows[-1]["id"], rows[0]["id"]
    higher = hook.resource_type in HIGHER_LEVEL
    keep: Callable[[dict[str, Any]], bool] = lambda r: (  # noqa: E731 - one condition, named for reading
        r["resource_type"] not in NEVER
        and not (higher and r["resource_type"] in NEVER_HIGHER)
        and passes(hook.filters, r, subtypes.get(r["resource_gid"]) if r["resource_type"] == "task" else None)
    )
    rows = [r for r in rows if keep(r)]
    unseen = viewers.hidden(hook.creator_gid, rows) if rows else set()
    for row in rows:
        if (row["resource_type"], row["resource_gid"]) not in unseen:
            subtype = subtypes.get(row["resource_gid"]) if row["resource_type"] == "task" else None
            batch.events.append(render(row, subtype))
    return batch
