"""Jobs and project templates (vinyasa.jobs): a job is its creator's; a template its owner's, or, when
public, its team's (vinyasa.access)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from vinyasa.access.core import unknown, workspace_roles
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
