"""CPU inside the app per write request, in process: the A/B tool of issue 22's write work.

Serves the app through httpx.ASGITransport on a fresh database (a temp SQLite file by default) and
measures the thread CPU time spent inside the app (`time.thread_time` around the ASGI call: the
event loop runs every request in this one thread) per request, over `--n` requests after 20 warm-up
requests, best of `--rounds`. `--count` also counts SQLite statements per request (the driver's trace
callback: trigger bodies left out, an `executemany` counted once a row), or on PostgreSQL round trips
(a query psycopg waits for, or a pipeline), and `--show OP` prints one
request's statements; `--profile OP` writes cProfile stats of OP's requests to `--profile-out`.

Usage: python -m bench.write_cpu [--n 300] [--rounds 3] [--only SUBSTRING,...] [--count]
       [--show OP] [--profile OP] [--database-url URL (an empty database)]
To compare two versions, run it from each tree (PYTHONPATH=<tree>, from outside the tree) in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

Call = tuple[str, str, dict[str, Any] | None]


class Meter:
    """An ASGI wrapper adding up the thread CPU time spent inside the app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu = 0.0
        self.profile: cProfile.Profile | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.thread_time()
        if self.profile is not None:
            self.profile.enable()
        try:
            await self.app(scope, receive, send)
        finally:
            if self.profile is not None:
                self.profile.disable()
            self.cpu += time.thread_time() - started


def _operations(seed: dict[str, Any]) -> dict[str, Callable[[], Call]]:
    n = iter(range(10**9))
    project, tasks, users = seed["project"], seed["tasks"], seed["users"]
    ws, team, portfolio = seed["workspace"], seed["team"], seed["portfolio"]
    return {
        "GET /projects/{gid}": lambda: ("GET", f"/projects/{project}", None),
        "POST /tasks": lambda: ("POST", "/tasks", {"name": f"N{next(n)}", "projects": [project]}),
        "POST /tasks (workspace)": lambda: ("POST", "/tasks", {"name": f"N{next(n)}", "workspace": ws}),
        "POST /projects": lambda: ("POST", "/projects", {"name": f"P{next(n)}", "team": team}),
        "POST /projects/{gid}/sections": lambda: (
            "POST",
            f"/projects/{project}/sections",
            {"name": f"S{next(n)}"},
        ),
        "PUT /tasks/{gid}": lambda: ("PUT", f"/tasks/{tasks[0]}", {"name": f"R{next(n)}"}),
        "POST /tasks/{gid}/subtasks": lambda: (
            "POST",
            f"/tasks/{tasks[1]}/subtasks",
            {"name": f"C{next(n)}"},
        ),
        "POST /tasks/{gid}/setParent": lambda: (
            "POST",
            f"/tasks/{tasks[3 + next(n) % 40]}/setParent",
            {"parent": tasks[2]},
        ),
        "POST /projects/{gid}/addMembers": lambda: (
            "POST",
            f"/projects/{project}/addMembers",
            {"members": ",".join(users[:2])},
        ),
        "POST /tasks/{gid}/addFollowers": lambda: (
            "POST",
            f"/tasks/{tasks[4]}/addFollowers",
            {"followers": users[:2]},
        ),
        "POST /tags": lambda: ("POST", "/tags", {"name": f"G{next(n)}", "workspace": ws}),
        "PUT /portfolios/{gid}": lambda: ("PUT", f"/portfolios/{portfolio}", {"name": f"F{next(n)}"}),
    }


def _count_round_trips(trips: list[str]) -> None:
    """On PostgreSQL, append one item to `trips` per round trip to the server: a query psycopg waits
    for outside a pipeline (vinyasa.protocol.sql sends each round trip's statements as one query),
    or a whole pipeline (psycopg's `executemany`)."""
    import psycopg

    wait, pipeline, commit = psycopg.Connection.wait, psycopg.Connection.pipeline, psycopg.Connection.commit
    committing: list[bool] = []

    def waited(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self._pipeline is None and not committing:
            trips.append("statement")
        return wait(self, *args, **kwargs)

    def committed(self: Any) -> None:  # a commit with no transaction open sends nothing
        if self.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            trips.append("commit")
        committing.append(True)
        try:
            commit(self)
        finally:
            committing.pop()

    def piped(self: Any) -> Any:
        trips.append("pipeline")
        return pipeline(self)

    psycopg.Connection.wait = waited  # type: ignore[method-assign]
    psycopg.Connection.pipeline = piped  # type: ignore[method-assign]
    psycopg.Connection.commit = committed  # type: ignore[method-assign]


async def measure(args: argparse.Namespace) -> dict[str, tuple[float, float | None]]:
    """Per operation: (best µs of app CPU per request, statements per request or None)."""
    from sqlalchemy import event

    from vinyasa.app import build_runtime, create_app
    from vinyasa.bootstrap import init
    from vinyasa.config import Settings
    from vinyasa.migrate import upgrade

    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='vinyasa-writes-')) / 'w.db'}"
    upgrade(url)
    settings = Settings(database_url=url)
    app = create_app(settings)
    runtime = app.state.runtime = build_runtime(settings)
    statements: list[str] = []
    if url.startswith("sqlite"):

        def trace(statement: str) -> None:
            if not statement.startswith("--") and (not statements or statements[-1] != statement):
                statements.append(statement)

        def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.set_trace_callback(trace if args.count else None)

        event.listen(runtime.engine, "connect", on_connect)
        runtime.engine.dispose()
    elif args.count:
        _count_round_trips(statements)
    with runtime.engine.begin() as conn:
        made = init(conn, "bench@example.com", "Bench")
    meter = Meter(app)
    headers = {"Authorization": f"Bearer {made['token']}"}
    results: dict[str, tuple[float, float | None]] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=meter), base_url="http://bench/api/1.0", headers=headers
    ) as client:

        async def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
            r = await client.request(method, path, json=None if body is None else {"data": body})
            if r.status_code >= 300:
                raise SystemExit(f"{method} {path}: {r.status_code} {r.text}")
            return r.json().get("data")

        ws, team = made["workspace"], made["team"]
        project = (await call("POST", "/projects", {"name": "P", "team": team}))["gid"]
        for i in range(20):
            await call("POST", f"/projects/{project}/sections", {"name": f"S{i}"})
        tasks = [
            (await call("POST", "/tasks", {"name": f"T{i}", "projects": [project]}))["gid"] for i in range(50)
        ]
        users = [
            (await call("POST", f"/workspaces/{ws}/addUser", {"user": f"u{i}@example.com"}))["gid"]
            for i in range(20)
        ]
        portfolio = (await call("POST", "/portfolios", {"name": "F", "workspace": ws}))["gid"]
        seed = {"project": project, "tasks": tasks, "users": users, "workspace": ws, "team": team}
        ops = _operations({**seed, "portfolio": portfolio})
        only = [o for o in ops if not args.only or any(s in o for s in args.only.split(","))]
        for round_ in range(args.rounds):
            for name in only:
                for _ in range(20):
                    await call(*ops[name]())
                statements.clear()
                meter.cpu = 0.0
                meter.profile = cProfile.Profile() if args.profile == name and round_ == 0 else None
                for _ in range(args.n):
                    await call(*ops[name]())
                if meter.profile is not None:
                    meter.profile.dump_stats(args.profile_out)
                    meter.profile = None
                per = meter.cpu / args.n * 1e6
                count = len(statements) / args.n if args.count else None
                if args.show == name and args.count:
                    for statement in statements[-int(len(statements) / args.n) :]:
                        print("   ", statement[:300], file=sys.stderr)
                best = results.get(name, (per, count))[0]
                results[name] = (
                    min(best, per),
                    count if count is not None else results.get(name, (0, None))[1],
                )
    runtime.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=300, help="measured requests per operation and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="operations whose name contains one of these (comma-separated)")
    parser.add_argument("--count", action="store_true", help="count SQLite statements per request")
    parser.add_argument("--show", help="print one request's statements of this operation (with --count)")
    parser.add_argument("--profile", help="cProfile this operation's first round")
    parser.add_argument("--profile-out", default="write_cpu.prof")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    for name, (us, count) in asyncio.run(measure(args)).items():
        unit = (
            "statements" if not args.database_url or args.database_url.startswith("sqlite") else "round trips"
        )
        statements = f"  {count:5.1f} {unit}" if count is not None else ""
        print(f"{name:36} {us:8.0f} us{statements}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
