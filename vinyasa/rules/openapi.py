"""The /docs description of vinyasa's own rule endpoints (`/_vinyasa/...`, tag "Rules (vinyasa)";
built with vinyasa.spec.own)."""

from __future__ import annotations

from typing import Any

from vinyasa.spec import own

TAG = "Rules (vinyasa)"
TAG_DESCRIPTION = (
    "vinyasa's own API for defining a project's rules (Asana makes them in its web app): one trigger, "
    "optional conditions, one or more actions, and each rule's run history. Always on; authorize with a "
    "normal user token; rules need editor access to their project (404 for a project the caller cannot "
    "see). Run an incoming-web-request rule with Asana's `POST /rule_triggers/{rule_trigger_gid}/run`; "
    "event rules run on the server's background runner right after the change that triggers them."
)
_ITEM = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}},
    "additionalProperties": True,
}
_TRIGGER = {
    **_ITEM,
    "description": "`incoming_web_request` (the record adds `rule_trigger_gid` and `url`), "
    "`task_added_to_project`, `task_moved_to_section` (`section`), `task_completed`, `task_incomplete`, "
    "`custom_field_changed` (`custom_field`, optional `value`), `due_date_approaching` (`days`, 0..365, "
    "against the server's UTC clock).",
}
_CONDITION = {
    **_ITEM,
    "description": "All must hold: `in_section` (`section`), `custom_field_has_value` (`custom_field`, "
    "optional `value`), `assignee_is_set`, `assignee_is` (`user`).",
}
_ACTION = {
    **_ITEM,
    "description": "In order: `move_to_section` (`section`), `set_assignee` (`assignee`), `set_due_date` "
    "(`due_on` or `days_from_now`), `set_custom_field` (`custom_field`, `value`), `mark_complete`, "
    "`mark_incomplete`, `add_to_project` (`project`, optional `section`), `create_subtask` (`name`, optional "
    "`assignee`), `add_followers` (`followers`). With an `incoming_web_request` trigger, `value`, `name`, "
    "`due_on` and `assignee` may use `{{action_data.<key>}}` (within text, and in `name`, a number or "
    "boolean reads as JSON writes it; null, an object or an array there is a 400).",
}
_FIELDS = {
    "name": {"type": "string", "example": "Triage"},
    "enabled": {"type": "boolean", "example": True},
    "trigger": _TRIGGER,
    "conditions": {"type": "array", "items": _CONDITION},
    "actions": {"type": "array", "items": _ACTION, "minItems": 1},
}
_RULE = {
    "type": "object",
    "properties": {
        "gid": own.GID,
        "resource_type": {"type": "string", "example": "rule"},
        **_FIELDS,
        "project": {"type": "object", "properties": {"gid": own.GID, "name": {"type": "string"}}},
        "created_by": {"type": "object", "description": "The user the rule runs as (who last defined it)."},
        "created_at": {"type": "string", "format": "date-time"},
        "modified_at": {"type": "string", "format": "date-time"},
    },
}
_RUN = {
    "type": "object",
    "properties": {
        "gid": own.GID,
        "resource_type": {"type": "string", "example": "rule_run"},
        "created_at": {"type": "string", "format": "date-time"},
        "rule": {"type": "object"},
        "trigger": {"type": "string", "example": "task_completed"},
        "task": {"type": "object", "nullable": True},
        "status": {"type": "string", "enum": ["succeeded", "skipped", "failed"]},
        "actions_done": {"type": "array", "items": {"type": "string"}},
        "error": {"type": "string", "nullable": True},
    },
}
_ERRORS = {
    "400": {"description": "Bad input (the message names the field); nothing changed."},
    "401": {"description": "No or a bad token."},
    "403": {"description": "Less than editor access to the project."},
    "404": {"description": "No such rule or project, or one the caller cannot see."},
}


def _op(
    op_id: str, summary: str, ok: tuple[str, str, dict[str, Any]], body: bool = False, paged: bool = False
) -> dict[str, Any]:
    fields = {"type": "object", "properties": _FIELDS} if body else None
    op = own.operation(TAG, op_id, summary, ok, _ERRORS, fields)
    if paged:
        op["parameters"] = own.PAGE_PARAMS
    return op


def paths() -> dict[str, Any]:
    """The path items of the rule endpoints, keyed by their path from the server's root."""
    rule = ("200", "The rule.", _RULE)
    return {
        "/_vinyasa/projects/{project_gid}/rules": {
            "servers": own.ROOT,
            "parameters": [own.path_param("project_gid")],
            "get": _op(
                "getRulesForProject_vinyasa",
                "A project's rules, oldest first (paginated like Asana's lists: `limit`, `offset`).",
                ("200", "The rules.", {"type": "array", "items": _RULE}),
                paged=True,
            ),
            "post": _op(
                "createRuleForProject_vinyasa",
                "Define a rule (`name`, `trigger` and `actions` required).",
                ("201", "The new rule.", _RULE),
                body=True,
            ),
        },
        "/_vinyasa/rules/{rule_gid}": {
            "servers": own.ROOT,
            "parameters": [own.path_param("rule_gid")],
            "get": _op("getRule_vinyasa", "A rule.", rule),
            "put": _op(
                "updateRule_vinyasa",
                "Change a rule: the given fields replace the stored ones; the caller becomes its user.",
                rule,
                body=True,
            ),
            "delete": _op(
                "deleteRule_vinyasa",
                "Delete a rule and its history.",
                ("200", "Deleted.", {"type": "object"}),
            ),
        },
        "/_vinyasa/rules/{rule_gid}/runs": {
            "servers": own.ROOT,
            "parameters": [own.path_param("rule_gid")],
            "get": _op(
                "getRunsForRule_vinyasa",
                "The rule's runs, newest first (paginated like Asana's lists: `limit`, `offset`; without "
                "`limit`, the newest 1000).",
                ("200", "The runs.", {"type": "array", "items": _RUN}),
                paged=True,
            ),
        },
    }
