"""Bodies of the /memberships endpoints (CreateMembershipRequest, MembershipRequest)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from vinyasa.errors import InvalidRequest


class MembershipFields(BaseModel):
    """POST /memberships and PUT /memberships/{gid}: `parent` and `member` only on create; the level as
    `access_level` or the deprecated `role` (access_level wins when both are given)."""

    model_config = ConfigDict(extra="ignore")
    parent: str | None = None
    member: str | None = None
    access_level: str | None = None
    role: str | None = None


def access_level(value: str | None, field: str, kind: str, levels: Sequence[str]) -> str:
    """`value` when it is one of a `kind`'s (project, portfolio) access `levels` (weakest first), else
    a 400 naming `field` and the levels."""
    if value is None or value not in levels:
        allowed = ", ".join(reversed(levels))
        given = str(value)[:64]
        raise InvalidRequest(f"{field}: Not a valid access level for a {kind}: {given}. Use one of {allowed}")
    return value
