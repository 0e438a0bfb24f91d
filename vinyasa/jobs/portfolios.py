"""Duplicating a portfolio (`POST /portfolios/{gid}/duplicate`, digest "PortfolioDuplicateRequest").

The copy is made in one unit, as the job's creator, through the portfolios services: a new portfolio
with the source's colour, dates, privacy and default access level, its custom field settings in
order (always: "auto-included"), and with `include`: `members` (at the copy's default level, the
creator being its owner and admin), `child_projects` and `child_portfolios` (the same projects and
portfolios as items, in order, those the creator may see; they are not copied themselves).
`description`, `permissions`, `templates` and `rules` name things vinyasa's portfolios do not hold
and copy nothing; any other element is a 400.
"""

from __future__ import annotations

from vinyasa import access
from vinyasa.core import Caller, runner
from vinyasa.custom_fields import settings
from vinyasa.custom_fields.schemas import AddSettingBody
from vinyasa.errors import AsanaError, InvalidRequest, NotFound
from vinyasa.jobs import queries
from vinyasa.jobs.schemas import IncludeList
from vinyasa.jobs.service import elements
from vinyasa.portfolios import fields as portfolio_fields
from vinyasa.portfolios import items, service
from vinyasa.portfolios.schemas import ItemBody, PortfolioFields

ELEMENTS = (
    "description",
    "members",
    "permissions",
    "templates",
    "rules",
    "child_projects",
    "child_portfolios",
)
SOURCE_GONE = "The portfolio to duplicate was deleted, or you can no longer see it"


def request_duplicate(ctx: Caller, portfolio_gid: str, name: str | None, include: IncludeList) -> int:
    """A `duplicate_portfolio` job for a portfolio the caller can see; returns the job's gid."""
    portfolio = access.portfolio(ctx, portfolio_gid)
    if name is None or not name.strip():
        raise InvalidRequest("name: Missing input")
    params = {"source": portfolio.gid, "name": name, "include": elements(include, ELEMENTS)}
    return runner.enqueue(ctx, "duplicate_portfolio", params, workspace_gid=portfolio.workspace_gid)


def duplicate_portfolio(run: runner.Run) -> runner.Step:
    """The `duplicate_portfolio` kind (params: source, name, include): one unit."""
    params, include = run.params, set(run.params["include"])
    with run.unit() as caller:
        try:
            source = access.portfolio(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(SOURCE_GONE) from None
        row = queries.portfolio_row(caller.conn, source.gid)
        fields = PortfolioFields(name=params["name"], workspace=str(source.workspace_gid), **row)
        gid = service.create_portfolio(caller, fields)
        copy = access.portfolio(caller, str(gid), lock=True)
        parent = settings.Parent(portfolio_fields.PORTFOLIO, gid, source.workspace_gid)
        for field, important in queries.portfolio_settings(caller.conn, source.gid):
            body = AddSettingBody(custom_field=str(field), is_important=important)
            try:
                settings.add_setting(caller, parent, body)
            except AsanaError:  # a field deleted meanwhile
                continue
        if "members" in include:
            users = [
                str(u) for u in queries.portfolio_members(caller.conn, source.gid) if u != caller.user_gid
            ]
            if users:
                service.add_members(caller, copy, users)
        kinds = {
            k for k, e in (("project", "child_projects"), ("portfolio", "child_portfolios")) if e in include
        }
        for item, kind in queries.portfolio_items(caller.conn, source.gid):
            if kind in kinds:
                try:
                    items.add_item(caller, copy, ItemBody(item=str(item)))
                except AsanaError:  # an item the creator cannot see (or may not nest) stays out
                    continue
        run.result = ("portfolio", gid)
        run.done = True
    return runner.DONE


runner.register(runner.Kind("duplicate_portfolio", duplicate_portfolio, public=True))
