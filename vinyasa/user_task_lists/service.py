"""Finding (and creating on first use) the caller's user task list; only its owner can see it."""

from __future__ import annotations

from sqlalchemy import select

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.db import insert_skipping
from vinyasa.errors import InvalidRequest
from vinyasa.models import UserTaskList, Workspace
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.user_task_lists import queries
from vinyasa.users.service import resolve_user


def for_user(ctx: Caller, user: str, workspace: str | None) -> int:
    """The gid of `user`'s list in `workspace` (created on first use). Asana shows a My Tasks only to
    its owner: another user (or an unknown one) is a 404; `workspace` missing or unknown is a 400."""
    if workspace is None:
        raise InvalidRequest("workspace: Missing input")
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    if resolve_user(ctx, user) != ctx.user_gid:
        raise access.unknown(None, user, "user")
    found = _find(ctx, workspace_gid)
    if found is not None:
        return found
    ctx.need_write()
    name = ctx.conn.execute(select(Workspace.name).where(Workspace.gid == workspace_gid)).scalar_one()
    row = {
        "gid": new_gid(ctx.conn),
        "user_gid": ctx.user_gid,
        "workspace_gid": workspace_gid,
        "name": f"My tasks in {name}",
    }
    insert_skipping(ctx.conn, UserTaskList, [row])  # a concurrent first use may have made it
    made = _find(ctx, workspace_gid)
    assert made is not None
    return made


def _find(ctx: Caller, workspace_gid: int) -> int | None:
    found = sql.fetch_value(ctx.conn, queries.FIND, [ctx.user_gid, workspace_gid])
    return None if found is None else int(found)


def owned(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int]:
    """(gid, workspace gid) of a list the caller owns, in one of the caller's workspaces; else 404
    (400 naming `field` for a query parameter: vinyasa.access.unknown)."""
    gid = as_gid(value)
    workspace_gid = None if gid is None else sql.fetch_value(ctx.conn, queries.OWNED, [gid, ctx.user_gid])
    if gid is None or workspace_gid is None or workspace_gid not in access.workspace_roles(ctx):
        raise access.unknown(field, value, "user_task_list")
    return gid, int(workspace_gid)
