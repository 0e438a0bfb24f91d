"""Portfolio endpoints: CRUD, items, members and portfolio memberships (digest §B.3, §C.8)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from vinyasa import access
from vinyasa.custom_fields import settings
from vinyasa.custom_fields.schemas import CUSTOM_FIELD_SETTING, AddSettingBody, RemoveSettingBody
from vinyasa.errors import InvalidRequest
from vinyasa.models import Portfolio, PortfolioMember
from vinyasa.portfolios import fields, items, queries, service
from vinyasa.portfolios.schemas import PORTFOLIO, PORTFOLIO_MEMBERSHIP, ItemBody, PortfolioFields
from vinyasa.projects.schemas import MembersBody
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Portfolios", "Portfolio memberships"])


@router.get("/portfolios", operation_id="getPortfolios")
async def get_portfolios(ctx: CtxDep, workspace: str | None = None, owner: str | None = None) -> Response:
    """The caller's own portfolios in `workspace` (required), by gid. As for Asana's personal
    tokens, only portfolios the caller owns are listed, whatever `owner` names (it must still name
    a user the caller can see, else 400)."""
    if workspace is None:
        raise InvalidRequest("workspace: Missing input")
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    if owner is not None:
        resolve_user(ctx, owner, "owner")
    stmt = select(Portfolio.gid).where(
        Portfolio.workspace_gid == workspace_gid, Portfolio.owner_gid == ctx.user_gid
    )
    return ctx.page(PORTFOLIO, stmt)


@router.post("/portfolios", operation_id="createPortfolio", status_code=201)
async def create_portfolio(ctx: CtxDep) -> Response:
    """Create a portfolio in `workspace`; the caller is its owner and an admin member."""
    return ctx.one(PORTFOLIO, service.create_portfolio(ctx, ctx.input(PortfolioFields)), status=201)


@router.get("/portfolios/{portfolio_gid}", operation_id="getPortfolio")
async def get_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """The full record of a portfolio."""
    return ctx.one_seen(PORTFOLIO, portfolio_gid, lambda: access.portfolio(ctx, portfolio_gid).gid)


@router.put("/portfolios/{portfolio_gid}", operation_id="updatePortfolio")
async def update_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Change a portfolio (partial; editors, `default_access_level` admins); `workspace`, `public`
    and `privacy_setting` from older clients are ignored."""
    portfolio = access.portfolio(ctx, portfolio_gid, lock=True)
    service.update_portfolio(ctx, portfolio, ctx.input(PortfolioFields))
    return ctx.one(PORTFOLIO, portfolio.gid)


@router.delete("/portfolios/{portfolio_gid}", operation_id="deletePortfolio")
async def delete_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Delete a portfolio (admins); it leaves every portfolio it was in."""
    service.delete_portfolio(ctx, access.portfolio(ctx, portfolio_gid, lock="delete"))
    return ctx.empty()


@router.get("/portfolios/{portfolio_gid}/items", operation_id="getItemsForPortfolio")
async def get_items_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """The portfolio's items in portfolio order, compact projects and portfolios; items the caller
    cannot see are skipped."""
    portfolio = access.portfolio(ctx, portfolio_gid)
    listing = queries.visible_items(portfolio.gid, ctx.user_gid)
    return ctx.page(PORTFOLIO, listing, render=lambda rows: items.render(ctx.conn, ctx, ctx.fields, rows))


@router.post("/portfolios/{portfolio_gid}/addItem", operation_id="addItemForPortfolio")
async def add_item_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Add a project or portfolio (`item`) at the end, or `insert_before`/`insert_after` an item;
    an item already there moves."""
    items.add_item(ctx, access.portfolio(ctx, portfolio_gid, lock=True), ctx.input(ItemBody))
    return ctx.empty()


@router.post("/portfolios/{portfolio_gid}/removeItem", operation_id="removeItemForPortfolio")
async def remove_item_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Take an item out of the portfolio."""
    items.remove_item(ctx, access.portfolio(ctx, portfolio_gid, lock=True), ctx.input(ItemBody))
    return ctx.empty()


@router.post("/portfolios/{portfolio_gid}/addMembers", operation_id="addMembersForPortfolio")
async def add_members_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Add users as members at the portfolio's default access level (admins); returns the portfolio."""
    portfolio = access.portfolio(ctx, portfolio_gid, lock=True)
    service.add_members(ctx, portfolio, ctx.input(MembersBody).members)
    return ctx.one(PORTFOLIO, portfolio.gid)


@router.post("/portfolios/{portfolio_gid}/removeMembers", operation_id="removeMembersForPortfolio")
async def remove_members_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Remove users from the members (admins); the owner stays. Returns the portfolio."""
    portfolio = access.portfolio(ctx, portfolio_gid, lock=True)
    service.remove_members(ctx, portfolio, ctx.input(MembersBody).members)
    return ctx.one(PORTFOLIO, portfolio.gid)


# ---- custom field settings ------------------------------------------------------------------------


def _settings_parent(ctx: CtxDep, portfolio_gid: str) -> settings.Parent:
    portfolio = access.portfolio(ctx, portfolio_gid, lock=True)
    access.require_portfolio_level(portfolio, "editor", "change its custom fields")
    return settings.Parent(fields.PORTFOLIO, portfolio.gid, portfolio.workspace_gid)


@router.get(
    "/portfolios/{portfolio_gid}/custom_field_settings", operation_id="getCustomFieldSettingsForPortfolio"
)
async def get_custom_field_settings_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """The portfolio's settings in the portfolio's order (paginated)."""
    portfolio = access.portfolio(ctx, portfolio_gid)
    return ctx.page(CUSTOM_FIELD_SETTING, settings.listing(fields.PORTFOLIO, portfolio.gid))


@router.post(
    "/portfolios/{portfolio_gid}/addCustomFieldSetting", operation_id="addCustomFieldSettingForPortfolio"
)
async def add_custom_field_setting_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Put a field on the portfolio (by gid, or defined inline; at most 20); its items get the
    field, one child deep. Answers the new setting (editors)."""
    parent = _settings_parent(ctx, portfolio_gid)
    return ctx.one(CUSTOM_FIELD_SETTING, settings.add_setting(ctx, parent, ctx.input(AddSettingBody)))


@router.post(
    "/portfolios/{portfolio_gid}/removeCustomFieldSetting",
    operation_id="removeCustomFieldSettingForPortfolio",
)
async def remove_custom_field_setting_for_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Take a field (by the field's gid) off the portfolio; its items' values stay, disabled where
    no other portfolio gives the field."""
    parent = _settings_parent(ctx, portfolio_gid)
    settings.remove_setting(ctx, parent, ctx.input(RemoveSettingBody).custom_field)
    return ctx.empty()


# ---- portfolio memberships -----------------------------------------------------------------------


@router.get("/portfolio_memberships", operation_id="getPortfolioMemberships")
async def get_portfolio_memberships(
    ctx: CtxDep, portfolio: str | None = None, workspace: str | None = None, user: str | None = None
) -> Response:
    """Memberships of a `portfolio` (optionally one `user`'s), or a `user`'s in the visible
    portfolios of a `workspace`; anything else is a 400."""
    conditions: list[tuple[str, Sequence[Any]]]
    if portfolio is not None:
        conditions = [(queries.MEMBERS_OF, [access.portfolio(ctx, portfolio, "portfolio").gid])]
    elif workspace is not None and user is not None:
        workspace_gid = access.workspace(ctx, workspace, "workspace")
        conditions = [(queries.IN_WORKSPACE, [workspace_gid]), access.portfolio_visible_sql(ctx)]
    else:
        raise InvalidRequest("You must specify portfolio, portfolio and user, or workspace and user")
    if user is not None:
        conditions.append((queries.MEMBER_IS, [resolve_user(ctx, user, "user")]))
    return ctx.page(PORTFOLIO_MEMBERSHIP, listing(queries.MEMBERS, conditions, ("portfolio_members.gid",)))


@router.get("/portfolio_memberships/{portfolio_membership_gid}", operation_id="getPortfolioMembership")
async def get_portfolio_membership(ctx: CtxDep, portfolio_membership_gid: str) -> Response:
    """The full record of one portfolio membership."""
    return ctx.one_seen(
        PORTFOLIO_MEMBERSHIP,
        portfolio_membership_gid,
        lambda: access.portfolio_membership(ctx, portfolio_membership_gid),
    )


@router.get(
    "/portfolios/{portfolio_gid}/portfolio_memberships", operation_id="getPortfolioMembershipsForPortfolio"
)
async def get_portfolio_memberships_for_portfolio(
    ctx: CtxDep, portfolio_gid: str, user: str | None = None
) -> Response:
    """A portfolio's memberships, by gid; `user` (me, an email or a gid) narrows it to theirs."""
    portfolio = access.portfolio(ctx, portfolio_gid)
    stmt = select(PortfolioMember.gid).where(PortfolioMember.portfolio_gid == portfolio.gid)
    if user is not None:
        stmt = stmt.where(PortfolioMember.user_gid == resolve_user(ctx, user, "user"))
    return ctx.page(PORTFOLIO_MEMBERSHIP, stmt)
