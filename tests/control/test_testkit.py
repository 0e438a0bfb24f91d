"""The test kit: the sample project in examples/ passes using only the plugin, and the CLI's
`serve --emulator --print-json` prints what other languages need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.helpers import stop

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "vinyasa"


def test_the_example_project_passes_with_only_the_plugin(tmp_path):
    example = ROOT / "examples" / "pytest-asana"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VINYASA_") and k != "PYTEST_ADDOPTS"}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "t")],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "5 passed" in out.stdout


def test_serve_emulator_print_json_with_a_fixture(tmp_path):
    fixture = ROOT / "examples" / "pytest-asana" / "world.yaml"
    env = {**os.environ, "VINYASA_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"}
    proc = subprocess.Popen(
        [
            str(BIN),
            "serve",
            "--emulator",
            "--fixture",
            str(fixture),
            "--port",
            "0",
            "--print-json",
            "--seed",
            "3",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"base_url", "token", "admin_token"}
        assert info["base_url"].startswith("http://127.0.0.1:")

        def get(path: str, token: str) -> dict[str, Any]:
            request = urllib.request.Request(
                info["base_url"] + path, headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer

        assert get("/api/1.0/users/me", info["token"])["data"]["email"] == "owner@example.com"
        assert get("/api/1.0/users/me", "alice-token")["data"]["name"] == "Alice"  # the fixture's user
        assert get("/_vinyasa/status", info["admin_token"])["data"]["seed"] == 3
    finally:
        stop(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_serve_emulator_refuses_workers_and_bad_options(tmp_path):
    env = {**os.environ, "VINYASA_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"}
    for args, fragment in (
        (["--emulator", "--workers", "2"], "one process"),
        (["--print-json"], "go with --emulator"),
        (["--emulator", "--fixture", str(tmp_path / "none.yaml")], "no fixture file"),
        (["--emulator", "--seed", "-1"], "--seed"),
    ):
        out = subprocess.run(
            [str(BIN), "serve", "--port", "0", *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 1 and fragment in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_cli_seed_and_snapshots(tmp_path):
    env = {**os.environ, "VINYASA_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)

    assert run("init").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("users:\n  - {name: A, email: a@example.com}\nprojects:\n  - {name: P, team: Nope}\n")
    out = run("seed", str(bad))
    assert out.returncode == 1 and "line 4" in out.stderr and "Unknown team: Nope" in out.stderr, out.stderr
    saved = json.loads(run("snapshot", "save", "before").stdout)
    assert saved["name"] == "before" and saved["objects"] > 0
    out = run("seed", str(ROOT / "examples" / "pytest-asana" / "world.yaml"))
    assert out.returncode == 0, out.stderr
    assert "Launch" in json.loads(out.stdout)["project"]
    assert json.loads(run("snapshot", "restore", "before").stdout)["objects"] == saved["objects"]
    listed = [json.loads(line) for line in run("snapshot", "list").stdout.splitlines()]
    assert [s["name"] for s in listed] == ["before"]
    out = run("snapshot", "restore", "missing")
    assert out.returncode == 1 and "Unknown snapshot: missing" in out.stderr
    # the fixture is gone with the restore: loading it again works (no duplicate email or token)
    assert run("seed", str(ROOT / "examples" / "pytest-asana" / "world.yaml")).returncode == 0


def test_pausing_the_live_runner_holds_jobs_until_resume(tmp_path):
    from vinyasa.config import Settings
    from vinyasa.control.server import start
    from vinyasa.testing import Emulator

    running = start(Settings(database_url=f"sqlite:///{tmp_path / 'j.db'}", job_poll_seconds=0.05))
    try:
        emu = Emulator(running.base_url, running.token, running.admin_token)
        client = emu.sdk_client()
        import asana

        me = asana.UsersApi(client).get_user("me", {"opt_fields": "workspaces"})
        project = asana.ProjectsApi(client).create_project(
            {"data": {"name": "Src", "workspace": me["workspaces"][0]["gid"]}}, {}
        )["gid"]
        for i in range(3):
            asana.TasksApi(client).create_task({"data": {"name": f"t{i}", "projects": [project]}}, {})
        emu.call("POST", "/jobs/pause")
        job = asana.ProjectsApi(client).duplicate_project(project, {"body": {"data": {"name": "Copy"}}})
        jobs = asana.JobsApi(client)
        time.sleep(0.5)
        assert jobs.get_job(job["gid"], {})["status"] == "not_started"
        assert emu.call("POST", "/jobs/step")["status"] == "in_progress"
        time.sleep(0.3)
        assert jobs.get_job(job["gid"], {})["status"] == "in_progress"
        emu.call("POST", "/jobs/resume")
        deadline = time.monotonic() + 20
        while jobs.get_job(job["gid"], {})["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        running.stop()
