"""Creating, finding, changing and deleting webhooks (services flush, never commit).

Rules (Asana, digest §C.11):
- `resource` is a project, task, portfolio, team or workspace the caller can see (else 400,
  "Unknown object");
  `target` is checked by the target policy (vinyasa.webhooks.target) and by the handshake, which the
  route runs before the transaction that stores the webhook (a failed handshake stores nothing).
- `filters`: an event is delivered when it passes any filter. `action` is one of changed, added,
  removed, deleted, undeleted; `fields` only with `action: changed`. Webhooks on workspaces and teams
  (and portfolios) must have filters, may not use `fields`, and never receive task, subtask or story
  events. Any other shape is a 400 naming the filter.
- A webhook is seen and changed only by the user who created it (Asana ties webhooks to the app or
  token that made them); anyone else gets a 404.
- A new webhook delivers the changes committed after it was created.
- Deleting the watched resource ends its webhooks (Asana removes them): in the deleting transaction
  they are marked (`ends_at`, the journal id of the deletion) and from then on answer 404 and are
  listed nowhere; the delivery worker still sends what was committed through the deletion (the
  `deleted` event too, when it passes the filters), then deletes them. A resource deleted with
  another (a task's subtasks go with it, with no `deleted` entry of their own) ends its webhooks
  in the same way, through the deletion that took it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.db import delete_row, insert_row, read_row, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Webhook
from vinyasa.protocol.gids import as_gid, body_gid, new_gid
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.values import now_ms
from vinyasa.webhooks import queries
from vinyasa.webhooks.schemas import (
    ACTIONS,
    HIGHER_LEVEL,
    WATCHABLE,
    FilterFields,
    WebhookFields,
    WebhookUpdateFields,
)


@dataclass(frozen=True)
class Plan:
    """A checked create request: what to watch, where to send, which filters (stored JSON)."""

    resource_type: str
    resource_gid: int
    workspace_gid: int
    target: str
    filters: str | None


def watched(ctx: Caller, value: str) -> tuple[str, int, int]:
    """The resource named by `resource`, visible to the caller: (type, gid, workspace gid). A
    project, task or portfolio is locked (PostgreSQL) until the webhook is stored: deleted meanwhile,
    it ends the webhook (`_end_with_resource`) or is unknown here, never leaves a live webhook on
    nothing."""
    gid = as_gid(value)
    kind = queries.resource_kind(ctx.conn, gid) if gid is not None else None
    if kind == "project":
        project = access.project(ctx, value, "resource", lock="share")
        return kind, project.gid, project.workspace_gid
    if kind == "task":
        task = access.task(ctx, value, "resource", lock=True)
        return kind, task.gid, task.workspace_gid
    if kind == "portfolio":
        portfolio = access.portfolio(ctx, value, "resource", lock=True)
        return kind, portfolio.gid, portfolio.workspace_gid
    if kind == "team":
        team, workspace = access.team(ctx, value, "resource")
        return kind, team, workspace
    if kind == "workspace":
        workspace = access.workspace(ctx, value, "resource")
        return kind, workspace, workspace
    raise access.unknown("resource", value, "object")


def stored_filters(kind: str, filters: list[FilterFields] | None) -> str | None:
    """The filters as stored (JSON, only the members given), after Asana's rules (module doc)."""
    if not filters:
        if kind in HIGHER_LEVEL:
            raise InvalidRequest(f"filters: Webhooks on a {kind} must specify filters")
        return None
    out: list[dict[str, Any]] = []
    for index, item in enumerate(filters):
        where = f"filters[{index}]"
        if item.action is not None and item.action not in ACTIONS:
            raise InvalidRequest(f"{where}.action: Must be one of {', '.join(ACTIONS)}")
        if item.fields is not None:
            if item.action != "changed":
                raise InvalidRequest(f"{where}.fields: Only valid for filters with action changed")
            if kind in HIGHER_LEVEL:
                raise InvalidRequest(f"{where}.fields: Webhooks on a {kind} do not support fields")
        out.append(item.model_dump(exclude_none=True))
    return orjson.dumps(out).decode()


def plan(ctx: Caller, fields: WebhookFields) -> Plan:
    """Check a create request (everything but the target's reachability)."""
    if fields.resource is None:
        raise InvalidRequest("resource: Missing input")
    if fields.target is None:
        raise InvalidRequest("target: Missing input")
    kind, gid, workspace = watched(ctx, fields.resource)
    return Plan(kind, gid, workspace, fields.target, stored_filters(kind, fields.filters))


def create(ctx: Caller, checked: Plan, secret: str) -> int:
    """Store a webhook whose handshake succeeded with `secret`; it delivers changes from now on."""
    gid, now = new_gid(ctx.conn), now_ms()
    insert_row(
        ctx.conn,
        Webhook,
        {
            "gid": gid,
            "workspace_gid": checked.workspace_gid,
            "creator_gid": ctx.user_gid,
            "resource_type": checked.resource_type,
            "resource_gid": checked.resource_gid,
            "target": checked.target,
            "secret": secret,
            "filters": checked.filters,
            "active": True,
            "created_at": now,
            "cursor": journal.last_id(ctx.conn),
            "delivery_retry_count": 0,
            "last_failure_content": "",
            "last_sent_at": now,
        },
    )
    _record(ctx, gid, "added")
    return gid


def _record(ctx: Caller, gid: int, action: str) -> None:
    """Journal for webhooks: on their own stream only (no resource's events show them)."""
    journal.record(ctx, ("webhook", gid), action, topics=())


def find(ctx: Caller, value: str, *, lock: bool = False) -> int:
    """A webhook the caller created, by gid string, that has not ended with its resource (404
    otherwise); `lock` its row (a change or a delete: vinyasa.access.core.locking)."""
    gid = access.webhook(ctx, value, lock=lock)
    if queries.ended(ctx.conn, gid):
        raise access.unknown(None, value, "webhook")
    return gid


@journal.on_flush
def _end_with_resource(ctx: Caller, changes: list[journal.Change]) -> journal.Then | None:
    """Webhooks on a resource deleted in this transaction end with it, once the deletion's entry
    is delivered (module docstring): locked now, before the journal's lock, ended with its ids."""
    gone = sorted({c.resource[1] for c in changes if c.action == "deleted" and c.resource[0] in WATCHABLE})
    ending = queries.ending(ctx.conn, gone, access.locking(ctx)) if gone else []
    if not ending:
        return None
    return lambda through: queries.end(ctx.conn, ending, through)


def update(ctx: Caller, value: str, fields: WebhookUpdateFields) -> int:
    """Apply a WebhookUpdateRequest (Asana: `filters` is optional). A body naming `filters`
    replaces them wholesale (null or `[]` clears them, which a workspace, team or portfolio
    webhook may not do: 400); one that does not name them changes nothing (other keys are
    ignored) and answers the webhook as it is. 404 for a webhook the caller did not create."""
    if "filters" not in fields.model_fields_set:
        return find(ctx, value)
    gid = find(ctx, value, lock=True)
    row = read_row(ctx.conn, Webhook, gid)
    assert row is not None  # found above, in this transaction
    stored = stored_filters(row["resource_type"], fields.filters)
    update_row(ctx.conn, Webhook, gid, {"filters": stored})
    journal.changed(ctx, ("webhook", gid), ["filters"], topics=())
    return gid


def delete_webhook(ctx: Caller, value: str) -> None:
    """Delete a webhook and its delivery log; nothing more is sent to its target."""
    gid = find(ctx, value, lock=True)
    _record(ctx, gid, "deleted")
    delete_row(ctx.conn, Webhook, gid)


def listing(ctx: Caller, workspace: str, resource: str | None) -> Listing:
    """The caller's webhooks in a workspace they belong to (400 otherwise), optionally on one
    resource (a gid; one that names nothing lists nothing)."""
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    where = "creator_gid = ? AND workspace_gid = ? AND ends_at IS NULL"
    params: list[object] = [ctx.user_gid, workspace_gid]
    if resource is not None:
        where += " AND resource_gid = ?"
        params.append(body_gid("resource", resource))
    return Listing("webhooks", where, params)
