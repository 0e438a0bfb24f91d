"""`kill -9` of a real `vinyasa serve` in the middle of a duplicate, then a restart: the job ends
(succeeded), never stays in_progress, and there is exactly one new project holding every task once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import make_engine_for
from tests.jobs.helpers import fill, job_row
from tests.sdk.conftest import _free_port, initialized, serving

TASKS = 12_000


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_mid_duplicate_then_restart(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    env, made = initialized(request, backend, tmp_path, VINYASA_JOB_LEASE_SECONDS="2")
    url = env["VINYASA_DATABASE_URL"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/1.0"
    headers = {"Authorization": f"Bearer {made['token']}"}
    with serving(env, tmp_path / "first.log", "--port", str(port)) as proc:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            body = {"data": {"name": "Source", "workspace": made["workspace"], "team": made["team"]}}
            project = http.post("/projects", json=body).json()["data"]["gid"]
            fill(url, project, made["workspace"], made["user"], TASKS)
            job = http.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy"}}).json()["data"]
        deadline = time.monotonic() + 60
        while True:  # kill it once some chunks committed, well before the end
            seen = job_row(url, job["gid"])
            if seen["progress"].get("next", 0) > 0 or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        proc.kill()
        proc.wait(10)
    interrupted = job_row(url, job["gid"])
    assert interrupted["status"] == "in_progress", interrupted
    assert 0 < interrupted["progress"]["next"] < TASKS, interrupted

    with serving(env, tmp_path / "second.log", "--port", str(port)):
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            deadline = time.monotonic() + 60
            while True:
                done = http.get(f"/jobs/{job['gid']}").json()["data"]
                if done["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
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
