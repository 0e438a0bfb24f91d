"""Jobs on the wire (Asana's JobResponse, digest §C.6).

A job row (vinyasa.models.jobs) of a public kind is an Asana job; its `resource_subtype` is the kind
(`duplicate_project`, `duplicate_task`, `save_as_template`, `instantiate_project`), and the object
it made (`result_type`/`result_gid`) is its `new_project` / `new_task` / `new_project_template`,
set as soon as that object exists (the first step creates it). The others are null.
"""

from __future__ import annotations

from vinyasa.models import Job
from vinyasa.protocol.resources import Col, Ref, Resource, constant


def _made(resource_type: str) -> str:
    return f"CASE WHEN {{table}}.result_type = '{resource_type}' THEN {{table}}.result_gid END"


JOB = Resource(
    "job",
    Job.__table__,
    {
        "resource_subtype": Col("kind"),
        "status": Col("status"),
        "new_project": Ref("result_gid", "project", sql=_made("project")),
        "new_task": Ref("result_gid", "task", sql=_made("task")),
        "new_portfolio": constant(None),  # portfolios are not built yet
        "new_project_template": constant(None),
        "new_graph_export": constant(None),
        "new_resource_export": constant(None),
    },
    compact=(
        "resource_subtype",
        "status",
        "new_project",
        "new_task",
        "new_portfolio",
        "new_project_template",
    ),
)
