"""Prepared SQL of the users family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from vinyasa.custom_fields.queries import Containers
from vinyasa.protocol import sql

# User lists: conditions on `users` (by that name, unqualified), and the alphabetical order.
IN_TEAM = "gid IN (SELECT user_gid FROM team_members WHERE team_gid = ?)"
BY_NAME = ("name", "gid")


def in_workspaces(workspace_gids: Sequence[int]) -> tuple[str, list[Any]]:
    """The condition "a member of one of these workspaces" (of none: nobody) and its parameters."""
    marks = sql.marks(len(workspace_gids)) or "NULL"
    members = f"gid IN (SELECT user_gid FROM workspace_members WHERE workspace_gid IN ({marks}))"
    return members, list(workspace_gids)


def user_by_email(conn: Connection, email: str) -> int | None:
    """The gid of the user with this (lower-case) email, if there is one."""
    found = sql.fetch_value(conn, "SELECT gid FROM users WHERE email = ?", [email])
    return None if found is None else int(found)


def user_by_gid(conn: Connection, gid: int) -> int | None:
    """`gid` when a user has it, else None."""
    found = sql.fetch_value(conn, "SELECT gid FROM users WHERE gid = ?", [gid])
    return None if found is None else int(found)


def user_count(conn: Connection) -> int:
    """How many users exist."""
    return int(sql.fetch_value(conn, "SELECT count(*) FROM users"))


def shared_workspaces(conn: Connection, viewer_gid: int, user_gids: list[int]) -> list[tuple[Any, ...]]:
    """(user, workspace) for each workspace of these users that the viewer is also in."""
    return sql.fetch(
        conn,
        "SELECT m.user_gid, m.workspace_gid FROM workspace_members m"
        " JOIN workspace_members mine ON mine.workspace_gid = m.workspace_gid AND mine.user_gid = ?"
        f" WHERE m.user_gid IN ({sql.marks(len(user_gids))}) ORDER BY m.workspace_gid",
        [viewer_gid, *user_gids],
    )


# ---- favorites (vinyasa.users.favorites) ---------------------------------------------------------

# Each favorite type's table; a gid is unique across all of them.
_FAVORITE_TABLES = (
    ("project", "projects"),
    ("task", "tasks"),
    ("portfolio", "portfolios"),
    ("tag", "tags"),
    ("project_template", "project_templates"),
)


def favorite_target(conn: Connection, gid: int) -> tuple[str, int | None] | None:
    """(type, workspace) of the object with this gid, of a type that can be a favorite (a user's
    workspace is None: users belong to several); None if there is none."""
    for kind, table in _FAVORITE_TABLES:
        workspace = sql.fetch(conn, f"SELECT workspace_gid FROM {table} WHERE gid = ?", [gid])
        if workspace:
            return kind, int(workspace[0][0])
    if sql.fetch(conn, "SELECT 1 FROM users WHERE gid = ?", [gid]):
        return "user", None
    return None


def is_member(conn: Connection, user_gid: int, workspace_gid: int | None) -> bool:
    """Whether the user is a member of the workspace."""
    return bool(
        sql.fetch(
            conn,
            "SELECT 1 FROM workspace_members WHERE user_gid = ? AND workspace_gid = ?",
            [user_gid, workspace_gid],
        )
    )


def favorites(conn: Connection, user_gid: int, workspace_gid: int, kind: str) -> list[int]:
    """A user's favorites of one type in one workspace, in order (whether visible or not)."""
    rows = sql.fetch(
        conn,
        "SELECT resource_gid FROM favorites WHERE user_gid = ? AND workspace_gid = ? AND resource_type = ?"
        " ORDER BY position, resource_gid",
        [user_gid, workspace_gid, kind],
    )
    return [int(r[0]) for r in rows]


def replace_favorites(
    conn: Connection, user_gid: int, workspace_gid: int, kind: str, order: list[int], changed: int
) -> None:
    """Store one list of favorites in this order (`changed`: the one added, moved or removed)."""
    sql.execute_many(
        conn, "DELETE FROM favorites WHERE user_gid = ? AND resource_gid = ?", [(user_gid, changed)]
    )
    sql.execute_many(
        conn,
        "DELETE FROM favorites WHERE user_gid = ? AND workspace_gid = ? AND resource_type = ?",
        [(user_gid, workspace_gid, kind)],
    )
    sql.execute_many(
        conn,
        "INSERT INTO favorites (user_gid, resource_gid, workspace_gid, resource_type, position)"
        " VALUES (?, ?, ?, ?, ?)",
        [(user_gid, gid, workspace_gid, kind, position) for position, gid in enumerate(order)],
    )


# ---- custom field values on users (vinyasa.users.fields) ----------------------------------------

# A user's containers of custom fields: their workspaces (`{marks}`: the user gids).
USER_CONTAINERS = Containers("workspace_members", "user_gid", "workspace_gid", "workspace_gid")


def fields_in_viewer_workspaces(conn: Connection, viewer_gid: int, field_gids: list[int]) -> set[int]:
    """Those of these custom fields that are in a workspace the viewer is a member of."""
    if not field_gids:
        return set()
    rows = sql.fetch(
        conn,
        "SELECT f.gid FROM custom_fields f JOIN workspace_members m"
        " ON m.workspace_gid = f.workspace_gid AND m.user_gid = ?"
        f" WHERE f.gid IN ({sql.marks(len(field_gids))})",
        [viewer_gid, *field_gids],
    )
    return {int(r[0]) for r in rows}


def field_workspaces(conn: Connection, keys: list[str]) -> dict[str, int]:
    """The workspace of each custom field named by these keys (gids as strings; others absent)."""
    gids = [int(k) for k in keys if k.isascii() and k.isdigit() and 0 < len(k) <= 18]
    if not gids:
        return {}
    rows = sql.fetch(
        conn,
        f"SELECT gid, workspace_gid FROM custom_fields WHERE gid IN ({sql.marks(len(gids))})",
        gids,
    )
    return {str(gid): int(workspace) for gid, workspace in rows}


def workspace_admin(conn: Connection, workspace_gid: int) -> int | None:
    """An admin of the workspace (the earliest by gid), if it exists."""
    value = sql.fetch_value(
        conn,
        "SELECT user_gid FROM workspace_members WHERE workspace_gid = ? AND is_admin = ?"
        " ORDER BY user_gid LIMIT 1",
        [workspace_gid, True],
    )
    return None if value is None else int(value)


# A user's favorites of one type in one workspace ({table}: the type's table), in sidebar order.
FAVORITES = "favorites JOIN {table} ON {table}.gid = favorites.resource_gid"
FAVORITES_KEYS = ("favorites.position", "favorites.resource_gid")
FAVORITES_OF = "favorites.user_gid = ? AND favorites.workspace_gid = ? AND favorites.resource_type = ?"
# Who may be a user favorite: a member of the favorite's workspace; and the tags of that workspace.
IN_WORKSPACE = (
    "EXISTS (SELECT 1 FROM workspace_members wm WHERE wm.user_gid = users.gid AND wm.workspace_gid = ?)"
)
TAG_IN_WORKSPACE = "tags.workspace_gid = ?"
