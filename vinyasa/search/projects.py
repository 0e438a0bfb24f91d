"""Project search (`GET /workspaces/{gid}/projects/search`): the filters its spec lists, as SQL.

Asana: https://developers.asana.com/reference/searchprojectsforworkspace. `text` matches the
project's name (prefixes of its words, the database's full-text index); `members` are the
project's user members; `portfolios.any` the portfolios' direct items (not the projects of
portfolios nested in them: Asana does not say); `custom_fields.{gid}.*` the values the project's
portfolios give it (vinyasa.search.filters.custom_fields, as task search). Only projects the
caller can see (vinyasa.access.project_visible).
"""

from __future__ import annotations

from collections.abc import Mapping

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.protocol import sql
from vinyasa.protocol.values import split_list
from vinyasa.search import indexing, queries
from vinyasa.search.filters import boolean, custom_fields, order_by, portfolios, sort, text, times, users
from vinyasa.search.queries import Cond

SORTS = ("due_date", "created_at", "completed_at", "modified_at", "relevance")
_ORDER = {
    "created_at": "projects.created_at",
    "completed_at": "projects.completed_at",
    "modified_at": "projects.modified_at",
    "relevance": "projects.modified_at",  # every match is as relevant: the default order
}


def _people(ctx: Caller, params: Mapping[str, str]) -> list[Cond]:
    out: list[Cond] = []
    owners = users(ctx, params, "owner.any")
    if owners is not None:
        out.append(queries.among("projects.owner_gid", owners[0]))
    for mode in ("any", "not"):
        found = users(ctx, params, f"members.{mode}")
        if found is not None:
            marks = ", ".join("?" * len(found[0])) or "NULL"
            member = (
                "EXISTS (SELECT 1 FROM project_members m WHERE m.project_gid = projects.gid"
                f" AND m.user_gid IN ({marks}))"
            )
            out.append((member if mode == "any" else f"NOT {member}", list(found[0])))
    return out


def search_projects(
    ctx: Caller, workspace_gid: int, params: Mapping[str, str], limit: int | None
) -> list[int]:
    """The gids of the matching visible projects, in the requested order (at most `limit`, default
    100). 400 for a bad or unknown value of any filter."""
    conditions: list[Cond] = [("projects.workspace_gid = ?", [workspace_gid])]
    dialect = ctx.conn.dialect.name
    conditions += text(ctx, params, indexing.PROJECTS)
    teams = params.get("teams.any")
    if teams is not None:
        gids = []
        for value in split_list(teams):
            team_gid, space = access.team(ctx, value, "teams.any")
            if space != workspace_gid:
                raise access.unknown("teams.any", value, "team")
            gids.append(team_gid)
        conditions.append(queries.among("projects.team_gid", gids))
    folios = portfolios(ctx, params, workspace_gid)
    if folios is not None:  # direct items; the visibility rule below hides the others
        conditions.append(queries.in_portfolios("projects", folios))
    conditions += _people(ctx, params)
    completed = boolean(params, "completed")
    if completed is not None:
        conditions.append(("projects.completed = ?", [completed]))
    conditions += times(params, "due", "projects.due_on", None)
    conditions += times(params, "start", "projects.start_on", None)
    for prefix in ("created", "completed"):
        conditions += times(params, prefix, None, f"projects.{prefix}_at")
    conditions += custom_fields(ctx, params, workspace_gid, queries.PROJECT_VALUES)
    by, ascending = sort(params, SORTS)
    key = queries.due_key(dialect, "projects", moments=False) if by == "due_date" else _ORDER[by]
    order = order_by(key, ascending, "projects.gid", nullable=by in ("due_date", "completed_at"))
    conditions.append(access.project_visible_sql(ctx))
    where = " AND ".join(f"({c})" for c, _ in conditions)
    bound = [v for _, p in conditions for v in p]
    rows = sql.fetch(ctx.conn, queries.ordered("projects", where, order), [*bound, limit or 100, 0])
    return [int(r[0]) for r in rows]
