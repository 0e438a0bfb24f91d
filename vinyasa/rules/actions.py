"""What a rule run does to its task: check the conditions, then do the actions, through the same
services the API uses, as the rule's user (a `Caller` whose `cause` names the rule)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import Connection

from vinyasa import access, ordering
from vinyasa.core import Caller, journal
from vinyasa.errors import InvalidRequest
from vinyasa.ordering import BOTTOM
from vinyasa.protocol.body import validate
from vinyasa.protocol.messages import json_kind
from vinyasa.protocol.values import now_ms
from vinyasa.rules import queries
from vinyasa.tasks import placement, service
from vinyasa.tasks.schemas import TaskFields

_PLACEHOLDER = re.compile(r"\{\{\s*action_data\.([A-Za-z0-9_\-]+)\s*\}\}")
# Action fields that hold text: a value that is one placeholder gives text there too (elsewhere
# it keeps its JSON type: a number for a number field, null to clear a due date or an assignee).
TEXT_FIELDS = frozenset({"name"})
_NOT_TEXT = {"null": "null", "object": "an object", "array": "an array"}


def fill(value: Any, data: dict[str, Any] | None, field: str | None = None) -> Any:
    """`value` (an action) with `{{action_data.<key>}}` replaced by the key's value. A string that
    is one placeholder takes the value as given, unless its field holds text (`TEXT_FIELDS`);
    a placeholder within text, or in a text field, gives text: a string as it is, a number or a
    boolean as JSON writes it (`1`, `2.5`, `true`), and null, an object or an array is a 400
    naming the action's field. An unknown key is a 400 naming it. Lists and objects are filled
    item by item (`field`: the action field they are under)."""
    if data is None:
        return value
    if isinstance(value, list):
        return [fill(v, data, field) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, data, k if field is None else field) for k, v in value.items()}
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> Any:
        key = match.group(1)
        if key not in data:
            raise InvalidRequest(f"action_data: Missing key {key!r}, which the rule's actions use")
        return data[key]

    def text(match: re.Match[str]) -> str:
        given = lookup(match)
        if isinstance(given, str):
            return given
        if isinstance(given, bool | int | float):
            return json.dumps(given)
        kind = _NOT_TEXT[json_kind(given)]
        raise InvalidRequest(
            f"{field or 'data'}: action_data key {match.group(1)!r} is {kind}, where the action needs"
            " text (a string, a number or a boolean)"
        )

    whole = _PLACEHOLDER.fullmatch(value.strip())
    if whole is not None and field not in TEXT_FIELDS:
        return lookup(whole)
    return text(whole) if whole is not None else _PLACEHOLDER.sub(text, value)


def _value_matches(stored: tuple[Any, ...] | None, wanted: Any) -> bool:
    """Whether a stored custom field value is `wanted` (None: any value at all). Text, dates and
    enum option gids compare as strings, numbers as numbers, a multi-value field matches any item."""
    if stored is None:
        return False
    text, number, option, items, date_on, date_at = stored
    if wanted is None:
        return any(v not in (None, "") for v in stored)
    if number is not None and not isinstance(wanted, bool):
        try:
            return float(number) == float(wanted)
        except (TypeError, ValueError):
            return False
    wanted_text = str(wanted)
    listed = items.split(",") if items else []
    return wanted_text in {text, str(option) if option is not None else None, date_on, *listed} or (
        date_at is not None and wanted_text == str(date_at)
    )


def field_has(caller: Caller, task_gid: int, field_gid: int, wanted: Any) -> bool:
    return _value_matches(queries.field_value(caller.conn, task_gid, field_gid), wanted)


def conditions_hold(caller: Caller, task_gid: int, conditions: list[dict[str, Any]]) -> str | None:
    """None when every condition holds, else the first that does not (its type)."""
    conn = caller.conn
    for cond in conditions:
        kind = str(cond["type"])
        if kind == "in_section":
            ok = queries.in_section(conn, task_gid, int(cond["section"]))
        elif kind == "custom_field_has_value":
            ok = field_has(caller, task_gid, int(cond["custom_field"]), cond.get("value"))
        elif kind == "assignee_is_set":
            ok = queries.assignee(conn, task_gid) is not None
        else:  # assignee_is
            ok = queries.assignee(conn, task_gid) == int(cond["user"])
        if not ok:
            return kind
    return None


def _update(caller: Caller, task: access.VisibleTask, body: dict[str, Any]) -> None:
    service.update_task(caller, task, validate(TaskFields, body))


def _gid(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isascii() and text.isdecimal() else None


def lock_places(conn: Connection, rule_actions: list[list[dict[str, Any]]]) -> None:
    """Lock the projects these rules' actions put a task into (a moved-to section's project, an
    add_to_project's), in gid order, before any task: runs lock them before their tasks, in the
    order of a request that places a task (the project, then the task), so neither waits for the
    other in a cycle. A gid given by a web request's `action_data` is not known yet: not locked
    here (the action locks it when it runs). PostgreSQL only (SQLite's one writer needs none)."""
    if conn.dialect.name != "postgresql":
        return
    projects: set[int] = set()
    for action in (a for actions_ in rule_actions for a in actions_):
        if action["type"] == "move_to_section" and (section := _gid(action.get("section"))) is not None:
            found = queries.section_project(conn, section)
            if found is not None:
                projects.add(found)
        elif action["type"] == "add_to_project" and (project := _gid(action.get("project"))) is not None:
            projects.add(project)
    for project in sorted(projects):
        ordering.lock(conn, "projects", project)


def _place(caller: Caller, task: access.VisibleTask, project_gid: int, section: int | None) -> None:
    project = access.project(caller, str(project_gid), "project", lock="update")
    access.require_project_level(project, "editor", "add tasks to it")
    placement.put(caller, task.gid, project.gid, section, BOTTOM)


def _today_plus(days: int) -> str:
    today = dt.datetime.fromtimestamp(now_ms() / 1000, dt.UTC).date()
    return (today + dt.timedelta(days=days)).isoformat()


def do(caller: Caller, task: access.VisibleTask, action: dict[str, Any], data: dict[str, Any] | None) -> None:
    """Do one action (`data`: an incoming web request's action_data, for its placeholders)."""
    a = fill(action, data)
    kind = a["type"]
    if kind == "move_to_section":
        section = int(a["section"])
        project = queries.section_project(caller.conn, section)
        if project is None:
            raise InvalidRequest("section: The rule's section no longer exists")
        _place(caller, task, project, section)
    elif kind == "set_assignee":
        _update(caller, task, {"assignee": a.get("assignee")})
    elif kind == "set_due_date":
        due = a["due_on"] if "due_on" in a else _today_plus(int(a["days_from_now"]))
        _update(caller, task, {"due_on": due})
    elif kind == "set_custom_field":
        _update(caller, task, {"custom_fields": {a["custom_field"]: a.get("value")}})
    elif kind in ("mark_complete", "mark_incomplete"):
        _update(caller, task, {"completed": kind == "mark_complete"})
    elif kind == "add_to_project":
        _place(caller, task, int(a["project"]), int(a["section"]) if a.get("section") else None)
    elif kind == "create_subtask":
        body = {"name": a["name"]}
        if a.get("assignee") is not None:
            body["assignee"] = str(a["assignee"])
        service.create_task(caller, validate(TaskFields, body), parent=task)
    else:  # add_followers
        access.require_task_edit(caller, task, "add followers")
        users = [int(u) for u in a["followers"]]
        topics = journal.task_topics(caller, task.gid)
        for user in queries.new_followers(caller.conn, task.gid, users):
            journal.member(
                caller, ("task", task.gid), "added", ("user", user), topics=topics, field="followers"
            )
