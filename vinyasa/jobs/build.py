"""Building copies from a blueprint (vinyasa.jobs.blueprint), in bounded steps of the runner.

`start_project` (one short transaction) creates the new project through the projects service, as
the job's creator: its sections, custom field settings and (when asked) members; `write_tasks`
then writes the tasks in chunks of whole task trees (`CHUNK` tasks or so, each chunk one short
transaction with its journal entries), so a parent is always written with its subtasks and a chunk
never needs another chunk's gids. Everything a blueprint names that no longer exists (a deleted
user, custom field or project) is left out rather than failing the copy.

Positions: sections and the project's tasks are written `GAP` apart in blueprint order, subtasks
`GAP` apart among their siblings, the layout vinyasa.ordering gives appended items.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vinyasa import access
from vinyasa.core import Caller, journal
from vinyasa.core.clock import now_ms
from vinyasa.custom_fields.values import TASK_VALUES
from vinyasa.dependencies import service as dependencies
from vinyasa.errors import AsanaError
from vinyasa.jobs import queries
from vinyasa.models import Task
from vinyasa.ordering import BOTTOM, GAP, OrderedList, lock
from vinyasa.projects import members
from vinyasa.projects.schemas import ProjectFields
from vinyasa.projects.service import create_project
from vinyasa.protocol.gids import allocate
from vinyasa.tasks import placement, tree

CHUNK = 250  # tasks per step (whole trees: a step may take more to finish the tree it is in)
SUBTASKS = OrderedList(Task.__table__, item="gid")


def start_project(
    caller: Caller,
    blueprint: dict[str, Any],
    name: str,
    *,
    team_gid: int | None,
    privacy: str | None = None,
) -> tuple[int, list[int], list[int]]:
    """Create the new project with the blueprint's sections, settings and members: (gid, section
    gids in blueprint order, their positions)."""
    source = blueprint["project"]
    fields = ProjectFields(
        name=name,
        html_notes=source["html_notes"],
        color=source["color"],
        icon=source["icon"],
        default_view=source["default_view"],
        privacy_setting=privacy or source["privacy_setting"],
        default_access_level=source["default_access_level"],
        minimum_access_level_for_customization=source["minimum_access_level_for_customization"],
        minimum_access_level_for_sharing=source["minimum_access_level_for_sharing"],
        start_on=source["start_on"] if source["due_on"] else None,  # a start date needs a due date
        due_on=source["due_on"],
    )
    if privacy == "private_to_team" and team_gid is None:
        fields.privacy_setting = "private"
    project = create_project(caller, fields, workspace_gid=source["workspace_gid"], team_gid=team_gid)
    workspace = int(source["workspace_gid"])
    sections, positions = _sections(caller, project, workspace, blueprint["sections"])
    _settings(caller, project, workspace, blueprint["settings"])
    _members(caller, project, workspace, blueprint["members"])
    return project, sections, positions


def _sections(caller: Caller, project: int, workspace: int, names: list[str]) -> tuple[list[int], list[int]]:
    first, position = queries.first_section(caller.conn, project)
    if not names:
        return [first], [position]
    queries.rename_section(caller.conn, first, names[0])
    gids = [first, *allocate(caller.conn, len(names) - 1)]
    now = now_ms()
    rows = [(gid, project, names[i], position + GAP * i, now) for i, gid in enumerate(gids) if i]
    queries.write(caller.conn, queries.INSERT_SECTION, rows)
    for gid in gids[1:]:
        journal.record(caller, ("section", gid), "added", parent=("project", project), topics=[workspace])
    return gids, [position + GAP * i for i in range(len(gids))]


def _settings(caller: Caller, project: int, workspace: int, settings: list[list[Any]]) -> None:
    alive = queries.existing(caller.conn, "custom_fields", [int(f) for f, _ in settings])
    kept = [(int(f), bool(i)) for f, i in settings if int(f) in alive]
    gids = allocate(caller.conn, len(kept))
    now = now_ms()
    rows = [
        (g, f, project, i, GAP * (n + 1), now) for n, (g, (f, i)) in enumerate(zip(gids, kept, strict=True))
    ]
    queries.write(caller.conn, queries.INSERT_SETTING, rows)
    for gid in gids:
        journal.record(
            caller, ("custom_field_setting", gid), "added", parent=("project", project), topics=[workspace]
        )


def _members(caller: Caller, project: int, workspace: int, rows: list[list[Any]]) -> None:
    users = [int(u) for u, _, _, _ in rows if u is not None]
    alive = queries.in_workspace(caller.conn, workspace, users)  # a copy shares with nobody who left
    levels = {int(u): str(level) for u, _, level, _ in rows if u is not None and int(u) in alive}
    levels.pop(caller.user_gid, None)  # the creator is the new project's admin already
    members.add_members(caller.conn, project, levels)
    followers = [int(u) for u, _, _, f in rows if u is not None and f and int(u) in alive]
    members.add_followers(caller.conn, project, followers, "editor")
    for user in sorted(levels):
        journal.member(caller, ("project", project), "added", ("user", user), topics=[workspace])
    teams = [int(t) for _, t, _, _ in rows if t is not None]
    alive_teams = queries.existing(caller.conn, "teams", teams)
    for _, team, level, _ in rows:
        if team is not None and int(team) in alive_teams:
            members.add_team(caller.conn, project, int(team), str(level))
            journal.member(caller, ("project", project), "added", ("team", int(team)), topics=[workspace])


# ---- tasks ----------------------------------------------------------------------------------------


def next_chunk(tasks: list[list[Any]], start: int) -> int:
    """The end (exclusive) of the chunk starting at `start`: whole trees, about CHUNK tasks."""
    end = start + 1
    while end < len(tasks) and (end - start < CHUNK or tasks[end][0] != -1):
        end += 1
    return end


def _references(
    caller: Caller, chunk: list[list[Any]], assignees: dict[int, int | None] | None
) -> tuple[set[int], set[int], set[int]]:
    """Which users, custom fields and tags the chunk names still exist."""
    users: set[int] = {u for u in (assignees or {}).values() if u is not None}
    fields: set[int] = set()
    tags: set[int] = set()
    for _, _, f in chunk:
        users.update(int(u) for u in (f["assignee_gid"], f["completed_by_gid"]) if u is not None)
        users.update(int(u) for u in f["followers"])
        fields.update(int(v[0]) for v in f["values"])
        tags.update(int(t) for t in f.get("tags", ()))
    return (
        queries.existing(caller.conn, "users", sorted(users)),
        queries.existing(caller.conn, "custom_fields", sorted(fields)),
        queries.existing(caller.conn, "tags", sorted(tags)),
    )


def write_tasks(
    caller: Caller,
    chunk: list[list[Any]],
    offset: int,
    *,
    workspace: int,
    project: int | None,
    sections: list[int],
    section_positions: list[int],
    parent: tuple[int, int] | None = None,
    assignees: dict[int, int | None] | None = None,
    follow: bool = False,
) -> list[int]:
    """Write one chunk of blueprint tasks (whole trees; `offset` is the chunk's index in the
    blueprint, used for positions); returns the new gids in chunk order.

    Top-level tasks go into `project` (its `sections[i]` at `section_positions[i]`), or under
    `parent` ((gid, root) of an existing task, at the bottom of its subtasks), or nowhere.
    `assignees` maps source assignees to new ones (template roles); unmapped ones are kept.
    `follow`: the creator follows the top-level copies (as with any task they create)."""
    conn = caller.conn
    now = now_ms()
    gids = allocate(conn, len(chunk))
    users, fields, tags = _references(caller, chunk, assignees)
    tasks_rows: list[tuple[Any, ...]] = []
    places: list[tuple[Any, ...]] = []
    followers: list[tuple[int, int, int]] = []
    tagged: list[tuple[int, int, int]] = []
    values: list[tuple[Any, ...]] = []
    roots: list[int] = []
    siblings: dict[int, int] = defaultdict(int)
    for i, (parent_index, section_index, f) in enumerate(chunk):
        gid = gids[i]
        local_parent = parent_index - offset if parent_index >= 0 else -1
        if local_parent >= 0:
            parent_gid, root = gids[local_parent], roots[local_parent]
            siblings[local_parent] += 1
            position = GAP * siblings[local_parent]
        elif parent is not None:
            parent_gid, root = parent
            position = SUBTASKS.place(conn, {"parent_gid": parent_gid}, BOTTOM)
        else:
            parent_gid, root, position = None, gid, 0
        roots.append(root)
        assignee = f["assignee_gid"]
        if assignees is not None and assignee is not None and int(assignee) in assignees:
            assignee = assignees[int(assignee)]
        tasks_rows.append(
            (
                gid,
                workspace,
                f["name"],
                f["html_notes"],
                f["resource_subtype"],
                f["completed"],
                f["completed_at"],
                f["completed_by_gid"] if f["completed_by_gid"] in users else None,
                f.get("approval_status"),  # absent from blueprints of older templates: NULL
                assignee if assignee is None or int(assignee) in users else None,
                f["due_on"],
                f["due_at"],
                f["start_on"],
                f["start_at"],
                parent_gid,
                root,
                position,
                caller.user_gid,
                now,
                now,
            )
        )
        if local_parent < 0 and parent is None and project is not None and section_index >= 0:
            milestone = f["resource_subtype"] == "milestone"
            places.append(
                (
                    gid,
                    project,
                    sections[section_index],
                    section_positions[section_index],
                    GAP * (offset + i + 1),
                    f["completed"],
                    milestone,
                    now,
                )
            )
        following = dict.fromkeys(int(u) for u in f["followers"] if int(u) in users)
        if follow and local_parent < 0:
            following[caller.user_gid] = None
        followers.extend((gid, u, now) for u in following)
        values.extend((gid, *v) for v in f["values"] if int(v[0]) in fields)
        own_tags = dict.fromkeys(int(t) for t in f.get("tags", ()) if int(t) in tags)
        tagged.extend((gid, t, now + n) for n, t in enumerate(own_tags))  # keeps their order
    queries.write(conn, queries.INSERT_TASK, tasks_rows)
    queries.write(conn, queries.INSERT_PLACEMENT, places)
    queries.write(conn, queries.INSERT_FOLLOWER, followers)
    queries.write(conn, queries.INSERT_VALUE, values)
    TASK_VALUES.rebuild_displays(conn, sorted({v[0] for v in values}))
    queries.write(conn, queries.INSERT_TAG, tagged)
    topics = _record(caller, chunk, offset, gids, workspace, project, places, parent)
    for gid, tag, _ in tagged:  # as vinyasa.tags.service journals a tag put on a task
        journal.record(caller, ("task", gid), "added", parent=("tag", tag), topics=topics[gid] | {tag})
    _other_places(caller, chunk, gids)
    return gids


def _record(
    caller: Caller,
    chunk: list[list[Any]],
    offset: int,
    gids: list[int],
    workspace: int,
    project: int | None,
    places: list[tuple[Any, ...]],
    parent: tuple[int, int] | None,
) -> dict[int, frozenset[int]]:
    """Journal: each new task `added` to its project and section, or to its parent task; returns
    each new task's topics."""
    section_of = {row[0]: row[2] for row in places}
    chains: list[frozenset[int]] = []
    base = frozenset({workspace} | ({project} if project is not None else set()))
    if parent is not None:
        base = base | journal.task_topics(caller, parent[0])
    for i, (parent_index, _, _) in enumerate(chunk):
        gid = gids[i]
        local_parent = parent_index - offset if parent_index >= 0 else -1
        topics = (chains[local_parent] if local_parent >= 0 else base) | {gid}
        chains.append(topics)
        task = ("task", gid)
        if local_parent >= 0:
            journal.record(caller, task, "added", parent=("task", gids[local_parent]), topics=topics)
        elif parent is not None:
            journal.record(caller, task, "added", parent=("task", parent[0]), topics=topics)
        elif gid in section_of and project is not None:
            journal.record(caller, task, "added", parent=("project", project), topics=topics)
            journal.record(caller, task, "added", parent=("section", section_of[gid]), topics=topics)
        else:
            journal.record(caller, task, "added", parent=("workspace", workspace), topics=topics)
    return dict(zip(gids, chains, strict=True))


def write_links(caller: Caller, links: list[list[int]], copies: dict[int, int]) -> None:
    """Copy blueprint dependencies (`links`) whose copied ends are all written: `copies` maps a
    blueprint task index to its copy. A task outside the copy keeps its own tasks' links; one it
    can no longer take (Asana's 30 links) or the creator can no longer see gets none. Copies of an
    acyclic graph are acyclic, so no cycle check is needed. The outside tasks are locked together,
    in gid order, as a request linking tasks locks them (`dependencies.link`)."""
    outside = {gid for link in links for at, gid in ((link[0], link[2]), (link[1], link[3])) if at < 0}
    room = _outside_room(caller, outside)
    for blocked_at, blocker_at, blocked_gid, blocker_gid in links:
        ends = []
        for at, gid in ((blocked_at, blocked_gid), (blocker_at, blocker_gid)):
            if at >= 0:
                ends.append(copies[at])
                continue
            if room[gid] <= 0:
                break
            room[gid] -= 1
            ends.append(gid)
        if len(ends) == 2:
            dependencies.insert_link(caller, ends[0], ends[1])


def _outside_room(caller: Caller, gids: set[int]) -> dict[int, int]:
    """How many links each task outside the copy may still take (0 when the creator cannot see it
    or it is gone); the visible ones are locked first."""
    visible = []
    for gid in gids:
        try:
            access.task(caller, str(gid))
        except AsanaError:
            continue
        visible.append(gid)
    found = tree.lock_tasks(caller.conn, visible)
    return {gid: dependencies.room(caller, gid) if gid in found else 0 for gid in gids}


def lock_places(caller: Caller, chunk: list[list[Any]]) -> None:
    """Lock the other projects these planned tasks' sources are in (include `task_projects`), in
    gid order; before any task row (a parent), as a request placing a task locks its project first."""
    for project_gid in sorted({int(p) for _, _, f in chunk for p, _ in f.get("places", ())}):
        lock(caller.conn, "projects", project_gid)


def _other_places(caller: Caller, chunk: list[list[Any]], gids: list[int]) -> None:
    """Put new tasks into the other projects their sources were in (include `task_projects`), at
    the bottom of the same section, where the creator may still add tasks; others are skipped."""
    wanted = [(gids[i], int(p), int(s)) for i, (_, _, f) in enumerate(chunk) for p, s in f["places"]]
    lock_places(caller, chunk)
    allowed: dict[int, bool] = {}
    for gid, project_gid, section_gid in wanted:
        if project_gid not in allowed:
            try:
                visible = access.project(caller, str(project_gid))
                access.require_project_level(visible, "editor", "add tasks to it")
                allowed[project_gid] = True
            except AsanaError:
                allowed[project_gid] = False
        if not allowed[project_gid]:
            continue
        try:
            placement.put(caller, gid, project_gid, section_gid, BOTTOM)
        except AsanaError:  # the section went away meanwhile
            continue


def parent_of(caller: Caller, parent_gid: int) -> tuple[int, int] | None:
    """(gid, root) of a task that is to receive a copy as a subtask, locked; None when it is gone,
    or the creator may no longer add subtasks to it (hidden, or viewer or commenter on all of its
    projects they see: `access.require_task_edit`, as `POST /tasks/{gid}/subtasks`)."""
    try:
        access.require_task_edit(caller, access.task(caller, str(parent_gid)), "add subtasks to it")
    except AsanaError:
        return None
    chain = tree.locked_ancestry(caller.conn, parent_gid)
    return (parent_gid, chain[-1]) if chain else None
