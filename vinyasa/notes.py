"""Rich/plain text pairs in request bodies (notes/html_notes, text/html_text, description/...).

A body may give the rich form or the plain form, never both; the rich form is validated by
`vinyasa.richtext` with the object's tag set, leniently unless the server runs with
`VINYASA_RICH_TEXT=strict`, and its @-mentions (`<a data-asana-gid>`) are resolved here against
what the caller can see (`vinyasa.access`): users, tasks, projects, teams and status updates.
"""

from __future__ import annotations

from sqlalchemy import select

from vinyasa import access, richtext
from vinyasa.errors import InvalidRequest
from vinyasa.models import Project, Status, Task, Team, User
from vinyasa.protocol.context import Ctx


def _visible_project(ctx: Ctx, gid: int) -> str | None:
    """The name of a project the caller can see, else None."""
    return ctx.conn.execute(
        select(Project.name).where(Project.gid == gid, access.project_visible(ctx))
    ).scalar_one_or_none()


def _mention(ctx: Ctx, gid: int, project_gid: int | None) -> richtext.Mention | None:
    """What `gid` names, with this server's permalink for it, if the caller can see it.

    Permalinks follow Asana's forms: a user's profile `/0/profile/{gid}`, a task `/0/0/{gid}/f` (or
    `/0/{project}/{gid}` in a visible `data-asana-project`), a project `/0/{gid}/list`, a team
    `/0/team/{gid}`, a status update `/0/{project}/{gid}`. Gids are unique across resources, so
    the first table holding it answers.
    """
    base = ctx.base_url
    user = ctx.conn.execute(select(User.name).where(User.gid == gid)).scalar_one_or_none()
    if user is not None:
        return (
            richtext.Mention("user", user, f"{base}/0/profile/{gid}")
            if access.shares_workspace(ctx, gid)
            else None
        )
    task = ctx.conn.execute(select(Task.name).where(Task.gid == gid, access.task_visible(ctx))).first()
    if task is not None:
        if project_gid is not None and _visible_project(ctx, project_gid) is not None:
            return richtext.Mention("task", task.name, f"{base}/0/{project_gid}/{gid}", project_gid)
        return richtext.Mention("task", task.name, f"{base}/0/0/{gid}/f")
    name = _visible_project(ctx, gid)
    if name is not None:
        return richtext.Mention("project", name, f"{base}/0/{gid}/list")
    team = ctx.conn.execute(select(Team.name).where(Team.gid == gid, access.team_visible(ctx))).first()
    if team is not None:
        return richtext.Mention("team", team.name, f"{base}/0/team/{gid}")
    status = ctx.conn.execute(
        select(Status.title, Status.project_gid)
        .join(Project, Project.gid == Status.project_gid)
        .where(Status.gid == gid, access.project_visible(ctx))
    ).first()
    if status is not None:
        return richtext.Mention("status_update", status.title, f"{base}/0/{status.project_gid}/{gid}")
    return None


def stored_rich_text(
    ctx: Ctx,
    rich: tuple[str, str | None],
    plain: tuple[str, str | None],
    allowed: frozenset[str] = richtext.BASIC_TAGS,
) -> str | None:
    """The rich text to store from (`html_field`, value) or (`text_field`, value); None if neither.

    `allowed` is the object's tag set (`richtext.BASIC_TAGS`, `TASK_TAGS` or `BRIEF_TAGS`).
    """
    (rich_field, html), (plain_field, text) = rich, plain
    if html is not None and text is not None:
        raise InvalidRequest(f"You may only provide one of {plain_field} or {rich_field}")
    if html is not None:
        return richtext.normalize(
            rich_field,
            html,
            allowed,
            resolve=lambda gid, project: _mention(ctx, gid, project),
            strict=ctx.runtime.rich_text_strict,
        )
    if text is not None:
        return richtext.from_text(text)
    return None
