"""Task search over a large workspace, against a live `vinyasa serve` (issue 23's two numbers).

Usage: python -m bench.search [--tasks N] [--postgres] [--requests R]
Seeds N tasks (default 1,000,000) in 100 public projects of one workspace, names of three words
from a 4,000-word vocabulary, a due date on two thirds, a third completed; rows go straight into
the tables (the search index fills through its own triggers / generated column, as for API
writes). Then times R sequential requests (one connection, keep-alive) of each query:
  - `text=<one word>` (default sort: modified_at), target p50 <= 20 ms;
  - `projects.any=<a 10,000-task project>&completed=false&sort_by=due_date`, target p50 <= 10 ms.
Prints one line per query: p50 / p99 in ms, results per answer, and whether the target is met.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import Engine, text

from bench.run import BIN, _free_port, _pg_url, _request, initialized, server
from bench.seed import bulk_triggers
from vinyasa.db import make_engine
from vinyasa.ordering import GAP
from vinyasa.protocol.gids import allocate
from vinyasa.protocol.values import now_ms

BATCH = 20_000
PROJECTS = 100
DAY_MS = 86_400_000


def _vocabulary(size: int = 4_000) -> list[str]:
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))))
    return sorted(words)


def seed(engine: Engine, workspace: int, projects: list[int], total: int) -> float:
    """Fill the projects evenly with `total` tasks; returns the seconds it took."""
    started = time.perf_counter()
    words = _vocabulary()
    rng = random.Random(11)
    now = now_ms()
    per = total // len(projects)
    with bulk_triggers(engine), engine.begin() as conn:
        cursor = conn.connection.cursor()
        marks = "%s" if engine.dialect.name == "postgresql" else "?"
        insert_task = (
            "INSERT INTO tasks (gid, workspace_gid, name, html_notes, resource_subtype, completed, completed_at,"
            " due_on, root_gid, position, created_at, modified_at) VALUES (" + ", ".join([marks] * 12) + ")"
        )
        insert_place = (
            "INSERT INTO task_projects (task_gid, project_gid, section_gid, section_position, position,"
            " completed, is_milestone, added_at) VALUES (" + ", ".join([marks] * 8) + ")"
        )
        for project in projects:
            section = conn.execute(
                text("SELECT gid, position FROM sections WHERE project_gid = :p ORDER BY position LIMIT 1"),
                {"p": project},
            ).one()
            done = 0
            while done < per:
                n = min(BATCH, per - done)
                gids = allocate(conn, n)
                rows = []
                for i, g in enumerate(gids):
                    k = done + i
                    due = None
                    if k % 3:
                        due = time.strftime(
                            "%Y-%m-%d", time.gmtime((now + rng.randint(-300, 300) * DAY_MS) / 1000)
                        )
                    name = " ".join(rng.choice(words) for _ in range(3))
                    stamp = now - rng.randint(0, 10**9)
                    done_flag = k % 3 == 0
                    rows.append(
                        (g, workspace, name, "<body></body>", "default_task", done_flag, stamp if done_flag else None,
                         due, g, k * GAP, stamp, stamp)
                    )  # fmt: skip
                cursor.executemany(insert_task, rows)
                cursor.executemany(
                    insert_place,
                    [(r[0], project, section.gid, section.position, r[9], r[5], False, now) for r in rows],
                )
                done += n
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # PostgreSQL: VACUUM also moves the GIN index's pending list (a bulk load's fresh entries,
        # which every query would scan) into the index, the state autovacuum keeps a live server in.
        conn.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE")
    return time.perf_counter() - started


def _time(base: str, token: str, path: str, count: int) -> tuple[float, float, int]:
    samples: list[float] = []
    size = 0
    for _ in range(count):
        req = urllib.request.Request(base + "/api/1.0" + path)
        req.add_header("Authorization", f"Bearer {token}")
        started = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        samples.append((time.perf_counter() - started) * 1000)
        size = len(json.loads(body)["data"])
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    url = (
        _pg_url()
        if args.postgres
        else f"sqlite:///{Path(tempfile.mkdtemp(prefix='vinyasa-search-')) / 'b.db'}"
    )
    if url is None:
        print("no PostgreSQL server", file=sys.stderr)
        return 2
    env, made = initialized(url)
    base = f"http://127.0.0.1:{_free_port()}"
    serve = [str(BIN / "vinyasa"), "serve", "--port", base.rsplit(":", 1)[1]]
    with server(serve, env, base + "/healthz"):
        body = {"data": {"name": "Search bench", "team": made["team"]}}
        projects = [
            int(str(_request(base, made["token"], "POST", "/projects", body)["gid"])) for _ in range(PROJECTS)
        ]
    engine = make_engine(url)
    try:
        seconds = seed(engine, int(made["workspace"]), projects, args.tasks)
    finally:
        engine.dispose()
    print(f"seeded {args.tasks:,} tasks in {seconds:.0f} s ({url.split(':')[0]})")
    words = _vocabulary()
    ws = made["workspace"]
    failed = 0
    with server(serve, env, base + "/healthz"):
        queries = [
            ("text=<word>", f"/workspaces/{ws}/tasks/search?text={words[1234]}", 20.0),
            ("text=<two words>", f"/workspaces/{ws}/tasks/search?text={words[1234]}+{words[99][:3]}", 20.0),
            (
                "projects.any + completed=false + sort_by=due_date",
                f"/workspaces/{ws}/tasks/search?projects.any={projects[7]}&completed=false&sort_by=due_date",
                10.0,
            ),
        ]
        for name, path, target in queries:
            _time(base, made["token"], path, 5)  # warm
            p50, p99, size = _time(base, made["token"], path, args.requests)
            met = p50 <= target
            failed += not met
            print(
                f"{name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, {size} results; target p50 <= {target:g} ms: {'met' if met else 'NOT met'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
