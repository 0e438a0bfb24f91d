"""Rules copied with their project: `duplicateProject` (Asana's ProjectDuplicateRequest lists Rules
among the auto-included fields: "their active/paused state is preserved in the new project"), and
a template saved from a project, whose instantiated projects get them too.

A blueprint (vinyasa.jobs.blueprint) keeps a project's rules as JSON, each `section` of the project
itself as `@<index>` into the blueprint's sections and the project itself (an `add_to_project`
action naming it) as `@project`; the copies name the new project and its sections. Everything else
(custom fields, users, other projects and their sections) is named as it was: the copy runs as the
user who made it, as a rule runs as whoever last defined it (vinyasa.rules.service). An incoming
web request gets a trigger gid of its own, a due date approaching its own watcher.

The copies are written once the new project's tasks are (vinyasa.jobs.steps), so copying the tasks
triggers none of them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from vinyasa.core import Caller
from vinyasa.protocol import sql
from vinyasa.rules import queries
from vinyasa.rules.service import insert_rule

SELF = "@project"


def _swap(part: Any, sections: dict[str, str], project: tuple[str, str]) -> Any:
    """A trigger, condition or action with its own project's section (and project) references
    swapped through `sections` (and `project`: old, new); anything else as it is."""
    if not isinstance(part, dict):
        return part
    out = dict(part)
    own = "project" not in out or out["project"] == project[0]
    if "project" in out and own:
        out["project"] = project[1]
    if own and out.get("section") in sections:
        out["section"] = sections[out["section"]]
    return out


def of_project(conn: Connection, project_gid: int, section_gids: list[int]) -> list[dict[str, Any]]:
    """The project's rules, oldest first, as a blueprint keeps them (`section_gids`: the blueprint's
    sections, in its order)."""
    sections = {str(gid): f"@{i}" for i, gid in enumerate(section_gids)}
    self_ref = (str(project_gid), SELF)
    out = []
    rows = sql.fetch(conn, queries.RULES_OF, [project_gid])
    for name, enabled, trigger_type, trigger, conditions, actions in rows:
        out.append(
            {
                "name": name,
                "enabled": bool(enabled),
                "trigger_type": trigger_type,
                "trigger": _swap(json.loads(trigger), sections, self_ref),
                "conditions": [_swap(c, sections, self_ref) for c in json.loads(conditions)],
                "actions": [_swap(a, sections, self_ref) for a in json.loads(actions)],
            }
        )
    return out


def write(caller: Caller, project_gid: int, rules: list[dict[str, Any]], section_gids: list[int]) -> None:
    """The blueprint's rules as rules of the new project (`section_gids`: its sections, in the
    blueprint's order), defined by the caller."""
    sections = {f"@{i}": str(gid) for i, gid in enumerate(section_gids)}
    self_ref = (SELF, str(project_gid))
    for rule in rules:
        parts = {
            "trigger_type": rule["trigger_type"],
            "trigger": json.dumps(_swap(rule["trigger"], sections, self_ref)),
            "conditions": json.dumps([_swap(c, sections, self_ref) for c in rule["conditions"]]),
            "actions": json.dumps([_swap(a, sections, self_ref) for a in rule["actions"]]),
        }
        insert_rule(caller, project_gid, rule["name"], bool(rule["enabled"]), parts)
