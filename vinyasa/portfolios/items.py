"""A portfolio's items: projects and nested portfolios, in an order the caller sets.

Order lives in vinyasa.ordering (one mechanism for every ordered list), scoped by portfolio. The
route locks the portfolio row first (access.portfolio(..., lock=True)), so concurrent addItem calls
on one portfolio serialize on PostgreSQL (SQLite's writer lock does it there): the order stays total
and an item is in a portfolio at most once (also the primary key). Nesting a portfolio also locks its
workspace row, so two requests cannot each nest one portfolio in the other and close a cycle.

Rules (Asana's, digest §B.3): at most 1,500 items (400 past it); an item is in the portfolio's
workspace (400); a portfolio cannot contain itself or a portfolio it is inside (400);
`insert_before` and `insert_after` name items already there and exclude each other (400); adding an
item already there moves it. vinyasa's choice where Asana is silent: without an anchor, an item goes
(or moves) to the end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.db import insert_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import PortfolioItem
from vinyasa.ordering import BOTTOM, OrderedList, Place
from vinyasa.portfolios import queries
from vinyasa.portfolios.schemas import ItemBody
from vinyasa.protocol.fields import FieldTree
from vinyasa.protocol.gids import body_gid
from vinyasa.protocol.resources import REGISTRY, project
from vinyasa.protocol.values import now_ms

ITEMS = OrderedList(PortfolioItem.__table__, item="item_gid")
MAX_ITEMS = 1500  # Asana's Portfolios tag: "Each portfolio has a max of 1500 items"


def _item(ctx: Caller, portfolio: access.VisiblePortfolio, value: str | None) -> tuple[str, int]:
    """The item named in a body, as (kind, gid): a project or portfolio the caller can see (400
    "Unknown object" otherwise, as for a gid that does not exist), in the portfolio's workspace."""
    if value is None:
        raise InvalidRequest("item: Missing input")
    gid = body_gid("item", value)
    found = queries.kind_of(ctx.conn, gid)
    if found is None:
        raise InvalidRequest(f"item: Unknown object: {value[:64]}")
    kind, workspace_gid = found
    if kind == "project":
        access.project(ctx, value, "item")
    else:
        access.portfolio(ctx, value, "item")
    if workspace_gid != portfolio.workspace_gid:
        raise InvalidRequest("item: The item is not in the portfolio's workspace")
    return kind, gid


def _where(ctx: Caller, portfolio: access.VisiblePortfolio, body: ItemBody) -> Place:
    if body.insert_before is not None and body.insert_after is not None:
        raise InvalidRequest(
            "insert_before, insert_after: insert_before and insert_after parameters cannot both be specified"
        )
    for name, value, make in (
        ("insert_before", body.insert_before, ordering.before),
        ("insert_after", body.insert_after, ordering.after),
    ):
        if value is not None:
            anchor = body_gid(name, value)
            if not queries.has_item(ctx.conn, portfolio.gid, anchor):
                raise InvalidRequest(f"{name}: Not an item of this portfolio: {value[:64]}")
            return make(anchor)
    return BOTTOM


def add_item(ctx: Caller, portfolio: access.VisiblePortfolio, body: ItemBody) -> None:
    """Put an item in the portfolio (editor, else 403), or move it when it is already there."""
    access.require_portfolio_level(portfolio, "editor", "change its items")
    kind, gid = _item(ctx, portfolio, body.item)
    if kind == "portfolio":
        ordering.lock(ctx.conn, "workspaces", portfolio.workspace_gid)
        if portfolio.gid in queries.nested_in(ctx.conn, gid):
            raise InvalidRequest("item: A portfolio cannot contain itself or a portfolio it is in")
    where = _where(ctx, portfolio, body)
    scope = {"portfolio_gid": portfolio.gid}
    present = queries.has_item(ctx.conn, portfolio.gid, gid)
    if not present and queries.item_count(ctx.conn, portfolio.gid) >= MAX_ITEMS:
        raise InvalidRequest(f"item: A portfolio can hold at most {MAX_ITEMS} items")
    try:
        position = ITEMS.place(ctx.conn, scope, where, moving=gid if present else None)
    except LookupError:  # the anchor left (or was deleted) after it was checked
        raise InvalidRequest(
            "insert_before/insert_after: The anchor is not an item of this portfolio"
        ) from None
    if present:  # a move: journaled as none, as a task moved within its section (tasks.placement)
        queries.move_item(ctx.conn, portfolio.gid, gid, position)
        return
    else:
        insert_row(
            ctx.conn,
            PortfolioItem,
            {
                "portfolio_gid": portfolio.gid,
                "item_gid": gid,
                "item_type": kind,
                "project_gid": gid if kind == "project" else None,
                "child_gid": gid if kind == "portfolio" else None,
                "position": position,
                "created_at": now_ms(),
            },
        )
    _record(ctx, (kind, gid), "added", portfolio.gid, portfolio.workspace_gid)


def remove_item(ctx: Caller, portfolio: access.VisiblePortfolio, body: ItemBody) -> None:
    """Take an item out of the portfolio (editor, else 403); 400 when it is not there."""
    access.require_portfolio_level(portfolio, "editor", "change its items")
    kind, gid = _item(ctx, portfolio, body.item)
    if not queries.has_item(ctx.conn, portfolio.gid, gid, lock=True):  # journaled once (see `forget`)
        raise InvalidRequest(f"item: Not an item of this portfolio: {str(body.item)[:64]}")
    queries.remove_item(ctx.conn, portfolio.gid, gid)
    _record(ctx, (kind, gid), "removed", portfolio.gid, portfolio.workspace_gid)


def _record(ctx: Caller, item: tuple[str, int], action: str, portfolio_gid: int, workspace_gid: int) -> None:
    """Journal: an item `added` to (or moved within) or `removed` from a portfolio, its parent."""
    journal.record(
        ctx, item, action, parent=("portfolio", portfolio_gid), topics=[portfolio_gid, workspace_gid]
    )


def forget(ctx: Caller, kind: str, gid: int) -> None:
    """Journal an object's removal from every portfolio holding it, just before it is deleted (the
    rows themselves go with it: ON DELETE CASCADE)."""
    for portfolio_gid, workspace_gid in queries.holders(ctx.conn, gid):
        _record(ctx, (kind, gid), "removed", portfolio_gid, workspace_gid)


def render(conn: Connection, viewer: Caller, tree: FieldTree | None, rows: list[Any]) -> list[dict[str, Any]]:
    """A page of items (rows of position, kind, gid) as compact projects and portfolios, in order:
    one projection per kind, merged back in the rows' order."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row[1], []).append(row[2])
    if len(by_kind) == 1:  # the usual page: projects only, already in order
        ((kind, gids),) = by_kind.items()
        return project(conn, viewer, REGISTRY[kind], gids, tree, full=False)
    rendered = {
        kind: iter(project(conn, viewer, REGISTRY[kind], gids, tree, full=False))
        for kind, gids in by_kind.items()
    }
    pending = {kind: next(records, None) for kind, records in rendered.items()}
    out = []
    for _, kind, gid in rows:
        record = pending[kind]
        if record is not None and record["gid"] == str(gid):  # (a row deleted meanwhile renders nothing)
            out.append(record)
            pending[kind] = next(rendered[kind], None)
    return out
