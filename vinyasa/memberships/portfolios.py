"""Portfolio memberships through the generic /memberships API (PortfolioMembershipCompactResponse):
a user's membership of a portfolio at admin, editor or viewer (portfolios have no commenters, and
no teams as members). Changing them needs admin access to the portfolio, as addMembers and
removeMembers do (403); the portfolio's owner stays a member (400).

Source: Asana's spec, tag Memberships: `parent` is "the gid of the goal, project, or portfolio",
and PortfolioMembershipCompact's `access_level` is one of admin, editor, viewer.
"""

from __future__ import annotations

from sqlalchemy import false, select

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.db import update_row
from vinyasa.errors import InvalidRequest
from vinyasa.memberships import queries
from vinyasa.memberships.schemas import MembershipFields, access_level
from vinyasa.models import PortfolioMember
from vinyasa.portfolios import service
from vinyasa.projects import members
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.pagination import AnySelect


def _level(value: str | None, field: str) -> str:
    return access_level(value, field, "portfolio", access.PORTFOLIO_LEVELS)


def _user(ctx: Caller, value: str, workspace_gid: int | None) -> int:
    """The user `member` names (`me`, email or gid); a team is a 400 (portfolios have users only)."""
    gid = as_gid(value)
    if gid is not None and access.visible_team(ctx, gid) is not None:
        raise InvalidRequest("member: A portfolio's members are users, not teams")
    return members.resolve_users(ctx, "member", [value], workspace_gid)[0]


def listing(ctx: Caller, portfolio: access.VisiblePortfolio, member: str | None) -> AnySelect:
    """A visible portfolio's memberships (optionally only `member`'s: a team has none), by gid."""
    stmt = select(PortfolioMember.gid).where(PortfolioMember.portfolio_gid == portfolio.gid)
    if member is not None:
        gid = as_gid(member)
        if gid is not None and access.visible_team(ctx, gid) is not None:
            return stmt.where(false())
        stmt = stmt.where(PortfolioMember.user_gid == members.resolve_users(ctx, "member", [member], None)[0])
    return stmt


def create(ctx: Caller, parent: str, member: str, fields: MembershipFields) -> int:
    """A user's (`member`) new membership of the portfolio `parent` (at its default_access_level
    unless `access_level`/`role` says); already a member: 400 (update that membership instead)."""
    portfolio = access.portfolio(ctx, parent, "parent", lock=True)
    access.require_portfolio_level(portfolio, "admin", "change its members")
    user = _user(ctx, member, portfolio.workspace_gid)
    given = fields.access_level if fields.access_level is not None else fields.role
    field = "access_level" if fields.access_level is not None else "role"
    level = portfolio.default_access_level if given is None else _level(given, field)
    if sql.fetch_value(ctx.conn, queries.PORTFOLIO_MEMBER, [portfolio.gid, user]) is not None:
        raise InvalidRequest(
            f"member: {member[:64]} is already a member of this portfolio; update that membership"
        )
    return service.insert_members(ctx, portfolio, [user], level)[0]


def _editable(ctx: Caller, value: str) -> tuple[int, access.VisiblePortfolio, int]:
    """A membership whose portfolio the caller administers (404 if unseen, 403 if not admin), the
    portfolio locked, and its user."""
    gid, portfolio = access.portfolio_child(ctx, "portfolio_members", value, "membership", lock=True)
    access.require_portfolio_level(portfolio, "admin", "change its members")
    return gid, portfolio, int(sql.fetch_value(ctx.conn, queries.PORTFOLIO_MEMBER_USER, [gid]))


def change(ctx: Caller, value: str, fields: MembershipFields) -> int:
    """Set a portfolio membership's access level (`access_level`, or the deprecated `role`)."""
    gid, portfolio, user = _editable(ctx, value)
    given = fields.access_level if fields.access_level is not None else fields.role
    if given is None:
        raise InvalidRequest("access_level: Missing input")
    level = _level(given, "access_level" if fields.access_level is not None else "role")
    if user == portfolio.owner_gid and level != "admin":  # else nobody could manage it any more
        raise InvalidRequest("access_level: The portfolio's owner is always an admin")
    update_row(ctx.conn, PortfolioMember, gid, {"access_level": level})
    topics = [portfolio.gid, portfolio.workspace_gid]
    journal.changed(ctx, ("portfolio_membership", gid), ["access_level"], topics=topics)
    return gid


def remove(ctx: Caller, value: str) -> None:
    """End a portfolio membership (not the owner's: 400)."""
    _gid, portfolio, user = _editable(ctx, value)
    if user == portfolio.owner_gid:
        raise InvalidRequest("The portfolio's owner is always a member: make someone else its owner first")
    service.end_members(ctx, portfolio, [user])
