"""Project templates (digest §B.7): saving a project as one, instantiating one, deleting one.

A template holds a blueprint (vinyasa.jobs.blueprint) of the project: its sections, tasks,
subtasks, notes, custom field settings and values, and dates. Dates are kept as they were and
read relative to `anchor_on`, the template's date variable `1` ("Start date": the project's start
date, else its first task date); variable `2` ("Due date") exists when the project had a due date.
Instantiating with `requested_dates` moves every date by the same number of days as variable 1
moved, and sets the new project's due date to variable 2. Every distinct assignee of the source
project becomes a template role, named after that person; `requested_roles` gives each role a
user, whose tasks are then theirs (a role nobody is given leaves its tasks unassigned).

A template in an organization is shared with a team (`team`), elsewhere with its workspace;
`public` ones are seen by that team's members (or the workspace's), private ones by their owner
only (vinyasa.access.template_visible). The owner or a workspace admin may delete it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from vinyasa import access
from vinyasa.core import Caller, journal, runner
from vinyasa.core.clock import now_ms
from vinyasa.db import delete_row, insert_row, read_row
from vinyasa.errors import AsanaError, InvalidRequest, NotFound
from vinyasa.jobs import blueprint
from vinyasa.jobs.schemas import InstantiateFields, SaveAsTemplateFields
from vinyasa.models import ProjectTemplate
from vinyasa.protocol.gids import allocate, new_gid
from vinyasa.protocol.values import check_span, iso_ms, parse_date
from vinyasa.users.service import resolve_user

# What a template keeps of a project: no members, followers or other projects (not in templates).
INCLUDE = blueprint.Include(
    notes=True, assignee=True, dates=True, task_notes=True, subtasks=True, members=False
)
TEMPLATE_GONE = "The project template was deleted, or you can no longer see it"


class Unprocessable(AsanaError):
    """422: Asana's answer to `is_strict` instantiation without a date for every date variable."""

    status = 422


def _template_row(ctx: Caller, gid: int) -> dict[str, Any]:
    """The stored row of a template the caller was just found to see, its row locked (vinyasa.access)."""
    row = read_row(ctx.conn, ProjectTemplate, gid)
    assert row is not None  # found in this transaction
    return row


def _home(ctx: Caller, project: access.VisibleProject, fields: SaveAsTemplateFields) -> int | None:
    """The new template's team (None in a workspace that is not an organization)."""
    organization = access.is_organization(ctx.conn, project.workspace_gid)
    if fields.team is not None:
        team, workspace = access.team(ctx, fields.team, "team")
        if workspace != project.workspace_gid:
            raise InvalidRequest("team: The team is not in the project's workspace")
        return team
    if fields.workspace is not None:
        if access.workspace(ctx, fields.workspace, "workspace") != project.workspace_gid:
            raise InvalidRequest("workspace: Does not match the project's workspace")
    if organization:
        raise InvalidRequest(
            "team: Missing input. The project is in an organization: specify team, not workspace"
        )
    return None


def request_save(ctx: Caller, project_gid: str, fields: SaveAsTemplateFields) -> int:
    """A `save_as_template` job for a project the caller can see; returns the job's gid."""
    project = access.project(ctx, project_gid)
    if fields.name is None or not fields.name.strip():
        raise InvalidRequest("name: Missing input")
    if fields.public is None:
        raise InvalidRequest("public: Missing input")
    team = _home(ctx, project, fields)
    params = {"source": project.gid, "name": fields.name, "public": fields.public, "team": team}
    return runner.enqueue(ctx, "save_as_template", params, workspace_gid=project.workspace_gid)


def assignees(plan: dict[str, Any]) -> list[int]:
    """The distinct assignees of a blueprint's tasks, in first-seen order."""
    seen = dict.fromkeys(int(f["assignee_gid"]) for _, _, f in plan["tasks"] if f["assignee_gid"] is not None)
    return list(seen)


def create(caller: Caller, params: dict[str, Any], plan: dict[str, Any], names: dict[int, str]) -> int:
    """Write the template row for a saved project's blueprint; returns its gid."""
    source = plan["project"]
    start = source["start_on"]
    anchor = dt.date.fromisoformat(start) if start else blueprint.anchor(plan, last_due=False)
    people = assignees(plan)
    roles = [
        {"gid": str(g), "name": names.get(u, "Role"), "user": u}
        for g, u in zip(allocate(caller.conn, len(people)), people, strict=True)
    ]
    gid = new_gid(caller.conn)
    workspace = int(source["workspace_gid"])
    insert_row(
        caller.conn,
        ProjectTemplate,
        {
            "gid": gid,
            "workspace_gid": workspace,
            "team_gid": params["team"],
            "name": params["name"],
            "html_description": source["html_notes"],
            "owner_gid": caller.user_gid,
            "public": bool(params["public"]),
            "color": source["color"] if source["color"] != "none" else None,
            "anchor_on": anchor.isoformat() if anchor else None,
            "due_on": source["due_on"],
            "roles": json.dumps(roles),
            "blueprint": json.dumps(plan),
            "created_at": now_ms(),
        },
    )
    parent = ("team", params["team"]) if params["team"] is not None else ("workspace", workspace)
    journal.record(caller, ("project_template", gid), "added", parent=parent, topics=[workspace])
    return gid


def _dates(fields: InstantiateFields, row: Any) -> dict[str, str]:
    """requested_dates, checked against the template's variables: {"1": date, "2": date}."""
    wanted = {"1"} if row["anchor_on"] else set()
    if row["due_on"]:
        wanted.add("2")
    given: dict[str, str] = {}
    for i, item in enumerate(fields.requested_dates or []):
        if item.gid is None:
            raise InvalidRequest(f"requested_dates[{i}].gid: Missing input")
        if item.gid not in wanted:
            raise InvalidRequest(f"requested_dates[{i}].gid: Unknown date variable: {item.gid[:64]}")
        if item.value is not None:
            given[item.gid] = parse_date(f"requested_dates[{i}].value", item.value)
    missing = sorted(wanted - set(given))
    if missing and fields.is_strict:
        raise Unprocessable(
            f"requested_dates: Unprocessable Entity. No date was given for the date variable {missing[0]}"
        )
    return given


def _today() -> str:
    return str(iso_ms(now_ms()))[:10]


def _move(plan: dict[str, Any], row: Any, dates: dict[str, str]) -> None:
    """The blueprint's dates as instantiating sets them: every date moves as far as variable 1
    (the template's `anchor_on`) moves to its requested date (today when none is given), the
    project starts that day and is due on variable 2 when given (those two are set, not moved).
    `blueprint.DatesOutOfRange`, nothing moved, when a date would leave the calendar."""
    project = plan["project"]
    if row["anchor_on"]:
        start = dt.date.fromisoformat(dates.get("1") or _today())
        project["start_on"] = None
        if dates.get("2"):
            project["due_on"] = None
        blueprint.shift_dates(plan, dt.date.fromisoformat(row["anchor_on"]), start, skip_weekends=False)
        project["start_on"] = start.isoformat()
    if dates.get("2"):
        project["due_on"] = dates["2"]
    if project["due_on"] is None:
        project["start_on"] = None


def _check_dates(fields: InstantiateFields, row: Any, dates: dict[str, str]) -> None:
    """400 naming the start date variable when moving the template's dates there would put one
    before 0001-01-01 or after 9999-12-31 (today's date when none is given: `requested_dates`);
    400 naming `requested_dates` when the new project would not start before it is due (a due
    date variable on or before the start date variable: `check_span`, as `POST /projects`)."""
    if not row["anchor_on"]:
        return
    plan = json.loads(row["blueprint"])
    try:
        _move(plan, row, dates)
    except blueprint.DatesOutOfRange as exc:
        given = [i for i, item in enumerate(fields.requested_dates or []) if item.gid == "1" and item.value]
        field = f"requested_dates[{given[-1]}].value" if given else "requested_dates"
        start = dates.get("1") or _today()
        raise InvalidRequest(f"{field}: Cannot move the template's dates to {start}: {exc}") from None
    check_span("requested_dates", plan["project"]["start_on"], plan["project"]["due_on"])


def _roles(ctx: Caller, fields: InstantiateFields, row: Any) -> dict[str, int]:
    """requested_roles, checked: template role gid -> user gid."""
    known = {r["gid"] for r in json.loads(row["roles"])}
    out: dict[str, int] = {}
    for i, item in enumerate(fields.requested_roles or []):
        if item.gid is None or item.value is None:
            raise InvalidRequest(f"requested_roles[{i}]: Missing input. Give the role's gid and a user")
        if item.gid not in known:
            raise InvalidRequest(f"requested_roles[{i}].gid: Unknown template role: {item.gid[:64]}")
        out[item.gid] = resolve_user(ctx, item.value, f"requested_roles[{i}].value")
    return out


def request_instantiate(ctx: Caller, template_gid: str, fields: InstantiateFields) -> int:
    """An `instantiate_project` job for a template the caller can see; returns the job's gid."""
    gid, workspace, _ = access.project_template(ctx, template_gid, lock=True)
    row = _template_row(ctx, gid)
    if fields.name is None or not fields.name.strip():
        raise InvalidRequest("name: Missing input")
    team = row["team_gid"]
    if fields.team is not None:
        team, team_workspace = access.team(ctx, fields.team, "team")
        if team_workspace != workspace:
            raise InvalidRequest("team: The team is not in the template's workspace")
    privacy = fields.privacy_setting
    if privacy is None and fields.public is not None:
        privacy = "public_to_workspace" if fields.public else "private"
    dates = _dates(fields, row)
    _check_dates(fields, row, dates)
    params = {
        "template": gid,
        "name": fields.name,
        "team": team,
        "privacy": privacy,
        "dates": dates,
        "roles": _roles(ctx, fields, row),
    }
    return runner.enqueue(ctx, "instantiate_project", params, workspace_gid=workspace)


def plan_for(caller: Caller, params: dict[str, Any]) -> tuple[dict[str, Any], dict[int, int | None]]:
    """The blueprint an instantiation builds, dates moved; and source assignee -> new assignee."""
    try:
        gid, _, _ = access.project_template(caller, str(params["template"]))
    except NotFound:
        raise runner.JobFailed(TEMPLATE_GONE) from None
    row = read_row(caller.conn, ProjectTemplate, gid)  # a job's read: no lock holds it
    if row is None:
        raise runner.JobFailed(TEMPLATE_GONE)
    plan: dict[str, Any] = json.loads(row["blueprint"])
    start = params["dates"].get("1") or _today()
    try:
        _move(plan, row, params["dates"])
    except blueprint.DatesOutOfRange as exc:
        raise runner.JobFailed(f"The template's dates cannot be moved to {start}: {exc}") from None
    plan["project"]["html_notes"] = row["html_description"]
    given = params["roles"]
    mapping = {int(r["user"]): given.get(r["gid"]) for r in json.loads(row["roles"])}
    return plan, mapping


def delete_template(ctx: Caller, template_gid: str) -> None:
    """Delete a template the caller can see (its owner or a workspace admin; else 403)."""
    gid, workspace, owner = access.project_template(ctx, template_gid, lock=True)
    access.require_template_owner(ctx, owner, workspace)
    delete_row(ctx.conn, ProjectTemplate, gid)
    journal.record(ctx, ("project_template", gid), "deleted", topics=[workspace])
