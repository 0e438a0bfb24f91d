"""Issue 12, section 3: a request's cost is bounded by its size, and bad values are refused at input.

Cost probes run under a generous time and memory budget (tracemalloc); every example from the
issue is a regression test on both databases.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event, inspect, text

from tests.helpers import fails, ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from vinyasa.core import journal
from vinyasa.errors import InvalidRequest
from vinyasa.protocol.fields import MAX_PATHS, parse_fields

pytestmark = pytest.mark.anyio

BUDGET_SECONDS = 1.0
BUDGET_BYTES = 50 * 1024 * 1024


async def _within_budget(call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = await call()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < BUDGET_SECONDS, elapsed
    assert peak < BUDGET_BYTES, peak
    return response


# ---- opt_fields ---------------------------------------------------------------------------------

HOSTILE_FIELDS = {
    "20 groups in 100 bytes (2**20 paths)": "(a|b)" * 20,
    "500 nested groups": "(" * 500 + "a" + ")" * 500,
    "a group of 5,000 alternatives": "(" + "|".join(f"f{i}" for i in range(5000)) + ")",
    "long alternatives multiplied": ("(" + "a" * 2000 + "|b)") * 8,
    "unclosed groups": "(a|" * 2000,
    "stray closers": "a)" * 2000,
}


@pytest.mark.parametrize("value", HOSTILE_FIELDS.values(), ids=HOSTILE_FIELDS.keys())
async def test_hostile_opt_fields_are_400_within_budget(client, value):
    response = await _within_budget(lambda: client.get("/users/me", params={"opt_fields": value}))
    fails(response, 400, "opt_fields")


async def test_five_hundred_single_groups_are_one_unknown_field(client, world):
    # Was a RecursionError (500): `(a)(a)...` is the one path `aaa...`, an unknown field, ignored.
    response = await _within_budget(lambda: client.get("/users/me", params={"opt_fields": "(a)" * 500}))
    assert ok(response) == {"gid": world.user}


async def test_hostile_opt_fields_in_a_body_are_400_within_budget(client, world):
    project = await make_project(client, world)
    body = {"data": {"name": "x"}, "options": {"fields": ["(a|b)" * 20]}}
    response = await _within_budget(lambda: client.put(f"/projects/{project['gid']}", json=body))
    fails(response, 400, "opt_fields")
    assert ok(await client.get(f"/projects/{project['gid']}?opt_fields=name"))["name"] == "Roadmap"


def test_expansion_is_counted_before_it_is_built():
    # Exactly at the limit is fine; one past it is refused without building a million paths.
    assert len(parse_fields("(a|b)" * 9 + ",x" * (MAX_PATHS - 512)) or {}) > 0
    with pytest.raises(InvalidRequest, match="at most"):
        parse_fields("(a|b)" * 9 + ",x" * (MAX_PATHS - 511))
    with pytest.raises(InvalidRequest, match="at most"):
        parse_fields("(a|b)" * 10)


@pytest.mark.parametrize(
    ("raw", "tree"),
    [
        ("this.(name|email)", {"name": {}, "email": {}}),
        ("a.(b|c.(d|e)),x", {"a": {"b": {}, "c": {"d": {}, "e": {}}}, "x": {}}),
        ("(a|b).(c|d)", {"a": {"c": {}, "d": {}}, "b": {"c": {}, "d": {}}}),
        ("followers.(name|email),this.name", {"followers": {"name": {}, "email": {}}, "name": {}}),
        (["this.name", "a.(b|c)"], {"name": {}, "a": {"b": {}, "c": {}}}),
    ],
)
def test_group_grammar_is_unchanged(raw, tree):
    assert parse_fields(raw) == tree


async def test_groups_still_project(client, world):
    data = ok(await client.get("/users/me?opt_fields=this.(name|email),workspaces.(name|is_organization)"))
    assert data == {
        "gid": world.user,
        "name": "owner",
        "email": "owner@example.com",
        "workspaces": [{"gid": world.workspace, "name": "Acme", "is_organization": True}],
    }


# ---- options of odd types -----------------------------------------------------------------------


@pytest.mark.parametrize("fields", [True, 5, {"a": 1}, [1, 2], ["name", None]])
async def test_options_fields_of_odd_types_are_400_on_writes(client, world, fields):
    project = await make_project(client, world)
    before = world.count("SELECT count(*) FROM teams")
    body: dict[str, Any] = {"data": {}, "options": {"fields": fields}}
    fails(await client.put(f"/projects/{project['gid']}", json=body), 400, "options.fields")
    fails(
        await client.post("/teams", json={**body, "data": {"name": "T", "organization": world.workspace}}),
        400,
    )
    fails(await client.post(f"/projects/{project['gid']}/sections", json=body), 400, "options.fields")
    assert world.count("SELECT count(*) FROM teams") == before


async def test_options_fields_as_a_list_of_strings_still_works(client, world):
    project = await make_project(client, world)
    body = {"data": {"notes": "n"}, "options": {"fields": ["name", "notes"]}}
    data = ok(await client.put(f"/projects/{project['gid']}", json=body))
    assert data == {"gid": project["gid"], "name": "Roadmap", "notes": "n"}


@pytest.mark.parametrize("pretty", [5, [], {}, "yes", "1", None])
async def test_options_pretty_of_odd_types_are_400(client, world, pretty):
    project = await make_project(client, world)
    body = {"data": {"notes": "changed"}, "options": {"pretty": pretty}}
    fails(await client.put(f"/projects/{project['gid']}", json=body), 400, "pretty")
    assert ok(await client.get(f"/projects/{project['gid']}?opt_fields=notes"))["notes"] == ""


@pytest.mark.parametrize("pretty", [True, "true", "True"])
async def test_options_pretty_true_forms(client, world, pretty):
    project = await make_project(client, world)
    r = await client.put(f"/projects/{project['gid']}", json={"data": {}, "options": {"pretty": pretty}})
    assert r.status_code == 200 and r.text.startswith("{\n  ")


async def test_bare_opt_pretty_in_query_and_form(client, world):
    assert (await client.get("/users/me?opt_pretty")).text.startswith("{\n  ")
    assert (await client.get("/users/me?opt_pretty=False")).text.startswith('{"data"')
    project = await make_project(client, world)
    r = await client.put(f"/projects/{project['gid']}", data={"notes": "x", "opt_pretty": ""})
    assert r.status_code == 200 and r.text.startswith("{\n  ")


@pytest.mark.parametrize("value", ["1", "yes", "on", "maybe"])
async def test_opt_pretty_odd_query_values_are_400(client, value):
    fails(await client.get(f"/users/me?opt_pretty={value}"), 400, "pretty")


# ---- dates and times that could be stored but not rendered ---------------------------------------

UNRENDERABLE = ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]


@pytest.mark.parametrize("value", UNRENDERABLE)
async def test_out_of_range_due_at_is_400_and_the_task_stays_readable(client, world, value):
    task = await make_task(client, world)
    fails(await client.put(f"/tasks/{task}?opt_fields=name", json={"data": {"due_at": value}}), 400, "due_at")
    fails(await client.put(f"/tasks/{task}", json={"data": {"due_at": value}}), 400, "due_at")
    fails(await client.put(f"/tasks/{task}", json={"data": {"start_at": value}}), 400, "start_at")
    body = {"data": {"name": "x", "workspace": world.workspace, "due_at": value}}
    fails(await client.post("/tasks", json=body), 400, "due_at")
    assert ok(await client.get(f"/tasks/{task}"))["due_at"] is None


@pytest.mark.parametrize("value", UNRENDERABLE)
async def test_out_of_range_project_due_at_is_400(client, world, value):
    project = await make_project(client, world)
    fails(await client.put(f"/projects/{project['gid']}", json={"data": {"due_at": value}}), 400, "due_at")
    assert ok(await client.get(f"/projects/{project['gid']}"))["due_on"] is None


async def test_an_unrenderable_instant_stored_before_validation_still_reads(client, world):
    task = await make_task(client, world)
    with world.env.engine.begin() as conn:  # what the old PUT stored for 9999-12-31T23:59:59-01:00
        conn.execute(
            text("UPDATE tasks SET due_at = :ms WHERE gid = :gid"), {"ms": 253402304399000, "gid": int(task)}
        )
    assert ok(await client.get(f"/tasks/{task}"))["due_at"] == "9999-12-31T23:59:59.999Z"


async def test_the_extreme_instants_that_can_be_rendered_are_kept(client, world):
    task = await make_task(client, world)
    for value, shown in [
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00-01:00", "0001-01-01T01:00:00.000Z"),
    ]:
        data = ok(await client.put(f"/tasks/{task}?opt_fields=due_at", json={"data": {"due_at": value}}))
        assert data["due_at"] == shown
        assert ok(await client.get(f"/tasks/{task}?opt_fields=due_at"))["due_at"] == shown


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01",
        "2024-W01-1T10:00:00Z",
        "2024-001T10:00:00Z",
        "20240101T100000Z",
        "2024-01-01 10:00:00Z",
        "٢٠٢٤-01-01T10:00:00Z",
        "2024-02-30T10:00:00Z",
        "2024-01-01T10:00:00+24:00",
        "now",
    ],
)
async def test_date_times_outside_iso_8601_as_asana_documents_are_400(client, world, value):
    task = await make_task(client, world)
    fails(await client.put(f"/tasks/{task}", json={"data": {"due_at": value}}), 400, "due_at")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00.000Z"),
        ("2024-01-01T10:00Z", "2024-01-01T10:00:00.000Z"),
        ("2024-01-01T12:00:00.5+02:00", "2024-01-01T10:00:00.500Z"),
        ("2024-01-01T12:00:00+0200", "2024-01-01T10:00:00.000Z"),
        ("2024-01-01T10:00:00", "2024-01-01T10:00:00.000Z"),
    ],
)
async def test_iso_8601_date_times_are_accepted(client, world, value, shown):
    task = await make_task(client, world)
    data = ok(await client.put(f"/tasks/{task}?opt_fields=due_at", json={"data": {"due_at": value}}))
    assert data["due_at"] == shown


@pytest.mark.parametrize(
    "value", ["2024-W01-1", "2024-001", "20240101", "2024-1-1", "٢٠٢٤-01-01", "0000-01-01"]
)
async def test_dates_other_than_yyyy_mm_dd_are_400(client, world, value):
    task = await make_task(client, world)
    project = await make_project(client, world)
    fails(await client.put(f"/tasks/{task}", json={"data": {"due_on": value}}), 400, "due_on")
    fails(await client.put(f"/tasks/{task}", json={"data": {"start_on": value}}), 400, "start_on")
    fails(await client.put(f"/projects/{project['gid']}", json={"data": {"due_on": value}}), 400, "due_on")
    fails(
        await client.put(f"/projects/{project['gid']}", json={"data": {"start_on": value}}), 400, "start_on"
    )
    assert ok(await client.get(f"/tasks/{task}?opt_fields=due_on"))["due_on"] is None


async def test_query_date_times_follow_the_same_rule(client, world):
    project = await make_project(client, world)
    for value in ["2024-W01-1T10:00:00Z", "9999-12-31T23:59:59-01:00", "2024-01-01"]:
        fails(
            await client.get("/tasks", params={"project": project["gid"], "modified_since": value}),
            400,
            "modified_since",
        )
    path = "/tasks"
    params = {"project": project["gid"], "completed_since": "2024-01-01T00:00:00Z"}
    assert ok(await client.get(path, params=params)) == []


# ---- booleans and integers -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "no", "1", "0", 1, 0, "on", "t", "TRUE", ""])
async def test_booleans_other_than_true_and_false_are_400(client, world, value):
    task = await make_task(client, world)
    project = await make_project(client, world)
    fails(await client.put(f"/tasks/{task}", json={"data": {"completed": value}}), 400, "completed")
    fails(
        await client.put(f"/projects/{project['gid']}", json={"data": {"archived": value}}), 400, "archived"
    )
    fails(await client.put(f"/teams/{world.team}", json={"data": {"endorsed": value}}), 400, "endorsed")
    assert ok(await client.get(f"/tasks/{task}?opt_fields=completed"))["completed"] is False


@pytest.mark.parametrize(
    ("value", "completed"), [(True, True), ("true", True), ("True", True), ("False", False)]
)
async def test_boolean_forms_asana_and_the_sdks_send(client, world, value, completed):
    task = await make_task(client, world)
    data = ok(await client.put(f"/tasks/{task}?opt_fields=completed", json={"data": {"completed": value}}))
    assert data["completed"] is completed
    form = ok(await client.put(f"/tasks/{task}?opt_fields=completed", data={"completed": str(value)}))
    assert form["completed"] is completed


async def test_query_booleans(client, world):
    await make_project(client, world)
    assert len(ok(await client.get(f"/workspaces/{world.workspace}/projects?archived=False"))) == 1
    assert ok(await client.get(f"/workspaces/{world.workspace}/projects?archived=true")) == []
    fails(await client.get(f"/workspaces/{world.workspace}/projects?archived=yes"), 400, "archived")


@pytest.mark.parametrize("value", ["٥", "1_0", "+5", " 5", "5 ", "0x5", "5.0", "-1", "", "0", "101"])
async def test_limit_must_be_ascii_digits_from_1_to_100(client, world, value):
    fails(await client.get(f"/workspaces/{world.workspace}/projects", params={"limit": value}), 400, "limit")


async def test_limit_in_digits_works(client, world):
    await make_project(client, world)
    r = await client.get(f"/workspaces/{world.workspace}/projects?limit=05")
    assert r.status_code == 200 and len(r.json()["data"]) == 1


def test_journal_pruning_reads_only_the_expired_entries(env):
    """Every thousandth flush prunes the journal: its horizon query walks the ids from the oldest
    and stops at the first entry it keeps (cost: the expired entries), with no sort of the whole
    journal and no index on created_at for every write to fill (migration a8c0ffee0020)."""
    with env.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables: show the index plan
            plan = conn.execute(text("EXPLAIN " + journal.HORIZON.replace("?", "0"))).scalars().all()
            assert "Index Scan using pk_journal" in " ".join(plan) and "Sort" not in " ".join(plan), plan
        else:
            plan = [
                r[-1] for r in conn.execute(text("EXPLAIN QUERY PLAN " + journal.HORIZON.replace("?", "0")))
            ]
            assert plan == ["SCAN journal"], plan  # in rowid (id) order: no temp b-tree for ORDER BY
        indexes = inspect(conn).get_indexes("journal")
    assert [i["name"] for i in indexes] == []


def test_pruning_keeps_what_follows_the_first_unexpired_entry(world):
    """The emulator's clock moved back: an entry written then is older than entries before it. The
    prune stops at the first entry it keeps, so it keeps that one and every later one, and a sync
    token is expired only below the horizon."""
    stamps = [1000, 2000, 9000, 3000, 4000]  # the third entry was written before the clock went back
    with world.env.engine.begin() as conn:
        first = journal.last_id(conn) + 1
        for offset, stamp in enumerate(stamps):
            conn.execute(
                text(
                    "INSERT INTO journal (id, created_at, resource_type, resource_gid, action)"
                    " VALUES (:id, :at, 'task', 1, 'changed')"
                ),
                {"id": first + offset, "at": stamp},
            )
        assert journal.prune(conn, 5000) == first + 1  # the two before the entry of 9000
        left = conn.execute(text("SELECT created_at FROM journal WHERE id >= :f ORDER BY id"), {"f": first})
        assert [r[0] for r in left] == [9000, 3000, 4000]
        assert journal.prune(conn, 5000) == first + 1  # nothing more until the 9000 one expires
        assert journal.prune(conn, 10_000) == first + 4
        assert journal.pruned_through(conn) == first + 4


async def test_a_user_leaving_a_workspace_reads_their_rows_not_the_workspaces(client, world):
    """removeUser ends the user's follows, team and portfolio memberships in that workspace only,
    found from the user's own rows (their user_gid indexes): it used to walk every task of the
    workspace (71 ms a request in the sweep's world of ~30,000 tasks). The projects they own are
    found by ix_projects_owner_gid (migration a8c0ffee001c), not by reading the workspace's."""
    other = world.other_workspace("Elsewhere", "owner@example.com")["workspace"]
    bob, _ = world.person("bob@example.com", [world.workspace, other])
    here = ok(await client.post("/tasks", json={"data": {"name": "a", "workspace": world.workspace}}), 201)
    there = ok(await client.post("/tasks", json={"data": {"name": "b", "workspace": other}}), 201)
    for task in (here, there):
        ok(await client.post(f"/tasks/{task['gid']}/addFollowers", json={"data": {"followers": [bob]}}))
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(world.env.engine, "before_cursor_execute", capture)
    try:
        body = {"data": {"user": bob}}
        assert ok(await client.post(f"/workspaces/{world.workspace}/removeUser", json=body)) == {}
    finally:
        event.remove(world.env.engine, "before_cursor_execute", capture)
    follows = "SELECT count(*) FROM task_followers WHERE user_gid = :u AND task_gid = :t"
    assert world.count(follows, u=int(bob), t=int(here["gid"])) == 0
    assert world.count(follows, u=int(bob), t=int(there["gid"])) == 1  # another workspace's: kept
    if world.env.backend != "sqlite":
        return  # the plans below are SQLite's; PostgreSQL plans tables this small by sequential scans
    walks = []
    with world.env.engine.connect() as conn:
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                walks += [
                    row[-1]
                    for row in plan
                    if re.search(r"(tasks|teams|portfolios|projects) .*\(workspace_gid=\?\)$", row[-1])
                ]
    assert walks == [], walks
