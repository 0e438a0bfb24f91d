"""Prepared SQL of the workspaces family (vinyasa.protocol.sql; `?` placeholders).

removeUser (vinyasa.workspaces.service.remove_user) reaches into the tables of what a workspace
holds. A row counts as in the workspace through a correlated EXISTS on its parent's primary key (as
vinyasa.db.in_workspace builds it), so a statement on one user's rows reads those rows only.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection

from vinyasa.db import in_workspace
from vinyasa.protocol import sql
from vinyasa.protocol.pagination import Listing

# The user's project memberships in the workspace (parameters: user, workspace).
_THEIR_MEMBERSHIPS = (
    f"project_members.user_gid = ? AND {in_workspace('project_members', 'project_gid', 'projects')}"
)


def _gids(conn: Connection, statement: str, params: list[object]) -> list[int]:
    """The first column of the statement's rows as gids, in order."""
    return sorted(int(r[0]) for r in sql.fetch(conn, statement, params))


def workspaces(gids: Collection[int]) -> Listing:
    """These workspaces, by gid (none: an empty list)."""
    return Listing("workspaces", f"gid IN ({sql.marks(len(gids)) or 'NULL'})", list(gids), ("gid",))


def projects_of(conn: Connection, workspace_gid: int, user_gid: int) -> set[int]:
    """The workspace's projects the user is a member of or owns."""
    statement = (
        f"SELECT project_gid FROM project_members WHERE {_THEIR_MEMBERSHIPS}"
        " UNION SELECT gid FROM projects WHERE workspace_gid = ? AND owner_gid = ?"
    )
    return set(_gids(conn, statement, [user_gid, workspace_gid, workspace_gid, user_gid]))


def sole_admin_of(conn: Connection, workspace_gid: int, user_gid: int) -> set[int]:
    """The workspace's projects whose only admin member is the user."""
    statement = (
        "SELECT project_gid FROM project_members WHERE project_gid IN"
        f" (SELECT project_gid FROM project_members WHERE {_THEIR_MEMBERSHIPS} AND access_level = ?)"
        " AND access_level = ? GROUP BY project_gid HAVING count(*) = 1"
    )
    return set(_gids(conn, statement, [user_gid, workspace_gid, "admin", "admin"]))


def pass_on(
    conn: Connection, table: str, column: str, workspace_gid: int, user_gid: int, heir: int, now: int
) -> list[int]:
    """Give `heir` the rows of `table` (projects, tasks) in the workspace whose `column` (owner,
    assignee) is the user, stamped modified at `now`; their gids, in order."""
    statement = (
        f"UPDATE {table} SET {column} = ?, modified_at = ? WHERE workspace_gid = ? AND {column} = ?"
        " RETURNING gid"
    )
    return _gids(conn, statement, [heir, now, workspace_gid, user_gid])


def end_project_memberships(conn: Connection, workspace_gid: int, user_gid: int) -> list[int]:
    """Delete the user's project memberships in the workspace; the projects' gids, in order."""
    statement = f"DELETE FROM project_members WHERE {_THEIR_MEMBERSHIPS} RETURNING project_gid"
    return _gids(conn, statement, [user_gid, workspace_gid])


def unfollow_tasks(conn: Connection, workspace_gid: int, user_gid: int) -> list[int]:
    """Stop the user following the workspace's tasks; those tasks' gids, in order."""
    mine = f"user_gid = ? AND {in_workspace('task_followers', 'task_gid', 'tasks')}"
    return _gids(
        conn, f"DELETE FROM task_followers WHERE {mine} RETURNING task_gid", [user_gid, workspace_gid]
    )


def leave_teams(conn: Connection, workspace_gid: int, user_gid: int) -> list[int]:
    """Take the user out of the workspace's teams; those teams' gids, in order."""
    mine = f"user_gid = ? AND {in_workspace('team_members', 'team_gid', 'teams')}"
    return _gids(conn, f"DELETE FROM team_members WHERE {mine} RETURNING team_gid", [user_gid, workspace_gid])


def remove_member(conn: Connection, workspace_gid: int, user_gid: int) -> int:
    """Delete the user's membership of the workspace; how many rows went (0: they were none)."""
    return sql.execute(
        conn,
        "DELETE FROM workspace_members WHERE workspace_gid = ? AND user_gid = ?",
        [workspace_gid, user_gid],
    )
