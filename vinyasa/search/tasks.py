"""Task search (`GET /workspaces/{gid}/tasks/search`): Asana's advanced-search filters as SQL.

Asana: https://developers.asana.com/reference/searchtasksforworkspace. Not paginated: at most
`limit` (default and maximum 100) tasks, newest first by `modified_at` unless `sort_by` says
otherwise; ties by gid. Only tasks the caller can see (vinyasa.access.task_visible) come back.
`portfolios.any`: tasks in the projects the caller sees among the portfolios' direct items
(vinyasa.access.PORTFOLIO_ITEM_VISIBLE); text and custom field filters: vinyasa.search.filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.values import split_list
from vinyasa.search import indexing, queries
from vinyasa.search.filters import boolean, custom_fields, order_by, portfolios, sort, text, times, users
from vinyasa.search.queries import Cond

SUBTYPES = ("default_task", "milestone", "section", "approval", "custom")
SORTS = ("due_date", "created_at", "completed_at", "likes", "modified_at")
_NULLABLE = ("due_date", "completed_at")  # sort keys a task may lack
_ORDER = {
    "created_at": "tasks.created_at",
    "completed_at": "tasks.completed_at",
    "modified_at": "tasks.modified_at",
    "likes": "tasks.modified_at",  # no likes are recorded: every task has 0, so the default order
}
_MODES = ("any", "not", "all")


def _gids(params: Mapping[str, str], name: str) -> list[str] | None:
    raw = params.get(name)
    return None if raw is None else split_list(raw)


def _places(
    ctx: Caller, params: Mapping[str, str], workspace_gid: int
) -> tuple[list[Cond], bool, int | None]:
    """projects.* and sections.* (each named one must be visible: 400 otherwise); whether an
    `any`/`all` one confines the results to visible projects (then every result is visible); the
    one project of `projects.any` when it names one and there is no `sections.any` (the query is
    then driven from that project's placements, and its condition is not among those returned)."""
    out: list[Cond] = []
    either: list[Cond] = []  # projects.any and sections.any: tasks of the projects *and* of the sections
    confined = False
    for kind, column in (("projects", "project_gid"), ("sections", "section_gid")):
        for mode in _MODES:
            name = f"{kind}.{mode}"
            values = _gids(params, name)
            if values is None:
                continue
            gids = []
            for value in values:
                if kind == "projects":
                    project = access.project(ctx, value, name)
                    gids.append(project.gid)
                    space = project.workspace_gid
                else:
                    section = access.section(ctx, value, name)
                    gids.append(section.gid)
                    space = section.project.workspace_gid
                if space != workspace_gid:
                    raise access.unknown(name, value, kind[:-1])
            # A placement copies its task's `completed`: `completed=` narrows the index range too.
            completed = boolean(params, "completed")
            also: Cond = ("l.completed = ?", [completed]) if completed is not None else ("", [])
            condition = queries.linked("task_projects", "task_gid", column, gids, mode, also)
            (either if mode == "any" else out).append(condition)
            confined = confined or (mode != "not" and bool(gids))
    single = None
    if len(either) == 1 and "sections.any" not in params and len(split_list(params["projects.any"])) == 1:
        single = as_gid(split_list(params["projects.any"])[0])
        either = []
    if either:
        out.append((" OR ".join(f"({c})" for c, _ in either), [v for _, p in either for v in p]))
    return out, confined, single


def _people(ctx: Caller, params: Mapping[str, str]) -> list[Cond]:
    out: list[Cond] = []
    for base, column in (("assignee", "tasks.assignee_gid"), ("created_by", "tasks.created_by_gid")):
        for mode in ("any", "not"):
            found = users(ctx, params, f"{base}.{mode}", nulls=base == "assignee")
            if found is not None:
                gids, nulls = found
                out.append(queries.among(column, gids, negate=mode == "not", nulls=nulls))
    for mode in ("any", "not"):
        found = users(ctx, params, f"followers.{mode}")
        if found is not None:
            out.append(queries.linked("task_followers", "task_gid", "user_gid", found[0], mode))
    return out


def _tags(ctx: Caller, params: Mapping[str, str], workspace_gid: int) -> list[Cond]:
    """`tags.any`/`tags.not`/`tags.all`: each named tag must be visible and in the searched
    workspace (400 otherwise)."""
    out: list[Cond] = []
    for mode in _MODES:
        name = f"tags.{mode}"
        values = _gids(params, name)
        if values is None:
            continue
        gids = []
        for value in values:
            tag_gid, space = access.tag(ctx, value, name)
            if space != workspace_gid:
                raise access.unknown(name, value, "tag")
            gids.append(tag_gid)
        if gids:
            out.append(queries.linked("task_tags", "task_gid", "tag_gid", gids, mode))
    return out


def _flags(params: Mapping[str, str]) -> list[Cond]:
    out: list[Cond] = []
    completed = boolean(params, "completed")
    if completed is not None:
        out.append(("tasks.completed = ?", [completed]))
    subtask = boolean(params, "is_subtask")
    if subtask is not None:
        out.append(("tasks.parent_gid IS NOT NULL" if subtask else "tasks.parent_gid IS NULL", []))
    blocked = boolean(params, "is_blocked")
    if blocked is not None:
        out.append(queries.flag(queries.BLOCKED, blocked, [False]))
    blocking = boolean(params, "is_blocking")
    if blocking is not None:
        out.append(queries.flag(queries.BLOCKING, blocking, [False]))
    if boolean(params, "has_attachment"):
        out.append(("1 = 0", []))  # vinyasa has no attachments: no task has one
    subtype = params.get("resource_subtype")
    if subtype is not None:
        if subtype not in SUBTYPES:
            raise InvalidRequest(f"resource_subtype: Not one of {', '.join(SUBTYPES)}: {subtype[:64]}")
        out.append(("tasks.resource_subtype = ?", [subtype]))
    return out


def search_tasks(ctx: Caller, workspace_gid: int, params: Mapping[str, str], limit: int | None) -> list[int]:
    """The gids of the matching tasks the caller can see, in the requested order (at most `limit`,
    default 100). 400 for a bad or unknown value of any filter."""
    conditions: list[Cond] = [("tasks.workspace_gid = ?", [workspace_gid])]
    dialect = ctx.conn.dialect.name
    conditions += text(ctx, params, indexing.TASKS)
    places, confined, single = _places(ctx, params, workspace_gid)
    conditions += places
    for mode in ("any",):
        values = _gids(params, f"teams.{mode}")
        if values is not None:
            gids = []
            for value in values:
                team_gid, space = access.team(ctx, value, "teams.any")
                if space != workspace_gid:
                    raise access.unknown("teams.any", value, "team")
                gids.append(team_gid)
            conditions.append(queries.task_teams(gids))
    folios = portfolios(ctx, params, workspace_gid)
    if folios is not None:  # tasks in the projects the caller sees among the portfolios' items
        seen = (access.PORTFOLIO_ITEM_VISIBLE, [ctx.user_gid] * access.PORTFOLIO_ITEM_PARAMS)
        conditions.append(queries.in_portfolios("tasks", folios, seen))
        confined = True  # every such task is in a project the caller sees
    conditions += _tags(ctx, params, workspace_gid)
    conditions += _people(ctx, params)
    conditions += _flags(params)
    conditions += times(params, "due", "tasks.due_on", "tasks.due_at")
    conditions += times(params, "start", "tasks.start_on", "tasks.start_at")
    for prefix in ("created", "completed", "modified"):
        conditions += times(params, prefix, None, f"tasks.{prefix}_at")
    conditions += custom_fields(ctx, params, workspace_gid, queries.TASK_VALUES)
    by, ascending = sort(params, SORTS)
    key = queries.due_key(dialect, "tasks") if by == "due_date" else _ORDER[by]
    order = order_by(key, ascending, "tasks.gid", nullable=by in _NULLABLE)
    where = " AND ".join(f"({c})" for c, _ in conditions)
    bound: list[Any] = [v for _, p in conditions for v in p]
    if single is None:
        query = queries.ordered("tasks", where, order)
    else:  # one project: its placements (completion and due date copied there) in index order
        completed = boolean(params, "completed")
        if completed is not None:
            where, bound = f"tp.completed = ? AND {where}", [completed, *bound]
        bound = [single, *bound]
        if by == "due_date":
            order = queries.placed_due_order(dialect, ascending)
        query = queries.placed(where, order)
    return _visible_first(ctx, query, bound, limit or 100, check=not confined)


def _visible_first(ctx: Caller, query: str, params: Sequence[Any], limit: int, *, check: bool) -> list[int]:
    """The first `limit` gids of the ordered `query` (prepared SQL taking LIMIT and OFFSET last)
    that the caller can see: candidates are read in growing batches and judged by the one rule
    (vinyasa.access.hidden_tasks), so only as many rows are judged as the answer needs: a quarter
    more than asked at first (a few hidden ones cost no second round; each judged row costs ~2.5 µs
    on SQLite, and the first batch was 200 for an answer of 100), four times as many each round
    after."""
    found: list[int] = []
    offset, batch = 0, limit if not check else max(limit + limit // 4, 20)
    while len(found) < limit:
        gids = [int(row[0]) for row in sql.fetch(ctx.conn, query, [*params, batch, offset])]
        hidden = access.hidden_tasks(ctx.conn, ctx, gids) if check and gids else set()
        found += [gid for gid in gids if gid not in hidden]
        if len(gids) < batch:
            break
        offset, batch = offset + batch, batch * 4
    return found[:limit]
