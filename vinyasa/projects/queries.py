"""Prepared SQL of the projects family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import pagination, sql
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.specs import Link

# `created_from_template` (a Ref's `sql`): the template a project was made from, while it exists.
FROM_TEMPLATE = (
    "(SELECT o.template_gid FROM project_origins o JOIN project_templates t ON t.gid = o.template_gid"
    " WHERE o.project_gid = {table}.gid)"
)


# The user members of a project (its teams are project memberships, not `members`), oldest first;
# its followers, who are among them.
MEMBERS = Link("project_members", "project_gid", "user_gid", ("created_at", "gid"))
FOLLOWERS = Link("project_members", "project_gid", "user_gid", ("created_at", "gid"), "l.is_follower")


# Project lists (vinyasa.projects.routes): conditions on the `projects` table, by that name, with the
# visibility rule (access.project_visible_sql).
ARCHIVED = "projects.archived = ?"
IN_WORKSPACE = "projects.workspace_gid = ?"
# Shared with the team (a member) or having it as the associated team.
OF_TEAM = (
    "(projects.team_gid = ? OR projects.gid IN (SELECT project_gid FROM project_members WHERE team_gid = ?))"
)


def listing(conditions: list[tuple[str, list[Any]]]) -> Listing:
    """The projects (by gid) matching every condition: prepared SQL for ctx.page."""
    return pagination.listing("projects", conditions)


# Some users' memberships of a project ({users}: `?` marks; the project first): ending them, or
# ending only their following it (`is_follower` is the first parameter).
REMOVE_MEMBERS = "DELETE FROM project_members WHERE project_gid = ? AND user_gid IN ({users})"
SET_FOLLOWING = "UPDATE project_members SET is_follower = ? WHERE project_gid = ? AND user_gid IN ({users})"
# Which of some projects ({projects}: `?` marks) a user is a member of (the user first).
MEMBER_OF = "SELECT project_gid FROM project_members WHERE user_gid = ? AND project_gid IN ({projects})"
# Ending a team's membership of a project (the project first).
REMOVE_TEAM = "DELETE FROM project_members WHERE project_gid = ? AND team_gid = ?"

# User memberships as rows of these columns, for `upsert_user_members`.
USER_MEMBER_COLUMNS = ("gid", "project_gid", "user_gid", "access_level", "is_follower", "created_at")
_UPSERT_ROWS = 200  # rows a statement (parameters: far below either database's limit)


def upsert_user_members(conn: Connection, rows: list[tuple[Any, ...]], column: str, value: Any) -> None:
    """Insert user memberships (`USER_MEMBER_COLUMNS` rows, in the order given, up to 200 a
    statement); a user who already is a member of that project keeps that membership, with only
    `column` (`is_follower` or `access_level`) set to `value`."""
    if column not in ("is_follower", "access_level"):
        raise ValueError(column)
    head = f"INSERT INTO project_members ({', '.join(USER_MEMBER_COLUMNS)}) VALUES "
    one = f"({sql.marks(len(USER_MEMBER_COLUMNS))})"
    for start in range(0, len(rows), _UPSERT_ROWS):
        chunk = rows[start : start + _UPSERT_ROWS]
        values = ", ".join([one] * len(chunk))
        statement = f"{head}{values} ON CONFLICT (project_gid, user_gid) DO UPDATE SET {column} = ?"
        sql.write(conn, statement, [*(v for row in chunk for v in row), value])
