"""Prepared SQL of the users family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa.protocol import sql


def shared_workspaces(conn: Connection, viewer_gid: int, user_gids: list[int]) -> list[tuple[Any, ...]]:
    """(user, workspace) for each workspace of these users that the viewer is also in."""
    return sql.fetch(
        conn,
        "SELECT m.user_gid, m.workspace_gid FROM workspace_members m"
        " JOIN workspace_members mine ON mine.workspace_gid = m.workspace_gid AND mine.user_gid = ?"
        f" WHERE m.user_gid IN ({sql.marks(len(user_gids))}) ORDER BY m.workspace_gid",
        [viewer_gid, *user_gids],
    )
