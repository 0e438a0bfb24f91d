"""`kill -9` of a real `vinyasa serve` in the middle of a duplicate, then a restart: the job ends
(succeeded), never stays in_progress, and there is exactly one new project holding every task once."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import make_engine_for
from tests.jobs.helpers import fill, job_row
from tests.live import crashable, kill_when, poll

TASKS = 12_000


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
            fill(url, project, made["workspace"], made["user"], TASKS)
            job = http.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy"}}).json()["data"]
        # kill it once some chunks committed, well before the end
        kill_when(proc, lambda: job_row(url, job["gid"])["progress"].get("next", 0) > 0, 60)
    interrupted = job_row(url, job["gid"])
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
    # Taken over once by the restarted server (again if one of its steps outlasted the 2 s lease on a
    # loaded machine: fenced, so that changes nothing above).
    assert job_row(url, job["gid"])["attempts"] >= 2
