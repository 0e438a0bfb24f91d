"""Reset time of the emulator's control plane with 10,000 objects (issue 21: p50 <= 20 ms on SQLite).

Two cases, each timed over `--runs` resets:
- `created`: the start state is the bootstrap; 10,000 tasks (with their follower, project and journal
  rows) were created since, and the reset removes them;
- `start`: the start state itself holds the 10,000 tasks; the reset puts them back after a change.

Run: `.venv/bin/python -m bench.control_reset [--database-url URL] [--runs 15]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vinyasa.config import Settings
from vinyasa.control import fixtures, store
from vinyasa.control.server import prepare

TASKS = 10_000


def world(tasks: int) -> str:
    lines = ["workspaces:", "  - {name: Bench}", "projects:", "  - {name: P, workspace: Bench}", "tasks:"]
    lines += [f"  - {{name: T{i}, project: P}}" for i in range(tasks)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tasks", type=int, default=TASKS)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    prepare(url)
    from vinyasa.app import build_runtime
    from vinyasa.control.plane import ControlPlane

    runtime = build_runtime(Settings(database_url=url))
    transactions = runtime.transactions
    try:
        small = ControlPlane("bench")
        small.begin(runtime)  # start state: the bootstrap
        t0 = time.perf_counter()
        fixtures.load_text(transactions, world(args.tasks), "http://bench")
        print(f"loaded {args.tasks} tasks through the services in {time.perf_counter() - t0:.1f} s")
        with transactions.begin(write=True) as conn:
            big = store.capture(conn)
        print(f"state with them: {big.objects} rows")
        large = ControlPlane("bench")
        large.begin(runtime)  # start state: the 10,000 tasks
        for case, plane, dirty in (("created", small, big), ("start", large, small.start)):
            assert dirty is not None
            times = []
            for _ in range(args.runs):
                with transactions.begin(write=True) as conn:
                    store.restore(conn, dirty)  # not timed: the state a test left behind
                t = time.perf_counter()
                plane.reset(runtime)
                times.append((time.perf_counter() - t) * 1000)
            with transactions.begin(write=False) as conn:
                assert store.capture(conn).objects == plane.start.objects if plane.start else 0
            times.sort()
            print(
                f"reset [{case}] {runtime.engine.dialect.name}: p50 {statistics.median(times):.1f} ms, "
                f"min {times[0]:.1f} ms, max {times[-1]:.1f} ms ({args.runs} runs)"
            )
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
