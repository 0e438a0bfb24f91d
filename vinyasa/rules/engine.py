"""Running rules: on journal changes (durably, on the runner) and on an incoming web request.

Design (the simplest durable one): rule runs are enqueued at journal flush time, in the very
transaction of the change (vinyasa.core.journal.on_flush), so a run exists iff its trigger committed.
The flush hook looks at the changes just written — a task `added` to a project (task_added_to_project)
or to a section (task_moved_to_section), a `changed` `completed` (task_completed / task_incomplete,
by the value the task now has) or `custom_fields` (custom_field_changed, and a wanted value the task
now has) — finds the enabled rules of those projects, and writes ONE runner job (kind `rule_runs`)
listing every (rule, task, trigger) firing. No cursor, no polling: nothing to lose or replay.

The job runs firings in steps of at most `BATCH`, each step one transaction (runner.Run.transaction)
and each firing its own savepoint: the firing's actions, its run record and its journal entries
commit together with the step's progress, so after a crash (kill -9) a firing runs exactly once. A
firing whose actions fail (an AsanaError: the rule's user lost access, a section is gone...) rolls
back to its savepoint and is recorded as a `failed` run with the error.

A run acts as the rule's user, through the API's services, with a Caller whose `cause` is the chain
of rules that led to it; its journal entries carry the last as `cause_gid`. The flush hook never
fires a rule that is already in the chain (a rule's own changes never re-trigger it; neither do
cycles A -> B -> A), and fires nothing past `MAX_CHAIN` rules deep: chains are bounded.

`due_date_approaching`: one `rule_due_scan` job per rule (started when the rule gets that trigger)
fires the rule once per task and due date when the task's `due_on` is at most `days` days after
today (UTC, the server clock: vinyasa.protocol.values.now_ms), then sleeps `SCAN_EVERY` seconds; a
scan that succeeds resets the job's claim count, so only failing scans in a row can fail it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection

from vinyasa import access
from vinyasa.core import Caller, journal, runner
from vinyasa.core.journal import Change
from vinyasa.db import savepoint
from vinyasa.errors import AsanaError, InvalidRequest
from vinyasa.protocol.values import now_ms
from vinyasa.rules import actions, queries
from vinyasa.rules.service import SCAN

RUNS = "rule_runs"
MAX_CHAIN = 5  # rules deep: a run made by a chain this long triggers nothing
BATCH = 25  # firings per step (one transaction)
SCAN_EVERY = 60.0  # seconds between two due-date scans of a rule
_EVENT_TYPES = (
    "task_added_to_project",
    "task_moved_to_section",
    "task_completed",
    "task_incomplete",
    "custom_field_changed",
)

Firing = tuple[int, int, str]  # (rule gid, task gid, trigger type)


# ---- from changes to firings (the flush hook) -----------------------------------------------------


def _events(changes: list[Change]) -> tuple[list[tuple[str, int, int | None]], set[int]]:
    """(kind, task, detail) per change that may trigger a rule, and the gids they touch."""
    events: list[tuple[str, int, int | None]] = []
    topics: set[int] = set()
    for c in changes:
        if c.resource[0] != "task":
            continue
        task = c.resource[1]
        if c.action == "added" and c.parent is not None and c.parent[0] in ("project", "section"):
            events.append((c.parent[0], task, c.parent[1]))
        elif c.action == "changed" and c.field == "completed":
            events.append(("completed", task, None))
        elif c.action == "changed" and c.field == "custom_fields" and c.value is not None:
            events.append(("custom_field", task, c.value[1]))
        else:
            continue
        topics |= c.topics
    return events, topics


def _may_fire(caller: Caller, changes: list[Change]) -> journal.ProbeSql:
    """The flush probe of `_on_flush`: when these changes could trigger a rule, whether any enabled
    event rule exists at all (most databases have none: then no further statement runs)."""
    if len(caller.cause) >= MAX_CHAIN or not _events(changes)[0]:
        return None
    return queries.ANY_ENABLED, [True]


def firings_for(caller: Caller, changes: list[Change]) -> list[Firing]:
    """The rule runs these just-written changes trigger (see the module docstring); the flush calls
    it only when an enabled event rule exists (`_may_fire`)."""
    if len(caller.cause) >= MAX_CHAIN:
        return []
    events, topics = _events(changes)
    if not events:
        return []
    rules = [
        r for r in queries.event_rules(caller.conn, topics, _EVENT_TYPES) if int(r[0]) not in caller.cause
    ]
    if not rules:
        return []
    conn = caller.conn
    tasks = {task for _, task, _ in events}
    inside = queries.placements(conn, tasks, {int(r[1]) for r in rules})
    done = queries.completion(conn, tasks) if any(e[0] == "completed" for e in events) else {}
    out: dict[Firing, None] = {}
    for gid, project, kind, trigger_json in rules:
        trigger = json.loads(trigger_json)
        for event, task, detail in events:
            if (task, project) not in inside:
                continue
            hit = (
                (kind == "task_added_to_project" and event == "project" and detail == project)
                or (
                    kind == "task_moved_to_section"
                    and event == "section"
                    and str(detail) == trigger["section"]
                )
                or (kind == "task_completed" and event == "completed" and done.get(task) is True)
                or (kind == "task_incomplete" and event == "completed" and done.get(task) is False)
                or (
                    kind == "custom_field_changed"
                    and event == "custom_field"
                    and str(detail) == trigger["custom_field"]
                    and (
                        "value" not in trigger
                        or actions.field_has(caller, task, int(trigger["custom_field"]), trigger["value"])
                    )
                )
            )
            if hit:
                out[(int(gid), task, kind)] = None
    return list(out)


def _on_flush(caller: Caller, changes: list[Change]) -> None:
    """Enqueue one `rule_runs` job for what these changes trigger, in their transaction."""
    found = firings_for(caller, changes)
    if found:
        runner.enqueue_system(
            caller.conn,
            RUNS,
            {"firings": [list(f) for f in found], "cause": list(caller.cause)},
            caller.base_url,
        )


journal.on_flush(_on_flush, probe=_may_fire)


# ---- one firing ------------------------------------------------------------------------------------


def fire(
    conn: Connection,
    base_url: str,
    rule: dict[str, Any],
    task_gid: int,
    trigger: str,
    chain: tuple[int, ...],
    *,
    data: dict[str, Any] | None = None,
    key: str | None = None,
) -> journal.Prepared | None:
    """Run `rule` on a task in a savepoint of `conn` and record the run; the changes it made, their
    hooks run (`journal.prepare`), for the transaction's `journal.write` (the journal's lock comes
    last: a run must not hold it while the next run locks its task), or None when it made none.
    Failing actions roll back to the savepoint and the run is recorded `failed`; with `data` (an
    incoming web request) the error is raised instead (the request fails, nothing stays)."""
    done: list[str] = []
    status, error = "succeeded", None
    prepared: journal.Prepared | None = None
    try:
        with savepoint(conn):
            caller = Caller(
                conn=conn, user_gid=rule["creator_gid"], base_url=base_url, cause=(*chain, rule["gid"])
            )
            task = access.task(caller, str(task_gid))
            actions.lock_places(conn, [rule["actions"]])  # the projects first, then the task
            queries.lock_task(conn, task.gid)
            unmet = actions.conditions_hold(caller, task.gid, rule["conditions"])
            if unmet is not None:
                status, error = "skipped", f"Condition not met: {unmet}"
            else:
                for action in rule["actions"]:
                    actions.do(caller, task, action, data)
                    done.append(action["type"])
            prepared = journal.prepare(caller)  # its hooks see what this run left
    except AsanaError as exc:
        if data is not None:
            raise  # the request answers with the error; its transaction (and no run) commits
        status, error, done, prepared = "failed", exc.message, [], None  # its changes rolled back
    queries.record_run(conn, rule["gid"], trigger, task_gid, status, done, error, key)
    return prepared if prepared is not None and prepared.changes else None


def run_trigger(ctx: Caller, trigger_gid: str, resource: str, data: dict[str, Any]) -> None:
    """`POST /rule_triggers/{gid}/run`: run an incoming-web-request rule on `resource` (a task of the
    rule's project) now, in the request's transaction. 404: unknown trigger (or a project the caller
    cannot see); 400: a disabled rule, a task outside the project, a failing action."""
    found = access.rule(ctx, trigger_gid, by_trigger=True)
    rule = queries.rule_row(ctx.conn, found.gid)
    if rule is None or rule["trigger_type"] != "incoming_web_request":
        raise access.unknown(None, trigger_gid, "rule_trigger")
    if not rule["enabled"]:
        raise InvalidRequest("This rule is disabled; enable it to run it")
    task = access.task(ctx, resource, "resource")
    if not queries.placements(ctx.conn, [task.gid], {rule["project_gid"]}):
        raise InvalidRequest("resource: The task is not in the rule's project")
    fired = fire(ctx.conn, ctx.base_url, rule, task.gid, "incoming_web_request", ctx.cause, data=data)
    if fired is not None:  # the request's last step: its changes and the run's, together
        journal.write(ctx.conn, journal.prepare(ctx), fired)


# ---- the runner kinds ------------------------------------------------------------------------------


def _runs_step(run: runner.Run) -> runner.Step:
    firings: list[list[Any]] = run.params["firings"]
    chain = tuple(int(g) for g in run.params.get("cause", []))
    start = int(run.progress.get("next", 0))
    with run.transaction() as conn:
        batch = firings[start : start + BATCH]
        rules = {gid: queries.rule_row(conn, int(gid)) for gid in dict.fromkeys(g for g, _, _ in batch)}
        # Every run's projects before any run's task: a run holds its task to the step's end.
        actions.lock_places(conn, [r["actions"] for r in rules.values() if r is not None and r["enabled"]])
        fired: list[journal.Prepared | None] = []
        for rule_gid, task_gid, trigger in batch:
            rule = rules[rule_gid]
            if rule is not None and rule["enabled"]:  # deleted or disabled since: nothing to run
                fired.append(fire(conn, run.base_url, rule, int(task_gid), str(trigger), chain))
        journal.write(conn, *(p for p in fired if p is not None))
        run.progress["next"] = start + BATCH
    return runner.MORE if start + BATCH < len(firings) else runner.DONE


def _through(days: int) -> str:
    today = dt.datetime.fromtimestamp(now_ms() / 1000, dt.UTC).date()
    return (today + dt.timedelta(days=days)).isoformat()


def _scan_step(run: runner.Run) -> runner.Step:
    with run.transaction() as conn:
        rule = queries.rule_row(conn, int(run.params["rule"]))
        if rule is None or rule["trigger_type"] != "due_date_approaching" or rule["scan_job_gid"] != run.gid:
            return runner.DONE  # deleted, changed, or watched by a newer job
        if not rule["enabled"]:
            return runner.later(SCAN_EVERY)
        due = queries.due_tasks(
            conn, rule["gid"], rule["project_gid"], _through(int(rule["trigger"]["days"])), BATCH
        )
        actions.lock_places(conn, [rule["actions"]])  # before any run's task (see `_runs_step`)
        fired = [
            fire(conn, run.base_url, rule, task_gid, "due_date_approaching", (), key=f"due:{due_on}")
            for task_gid, due_on in due
        ]
        queries.reset_attempts(conn, run.gid)
        journal.write(conn, *(p for p in fired if p is not None))
    return runner.MORE if len(due) == BATCH else runner.later(SCAN_EVERY)


runner.register(runner.Kind(RUNS, _runs_step))
runner.register(runner.Kind(SCAN, _scan_step))
