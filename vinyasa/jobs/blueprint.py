"""A blueprint: a project's (or a task's) structure, read once, from which copies are built.

Duplicating a project, saving it as a template and instantiating a template all go through one
JSON-serialisable shape, so one builder (vinyasa.jobs.build) makes every copy:

    {"project":  {column: value, ...} | None,        # the source project's own columns
     "settings": [[custom_field_gid, is_important]],  # custom field settings, in order
     "members":  [[user_gid|None, team_gid|None, access_level, follows]],
     "sections": [name, ...],                          # in order
     "tasks":    [[parent, section, fields], ...],     # depth-first: a parent before its subtasks
     "links":    [[blocked, blocker, blocked_gid, blocker_gid], ...],  # dependencies (optional)
     "rules":    [{name, enabled, trigger_type, trigger, conditions, actions}, ...]}  # (optional)

`parent` is the index of the parent task in `tasks` (-1 for a task of the project), `section` the
index of its section (-1 for subtasks). `fields` holds the task's columns (`TASK_FIELDS`),
`followers` (user gids), `tags` (tag gids, in the order added), `places` (its other projects:
[[project, section]]) and `values` (its custom field values: rows of `VALUE_COLUMNS` without the
task). `links` are the dependencies to copy (`task_gid` depends on `dependency_gid`): each end is
an index in `tasks` (then the copy of that task), or -1 with the gid of a task outside the copy
(then that same task: only a task's duplicate keeps those, and blueprints of older templates have
no `links`, `tags` nor `approval_status`). `rules` are the project's rules, always copied
(vinyasa.rules.copies; older templates have none). What is read follows `Include` (Asana's
`include` elements); dates are absolute (YYYY-MM-DD / epoch ms) and shifted by `shift_dates`
(schedule_dates, template date variables).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinyasa.jobs import queries
from vinyasa.rules import copies

TASK_FIELDS = (
    "name",
    "html_notes",
    "resource_subtype",
    "completed",
    "completed_at",
    "completed_by_gid",
    "assignee_gid",
    "due_on",
    "due_at",
    "start_on",
    "start_at",
    "approval_status",
)
DATE_FIELDS = ("due_on", "due_at", "start_on", "start_at")
EMPTY_NOTES = "<body></body>"


@dataclass(frozen=True)
class Include:
    """What a copy takes besides names, order, sections, custom field settings and values."""

    notes: bool = False  # the project's notes
    members: bool = False
    assignee: bool = False
    dates: bool = False
    followers: bool = False
    task_notes: bool = False
    projects: bool = False  # the tasks' other projects
    subtasks: bool = False
    tags: bool = False
    dependencies: bool = False


EVERYTHING = Include(True, True, True, True, True, True, True, True, True, True)


def _task_fields(row: tuple[Any, ...], include: Include) -> dict[str, Any]:
    fields = dict(zip(TASK_FIELDS, row[3:], strict=True))
    fields["completed"] = bool(fields["completed"])
    if not include.task_notes:
        fields["html_notes"] = EMPTY_NOTES
    if not include.assignee:
        fields["assignee_gid"] = None
    if not include.dates:
        for name in DATE_FIELDS:
            fields[name] = None
    fields["followers"], fields["places"], fields["values"], fields["tags"] = [], [], [], []
    return fields


def _order(
    rows: list[tuple[Any, ...]], tops: list[tuple[int, int]], section_index: dict[int, int], subtasks: bool
) -> tuple[list[list[Any]], dict[int, int]]:
    """The tasks depth-first from `tops` (gid, section gid); returns them and gid -> index."""
    by_gid = {int(r[0]): r for r in rows}
    children: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r in rows:
        if r[1] is not None:
            children[int(r[1])].append((int(r[2]), int(r[0])))
    out: list[list[Any]] = []
    index: dict[int, int] = {}
    for top, section in tops:
        stack: list[tuple[int, int, int]] = [(top, -1, section_index.get(section, -1))]
        while stack:
            gid, parent, section_at = stack.pop()
            if gid in index or gid not in by_gid:  # a task under two parents of the tree is copied once
                continue
            index[gid] = len(out)
            out.append([parent, section_at, by_gid[gid]])
            if subtasks:
                for _, child in sorted(children.get(gid, []), reverse=True):
                    stack.append((child, index[gid], -1))
    return out, index


def _attach(
    conn: Connection,
    root: int,
    project: bool,
    tasks: list[list[Any]],
    index: dict[int, int],
    include: Include,
) -> None:
    """Followers, other projects and custom field values onto the ordered tasks."""
    if include.followers:
        for task, user in queries.tree_followers(conn, root, project=project):
            if task in index:
                tasks[index[task]][2]["followers"].append(user)
    if include.projects:
        for task, other, section in queries.tree_memberships(conn, root, project=project):
            if task in index and (not project or other != root):
                tasks[index[task]][2]["places"].append([other, section])
    if include.tags:
        for task, tag in queries.tree_tags(conn, root, project=project):
            if task in index:
                tasks[index[task]][2]["tags"].append(tag)
    for row in queries.tree_values(conn, root, project=project):
        if int(row[0]) in index:
            tasks[index[int(row[0])]][2]["values"].append(list(row[1:]))


def _links(
    conn: Connection, root: int, project: bool, index: dict[int, int], include: Include
) -> list[list[int]]:
    """The dependencies to copy (`links`): between copied tasks, and for a task's copy (not a
    project's) also with the tasks outside it."""
    if not include.dependencies:
        return []
    out = []
    for blocked, blocker in queries.tree_links(conn, root, project=project):
        ends = [index.get(blocked, -1), index.get(blocker, -1)]
        if ends == [-1, -1] or (project and -1 in ends):
            continue
        out.append([*ends, blocked, blocker])
    return out


def of_project(
    conn: Connection, project_gid: int, include: Include, *, rules: bool = False
) -> dict[str, Any]:
    """The blueprint of a project (the caller has checked it may see it); with its rules when
    `rules` (the caller may read them: vinyasa.rules.copies.readable)."""
    row = queries.project_row(conn, project_gid)
    if row is None:
        raise LookupError(project_gid)
    sections = queries.sections(conn, project_gid)
    section_index = {gid: i for i, (gid, _) in enumerate(sections)}
    rows = queries.tree_tasks(conn, project_gid, project=True)
    ordered, index = _order(rows, queries.placements(conn, project_gid), section_index, include.subtasks)
    tasks = [[parent, section, _task_fields(r, include)] for parent, section, r in ordered]
    _attach(conn, project_gid, True, tasks, index, include)
    members = queries.members(conn, project_gid) if include.members else []
    if not include.notes:
        row["html_notes"] = EMPTY_NOTES
    return {
        "project": row,
        "settings": [list(s) for s in queries.settings(conn, project_gid)],
        "members": [list(m) for m in members],
        "sections": [name for _, name in sections],
        "tasks": tasks,
        "links": _links(conn, project_gid, True, index, include),
        "rules": copies.of_project(conn, project_gid, [gid for gid, _ in sections]) if rules else [],
    }


def of_task(conn: Connection, task_gid: int, include: Include) -> dict[str, Any]:
    """The blueprint of one task and (with `subtasks`) its subtasks; no project, no sections."""
    rows = queries.tree_tasks(conn, task_gid, project=False)
    ordered, index = _order(rows, [(task_gid, -1)], {}, include.subtasks)
    tasks = [[parent, section, _task_fields(r, include)] for parent, section, r in ordered]
    _attach(conn, task_gid, False, tasks, index, include)
    links = _links(conn, task_gid, False, index, include)
    return {"project": None, "settings": [], "members": [], "sections": [], "tasks": tasks, "links": links}


# ---- dates ----------------------------------------------------------------------------------------

_MONDAY = dt.date(2001, 1, 1)  # a Monday: weekday numbers count from it


def _weekday_number(day: dt.date) -> int:
    """How many weekdays lie between the origin Monday and `day` (a weekend day counts as the
    following Monday)."""
    days = (day - _MONDAY).days
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)


def _from_weekday_number(number: int) -> dt.date:
    weeks, rest = divmod(number, 5)
    return _MONDAY + dt.timedelta(days=weeks * 7 + rest)


def shift_day(day: dt.date, old_anchor: dt.date, new_anchor: dt.date, skip_weekends: bool) -> dt.date:
    """Where `day` goes when `old_anchor` moves to `new_anchor`: the same number of calendar days
    from it, or with `skip_weekends` the same number of weekdays (landing on a weekday)."""
    if day == old_anchor:
        return new_anchor
    if not skip_weekends:
        return new_anchor + (day - old_anchor)
    moved = _weekday_number(day) - _weekday_number(old_anchor) + _weekday_number(new_anchor)
    return _from_weekday_number(moved)


def _dates_of(tasks: list[list[Any]], name: str) -> list[dt.date]:
    out = []
    for _, _, fields in tasks:
        if fields.get(name):
            out.append(dt.date.fromisoformat(fields[name]))
        elif fields.get(name.replace("_on", "_at")) is not None:
            out.append(_utc_day(fields[name.replace("_on", "_at")]))
    return out


def _utc_day(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date()


class DatesOutOfRange(ValueError):
    """Moving the dates would put `day` (the earliest or latest of them) outside the calendar."""

    def __init__(self, day: dt.date) -> None:
        super().__init__(f"{day.isoformat()} would fall outside 0001-01-01 to 9999-12-31")
        self.day = day


def anchor(blueprint: dict[str, Any], last_due: bool) -> dt.date | None:
    """The date schedule_dates moves: the last due date (`last_due`) or the first start date (the
    first due date when no task has a start date); None when no task has a date."""
    tasks = blueprint["tasks"]
    if last_due:
        days = _dates_of(tasks, "due_on") or _dates_of(tasks, "start_on")
        return max(days) if days else None
    days = _dates_of(tasks, "start_on") or _dates_of(tasks, "due_on")
    return min(days) if days else None


def _moved_days(blueprint: dict[str, Any]) -> list[dt.date]:
    """Every date `shift_dates` moves: the tasks' four, the project's two."""
    out = []
    for _, _, fields in blueprint["tasks"]:
        out += [dt.date.fromisoformat(fields[n]) for n in ("due_on", "start_on") if fields.get(n)]
        out += [_utc_day(int(fields[n])) for n in ("due_at", "start_at") if fields.get(n) is not None]
    project = blueprint.get("project") or {}
    return out + [dt.date.fromisoformat(project[n]) for n in ("due_on", "start_on") if project.get(n)]


def check_shift(
    blueprint: dict[str, Any], old_anchor: dt.date, new_anchor: dt.date, skip_weekends: bool
) -> None:
    """Raise `DatesOutOfRange` when `shift_dates` would move a date before 0001-01-01 or after
    9999-12-31. `shift_day` never moves a later day before an earlier one, so the earliest and the
    latest date decide for every date between them."""
    days = _moved_days(blueprint)
    for day in (min(days), max(days)) if days else ():
        try:
            shift_day(day, old_anchor, new_anchor, skip_weekends)
        except OverflowError:
            raise DatesOutOfRange(day) from None


def shift_dates(
    blueprint: dict[str, Any], old_anchor: dt.date, new_anchor: dt.date, skip_weekends: bool
) -> None:
    """Move every task date (and the project's) so that `old_anchor` lands on `new_anchor`;
    `DatesOutOfRange` (nothing moved) when one would leave the calendar (`check_shift`)."""
    check_shift(blueprint, old_anchor, new_anchor, skip_weekends)

    def day(value: str) -> str:
        return shift_day(dt.date.fromisoformat(value), old_anchor, new_anchor, skip_weekends).isoformat()

    def instant(ms: int) -> int:
        old = _utc_day(ms)
        new = shift_day(old, old_anchor, new_anchor, skip_weekends)
        return ms + (new - old).days * 86_400_000

    for _, _, fields in blueprint["tasks"]:
        for name in ("due_on", "start_on"):
            if fields.get(name):
                fields[name] = day(fields[name])
        for name in ("due_at", "start_at"):
            if fields.get(name) is not None:
                fields[name] = instant(int(fields[name]))
    project = blueprint.get("project")
    if project:
        for name in ("due_on", "start_on"):
            if project.get(name):
                project[name] = day(project[name])


def reschedule(blueprint: dict[str, Any], schedule: dict[str, Any]) -> None:
    """schedule_dates (`{"date", "last_due", "skip_weekends"}`, vinyasa.jobs.service): move the
    dates so the anchor (`anchor`) lands on `date`; nothing moves when no task has a date.
    `DatesOutOfRange` (nothing moved) when a date would leave the calendar."""
    old = anchor(blueprint, last_due=bool(schedule["last_due"]))
    if old is not None:
        shift_dates(blueprint, old, dt.date.fromisoformat(schedule["date"]), bool(schedule["skip_weekends"]))


def outline(bounds: Sequence[Any]) -> dict[str, Any]:
    """A blueprint holding only the dates that decide where `reschedule` moves a project's copy and
    whether it can (its anchor, its earliest and latest date), from `queries.date_bounds`: the
    least and greatest non-empty `due_on`, `due_at` of the tasks without one, `due_at` of all tasks,
    the same three for starts, then the project's `due_on` and `start_on`. `anchor` takes the least
    or greatest of the tasks' days and a moment's day never decreases as it grows, so the extremes
    give the blueprint's anchor; a time of a task that also has a date is kept beside the least of
    those dates, which is there anyway, so it counts for the range but not the anchor."""
    tasks: list[list[Any]] = []
    for at, (on_min, on_max, bare_min, bare_max, all_min, all_max) in (
        ("due", bounds[0:6]),
        ("start", bounds[6:12]),
    ):
        tasks += [[-1, -1, {f"{at}_on": day}] for day in (on_min, on_max) if day]
        tasks += [[-1, -1, {f"{at}_at": int(ms)}] for ms in (bare_min, bare_max) if ms is not None]
        if on_min:
            tasks += [
                [-1, -1, {f"{at}_on": on_min, f"{at}_at": int(ms)}]
                for ms in (all_min, all_max)
                if ms is not None
            ]
    return {"project": {"due_on": bounds[12], "start_on": bounds[13]}, "tasks": tasks}
