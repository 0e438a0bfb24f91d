"""Rich/plain text pairs in request bodies (notes/html_notes, text/html_text, description/...).

A body may give the rich form or the plain form, never both; the rich form is validated by
`vinyasa.richtext` with the object's tag set, leniently unless the server runs with
`VINYASA_RICH_TEXT=strict`, and its @-mentions (`<a data-asana-gid>`) are resolved here against
what the caller can see (`vinyasa.access`): users, tasks, projects, teams and status updates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from vinyasa import access, richtext
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest
from vinyasa.models import Project, Status, Task, Team, User, WorkspaceMember


def _mentions(ctx: Caller, keys: set[richtext.LinkKey]) -> dict[richtext.LinkKey, richtext.Mention]:
    """What each linked gid names, with this server's permalink for it, when the caller can see it.

    One query per kind whatever the number of links (gids are unique across resources, so each
    kind only looks for the gids not found yet). Permalinks follow Asana's forms: a user's profile
    `/0/profile/{gid}`, a task `/0/0/{gid}/f` (or `/0/{project}/{gid}` in a visible
    `data-asana-project`), a project `/0/{gid}/list`, a team `/0/team/{gid}`, a status update
    `/0/{project}/{gid}`.
    """
    base, conn = ctx.base_url, ctx.conn
    pending = {gid for gid, _ in keys}
    named: dict[int, richtext.Mention] = {}

    def found(kind: str, rows: Iterable[Any], href: Callable[[Any], str]) -> None:
        for row in rows:
            named[row[0]] = richtext.Mention(kind, row[1], href(row))
            pending.discard(row[0])

    users = conn.execute(select(User.gid, User.name).where(User.gid.in_(pending))).all()
    sharing = {ctx.user_gid} | set(
        conn.scalars(
            select(WorkspaceMember.user_gid).where(
                WorkspaceMember.user_gid.in_([u.gid for u in users]),
                WorkspaceMember.workspace_gid.in_(list(access.workspace_roles(ctx))),
            )
        )
    )
    pending -= {u.gid for u in users}  # a user the caller cannot see is not another kind either
    found("user", (u for u in users if u.gid in sharing), lambda r: f"{base}/0/profile/{r[0]}")
    if pending:
        rows = conn.execute(
            select(Task.gid, Task.name).where(Task.gid.in_(pending), access.task_visible(ctx))
        )
        found("task", rows, lambda r: f"{base}/0/0/{r[0]}/f")
    in_projects = {project for _, project in keys if project is not None}
    projects: dict[int, str] = {}
    if pending or in_projects:
        visible = select(Project.gid, Project.name).where(access.project_visible(ctx))
        projects = {r[0]: r[1] for r in conn.execute(visible.where(Project.gid.in_(pending | in_projects)))}
        found(
            "project",
            ((g, n) for g, n in projects.items() if g in pending),
            lambda r: f"{base}/0/{r[0]}/list",
        )
    if pending:
        rows = conn.execute(
            select(Team.gid, Team.name).where(Team.gid.in_(pending), access.team_visible(ctx))
        )
        found("team", rows, lambda r: f"{base}/0/team/{r[0]}")
    if pending:
        rows = conn.execute(
            select(Status.gid, Status.title, Status.project_gid)
            .join(Project, Project.gid == Status.project_gid)
            .where(Status.gid.in_(pending), access.project_visible(ctx))
        )
        found("status_update", rows, lambda r: f"{base}/0/{r[2]}/{r[0]}")
    result: dict[richtext.LinkKey, richtext.Mention] = {}
    for gid, project in keys:
        mention = named.get(gid)
        if mention is not None and mention.kind == "task" and project in projects:
            mention = replace(mention, href=f"{base}/0/{project}/{gid}", project=project)
        if mention is not None:
            result[(gid, project)] = mention
    return result


def stored_rich_text(
    ctx: Caller,
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
            resolve=lambda keys: _mentions(ctx, keys),
            strict=ctx.rich_text_strict,
        )
    if text is not None:
        return richtext.from_text(text)
    return None
