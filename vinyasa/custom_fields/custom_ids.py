"""Custom ID fields: a text custom field with an `id_prefix` ("ENG") numbers the tasks that get it
("ENG-1", "ENG-2", ...), and getTaskForCustomID finds a task by that ID.

Asana: https://developers.asana.com/reference/gettaskforcustomid and CustomFieldResponse
(`id_prefix`, `representation_type: custom_id`). What the spec leaves open is decided here and in
docs/deviations.md:

- An ID field is created with `POST /custom_fields` (or inline by addCustomFieldSetting) as a
  `text` field with an `id_prefix`: 1-10 ASCII letters or digits, stored upper-case, unique in the
  workspace ignoring case (400 otherwise); another type with a prefix is a 400, and the prefix can
  never change (400 on update). It shows `representation_type: custom_id`, its `id_prefix` and
  `is_value_read_only: true`.
- A task gets its number when it gets the field: when it joins a project that has the field
  (created there, addProject, duplicated into it) or when the field is added to a project it is
  in (its tasks numbered oldest first). Numbers count up from 1 per field and are never reused;
  the value is `text_value` and `display_value` "ENG-42". A task keeps its number when it leaves
  the project (the value is then `enabled: false`, as any value) and when it comes back. Writing
  an ID value through `custom_fields` is a 400 (read-only); duplicates get a number of their own.
- Numbering is done by a journal flush hook (vinyasa.core.journal.on_flush) in the same
  transaction, so every writer that records a task joining a project numbers it, and nothing in
  the task family knows about ID fields. The counter row is locked before the tasks to number are
  read, once per field and flush, so concurrent requests never give out one number twice nor
  number one task twice.
"""

from __future__ import annotations

import re

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.core.journal import Change
from vinyasa.custom_fields import queries
from vinyasa.custom_fields.values import TASK_VALUES
from vinyasa.errors import InvalidRequest, NotFound

_PREFIX = re.compile(r"[A-Za-z0-9]{1,10}")
_CUSTOM_ID = re.compile(r"([A-Za-z0-9]{1,10})-([1-9][0-9]{0,17})")


def prefix(value: str | None, subtype: str) -> str | None:
    """The prefix to store for a new field (upper-case), or None; 400 for a bad one."""
    if value is None:
        return None
    if subtype != "text":
        raise InvalidRequest("id_prefix: Only a text custom field can be a custom ID field")
    if not _PREFIX.fullmatch(value):
        raise InvalidRequest(f"id_prefix: Must be 1 to 10 letters or digits: {value[:64]}")
    return value.upper()


def require_free(ctx: Caller, workspace_gid: int, id_prefix: str) -> None:
    """400 when another field of the workspace has this prefix (the caller holds the workspace lock)."""
    if queries.field_with_prefix(ctx.conn, workspace_gid, id_prefix):
        raise InvalidRequest(f"id_prefix: A custom ID field with the prefix {id_prefix} already exists")


def task_for(ctx: Caller, workspace_gid: int, custom_id: str) -> int:
    """The gid of the task the caller can see with this ID ("ENG-42", prefix in any case) in the
    workspace; 404 (as for an unknown task gid) for a malformed ID, an unknown one or a task not visible."""
    found = _CUSTOM_ID.fullmatch(custom_id.strip())
    gid = None
    if found:
        gid = queries.task_with_custom_id(ctx.conn, workspace_gid, found[1].upper(), int(found[2]))
    if gid is None:
        raise access.unknown(None, custom_id, "task")
    try:
        return access.task(ctx, str(gid)).gid
    except NotFound:
        raise access.unknown(None, custom_id, "task") from None


def _joins(changes: list[Change]) -> tuple[dict[int, set[int]], set[int]]:
    """Of these changes: per project, the tasks that joined it; and the projects that got a setting
    (all their tasks)."""
    joined: dict[int, set[int]] = {}
    whole: set[int] = set()
    for c in changes:
        if c.action != "added" or c.parent is None or c.parent[0] != "project":
            continue
        if c.resource[0] == "task":
            joined.setdefault(c.parent[1], set()).add(c.resource[1])
        elif c.resource[0] == "custom_field_setting":
            whole.add(c.parent[1])
    return joined, whole


def _any_id_field(_caller: Caller, changes: list[Change]) -> journal.ProbeSql:
    """The flush probe of `_number`: does any project these changes touch have an ID field?"""
    joined, whole = _joins(changes)
    return queries.any_id_field(sorted(set(joined) | whole)) if joined or whole else None


def _number(caller: Caller, changes: list[Change]) -> None:
    """Give every task that got an ID field in these changes its number (see the module docstring)."""
    joined, whole = _joins(changes)
    if not joined and not whole:
        return
    conn = caller.conn
    fields = queries.id_fields_on(conn, sorted(set(joined) | whole))
    for field_gid, id_prefix in sorted({(f, p) for _, f, p in fields}):
        projects = [p for p, f, _ in fields if f == field_gid]
        tasks = (
            None if any(p in whole for p in projects) else sorted({t for p in projects for t in joined[p]})
        )
        # The counter's row first: a concurrent numbering of the same tasks commits before the read
        # of which are still unnumbered (each statement sees what committed before it started).
        ordering.lock(conn, "custom_fields", field_gid)
        unnumbered = queries.unnumbered(conn, field_gid, projects, tasks)
        if not unnumbered:
            continue
        last = queries.take_numbers(conn, field_gid, len(unnumbered))
        first = last - len(unnumbered) + 1
        queries.insert_ids(
            conn,
            [(task, field_gid, f"{id_prefix}-{n}", n) for n, task in enumerate(unnumbered, start=first)],
        )
        TASK_VALUES.rebuild_displays(conn, unnumbered)  # the page's display maps show the new IDs


journal.on_flush(_number, probe=_any_id_field)
