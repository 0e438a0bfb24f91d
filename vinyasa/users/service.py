"""Finding users by `me`, email or gid, and creating them on invitation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from vinyasa.access import shares_workspace, unknown, workspaces_of
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.db import insert_row, update_row
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.models import User
from vinyasa.protocol.gids import as_gid, new_gid
from vinyasa.users import queries

if TYPE_CHECKING:  # the schemas import the custom field machinery, which imports this module
    from vinyasa.users.schemas import UserFields


def find_user(conn: Connection, value: str, me: int | None = None) -> int | None:
    """The gid of the user named by `me`, an email (any case) or a gid; None if there is none."""
    value = value.strip()
    if value == "me":
        return me
    if "@" in value:
        return queries.user_by_email(conn, value.lower())
    gid = as_gid(value)
    return None if gid is None else queries.user_by_gid(conn, gid)


def resolve_user(ctx: Caller, value: str, field: str | None = None) -> int:
    """A user the caller can see; 404 (path) or 400 (body, filter) otherwise."""
    gid = find_user(ctx.conn, value, ctx.user_gid)
    if gid is None or not shares_workspace(ctx, gid):
        raise unknown(field, value, "user")
    return gid


def create_user(conn: Connection, email: str, name: str | None = None) -> int:
    """A new user; the name defaults to the email's local part."""
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or len(email) > 320:
        raise InvalidRequest(f"user: Not a valid email address: {email[:64]}")
    gid = new_gid(conn)
    insert_row(conn, User, {"gid": gid, "name": name or local, "email": email, "created_at": now_ms()})
    return gid


def user_count(conn: Connection) -> int:
    """How many users exist (an empty database has none)."""
    return queries.user_count(conn)


def update_user(ctx: Caller, user_gid: int, fields: UserFields) -> None:
    """Apply updateUser's `name`: a user may rename only themselves (Asana: `name` is "read-only
    except when same user as requester"), else 403 (`custom_fields`: vinyasa.users.fields, written
    by the route afterwards). Journals a `changed` entry."""
    name = None if fields.name is None else fields.name.strip()
    if name is not None and user_gid != ctx.user_gid:
        raise Forbidden("You do not have permission to change another user's name.")
    if name == "":
        raise InvalidRequest("name: Cannot be empty")
    if name is None:
        return
    update_row(ctx.conn, User, user_gid, {"name": name})
    journal.changed(ctx, ("user", user_gid), ["name"], topics=workspaces_of(ctx.conn, user_gid))
