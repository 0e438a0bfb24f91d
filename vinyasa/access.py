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
  see, or the caller is its assignee or follows it (its creator follows it from the start). A subtask
  is also visible whenever its top-level ancestor (`root_gid`) is, so subtasks inherit their parent's
  visibility. Changing, re-parenting or deleting a task, or adding subtasks to it, follows the access
  levels of the projects it (or its top-level ancestor) is in: a caller who sees at least one of them
  needs editor on one of them (viewer/commenter everywhere: 403); a task in none of the caller's visible
  projects is changed by its collaborators (assignee, followers). Putting a task in a project, or moving
  it there, needs editor on that project.
- Who holds a project: changing its owner, team, privacy or any permission setting, or removing one
  of its admins, needs project admin (an editor naming themselves owner would become admin); a new
  owner becomes admin; people added by the caller get at most the caller's own level; a project
  always keeps at least one admin (400). Removing a user from a workspace (its admins only; never the
  last admin) ends all their memberships and task follows there and passes what they own to the
  remover (vinyasa.workspaces.service.remove_user).
- A portfolio is visible, within the caller's workspaces, when it is `public_to_domain` or the caller
  is one of its members (its owner always is); `members_only` ones are invisible to anyone else. A
  member acts at their level (viewer < editor < admin), anyone else who sees it as a viewer. Viewers
  read; editors change its fields, items, custom field settings and statuses; admins change its
  members, permission settings, or delete it. Seeing a portfolio never reveals an item the caller
  cannot see: item lists skip it (`PORTFOLIO_ITEM_VISIBLE`).
Objects named in a path that the caller cannot see are 404; named in a body or filter they are 400
("Unknown object", the same message as for a made-up gid), so existence never leaks either way. A
reference to an object the caller cannot see (a subtask's parent, a project's secret team) renders as
`{gid, resource_type}` only (`hidden_*` below, registered on the resource for the projection engine).
Projects, sections and statuses are only referenced by objects of a project the caller sees, so they
need no such check; users are shown in full, as Asana shows former members by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, Connection, FromClause, and_, bindparam, exists, or_, select

from vinyasa.core import Caller
from vinyasa.core.runner import is_public
from vinyasa.errors import Forbidden, InvalidRequest, NotFound
from vinyasa.models import (
    Portfolio,
    PortfolioMember,
    Project,
    ProjectMember,
    ProjectTemplate,
    Section,
    Task,
    TaskFollower,
    TaskProject,
    Team,
    TeamMember,
    WorkspaceMember,
)
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid, body_gid
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


# ---- the rules as SQL conditions ---------------------------------------------------------------
#
# Each rule is written once, for a viewer that is either the caller's gid (`*_visible(ctx)`, for
# queries composed per request) or the bind parameter `viewer` with the viewer's workspaces as a
# subquery: the single-object lookups below build their statement once per process that way, since
# building these expressions costs milliseconds a request (GET /tasks/{gid}: ~2.5 ms CPU).

Viewer = Any  # an int (the caller's gid) or the `viewer` bind parameter
Workspaces = Any  # a list of workspace gids or a subquery of them

_VIEWER = bindparam("viewer", type_=BigInteger)


def _viewer_workspaces() -> Any:
    return select(WorkspaceMember.workspace_gid).where(WorkspaceMember.user_gid == _VIEWER)


def _team_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    return and_(
        Team.workspace_gid.in_(workspaces),
        or_(
            Team.visibility != "secret",
            exists().where(TeamMember.team_gid == Team.gid, TeamMember.user_gid == viewer),
        ),
    )


def _mine(ctx: Caller) -> tuple[int, ...]:
    return tuple(sorted(workspace_roles(ctx)))


# The conditions built for one viewer are kept (immutable; SQLAlchemy memoizes their cache keys),
# so a request reuses them instead of building them again: ~0.7-1.5 ms each, per request.
_team_for = lru_cache(maxsize=256)(lambda viewer, workspaces: _team_rule(viewer, workspaces))
_project_for = lru_cache(maxsize=256)(lambda viewer, workspaces: _project_rule(viewer, workspaces))
_task_for = lru_cache(maxsize=256)(lambda viewer, workspaces: _task_rule(viewer, workspaces))


def team_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition: the caller's workspaces hold the team, and it is not secret or they are in it."""
    return _team_for(ctx.user_gid, _mine(ctx))


@cache
def _prepared(kind: str) -> Any:
    """The one-object lookup of `kind` under its rule, for the `viewer` and `gid` parameters."""
    gid = bindparam("gid", type_=BigInteger)
    mine = _viewer_workspaces()
    if kind == "team":
        return select(Team.gid, Team.workspace_gid).where(Team.gid == gid, _team_rule(_VIEWER, mine))
    if kind == "task":
        return select(Task.gid, Task.workspace_gid, Task.parent_gid, Task.root_gid).where(
            Task.gid == gid, _task_rule(_VIEWER, mine)
        )
    return (  # a project membership whose project is visible
        select(ProjectMember.gid)
        .join(Project, Project.gid == ProjectMember.project_gid)
        .where(ProjectMember.gid == gid, _project_rule(_VIEWER, mine))
    )


def _lookup(ctx: Caller, kind: str, gid: int) -> Any:
    return _prepared_sql(kind, ctx.conn.dialect.name).first(ctx.conn, viewer=ctx.user_gid, gid=gid)


def team(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int]:
    """A team the caller can see, as (team gid, workspace gid)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        row = _lookup(ctx, "team", gid)
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


# Aliases for the visibility conditions, so they also work in queries that join these tables. Made
# once: building an alias's column collection costs more than running the query it serves.
_VISIBLE_PM = ProjectMember.__table__.alias("visible_pm")
_VISIBLE_TM = TeamMember.__table__.alias("visible_tm")
_VISIBLE_TP = TaskProject.__table__.alias("visible_tp")
_VISIBLE_TF = TaskFollower.__table__.alias("visible_tf")
_VISIBLE_ROOT = Task.__table__.alias("visible_root")

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


def _project_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    pm, tm = _VISIBLE_PM, _VISIBLE_TM
    direct = exists().where(pm.c.project_gid == Project.gid, pm.c.user_gid == viewer)
    my_teams = select(tm.c.team_gid).where(tm.c.user_gid == viewer)
    through_team = exists().where(pm.c.project_gid == Project.gid, pm.c.team_gid.in_(my_teams))
    return and_(
        Project.workspace_gid.in_(workspaces),
        or_(Project.privacy_setting == "public_to_workspace", direct, through_team),
    )


def project_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Project`: the caller may see the project (see the module docstring)."""
    return _project_for(ctx.user_gid, _mine(ctx))


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
        row = _lookup(ctx, "project_membership", gid)
        found = None if row is None else row[0]
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


def _task_own(viewer: Viewer, workspaces: Workspaces, task: FromClause) -> ColumnElement[bool]:
    """SQL condition on one task row: the viewer is assigned or follows it, or sees one of its projects.

    Not `created_by`: the creator follows the task from the start, and a user removed from the
    workspace (who stops following) must not regain the task by being re-added."""
    tp, follower = _VISIBLE_TP, _VISIBLE_TF
    return or_(
        task.c.assignee_gid == viewer,
        exists().where(follower.c.task_gid == task.c.gid, follower.c.user_gid == viewer),
        exists().where(
            tp.c.task_gid == task.c.gid, Project.gid == tp.c.project_gid, _project_rule(viewer, workspaces)
        ),
    )


def _task_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    table = Task.__table__
    root = _VISIBLE_ROOT
    own, root_own = _task_own(viewer, workspaces, table), _task_own(viewer, workspaces, root)
    return and_(
        table.c.workspace_gid.in_(workspaces),
        or_(own, exists().where(root.c.gid == table.c.root_gid, root_own)),
    )


def task_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Task`: the caller may see the task (see the module docstring)."""
    return _task_for(ctx.user_gid, _mine(ctx))


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
        row = _lookup(ctx, "task", gid)
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
    rows = conn.execute(
        select(ProjectMember.user_gid).where(
            ProjectMember.project_gid == project_gid,
            ProjectMember.access_level == "admin",
            ProjectMember.user_gid.is_not(None),
        )
    )
    return {int(r[0]) for r in rows if r[0] is not None}


def require_member_removal(ctx: Caller, project: VisibleProject, users: list[int]) -> None:
    """Removing project members: removing an admin needs project admin (403), and the project keeps
    at least one admin (400). The caller holds the project row locked (lock="update"), so two
    concurrent removals cannot each leave the other as the last admin and remove it."""
    admins = project_admins(ctx.conn, project.gid)
    if not admins & set(users):
        return
    require_project_level(project, "admin", "remove its admins")
    if admins <= set(users):
        raise InvalidRequest(
            "members: A project must keep at least one admin; make another member an admin first"
        )


# ---- tasks follow their projects' access levels ----------------------------------------------


def require_task_edit(ctx: Caller, task: VisibleTask, what: str = "change this task") -> None:
    """403 when the caller sees at least one project the task (or its top-level ancestor) is in,
    but is editor or admin in none of them (viewers and commenters may not change tasks)."""
    gids = sql.fetch(
        ctx.conn,
        "SELECT DISTINCT project_gid FROM task_projects WHERE task_gid IN (?, ?)",
        [task.gid, task.root_gid],
    )
    seen = False
    for (project_gid,) in gids:
        try:
            found = project(ctx, str(project_gid))
        except NotFound:
            continue
        if PROJECT_LEVELS.index(found.access_level) >= PROJECT_LEVELS.index("editor"):
            return
        seen = True
    if seen:
        raise Forbidden(f"You need editor access to a project of this task to {what}.")


# ---- references in responses: what the caller cannot see shows only {gid, resource_type} -------


def _hidden_among(
    ctx: Caller, gids: list[int], proven: str, rule: Callable[[], ColumnElement[bool]], table: Any
) -> set[int]:
    """The gids the caller cannot see. `proven` (prepared SQL, cheap) returns those visible by a
    sufficient condition of the rule, with `?` for the caller's gid and then the gid list; only the
    rest are decided by the rule itself (`rule()` on `table`), so every answer is the one rule's."""
    marks = sql.marks(len(gids))
    query = proven.replace("{gids}", marks)
    args = [ctx.user_gid] * (query.count("?") - len(gids))
    seen = {int(r[0]) for r in sql.fetch(ctx.conn, query, [*args, *gids])}
    rest = [g for g in gids if g not in seen]
    if not rest:
        return set()
    visible = {int(r[0]) for r in ctx.conn.execute(select(table.c.gid).where(table.c.gid.in_(rest), rule()))}
    return set(rest) - visible


_MINE = "SELECT workspace_gid FROM workspace_members WHERE user_gid = ?"
# Sufficient for `team_visible`: a team of the caller's workspace, not secret or with the caller in it.
_TEAMS_PROVEN = (
    f"SELECT t.gid FROM teams t WHERE t.workspace_gid IN ({_MINE}) AND (t.visibility <> 'secret'"
    " OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_gid = t.gid AND m.user_gid = ?))"
    " AND t.gid IN ({gids})"
)
# Sufficient for `task_visible`: the task or its root is assigned to or followed by the caller, or is
# in a public project or one the caller is a member of (a task's projects share its workspace).
_TASKS_PROVEN = (
    f"SELECT t.gid FROM tasks t WHERE t.workspace_gid IN ({_MINE}) AND EXISTS (SELECT 1 FROM tasks x"
    " WHERE x.gid IN (t.gid, t.root_gid) AND (x.assignee_gid = ?"
    " OR EXISTS (SELECT 1 FROM task_followers f WHERE f.task_gid = x.gid AND f.user_gid = ?)"
    " OR EXISTS (SELECT 1 FROM task_projects tp JOIN projects p ON p.gid = tp.project_gid"
    " WHERE tp.task_gid = x.gid AND (p.privacy_setting = 'public_to_workspace'"
    " OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_gid = p.gid AND m.user_gid = ?)))))"
    " AND t.gid IN ({gids})"
)


def hidden_teams(conn: Connection, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these team gids, the ones the viewer cannot see (a secret team they are not in)."""
    return _hidden_among(viewer, gids, _TEAMS_PROVEN, lambda: team_visible(viewer), Team.__table__)


def hidden_tasks(conn: Connection, viewer: Caller, gids: list[int]) -> set[int]:
    """Of these task gids, the ones the viewer cannot see (e.g. the parent of a task assigned to them)."""
    return _hidden_among(viewer, gids, _TASKS_PROVEN, lambda: task_visible(viewer), Task.__table__)


# ---- section gids named in bodies ------------------------------------------------------------


def project_section(ctx: Caller, project_gid: int, field: str, value: object) -> int:
    """A section gid from a body, which must be a section of this project (400 otherwise).

    A section the caller cannot see (of another workspace, or of a project hidden from them) answers
    exactly like a gid that does not exist ("Unknown object"); only a section of another project the
    caller can see says it is not one of this project's.
    """
    gid = body_gid(field, value)
    found = ctx.conn.execute(select(Section.project_gid).where(Section.gid == gid)).scalar()
    if found is not None and found != project_gid:
        try:
            project(ctx, str(found))
        except NotFound:
            found = None
        else:
            raise InvalidRequest(
                f"{field}: Not a section of this project. Sections cannot be moved between projects"
            )
    if found is None:
        raise InvalidRequest(f"{field}: Unknown object: {str(value)[:64]}")
    return gid


# ---- tags --------------------------------------------------------------------------------------


def tag(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int]:
    """A tag in a workspace the caller belongs to, as (gid, workspace gid): a tag is visible to
    every member of its workspace (Asana has no private tags); 404 in a path, 400 in a body."""
    gid = as_gid(value)
    workspace = None
    if gid is not None:
        workspace = sql.fetch_value(ctx.conn, "SELECT workspace_gid FROM tags WHERE gid = ?", [gid])
    if gid is None or workspace is None or int(workspace) not in workspace_roles(ctx):
        raise unknown(field, value, "tag")
    return gid, int(workspace)


# ---- webhooks ----------------------------------------------------------------------------------


def webhook(ctx: Caller, value: str) -> int:
    """A webhook the caller created, in a workspace they still belong to (404 otherwise): Asana
    shows a webhook only to the app or token that made it, so nobody else learns it exists."""
    gid = as_gid(value)
    workspace = None
    if gid is not None:
        workspace = sql.fetch_value(
            ctx.conn,
            "SELECT workspace_gid FROM webhooks WHERE gid = ? AND creator_gid = ?",
            [gid, ctx.user_gid],
        )
    if workspace is None or workspace not in workspace_roles(ctx):
        raise unknown(None, value, "webhook")
    return int(gid or 0)


# ---- leaving a workspace -----------------------------------------------------------------------


def require_workspace_removal(ctx: Caller, workspace_gid: int, user_gid: int) -> int:
    """removeUser: the caller must administer the workspace (403), and its last admin stays (400).
    Returns who inherits what the user owns: the caller, or when admins remove themselves another
    admin (the one with the lowest gid), so nothing passes to the person leaving.

    Locks the workspace row first (PostgreSQL) and reads the admins afresh, so two admins removing
    each other at the same moment cannot leave the workspace with none.
    """
    if ctx.conn.dialect.name == "postgresql":
        sql.fetch(ctx.conn, "SELECT 1 FROM workspaces WHERE gid = ? FOR UPDATE", [workspace_gid])
    admins = {
        int(r[0])
        for r in sql.fetch(
            ctx.conn,
            "SELECT user_gid FROM workspace_members WHERE workspace_gid = ? AND is_admin",
            [workspace_gid],
        )
    }
    if ctx.user_gid not in admins:
        raise Forbidden("You must be an admin of this workspace to do that.")
    if admins == {user_gid}:
        raise InvalidRequest(
            "user: The last admin of a workspace cannot be removed; make another member an admin first"
        )
    return ctx.user_gid if user_gid != ctx.user_gid else min(admins - {user_gid})


def job(ctx: Caller, value: str) -> int:
    """An Asana job (a public kind of background work, vinyasa.core.runner) by gid string: only its
    creator sees it; anyone else gets the 404 an unknown job gets (Asana, tag Jobs)."""
    gid = as_gid(value)
    rows = []
    if gid is not None:
        rows = sql.fetch(
            ctx.conn, "SELECT kind FROM jobs WHERE gid = ? AND creator_gid = ?", [gid, ctx.user_gid]
        )
    if gid is None or not rows or not is_public(rows[0][0]):
        raise unknown(None, value, "job")
    return gid


def template_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on ProjectTemplate: the caller owns it, or it is public and they are in its
    team (a template with no team: in its workspace). Private templates are their owner's."""
    return or_(
        ProjectTemplate.owner_gid == ctx.user_gid,
        and_(
            ProjectTemplate.public.is_(True),
            ProjectTemplate.workspace_gid.in_(list(workspace_roles(ctx))),
            or_(
                ProjectTemplate.team_gid.is_(None),
                exists().where(
                    TeamMember.team_gid == ProjectTemplate.team_gid, TeamMember.user_gid == ctx.user_gid
                ),
            ),
        ),
    )


def project_template(ctx: Caller, value: str, field: str | None = None) -> tuple[int, int, int | None]:
    """A project template the caller can see, as (gid, workspace gid, owner gid)."""
    gid = as_gid(value)
    row = None
    if gid is not None:
        row = ctx.conn.execute(
            select(ProjectTemplate.gid, ProjectTemplate.workspace_gid, ProjectTemplate.owner_gid).where(
                ProjectTemplate.gid == gid, template_visible(ctx)
            )
        ).first()
    if row is None:
        raise unknown(field, value, "project template")
    return int(row.gid), int(row.workspace_gid), row.owner_gid


def require_template_owner(ctx: Caller, owner_gid: int | None, workspace_gid: int) -> None:
    """403 unless the caller owns the template or administers its workspace (deleting it)."""
    if owner_gid != ctx.user_gid and not workspace_roles(ctx).get(workspace_gid, False):
        raise Forbidden("You do not have permission to delete this project template")


# ---- portfolios --------------------------------------------------------------------------------

PORTFOLIO_LEVELS = ("viewer", "editor", "admin")  # weakest first; portfolios have no commenters


@dataclass(frozen=True)
class VisiblePortfolio:
    """A portfolio the caller can see, with the caller's access level on it."""

    gid: int
    workspace_gid: int
    owner_gid: int | None
    default_access_level: str
    access_level: str


_PORTFOLIO_SQL = (
    "SELECT p.gid, p.workspace_gid, p.owner_gid, p.default_access_level, p.privacy_setting,"
    " (SELECT access_level FROM portfolio_members WHERE portfolio_gid = p.gid AND user_gid = ?)"
    " FROM portfolios p WHERE p.gid = ?"
)


def portfolio(ctx: Caller, value: str, field: str | None = None, *, lock: bool = False) -> VisiblePortfolio:
    """A portfolio the caller can see (404 in a path, 400 in a body); `lock` holds its row until
    the transaction ends (PostgreSQL), serializing changes to its items and members. The lock is
    FOR NO KEY UPDATE: foreign-key checks of rows naming the portfolio (nesting it elsewhere) do
    not wait for it, so two requests nesting two portfolios in each other cannot deadlock."""
    gid = as_gid(value)
    found = None
    if gid is not None:
        locking = " FOR NO KEY UPDATE OF p" if lock and ctx.conn.dialect.name == "postgresql" else ""
        rows = sql.fetch(ctx.conn, _PORTFOLIO_SQL + locking, [ctx.user_gid, gid])
        if rows:
            pgid, workspace_gid, owner, default, privacy, level = rows[0]
            if workspace_gid in workspace_roles(ctx) and (privacy == "public_to_domain" or level is not None):
                found = VisiblePortfolio(pgid, workspace_gid, owner, default, level or "viewer")
    if found is None:
        raise unknown(field, value, "portfolio")
    return found


def require_portfolio_level(portfolio: VisiblePortfolio, needed: str, what: str) -> None:
    """403 unless the caller's access level on the portfolio is at least `needed`."""
    if PORTFOLIO_LEVELS.index(portfolio.access_level) < PORTFOLIO_LEVELS.index(needed):
        raise Forbidden(f"You need {needed} access to this portfolio to {what}.")


_VISIBLE_PFM = PortfolioMember.__table__.alias("visible_pfm")


def portfolio_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Portfolio`: the caller may see the portfolio (see the module docstring)."""
    member = exists().where(
        _VISIBLE_PFM.c.portfolio_gid == Portfolio.gid, _VISIBLE_PFM.c.user_gid == ctx.user_gid
    )
    return and_(
        Portfolio.workspace_gid.in_(list(workspace_roles(ctx))),
        or_(Portfolio.privacy_setting == "public_to_domain", member),
    )


def portfolio_membership(ctx: Caller, value: str) -> int:
    """A portfolio membership whose portfolio the caller can see, by gid string (404 otherwise)."""
    gid = as_gid(value)
    found = None
    if gid is not None:
        found = ctx.conn.execute(
            select(PortfolioMember.gid)
            .join(Portfolio, Portfolio.gid == PortfolioMember.portfolio_gid)
            .where(PortfolioMember.gid == gid, portfolio_visible(ctx))
        ).scalar_one_or_none()
    if found is None:
        raise unknown(None, value, "portfolio membership")
    return int(found)


# The items of a portfolio (`pi`, a portfolio_items row) the caller may see, as SQL with `?` for
# the caller's gid (PORTFOLIO_ITEM_PARAMS of them): a project by `project_visible`'s rule, a nested
# portfolio by `portfolio_visible`'s. The workspace part of both rules holds already: items share
# the portfolio's workspace, and the caller sees the portfolio.
PORTFOLIO_ITEM_VISIBLE = (
    "((pi.project_gid IS NOT NULL AND EXISTS (SELECT 1 FROM projects ip WHERE ip.gid = pi.project_gid"
    " AND (ip.privacy_setting = 'public_to_workspace'"
    " OR EXISTS (SELECT 1 FROM project_members im WHERE im.project_gid = ip.gid AND im.user_gid = ?)"
    " OR EXISTS (SELECT 1 FROM project_members im JOIN team_members it ON it.team_gid = im.team_gid"
    " WHERE im.project_gid = ip.gid AND it.user_gid = ?))))"
    " OR (pi.child_gid IS NOT NULL AND EXISTS (SELECT 1 FROM portfolios iq WHERE iq.gid = pi.child_gid"
    " AND (iq.privacy_setting = 'public_to_domain'"
    " OR EXISTS (SELECT 1 FROM portfolio_members iqm"
    " WHERE iqm.portfolio_gid = iq.gid AND iqm.user_gid = ?)))))"
)
PORTFOLIO_ITEM_PARAMS = 3


# ---- rules (vinyasa.rules) ------------------------------------------------------------------------


@dataclass(frozen=True)
class VisibleRule:
    """A rule whose project the caller can edit."""

    gid: int
    project: VisibleProject
    trigger_type: str


def rule(ctx: Caller, value: str, *, by_trigger: bool = False) -> VisibleRule:
    """A rule by gid string (or, `by_trigger`, by its `rule_trigger_gid`). Rules are part of editing
    their project: a caller who cannot see the project gets the 404 of an unknown rule (or rule
    trigger), one who sees it with less than editor access a 403."""
    gid = as_gid(value)
    column = "trigger_gid" if by_trigger else "gid"
    rows = []
    if gid is not None:
        rows = sql.fetch(
            ctx.conn, f"SELECT gid, project_gid, trigger_type FROM rules WHERE {column} = ?", [gid]
        )
    kind = "rule_trigger" if by_trigger else "rule"
    if not rows:
        raise unknown(None, value, kind)
    try:
        found = project(ctx, str(rows[0][1]))
    except NotFound:
        raise unknown(None, value, kind) from None
    if not by_trigger:
        require_project_level(found, "editor", "change its rules")
    return VisibleRule(int(rows[0][0]), found, str(rows[0][2]))


# --- prepared visibility: the rules above as SQL text, rendered once per dialect ---


@cache
def _project_rule_sql(dialect: str) -> sql.Fragment:
    return sql.fragment(Project.__table__, _project_rule(_VIEWER, _viewer_workspaces()), dialect)


def project_visible_sql(ctx: Caller) -> tuple[str, list[Any]]:
    """`project_visible` as prepared SQL on the `projects` table (by that name, unaliased) and its
    parameters: the same rule, for queries written as SQL text (vinyasa.protocol.sql)."""
    rule = _project_rule_sql(ctx.conn.dialect.name)
    return rule.text, rule.params(viewer=ctx.user_gid)


@cache
def _prepared_sql(kind: str, dialect: str) -> sql.Prepared:
    """`_prepared(kind)` as SQL text: the one-object lookups run on every request that names one."""
    return sql.prepare(_prepared(kind), dialect)
