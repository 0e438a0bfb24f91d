"""The /memberships endpoints (Asana tag Memberships): project memberships of users and teams,
portfolio memberships of users."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.memberships import service
from vinyasa.memberships.schemas import MembershipFields
from vinyasa.portfolios.schemas import PORTFOLIO_AS_MEMBERSHIP
from vinyasa.projects.schemas import MEMBERSHIP
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep

KIND = "membership"  # what an unknown (or unseen) membership is called, whatever its parent
router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Memberships"])


@router.get("/memberships", operation_id="getMemberships")
async def get_memberships(
    ctx: CtxDep, parent: str | None = None, member: str | None = None, resource_subtype: str | None = None
) -> Response:
    """Compact memberships of a `parent` project (optionally only `member`'s: a user or a team), or,
    without `parent`, a team's project memberships (`member` + `resource_subtype=project_membership`)."""
    resource = PORTFOLIO_AS_MEMBERSHIP if service.names_portfolio(ctx, parent) else MEMBERSHIP
    return ctx.page(resource, service.listing(ctx, parent, member, resource_subtype))


@router.post("/memberships", operation_id="createMembership", status_code=201)
async def create_membership(ctx: CtxDep) -> Response:
    """Share a project (`parent`) with a user or a team (`member`) at `access_level`; 201 with the
    full membership."""
    fields = ctx.input(MembershipFields)
    resource = PORTFOLIO_AS_MEMBERSHIP if service.names_portfolio(ctx, fields.parent) else MEMBERSHIP
    return ctx.one(resource, service.create(ctx, fields), status=201)


@router.get("/memberships/{membership_gid}", operation_id="getMembership")
async def get_membership(ctx: CtxDep, membership_gid: str) -> Response:
    """The full record of one membership."""
    gid = membership_gid
    if service.of_portfolio(ctx, gid):
        return ctx.one_seen(PORTFOLIO_AS_MEMBERSHIP, gid, lambda: access.portfolio_membership(ctx, gid, KIND))
    return ctx.one_seen(MEMBERSHIP, gid, lambda: access.project_membership(ctx, gid, KIND))


@router.put("/memberships/{membership_gid}", operation_id="updateMembership")
async def update_membership(ctx: CtxDep, membership_gid: str) -> Response:
    """Change a membership's `access_level`; returns the full membership."""
    resource = PORTFOLIO_AS_MEMBERSHIP if service.of_portfolio(ctx, membership_gid) else MEMBERSHIP
    return ctx.one(resource, service.change(ctx, membership_gid, ctx.input(MembershipFields)))


@router.delete("/memberships/{membership_gid}", operation_id="deleteMembership")
async def delete_membership(ctx: CtxDep, membership_gid: str) -> Response:
    """End a membership; `{"data": {}}`."""
    service.remove(ctx, membership_gid)
    return ctx.empty()
