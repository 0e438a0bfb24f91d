"""Bulk seeding for the benchmark: projects with 1k and 100k tasks in a 1,000,000-task SQLite database.

Rows go straight into the tables with executemany (one transaction), using gids drawn from the
server's own counter, so the data is what the API would have written.
"""

from __future__ import annotations

import time
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
    for gid, size in zip(project_gids, sizes, strict=True):
        _fill(engine, int(workspace), int(gid), size, now)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return Seeded(project_gids[0], project_gids[1], time.perf_counter() - started, sum(sizes))
