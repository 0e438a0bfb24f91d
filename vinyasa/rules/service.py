"""Defining rules: create, change and delete a project's rules (vinyasa's own API, issue 20).

A rule belongs to a project and runs as the user who last defined it (its `created_by`: the
creator, or whoever last changed it), with that user's access. Everything a rule names is checked
when it is defined, as the defining user: sections of the rule's project, visible custom fields,
workspace members, projects the user can edit. Errors: 400 naming the field (`trigger.section`,
`actions[1].project`...), 404/403 for the project as for editing it.

Journal: a rule's definition changes are recorded on the rule's own stream only (a rule is no Asana
resource: project and workspace event streams, which Asana's clients read, never show them).
"""

from __future__ import annotations

import json
from typing import Any

from vinyasa import access
from vinyasa.core import Caller, journal, runner
from vinyasa.custom_fields.service import custom_field
from vinyasa.custom_fields.values import check_value, check_wanted
from vinyasa.db import delete_row, insert_row, read_row, update_row
from vinyasa.errors import InvalidRequest
from vinyasa.models import Rule
from vinyasa.projects import members
from vinyasa.protocol.gids import new_gid
from vinyasa.protocol.values import now_ms, parse_date
from vinyasa.rules.schemas import Action, RuleFields, Trigger

SCAN = "rule_due_scan"  # the runner kind that watches due dates (vinyasa.rules.engine)
_NEEDS = {
    "task_moved_to_section": ("section",),
    "custom_field_changed": ("custom_field",),
    "due_date_approaching": ("days",),
    "in_section": ("section",),
    "custom_field_has_value": ("custom_field",),
    "assignee_is": ("user",),
    "move_to_section": ("section",),
    "set_custom_field": ("custom_field",),
    "add_to_project": ("project",),
    "create_subtask": ("name",),
    "add_followers": ("followers",),
}


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _check(
    ctx: Caller, project: access.VisibleProject, where: str, item: Any, templating: bool
) -> dict[str, Any]:
    """One trigger, condition or action as stored: its given fields, names resolved to gids."""
    given = item.model_dump(exclude_unset=True)
    for name in _NEEDS.get(item.type, ()):
        if given.get(name) is None:
            raise InvalidRequest(f"{where}.{name}: Missing input")
    if item.type == "set_due_date" and ("due_on" in given) == ("days_from_now" in given):
        raise InvalidRequest(f"{where}: Give one of due_on or days_from_now")
    out: dict[str, Any] = {"type": item.type}
    for name, value in given.items():
        field = f"{where}.{name}"
        if name == "type" or (name == "section" and "project" in given):
            continue  # an add_to_project section is checked below, against that project
        if templating and _templated(value) and name in ("value", "name", "due_on", "assignee"):
            out[name] = value  # filled in from action_data by each run
        elif name == "section":
            target = out.get("project") or project.gid
            out[name] = str(access.project_section(ctx, int(target), field, value))
        elif name == "custom_field":
            out[name] = str(custom_field(ctx, str(value), field).gid)
        elif name in ("user", "assignee") and value is not None:
            out[name] = str(members.resolve_users(ctx, field, [str(value)], project.workspace_gid)[0])
        elif name == "followers":
            out[name] = [str(g) for g in members.resolve_users(ctx, field, value, project.workspace_gid)]
        elif name == "project":
            other = access.project(ctx, str(value), field)
            access.require_project_level(other, "editor", "add tasks to it")
            if other.workspace_gid != project.workspace_gid:
                raise InvalidRequest(f"{field}: The project is in another workspace than the rule's")
            out[name] = str(other.gid)
        elif name == "due_on" and value is not None:
            out[name] = parse_date(field, str(value))
        else:
            out[name] = value
    if given.get("section") is not None and "project" in given:
        out["section"] = str(
            access.project_section(ctx, int(out["project"]), f"{where}.section", given["section"])
        )
    if item.type in ("custom_field_changed", "custom_field_has_value"):  # compared with, not set
        check_wanted(ctx, f"{where}.value", int(out["custom_field"]), out.get("value"))
    elif item.type == "set_custom_field" and not (templating and _templated(out.get("value"))):
        # as PUT /tasks would take it from each run, so a value the field cannot take is a 400 now
        check_value(ctx, f"{where}.value", int(out["custom_field"]), out.get("value"), project.workspace_gid)
    return out


def _parts(
    ctx: Caller, project: access.VisibleProject, fields: RuleFields, row: dict[str, Any]
) -> dict[str, Any]:
    """The stored columns for the given body (with `row`'s values for what it does not give)."""
    trigger: Trigger | None = fields.trigger
    out: dict[str, Any] = {}
    trigger_type = trigger.type if trigger is not None else row["trigger_type"]
    templating = trigger_type == "incoming_web_request"
    if trigger is not None:
        out["trigger_type"] = trigger.type
        out["trigger"] = json.dumps(_check(ctx, project, "trigger", trigger, False))
    if fields.conditions is not None:
        checked = [
            _check(ctx, project, f"conditions[{i}]", c, False) for i, c in enumerate(fields.conditions)
        ]
        out["conditions"] = json.dumps(checked)
    if fields.actions is not None:
        actions: list[Action] = fields.actions
        out["actions"] = json.dumps(
            [_check(ctx, project, f"actions[{i}]", a, templating) for i, a in enumerate(actions)]
        )
    elif trigger is not None and not templating and "{{" in row.get("actions", ""):
        raise InvalidRequest("actions: {{action_data...}} values need an incoming_web_request trigger")
    return out


def create_rule(ctx: Caller, project_gid: str, fields: RuleFields) -> int:
    """A new rule of a project the caller edits (`name`, `trigger` and `actions` required)."""
    project = access.project(ctx, project_gid, lock="share")
    access.require_project_level(project, "editor", "add rules to it")
    for name in ("name", "trigger", "actions"):
        if getattr(fields, name) is None:
            raise InvalidRequest(f"{name}: Missing input")
    enabled = True if fields.enabled is None else fields.enabled
    return insert_rule(ctx, project.gid, str(fields.name), enabled, checked_parts(ctx, project, fields))


def checked_parts(ctx: Caller, project: access.VisibleProject, fields: RuleFields) -> dict[str, Any]:
    """A new rule's stored columns (trigger_type, the JSON of trigger, conditions and actions) from a
    body with `trigger` and `actions`, checked as the caller defining it (400 naming the field)."""
    parts = _parts(ctx, project, fields, {})
    parts.setdefault("conditions", json.dumps([]))
    return parts


def insert_rule(
    ctx: Caller,
    project_gid: int,
    name: str,
    enabled: bool,
    parts: dict[str, Any],
    *,
    created_at: int | None = None,
) -> int:
    """Store a checked rule of a project, defined by the caller (`parts`: `checked_parts`); its gid.
    An incoming web request gets its trigger gid, a due date approaching its watcher; journaled on
    the rule's own stream only. `created_at` (epoch ms, default now) orders a project's rules."""
    gid = new_gid(ctx.conn)
    now = now_ms() if created_at is None else created_at
    row = {
        "gid": gid,
        "project_gid": project_gid,
        "creator_gid": ctx.user_gid,
        "name": name,
        "enabled": enabled,
        "created_at": now,
        "modified_at": now,
        **parts,
    }
    row["trigger_gid"] = new_gid(ctx.conn) if row["trigger_type"] == "incoming_web_request" else None
    insert_row(ctx.conn, Rule, row)
    if row["trigger_type"] == "due_date_approaching":
        _watch(ctx, gid)
    journal.record(ctx, ("rule", gid), "added", topics=())  # only the rule's own stream (see below)
    return gid


def _watch(ctx: Caller, gid: int) -> None:
    """Start the due-date watcher of a rule (the only one that may run it: `scan_job_gid`)."""
    job = runner.enqueue(ctx, SCAN, {"rule": gid})
    update_row(ctx.conn, Rule, gid, {"scan_job_gid": job})


def update_rule(ctx: Caller, rule: access.VisibleRule, fields: RuleFields) -> None:
    """Replace the given fields; the caller becomes the user the rule runs as. A trigger that
    becomes `incoming_web_request` gets a new `rule_trigger_gid`; one that stops being it loses it."""
    row = read_row(ctx.conn, Rule, rule.gid)
    assert row is not None  # found in this transaction (vinyasa.access)
    parts = _parts(ctx, rule.project, fields, row)
    if fields.name is not None:
        parts["name"] = fields.name
    if fields.enabled is not None:
        parts["enabled"] = fields.enabled
    new_type = parts.get("trigger_type", row["trigger_type"])
    if new_type != row["trigger_type"]:
        parts["trigger_gid"] = new_gid(ctx.conn) if new_type == "incoming_web_request" else None
    parts.update(creator_gid=ctx.user_gid, modified_at=max(now_ms(), row["modified_at"] + 1))
    update_row(ctx.conn, Rule, rule.gid, parts)
    if new_type == "due_date_approaching" and (
        row["trigger_type"] != new_type or row["scan_job_gid"] is None
    ):
        _watch(ctx, rule.gid)
    changed = [n for n in ("name", "enabled", "trigger", "conditions", "actions") if n in parts]
    journal.changed(ctx, ("rule", rule.gid), changed, topics=())


def delete_rule(ctx: Caller, rule: access.VisibleRule) -> None:
    """Delete a rule and its run history (its due-date watcher ends by itself)."""
    journal.record(ctx, ("rule", rule.gid), "deleted", topics=())
    delete_row(ctx.conn, Rule, rule.gid)
