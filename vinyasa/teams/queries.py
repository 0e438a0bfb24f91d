"""Prepared SQL of the teams family (vinyasa.protocol.sql; `?` placeholders): tables `teams` and
`team_members`."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.protocol import sql

# Team lists: conditions on the `teams` table (by that name) beside the visibility rule, by name.
IN_WORKSPACE = "teams.workspace_gid = ?"
HAS_MEMBER = "teams.gid IN (SELECT team_gid FROM team_members WHERE user_gid = ?)"
BY_NAME = ("teams.name", "teams.gid")


def setting(conn: Connection, team_gid: int, column: str) -> str | None:
    """One of a team's permission settings (`column`: its column name, one of
    vinyasa.teams.schemas.ACCESS_LEVELS); None when there is no such team."""
    value = sql.fetch_value(conn, f"SELECT {column} FROM teams WHERE gid = ?", [team_gid])
    return None if value is None else str(value)


def membership(conn: Connection, team_gid: int, user_gid: int) -> int | None:
    """The gid of the user's membership of the team, if they are in it."""
    value = sql.fetch_value(
        conn, "SELECT gid FROM team_members WHERE team_gid = ? AND user_gid = ?", [team_gid, user_gid]
    )
    return None if value is None else int(value)


def remove_member(conn: Connection, team_gid: int, user_gid: int) -> int:
    """Delete the user's membership of the team; how many rows went (0: they were not in it)."""
    return sql.execute(
        conn, "DELETE FROM team_members WHERE team_gid = ? AND user_gid = ?", [team_gid, user_gid]
    )
