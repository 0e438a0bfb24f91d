"""The access rule, in one place: what a caller can see (else 404) and may change (else 403).

- A workspace is visible to its members.
- A user is visible to anyone sharing a workspace with them (and to themselves).
- A team is visible to members of its organization unless it is `secret`, then to its members only.
- A project's members are users and teams (project memberships); a user is a member directly or
  through a team they belong to. A project is visible to members of its workspace when
  `public_to_workspace`, otherwise (`private`, and the deprecated `private_to_team`) to its members
  only. In every case the caller must still belong to the project's workspace. The project's `team`
  (Asana's "associated team") grants nothing: Asana's teamless projects, help.asana.com "teamless
  projects" ("does not control permissions or access"); projects whose team used to grant access were
  given that team as a member (migration a8c0ffee000a).
- Acting on a visible project needs an access level (viewer < commenter < editor < admin). A member
  has the highest level among their own membership and their teams' memberships; anyone else who sees
  the project (through its workspace) has the project's `default_access_level`. Editing a project
  needs editor; its permission settings need admin; its appearance needs
  `minimum_access_level_for_customization`; changing its members or followers needs
  `minimum_access_level_for_sharing` (editor or admin). Too low a level is 403.
- A section is visible (and changeable) exactly as its project is; changing sections needs editor.
- A task is visible, within the caller's workspaces, when it is in at least one project the caller can
  see, or the caller created it, is its assignee or follows it. A subtask is also visible whenever its
  top-level ancestor (`root_gid`) is, so subtasks inherit their parent's visibility. Any caller who
  sees a task may change it (deviation: Asana also checks the projects' access levels); putting it in
  a project, or moving it there, needs editor on that project.
Objects named in a path that the caller cannot see are 404; named in a body or filter they are 400
("Unknown object"), so existence never leaks either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, Connection, FromClause, and_, exists, or_, select

from vinyasa.core import Caller
from vinyasa.errors import Forbidden, InvalidRequest, NotFound
from vinyasa.models import (
    Project,
    ProjectMember,
    Section,
    Task,
    TaskFollower,
    TaskProject,
    Team,
    TeamMember,
    WorkspaceMember,
)
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.messages import bad_gid, say


def unknown(field: str | None, value: Any, kind: str) -> Exception:
    """The error for an object the caller cannot see: 404 in a path, 400 in a body or filter."""
    if field is None:
        return NotFound(f"Unknown {kind}: {str(value)[:64]}")
    if kind == "user":  # users are also named by `me` or an email: only "Unknown object" fits
        return InvalidRequest(say("unknown_object", field, value=value))
    return InvalidRequest(bad_gid(field, value))  # "Not a Long" for a gid that is not a number


def workspace_roles(ctx: Caller) -> dict[int, bool]:
    """The caller's workspaces, each with whether the caller is its admin (cached per request)."""
    roles: dict[int, bool] | None = ctx.cache.get("workspace_roles")
    if roles is None:
        rows = sql.fetch(
            ctx.conn,
            "SELECT workspace_gid, is_admin FROM workspace_members WHERE user_gid = ?",
            [ctx.user_gid],
        )
        roles = {gid: bool(admin) for gid, admin in rows}
        ctx.cache["workspace_roles"] = roles
    return roles


def workspace(ctx: Caller, value: str, field: str | None = None) -> int:
    """A workspace the caller belongs to, by gid string."""
    gid = as_gid(value)
    if gid is None or gid not in workspace_roles(ctx):
        raise unknown(field, value, "workspace")
    return gid


def require_workspace_admin(ctx: Caller, workspace_gid: int) -> None:
    """403 unless the caller administers the workspace."""
    if not workspace_roles(ctx).get(workspace_gid, False):
        raise Forbidden("You must be an admin of this workspace to do that.")


def team_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition: the caller's workspaces hold the team, and it is not secret or they are in it."""
    return and_(
        Team.workspace_gid.in_(list(workspace_roles(ctx))),
        or_(
            Team.visibility != "secret",
            exists().where(TeamMember.team_gid == Team.gid, TeamMember.user_gid == ctx.user_gid),
        ),
    )


def team(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int]:
    """A team the caller can see, as (team gid, workspace gid)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        row = ctx.conn.execute(
            select(Team.gid, Team.workspace_gid).where(Team.gid == gid, team_visible(ctx))
        ).first()
    if row is None:
        raise unknown(field, value, "team")
    return row.gid, row.workspace_gid


def team_role(ctx: Caller, team_gid: int) -> bool | None:
    """None when the caller is not in the team, else whether they are its admin."""
    return ctx.conn.execute(
        select(TeamMember.is_admin).where(
            TeamMember.team_gid == team_gid, TeamMember.user_gid == ctx.user_gid
        )
    ).scalar_one_or_none()


def shares_workspace(ctx: Caller, user_gid: int) -> bool:
    """Whether the caller may see this user."""
    if user_gid == ctx.user_gid:
        return True
    mine = list(workspace_roles(ctx))
    return (
        bool(mine)
        and ctx.conn.execute(
            select(WorkspaceMember.user_gid)
            .where(WorkspaceMember.user_gid == user_gid, WorkspaceMember.workspace_gid.in_(mine))
            .limit(1)
        ).first()
        is not None
    )


def workspaces_of(conn: Connection, user_gid: int) -> set[int]:
    """The workspaces a user belongs to."""
    rows = conn.execute(select(WorkspaceMember.workspace_gid).where(WorkspaceMember.user_gid == user_gid))
    return {r[0] for r in rows}


# Project access levels, weakest first.
PROJECT_LEVELS = ("viewer", "commenter", "editor", "admin")
# A membership's level as its rank in PROJECT_LEVELS, in SQL (the strongest of a user's teams wins).
_LEVEL_RANK = (
    "CASE pm.access_level WHEN 'admin' THEN 3 WHEN 'editor' THEN 2 WHEN 'commenter' THEN 1 ELSE 0 END"
)


# Aliased, so the visibility conditions also work in queries that join these tables themselves;
# made once (building an alias sets up its column collections: ~1 ms a request when done per call).
_VISIBLE_PM = ProjectMember.__table__.alias("visible_pm")
_VISIBLE_TM = TeamMember.__table__.alias("visible_tm")
_VISIBLE_TP = TaskProject.__table__.alias("visible_tp")
_VISIBLE_TF = TaskFollower.__table__.alias("visible_tf")
_VISIBLE_ROOT = Task.__table__.alias("visible_root")


def project_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Project`: the caller may see the project (see the module docstring)."""
    pm, tm = _VISIBLE_PM, _VISIBLE_TM
    direct = exists().where(pm.c.project_gid == Project.gid, pm.c.user_gid == ctx.user_gid)
    my_teams = select(tm.c.team_gid).where(tm.c.user_gid == ctx.user_gid)
    through_team = exists().where(pm.c.project_gid == Project.gid, pm.c.team_gid.in_(my_teams))
    return and_(
        Project.workspace_gid.in_(list(workspace_roles(ctx))),
        or_(Project.privacy_setting == "public_to_workspace", direct, through_team),
    )


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
    """The rule of `project_visible`, for one row already read (see the module docstring)."""
    if not row.in_workspace:
        return False
    return row.privacy_setting == "public_to_workspace" or _member_level(row) is not None


# The rule above as prepared SQL for one project (this runs on every project request).
_PROJECT_SQL = (
    "SELECT p.gid, p.workspace_gid, p.team_gid, p.default_access_level,"
    " p.minimum_access_level_for_customization, p.minimum_access_level_for_sharing,"
    " p.privacy_setting,"
    " (SELECT access_level FROM project_members WHERE project_gid = p.gid AND user_gid = ?),"
    # The caller's teams drive this (team_members by user, then the (project, team) unique index), so
    # its cost follows how many teams the caller is in, not how many members the project has.
    f" (SELECT max({_LEVEL_RANK}) FROM team_members tm CROSS JOIN project_members pm"
    "  WHERE tm.user_gid = ? AND pm.project_gid = p.gid AND pm.team_gid = tm.team_gid),"
    " (SELECT count(*) FROM workspace_members WHERE workspace_gid = p.workspace_gid AND user_gid = ?)"
    " FROM projects p WHERE p.gid = ?"
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
    ctx: Caller, value: str, field: str | None = None, *, lock: Literal["share", "update"] | None = None
) -> VisibleProject:
    """A project the caller can see; `lock` holds its row until the transaction ends (PostgreSQL)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        locking = {"share": " FOR SHARE OF p", "update": " FOR UPDATE OF p"}.get(lock or "", "")
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


def require_project_level(project: VisibleProject, needed: str, what: str) -> None:
    """403 unless the caller's access level on the project is at least `needed`."""
    if PROJECT_LEVELS.index(project.access_level) < PROJECT_LEVELS.index(needed):
        raise Forbidden(f"You need {needed} access to this project to {what}.")


def project_membership(ctx: Caller, value: str) -> int:
    """A project membership whose project the caller can see, by gid string (404 otherwise)."""
    gid = as_gid(value)
    found = None
    if gid is not None:
        found = ctx.conn.execute(
            select(ProjectMember.gid)
            .join(Project, Project.gid == ProjectMember.project_gid)
            .where(ProjectMember.gid == gid, project_visible(ctx))
        ).scalar_one_or_none()
    if found is None:
        raise unknown(None, value, "project membership")
    return int(found)


# ---- sections and tasks ----------------------------------------------------------------------


@dataclass(frozen=True)
class VisibleSection:
    """A section the caller can see, with its (visible) project."""

    gid: int
    project: VisibleProject


def section(
    ctx: Caller, value: str, field: str | None = None, *, lock: Literal["share", "update"] | None = None
) -> VisibleSection:
    """A section whose project the caller can see; `lock` locks the project row (PostgreSQL)."""
    gid = as_gid(value)
    project_gid = None
    if gid is not None:
        project_gid = ctx.conn.execute(select(Section.project_gid).where(Section.gid == gid)).scalar()
    if project_gid is None:
        raise unknown(field, value, "section")
    try:
        found = project(ctx, str(project_gid), None, lock=lock)
    except NotFound:
        raise unknown(field, value, "section") from None
    return VisibleSection(int(gid or 0), found)


def _task_own(ctx: Caller, task: FromClause) -> ColumnElement[bool]:
    """SQL condition on one task row: the caller made, is assigned or follows it, or sees its project."""
    tp, follower = _VISIBLE_TP, _VISIBLE_TF
    return or_(
        task.c.created_by_gid == ctx.user_gid,
        task.c.assignee_gid == ctx.user_gid,
        exists().where(follower.c.task_gid == task.c.gid, follower.c.user_gid == ctx.user_gid),
        exists().where(tp.c.task_gid == task.c.gid, Project.gid == tp.c.project_gid, project_visible(ctx)),
    )


def task_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Task`: the caller may see the task (see the module docstring)."""
    table = Task.__table__
    root = _VISIBLE_ROOT
    return and_(
        table.c.workspace_gid.in_(list(workspace_roles(ctx))),
        or_(_task_own(ctx, table), exists().where(root.c.gid == table.c.root_gid, _task_own(ctx, root))),
    )


@dataclass(frozen=True)
class VisibleTask:
    """A task the caller can see."""

    gid: int
    workspace_gid: int
    parent_gid: int | None
    root_gid: int


def task(ctx: Caller, value: str, field: str | None = None) -> VisibleTask:
    """A task the caller can see, by gid string (404 in a path, 400 in a body)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        row = ctx.conn.execute(
            select(Task.gid, Task.workspace_gid, Task.parent_gid, Task.root_gid).where(
                Task.gid == gid, task_visible(ctx)
            )
        ).first()
    if row is None:
        raise unknown(field, value, "task")
    return VisibleTask(row.gid, row.workspace_gid, row.parent_gid, row.root_gid)


def project_child(ctx: Caller, table: str, value: str, kind: str) -> tuple[int, int]:
    """A row of `table` (a status, a brief...) whose project the caller can see, as (gid, project
    gid); 404 naming `kind` otherwise."""
    gid = as_gid(value)
    found = sql.fetch(ctx.conn, f"SELECT gid, project_gid FROM {table} WHERE gid = ?", [gid]) if gid else []
    if found:
        try:
            project(ctx, str(found[0][1]))
        except NotFound:
            found = []
    if not found:
        raise unknown(None, value, kind)
    return int(found[0][0]), int(found[0][1])
