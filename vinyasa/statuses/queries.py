"""All SQL of the statuses family: the projection expressions other code selects, and the family's
own statements."""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa.protocol import sql

# The project's newest status and its brief, as correlated subqueries over the project row
# (`{table}`: the projection engine's name for it), selected alongside the project's own columns:
# one query for any number of projects.
CURRENT_STATUS = (
    "(SELECT cs.gid FROM statuses cs WHERE cs.project_gid = {table}.gid ORDER BY cs.seq DESC LIMIT 1)"
)
PROJECT_BRIEF = "(SELECT pb.gid FROM project_briefs pb WHERE pb.project_gid = {table}.gid)"
# A portfolio's newest status update, the same way.
PORTFOLIO_CURRENT_STATUS = (
    "(SELECT cs.gid FROM statuses cs WHERE cs.portfolio_gid = {table}.gid ORDER BY cs.seq DESC LIMIT 1)"
)


# ---- the statuses family's own reads and writes (vinyasa.protocol.sql; `?` placeholders) -------

# The parent columns of `statuses` (StatusParent.column), each with its newest `seq` read.
_LAST_SEQ = {
    column: f"SELECT MAX(seq) FROM statuses WHERE {column} = ?" for column in ("project_gid", "portfolio_gid")
}


def last_seq(conn: Connection, column: str, parent_gid: int) -> int | None:
    """The highest `seq` among the statuses of a project or portfolio (`column`: `project_gid` or
    `portfolio_gid`); None when it has none."""
    value = sql.fetch_value(conn, _LAST_SEQ[column], [parent_gid])
    return None if value is None else int(value)


def status_parents(conn: Connection, gid: int) -> tuple[int | None, int | None] | None:
    """A status's (project gid, portfolio gid), one of them None; None when there is no such status."""
    rows = sql.fetch(conn, "SELECT project_gid, portfolio_gid FROM statuses WHERE gid = ?", [gid])
    return (rows[0][0], rows[0][1]) if rows else None


def delete_status(conn: Connection, gid: int) -> None:
    """Delete one status."""
    sql.write(conn, "DELETE FROM statuses WHERE gid = ?", [gid])


def project_brief(conn: Connection, project_gid: int) -> int | None:
    """The gid of a project's brief, or None."""
    gid = sql.fetch_value(conn, "SELECT gid FROM project_briefs WHERE project_gid = ?", [project_gid])
    return None if gid is None else int(gid)


def delete_brief(conn: Connection, gid: int) -> None:
    """Delete one brief."""
    sql.write(conn, "DELETE FROM project_briefs WHERE gid = ?", [gid])
