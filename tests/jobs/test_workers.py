"""`vinyasa serve --workers 2` on PostgreSQL: both server processes claim jobs from the one `jobs`
table (FOR UPDATE SKIP LOCKED), and every job runs once, to one new project holding every task."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.jobs.helpers import fill, job_row
from tests.sdk.conftest import free_port, initialized, serving

TASKS = 1_500
JOBS = 6


def test_two_server_processes_share_the_jobs(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    # One runner worker per process: a process busy with a job leaves the next ones to the other.
    env, made = initialized(
        request, "postgresql", tmp_path, VINYASA_JOB_WORKERS="1", VINYASA_WEBHOOK_DELIVERY="off"
    )
    url = env["VINYASA_DATABASE_URL"]
    port = free_port()
    headers = {"Authorization": f"Bearer {made['token']}"}
    with serving(env, tmp_path / "serve.log", "--port", str(port), "--workers", "2") as proc:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/1.0", headers=headers, timeout=30) as http:
            body = {"data": {"name": "Source", "workspace": made["workspace"], "team": made["team"]}}
            project = http.post("/projects", json=body).json()["data"]["gid"]
            fill(url, project, made["workspace"], made["user"], TASKS)
            jobs = [
                http.post(f"/projects/{project}/duplicate", json={"data": {"name": f"Copy {i}"}}).json()[
                    "data"
                ]
                for i in range(JOBS)
            ]
            deadline = time.monotonic() + 180
            while True:
                rows = [job_row(url, job["gid"]) for job in jobs]
                if all(r["status"] in ("succeeded", "failed") for r in rows) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert [r["status"] for r in rows] == ["succeeded"] * JOBS, rows
            assert [r["attempts"] for r in rows] == [1] * JOBS  # each claimed once, run once
            listed = http.get("/projects", params={"workspace": made["workspace"], "opt_fields": "name"})
            names = sorted(p["name"] for p in listed.json()["data"])
            assert names == sorted(["Source", *(f"Copy {i}" for i in range(JOBS))])
            for row in rows:
                counts = http.get(
                    f"/projects/{row['project']}/task_counts", params={"opt_fields": "num_tasks"}
                )
                assert counts.json()["data"] == {"num_tasks": TASKS}
        pids = {r["owner"].split("-")[0] for r in rows}
        assert len(pids) == 2, rows  # both worker processes ran jobs
        assert str(proc.pid) not in pids  # ... the workers, not uvicorn's supervisor
