"""Bodies of the /memberships endpoints (CreateMembershipRequest, MembershipRequest)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class MembershipFields(BaseModel):
    """POST /memberships and PUT /memberships/{gid}: `parent` and `member` only on create; the level as
    `access_level` or the deprecated `role` (access_level wins when both are given)."""

    model_config = ConfigDict(extra="ignore")
    parent: str | None = None
    member: str | None = None
    access_level: str | None = None
    role: str | None = None
