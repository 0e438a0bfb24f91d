"""Webhooks: only their creator sees them (vinyasa.access)."""

from __future__ import annotations

from vinyasa.access.core import locking, unknown, workspace_roles
from vinyasa.core import Caller
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid


def webhook(ctx: Caller, value: str, *, lock: bool = False) -> int:
    """A webhook the caller created, in a workspace they still belong to (404 otherwise): Asana
    shows a webhook only to the app or token that made it, so nobody else learns it exists. `lock`
    its row (vinyasa.access.core.locking)."""
    gid = as_gid(value)
    workspace = None
    if gid is not None:
        workspace = sql.fetch_value(
            ctx.conn,
            f"SELECT workspace_gid FROM webhooks WHERE gid = ? AND creator_gid = ?{locking(ctx, lock)}",
            [gid, ctx.user_gid],
        )
    if workspace is None or workspace not in workspace_roles(ctx):
        raise unknown(None, value, "webhook")
    return int(gid or 0)
