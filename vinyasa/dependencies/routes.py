"""Task dependency endpoints: list, add and remove a task's dependencies and dependents."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from vinyasa import access
from vinyasa.dependencies import queries, service
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, Ctx, CtxDep
from vinyasa.tasks.schemas import TASK, GidList

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])


class DependenciesBody(BaseModel):
    """ModifyDependenciesRequest: `dependencies`, gids as an array or a comma-separated string."""

    model_config = ConfigDict(extra="ignore")
    dependencies: GidList


class DependentsBody(BaseModel):
    """ModifyDependentsRequest: `dependents`, gids as an array or a comma-separated string."""

    model_config = ConfigDict(extra="ignore")
    dependents: GidList


def _change(ctx: Ctx, task_gid: str, field: str, adding: bool) -> Response:
    """Link or unlink the tasks the body names under `field` ("dependencies" or "dependents")."""
    task = access.task(ctx, task_gid)
    body = ctx.input(DependenciesBody if field == "dependencies" else DependentsBody)
    (service.link if adding else service.unlink)(ctx, task, field, getattr(body, field))
    return ctx.empty()


@router.get("/tasks/{task_gid}/dependencies", operation_id="getDependenciesForTask")
async def get_dependencies_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """The tasks this task depends on (is blocked by) that the caller can see, in the order they
    were added."""
    task = access.task(ctx, task_gid)
    return ctx.page(TASK, queries.listing("dependencies", task.gid, access.task_visible_sql(ctx)))


@router.get("/tasks/{task_gid}/dependents", operation_id="getDependentsForTask")
async def get_dependents_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """The tasks that depend on (are blocked by) this task that the caller can see, in the order they
    were added."""
    task = access.task(ctx, task_gid)
    return ctx.page(TASK, queries.listing("dependents", task.gid, access.task_visible_sql(ctx)))


@router.post("/tasks/{task_gid}/addDependencies", operation_id="addDependenciesForTask")
async def add_dependencies_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Make tasks dependencies of this one: a cycle, another workspace, the task itself or more
    than 30 dependencies and dependents together are a 400. Returns `{}`."""
    return _change(ctx, task_gid, "dependencies", adding=True)


@router.post("/tasks/{task_gid}/removeDependencies", operation_id="removeDependenciesForTask")
async def remove_dependencies_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Remove tasks from this one's dependencies (not being one is no error). Returns `{}`."""
    return _change(ctx, task_gid, "dependencies", adding=False)


@router.post("/tasks/{task_gid}/addDependents", operation_id="addDependentsForTask")
async def add_dependents_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Make tasks dependents of this one (same rules as addDependencies). Returns `{}`."""
    return _change(ctx, task_gid, "dependents", adding=True)


@router.post("/tasks/{task_gid}/removeDependents", operation_id="removeDependentsForTask")
async def remove_dependents_for_task(ctx: CtxDep, task_gid: str) -> Response:
    """Remove tasks from this one's dependents (not being one is no error). Returns `{}`."""
    return _change(ctx, task_gid, "dependents", adding=False)
