"""What the projects family records in the change journal (vinyasa.core.journal)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection

from vinyasa.access import VisibleProject
from vinyasa.core import Caller, journal
from vinyasa.protocol import sql

# Stored columns -> the project field a change event names; reference fields carry their new value.
_FIELDS: dict[str, str | None] = {
    "html_notes": "notes",
    "owner_gid": "owner",
    "team_gid": "team",
    "modified_at": None,
}
_REFERENCES = {"owner_gid": "user", "team_gid": "team"}


def created(caller: Caller, gid: int, workspace_gid: int, team_gid: int | None, section_gid: int) -> None:
    """A new project `added` to its team (or workspace), with its first section `added` to it."""
    parent = ("team", team_gid) if team_gid is not None else ("workspace", workspace_gid)
    journal.record(caller, ("project", gid), "added", parent=parent, topics=[workspace_gid])
    journal.record(caller, ("section", section_gid), "added", parent=("project", gid), topics=[workspace_gid])


def changed(caller: Caller, gid: int, workspace_gid: int, columns: dict[str, Any]) -> None:
    """One `changed` entry per project field whose stored value changed."""
    names = [_FIELDS.get(c, c) for c in columns]
    values: dict[str, journal.ValueRef | None] = {
        c.removesuffix("_gid"): (kind, columns[c]) for c, kind in _REFERENCES.items() if c in columns
    }
    journal.changed(caller, ("project", gid), [n for n in names if n], topics=[workspace_gid], values=values)


def deleted(caller: Caller, gid: int, workspace_gid: int) -> None:
    """The project `deleted` (its own stream and its workspace's see it)."""
    journal.record(caller, ("project", gid), "deleted", topics=[workspace_gid])


def people(
    caller: Caller, gid: int, workspace_gid: int, field: str, action: str, users: Iterable[int]
) -> None:
    """Members or followers `added`/`removed`: a `changed` entry per user on the project's field."""
    for user in users:
        journal.member(caller, ("project", gid), action, ("user", user), topics=[workspace_gid], field=field)


def _present(conn: Connection, project_gid: int, users: list[int], field: str) -> set[int]:
    if not users:
        return set()
    among = sql.marks(len(users))
    stmt = f"SELECT user_gid FROM project_members WHERE project_gid = ? AND user_gid IN ({among})"
    if field == "followers":
        stmt += " AND is_follower"
    return {int(row[0]) for row in sql.fetch(conn, stmt, [project_gid, *users]) if row[0] is not None}


def people_change(
    caller: Caller, project: VisibleProject, field: str, users: list[int], apply: Callable[[], object]
) -> None:
    """Run `apply` (a member/follower write) and record exactly the users it added or removed."""
    before = _present(caller.conn, project.gid, users, field)
    apply()
    after = _present(caller.conn, project.gid, users, field)
    people(caller, project.gid, project.workspace_gid, field, "added", sorted(after - before))
    people(caller, project.gid, project.workspace_gid, field, "removed", sorted(before - after))
