"""Rules (vinyasa.rules): part of editing their project (vinyasa.access)."""

from __future__ import annotations

from dataclasses import dataclass

from vinyasa.access.core import locking, unknown
from vinyasa.access.projects import VisibleProject, project, require_project_level
from vinyasa.core import Caller
from vinyasa.errors import NotFound
from vinyasa.protocol import sql
from vinyasa.protocol.gids import as_gid


@dataclass(frozen=True)
class VisibleRule:
    """A rule whose project the caller can edit."""

    gid: int
    project: VisibleProject
    trigger_type: str


def rule(ctx: Caller, value: str, *, by_trigger: bool = False, lock: bool = False) -> VisibleRule:
    """A rule by gid string (or, `by_trigger`, by its `rule_trigger_gid`). Rules are part of editing
    their project: a caller who cannot see the project gets the 404 of an unknown rule (or rule
    trigger), one who sees it with less than editor access a 403. `lock` the rule's row
    (vinyasa.access.core.locking)."""
    gid = as_gid(value)
    column = "trigger_gid" if by_trigger else "gid"
    rows = []
    if gid is not None:
        rows = sql.fetch(
            ctx.conn,
            f"SELECT gid, project_gid, trigger_type FROM rules WHERE {column} = ?{locking(ctx, lock)}",
            [gid],
        )
    kind = "rule_trigger" if by_trigger else "rule"
    if not rows:
        raise unknown(None, value, kind)
    try:
        found = project(ctx, str(rows[0][1]))
    except NotFound:
        raise unknown(None, value, kind) from None
    if not by_trigger:
        require_project_level(found, "editor", "change its rules")
    return VisibleRule(int(rows[0][0]), found, str(rows[0][2]))
