"""Rule endpoints: Asana's `POST /rule_triggers/{gid}/run`, and vinyasa's own rule definitions and run
history under its reserved prefix `/_vinyasa/` (always on; a normal user token; editing a rule is
editing its project: editor access, 404 for a project the caller cannot see)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from vinyasa import access
from vinyasa.models import Rule, RuleRun
from vinyasa.protocol.context import API_PREFIX, AsanaRoute, CtxDep
from vinyasa.protocol.resources import project
from vinyasa.rules import engine, service
from vinyasa.rules.openapi import TAG
from vinyasa.rules.schemas import RULE, RULE_RUN, RuleFields, TriggerRunBody

PREFIX = "/_vinyasa"
_LIST_CAP = 1000  # runs listed at most (newest first; `limit` for fewer)

router = APIRouter(prefix=API_PREFIX, route_class=AsanaRoute, tags=["Rules"])
own = APIRouter(prefix=PREFIX, route_class=AsanaRoute, tags=[TAG])  # described in vinyasa.rules.openapi
KINDS = (engine.RUNS, service.SCAN)  # importing vinyasa.rules.engine registers them and the flush hook


@router.post("/rule_triggers/{rule_trigger_gid}/run", operation_id="triggerRule")
async def trigger_rule(ctx: CtxDep, rule_trigger_gid: str) -> Response:
    """Run an incoming-web-request rule on `resource` (a task of the rule's project) with
    `action_data` (an object; `{{action_data.<key>}}` in the rule's actions), after which it answers
    Asana's message. 404: unknown trigger; 400: missing input, a disabled rule, another project's task."""
    body = ctx.input(TriggerRunBody)
    engine.run_trigger(ctx, rule_trigger_gid, body.resource, body.action_data)
    return ctx.data({"message": "Successfully saved the payload and ran the rule"})


@own.get("/projects/{project_gid}/rules", operation_id="getRulesForProject_vinyasa")
async def get_rules_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """The project's rules, oldest first (full records; `limit`/`offset` pages as Asana's lists do);
    needs editor access."""
    found = access.project(ctx, project_gid)
    access.require_project_level(found, "editor", "see its rules")
    stmt = select(Rule.created_at, Rule.gid).where(Rule.project_gid == found.gid)
    return ctx.page(RULE, stmt, full=True)


@own.post("/projects/{project_gid}/rules", operation_id="createRuleForProject_vinyasa", status_code=201)
async def create_rule_for_project(ctx: CtxDep, project_gid: str) -> Response:
    """Define a rule (`name`, `trigger`, `actions`; optional `conditions`, `enabled`: see
    vinyasa.rules.schemas); 201 with the rule."""
    gid = service.create_rule(ctx, project_gid, ctx.input(RuleFields))
    return ctx.respond({"data": project(ctx.conn, ctx, RULE, [gid], ctx.fields, full=True)[0]}, 201)


@own.get("/rules/{rule_gid}", operation_id="getRule_vinyasa")
async def get_rule(ctx: CtxDep, rule_gid: str) -> Response:
    """A rule's full record."""
    return ctx.one(RULE, access.rule(ctx, rule_gid).gid)


@own.put("/rules/{rule_gid}", operation_id="updateRule_vinyasa")
async def update_rule(ctx: CtxDep, rule_gid: str) -> Response:
    """Change a rule (any of the create fields); the caller becomes the user it runs as."""
    found = access.rule(ctx, rule_gid, lock=True)
    service.update_rule(ctx, found, ctx.input(RuleFields))
    return ctx.one(RULE, found.gid)


@own.delete("/rules/{rule_gid}", operation_id="deleteRule_vinyasa")
async def delete_rule(ctx: CtxDep, rule_gid: str) -> Response:
    """Delete a rule and its history."""
    service.delete_rule(ctx, access.rule(ctx, rule_gid, lock=True))
    return ctx.empty()


@own.get("/rules/{rule_gid}/runs", operation_id="getRunsForRule_vinyasa")
async def get_runs_for_rule(ctx: CtxDep, rule_gid: str) -> Response:
    """The rule's runs, newest first (full records; `limit`/`offset` page them; without `limit`, the
    newest 1000): time, trigger, task, the actions done, status (`succeeded`, `skipped`, `failed`)
    and error."""
    found = access.rule(ctx, rule_gid)
    stmt = select(RuleRun.created_at, RuleRun.gid).where(RuleRun.rule_gid == found.gid)
    return ctx.page(RULE_RUN, stmt, descending=True, cap=_LIST_CAP, truncate=True, full=True)
