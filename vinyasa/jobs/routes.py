"""Job endpoints: `GET /jobs/{job_gid}`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.jobs.schemas import JOB
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Jobs"])


@router.get("/jobs/{job_gid}", operation_id="getJob")
async def get_job(ctx: CtxDep, job_gid: str) -> Response:
    """The full record of a job; only its creator sees it (404 for anyone else, as for a job that
    does not exist). Asana: "Only the creator of the duplication process can access the duplication
    status of the new object.\""""
    return ctx.one(JOB, access.job(ctx, job_gid))
