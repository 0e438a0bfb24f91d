"""The integration under test: move every overdue, unfinished task of a project to "Urgent"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asana


def overdue_tasks(client: asana.ApiClient, project_gid: str, today: dt.date) -> list[dict[str, Any]]:
    """Unfinished tasks of the project whose due date is before `today`."""
    tasks = asana.TasksApi(client).get_tasks_for_project(
        project_gid, {"opt_fields": "name,completed,due_on", "limit": 100}
    )
    return [
        t
        for t in tasks
        if not t["completed"] and t.get("due_on") and dt.date.fromisoformat(t["due_on"]) < today
    ]


def triage(client: asana.ApiClient, project_gid: str, today: dt.date) -> list[str]:
    """Move overdue tasks to the project's "Urgent" section; the names of the tasks moved."""
    sections = asana.SectionsApi(client)
    urgent = next(s for s in sections.get_sections_for_project(project_gid, {}) if s["name"] == "Urgent")
    moved = []
    for task in overdue_tasks(client, project_gid, today):
        sections.add_task_for_section(urgent["gid"], {"body": {"data": {"task": task["gid"]}}})
        moved.append(task["name"])
    return moved
