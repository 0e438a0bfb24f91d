"""Project member and follower actions, and project memberships."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from vinyasa import access
from vinyasa.models import ProjectMember
from vinyasa.projects import changes as recorded
from vinyasa.projects import members
from vinyasa.projects.schemas import PROJECT, PROJECT_MEMBERSHIP, FollowersBody, MembersBody
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.users.service import resolve_user

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Project memberships"])


@router.post("/projects/{project_gid}/addMembers", operation_id="addMembersForProject")
async def add_members_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Add users as members at the project's default_access_level, capped at the caller's own level
    (not as followers); returns the project."""
    project = members.sharable(ctx, project_gid)
    users = members.resolve_users(ctx, "members", ctx.input(MembersBody).members, project.workspace_gid)
    levels = dict.fromkeys(users, access.grantable_level(project))
    recorded.people_change(
        ctx, project, "members", users, lambda: members.add_members(ctx.conn, project.gid, levels)
    )
    return ctx.one(PROJECT, project.gid)


@router.post("/projects/{project_gid}/removeMembers", operation_id="removeMembersForProject")
async def remove_members_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Remove users from the project's members (and so from its followers); returns the project.

    Removing an admin needs project admin (403), and the last admin stays (400): see vinyasa.access.
    """
    project = members.sharable(ctx, project_gid)
    users = members.resolve_users(ctx, "members", ctx.input(MembersBody).members, None)
    access.require_member_removal(ctx, project, users)
    recorded.people_change(
        ctx, project, "members", users, lambda: members.remove_members(ctx.conn, project.gid, users)
    )
    return ctx.one(PROJECT, project.gid)


@router.post("/projects/{project_gid}/addFollowers", operation_id="addFollowersForProject")
async def add_followers_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Make users followers, and members (at the default access level) if not yet; returns the project."""
    project = members.sharable(ctx, project_gid)
    users = members.resolve_users(ctx, "followers", ctx.input(FollowersBody).followers, project.workspace_gid)
    level = access.grantable_level(project)
    recorded.people_change(
        ctx, project, "followers", users, lambda: members.add_followers(ctx.conn, project.gid, users, level)
    )
    return ctx.one(PROJECT, project.gid)


@router.post("/projects/{project_gid}/removeFollowers", operation_id="removeFollowersForProject")
async def remove_followers_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Stop users following the project; they stay members. Returns the project."""
    project = members.sharable(ctx, project_gid)
    users = members.resolve_users(ctx, "followers", ctx.input(FollowersBody).followers, None)
    recorded.people_change(
        ctx, project, "followers", users, lambda: members.remove_followers(ctx.conn, project.gid, users)
    )
    return ctx.one(PROJECT, project.gid)


@router.get("/projects/{project_gid}/project_memberships", operation_id="getProjectMembershipsForProject")
async def get_project_memberships_for_project(
    ctx: CtxDep, project_gid: str, user: str | None = None
) -> Response:
    """A project's memberships (users' and teams'), by gid; `user` (me, an email or a gid) narrows it
    to that user's own membership."""
    project = access.project(ctx, project_gid)
    stmt = select(ProjectMember.gid).where(ProjectMember.project_gid == project.gid)
    if user is not None:
        stmt = stmt.where(ProjectMember.user_gid == resolve_user(ctx, user, "user"))
    return ctx.page(PROJECT_MEMBERSHIP, stmt)


@router.get("/project_memberships/{project_membership_gid}", operation_id="getProjectMembership")
async def get_project_membership(ctx: CtxDep, project_membership_gid: str) -> Response:
    """The full record of one project membership."""
    return ctx.one(PROJECT_MEMBERSHIP, access.project_membership(ctx, project_membership_gid))
