"""Rules on the wire: the definition body (vinyasa's own API) and the rule / rule run records.

A rule body (`POST /_vinyasa/projects/{project_gid}/rules`, `PUT /_vinyasa/rules/{rule_gid}`)::

    {"name": "Triage", "enabled": true,
     "trigger": {"type": "task_moved_to_section", "section": "<gid>"},
     "conditions": [{"type": "assignee_is_set"}],
     "actions": [{"type": "set_assignee", "assignee": "me"}]}

Triggers (`type` and its fields): `incoming_web_request` (the record gets `rule_trigger_gid`, the
path parameter of `POST /rule_triggers/{gid}/run`), `task_added_to_project`,
`task_moved_to_section` (`section`), `task_completed`, `task_incomplete`, `custom_field_changed`
(`custom_field`, optional `value`: only a change to that value), `due_date_approaching` (`days`
before the due date, 0..365, evaluated against the server clock).

Conditions (all must hold): `in_section` (`section`), `custom_field_has_value` (`custom_field`,
optional `value`; without it any non-empty value), `assignee_is_set`, `assignee_is` (`user`). A
`value` compared with (these and `custom_field_changed`'s) must be one the field can hold: an
option's gid of an enum or multi-enum field, a number, a YYYY-MM-DD day, else a string (400).

Actions, in order: `move_to_section` (`section` of the rule's project), `set_assignee` (`assignee`:
a user or null), `set_due_date` (`due_on` YYYY-MM-DD or `days_from_now`; null `due_on` clears it),
`set_custom_field` (`custom_field`, `value` as in a task's `custom_fields`), `mark_complete`,
`mark_incomplete`, `add_to_project` (`project`, optional `section`), `create_subtask` (`name`,
optional `assignee`), `add_followers` (`followers`: a list of users). For an
`incoming_web_request` rule any string value may name `{{action_data.<key>}}`: the run replaces it
by the key's value (a string that is exactly one placeholder takes the value as it is: a number
stays a number). Text gets text: a placeholder within a longer string, or anywhere in a subtask's
`name`, gives a string as it is and a number or boolean as JSON writes it (`1`, `true`); null,
an object or an array there is a 400 naming the field (vinyasa.rules.actions.fill).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinyasa.models import Rule, RuleRun
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Ref, Viewer
from vinyasa.protocol.values import Boolean, iso_ms

Gid = Annotated[str, Field(min_length=1, max_length=40)]


_STRICT = ConfigDict(extra="forbid")  # a misspelt key in a trigger, condition or action is a 400


class Trigger(BaseModel):
    model_config = _STRICT
    type: Literal[
        "incoming_web_request",
        "task_added_to_project",
        "task_moved_to_section",
        "task_completed",
        "task_incomplete",
        "custom_field_changed",
        "due_date_approaching",
    ]
    section: Gid | None = None
    custom_field: Gid | None = None
    value: Any = None
    days: int | None = Field(default=None, ge=0, le=365)


class Condition(BaseModel):
    model_config = _STRICT
    type: Literal["in_section", "custom_field_has_value", "assignee_is_set", "assignee_is"]
    section: Gid | None = None
    custom_field: Gid | None = None
    value: Any = None
    user: Gid | None = None


class Action(BaseModel):
    model_config = _STRICT
    type: Literal[
        "move_to_section",
        "set_assignee",
        "set_due_date",
        "set_custom_field",
        "mark_complete",
        "mark_incomplete",
        "add_to_project",
        "create_subtask",
        "add_followers",
    ]
    section: Gid | None = None
    assignee: str | None = None
    due_on: str | None = None
    days_from_now: int | None = Field(default=None, ge=-3650, le=3650)
    custom_field: Gid | None = None
    value: Any = None
    project: Gid | None = None
    name: str | None = Field(default=None, max_length=1024)
    followers: list[str] | None = Field(default=None, max_length=100)


class RuleFields(BaseModel):
    """A rule body; on PUT every given field replaces the stored one."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=1024)
    enabled: Boolean | None = None
    trigger: Trigger | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=20)
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=20)


class TriggerRunBody(BaseModel):
    """`POST /rule_triggers/{rule_trigger_gid}/run` (RuleTriggerRequest): both required."""

    model_config = ConfigDict(extra="ignore")
    resource: str = Field(min_length=1)
    action_data: dict[str, Any]


def _trigger(row: Mapping[str, Any], viewer: Viewer) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(row["trigger"])
    if row["trigger_gid"] is not None:
        out["rule_trigger_gid"] = str(row["trigger_gid"])
        out["url"] = f"{viewer.base_url}/api/1.0/rule_triggers/{row['trigger_gid']}/run"
    return out


RULE = Resource(
    "rule",
    Rule.__table__,
    {
        "name": Col("name"),
        "enabled": Col("enabled", bool),
        "project": Ref("project_gid", "project"),
        "created_by": Ref("creator_gid", "user"),
        "trigger": Derived(("trigger", "trigger_gid"), _trigger),
        "conditions": Derived(("conditions",), lambda row, _: json.loads(row["conditions"])),
        "actions": Derived(("actions",), lambda row, _: json.loads(row["actions"])),
        "created_at": Col("created_at", iso_ms),
        "modified_at": Col("modified_at", iso_ms),
    },
    compact=("name", "enabled"),
)

RULE_RUN = Resource(
    "rule_run",
    RuleRun.__table__,
    {
        "created_at": Col("created_at", iso_ms),
        "rule": Ref("rule_gid", "rule"),
        "trigger": Col("trigger_type"),
        "task": Ref("task_gid", "task"),
        "status": Col("status"),
        "actions_done": Derived(("actions_done",), lambda row, _: json.loads(row["actions_done"])),
        "error": Col("error"),
    },
    compact=("created_at", "trigger", "status"),
)
