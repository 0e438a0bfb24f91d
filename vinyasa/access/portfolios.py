"""Portfolios: visible when `public_to_domain` or to their members; members act at their level
(vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select

from vinyasa.access.core import (
    GID,
    VIEWER,
    Lock,
    Viewer,
    Workspaces,
    child_of,
    find,
    per_viewer,
    rule_sql,
    unknown,
    viewer_workspaces,
    workspace_roles,
)
from vinyasa.core import Caller
from vinyasa.db import row_lock
from vinyasa.errors import Forbidden
from vinyasa.models import Portfolio, PortfolioMember
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid

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


def portfolio(ctx: Caller, value: str, field: str | None = None, *, lock: Lock = False) -> VisiblePortfolio:
    """A portfolio the caller can see (404 in a path, 400 in a body); `lock` holds its row until
    the transaction ends (PostgreSQL), serializing changes to its items and members. The lock is
    FOR NO KEY UPDATE: foreign-key checks of rows naming the portfolio (nesting it elsewhere) do
    not wait for it, so two requests nesting two portfolios in each other cannot deadlock."""
    gid = as_gid(value)
    found = None
    if gid is not None:
        locking = (
            row_lock(ctx.conn, delete=lock == "delete") + " OF p"
            if lock and ctx.conn.dialect.name == "postgresql"
            else ""
        )
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


def _portfolio_rule(viewer: Viewer, workspaces: Workspaces) -> ColumnElement[bool]:
    member = exists().where(_VISIBLE_PFM.c.portfolio_gid == Portfolio.gid, _VISIBLE_PFM.c.user_gid == viewer)
    return and_(
        Portfolio.workspace_gid.in_(workspaces),
        or_(Portfolio.privacy_setting == "public_to_domain", member),
    )


_portfolio_for = per_viewer(_portfolio_rule)


def portfolio_visible(ctx: Caller) -> ColumnElement[bool]:
    """SQL condition on `Portfolio`: the caller may see the portfolio (see the vinyasa.access docstring)."""
    return _portfolio_for(ctx)


# `portfolio_visible` as prepared SQL on the `portfolios` table (by that name) and its parameters.
portfolio_visible_sql = rule_sql(Portfolio.__table__, _portfolio_rule)


@cache
def _prepared_membership() -> Any:
    """The one-membership lookup (a portfolio membership whose portfolio is visible), for the `viewer`
    and `gid` parameters."""
    return (
        select(PortfolioMember.gid)
        .join(Portfolio, Portfolio.gid == PortfolioMember.portfolio_gid)
        .where(PortfolioMember.gid == GID, _portfolio_rule(VIEWER, viewer_workspaces()))
    )


def portfolio_membership(ctx: Caller, value: str, kind: str = "portfolio membership") -> int:
    """A portfolio membership whose portfolio the caller can see, by gid string (404 naming `kind`
    otherwise: /memberships says "membership" of every kind)."""
    return int(find(ctx, _prepared_membership, value, None, kind).gid)


def portfolio_child(
    ctx: Caller, table: str, value: str, kind: str, field: str | None = None, *, lock: bool = False
) -> tuple[int, VisiblePortfolio]:
    """A row of `table` (a membership...) whose portfolio the caller can see, as (gid, portfolio);
    404 (400 naming `field`) naming `kind` otherwise. `lock` (a change or delete of the row): the
    portfolio is locked and the row read again (`access.core.child_of`)."""
    return child_of(
        ctx,
        f"SELECT portfolio_gid FROM {table} WHERE gid = ?",
        value,
        kind,
        field,
        lambda gid: portfolio(ctx, str(gid), lock=lock),
        lock=lock,
    )


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
