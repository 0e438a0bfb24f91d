"""The job kinds of this family and their steps on the runner (vinyasa.core.runner).

`duplicate_project` and `instantiate_project` run the same way:

1. read the blueprint (a read transaction: no write lock is held while a large project is read;
   duplicate: of the source project as the creator sees it; instantiate: the template's), shift
   its dates, then in one short unit create the new project with its sections, settings and
   members, keep the blueprint as the job's stash and set `new_project`: from here on the new
   project exists and is the creator's (Asana: "the intermittent states of newly-created objects
   may not be consistent" until the job succeeds — so it is visible, partly filled, meanwhile);
2. write the tasks, a chunk of whole task trees per step (vinyasa.jobs.build), each chunk and its
   progress in one commit, so a takeover after a crash resumes after the last committed chunk and
   never writes a task twice or a second project.

`duplicate_task` writes the copy (and its subtasks) in one unit; `save_as_template` reads the
project, then writes the template row in one unit (vinyasa.jobs.templates).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vinyasa import access
from vinyasa.core import runner
from vinyasa.errors import NotFound
from vinyasa.jobs import blueprint, build, queries, templates
from vinyasa.jobs.blueprint import Include

SOURCE_GONE = "The project to duplicate was deleted, or you can no longer see it"
TASK_GONE = "The task to duplicate was deleted, or you can no longer see it"
PROJECT_GONE = "The new project was deleted before the job finished"


def project_include(elements: list[str]) -> Include:
    """ProjectDuplicateRequest `include` elements as what a blueprint reads."""
    return Include(
        notes="notes" in elements,
        members="members" in elements,
        assignee="task_assignee" in elements,
        dates="task_dates" in elements,
        followers="task_followers" in elements,
        task_notes="task_notes" in elements,
        projects="task_projects" in elements,
        subtasks="task_subtasks" in elements,
    )


def task_include(elements: list[str]) -> Include:
    """TaskDuplicateRequest `include` elements as what a blueprint reads."""
    return Include(
        assignee="assignee" in elements,
        dates="dates" in elements,
        followers="followers" in elements,
        task_notes="notes" in elements,
        projects="projects" in elements,
        subtasks="subtasks" in elements,
    )


def _schedule(plan: dict[str, Any], schedule: dict[str, Any] | None) -> None:
    if schedule is None:
        return
    old = blueprint.anchor(plan, last_due=bool(schedule["last_due"]))
    if old is not None:
        new = dt.date.fromisoformat(schedule["date"])
        blueprint.shift_dates(plan, old, new, bool(schedule["skip_weekends"]))


def _begin(run: runner.Run, plan: dict[str, Any], name: str, team: int | None, **options: Any) -> runner.Step:
    """Step 1's write: the new project, its sections, settings and members; the blueprint kept."""
    with run.unit() as caller:
        template = options.pop("template", None)
        project, sections, positions = build.start_project(caller, plan, name, team_gid=team, **options)
        if template is not None:
            queries.set_origin(caller.conn, project, int(template))
        run.result = ("project", project)
        run.keep(plan)
        run.progress.update(
            project=project,
            workspace=plan["project"]["workspace_gid"],
            sections=sections,
            positions=positions,
            next=0,
        )
        run.done = not plan["tasks"]
    return runner.MORE


def _write_chunk(run: runner.Run) -> runner.Step:
    """Step 2..n: the next chunk of whole task trees into the new project."""
    tasks: list[list[Any]] = run.stash["tasks"]
    progress = run.progress
    start = int(progress["next"])
    end = build.next_chunk(tasks, start)
    roles = progress.get("assignees")
    with run.unit() as caller:
        if not queries.project_exists(caller.conn, int(progress["project"])):
            raise runner.JobFailed(PROJECT_GONE)
        build.write_tasks(
            caller,
            tasks[start:end],
            start,
            workspace=int(progress["workspace"]),
            project=int(progress["project"]),
            sections=progress["sections"],
            section_positions=progress["positions"],
            assignees={int(k): v for k, v in roles.items()} if roles is not None else None,
        )
        progress["next"] = end
        run.done = end >= len(tasks)
    return runner.MORE


def duplicate_project(run: runner.Run) -> runner.Step:
    """The `duplicate_project` kind (params: source, name, include, schedule)."""
    if run.stash is not None:
        return _write_chunk(run)
    params = run.params
    with run.read() as caller:
        try:
            access.project(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(SOURCE_GONE) from None
        plan = blueprint.of_project(caller.conn, int(params["source"]), project_include(params["include"]))
    _schedule(plan, params.get("schedule"))
    return _begin(run, plan, params["name"], plan["project"]["team_gid"])


def instantiate_project(run: runner.Run) -> runner.Step:
    """The `instantiate_project` kind (params: template, name, team, privacy, dates, roles)."""
    if run.stash is not None:
        return _write_chunk(run)
    params = run.params
    with run.read() as caller:
        plan, assignees = templates.plan_for(caller, params)
    run.progress["assignees"] = {str(k): v for k, v in assignees.items()}
    return _begin(
        run, plan, params["name"], params["team"], privacy=params.get("privacy"), template=params["template"]
    )


def duplicate_task(run: runner.Run) -> runner.Step:
    """The `duplicate_task` kind (params: source, name, include): one unit."""
    params = run.params
    include = task_include(params["include"])
    with run.read() as caller:
        try:
            task = access.task(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(TASK_GONE) from None
        plan = blueprint.of_task(caller.conn, task.gid, include)
    if params.get("name") is not None:
        plan["tasks"][0][2]["name"] = params["name"]
    with run.unit() as caller:
        parent = None
        if "parent" in params["include"] and task.parent_gid is not None:
            parent = build.parent_of(caller, task.parent_gid)
        gids = build.write_tasks(
            caller,
            plan["tasks"],
            0,
            workspace=task.workspace_gid,
            project=None,
            sections=[],
            section_positions=[],
            parent=parent,
            follow=True,
        )
        run.result = ("task", gids[0])
        run.done = True
    return runner.DONE


def save_as_template(run: runner.Run) -> runner.Step:
    """The `save_as_template` kind (params: source, name, public, team, workspace): one read, one unit."""
    params = run.params
    with run.read() as caller:
        try:
            access.project(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(SOURCE_GONE) from None
        plan = blueprint.of_project(caller.conn, int(params["source"]), templates.INCLUDE)
        names = queries.user_names(caller.conn, templates.assignees(plan))
    with run.unit() as caller:
        gid = templates.create(caller, params, plan, names)
        run.result = ("project_template", gid)
        run.done = True
    return runner.DONE


runner.register(runner.Kind("duplicate_project", duplicate_project, public=True))
runner.register(runner.Kind("instantiate_project", instantiate_project, public=True))
runner.register(runner.Kind("duplicate_task", duplicate_task, public=True))
runner.register(runner.Kind("save_as_template", save_as_template, public=True))
