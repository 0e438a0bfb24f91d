"""Tags: visible to every member of their workspace (vinyasa.access)."""

from __future__ import annotations

from vinyasa.access.core import Lock, locking, unknown, workspace_roles
from vinyasa.core import Caller
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid


def tag(ctx: Caller, value: str, field: str | None = None, *, lock: Lock = False) -> tuple[int, int]:
    """A tag in a workspace the caller belongs to, as (gid, workspace gid): a tag is visible to
    every member of its workspace (Asana has no private tags); 404 in a path, 400 in a body.
    `lock` its row (vinyasa.access.core.locking)."""
    gid = as_gid(value)
    workspace = None
    if gid is not None:
        query = f"SELECT workspace_gid FROM tags WHERE gid = ?{locking(ctx, lock)}"
        workspace = sql.fetch_value(ctx.conn, query, [gid])
    if gid is None or workspace is None or int(workspace) not in workspace_roles(ctx):
        raise unknown(field, value, "tag")
    return gid, int(workspace)
