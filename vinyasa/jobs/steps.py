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
   never writes a task twice or a second project;
3. write the blueprint's rules (vinyasa.rules.copies) in a unit of their own, after every task, so
   copying the tasks triggers none of them.

`duplicate_task` writes the copy (and its subtasks) in one unit; `save_as_template` reads the
project, then writes the template row in one unit (vinyasa.jobs.templates).
"""

from __future__ import annotations

from typing import Any

from vinyasa import access
from vinyasa.core import Caller, runner
from vinyasa.errors import NotFound
from vinyasa.jobs import blueprint, build, queries, templates
from vinyasa.jobs.blueprint import Include
from vinyasa.rules import copies

SOURCE_GONE = "The project to duplicate was deleted, or you can no longer see it"
TASK_GONE = "The task to duplicate was deleted, or you can no longer see it"
PROJECT_GONE = "The new project was deleted before the job finished"


# `include` element -> the Include flag it sets, for projects (ProjectDuplicateRequest) and tasks.
PROJECT_FLAGS = {
    "notes": "notes",
    "members": "members",
    "task_assignee": "assignee",
    "task_dates": "dates",
    "task_followers": "followers",
    "task_notes": "task_notes",
    "task_projects": "projects",
    "task_subtasks": "subtasks",
    "task_tags": "tags",
    "task_dependencies": "dependencies",
}
TASK_FLAGS = {
    "assignee": "assignee",
    "dates": "dates",
    "followers": "followers",
    "notes": "task_notes",
    "projects": "projects",
    "subtasks": "subtasks",
    "tags": "tags",
    "dependencies": "dependencies",
}


def include_of(elements: list[str], flags: dict[str, str]) -> Include:
    """What a blueprint reads for these `include` elements (others copy nothing)."""
    return Include(**{flags[e]: True for e in elements if e in flags})


def _schedule(plan: dict[str, Any], schedule: dict[str, Any] | None) -> None:
    """schedule_dates on the blueprint. The request checked that the dates fit in the calendar; a
    date added to the project since may not: the job fails with a message."""
    if schedule is None:
        return
    try:
        blueprint.reschedule(plan, schedule)
    except blueprint.DatesOutOfRange as exc:
        raise runner.JobFailed(f"The dates cannot be moved to {schedule['date']}: {exc}") from None


def _begin(run: runner.Run, plan: dict[str, Any], name: str, team: int | None, **options: Any) -> runner.Step:
    """Step 1's write: the new project, its sections, settings and members; the blueprint kept."""
    with run.unit() as caller:
        template = options.pop("template", None)
        project, sections, positions = build.start_project(caller, plan, name, team_gid=team, **options)
        if template is not None:
            queries.set_origin(caller.conn, project, int(template))
        run.result = ("project", project)
        run.keep([{k: v for k, v in plan.items() if k != "tasks"}, *plan["tasks"]])
        run.progress.update(
            project=project,
            workspace=plan["project"]["workspace_gid"],
            sections=sections,
            positions=positions,
            next=0,
        )
        run.done = not plan["tasks"] and not plan.get("rules")
    return runner.MORE


def _write_chunk(run: runner.Run) -> runner.Step:
    """Step 2..n: the next chunk of whole task trees into the new project."""
    kept = run.stash()
    assert kept is not None
    tasks: list[list[Any]] = kept[1:]
    progress = run.progress
    start = int(progress["next"])
    if start >= len(tasks):
        return _write_rules(run, kept[0].get("rules") or [])
    end = build.next_chunk(tasks, start)
    roles = progress.get("assignees")
    with run.unit() as caller:
        if not queries.project_exists(caller.conn, int(progress["project"])):
            raise runner.JobFailed(PROJECT_GONE)
        gids = build.write_tasks(
            caller,
            tasks[start:end],
            start,
            workspace=int(progress["workspace"]),
            project=int(progress["project"]),
            sections=progress["sections"],
            section_positions=progress["positions"],
            assignees={int(k): v for k, v in roles.items()} if roles is not None else None,
        )
        _links(caller, kept[0].get("links", []), progress, start, gids)
        progress["next"] = end
        run.done = end >= len(tasks) and not kept[0].get("rules")
    return runner.MORE


def _write_rules(run: runner.Run, rules: list[dict[str, Any]]) -> runner.Step:
    """The last step: the blueprint's rules, in a unit after every task's, so copying the tasks
    triggers none of them (vinyasa.rules.copies)."""
    with run.unit() as caller:
        if not queries.project_exists(caller.conn, int(run.progress["project"])):
            raise runner.JobFailed(PROJECT_GONE)
        copies.write(caller, int(run.progress["project"]), rules, run.progress["sections"])
        run.done = True
    return runner.MORE


def _links(
    caller: Caller, links: list[list[int]], progress: dict[str, Any], start: int, gids: list[int]
) -> None:
    """The dependencies whose later end is in this chunk (both ends are copies, written by now).
    `progress["copies"]` keeps the copy of each linked task for the chunks after its own."""
    if not links:
        return
    end = start + len(gids)
    copies: dict[str, int] = progress.setdefault("copies", {})
    for at in {at for link in links for at in link[:2]}:
        if start <= at < end:
            copies[str(at)] = gids[at - start]
    due = [link for link in links if start <= max(link[:2]) < end]
    build.write_links(caller, due, {int(k): v for k, v in copies.items()})


def duplicate_project(run: runner.Run) -> runner.Step:
    """The `duplicate_project` kind (params: source, name, include, schedule)."""
    if run.has_stash:
        return _write_chunk(run)
    params = run.params
    with run.read() as caller:
        try:
            source = access.project(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(SOURCE_GONE) from None
        include = include_of(params["include"], PROJECT_FLAGS)
        plan = blueprint.of_project(caller.conn, source.gid, include, rules=copies.readable(source))
    _schedule(plan, params.get("schedule"))
    return _begin(run, plan, params["name"], plan["project"]["team_gid"])


def instantiate_project(run: runner.Run) -> runner.Step:
    """The `instantiate_project` kind (params: template, name, team, privacy, dates, roles)."""
    if run.has_stash:
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
    include = include_of(params["include"], TASK_FLAGS)
    with run.read() as caller:
        try:
            task = access.task(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(TASK_GONE) from None
        plan = blueprint.of_task(caller.conn, task.gid, include)
    if not plan["tasks"]:  # deleted between the two reads (PostgreSQL: each statement sees the newest)
        raise runner.JobFailed(TASK_GONE)
    if params.get("name") is not None:
        plan["tasks"][0][2]["name"] = params["name"]
    with run.unit() as caller:
        parent = None
        if "parent" in params["include"] and task.parent_gid is not None:
            build.lock_places(caller, plan["tasks"])  # the projects first, then the parent task
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
        build.write_links(caller, plan["links"], dict(enumerate(gids)))
        run.result = ("task", gids[0])
        run.done = True
    return runner.DONE


def save_as_template(run: runner.Run) -> runner.Step:
    """The `save_as_template` kind (params: source, name, public, team, workspace): one read, one unit."""
    params = run.params
    with run.read() as caller:
        try:
            source = access.project(caller, str(params["source"]))
        except NotFound:
            raise runner.JobFailed(SOURCE_GONE) from None
        plan = blueprint.of_project(caller.conn, source.gid, templates.INCLUDE, rules=copies.readable(source))
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
