"""The projection engine's record lists (e.g. task memberships), exercised on people tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from vinyasa.core import Caller
from vinyasa.models import User
from vinyasa.protocol import sql
from vinyasa.protocol.resources import Resource, project
from vinyasa.protocol.specs import Col, Records


def _viewer(conn: Connection, user_gid: int) -> Caller:
    return Caller(conn=conn, user_gid=user_gid, base_url="http://x")


def _memberships(conn: Any, viewer: Any, gids: list[int]) -> Mapping[int, list[dict[str, int | None]]]:
    rows = sql.fetch(
        conn,
        f"SELECT user_gid, workspace_gid FROM workspace_members WHERE user_gid IN ({sql.marks(len(gids))})",
        gids,
    )
    out: dict[int, list[dict[str, int | None]]] = {}
    for user, ws in rows:
        out.setdefault(user, []).append({"workspace": ws, "user": user, "nothing": None})
    return out


PERSON = Resource(
    "user",
    User.__table__,
    {
        "name": Col("name"),
        "memberships": Records({"workspace": "workspace", "user": "user", "nothing": "user"}, _memberships),
    },
    compact=("name",),
    register=False,
)


def test_records_default_compact_members(world):
    with world.db() as conn:
        [item] = project(conn, _viewer(conn, int(world.user)), PERSON, [int(world.user)], None, full=True)
    assert item["memberships"] == [
        {
            "workspace": {"gid": world.workspace, "resource_type": "workspace", "name": "Acme"},
            "user": {"gid": world.user, "resource_type": "user", "name": "owner"},
            "nothing": None,
        }
    ]


def test_records_sub_fields(world):
    tree: dict[str, Any] = {"memberships": {"workspace": {"is_organization": {}}}}
    with world.db() as conn:
        [item] = project(conn, _viewer(conn, int(world.user)), PERSON, [int(world.user)], tree, full=True)
    assert item == {
        "gid": world.user,
        "memberships": [{"workspace": {"gid": world.workspace, "is_organization": True}}],
    }


def test_a_plan_cached_for_another_object_of_the_same_id_is_not_used(world):
    """Plans are cached by the resource's id(): a plan must never serve another resource that got
    the same id (a view made per request, once the earlier one is gone). The favorites' user list
    answered `name: null` on PostgreSQL when a project view's plan was reused for a user view."""
    from vinyasa.protocol import resources
    from vinyasa.protocol.resources import REGISTRY

    users = REGISTRY["user"].view(("name",))
    projects = REGISTRY["project"].view(("name",))
    foreign = resources._plan(projects, None, False)
    key = (id(users), repr(None), False)
    resources._PLANS[key] = foreign  # as if `users` had the id a dropped project view had
    try:
        with world.db() as conn:
            [item] = project(conn, _viewer(conn, int(world.user)), users, [int(world.user)], None, full=False)
    finally:
        resources._PLANS.pop(key, None)
    assert item == {"gid": world.user, "resource_type": "user", "name": "owner"}


def test_favorites_views_are_made_once_per_type():
    from vinyasa.users import favorites

    assert favorites.named("user") is favorites.named("user")
    assert favorites.named("project") is not favorites.named("user")
