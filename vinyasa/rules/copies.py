"""Rules copied with their project: `duplicateProject` (Asana's ProjectDuplicateRequest lists Rules
among the auto-included fields: "their active/paused state is preserved in the new project"), and
a template saved from a project, whose instantiated projects get them too.

Only what its copier may read is copied: a project's rules are read with editor access (as
`GET /_vinyasa/projects/{gid}/rules` needs). Each copy is checked as the copier defining it on the
new project would be (vinyasa.rules.service: a project, custom field or user they cannot see...);
a rule that fails those checks is left out.

A blueprint (vinyasa.jobs.blueprint) keeps a project's rules as JSON, each `section` of the project
itself as `@<index>` into the blueprint's sections and the project itself (an `add_to_project`
action naming it) as `@project`; the copies name the new project and its sections. Everything else
(custom fields, users, other projects and their sections) is named as it was: the copy runs as the
user who made it, as a rule runs as whoever last defined it. The copies keep the source's order
(one millisecond apart), an incoming web request gets a trigger gid of its own, a due date
approaching its own watcher (whose first scan may act at once on copied tasks already due soon).

The copies are written once the new project's tasks are (vinyasa.jobs.steps), so copying the tasks
triggers none of them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.body import validate
from vinyasa.protocol.values import now_ms
from vinyasa.rules import queries
from vinyasa.rules.schemas import RuleFields
from vinyasa.rules.service import checked_parts, insert_rule

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


def readable(project: access.VisibleProject) -> bool:
    """Whether the caller may read the project's rules (editor access), and so copy them."""
    return access.PROJECT_LEVELS.index(project.access_level) >= access.PROJECT_LEVELS.index("editor")


def write(caller: Caller, project_gid: int, rules: list[dict[str, Any]], section_gids: list[int]) -> None:
    """The blueprint's rules as rules of the new project (`section_gids`: its sections, in the
    blueprint's order), defined by the caller: each checked as the caller defining it would be,
    left out when a check fails."""
    sections = {f"@{i}": str(gid) for i, gid in enumerate(section_gids)}
    self_ref = (SELF, str(project_gid))
    project = access.project(caller, str(project_gid), lock="share")
    stamp = now_ms()
    for i, rule in enumerate(rules):
        body = {
            "name": rule["name"],
            "trigger": _swap(rule["trigger"], sections, self_ref),
            "conditions": [_swap(c, sections, self_ref) for c in rule["conditions"]],
            "actions": [_swap(a, sections, self_ref) for a in rule["actions"]],
        }
        try:
            parts = checked_parts(caller, project, validate(RuleFields, body))
        except InvalidRequest:
            continue  # names what the copier may not use (a project they cannot see...)
        insert_rule(caller, project.gid, rule["name"], bool(rule["enabled"]), parts, created_at=stamp + i)
