"""`kill -9` of a real `vinyasa serve` in the middle of a duplicate, then a restart: the job ends
(succeeded), never stays in_progress, and there is exactly one new project holding every task once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import make_engine_for
from tests.live import crashable, kill_when, poll
from vinyasa.protocol import gids

TASKS = 12_000


def _fill(url: str, project: str, workspace: str, user: str) -> None:
    """TASKS tasks in the project's first section, written straight into the database."""
    engine = make_engine_for(url)
    try:
        with engine.begin() as conn:
            section = conn.execute(
                text("SELECT gid FROM sections WHERE project_gid = :p ORDER BY position LIMIT 1"),
                {"p": int(project)},
            ).scalar_one()
            new = gids.allocate(conn, TASKS)
            now = int(time.time() * 1000)
            conn.execute(
                text(
                    "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed,"
                    " parent_gid, root_gid, position, created_by_gid, created_at, modified_at)"
                    " VALUES (:g, :w, :n, '<body></body>', 'default_task', false, NULL, :g, 0, :u, :t, :t)"
                ),
                [
                    {"g": g, "w": int(workspace), "n": f"T{i}", "u": int(user), "t": now}
                    for i, g in enumerate(new)
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position,"
                    " completed, is_milestone, added_at) VALUES (:g, :p, :s, 0, :pos, false, false, :t)"
                ),
                [
                    {"g": g, "p": int(project), "s": section, "pos": (i + 1) << 20, "t": now}
                    for i, g in enumerate(new)
                ],
            )
    finally:
        engine.dispose()


def _job(url: str, gid: str) -> dict[str, Any]:
    engine = make_engine_for(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, progress, result_gid, attempts FROM jobs WHERE gid = :g"),
                {"g": int(gid)},
            ).one()
    finally:
        engine.dispose()
    return {"status": row[0], "progress": json.loads(row[1] or "{}"), "project": row[2], "attempts": row[3]}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_mid_duplicate_then_restart(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    live = crashable(request, backend, tmp_path)
    url, made = live.url, live.made
    base = f"http://127.0.0.1:{live.port}/api/1.0"
    with live.serve("first.log") as proc:
        with httpx.Client(base_url=base, headers=live.headers, timeout=30) as http:
            body = {"data": {"name": "Source", "workspace": made["workspace"], "team": made["team"]}}
            project = http.post("/projects", json=body).json()["data"]["gid"]
            _fill(url, project, made["workspace"], made["user"])
            job = http.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy"}}).json()["data"]
        # kill it once some chunks committed, well before the end
        kill_when(proc, lambda: _job(url, job["gid"])["progress"].get("next", 0) > 0, 60)
    interrupted = _job(url, job["gid"])
    assert interrupted["status"] == "in_progress", interrupted
    assert 0 < interrupted["progress"]["next"] < TASKS, interrupted

    with live.serve("second.log"):
        with httpx.Client(base_url=base, headers=live.headers, timeout=30) as http:
            done = poll(
                lambda: http.get(f"/jobs/{job['gid']}").json()["data"],
                lambda seen: seen["status"] in ("succeeded", "failed"),
                60,
                0.1,
            )
            assert done["status"] == "succeeded", done
            copies = [
                p
                for p in http.get("/projects", params={"workspace": made["workspace"]}).json()["data"]
                if p["name"] == "Copy"
            ]
            assert [p["gid"] for p in copies] == [done["new_project"]["gid"]]
            counts = http.get(f"/projects/{copies[0]['gid']}/task_counts", params={"opt_fields": "num_tasks"})
            assert counts.json()["data"] == {"num_tasks": TASKS}
    engine = make_engine_for(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT t.name) FROM task_projects tp JOIN tasks t ON t.gid = tp.task_gid"
                    " WHERE tp.project_gid = :p"
                ),
                {"p": int(copies[0]["gid"])},
            ).one()
    finally:
        engine.dispose()
    assert tuple(names) == (TASKS, TASKS)  # every task once
    assert _job(url, job["gid"])["attempts"] == 2
