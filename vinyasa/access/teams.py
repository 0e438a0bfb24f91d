"""Teams: visible to members of their organization unless `secret`, then to their members only
(vinyasa.access)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from vinyasa.access.core import (
    GID,
    MINE,
    VIEWER,
    Viewer,
    Workspaces,
    find,
    hidden_among,
    lookup,
    per_viewer,
    rule_sql,
    viewer_workspaces,
)
from vinyasa.core import Caller
from vinyasa.models import Team, TeamMember
from vinyasa.protocol import sql


def _team_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    return and_(
        Team.workspace_gid.in_(workspaces),
        or_(
            Team.visibility != "secret",
            exists().where(TeamMember.team_gid == Team.gid, TeamMember.user_gid == viewer),
        ),
    )


_team_for = per_viewer(_team_rule)


def team_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition: the caller's workspaces hold the team, and it is not secret or they are in it."""
    return _team_for(ctx)


# `team_visible` as prepared SQL on the `teams` table (by that name) and its parameters.
team_visible_sql = rule_sql(Team.__table__, _team_rule)


@cache
def _prepared() -> Any:
    """The one-team lookup under the rule, for the `viewer` and `gid` parameters."""
    return select(Team.gid, Team.workspace_gid).where(
        Team.gid == GID, _team_rule(VIEWER, viewer_workspaces())
    )


def team(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int]:
    """A team the caller can see, as (team gid, workspace gid)."""
    row = find(ctx, _prepared, value, field, "team")
    return row.gid, row.workspace_gid


def visible_team(ctx: Caller, gid: int) -> tuple[int, int] | None:
    """(team gid, workspace gid) of a team the caller can see, or None."""
    row = lookup(ctx, _prepared, gid)
    return None if row is None else (row.gid, row.workspace_gid)


def team_role(ctx: Caller, team_gid: int) -> bool | None:
    """None when the caller is not in the team, else whether they are its admin."""
    rows = sql.fetch(
        ctx.conn,
        "SELECT is_admin FROM team_members WHERE team_gid = ? AND user_gid = ?",
        [team_gid, ctx.user_gid],
    )
    return bool(rows[0][0]) if rows else None


# Sufficient for `team_visible`: a team of the caller's workspace, not secret or with the caller in it.
_TEAMS_PROVEN = (
    f"SELECT t.gid FROM teams t WHERE t.workspace_gid IN ({MINE}) AND (t.visibility <> 'secret'"
    " OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_gid = t.gid AND m.user_gid = ?))"
    " AND t.gid IN ({gids})"
)


def hidden_teams(conn: Connection, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these team gids, the ones the viewer cannot see (a secret team they are not in)."""
    return hidden_among(viewer, gids, _TEAMS_PROVEN, lambda: team_visible(viewer), Team.__table__)
