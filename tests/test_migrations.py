"""Migrations that rebuild tables keep an existing database's rows and behaviour (on both databases).

A database is migrated to the revision before the rebuild, written through the API, then upgraded:
every row is still there, the database triggers still run, and the API reads and writes as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.conftest import new_database
from tests.helpers import ok
from vinyasa.app import build_runtime, create_app
from vinyasa.bootstrap import init
from vinyasa.config import Settings
from vinyasa.db import make_engine
from vinyasa.migrate import upgrade

pytestmark = pytest.mark.anyio

BEFORE_CLUSTERED = "a8c0ffee0017"  # the revision before a8c0ffee001b (the clustered write tables)
REBUILT = {
    "journal": "id",
    "journal_topics": "topic_gid, event_id",
    "task_followers": "task_gid, user_gid",
    "task_projects": "task_gid, project_gid",
    "task_tags": "task_gid, tag_gid",
    "task_assignments": "task_gid, user_gid",
}


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))]
            for table, key in REBUILT.items()
        }


class Server:
    """The app on one database, and a client of its owner."""

    def __init__(self, url: str, token: str) -> None:
        self.app = create_app(Settings(database_url=url, webhook_delivery="off", job_runner="thread"))
        self.app.state.runtime = build_runtime(Settings(database_url=url))
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        headers = {"Authorization": f"Bearer {token}"}
        self.client = httpx.AsyncClient(transport=transport, base_url="http://t/api/1.0", headers=headers)

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.state.runtime.engine
        return engine

    async def close(self) -> None:
        await self.client.aclose()
        self.app.state.runtime.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """A database at the revision before the rebuild, with its owner (init)."""
    url = new_database(request, request.param, tmp_path, revision=BEFORE_CLUSTERED)
    engine = make_engine(url)
    with engine.begin() as conn:
        made = init(conn, "owner@example.com", "Acme")
    engine.dispose()
    return url, made


async def test_clustered_write_tables_keep_rows_and_triggers(
    old_database: tuple[str, dict[str, Any]],
) -> None:
    url, made = old_database
    old = Server(url, str(made["token"]))
    c = old.client
    project = ok(await c.post("/projects", json={"data": {"name": "P", "team": made["team"]}}), 201)["gid"]
    tag = ok(await c.post("/tags", json={"data": {"name": "T", "workspace": made["workspace"]}}), 201)["gid"]
    body = {"name": "A", "projects": [project], "tags": [tag], "assignee": "me", "due_on": "2030-01-02"}
    task = ok(await c.post("/tasks", json={"data": body}), 201)["gid"]
    before = _rows(old.engine)
    await old.close()
    assert all(before[t] for t in REBUILT), before  # every rebuilt table holds rows

    upgrade(url)
    new = Server(url, str(made["token"]))
    try:
        assert _rows(new.engine) == before
        if new.engine.dialect.name == "sqlite":
            with new.engine.connect() as conn:
                listed = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
                tables: dict[str, str] = {r[0]: r[1] for r in listed}
                triggers = {
                    r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                }
                journal_id = [r for r in conn.execute(text("PRAGMA table_info(journal)")) if r[1] == "id"][0]
            assert journal_id[2] == "INTEGER" and journal_id[5] == 1  # INTEGER PRIMARY KEY: the rowid
            assert all("WITHOUT ROWID" in tables[t] for t in REBUILT if t != "journal")
            assert {"task_projects_due_insert", "tasks_due_update", "task_text_insert"} <= triggers

        # The placement's due key follows its task (database triggers on task_projects and tasks).
        due = "SELECT due_key FROM task_projects WHERE task_gid = :t"
        ok(await new.client.put(f"/tasks/{task}", json={"data": {"due_on": "2030-01-03"}}))
        with new.engine.connect() as conn:
            assert conn.execute(text(due), {"t": int(task)}).scalar_one() == 1893628800000
        second = ok(
            await new.client.post(
                "/tasks", json={"data": {"name": "B", "projects": [project], "due_on": "2030-01-02"}}
            ),
            201,
        )["gid"]
        with new.engine.connect() as conn:
            assert conn.execute(text(due), {"t": int(second)}).scalar_one() == 1893542400000
        listed = ok(await new.client.get(f"/projects/{project}/tasks"))
        assert [t["gid"] for t in listed] == [task, second]
        got = ok(
            await new.client.get(
                f"/tasks/{task}", params={"opt_fields": "followers,tags,memberships.project"}
            )
        )
        assert [f["gid"] for f in got["followers"]] == [made["user"]]
        assert [t["gid"] for t in got["tags"]] == [tag]
        assert [m["project"]["gid"] for m in got["memberships"]] == [project]
        found = ok(
            await new.client.get(f"/workspaces/{made['workspace']}/tasks/search", params={"text": "B"})
        )
        assert [t["gid"] for t in found] == [second]
        events = await new.client.get("/events", params={"resource": project})
        assert events.status_code == 412 and events.json()["sync"]  # a first read: a sync token
        with new.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM journal ORDER BY id"))]
        assert ids == list(range(1, len(ids) + 1)) and len(ids) > len(before["journal"])
    finally:
        await new.close()


BEFORE_QUEUE = "a8c0ffee001c"  # the revision before a8c0ffee001d (SQLite's search index queue)


async def test_the_search_queue_upgrades_and_downgrades_to_a_correct_index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """SQLite: writes queued at a8c0ffee001d (a rename, a deletion, a creation) are in the index
    after a downgrade, and the old triggers index the next write again."""
    from alembic import command

    from vinyasa.migrate import alembic_config

    url = new_database(request, "sqlite", tmp_path, revision=BEFORE_QUEUE)
    engine = make_engine(url)
    with engine.begin() as conn:
        made = init(conn, "owner@example.com", "Acme")
    engine.dispose()
    old = Server(url, str(made["token"]))
    data = {"workspace": made["workspace"]}
    kept = ok(await old.client.post("/tasks", json={"data": {"name": "alpha", "notes": "zeta", **data}}), 201)
    gone = ok(await old.client.post("/tasks", json={"data": {"name": "beta", **data}}), 201)
    await old.close()
    upgrade(url)
    new = Server(url, str(made["token"]))
    ok(await new.client.put(f"/tasks/{kept['gid']}", json={"data": {"name": "gamma", "notes": "eta"}}))
    ok(await new.client.delete(f"/tasks/{gone['gid']}"))
    made_new = ok(await new.client.post("/tasks", json={"data": {"name": "delta", **data}}), 201)
    engine = new.engine
    index = "SELECT rowid, name, trim(notes) FROM task_text ORDER BY rowid"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM task_text_pending")).scalar_one() == 3
    await new.close()

    command.downgrade(alembic_config(url), BEFORE_QUEUE)
    engine = make_engine(url)
    try:
        expected = sorted([(int(kept["gid"]), "gamma", "eta"), (int(made_new["gid"]), "delta", "")])
        with engine.begin() as conn:
            assert [tuple(r) for r in conn.execute(text(index))] == expected
            conn.execute(
                text("UPDATE tasks SET name = 'epsilon' WHERE gid = :g"), {"g": int(made_new["gid"])}
            )
            assert ("epsilon",) in [tuple(r[1:2]) for r in conn.execute(text(index))]
            tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
        assert "task_text_pending" not in tables and "project_text_pending" not in tables
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_unused_root_index_is_dropped_and_comes_back_on_downgrade(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from vinyasa.migrate import alembic_config

    url = new_database(request, backend, tmp_path)

    def indexes() -> set[str]:
        engine = make_engine(url)
        try:
            return {str(i["name"]) for i in inspect(engine).get_indexes("tasks")}
        finally:
            engine.dispose()

    assert "ix_tasks_root_gid" not in indexes() and "ix_tasks_parent_position" in indexes()
    command.downgrade(alembic_config(url), "a8c0ffee001d")
    assert "ix_tasks_root_gid" in indexes()


BEFORE_APPROVAL = "a8c0ffee001e"  # the revision before a8c0ffee001f (tasks.approval_status)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_approval_status_column_keeps_old_tasks_in_sync_and_downgrades(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    """Tasks written before the column read as `completed` says; the column then stores decisions;
    a downgrade drops it and leaves SQLite's triggers on `tasks` in place."""
    from alembic import command
    from sqlalchemy import inspect

    from vinyasa.migrate import alembic_config

    url = new_database(request, backend, tmp_path, revision=BEFORE_APPROVAL)
    engine = make_engine(url)
    with engine.begin() as conn:
        made = init(conn, "owner@example.com", "Acme")
        # written as the code of that revision wrote them: no approval_status column yet
        columns = {c["name"] for c in inspect(conn).get_columns("tasks")}
        assert "approval_status" not in columns
        for gid, completed in ((1001, True), (1002, False)):
            conn.execute(
                text(
                    "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed,"
                    " root_gid, position, created_by_gid, created_at, modified_at) VALUES"
                    " (:gid, :ws, 'old', '<body></body>', 'approval', :done, :gid, 0, :user, 1, 1)"
                ),
                {
                    "gid": gid,
                    "ws": int(str(made["workspace"])),
                    "done": completed,
                    "user": int(str(made["user"])),
                },
            )
            conn.execute(
                text("INSERT INTO task_followers (task_gid, user_gid, created_at) VALUES (:t, :u, 1)"),
                {"t": gid, "u": int(str(made["user"]))},
            )
    engine.dispose()
    upgrade(url)
    new = Server(url, str(made["token"]))
    try:
        fields = {"opt_fields": "completed,approval_status"}
        done = "1001"
        assert ok(await new.client.get(f"/tasks/{done}", params=fields))["approval_status"] == "approved"
        assert ok(await new.client.get("/tasks/1002", params=fields))["approval_status"] == "pending"
        ok(await new.client.put(f"/tasks/{done}", json={"data": {"approval_status": "rejected"}}))
        assert ok(await new.client.get(f"/tasks/{done}", params=fields))["approval_status"] == "rejected"
    finally:
        await new.close()

    def state() -> tuple[set[str], set[str]]:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                columns = {str(c["name"]) for c in inspect(conn).get_columns("tasks")}
                triggers: set[str] = set()
                if backend == "sqlite":
                    query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tasks'"
                    triggers = {str(r[0]) for r in conn.execute(text(query))}
            return columns, triggers
        finally:
            engine.dispose()

    columns, triggers = state()
    assert "approval_status" in columns
    command.downgrade(alembic_config(url), BEFORE_APPROVAL)
    after_columns, after_triggers = state()
    assert after_columns == columns - {"approval_status"} and after_triggers == triggers
    upgrade(url)
    assert state() == (columns, triggers)
