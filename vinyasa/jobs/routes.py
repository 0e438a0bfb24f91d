"""Job endpoints: `GET /jobs/{job_gid}` and the actions that start jobs on projects and tasks."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.jobs import portfolios, service, steps, templates
from vinyasa.jobs.schemas import (
    JOB,
    PortfolioDuplicateFields,
    ProjectDuplicateFields,
    SaveAsTemplateFields,
    TaskDuplicateFields,
)
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Jobs"])
# Importing vinyasa.jobs.steps registers the job kinds with the runner.
KINDS = (
    steps.duplicate_project,
    steps.duplicate_task,
    steps.save_as_template,
    steps.instantiate_project,
    portfolios.duplicate_portfolio,
)


@router.get("/jobs/{job_gid}", operation_id="getJob")
async def get_job(ctx: CtxDep, job_gid: str) -> Response:
    """The full record of a job; only its creator sees it (404 for anyone else, as for a job that
    does not exist). Asana: "Only the creator of the duplication process can access the duplication
    status of the new object.\""""
    return ctx.one_seen(JOB, job_gid, lambda: access.job(ctx, job_gid))


@router.post("/projects/{project_gid}/duplicate", operation_id="duplicateProject", status_code=201)
async def duplicate_project(ctx: CtxDep, project_gid: str) -> Response:
    """Start duplicating a project the caller can see (`name`; `include`, `schedule_dates`: see
    vinyasa.jobs.service); the job's `new_project` is set as soon as the copy exists."""
    job = service.duplicate_project(ctx, project_gid, ctx.input(ProjectDuplicateFields))
    return ctx.one(JOB, job, status=201)


@router.post("/tasks/{task_gid}/duplicate", operation_id="duplicateTask", status_code=201)
async def duplicate_task(ctx: CtxDep, task_gid: str) -> Response:
    """Start duplicating a task the caller can see (`name`, `include`); the job's `new_task`."""
    job = service.duplicate_task(ctx, task_gid, ctx.input(TaskDuplicateFields))
    return ctx.one(JOB, job, status=201)


@router.post("/projects/{project_gid}/saveAsTemplate", operation_id="projectSaveAsTemplate", status_code=201)
async def project_save_as_template(ctx: CtxDep, project_gid: str) -> Response:
    """Start saving a project as a template (`name` and `public` required; `team` in an
    organization, else `workspace`); the job's `new_project_template`."""
    job = templates.request_save(ctx, project_gid, ctx.input(SaveAsTemplateFields))
    return ctx.one(JOB, job, status=201)


@router.post("/portfolios/{portfolio_gid}/duplicate", operation_id="duplicatePortfolio", status_code=201)
async def duplicate_portfolio(ctx: CtxDep, portfolio_gid: str) -> Response:
    """Start duplicating a portfolio the caller can see (`name`; `include`: see
    vinyasa.jobs.portfolios); the job's `new_portfolio`."""
    body = ctx.input(PortfolioDuplicateFields)
    job = portfolios.request_duplicate(ctx, portfolio_gid, body.name, body.include)
    return ctx.one(JOB, job, status=201)
