"""Projects: who sees a project, at which access level, and who may change who holds it
(vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from vinyasa.access.core import (
    GID,
    VIEWER,
    VISIBLE_PM,
    VISIBLE_TM,
    Viewer,
    Workspaces,
    child_of,
    find,
    hidden_by_rule,
    per_viewer,
    rule_sql,
    unknown,
    viewer_workspaces,
)
from vinyasa.core import Caller
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.models import Project, ProjectMember
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid

# Project access levels, weakest first.
PROJECT_LEVELS = ("viewer", "commenter", "editor", "admin")
# A membership's level as its rank in PROJECT_LEVELS, in SQL (the strongest of a user's teams wins).
_LEVEL_RANK = (
    "CASE pm.access_level WHEN 'admin' THEN 3 WHEN 'editor' THEN 2 WHEN 'commenter' THEN 1 ELSE 0 END"
)


def project_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    pm, tm = VISIBLE_PM, VISIBLE_TM
    direct = exists().where(pm.c.project_gid == Project.gid, pm.c.user_gid == viewer)
    my_teams = select(tm.c.team_gid).where(tm.c.user_gid == viewer)
    through_team = exists().where(pm.c.project_gid == Project.gid, pm.c.team_gid.in_(my_teams))
    return and_(
        Project.workspace_gid.in_(workspaces),
        or_(Project.privacy_setting == "public_to_workspace", direct, through_team),
    )


_project_for = per_viewer(project_rule)


# `project_visible` as prepared SQL on the `projects` table (by that name) and its parameters.
project_visible_sql = rule_sql(Project.__table__, project_rule)


def hidden_projects(conn: Any, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these project gids, the ones the viewer cannot see."""
    return hidden_by_rule(conn, "projects", gids, project_visible_sql(viewer))


def project_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Project`: the caller may see the project (see the vinyasa.access docstring)."""
    return _project_for(ctx)


class _ProjectRow(NamedTuple):
    gid: int
    workspace_gid: int
    team_gid: int | None
    default_access_level: str
    minimum_access_level_for_customization: str
    minimum_access_level_for_sharing: str
    privacy_setting: str
    own_level: str | None  # the caller's own membership
    team_rank: int | None  # the strongest membership of the caller's teams, as a PROJECT_LEVELS index
    in_workspace: int


def _member_level(row: _ProjectRow) -> str | None:
    """The caller's level as a member (own or through teams, the highest), None when not a member."""
    ranks = [PROJECT_LEVELS.index(row.own_level)] if row.own_level is not None else []
    if row.team_rank is not None:
        ranks.append(row.team_rank)
    return PROJECT_LEVELS[max(ranks)] if ranks else None


def _sees_project(row: _ProjectRow) -> bool:
    """The rule of `project_visible`, for one row already read (see the vinyasa.access docstring)."""
    if not row.in_workspace:
        return False
    return row.privacy_setting == "public_to_workspace" or _member_level(row) is not None


# The rule above as prepared SQL for one project (this runs on every project request).
_PROJECT_ROW = (
    "SELECT p.gid, p.workspace_gid, p.team_gid, p.default_access_level,"
    " p.minimum_access_level_for_customization, p.minimum_access_level_for_sharing,"
    " p.privacy_setting,"
    " (SELECT access_level FROM project_members WHERE project_gid = p.gid AND user_gid = ?),"
    # The project's team memberships drive this (the (project, team) unique index, team rows only, then
    # the (team, user) one), so its cost follows how many teams the project is shared with (a few), not
    # how many members it has or teams the caller is in (the sweep's caller is in 101: 22 -> 6 µs).
    f" (SELECT max({_LEVEL_RANK}) FROM project_members pm CROSS JOIN team_members tm"
    "  WHERE pm.project_gid = p.gid AND pm.team_gid IS NOT NULL AND tm.team_gid = pm.team_gid"
    " AND tm.user_gid = ?),"
    " (SELECT count(*) FROM workspace_members WHERE workspace_gid = p.workspace_gid AND user_gid = ?)"
    " FROM projects p"
)
_PROJECT_SQL = _PROJECT_ROW + " WHERE p.gid = ?"
# The same for every project a task or its top-level ancestor is in (`?`: the task, the ancestor).
_TASK_PROJECTS_SQL = (
    _PROJECT_ROW + " WHERE p.gid IN (SELECT project_gid FROM task_projects WHERE task_gid IN (?, ?))"
)


@dataclass(frozen=True)
class VisibleProject:
    """A project the caller can see, with what the access checks need."""

    gid: int
    workspace_gid: int
    team_gid: int | None
    default_access_level: str
    access_level: str  # the caller's effective level
    minimum_access_level_for_customization: str
    minimum_access_level_for_sharing: str


def project(
    ctx: Caller,
    value: str,
    field: str | None = None,
    *,
    lock: Literal["share", "update", "delete"] | None = None,
) -> VisibleProject:
    """A project the caller can see; `lock` holds its row until the transaction ends (PostgreSQL)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        locking = {
            "share": " FOR SHARE OF p",
            "update": " FOR NO KEY UPDATE OF p",
            "delete": " FOR UPDATE OF p",
        }.get(lock or "", "")
        found = sql.fetch(
            ctx.conn,
            _PROJECT_SQL + (locking if ctx.conn.dialect.name == "postgresql" else ""),
            [ctx.user_gid, ctx.user_gid, ctx.user_gid, gid],
        )
        if found and _sees_project(candidate := _ProjectRow(*found[0])):
            row = candidate
    if row is None:
        raise unknown(field, value, "project")
    return VisibleProject(
        gid=row.gid,
        workspace_gid=row.workspace_gid,
        team_gid=row.team_gid,
        default_access_level=row.default_access_level,
        access_level=_member_level(row) or row.default_access_level,
        minimum_access_level_for_customization=row.minimum_access_level_for_customization,
        minimum_access_level_for_sharing=row.minimum_access_level_for_sharing,
    )


def task_project_levels(ctx: Caller, task_gid: int, root_gid: int) -> list[str]:
    """The caller's access level on each project the caller can see that the task or its top-level
    ancestor is in (one statement; `project` would read them one by one)."""
    rows = sql.fetch(ctx.conn, _TASK_PROJECTS_SQL, [ctx.user_gid] * 3 + [task_gid, root_gid])
    found = [_ProjectRow(*r) for r in rows]
    return [_member_level(row) or row.default_access_level for row in found if _sees_project(row)]


def require_project_level(project: VisibleProject, needed: str, what: str) -> None:
    """403 unless the caller's access level on the project is at least `needed`."""
    if PROJECT_LEVELS.index(project.access_level) < PROJECT_LEVELS.index(needed):
        raise Forbidden(f"You need {needed} access to this project to {what}.")


@cache
def _prepared_membership() -> Any:
    """The one-membership lookup (a project membership whose project is visible), for the `viewer` and
    `gid` parameters."""
    return (
        select(ProjectMember.gid)
        .join(Project, Project.gid == ProjectMember.project_gid)
        .where(ProjectMember.gid == GID, project_rule(VIEWER, viewer_workspaces()))
    )


def project_membership(ctx: Caller, value: str, kind: str = "project membership") -> int:
    """A project membership whose project the caller can see, by gid string (404 naming `kind`
    otherwise: /memberships says "membership" of every kind)."""
    return int(find(ctx, _prepared_membership, value, None, kind)[0])


def project_child(
    ctx: Caller, table: str, value: str, kind: str, field: str | None = None, *, lock: bool = False
) -> tuple[int, VisibleProject]:
    """A row of `table` (a section, a status, a brief, a membership...) whose project the caller can
    see, as (gid, project); 404 (400 naming `field`) naming `kind` otherwise. `lock` (a change or
    delete of the row): the project is locked FOR NO KEY UPDATE and the row read again
    (`access.core.child_of`)."""
    return child_of(
        ctx,
        f"SELECT project_gid FROM {table} WHERE gid = ?",
        value,
        kind,
        field,
        lambda gid: project(ctx, str(gid), lock="update" if lock else None),
        lock=lock,
    )


# ---- who holds a project (no editor -> owner -> admin takeover) ------------------------------

# Project changes (stored column names) that decide who holds or sees the project: admins only.
PROJECT_ADMIN_CHANGES = frozenset(
    {
        "owner_gid",
        "team_gid",
        "privacy_setting",
        "default_access_level",
        "minimum_access_level_for_customization",
        "minimum_access_level_for_sharing",
    }
)
PROJECT_APPEARANCE = frozenset({"color", "icon", "default_view"})


def require_project_change(project: VisibleProject, changed: set[str] | frozenset[str]) -> None:
    """403 unless the caller may make these changes (stored column names whose value changes).

    Owner, team and permission settings need admin: an editor who could name themselves owner would
    become an admin, then lock out everyone else (issue 12). Appearance needs the project's
    `minimum_access_level_for_customization`; anything else editor (checked by the caller first).
    """
    if PROJECT_ADMIN_CHANGES & changed:
        require_project_level(project, "admin", "change its owner, team or permission settings")
    if PROJECT_APPEARANCE & changed:
        require_project_level(
            project, project.minimum_access_level_for_customization, "change its appearance"
        )


def grantable_level(project: VisibleProject) -> str:
    """The level new members get from the caller: the project's default_access_level, but never
    above the caller's own (an editor adding people to a project whose default is admin adds editors)."""
    return min(project.default_access_level, project.access_level, key=PROJECT_LEVELS.index)


def project_admins(conn: Connection, project_gid: int) -> set[int]:
    """The users who are admin members of a project."""
    rows = sql.fetch(
        conn,
        "SELECT user_gid FROM project_members"
        " WHERE project_gid = ? AND access_level = 'admin' AND user_gid IS NOT NULL",
        [project_gid],
    )
    return {int(r[0]) for r in rows}


def require_member_removal(
    ctx: Caller, project: VisibleProject, users: list[int], field: str = "members", action: str = "remove"
) -> None:
    """Removing project members, or lowering their access (`action="lower"`: a membership changed
    through /memberships): doing so to an admin needs project admin (403), and the project keeps
    at least one admin (400 naming `field`). The caller holds the project row locked
    (lock="update"), so two concurrent removals cannot each leave the other as the last admin and
    remove it."""
    admins = project_admins(ctx.conn, project.gid)
    if not admins & set(users):
        return
    require_project_level(project, "admin", f"{action} its admins")
    if admins <= set(users):
        raise InvalidRequest(
            f"{field}: A project must keep at least one admin; make another member an admin first"
        )
