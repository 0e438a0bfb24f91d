"""Project members and followers: resolving lists of users, then changing memberships in one go.

A member is a user or a team (a team's membership gives its people access, vinyasa.access). Followers
are user members with `is_follower` set, so followers stay a subset of members by construction.
Rows are written in user order, so concurrent requests adding overlapping users lock rows in the same
order on PostgreSQL (no deadlocks), and the (project, user) unique constraint makes re-adding a no-op.
"""

from __future__ import annotations

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_new, insert_skipping
from vinyasa.errors import InvalidRequest
from vinyasa.models import ProjectMember
from vinyasa.projects import queries
from vinyasa.protocol import sql
from vinyasa.protocol.gids import allocate


def sharable(ctx: Caller, project_gid: str, field: str | None = None) -> access.VisibleProject:
    """A visible project whose members the caller may change (its minimum_access_level_for_sharing),
    locked FOR NO KEY UPDATE (PostgreSQL): one change of its people at a time, so each reads what the
    one before it did (two removals cannot each leave the other the last admin; two requests adding
    one follower journal it once, vinyasa.projects.changes.people_change)."""
    project = access.project(ctx, project_gid, field, lock="update")
    access.require_project_level(project, project.minimum_access_level_for_sharing, "change its members")
    return project


def resolve_users(ctx: Caller, field: str, values: list[str], workspace_gid: int | None) -> list[int]:
    """Every named user (`me`, email, gid), all checked before anything is written; sorted gids.

    With `workspace_gid`, every user must also belong to that workspace (the project's).
    """
    if not values:
        raise InvalidRequest(f"{field}: Missing input")
    found, inside = access.named_users(ctx, values, workspace_gid)
    for value, gid in zip(values, found, strict=True):
        if gid is None:
            raise access.unknown(field, value, "user")
    gids = sorted({gid for gid in found if gid is not None})
    if workspace_gid is None:
        return gids
    outside = [gid for gid in gids if gid not in inside]
    if outside:
        raise InvalidRequest(f"{field}: User {outside[0]} is not a member of the project's workspace")
    return gids


def _rows(
    conn: Connection, project_gid: int, levels: dict[int, str], follow: set[int]
) -> list[dict[str, object]]:
    users = sorted(levels)
    now = now_ms()
    return [
        {
            "gid": gid,
            "project_gid": project_gid,
            "user_gid": user,
            "access_level": levels[user],
            "is_follower": user in follow,
            "created_at": now,
        }
        for gid, user in zip(allocate(conn, len(users)), users, strict=True)
    ]


def add_members(conn: Connection, project_gid: int, levels: dict[int, str]) -> None:
    """Make users members at the given levels; existing members are left as they are."""
    insert_skipping(conn, ProjectMember, _rows(conn, project_gid, levels, set()))


def add_followers(conn: Connection, project_gid: int, users: list[int], level: str) -> None:
    """Make users followers, and members at `level` when they are not members yet."""
    rows = _rows(conn, project_gid, dict.fromkeys(users, level), set(users))
    if not rows:
        return
    columns = queries.USER_MEMBER_COLUMNS
    queries.upsert_user_members(conn, [tuple(row[c] for c in columns) for row in rows], "is_follower", True)


def add_member(conn: Connection, project_gid: int, member: tuple[str, int], level: str) -> int | None:
    """Make a user or a team (`("user" | "team", gid)`) a member at `level`; the new membership's gid,
    None when it already was one (the unique constraints decide, so concurrent requests agree)."""
    kind, gid = member
    row = {
        "gid": allocate(conn, 1)[0],
        "project_gid": project_gid,
        f"{kind}_gid": gid,
        "access_level": level,
        "is_follower": False,
        "created_at": now_ms(),
    }
    new = insert_new(conn, ProjectMember, [row], "gid")
    return int(new[0]) if new else None


def add_team(conn: Connection, project_gid: int, team_gid: int, level: str) -> None:
    """Make a team a member at `level` (nothing changes when it already is one)."""
    add_member(conn, project_gid, ("team", team_gid), level)


def remove_team(conn: Connection, project_gid: int, team_gid: int) -> None:
    """End a team's membership of the project (its people keep any membership of their own)."""
    sql.write(conn, queries.REMOVE_TEAM, [project_gid, team_gid])


def make_admin(conn: Connection, project_gids: list[int], user_gid: int) -> None:
    """Make one user an admin member of each project (upgrading an existing membership)."""
    if not project_gids:
        return
    now = now_ms()
    rows = [
        (gid, project, user_gid, "admin", False, now)
        for gid, project in zip(allocate(conn, len(project_gids)), project_gids, strict=True)
    ]
    queries.upsert_user_members(conn, rows, "access_level", "admin")


def remove_members(conn: Connection, project_gid: int, users: list[int]) -> None:
    """Take users out of the project (which also ends their following it)."""
    sql.write(conn, queries.REMOVE_MEMBERS.format(users=sql.marks(len(users))), [project_gid, *users])


def remove_followers(conn: Connection, project_gid: int, users: list[int]) -> None:
    """Stop users following the project; they stay members."""
    statement = queries.SET_FOLLOWING.format(users=sql.marks(len(users)))
    sql.write(conn, statement, [False, project_gid, *users])
