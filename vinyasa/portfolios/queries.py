"""Prepared SQL of the portfolios family (vinyasa.protocol.sql; `?` placeholders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.custom_fields.queries import Containers
from vinyasa.db import in_workspace, row_lock
from vinyasa.protocol import sql
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.specs import Link

# A portfolio's members (`members`), oldest first.
USERS = Link("portfolio_members", "portfolio_gid", "user_gid", ("created_at", "gid"))
MAX_DEPTH = 64  # nesting walks stop here, whatever the data holds (cycles are refused on write)


def editable(conn: Connection, portfolio_gid: int) -> dict[str, Any]:
    """The fields an update compares: `name`, `archived`, `color`, `default_access_level` and the
    dates (`archived` as a bool on either database)."""
    names = ("name", "archived", "color", "default_access_level", "start_on", "due_on")
    row = sql.fetch(conn, f"SELECT {', '.join(names)} FROM portfolios WHERE gid = ?", [portfolio_gid])[0]
    return {**dict(zip(names, row, strict=True)), "archived": bool(row[1])}


def member_levels(conn: Connection, portfolio_gid: int) -> dict[int, tuple[int, str]]:
    """Each member of the portfolio: user gid -> (membership gid, access level)."""
    rows = sql.fetch(
        conn,
        "SELECT user_gid, gid, access_level FROM portfolio_members WHERE portfolio_gid = ?",
        [portfolio_gid],
    )
    return {int(u): (int(g), str(level)) for u, g, level in rows}


def visible_items(portfolio_gid: int, user_gid: int) -> Listing:
    """A portfolio's items the user may see, in portfolio order (keys: position, type, gid)."""
    return Listing(
        "portfolio_items pi",
        f"pi.portfolio_gid = ? AND {access.PORTFOLIO_ITEM_VISIBLE}",
        [portfolio_gid, *[user_gid] * access.PORTFOLIO_ITEM_PARAMS],
        keys=("pi.position", "pi.item_type", "pi.item_gid"),
    )


def item_count(conn: Connection, portfolio_gid: int) -> int:
    """How many items the portfolio holds (visible or not)."""
    return int(
        sql.fetch_value(conn, "SELECT count(*) FROM portfolio_items WHERE portfolio_gid = ?", [portfolio_gid])
    )


def has_item(conn: Connection, portfolio_gid: int, item_gid: int, *, lock: bool = False) -> bool:
    """Whether the item is in the portfolio; `lock` holds its row (its removal: a concurrent
    deletion of the item commits first, then it is gone)."""
    return bool(
        sql.fetch(
            conn,
            "SELECT 1 FROM portfolio_items WHERE portfolio_gid = ? AND item_gid = ?"
            + (row_lock(conn) if lock else ""),
            [portfolio_gid, item_gid],
        )
    )


def kind_of(conn: Connection, gid: int) -> tuple[str, int] | None:
    """('project' | 'portfolio', workspace gid) of an object that can be a portfolio item."""
    for kind, table in (("project", "projects"), ("portfolio", "portfolios")):
        workspace = sql.fetch_value(conn, f"SELECT workspace_gid FROM {table} WHERE gid = ?", [gid])
        if workspace is not None:
            return kind, int(workspace)
    return None


def nested_in(conn: Connection, portfolio_gid: int) -> set[int]:
    """The portfolios nested (at any depth) inside this one, itself included."""
    rows = sql.fetch(
        conn,
        "WITH RECURSIVE down(gid, depth) AS (SELECT ?, 0"
        " UNION SELECT pi.child_gid, down.depth + 1 FROM portfolio_items pi"
        " JOIN down ON pi.portfolio_gid = down.gid"
        f" WHERE pi.child_gid IS NOT NULL AND down.depth < {MAX_DEPTH})"
        " SELECT DISTINCT gid FROM down",
        [portfolio_gid],
    )
    return {int(r[0]) for r in rows}


def holders(conn: Connection, item_gid: int) -> list[tuple[int, int]]:
    """(portfolio, workspace) of every portfolio holding the item, its rows there locked (the item
    is being deleted: a concurrent removeItem commits first, then is not listed)."""
    lock = " FOR NO KEY UPDATE OF pi" if conn.dialect.name == "postgresql" else ""
    rows = sql.fetch(
        conn,
        "SELECT pi.portfolio_gid, p.workspace_gid FROM portfolio_items pi JOIN portfolios p"
        f" ON p.gid = pi.portfolio_gid WHERE pi.item_gid = ? ORDER BY pi.portfolio_gid{lock}",
        [item_gid],
    )
    return [(int(a), int(b)) for a, b in rows]


def remove_members(conn: Connection, portfolio_gid: int, user_gids: list[int]) -> None:
    """End these users' memberships of the portfolio."""
    sql.write(
        conn,
        "DELETE FROM portfolio_members"
        f" WHERE portfolio_gid = ? AND user_gid IN ({sql.marks(len(user_gids))})",
        [portfolio_gid, *user_gids],
    )


def move_item(conn: Connection, portfolio_gid: int, item_gid: int, position: int) -> None:
    """Give an item of the portfolio a new position."""
    sql.write(
        conn,
        "UPDATE portfolio_items SET position = ? WHERE portfolio_gid = ? AND item_gid = ?",
        [position, portfolio_gid, item_gid],
    )


def remove_item(conn: Connection, portfolio_gid: int, item_gid: int) -> None:
    """Take an item out of the portfolio."""
    sql.write(
        conn,
        "DELETE FROM portfolio_items WHERE portfolio_gid = ? AND item_gid = ?",
        [portfolio_gid, item_gid],
    )


def owned(conn: Connection, workspace_gid: int, user_gid: int) -> list[int]:
    """The workspace's portfolios the user owns, by gid."""
    rows = sql.fetch(
        conn,
        "SELECT gid FROM portfolios WHERE workspace_gid = ? AND owner_gid = ? ORDER BY gid",
        [workspace_gid, user_gid],
    )
    return [int(r[0]) for r in rows]


def end_memberships(conn: Connection, workspace_gid: int, user_gid: int) -> list[int]:
    """Delete the user's memberships of the workspace's portfolios; those portfolios' gids, in order.
    In the workspace through a correlated EXISTS on the portfolio's key, so only the user's own
    memberships are read (not every portfolio of the workspace)."""
    rows = sql.fetch(
        conn,
        "DELETE FROM portfolio_members WHERE user_gid = ?"
        f" AND {in_workspace('portfolio_members', 'portfolio_gid', 'portfolios')} RETURNING portfolio_gid",
        [user_gid, workspace_gid],
    )
    return sorted(int(r[0]) for r in rows)


def set_owner(conn: Connection, portfolio_gids: list[int], owner_gid: int, now: int) -> None:
    """Make `owner_gid` the owner of these portfolios (stamped modified at `now`)."""
    sql.write(
        conn,
        "UPDATE portfolios SET owner_gid = ?, modified_at = ?"
        f" WHERE gid IN ({sql.marks(len(portfolio_gids))})",
        [owner_gid, now, *portfolio_gids],
    )


def make_admin(conn: Connection, portfolio_gids: list[int], user_gid: int) -> set[int]:
    """Raise the user's memberships of these portfolios to admin; the portfolios where they were
    already a member."""
    rows = sql.fetch(
        conn,
        "UPDATE portfolio_members SET access_level = 'admin'"
        f" WHERE portfolio_gid IN ({sql.marks(len(portfolio_gids))}) AND user_gid = ?"
        " RETURNING portfolio_gid",
        [*portfolio_gids, user_gid],
    )
    return {int(r[0]) for r in rows}


# Value stores (vinyasa.custom_fields.values): the portfolios holding each project, or each
# portfolio, oldest first; their settings give the item its fields ("one child deep").
PROJECT_CONTAINERS = Containers("portfolio_items", "project_gid", "portfolio_gid", "created_at")
PORTFOLIO_CONTAINERS = Containers("portfolio_items", "child_gid", "portfolio_gid", "created_at")

# Portfolio memberships to list (a Listing): with their portfolios (for the portfolio rule's SQL text),
# of one portfolio, in one workspace, of one user.
MEMBERS = "portfolio_members JOIN portfolios ON portfolios.gid = portfolio_members.portfolio_gid"
MEMBERS_OF = "portfolio_members.portfolio_gid = ?"
IN_WORKSPACE = "portfolios.workspace_gid = ?"
MEMBER_IS = "portfolio_members.user_gid = ?"
