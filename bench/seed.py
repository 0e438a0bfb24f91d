"""Bulk seeding for the benchmark: projects with 1k and 100k tasks in a 1,000,000-task SQLite database.

Rows go straight into the tables with executemany (one transaction), using gids drawn from the
server's own counter, so the data is what the API would have written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, text

from vinyasa.ordering import GAP
from vinyasa.protocol.gids import allocate
from vinyasa.protocol.values import now_ms

BATCH = 50_000


@dataclass
class Seeded:
    """The projects the scenarios use, and how long seeding took."""

    small: str  # 1,000 tasks
    large: str  # 100,000 tasks
    seconds: float
    tasks: int


# SQLite's per-row triggers (migration a8c0ffee0014; the search one queues the task since a8c0ffee001d)
# and what the index and the due keys would then hold, done in bulk: rows in gid order build the
# full-text index several times faster than scrambled gids one by one (and leave nothing queued).
_DEFERRED = {
    "task_text_insert": "INSERT INTO task_text (rowid, name, notes) SELECT gid, name, vinyasa_plain(html_notes)"
    " FROM tasks WHERE gid NOT IN (SELECT rowid FROM task_text) ORDER BY gid",
    "task_projects_due_insert": "UPDATE task_projects SET due_key = (SELECT COALESCE(t.due_at,"
    " CAST((julianday(t.due_on) - 2440587.5) * 86400000 AS INTEGER)) FROM tasks t WHERE t.gid = task_gid)",
}


@contextmanager
def bulk_triggers(engine: Engine) -> Iterator[None]:
    """Seed with SQLite's row triggers off, then write what they would have, and restore them."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with engine.begin() as conn:
        saved: dict[str, str] = dict(
            conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).tuples().all()
        )
        for name in _DEFERRED:
            conn.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for name, statement in _DEFERRED.items():
                conn.execute(text(statement))
                conn.execute(text(saved[name]))


def _fill(engine: Engine, workspace: int, project: int, count: int, now: int) -> None:
    with engine.begin() as conn:
        section = conn.execute(
            text("SELECT gid, position FROM sections WHERE project_gid = :p ORDER BY position LIMIT 1"),
            {"p": project},
        ).one()
        cursor = conn.connection.cursor()
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            gids = allocate(conn, n)
            tasks = [
                (
                    g,
                    workspace,
                    f"Task {done + i}",
                    "<body></body>",
                    "milestone" if i % 10 == 0 else "default_task",
                    i % 3 == 0,
                    now if i % 3 == 0 else None,
                    g,
                    (done + i) * GAP,  # as appending through the API spaces them
                    now,
                    now,
                )
                for i, g in enumerate(gids)
            ]
            cursor.executemany(
                "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed, completed_at,"
                " root_gid, position, created_at, modified_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                tasks,
            )
            cursor.executemany(
                "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position,"
                " completed, is_milestone, added_at) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (t[0], project, section.gid, section.position, t[8], t[5], t[4] == "milestone", now)
                    for t in tasks
                ],
            )
            done += n


def seed(
    engine: Engine, workspace: str, project_gids: list[str], total: int = 1_000_000, large: int = 100_000
) -> Seeded:
    """Fill the first project with 1k tasks, the second with `large`, the rest share what remains."""
    started = time.perf_counter()
    now = now_ms()
    sizes = [1_000, large]
    rest = max(0, total - sum(sizes))
    fillers = project_gids[2:]
    for i, _ in enumerate(fillers):
        sizes.append(rest // len(fillers) + (1 if i < rest % len(fillers) else 0))
    with bulk_triggers(engine):
        for gid, size in zip(project_gids, sizes, strict=True):
            _fill(engine, int(workspace), int(gid), size, now)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return Seeded(project_gids[0], project_gids[1], time.perf_counter() - started, sum(sizes))
