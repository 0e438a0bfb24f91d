"""A user's favorites: per workspace and resource type, an ordered list (Asana's sidebar).

Asana: https://developers.asana.com/reference/getfavoritesforuser. Asana sets favorites only in its
web app; vinyasa sets them through its control plane (`POST /_vinyasa/users/{gid}/favorites`) and
the `favorites:` key of fixture files, both calling `change`. Decided here (docs/deviations.md):

- `resource_type` and `workspace` are both required (400 "…: Missing input"; the spec's
  `default: project` is ignored, as it also says `required: true`); an unknown type is a 400.
- Only the caller's own favorites are listed: another user the caller can see is a 403, a user
  the caller cannot see a 404 (the spec: "only returns favorites for the current user").
- A favorite is listed only while its object exists and the caller can see it (the access rule of
  its type); a user favorite only while the user is a member of the workspace.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.models import Portfolio, Project, ProjectTemplate, Tag, Task, User
from vinyasa.protocol import pagination
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.pagination import Listing
from vinyasa.protocol.resources import REGISTRY, Resource
from vinyasa.users import queries
from vinyasa.users.service import resolve_user

TABLES: dict[str, Any] = {
    "portfolio": Portfolio,
    "project": Project,
    "tag": Tag,
    "task": Task,
    "user": User,
    "project_template": ProjectTemplate,
}


@cache
def named(kind: str) -> Resource:
    """AsanaNamedResource of a favorite's type: `gid`, `resource_type`, `name` (made once per type:
    the renderer caches its plans per resource object)."""
    return REGISTRY[kind].view(("name",))


def listing(ctx: Caller, user: str, resource_type: str | None, workspace: str | None) -> tuple[str, Listing]:
    """(type, keyset listing of (position, gid)) of the caller's visible favorites of one type in
    one workspace, in sidebar order. 400 for a missing or bad parameter; see the module docstring."""
    if resource_type is None:
        raise InvalidRequest("resource_type: Missing input")
    if workspace is None:
        raise InvalidRequest("workspace: Missing input")
    if resource_type not in TABLES:
        raise InvalidRequest(
            f"resource_type: Not a favorite type ({', '.join(TABLES)}): {resource_type[:64]}"
        )
    workspace_gid = access.workspace(ctx, workspace, "workspace")
    if resolve_user(ctx, user) != ctx.user_gid:
        raise Forbidden("You can only get your own favorites.")
    table = TABLES[resource_type].__tablename__
    mine = (queries.FAVORITES_OF, [ctx.user_gid, workspace_gid, resource_type])
    conditions = [mine, _visible(ctx, resource_type, workspace_gid)]
    return resource_type, pagination.listing(
        queries.FAVORITES.format(table=table), conditions, queries.FAVORITES_KEYS
    )


def _visible(ctx: Caller, kind: str, workspace_gid: int) -> tuple[str, list[Any]]:
    """The access rule of each favorite type, as prepared SQL on its table and its parameters."""
    if kind == "project":
        return access.project_visible_sql(ctx)
    if kind == "task":
        return access.task_visible_sql(ctx)
    if kind == "portfolio":
        return access.portfolio_visible_sql(ctx)
    if kind == "project_template":
        return access.template_visible_sql(ctx)
    if kind == "tag":
        return queries.TAG_IN_WORKSPACE, [workspace_gid]  # every member of its workspace sees a tag
    return queries.IN_WORKSPACE, [workspace_gid]


def change(
    conn: Any,
    user_gid: int,
    resource: str,
    *,
    remove: bool = False,
    workspace: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> list[str]:
    """Add `resource` (any favorite type; found by gid) to a user's favorites, at the end or
    before/after another favorite of its list, or move it there; or `remove` it (not being one is
    no error). A user favorite names its `workspace` (other objects have their own). 400 naming
    the bad field. Returns the list's gids in order afterwards."""
    gid = as_gid(resource)
    found = queries.favorite_target(conn, gid) if gid is not None else None
    if gid is None or found is None:
        raise InvalidRequest(f"resource: Unknown object: {resource[:64]}")
    kind, own_workspace = found
    if kind == "user":
        space = as_gid(workspace or "")
        if space is None or not queries.is_member(conn, gid, space):
            raise InvalidRequest("workspace: A user favorite needs a workspace the user is a member of")
        own_workspace = space
    elif workspace is not None and as_gid(workspace) != own_workspace:
        raise InvalidRequest("workspace: The object is in another workspace")
    if own_workspace is None or not queries.is_member(conn, user_gid, own_workspace):
        raise InvalidRequest("workspace: The user is not a member of the object's workspace")
    order = [g for g in queries.favorites(conn, user_gid, own_workspace, kind) if g != gid]
    if not remove:
        anchor = before if before is not None else after
        if before is not None and after is not None:
            raise InvalidRequest("insert_before: Give insert_before or insert_after, not both")
        index = len(order)
        if anchor is not None:
            anchor_gid = as_gid(anchor)
            if anchor_gid not in order:
                label = "insert_before" if before is not None else "insert_after"
                raise InvalidRequest(f"{label}: Not a favorite in the same list: {anchor[:64]}")
            index = order.index(anchor_gid) + (0 if before is not None else 1)
        order.insert(index, gid)
    queries.replace_favorites(conn, user_gid, own_workspace, kind, order, gid)
    return [str(g) for g in order]
