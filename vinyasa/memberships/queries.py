"""SQL of the memberships family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.protocol import sql

# A team's project memberships, with their projects (for the project rule's SQL text, on `projects`).
TEAM_PROJECT_MEMBERSHIPS = "project_members JOIN projects ON projects.gid = project_members.project_gid"
TEAM_MEMBERSHIP = "project_members.team_gid = ?"
MEMBERSHIP = "SELECT project_gid, user_gid, team_gid, access_level FROM project_members WHERE gid = ?"
# Whether a gid names a portfolio (else a project, or nothing), and a membership a portfolio's.
PORTFOLIO = "SELECT 1 FROM portfolios WHERE gid = ?"
OF_PORTFOLIO = "SELECT 1 FROM portfolio_members WHERE gid = ?"
# A user's membership of a portfolio (`?`: portfolio, user); a portfolio membership's user.
PORTFOLIO_MEMBER = "SELECT gid FROM portfolio_members WHERE portfolio_gid = ? AND user_gid = ?"
PORTFOLIO_MEMBER_USER = "SELECT user_gid FROM portfolio_members WHERE gid = ?"


def membership(conn: Connection, gid: int) -> tuple[int, int | None, int | None, str]:
    """A project membership's (project gid, user gid, team gid, access level): one of the user and
    the team is None. The membership must exist (IndexError otherwise)."""
    row = sql.fetch(conn, MEMBERSHIP, [gid])[0]
    return int(row[0]), row[1], row[2], str(row[3])


def delete(conn: Connection, gid: int) -> None:
    """End one project membership."""
    sql.write(conn, "DELETE FROM project_members WHERE gid = ?", [gid])
