"""Custom field endpoints: definitions, enum options, and settings on projects and teams."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from vinyasa import access
from vinyasa.custom_fields import custom_ids, service, settings
from vinyasa.custom_fields.schemas import (
    CUSTOM_FIELD,
    CUSTOM_FIELD_SETTING,
    ENUM_OPTION,
    AddSettingBody,
    CustomFieldFields,
    EnumOptionFields,
    EnumOptionInsertBody,
    RemoveSettingBody,
)
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.pagination import listing
from vinyasa.tasks.schemas import TASK

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Custom fields"])
tasks_router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Tasks"])
settings_router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Custom field settings"])


@router.post("/custom_fields", operation_id="createCustomField", status_code=201)
async def create_custom_field(ctx: CtxDep) -> Response:
    """Create a field in a workspace (`workspace` and `resource_subtype` required; unique name)."""
    return ctx.one(CUSTOM_FIELD, service.create_field(ctx, ctx.input(CustomFieldFields)), status=201)


@router.get("/custom_fields/{custom_field_gid}", operation_id="getCustomField")
async def get_custom_field(ctx: CtxDep, custom_field_gid: str) -> Response:
    """The full definition of a field."""
    return ctx.one_seen(
        CUSTOM_FIELD, custom_field_gid, lambda: service.custom_field(ctx, custom_field_gid).gid
    )


@router.put("/custom_fields/{custom_field_gid}", operation_id="updateCustomField")
async def update_custom_field(ctx: CtxDep, custom_field_gid: str) -> Response:
    """Change a field; its type and its enum options cannot be changed here (400).

    A rename changes a key column (the workspace's unique field names), so its row is locked as for
    a delete (FOR UPDATE on PostgreSQL) from the start: held FOR NO KEY UPDATE, the update then
    waited for a new setting's foreign-key check (FOR KEY SHARE) whose transaction numbered its
    tasks under the field's lock, a deadlock."""
    lock: access.Lock = (
        "delete" if isinstance(ctx.payload.data, dict) and "name" in ctx.payload.data else True
    )
    field = service.custom_field(ctx, custom_field_gid, lock=lock)
    service.update_field(ctx, field, ctx.input(CustomFieldFields))
    return ctx.one(CUSTOM_FIELD, field.gid)


@router.delete("/custom_fields/{custom_field_gid}", operation_id="deleteCustomField")
async def delete_custom_field(ctx: CtxDep, custom_field_gid: str) -> Response:
    """Delete a field, its enum options and its settings on every container."""
    field = service.custom_field(ctx, custom_field_gid, lock="delete")
    settings.drop_field(ctx, field.gid, field.workspace_gid)
    service.delete_field(ctx, field)
    return ctx.empty()


@router.get("/workspaces/{workspace_gid}/custom_fields", operation_id="getCustomFieldsForWorkspace")
async def get_custom_fields_for_workspace(ctx: CtxDep, workspace_gid: str) -> Response:
    """The workspace's fields, oldest first (paginated)."""
    gid = access.workspace(ctx, workspace_gid)
    keys = ("created_at", "gid")
    return ctx.page(CUSTOM_FIELD, listing("custom_fields", [("workspace_gid = ?", [gid])], keys))


@router.post(
    "/custom_fields/{custom_field_gid}/enum_options",
    operation_id="createEnumOptionForCustomField",
    status_code=201,
)
async def create_enum_option_for_custom_field(ctx: CtxDep, custom_field_gid: str) -> Response:
    """Add an option to an enum or multi_enum field: last, or before/after another option."""
    field = service.custom_field(ctx, custom_field_gid, lock=True)
    gid = service.create_option(ctx, field, ctx.input(EnumOptionFields))
    return ctx.one(ENUM_OPTION, gid, status=201)


@router.post(
    "/custom_fields/{custom_field_gid}/enum_options/insert", operation_id="insertEnumOptionForCustomField"
)
async def insert_enum_option_for_custom_field(ctx: CtxDep, custom_field_gid: str) -> Response:
    """Move an option just before or after another option of the same field."""
    field = service.custom_field(ctx, custom_field_gid, lock=True)
    gid = service.insert_option(ctx, field, ctx.input(EnumOptionInsertBody))
    return ctx.one(ENUM_OPTION, gid)


@router.put("/enum_options/{enum_option_gid}", operation_id="updateEnumOption")
async def update_enum_option(ctx: CtxDep, enum_option_gid: str) -> Response:
    """Rename, recolour, disable (`enabled: false`) or re-enable an option."""
    option = service.enum_option(ctx, enum_option_gid)
    service.update_option(ctx, option, ctx.input(EnumOptionFields))
    return ctx.one(ENUM_OPTION, option.gid)


# ---- settings on projects -----------------------------------------------------------------------


def _project_parent(ctx: CtxDep, project_gid: str) -> settings.Parent:
    project = access.project(ctx, project_gid, lock="update")
    access.require_project_level(project, "editor", "change its custom fields")
    return settings.Parent(settings.PROJECT, project.gid, project.workspace_gid)


@settings_router.get(
    "/projects/{project_gid}/custom_field_settings", operation_id="getCustomFieldSettingsForProject"
)
async def get_custom_field_settings_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """The project's settings in the project's order (paginated)."""
    project = access.project(ctx, project_gid)
    return ctx.page(CUSTOM_FIELD_SETTING, settings.listing(settings.PROJECT, project.gid))


@settings_router.get("/teams/{team_gid}/custom_field_settings", operation_id="getCustomFieldSettingsForTeam")
async def get_custom_field_settings_for_team(ctx: CtxDep, team_gid: str) -> Response:
    """The fields of the team's projects the caller can see, one setting each (docs/deviations.md)."""
    gid, _ = access.team(ctx, team_gid)
    return ctx.page(CUSTOM_FIELD_SETTING, settings.team_listing(ctx, gid))


@settings_router.post(
    "/projects/{project_gid}/addCustomFieldSetting", operation_id="addCustomFieldSettingForProject"
)
async def add_custom_field_setting_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Put a field on the project (by gid, or defined inline); answers the new setting."""
    parent = _project_parent(ctx, project_gid)
    return ctx.one(CUSTOM_FIELD_SETTING, settings.add_setting(ctx, parent, ctx.input(AddSettingBody)))


@settings_router.post(
    "/projects/{project_gid}/removeCustomFieldSetting", operation_id="removeCustomFieldSettingForProject"
)
async def remove_custom_field_setting_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Take a field (by the field's gid) off the project."""
    parent = _project_parent(ctx, project_gid)
    settings.remove_setting(ctx, parent, ctx.input(RemoveSettingBody).custom_field)
    return ctx.empty()


@settings_router.get("/goals/{goal_gid}/custom_field_settings", operation_id="getCustomFieldSettingsForGoal")
async def get_custom_field_settings_for_goal(ctx: CtxDep, goal_gid: str) -> Response:
    """Goals are out of scope (docs/deviations.md): every goal gid answers as an unknown one, 404."""
    raise access.unknown(None, goal_gid, "goal")


@tasks_router.get(
    "/workspaces/{workspace_gid}/tasks/custom_id/{custom_id}", operation_id="getTaskForCustomID"
)
async def get_task_for_custom_id(ctx: CtxDep, workspace_gid: str, custom_id: str) -> Response:
    """The full record of the task a custom ID field numbered `custom_id` ("ENG-42", the prefix in
    any case) in the workspace; 404 for an unknown workspace, ID or a task the caller cannot see
    (vinyasa.custom_fields.custom_ids)."""
    workspace = access.workspace(ctx, workspace_gid)
    return ctx.one(TASK, custom_ids.task_for(ctx, workspace, custom_id))
