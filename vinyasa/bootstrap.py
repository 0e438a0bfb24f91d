"""Creating the first workspace, people and tokens (used by the CLI; no HTTP involved)."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, insert, select

from vinyasa.core.clock import now_ms
from vinyasa.models import Token, User, Workspace
from vinyasa.protocol.context import token_digest
from vinyasa.protocol.gids import new_gid
from vinyasa.teams.service import insert_team
from vinyasa.users.service import create_user, find_user, user_count
from vinyasa.workspaces.service import add_member


class BootstrapError(Exception):
    """A CLI request that cannot be carried out; its message is shown to the user."""


def create_token(conn: Connection, user_gid: int) -> str:
    """A new personal access token for the user; only its digest is stored."""
    gid = new_gid(conn)
    token = f"2/{user_gid}/{gid}:{secrets.token_hex(16)}"
    conn.execute(
        insert(Token).values(gid=gid, user_gid=user_gid, token_hash=token_digest(token), created_at=now_ms())
    )
    return token


def token_for_email(conn: Connection, email: str) -> tuple[int, str]:
    """A new token for an existing user."""
    user = find_user(conn, email)
    if user is None:
        raise BootstrapError(f"no user with email {email}")
    return user, create_token(conn, user)


def create_workspace(
    conn: Connection, name: str, owner_email: str, *, organization: bool = True, team: bool = True
) -> dict[str, str | None]:
    """A workspace (an organization with one team, unless not, or `team` is False) whose admin is
    the owner."""
    owner = find_user(conn, owner_email) or create_user(conn, owner_email)
    workspace = new_gid(conn)
    conn.execute(
        insert(Workspace).values(
            gid=workspace, name=name, is_organization=organization, email_domains="[]", created_at=now_ms()
        )
    )
    add_member(conn, workspace, owner, admin=True)
    made = insert_team(conn, workspace, owner, {"name": f"{name} Team"}) if organization and team else None
    return {"workspace": str(workspace), "user": str(owner), "team": str(made) if made else None}


def init(conn: Connection, email: str, workspace_name: str) -> dict[str, str | None]:
    """First start: an organization, its team, the owner and a token. Refuses a non-empty database."""
    if user_count(conn):
        raise BootstrapError("the database already has users; `init` only runs on an empty database")
    created = create_workspace(conn, workspace_name, email, organization=True)
    owner = int(conn.execute(select(User.gid).where(User.email == email.lower())).scalar_one())
    return {"token": create_token(conn, owner), **created}
