"""The journal flush's probes (vinyasa.core.journal.on_flush): a hook whose probe finds nothing to do
costs no statement, one whose probe answers is called, and the statements a task write runs stay
few (issue 22: the rules, custom-ID and assignment hooks, the section placement)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.rules.helpers import rule
from vinyasa.core import Caller, journal
from vinyasa.core.unit import unit_of_work
from vinyasa.protocol import sql

pytestmark = pytest.mark.anyio


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The prepared statements (vinyasa.protocol.sql) run while the test runs."""
    seen: list[str] = []
    fetch, fetch_all, execute, execute_many = sql.fetch, sql.fetch_all, sql.execute, sql.execute_many

    def fetching(conn: Any, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        seen.append(text)
        return fetch(conn, text, params)

    def fetching_all(conn: Any, texts: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
        seen.extend(text for text, _ in texts)
        return fetch_all(conn, texts)

    def executing(conn: Any, text: str, params: Sequence[Any] = ()) -> int:
        seen.append(text)
        return execute(conn, text, params)

    def executing_many(conn: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        seen.append(text)
        execute_many(conn, text, rows)

    monkeypatch.setattr(sql, "execute_many", executing_many)
    monkeypatch.setattr(sql, "fetch", fetching)
    monkeypatch.setattr(sql, "fetch_all", fetching_all)
    monkeypatch.setattr(sql, "execute", executing)
    return seen


def _matching(statements: list[str], *parts: str) -> list[str]:
    return [s for s in statements if all(p in s for p in parts)]


async def test_a_hook_runs_iff_its_probe_answers(client, world: World) -> None:
    calls: list[int] = []
    asked: list[int] = []

    def probe(_caller: Caller, changes: list[journal.Change]) -> journal.ProbeSql:
        gid = changes[0].resource[1]
        asked.append(gid)
        return None if gid == 4 else ("SELECT 1 FROM users WHERE gid = ?", [gid])

    def hook(_caller: Caller, changes: list[journal.Change]) -> None:
        calls.append(changes[0].resource[1])

    journal.on_flush(hook, probe=probe)
    try:
        runtime = world.env.app.state.runtime
        user = int(world.user)
        with world.db() as conn:
            before = journal.last_id(conn)  # the pruning horizon may be above the largest id
        for gid in (user, 3, 4):  # a user (answers), no user (NULL), no probe (nothing to do)
            with unit_of_work(runtime.transactions, user, "http://t") as caller:
                journal.record(caller, ("user", gid), "changed", field="name", topics=())
                journal.record(caller, ("user", gid), "changed", field="email", topics=())
                journal.flush(caller)
    finally:
        journal._HOOKS[:] = [h for h in journal._HOOKS if h[0] is not hook]
    assert asked == [user, 3, 4]
    assert calls == [user]
    with world.db() as conn:  # the ids stay dense, in flush order
        ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM journal WHERE id > {before} ORDER BY id")]
    assert ids == list(range(before + 1, before + 7))


async def test_a_task_write_asks_the_hooks_in_one_read(client, world: World, statements) -> None:
    project = (await make_project(client, world))["gid"]
    statements.clear()
    ok(await client.post("/tasks", json={"data": {"name": "T", "projects": [project]}}), 201)
    # one read for every probe, before the journal's (its lock is the last a write takes);
    # no rule, ID field or assignee: nothing more
    assert len(_matching(statements, "FROM journal")) == 1
    probes = _matching(statements, "id_prefix IS NOT NULL", "assignee_gid IS NOT NULL", "FROM rules")
    assert len(probes) == 1 and "FROM journal" not in probes[0]
    for hook_table in ("id_prefix IS NOT NULL", "assignee_gid IS NOT NULL", "FROM rules"):
        assert _matching(statements, hook_table) == probes, hook_table
    assert statements.index(probes[0]) < statements.index(_matching(statements, "FROM journal")[0])
    # the section, its position and its last task's position: one statement
    assert len(_matching(statements, "position", "FROM sections")) == 1
    assert not _matching(statements, "WITH RECURSIVE up")  # a new task's streams are known


async def test_the_hooks_still_run_when_their_probe_answers(client, world: World, statements) -> None:
    project = (await make_project(client, world))["gid"]
    await rule(
        client, project, {"type": "task_completed"}, [{"type": "set_due_date", "due_on": "2030-01-02"}]
    )
    statements.clear()
    body = {"name": "T", "projects": [project], "assignee": "me"}
    gid = ok(await client.post("/tasks", json={"data": body}), 201)["gid"]
    assert _matching(statements, "INSERT INTO task_assignments")
    assert world.count("SELECT count(*) FROM task_assignments WHERE task_gid = :g", g=int(gid)) == 1
    assert _matching(statements, "FROM rules WHERE", "project_gid IN")  # the rules of its projects read


async def test_a_large_flush_numbers_on_densely_past_the_horizon(client, world: World) -> None:
    # entries are numbered by their INSERT (200 a statement): dense across statements, after the
    # pruning horizon even when it is above every stored id, and their topics carry the same ids
    runtime = world.env.app.state.runtime
    user = int(world.user)
    with runtime.engine.begin() as conn:
        horizon = journal.last_id(conn) + 1000
        journal.continue_after(conn, horizon - 1)
    with unit_of_work(runtime.transactions, user, "http://t") as caller:
        for i in range(450):
            journal.record(caller, ("user", user), "changed", field="name", topics=(i + 1,))
        journal.flush(caller)
    with world.db() as conn:
        ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM journal WHERE id > {horizon} ORDER BY id")]
        pairs = conn.exec_driver_sql(
            f"SELECT topic_gid, event_id FROM journal_topics WHERE event_id > {horizon}"
        )
        topics = {(int(t), int(e)) for t, e in pairs if int(t) != user}
        assert journal.last_id(conn) == horizon + 450
    assert ids == list(range(horizon + 1, horizon + 451))
    assert topics == {(i + 1, horizon + 1 + i) for i in range(450)}
