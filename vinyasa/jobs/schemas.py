"""Jobs on the wire (Asana's JobResponse, digest §C.6).

A job row (vinyasa.models.jobs) of a public kind is an Asana job; its `resource_subtype` is the kind
(`duplicate_project`, `duplicate_task`, `save_as_template`, `instantiate_project`), and the object
it made (`result_type`/`result_gid`) is its `new_project` / `new_task` / `new_project_template`,
set as soon as that object exists (the first step creates it). The others are null.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinyasa import richtext
from vinyasa.models import Job, ProjectTemplate
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, Ref, Viewer, constant
from vinyasa.protocol.values import Boolean


def _requested_dates(row: Mapping[str, Any], _viewer: Viewer) -> list[dict[str, str]]:
    out = []
    if row["anchor_on"]:
        out.append({"gid": "1", "name": "Start date", "description": "Choose a start date for your project."})
    if row["due_on"]:
        out.append({"gid": "2", "name": "Due date", "description": "Choose a due date for your project."})
    return out


def _requested_roles(row: Mapping[str, Any], _viewer: Viewer) -> list[dict[str, str]]:
    return [
        {"gid": r["gid"], "resource_type": "template_role", "name": r["name"]}
        for r in json.loads(row["roles"])
    ]


PROJECT_TEMPLATE = Resource(
    "project_template",
    ProjectTemplate.__table__,
    {
        "name": Col("name"),
        "description": Derived(
            ("html_description",), lambda row, _: richtext.to_text(row["html_description"])
        ),
        "html_description": Col("html_description"),
        "public": Col("public", bool),
        "owner": Ref("owner_gid", "user"),
        "team": Ref("team_gid", "team"),
        "requested_dates": Derived(("anchor_on", "due_on"), _requested_dates),
        "color": Col("color"),
        "requested_roles": Derived(("roles",), _requested_roles),
    },
    compact=("name",),
)


def _made(resource_type: str) -> str:
    return f"CASE WHEN {{table}}.result_type = '{resource_type}' THEN {{table}}.result_gid END"


JOB = Resource(
    "job",
    Job.__table__,
    {
        "resource_subtype": Col("kind"),
        "status": Col("status"),
        "new_project": Ref("new_project_gid", "project", sql=_made("project")),
        "new_task": Ref("new_task_gid", "task", sql=_made("task")),
        "new_portfolio": Ref("new_portfolio_gid", "portfolio", sql=_made("portfolio")),
        "new_project_template": Ref(
            "new_project_template_gid", "project_template", sql=_made("project_template")
        ),
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


# ---- bodies -----------------------------------------------------------------------------------

IncludeList = str | list[str] | None


class ScheduleDates(BaseModel):
    """ProjectDuplicateRequest.schedule_dates."""

    model_config = ConfigDict(extra="ignore")
    should_skip_weekends: Boolean | None = None
    due_on: str | None = None
    start_on: str | None = None


class ProjectDuplicateFields(BaseModel):
    """ProjectDuplicateRequest; `team` (in older specs) is accepted and ignored."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    team: str | None = None
    include: IncludeList = None
    schedule_dates: ScheduleDates | None = None


class PortfolioDuplicateFields(BaseModel):
    """PortfolioDuplicateRequest."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    include: IncludeList = None


class TaskDuplicateFields(BaseModel):
    """TaskDuplicateRequest."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    include: IncludeList = None


class SaveAsTemplateFields(BaseModel):
    """ProjectSaveAsTemplateRequest."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    team: str | None = None
    workspace: str | None = None
    public: Boolean | None = None


class DateVariable(BaseModel):
    """DateVariableRequest."""

    model_config = ConfigDict(extra="ignore")
    gid: str | None = None
    value: str | None = None


class RequestedRole(BaseModel):
    """RequestedRoleRequest."""

    model_config = ConfigDict(extra="ignore")
    gid: str | None = None
    value: str | None = None


class InstantiateFields(BaseModel):
    """ProjectTemplateInstantiateProjectRequest."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, max_length=1024)
    team: str | None = None
    public: Boolean | None = None
    privacy_setting: Literal["public_to_workspace", "private_to_team", "private"] | None = None
    is_strict: Boolean | None = None
    requested_dates: list[DateVariable] | None = Field(default=None, max_length=10)
    requested_roles: list[RequestedRole] | None = Field(default=None, max_length=100)
