"""Project memberships through the generic /memberships API: who is a member (a user or a team) of
which project, at which access level.

Source: Asana's spec, tag Memberships (getMemberships, createMembership, getMembership,
updateMembership, deleteMembership) and "[Change] Project team sharing is coming!"
(forum.asana.com/t/740939). Projects and portfolios can be parents here (a portfolio's memberships:
vinyasa.memberships.portfolios); vinyasa has no goals or custom types, and custom fields have no
members of their own, so any other `parent` is an unknown object (400).
Changing memberships needs the project's `minimum_access_level_for_sharing` (else 403), and nobody
can give a higher level than their own (403).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import false, select

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.db import update_row
from vinyasa.errors import Forbidden, InvalidRequest
from vinyasa.memberships import portfolios, queries
from vinyasa.memberships.schemas import MembershipFields, access_level
from vinyasa.models import ProjectMember
from vinyasa.projects import members
from vinyasa.protocol import pagination, sql
from vinyasa.protocol.gids import as_gid
from vinyasa.protocol.pagination import AnySelect, Listing

Member = tuple[Literal["user", "team"], int]
SUBTYPES = ("project_membership", "portfolio_membership")


def _is(ctx: Caller, query: str, value: str | None) -> bool:
    """Whether `query` finds the gid `value` spells; asked once a request (the route picks the
    record's shape by it, the service the rules)."""
    gid = as_gid(value) if value is not None else None
    if gid is None:
        return False
    key = ("memberships", query, gid)
    if key not in ctx.cache:
        ctx.cache[key] = sql.fetch_value(ctx.conn, query, [gid]) is not None
    return bool(ctx.cache[key])


def names_portfolio(ctx: Caller, value: str | None) -> bool:
    """Whether `value` (a `parent`) is a portfolio's gid (else a project's, or nothing)."""
    return _is(ctx, queries.PORTFOLIO, value)


def of_portfolio(ctx: Caller, value: str) -> bool:
    """Whether `value` (a membership gid) is a portfolio membership's (else a project's, or nothing)."""
    return _is(ctx, queries.OF_PORTFOLIO, value)


def _member(ctx: Caller, value: str, workspace_gid: int | None) -> Member:
    """A team (by gid) or a user (`me`, email or gid) the caller can see; 400 otherwise. With
    `workspace_gid`, the member must belong to that workspace."""
    gid = as_gid(value)
    if gid is not None:
        found = access.visible_team(ctx, gid)
        if found is not None:
            if workspace_gid is not None and found[1] != workspace_gid:
                raise InvalidRequest(f"member: Team {gid} is not in the project's workspace")
            return "team", gid
    return "user", members.resolve_users(ctx, "member", [value], workspace_gid)[0]


def _level(value: str | None, field: str) -> str:
    return access_level(value, field, "project", access.PROJECT_LEVELS)


def _may_grant(project: access.VisibleProject, level: str) -> None:
    """403 unless the caller may share the project, at most at their own level."""
    access.require_project_level(project, project.minimum_access_level_for_sharing, "change its members")
    if access.PROJECT_LEVELS.index(level) > access.PROJECT_LEVELS.index(project.access_level):
        raise Forbidden(f"You cannot give {level} access to this project: your own access is lower.")


def listing(ctx: Caller, parent: str | None, member: str | None, subtype: str | None) -> AnySelect | Listing:
    """The memberships to list, by gid: a project's or a portfolio's (optionally one member's; of
    `resource_subtype` when given: another kind lists none), or, without `parent`, every visible
    project membership of a team (`member` a team, `resource_subtype` project_membership)."""
    if subtype is not None and subtype not in SUBTYPES:
        raise InvalidRequest(
            f"resource_subtype: Not a supported membership type: {subtype[:64]}."
            " Use project_membership or portfolio_membership"
        )
    if parent is not None and names_portfolio(ctx, parent):
        stmt = portfolios.listing(ctx, access.portfolio(ctx, parent, "parent"), member)
        return stmt.where(false()) if subtype not in (None, "portfolio_membership") else stmt
    if parent is not None:
        project = access.project(ctx, parent, "parent")
        stmt = select(ProjectMember.gid).where(ProjectMember.project_gid == project.gid)
        if subtype not in (None, "project_membership"):
            stmt = stmt.where(false())
        if member is not None:
            kind, gid = _member(ctx, member, None)
            column = ProjectMember.team_gid if kind == "team" else ProjectMember.user_gid
            stmt = stmt.where(column == gid)
        return stmt
    if member is None or subtype != "project_membership":
        raise InvalidRequest(
            "parent: Missing input. Give a parent, or a team as member with resource_subtype"
            " project_membership"
        )
    kind, gid = _member(ctx, member, None)
    if kind != "team":
        raise InvalidRequest("member: Without a parent, member must be a team; give a parent for a user")
    of_team = (queries.TEAM_MEMBERSHIP, [gid])
    visible = access.project_visible_sql(ctx)
    return pagination.listing(queries.TEAM_PROJECT_MEMBERSHIPS, [of_team, visible], ("project_members.gid",))


def create(ctx: Caller, fields: MembershipFields) -> int:
    """A new project membership for a user or a team; the level defaults to the project's
    default_access_level. A member that already has one is a 400 (update that membership instead)."""
    if fields.parent is None:
        raise InvalidRequest("parent: Missing input")
    if fields.member is None:
        raise InvalidRequest("member: Missing input")
    if names_portfolio(ctx, fields.parent):
        return portfolios.create(ctx, fields.parent, fields.member, fields)
    project = access.project(ctx, fields.parent, "parent", lock="share")
    kind, member = _member(ctx, fields.member, project.workspace_gid)
    given = fields.access_level if fields.access_level is not None else fields.role
    field = "access_level" if fields.access_level is not None else "role"
    level = project.default_access_level if given is None else _level(given, field)
    _may_grant(project, level)
    gid = members.add_member(ctx.conn, project.gid, (kind, member), level)
    if gid is None:
        raise InvalidRequest(
            f"member: {fields.member[:64]} is already a member of this project; update that membership"
        )
    _record_member(ctx, project, "added", (kind, member))
    return gid


def _record_member(ctx: Caller, project: access.VisibleProject, action: str, member: Member) -> None:
    """Journal: the project's `members` field `changed` (a user or team `added` or `removed`)."""
    journal.member(ctx, ("project", project.gid), action, member, topics=[project.workspace_gid])


def _visible(ctx: Caller, value: str) -> tuple[int, access.VisibleProject, Member, str]:
    """A membership whose project the caller can see (404 otherwise), with that project locked (and
    the membership read under the lock: access.project_child), its member and its access level."""
    gid, project = access.project_child(ctx, "project_members", value, "membership", lock=True)
    _, user, team, level = queries.membership(ctx.conn, gid)
    member: Member = ("user", user) if user is not None else ("team", int(team or 0))
    return gid, project, member, level


def _may_take_admin(
    ctx: Caller, project: access.VisibleProject, member: Member, level: str, field: str, action: str
) -> None:
    """Lowering or ending an admin membership: a user's as removeMembers rules (project admin, 403;
    one admin stays, 400 naming `field`); a team's needs project admin too (it holds admin for
    every member of the team)."""
    if member[0] == "user":
        access.require_member_removal(ctx, project, [member[1]], field, action)
    elif level == "admin":
        access.require_project_level(project, "admin", f"{action} its admins")


def change(ctx: Caller, value: str, fields: MembershipFields) -> int:
    """Set a membership's access level (`access_level`, or the deprecated `role`)."""
    if of_portfolio(ctx, value):
        return portfolios.change(ctx, value, fields)
    gid, project, member, current = _visible(ctx, value)
    given = fields.access_level if fields.access_level is not None else fields.role
    if given is None:
        raise InvalidRequest("access_level: Missing input")
    field = "access_level" if fields.access_level is not None else "role"
    level = _level(given, field)
    _may_grant(project, level)
    if level != "admin":
        _may_take_admin(ctx, project, member, current, field, "lower the access of")
    if level == current:  # no change, nothing journaled (as a task PUT that changes nothing)
        return gid
    update_row(ctx.conn, ProjectMember, gid, {"access_level": level})
    topics = [project.gid, project.workspace_gid]
    journal.changed(ctx, ("project_membership", gid), ["access_level"], topics=topics)
    return gid


def remove(ctx: Caller, value: str) -> None:
    """End a membership (a user's also ends their following the project)."""
    if of_portfolio(ctx, value):
        portfolios.remove(ctx, value)
        return
    gid, project, member, current = _visible(ctx, value)
    access.require_project_level(project, project.minimum_access_level_for_sharing, "change its members")
    _may_take_admin(ctx, project, member, current, "membership", "remove")
    queries.delete(ctx.conn, gid)
    _record_member(ctx, project, "removed", member)
