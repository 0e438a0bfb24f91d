"""What every access rule shares: the caller's workspaces, the error for what cannot be seen, the viewer
as a bind parameter for the prepared one-object lookups, and the hidden-reference check (vinyasa.access)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, Literal, TypeVar

from sqlalchemy import BigInteger, ColumnElement, bindparam, select

from vinyasa.core import Caller
from vinyasa.db import row_lock
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import ProjectMember, Task, TaskFollower, TaskProject, TeamMember, WorkspaceMember
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.messages import bad_gid, say

T = TypeVar("T")
# How a lookup holds its row (`locking`): not at all, for a change (True), or for its deletion.
Lock = bool | Literal["delete"]


def unknown(field: str | None, value: Any, kind: str) -> Exception:
    """The error for an object the caller cannot see: 404 in a path, 400 in a body or filter."""
    if field is None:
        return NotFound(f"Unknown {kind}: {str(value)[:64]}")
    if kind == "user":  # users are also named by `me` or an email: only "Unknown object" fits
        return InvalidRequest(say("unknown_object", field, value=value))
    return InvalidRequest(bad_gid(field, value))  # "Not a Long" for a gid that is not a number


def workspace_roles(ctx: Caller) -> dict[int, bool]:
    """The caller's workspaces, each with whether the caller is its admin (cached per request)."""
    roles: dict[int, bool] | None = ctx.cache.get("workspace_roles")
    if roles is None:
        rows = sql.fetch(
            ctx.conn,
            "SELECT workspace_gid, is_admin FROM workspace_members WHERE user_gid = ?",
            [ctx.user_gid],
        )
        roles = {gid: bool(admin) for gid, admin in rows}
        ctx.cache["workspace_roles"] = roles
    return roles


# ---- the rules as SQL conditions ---------------------------------------------------------------
#
# Each rule is written once, for a viewer that is either the caller's gid (`*_visible(ctx)`, for
# queries composed per request) or the bind parameter `viewer` with the viewer's workspaces as a
# subquery: the one-object lookups of each rule module (`find`) build their statement once per process
# that way, since building these expressions costs milliseconds a request (GET /tasks/{gid}: ~2.5 ms
# CPU).

Viewer = Any  # an int (the caller's gid) or the `viewer` bind parameter
Workspaces = Any  # a list of workspace gids or a subquery of them


VIEWER = bindparam("viewer", type_=BigInteger)
GID = bindparam("gid", type_=BigInteger)  # the one object a prepared lookup reads


def viewer_workspaces() -> Any:
    """The `viewer`'s workspaces, as a subquery."""
    return select(WorkspaceMember.workspace_gid).where(WorkspaceMember.user_gid == VIEWER)


def mine(ctx: Caller) -> tuple[int, ...]:
    """The caller's workspaces, the key (with the caller's gid) of the per-viewer condition caches."""
    return tuple(sorted(workspace_roles(ctx)))


# The conditions built for one viewer are kept (immutable; SQLAlchemy memoizes their cache keys), so a
# request reuses them instead of building them again: ~0.7-1.5 ms each, per request. Each rule module
# makes its `*_visible(ctx)` from its rule with `per_viewer`.
def per_viewer(
    rule: Callable[[Viewer, Workspaces], ColumnElement[bool]],
) -> Callable[[Caller], ColumnElement[bool]]:
    """`rule` for the caller (their gid and workspaces), built once per viewer."""
    cached = lru_cache(maxsize=256)(rule)
    return lambda ctx: cached(ctx.user_gid, mine(ctx))


def rule_sql(
    table: Any, rule: Callable[[Viewer, Workspaces], ColumnElement[bool]]
) -> Callable[[Caller], tuple[str, list[Any]]]:
    """`rule` on `table` (referred to by its own name, unaliased) as prepared SQL text and its
    parameters for the caller: rendered once per dialect with a `viewer` parameter (vinyasa.protocol.sql
    `fragment`), for queries written as SQL text."""

    @cache
    def rendered(dialect: str) -> sql.Fragment:
        return sql.fragment(table, rule(VIEWER, viewer_workspaces()), dialect)

    def visible(ctx: Caller) -> tuple[str, list[Any]]:
        found = rendered(ctx.conn.dialect.name)
        return found.text, found.params(viewer=ctx.user_gid)

    return visible


@cache
def _as_sql(prepared: Callable[[], Any], dialect: str, lock: Lock = False) -> sql.Prepared:
    """A prepared one-object lookup as SQL text, rendered once per dialect: the lookups run on every
    request that names an object, and SQLAlchemy would hash their large cache keys each time.
    `lock`: FOR NO KEY UPDATE of the object's own row (the table of the lookup's first column),
    "delete": FOR UPDATE (vinyasa.db.row_lock says which when)."""
    stmt = prepared()
    if lock:
        stmt = stmt.with_for_update(of=stmt.columns_clause_froms[0], key_share=lock != "delete")
    return sql.prepare(stmt, dialect)


def lookup(ctx: Caller, prepared: Callable[[], Any], gid: int, *, lock: Lock = False) -> Any:
    """The row a prepared one-object lookup (`prepared()`, with the parameters `viewer` and `gid`)
    reads for `gid`, or None when the caller cannot see it. `lock`: see `locking`."""
    return _as_sql(prepared, ctx.conn.dialect.name, lock).first(ctx.conn, viewer=ctx.user_gid, gid=gid)


def find(
    ctx: Caller, prepared: Callable[[], Any], value: str, field: str | None, kind: str, *, lock: Lock = False
) -> Any:
    """The row `lookup` reads for the gid string `value`; the `unknown` error naming `kind` when
    `value` is no gid or names nothing the caller can see (also when, `lock`ed, it was deleted
    while the lock was awaited)."""
    gid = as_gid(value)
    row = None if gid is None else lookup(ctx, prepared, gid, lock=lock)
    if row is None:
        raise unknown(field, value, kind)
    return row


def child_of(
    ctx: Caller,
    parent_of: str,
    value: str,
    kind: str,
    field: str | None,
    parent: Callable[[int], T],
    *,
    lock: bool,
) -> tuple[int, T]:
    """An object known through its parent (a project's section, a portfolio's membership...): its gid
    and `parent(parent_gid)`, the parent's lookup (it raises NotFound when the caller cannot see it;
    locked, when `lock`, as every writer of the parent's children locks it first). `parent_of` is
    the SQL reading the parent's gid for the object's gid. Locked, the object is read again under
    the parent's lock, so one deleted meanwhile answers like one that never was (`locking`). 404
    (400 naming `field`) naming `kind` otherwise."""
    gid = as_gid(value)
    parent_gid = sql.fetch_value(ctx.conn, parent_of, [gid]) if gid is not None else None
    found = None
    if parent_gid is not None:
        try:
            found = parent(int(parent_gid))
        except NotFound:
            found = None
    if found is not None and locking(ctx, lock) and sql.fetch_value(ctx.conn, parent_of, [gid]) != parent_gid:
        found = None
    if gid is None or found is None:
        raise unknown(field, value, kind)
    return gid, found


def locking(ctx: Caller, lock: Lock = True) -> str:
    """ " FOR NO KEY UPDATE" when `lock` on PostgreSQL (vinyasa.db.row_lock), else "": for the lookup
    of an object a request changes or deletes.

    Locked, the row stays the one the request read until its transaction ends: a concurrent change
    or delete of the same object waits, and then reads the row as the first left it (a PUT checks
    Asana's rules against the other PUT's result, a second DELETE finds nothing: 404), as one
    process on SQLite, whose writers run one at a time, always does. PostgreSQL runs at READ
    COMMITTED: the locked read and every statement after it see what committed before it. Objects
    whose order or existence hangs on their project (sections, statuses, briefs) lock the project
    instead, then read themselves again (`vinyasa.access.projects.project_child`)."""
    return row_lock(ctx.conn, delete=lock == "delete") if lock else ""


# Aliases for the visibility conditions, so they also work in queries that join these tables. Made
# once: building an alias's column collection costs more than running the query it serves.
VISIBLE_PM = ProjectMember.__table__.alias("visible_pm")
VISIBLE_TM = TeamMember.__table__.alias("visible_tm")
VISIBLE_TP = TaskProject.__table__.alias("visible_tp")
VISIBLE_TF = TaskFollower.__table__.alias("visible_tf")
VISIBLE_ROOT = Task.__table__.alias("visible_root")


# ---- references in responses: what the caller cannot see shows only {gid, resource_type} -------


def hidden_by_rule(conn: Any, table: str, gids: list[int], rule: tuple[str, list[Any]]) -> set[int]:
    """Of these gids of `table`, the ones a prepared visibility rule (`access.*_visible_sql`: SQL on
    `table`'s columns and its parameters) hides. No gids: none, and no statement."""
    if not gids:
        return set()
    condition, params = rule
    statement = f"SELECT gid FROM {table} WHERE gid IN ({sql.marks(len(gids))}) AND ({condition})"
    return set(gids) - {int(r[0]) for r in sql.fetch(conn, statement, [*gids, *params])}


def hidden_among(
    ctx: Caller, gids: list[int], proven: str, rule: Callable[[], ColumnElement[bool]], table: Any
) -> set[int]:
    """The gids the caller cannot see. `proven` (prepared SQL, cheap) returns those visible by a
    sufficient condition of the rule, with `?` for the caller's gid and then the gid list; only the
    rest are decided by the rule itself (`rule()` on `table`), so every answer is the one rule's."""
    marks = sql.marks(len(gids))
    query = proven.replace("{gids}", marks)
    args = [ctx.user_gid] * (query.count("?") - len(gids))
    seen = {int(r[0]) for r in sql.fetch(ctx.conn, query, [*args, *gids])}
    rest = [g for g in gids if g not in seen]
    if not rest:
        return set()
    visible = {int(r[0]) for r in ctx.conn.execute(select(table.c.gid).where(table.c.gid.in_(rest), rule()))}
    return set(rest) - visible


# The caller's workspaces, as SQL with `?` for the caller's gid.
MINE = "SELECT workspace_gid FROM workspace_members WHERE user_gid = ?"
