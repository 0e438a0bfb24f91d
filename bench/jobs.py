"""Duplicating a large project on a live `vinyasa serve` (SQLite), and what it does to other requests.

A source project of N tasks (`--tasks`, 1,000 by default): 10 sections, 80% top-level tasks and 20%
subtasks, every task with a start and a due date and three custom field values (enum, text,
number), seeded straight into the database. Measured:

- the job: from `POST /projects/{gid}/duplicate` (include `task_subtasks,task_dates`) to
  `GET /jobs/{gid}` answering `succeeded` (polled every 10 ms), on an otherwise idle server;
- `GET /projects/{gid}` at c=8 (wrk, `--seconds` per run) while the server is idle, then while it
  runs the same duplicate over and over, alternating for `--rounds` rounds: the best p99 of the busy
  runs against the best p99 of the idle ones (the machine's other load varies between runs).

Targets (issue 18): 1,000 tasks in <= 2 s; 10,000 in <= 20 s; p99 during the job <= 2x idle.
Usage: python -m bench.jobs [--tasks 1000] [--seconds 3]   (bench.run calls `measure`)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class JobsResult:
    """One duplicate of a `tasks`-task project: its time and the GET p99 idle and during it."""

    tasks: int
    seconds: float
    idle_p99_ms: float
    busy_p99_ms: float
    busy_errors: int
    job_cpu_s: float = 0.0  # CPU of the server and its children during the lone duplicate
    idle_cpu_us: float = 0.0  # the server process's own CPU per GET (best run), idle
    busy_cpu_us: float = 0.0  # ... and during the duplicates (its runner child excluded)

    @property
    def target_seconds(self) -> float:
        return 2.0 * max(1.0, self.tasks / 1000)

    @property
    def ok(self) -> bool:
        return self.seconds <= self.target_seconds and self.busy_p99_ms <= 2 * self.idle_p99_ms


def _seed(
    url: str, made: dict[str, str], project: str, fields: list[str], options: list[str], count: int
) -> None:
    """`count` tasks with dates and custom field values in the project, 20% of them subtasks."""
    from vinyasa.db import make_engine
    from vinyasa.protocol.gids import allocate

    engine = make_engine(url)
    now = int(time.time() * 1000)
    with engine.begin() as conn:
        sections = [
            int(r[0])
            for r in conn.execute(
                text("SELECT gid FROM sections WHERE project_gid = :p"), {"p": int(project)}
            )
        ]
        new_sections = allocate(conn, 9)
        conn.execute(
            text(
                "INSERT INTO sections (gid, project_gid, name, position, created_at) VALUES (:g, :p, :n, :pos, :t)"
            ),
            [
                {"g": g, "p": int(project), "n": f"S{i}", "pos": (i + 2) << 32, "t": now}
                for i, g in enumerate(new_sections)
            ],
        )
        sections += new_sections
        gids = allocate(conn, count)
        tops = gids[: count * 4 // 5]
        tasks: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        for i, g in enumerate(gids):
            parent = None if i < len(tops) else tops[i % len(tops)]
            day = 1 + i % 27
            tasks.append(
                {
                    "g": g,
                    "w": int(made["workspace"]),
                    "n": f"Task {i}",
                    "p": parent,
                    "r": parent or g,
                    "pos": (i + 1) << 20,
                    "u": int(made["user"]),
                    "t": now,
                    "s": f"2026-03-{day:02d}",
                    "d": f"2026-04-{day:02d}",
                }
            )
            if parent is None:
                s = sections[i % len(sections)]
                places.append(
                    {
                        "g": g,
                        "p": int(project),
                        "s": s,
                        "sp": sections.index(s) << 32,
                        "pos": (i + 1) << 20,
                        "t": now,
                    }
                )
            values += [
                {"g": g, "f": int(fields[0]), "tv": None, "nv": None, "e": int(options[i % 2])},
                {"g": g, "f": int(fields[1]), "tv": f"text {i}", "nv": None, "e": None},
                {"g": g, "f": int(fields[2]), "tv": None, "nv": float(i), "e": None},
            ]
        conn.execute(
            text(
                "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed, parent_gid,"
                " root_gid, position, created_by_gid, created_at, modified_at, start_on, due_on)"
                " VALUES (:g, :w, :n, '<body></body>', 'default_task', false, :p, :r, :pos, :u, :t, :t, :s, :d)"
            ),
            tasks,
        )
        conn.execute(
            text(
                "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position,"
                " completed, is_milestone, added_at) VALUES (:g, :p, :s, :sp, :pos, false, false, :t)"
            ),
            places,
        )
        conn.execute(
            text(
                "INSERT INTO task_custom_field_values (task_gid, custom_field_gid, text_value, number_value,"
                " enum_option_gid) VALUES (:g, :f, :tv, :nv, :e)"
            ),
            values,
        )
    engine.dispose()


def _own_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (not its children), from /proc (0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_wrk(url: str, token: str, seconds: float, pid: int) -> tuple[float, float, int]:
    """wrk at c=8: (p99 ms, the server process's CPU µs per request, errors)."""
    from bench.run import wrk

    before = _own_cpu(pid)
    got = wrk(url, 8, seconds, token)
    used = _own_cpu(pid) - before
    return got.p99_ms, used * 1e6 / max(1.0, got.rps * max(1, round(seconds))), got.errors


def _duplicate(base: str, token: str, project: str) -> float:
    from bench.run import _request

    start = time.monotonic()
    body = {"data": {"name": "Copy", "include": "task_subtasks,task_dates"}}
    job = _request(base, token, "POST", f"/projects/{project}/duplicate", body)
    while True:
        seen = _request(base, token, "GET", f"/jobs/{job['gid']}")
        if seen["status"] in ("succeeded", "failed"):
            if seen["status"] != "succeeded":
                raise RuntimeError(f"the duplicate failed: {seen}")
            return time.monotonic() - start
        time.sleep(0.01)


def _churn(base: str, token: str, project: str, stop: threading.Event) -> None:
    while not stop.is_set():  # duplicates back to back for the whole wrk run
        _duplicate(base, token, project)


def measure(tasks: int = 1000, seconds: float = 3.0, rounds: int = 3) -> JobsResult:
    """Seed a fresh SQLite database, serve it, and time duplicates with and without load."""
    from bench.run import _cpu_seconds, _free_port, _request, initialized, server, wrk

    tmp = Path(tempfile.mkdtemp(prefix="vinyasa-bench-jobs-"))
    url = f"sqlite:///{tmp / 'jobs.db'}"
    env, made = initialized(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with server([str(BIN / "vinyasa"), "serve", "--port", str(port)], env, base + "/healthz"):
        token = made["token"]
        project = str(
            _request(base, token, "POST", "/projects", {"data": {"name": "Source", "team": made["team"]}})[
                "gid"
            ]
        )
        fields, options = [], []
        for kind in ("enum", "text", "number"):
            body: dict[str, object] = {
                "workspace": made["workspace"],
                "name": f"Bench {kind}",
                "resource_subtype": kind,
            }
            if kind == "enum":
                body["enum_options"] = [{"name": "a"}, {"name": "b"}]
            field = _request(base, token, "POST", "/custom_fields", {"data": body})
            fields.append(str(field["gid"]))
            if kind == "enum":
                options = [str(o["gid"]) for o in field["enum_options"]]  # type: ignore[attr-defined]
            _request(
                base,
                token,
                "POST",
                f"/projects/{project}/addCustomFieldSetting",
                {"data": {"custom_field": field["gid"]}},
            )
    _seed(url, made, project, fields, options, tasks)
    single = f"{base}/api/1.0/projects/{project}"
    idle: list[tuple[float, float]] = []
    busy: list[tuple[float, float]] = []
    errors = 0
    with server([str(BIN / "vinyasa"), "serve", "--port", str(port)], env, base + "/healthz") as proc:
        wrk(single, 8, 1, token)  # warm-up
        cpu = _cpu_seconds(proc.pid)
        took = _duplicate(base, token, project)  # alone, on an idle server
        job_cpu = _cpu_seconds(proc.pid) - cpu
        for _ in range(rounds):  # alternate: the machine's other load shifts from second to second
            p99, per, _ = _timed_wrk(single, token, seconds, proc.pid)
            idle.append((p99, per))
            stop = threading.Event()
            worker = threading.Thread(target=_churn, args=(base, token, project, stop))
            worker.start()
            try:
                p99, per, failed = _timed_wrk(single, token, seconds, proc.pid)
            finally:
                stop.set()
                worker.join()
            busy.append((p99, per))
            errors += failed
    return JobsResult(
        tasks,
        took,
        min(p for p, _ in idle),
        min(p for p, _ in busy),
        errors,
        job_cpu,
        min(c for _, c in idle),
        min(c for _, c in busy),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.tasks, args.seconds, args.rounds)
    print(
        f"duplicate {result.tasks:,} tasks: {result.seconds:.2f} s (target <= {result.target_seconds:g} s); "
        f"GET single p99 idle {result.idle_p99_ms:.2f} ms, during the job {result.busy_p99_ms:.2f} ms "
        f"(target <= 2x), {result.busy_errors} errors: {'PASS' if result.ok else 'FAIL'}; "
        f"job CPU {result.job_cpu_s:.1f} s; server CPU per GET idle {result.idle_cpu_us:.0f} us, "
        f"during {result.busy_cpu_us:.0f} us"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
