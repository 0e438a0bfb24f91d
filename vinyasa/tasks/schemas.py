"""Tasks on the wire (TaskResponse / TaskCompact), and the bodies task endpoints take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection

from vinyasa import access, richtext
from vinyasa.custom_fields.values import TASK_VALUES
from vinyasa.dependencies import queries as dependencies
from vinyasa.models import Task
from vinyasa.projects.schemas import UserList
from vinyasa.protocol import sql
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Records, Ref, RefList, Value, Viewer, constant
from vinyasa.protocol.values import Boolean, iso_ms
from vinyasa.tags.queries import TASK_TAGS
from vinyasa.tasks import queries

Subtype = Literal["default_task", "milestone", "approval", "custom"]
ApprovalStatus = Literal["pending", "approved", "rejected", "changes_requested"]


def _memberships(conn: Connection, viewer: Viewer, gids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Each task's (project, section) pairs, in projects the viewer can see, oldest first: one query
    serves both `memberships` and `projects` of a request (kept in the request's cache, as project
    people are)."""
    key = ("task_memberships", tuple(gids))
    cached: dict[int, list[tuple[int, int]]] | None = viewer.cache.get(key)
    if cached is not None:
        return cached
    visible, params = access.project_visible_sql(viewer)  # a renderer shows only what its caller sees
    query = queries.MEMBERSHIPS.format(gids=sql.marks(len(gids)), visible=visible)
    out: dict[int, list[tuple[int, int]]] = {}
    for task_gid, project_gid, section_gid in sql.fetch(conn, query, [*gids, *params]):
        out.setdefault(task_gid, []).append((project_gid, section_gid))
    viewer.cache[key] = out
    return out


def _membership_records(conn: Connection, viewer: Viewer, gids: list[int]) -> dict[int, list[dict[str, int]]]:
    return {
        gid: [{"project": p, "section": s} for p, s in pairs]
        for gid, pairs in _memberships(conn, viewer, gids).items()
    }


def _projects(conn: Connection, viewer: Viewer, gids: list[int]) -> dict[int, list[int]]:
    return {gid: [p for p, _ in pairs] for gid, pairs in _memberships(conn, viewer, gids).items()}


def _num_subtasks(conn: Connection, _viewer: Viewer, gids: list[int]) -> dict[int, int]:
    rows = sql.fetch(conn, queries.NUM_SUBTASKS.format(gids=sql.marks(len(gids))), gids)
    return {int(r[0]): int(r[1]) for r in rows}


def _approval(row: Mapping[str, Any], _viewer: Viewer) -> str:
    """The stored decision (rejected, changes_requested) of a completed task, else what `completed`
    says: approved or pending (vinyasa.models.Task)."""
    if not row["completed"]:
        return "pending"
    return str(row["approval_status"] or "approved")


def _permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/0/{row['gid']}/f"


TASK = Resource(
    "task",
    Task.__table__,
    {
        "name": Col("name"),
        "resource_subtype": Col("resource_subtype"),
        "created_by": Ref("created_by_gid", "user"),
        "approval_status": Derived(("approval_status", "completed"), _approval),
        "assignee_status": Derived(
            ("assignee_gid",), lambda row, _: "upcoming" if row["assignee_gid"] else "inbox"
        ),
        "assigned_by": constant(None),
        "completed": Col("completed", bool),
        "completed_at": Col("completed_at", iso_ms),
        "completed_by": Ref("completed_by_gid", "user"),
        "created_at": Col("created_at", iso_ms),
        "dependencies": RefList("task", dependencies.linked("dependencies")),
        "dependents": RefList("task", dependencies.linked("dependents")),
        "due_at": Col("due_at", iso_ms),
        "due_on": Col("due_on"),
        "external": constant({}),  # OAuth-only app data: none
        "html_notes": Col("html_notes"),
        # Likes are not built yet: nobody likes anything.
        "hearted": constant(False),
        "hearts": constant([]),
        "is_rendered_as_separator": constant(False),
        "liked": constant(False),
        "likes": constant([]),
        "memberships": Records({"project": "project", "section": "section"}, _membership_records),
        "modified_at": Col("modified_at", iso_ms),
        "notes": Derived(("html_notes",), lambda row, _: richtext.to_text(row["html_notes"])),
        "num_hearts": constant(0),
        "num_likes": constant(0),
        "num_subtasks": Value(_num_subtasks, default=0),
        "start_at": Col("start_at", iso_ms),
        "start_on": Col("start_on"),
        "actual_time_minutes": constant(None),
        "assignee": Ref("assignee_gid", "user"),
        "assignee_section": constant(None),
        "custom_fields": TASK_VALUES.field,
        "custom_type": constant(None),
        "custom_type_status_option": constant(None),
        "followers": RefList("user", link=queries.FOLLOWERS),
        "parent": Ref("parent_gid", "task"),
        "projects": RefList("project", _projects),
        "tags": RefList("tag", link=TASK_TAGS),
        "workspace": Ref("workspace_gid", "workspace"),
        "permalink_url": Derived(("gid",), _permalink),
    },
    compact=("name", "resource_subtype"),
    # The spec's opt-in fields, plus the "Conditional" approval/assignee status (deviation: only when named).
    opt_in=frozenset(
        {
            "created_by",
            "dependencies",
            "dependents",
            "external",
            "html_notes",
            "is_rendered_as_separator",
            "num_subtasks",
            "assigned_by",
            "approval_status",
            "assignee_status",
        }
    ),
    hidden=access.hidden_tasks,  # the parent of a subtask the caller sees only as its assignee...
)


# ---- bodies -----------------------------------------------------------------------------------


def _gid_list(value: Any) -> list[str]:
    """Objects given as a comma-separated string or an array of strings."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise PydanticCustomError("gid_list", "Must be a comma-separated string or an array of strings")
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


GidList = Annotated[list[str], BeforeValidator(_gid_list)]


class Membership(BaseModel):
    """One entry of `memberships` on create: a project, and optionally a section of it."""

    model_config = ConfigDict(extra="ignore")
    project: str
    section: str | None = None


class TaskFields(BaseModel):
    """Fields a task body may set (TaskCreateRequest / TaskUpdateRequest); read-only ones are ignored.

    Which fields were given (`model_fields_set`) matters: `null` clears the nullable ones.
    """

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    notes: str | None = Field(default=None, max_length=65536)
    html_notes: str | None = Field(default=None, max_length=65536)
    resource_subtype: Subtype | None = None
    completed: Boolean | None = None
    approval_status: ApprovalStatus | None = None
    assignee: str | None = None
    due_on: str | None = None
    due_at: str | None = None
    start_on: str | None = None
    start_at: str | None = None
    custom_fields: dict[str, Any] | None = None
    # create-only
    workspace: str | None = None
    parent: str | None = None
    projects: GidList | None = None
    memberships: list[Membership] | None = None
    followers: UserList | None = None
    tags: GidList | None = None


NOT_NULL = ("name", "notes", "html_notes", "resource_subtype", "completed", "approval_status")

# Fields PUT /tasks/{task_gid} refuses with a 400, each with what to use instead. Asana answers 400
# for `followers` (roychri/mcp-server-asana#48; TaskUpdateRequest has no `followers`). No source
# says 400 for `projects`, `tags`, `memberships` (read-only) or an unchanged `workspace`/`parent`,
# so those stay ignored as read-only input (digest §E.2); a changed workspace or parent is a 400
# of its own (tasks.service.update_task).
UPDATE_REFUSED = {
    "followers": "Use POST /tasks/{task_gid}/addFollowers or POST /tasks/{task_gid}/removeFollowers",
}


class AddProjectBody(BaseModel):
    """TaskAddProjectRequest; `insert_after: null` / `insert_before: null` mean start / end."""

    model_config = ConfigDict(extra="ignore")
    project: str
    section: str | None = None
    insert_before: str | None = None
    insert_after: str | None = None


class RemoveProjectBody(BaseModel):
    """TaskRemoveProjectRequest."""

    model_config = ConfigDict(extra="ignore")
    project: str


class SetParentBody(BaseModel):
    """TaskSetParentRequest; `parent: null` makes the task top-level."""

    model_config = ConfigDict(extra="ignore")
    parent: str | None
    insert_before: str | None = None
    insert_after: str | None = None
