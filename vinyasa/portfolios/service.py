"""Creating, changing and deleting portfolios, and changing who is a member (services flush, never commit).

vinyasa's choices where Asana is silent: a new portfolio is `members_only` (or `public_to_domain`
with the deprecated `public: true`), `light-green`, with `default_access_level` `editor`; its
creator is its owner and an admin member; `name` is required. The owner always stays a member:
removeMembers skips them. People added get the portfolio's `default_access_level`.
"""

from __future__ import annotations

from typing import Any

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.db import delete_row, insert_row, insert_skipping, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Portfolio, PortfolioMember
from vinyasa.portfolios import items, queries
from vinyasa.portfolios.fields import PORTFOLIO_VALUES
from vinyasa.portfolios.schemas import NOT_NULL, PortfolioFields
from vinyasa.projects.members import resolve_users
from vinyasa.protocol.gids import allocate, new_gid
from vinyasa.protocol.values import check_span, now_ms, parse_date

DEFAULT_COLOR = "light-green"
DEFAULT_ACCESS_LEVEL = "editor"
SIMPLE = ("name", "archived", "color", "default_access_level")


def _topics(portfolio: access.VisiblePortfolio | tuple[int, int]) -> list[int]:
    gid, workspace = (
        (portfolio.gid, portfolio.workspace_gid)
        if isinstance(portfolio, access.VisiblePortfolio)
        else portfolio
    )
    return [gid, workspace]


def _no_nulls(fields: PortfolioFields, names: tuple[str, ...]) -> None:
    for name in names:
        if name in fields.model_fields_set and getattr(fields, name) is None:
            raise InvalidRequest(f"{name}: Cannot be null")


def _dates(fields: PortfolioFields, start: str | None, due: str | None) -> dict[str, str | None]:
    """Changes to start_on/due_on: `start_on` needs `due_on` in the same request (setting or
    unsetting it), and the two may not be the same date; the start may not follow the due date."""
    given = fields.model_fields_set
    changes: dict[str, str | None] = {}
    if "due_on" in given:
        changes["due_on"] = due = None if fields.due_on is None else parse_date("due_on", fields.due_on)
    if "start_on" in given:
        if "due_on" not in given:
            raise InvalidRequest(
                "start_on: due_on must be present in the request when setting or unsetting start_on"
            )
        changes["start_on"] = start = (
            None if fields.start_on is None else parse_date("start_on", fields.start_on)
        )
    if start is not None and due is None:
        raise InvalidRequest("due_on: A portfolio with a start date must also have a due date")
    check_span("start_on", start, due)
    return changes


def _privacy(fields: PortfolioFields) -> str:
    """The privacy setting from `privacy_setting` or the deprecated `public` (create only)."""
    setting = fields.privacy_setting
    if fields.public is not None:
        if setting is not None and (setting == "public_to_domain") != fields.public:
            raise InvalidRequest("public: Contradicts privacy_setting; give only privacy_setting")
        setting = setting or ("public_to_domain" if fields.public else "members_only")
    return setting or "members_only"


def create_portfolio(ctx: Caller, fields: PortfolioFields) -> int:
    """A new portfolio in `workspace` (required, 400), owned by the caller, who becomes its admin."""
    _no_nulls(fields, NOT_NULL)
    if fields.workspace is None:
        raise InvalidRequest("workspace: Missing input")
    workspace_gid = access.workspace(ctx, fields.workspace, "workspace")
    if not fields.name:
        raise InvalidRequest("name: Missing input")
    privacy = _privacy(fields)
    dates = _dates(fields, None, None)
    gid, now = new_gid(ctx.conn), now_ms()
    insert_row(
        ctx.conn,
        Portfolio,
        {
            "gid": gid,
            "workspace_gid": workspace_gid,
            "name": fields.name,
            "owner_gid": ctx.user_gid,
            "created_by_gid": ctx.user_gid,
            "color": fields.color or DEFAULT_COLOR,
            "archived": bool(fields.archived),
            "start_on": dates.get("start_on"),
            "due_on": dates.get("due_on"),
            "privacy_setting": privacy,
            "default_access_level": fields.default_access_level or DEFAULT_ACCESS_LEVEL,
            "created_at": now,
            "modified_at": now,
        },
    )
    insert_row(
        ctx.conn,
        PortfolioMember,
        {
            "gid": new_gid(ctx.conn),
            "portfolio_gid": gid,
            "user_gid": ctx.user_gid,
            "access_level": "admin",
            "created_at": now,
        },
    )
    journal.record(
        ctx, ("portfolio", gid), "added", parent=("workspace", workspace_gid), topics=[workspace_gid]
    )
    return gid


def update_portfolio(ctx: Caller, portfolio: access.VisiblePortfolio, fields: PortfolioFields) -> None:
    """Change the given fields (PortfolioUpdateRequest); `workspace`, `public`, `privacy_setting`
    are ignored. Editors change fields, `default_access_level` needs admin (403)."""
    access.require_portfolio_level(portfolio, "editor", "change it")
    _no_nulls(fields, tuple(n for n in NOT_NULL if n in SIMPLE))
    row = queries.editable(ctx.conn, portfolio.gid)
    values: dict[str, Any] = {n: getattr(fields, n) for n in SIMPLE if n in fields.model_fields_set}
    if values.get("name") == "":
        raise InvalidRequest("name: Cannot be empty")
    values.update(_dates(fields, row["start_on"], row["due_on"]))
    changed = {name: value for name, value in values.items() if row[name] != value}
    if "default_access_level" in changed:
        access.require_portfolio_level(portfolio, "admin", "change its permission settings")
    if fields.custom_fields:  # the fields the portfolios it is in give it (vinyasa.portfolios.fields)
        PORTFOLIO_VALUES.write(ctx, portfolio.gid, portfolio.workspace_gid, fields.custom_fields)
    if not changed:
        return
    changed["modified_at"] = now_ms()
    update_row(ctx.conn, Portfolio, portfolio.gid, changed)
    journal.changed(
        ctx,
        ("portfolio", portfolio.gid),
        [n for n in changed if n != "modified_at"],
        topics=_topics(portfolio),
    )


def delete_portfolio(ctx: Caller, portfolio: access.VisiblePortfolio) -> None:
    """Delete a portfolio (admin, else 403): its members, items and statuses go with it, and it
    leaves every portfolio it was in."""
    access.require_portfolio_level(portfolio, "admin", "delete it")
    items.forget(ctx, "portfolio", portfolio.gid)
    journal.record(ctx, ("portfolio", portfolio.gid), "deleted", topics=_topics(portfolio))
    delete_row(ctx.conn, Portfolio, portfolio.gid)


def add_members(ctx: Caller, portfolio: access.VisiblePortfolio, values: list[str]) -> None:
    """Make users of the portfolio's workspace members at its `default_access_level` (admin only,
    else 403); users already members keep their level. Rows are written in user order, and the
    (portfolio, user) unique constraint makes a concurrent re-add a no-op."""
    access.require_portfolio_level(portfolio, "admin", "change its members")
    users = resolve_users(ctx, "members", values, portfolio.workspace_gid)
    present = queries.member_levels(ctx.conn, portfolio.gid)
    insert_members(ctx, portfolio, [u for u in users if u not in present], portfolio.default_access_level)


def insert_members(
    ctx: Caller, portfolio: access.VisiblePortfolio, users: list[int], level: str
) -> list[int]:
    """Make these users (of the workspace, not members yet; the caller holds the portfolio's lock)
    members at `level`; their new membership gids, in order (the `members` change journaled)."""
    if not users:
        return []
    now = now_ms()
    gids = allocate(ctx.conn, len(users))
    rows = [
        {"gid": g, "portfolio_gid": portfolio.gid, "user_gid": u, "access_level": level, "created_at": now}
        for g, u in zip(gids, users, strict=True)
    ]
    insert_skipping(ctx.conn, PortfolioMember, rows)
    for user in users:
        journal.member(ctx, ("portfolio", portfolio.gid), "added", ("user", user), topics=_topics(portfolio))
    return list(gids)


def remove_members(ctx: Caller, portfolio: access.VisiblePortfolio, values: list[str]) -> None:
    """End these users' memberships (admin only, else 403); the owner always stays a member."""
    access.require_portfolio_level(portfolio, "admin", "change its members")
    users = resolve_users(ctx, "members", values, None)
    present = queries.member_levels(ctx.conn, portfolio.gid)
    end_members(ctx, portfolio, [u for u in users if u in present and u != portfolio.owner_gid])


def end_members(ctx: Caller, portfolio: access.VisiblePortfolio, users: list[int]) -> None:
    """End these members' memberships (the caller holds the portfolio's lock; the `members`
    change journaled)."""
    if not users:
        return
    queries.remove_members(ctx.conn, portfolio.gid, users)
    for user in users:
        journal.member(
            ctx, ("portfolio", portfolio.gid), "removed", ("user", user), topics=_topics(portfolio)
        )


def hand_over(ctx: Caller, workspace_gid: int, user_gid: int, heir: int) -> None:
    """A user leaves a workspace (vinyasa.workspaces.service.remove_user): their memberships of its
    portfolios end, and the portfolios they own pass to `heir`, who becomes an admin member (each
    change journaled as removeMembers, addMembers and PUT would)."""
    owned = queries.owned(ctx.conn, workspace_gid, user_gid)
    for portfolio_gid in queries.end_memberships(ctx.conn, workspace_gid, user_gid):
        topics = [portfolio_gid, workspace_gid]
        journal.member(ctx, ("portfolio", portfolio_gid), "removed", ("user", user_gid), topics=topics)
    if not owned:
        return
    now = now_ms()
    queries.set_owner(ctx.conn, owned, heir, now)
    already = queries.make_admin(ctx.conn, owned, heir)
    rows = [
        {"gid": gid, "portfolio_gid": p, "user_gid": heir, "access_level": "admin", "created_at": now}
        for gid, p in zip(allocate(ctx.conn, len(owned)), owned, strict=True)
    ]
    insert_skipping(ctx.conn, PortfolioMember, rows)
    for portfolio_gid in owned:
        topics = [portfolio_gid, workspace_gid]
        journal.changed(
            ctx, ("portfolio", portfolio_gid), ["owner"], topics=topics, values={"owner": ("user", heir)}
        )
        if portfolio_gid not in already:
            journal.member(ctx, ("portfolio", portfolio_gid), "added", ("user", heir), topics=topics)
