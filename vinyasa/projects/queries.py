"""Prepared SQL of the projects family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import sql

# `created_from_template` (a Ref's `sql`): the template a project was made from, while it exists.
FROM_TEMPLATE = (
    "(SELECT o.template_gid FROM project_origins o JOIN project_templates t ON t.gid = o.template_gid"
    " WHERE o.project_gid = {table}.gid)"
)


def people(conn: Connection, project_gids: list[int]) -> list[tuple[Any, ...]]:
    """(project, user, is_follower) for the user members of these projects, oldest first."""
    return sql.fetch(
        conn,
        "SELECT project_gid, user_gid, is_follower FROM project_members"
        f" WHERE project_gid IN ({sql.marks(len(project_gids))}) AND user_gid IS NOT NULL"
        " ORDER BY project_gid, created_at, gid",
        project_gids,
    )
