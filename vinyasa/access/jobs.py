"""Jobs and project templates (vinyasa.jobs): a job is its creator's; a template its owner's, or, when
public, its team's (vinyasa.access)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select

from vinyasa.access.core import (
    GID,
    VIEWER,
    Viewer,
    Workspaces,
    find,
    per_viewer,
    rule_sql,
    unknown,
    viewer_workspaces,
    workspace_roles,
)
from vinyasa.core import Caller
from vinyasa.core.runner import is_public
from vinyasa.errors import Forbidden
from vinyasa.models import ProjectTemplate, TeamMember
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid


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


def _template_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    in_team = exists().where(TeamMember.team_gid == ProjectTemplate.team_gid, TeamMember.user_gid == viewer)
    return or_(
        ProjectTemplate.owner_gid == viewer,
        and_(
            ProjectTemplate.public.is_(True),
            ProjectTemplate.workspace_gid.in_(workspaces),
            or_(ProjectTemplate.team_gid.is_(None), in_team),
        ),
    )


_template_for = per_viewer(_template_rule)


def template_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on ProjectTemplate: the caller owns it, or it is public and they are in its
    team (a template with no team: in its workspace). Private templates are their owner's."""
    return _template_for(ctx)


# `template_visible` as prepared SQL on the `project_templates` table (by that name) and its parameters.
template_visible_sql = rule_sql(ProjectTemplate.__table__, _template_rule)


@cache
def _prepared_template() -> Any:
    """The one-template lookup under the rule, for the `viewer` and `gid` parameters."""
    columns = (ProjectTemplate.gid, ProjectTemplate.workspace_gid, ProjectTemplate.owner_gid)
    return select(*columns).where(ProjectTemplate.gid == GID, _template_rule(VIEWER, viewer_workspaces()))


def project_template(
    ctx: Caller, value: str, field: str | None = None, *, lock: bool = False
) -> tuple[int, int, int | None]:
    """A project template the caller can see, as (gid, workspace gid, owner gid); `lock` its row
    (vinyasa.access.core.locking)."""
    row = find(ctx, _prepared_template, value, field, "project template", lock=lock)
    return int(row.gid), int(row.workspace_gid), row.owner_gid


def require_template_owner(ctx: Caller, owner_gid: int | None, workspace_gid: int) -> None:
    """403 unless the caller owns the template or administers its workspace (deleting it)."""
    if owner_gid != ctx.user_gid and not workspace_roles(ctx).get(workspace_gid, False):
        raise Forbidden("You do not have permission to delete this project template")
