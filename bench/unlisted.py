"""What no operation of Asana's API makes, for the operations that need it (bench.world).

- A custom ID ("SWEEP-1", `getTaskForCustomID`): a task numbered by a custom ID field, on a project
  of its own (the world's project would show the field in every project read).
- A rule trigger (`triggerRule`): an incoming-web-request rule on the world's project, made through
  vinyasa's own rule API (`/_vinyasa`, outside Asana's), which sets its task's due date.

Each is a world value by the name of the path parameter or kind it fills (`custom_id`,
`rule_trigger`); when the server refuses one, the operation stays unmeasured with the reason.
"""

from __future__ import annotations

import sys
from typing import Any

from bench.world import World

PREFIX = "SWEEP"
# run by its trigger on the world's task: one cheap action, the same each time
RULE = {
    "name": "Sweep {n}",
    "trigger": {"type": "incoming_web_request"},
    "actions": [{"type": "set_due_date", "due_on": "2030-01-01"}],
}


def _made(world: World, method: str, path: str, body: dict[str, Any], prefix: str | None = None) -> Any:
    status, answer = world.client.call(method, path, world._fresh(body), *((prefix,) if prefix else ()))
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {answer}")
    return answer["data"]


def unlisted(world: World) -> None:
    """Make the unlisted objects and name them in `world.gids` (what it can)."""
    workspace, team = world.gids["workspace"], world.gids["team"]
    try:
        field = _made(
            world,
            "POST",
            "/custom_fields",
            {"workspace": workspace, "name": "Sweep ID {n}", "resource_subtype": "text", "id_prefix": PREFIX},
        )
        project = _made(
            world, "POST", "/projects", {"name": "Sweep IDs {n}", "workspace": workspace, "team": team}
        )
        _made(
            world, "POST", f"/projects/{project['gid']}/addCustomFieldSetting", {"custom_field": field["gid"]}
        )
        _made(world, "POST", "/tasks", {"name": "Sweep numbered {n}", "projects": [project["gid"]]})
        world.gids["custom_id"] = f"{PREFIX}-1"
    except RuntimeError as exc:
        print(f"  no custom ID: {str(exc)[:200]}", file=sys.stderr)
    if "project" not in world.gids:
        return
    try:
        rule = _made(world, "POST", f"/projects/{world.gids['project']}/rules", RULE, prefix="/_vinyasa")
        world.gids["rule_trigger"] = rule["trigger"]["rule_trigger_gid"]
    except RuntimeError as exc:
        print(f"  no rule trigger: {str(exc)[:200]}", file=sys.stderr)
