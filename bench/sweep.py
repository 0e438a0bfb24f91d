"""The sweep: every implemented operation, measured against GET /projects/{gid} in the same run.

Usage: python -m bench.sweep [--duration S] [--connections 8] [--only SUBSTRING] [--exact ID,ID]
[--markdown FILE]
(`make bench-sweep`; `make bench` runs it as a row group, see bench/run.py).

Operations come from the route table and their inputs from bench.world (a world seeded through the
API, bodies completed from the server's 400 answers and the spec's examples), so a route added later
is measured with no extra work. Each is driven at c=8 on SQLite by one vinyasa worker:

- with wrk when the same request can be sent again and again (reads, creates, updates, idempotent
  actions); lists are measured twice, as pages of 10 and of 100 compact items;
- with a small Python driver (8 threads, keep-alive) when each request needs an object of its own:
  a DELETE removes objects made beforehand (a pool), a `remove...` action is preceded by its `add...`
  twin, a create that cannot repeat is followed by deleting what it made, a request that repeats
  only until its object is full (enum options: wrk answered errors) runs once on each of a pool of
  fresh objects. Only the measured request is timed; these rows are compared to GET /projects/{gid}
  driven the same way;
- with the same driver, 20 requests at c=8, when the request starts a job (duplicates, templates):
  each job works long after its request answered, and wrk's hundreds would leave a backlog running
  through the rest of the sweep.

Reported per row: req/s, p50/p99, the server process's CPU per request (its CPU clock, children
apart; one at a time, c=1, only while the timed request was under way, not its preparing twin),
the background CPU per request (after each row the sweep waits until no job is pending and the
server is idle: its children's CPU from the row's start, or from when the objects made for it
beforehand (a DELETE's pool) have settled, and the server's own after the row's last request, so
what a row left running is counted on that row and no other) and the ratio to the reference;
targets of issue 22 give PASS/FAIL lines counted in `N passed, M failed` (bench/background.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bench.background import children_cpu, idle_rate, own_cpu, settle
from bench.run import BIN, ROOT, Result, _free_port, initialized, server, wrk
from bench.webhooks import Receiver
from bench.world import OVERRIDES, Client, Op, Request, World, build, kinds_of, operations, twin_of

REFERENCE = "getProject"
WRITE_CPU_US = 400.0
JOBS = 20  # requests of a row whose request starts a job (each job runs for a while after it)
DRIVERS = {"wrk": "wrk", "pool": "pool", "pair": "pair", "jobs": "pool"}  # how -> its reference


@dataclass
class Row:
    """One measured (or unmeasurable) operation."""

    op: Op
    variant: str  # "", "N items" (a list: the items its page held), "c=1"
    how: str  # wrk | pool | pair | jobs | -
    result: Result | None
    ratio: float = 0.0
    verdict: str = ""
    target: str = ""
    note: str = ""
    items: int | None = None  # a list: the items of the page measured


def _targets(op: Op, items: int | None) -> tuple[str, Callable[[Result, float], bool]]:
    """The target of issue 22 for a row; a list's by the items its page really held."""
    if op.kind == "get":
        return ">= 60% of GET /projects/{gid}", lambda r, ratio: ratio >= 0.60
    if op.kind == "list":
        if (items or 0) > 10:
            return ">= 30% (100 compact items)", lambda r, ratio: ratio >= 0.30
        return ">= 50% (<= 10 items)", lambda r, ratio: ratio >= 0.50
    return (
        f">= 25%; p99 <= 2x p50; CPU <= {WRITE_CPU_US:g} us",
        lambda r, ratio: ratio >= 0.25 and r.p99_ms <= 2 * r.p50_ms and r.cpu_us <= WRITE_CPU_US,
    )


def _wrk(proc: Any, base: str, token: str, request: Request, seconds: float, c: int) -> Result:
    body = None if request.body is None else json.dumps({"data": request.body})
    url = base + "/api/1.0" + request.path
    wrk(url, c, 0.5, token, body, request.method)  # warm-up
    before = own_cpu(proc.pid)
    result = wrk(url, c, seconds, token, body, request.method)
    spent = own_cpu(proc.pid) - before
    result.requests = round(result.rps * max(1, round(seconds)))
    result.cpu_us = spent / max(1, result.requests) * 1e6
    return result


def _drive(
    proc: Any,
    port: int,
    token: str,
    steps: Iterator[tuple[Request | None, Callable[[Any], Request], Callable[[Any], Request | None]]],
    count: int,
    c: int,
    untimed_per_step: int,
) -> Result:
    """Run `count` steps on `c` threads: an untimed request, the timed one (built from the first's
    answer), an untimed follow-up (from the timed answer). CPU per timed request: one at a time
    (c=1), the server's CPU while the timed request was under way; else its CPU over the run divided
    by all requests sent."""
    lock = threading.Lock()
    latencies: list[float] = []
    timed_cpu = [0.0]
    errors = [0]
    failures: list[str] = []

    def worker() -> None:
        client = Client(port, token)
        world = World(client)
        while True:
            with lock:
                try:
                    pre, timed, post = next(steps)
                except StopIteration:
                    return
            try:
                try:  # only a preparation: an `add...` twin may find its object already there
                    answer = world.replay(pre) if pre is not None else None
                except RuntimeError:
                    answer = None
                if answer is None and pre is not None and twin_of(pre).path == pre.path:  # a create
                    raise RuntimeError(f"could not make the object for {pre.path}")
                request = timed(answer)
                cpu, started = own_cpu(proc.pid), time.perf_counter()
                status, body = client.call(request.method, request.path, world._fresh(request.body))
                elapsed, cpu = time.perf_counter() - started, own_cpu(proc.pid) - cpu
                if status >= 300:
                    raise RuntimeError(f"{request.method} {request.path}: {status} {body}")
                with lock:
                    latencies.append(elapsed * 1000)
                    timed_cpu[0] += cpu
                after = post(body)
                if after is not None:
                    world.replay(after)
            except RuntimeError as exc:
                with lock:
                    errors[0] += 1
                    failures.append(str(exc)[:200])

    before = own_cpu(proc.pid)
    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spent = own_cpu(proc.pid) - before
    ordered = sorted(latencies)
    n = len(ordered)
    if failures:
        print(f"  {len(failures)} failed, e.g. {failures[0]}", file=sys.stderr)
    return Result(
        rps=c / (statistics.fmean(ordered) / 1000) if n else 0.0,
        p50_ms=statistics.median(ordered) if n else 0.0,
        p99_ms=ordered[min(n - 1, int(n * 0.99))] if n else 0.0,
        errors=errors[0],
        requests=n,
        cpu_us=(timed_cpu[0] / max(1, n) if c == 1 else spent / max(1, n * (1 + untimed_per_step))) * 1e6,
    )


def _collection(kind: str) -> str:
    return f"/{kind}s/"


def _clear(world: World, op_id: str) -> None:
    """Delete what an operation made (through the DELETE of each object's collection)."""
    for gid in world.made.pop(op_id, []):
        kind = next((k for k, gids in world.by_kind.items() if gid in gids), None)
        if kind is not None:
            world.client.call("DELETE", _collection(kind) + gid)


def _plan(
    op: Op, world: World, found: dict[str, Request], count: int
) -> tuple[str, Iterator[Any], int] | None:
    """How to drive an operation whose request cannot simply repeat: (how, steps, untimed/step).
    A pool makes `count` objects first; a pair (one object at a time, c=1) runs count / 4 times."""
    pairs = max(10, count // 4)
    if op.method == "DELETE":
        kind = next((k for k in kinds_of(op.params[0]) if k in world.creators), "")
        creator = world.creators.get(kind)
        if creator is None:
            return None
        template = op.path.replace("{" + op.params[0] + "}", "{gid}")
        pool: list[str] = []
        try:
            for _ in range(count):
                pool.append(world.make(creator, kind))
        except RuntimeError:  # one of a kind (a project's brief): make each right before deleting it
            _clear(world, creator.op_id)
            return (
                "pair",
                iter(
                    [
                        (
                            creator,
                            lambda a: Request("DELETE", template.replace("{gid}", a["data"]["gid"]), None),
                            lambda _b: None,
                        )
                        for _ in range(pairs)
                    ]
                ),
                1,
            )
        return "pool", _on_each(Request("DELETE", template, None), pool), 0
    request = found[op.operation_id]
    if "/remove" in op.path or "/add" in op.path:  # each preceded by its twin, which undoes it
        twin = twin_of(request)
        return "pair", iter([(twin, lambda _a: request, lambda _b: None) for _ in range(pairs)]), 1
    if op.kind == "create":
        _clear(world, op.operation_id)  # one of a kind (a project's brief): make room for it

        def cleanup(answer: Any) -> Request | None:
            data = (answer or {}).get("data") or {}
            if "gid" not in data:
                return None
            return Request("DELETE", _collection(data["resource_type"]) + data["gid"], None)

        return "pair", iter([(None, lambda _a: request, cleanup) for _ in range(pairs)]), 1
    return None


def _refused(world: World, request: Request) -> bool:
    """Whether the server now refuses a request it accepted before the row (its object is full);
    errors of another kind (timeouts under load) leave the row as measured."""
    try:
        world.replay(request)
    except RuntimeError:
        return True
    return False


def _on_each(request: Request, gids: list[str]) -> Iterator[Any]:
    """Steps sending `request` (its path naming `{gid}`) once on each object of a pool."""
    return iter(
        [
            (None, lambda _a, g=g: replace(request, path=request.path.replace("{gid}", g)), lambda _b: None)
            for g in gids
        ]
    )


def _on_fresh_objects(op: Op, world: World, request: Request, count: int) -> Iterator[Any] | None:
    """Steps for a request that repeats only until its object is full (an enum field holds a
    limited number of options): each on an object of its own, made beforehand like a DELETE's
    pool; None when the world cannot make one."""
    if not op.params:
        return None
    param = op.params[0]
    kind = OVERRIDES.get(op.operation_id, {}).get("path", {}).get(param) or next(
        (k for k in kinds_of(param) if k in world.creators), ""
    )
    creator, current = world.creators.get(kind), world.gids.get(kind)
    if creator is None or current is None or current not in request.path:
        return None
    try:
        pool = [world.make(creator, kind) for _ in range(count)]
    except RuntimeError:
        return None
    return _on_each(replace(request, path=request.path.replace(current, "{gid}", 1)), pool)


def sweep(
    *,
    seconds: float,
    connections: int,
    only: str | None,
    pool: int,
    url: str | None = None,
    exact: frozenset[str] | None = None,
) -> tuple[list[Row], dict[str, Result]]:
    """Seed a fresh world (a temporary SQLite database unless `url` names an empty one), run every
    operation (or those whose id or path contains `only`, or whose id is in `exact`); the rows and
    the reference results."""
    tmp = Path(tempfile.mkdtemp(prefix="vinyasa-sweep-"))
    url = url or f"sqlite:///{tmp / 'sweep.db'}"
    env, made = initialized(url)
    token, port = made["token"], _free_port()
    base = f"http://127.0.0.1:{port}"
    rows: list[Row] = []
    refs: dict[str, Result] = {}
    receiver = Receiver("nice", 10)  # webhooks' target: answers the handshake (as bench.webhooks)
    with server([str(BIN / "vinyasa"), "serve", "--port", str(port)], env, base + "/healthz") as proc:
        world, found, why = build(
            Client(port, token), made, values={"target": f"http://127.0.0.1:{receiver.port}/sweep"}
        )
        settle(url, proc.pid)  # what building the world queued (duplicates...) is not the first rows' cost
        idle = idle_rate(proc.pid)  # what "idle" costs in this world (settle waits down to it)
        ops = operations()
        ref_op = next(op for op in ops if op.operation_id == REFERENCE)
        ref_req = found[REFERENCE]

        def reference() -> None:  # measured three times in the run; the best one counts
            for name, c in (("wrk", connections), ("pool", connections), ("pair", 1)):
                if name == "wrk":
                    result = _wrk(proc, base, token, ref_req, seconds, c)
                else:
                    steps = iter([(None, lambda _a: ref_req, lambda _b: None) for _ in range(pool * 2)])
                    result = _drive(proc, port, token, steps, pool * 2, c, 0)
                if name not in refs or result.rps > refs[name].rps:
                    refs[name] = result

        reference()
        # reads first, then writes, removes and deletes last (they take away what others use)
        rank = {op: i for i, op in enumerate(ops)}
        order = sorted(  # removes innermost first (route table order reversed), as bench.world does
            (op for op in ops if op.operation_id != REFERENCE),
            key=lambda op: (
                op.method != "GET",
                "/remove" in op.path,
                op.method == "DELETE",
                -rank[op] if "/remove" in op.path else rank[op],
            ),
        )
        wrote = False
        world.refresh()  # the world's removes (after the reads were found) took some objects away
        for op in order:
            if exact is not None and op.operation_id not in exact:
                continue
            if only and only not in op.operation_id and only not in op.path:
                continue
            if op.method != "GET" and not wrote:  # the reference again, between the reads and writes
                reference()
                wrote = True
            if op.method != "GET":
                world.refresh()  # writes before this one may have replaced what lists showed
            found = _current(op, world, found)
            children = [children_cpu(proc.pid)]

            def prepared(children: list[float] = children) -> None:
                # A pool made for the row (templates made by jobs...) is not the row's cost: what it
                # left running is waited for and the row's background counted from here.
                settle(url, proc.pid, idle=idle)
                children[0] = children_cpu(proc.pid)

            measured = _measure(
                op, world, found, why, proc, base, port, token, seconds, connections, pool, prepared
            )
            after = own_cpu(proc.pid)
            # what the row left running is its cost, not the next rows'
            left = settle(url, proc.pid, idle=idle)
            # its children's from the row's start, the server's own once the row's requests ended
            background = children_cpu(proc.pid) - children[0] + own_cpu(proc.pid) - after
            requests = sum(row.result.requests for row in measured if row.result)
            for row in measured:
                if row.result:
                    row.result.background_us = background / max(1, requests) * 1e6
                    row.variant += f" ({left} jobs still queued)" if left else ""
            rows.extend(measured)
        reference()
        rows.insert(0, Row(ref_op, "", "wrk", refs["wrk"], 1.0, "", "reference"))
    receiver.close()
    shutil.rmtree(tmp, ignore_errors=True)
    for row in rows[1:]:
        if row.result is None:
            row.verdict = "FAIL"
            continue
        ref = refs[DRIVERS[row.how]]
        row.ratio = row.result.rps / ref.rps if ref.rps else 0.0
        row.target, check = _targets(row.op, row.items)
        ok = check(row.result, row.ratio) and row.result.errors == 0
        row.verdict = "PASS" if ok else "FAIL"
    return rows, refs


def _current(op: Op, world: World, found: dict[str, Request]) -> dict[str, Request]:
    """`found` with the request of `op` aimed at the world's current objects: a row before this one
    may have deleted the object its path named when it was found (a create's pairs delete what
    they make; one of a kind, a project's brief, is made again) and the world now names another."""
    request = found.get(op.operation_id)
    path = world.path_for(op)
    if request is None or path is None:
        return found
    query = request.path.partition("?")[2]
    return {**found, op.operation_id: replace(request, path=path + ("?" + query if query else ""))}


def _fresh_sync(world: World, path: str) -> str:
    """`path` with a sync token taken now, when it has one (an events read): the token found while
    the world was built is hundreds of events old by the time its row runs, and an events poll in
    steady state reads only what happened since the last one."""
    base, _, query = path.partition("?")
    params = parse_qsl(query)
    if not any(k == "sync" for k, _ in params):
        return path
    rest = [(k, v) for k, v in params if k != "sync"]
    status, answer = world.client.call("GET", base + ("?" + urlencode(rest) if rest else ""))
    if status != 412 or not isinstance(answer, dict) or "sync" not in answer:
        return path
    return base + "?" + urlencode([*rest, ("sync", answer["sync"])])


def _measure(
    op: Op,
    world: World,
    found: dict[str, Request],
    why: dict[str, str],
    proc: Any,
    base: str,
    port: int,
    token: str,
    seconds: float,
    c: int,
    pool: int,
    prepared: Callable[[], None],
) -> list[Row]:
    """The rows of one operation; `prepared()` is called once objects made for it beforehand (a
    DELETE's pool, fresh objects) exist, before its timed requests."""
    request = found.get(op.operation_id)
    if op.kind == "list" and request is not None:
        # a page of 10 and one of 100 where the list pages; each judged by the items it really held
        out: list[Row] = []
        for path in dict.fromkeys((request.path.replace("limit=100", "limit=10"), request.path)):
            path = _fresh_sync(world, path)
            status, answer = world.client.call("GET", path)
            data = answer.get("data") if status < 300 and isinstance(answer, dict) else None
            items = len(data) if isinstance(data, list) else None
            if out and items == out[-1].items:  # the world holds no more than the small page
                continue
            result = _wrk(proc, base, token, Request("GET", path, None), seconds, c)
            out.append(Row(op, f"{items} items", "wrk", result, items=items))
        return out
    if op.method == "GET":
        if request is None:
            return [Row(op, "", "-", None, note=why.get(op.operation_id, "no input"))]
        request = replace(request, path=_fresh_sync(world, request.path))
        return [Row(op, "", "wrk", _wrk(proc, base, token, request, seconds, c))]
    repeatable, refused, job = False, "", False
    if request is not None and op.method != "DELETE" and "/remove" not in op.path:
        try:
            answer = world.replay(request)
            world.replay(request)  # twice: an `add...` undone by the world's `remove...` repeats once
            repeatable = True
            job = ((answer or {}).get("data") or {}).get("resource_type") == "job"
        except RuntimeError as exc:
            refused = str(exc)[:160]
    if repeatable and job and request is not None:
        # each request starts a job that works for a while after it answered: a few requests, not
        # wrk's hundreds (a backlog that would run through the rest of the sweep), awaited by settle()
        steps = iter([(None, lambda _a, r=request: r, lambda _b: None) for _ in range(JOBS)])
        return [Row(op, f"{JOBS} jobs", "jobs", _drive(proc, port, token, steps, JOBS, c, 0))]
    if repeatable:
        assert request is not None
        request = replace(request, path=_fresh_sync(world, request.path))
        result = _wrk(proc, base, token, request, seconds, c)
        fresh = (
            _on_fresh_objects(op, world, request, pool)
            if result.errors and _refused(world, request)
            else None
        )
        if fresh is None:  # errors stay in the row (and fail it)
            return [Row(op, "", "wrk", result)]
        # it repeated until its object was full (an enum field's options): one object each
        note = f"on {pool} fresh objects; wrk on one: {result.errors:,} errors"
        prepared()
        return [Row(op, "", "pool", _drive(proc, port, token, fresh, pool, c, 0), note=note)]
    if request is None and op.method != "DELETE":
        return [Row(op, "", "-", None, note=why.get(op.operation_id, "no input"))]
    plan = _plan(op, world, found, pool)
    if plan is None:
        return [Row(op, "", "-", None, note=f"cannot repeat ({refused}) and no way to prepare it")]
    how, steps, untimed = plan
    prepared()
    # a pair works on one object (add then remove the same user...): one at a time
    c = 1 if how == "pair" else c
    result = _drive(proc, port, token, steps, pool, c, untimed)
    if op.kind == "create" and request is not None:  # the pairs deleted what it makes: one again
        try:
            data = world.replay(request)["data"]
            world.gids[data["resource_type"]] = data["gid"]
        except RuntimeError:
            pass
    return [Row(op, "c=1" if c == 1 else "", how, result)]


def table(rows: list[Row], refs: dict[str, Result]) -> list[str]:
    """The sweep as Markdown table lines."""
    lines = [
        "| operation | request | items | driven by | req/s | p50 ms | p99 ms | CPU µs/req | background CPU µs/req "
        "| vs GET /projects/{gid} | target | verdict |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        r = row.result
        name = f"{row.op.method} {row.op.path}"
        if r is None:
            lines.append(
                f"| {row.op.operation_id} | {name} | | - | | | | | | | not measured: {row.note[:90]} | FAIL |"
            )
            continue
        how = row.how + (f" ({row.note})" if row.note else "")
        verdict = row.verdict + (f" ({r.errors:,} errors)" if r.errors else "")  # errors fail a row
        lines.append(
            f"| {row.op.operation_id} | {name} | {row.variant} | {how} | {r.rps:,.0f} | {r.p50_ms:.2f} "
            f"| {r.p99_ms:.2f} | {r.cpu_us:,.0f} | {r.background_us:,.0f} | {row.ratio:.0%} | {row.target} "
            f"| {verdict} |"
        )
    return lines


def verdicts(rows: list[Row]) -> tuple[int, int, list[str]]:
    """(passed, failed, PASS/FAIL lines) of the rows with a target."""
    lines, passed, failed = [], 0, 0
    for row in rows:
        if not row.verdict:
            continue
        label = f"{row.op.method} {row.op.path}" + (f" ({row.variant})" if row.variant else "")
        r = row.result
        detail = (
            f"{row.ratio:.0%} of reference, p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms, "
            f"CPU {r.cpu_us:,.0f} us (background {r.background_us:,.0f} us), {r.errors} errors"
            if r
            else f"not measured: {row.note}"
        )
        lines.append(f"{row.verdict}  sweep: {label}: {detail}; target {row.target or 'a valid input'}")
        passed, failed = passed + (row.verdict == "PASS"), failed + (row.verdict == "FAIL")
    return passed, failed, lines


POSTGRES = {"getProject": 0.70, "createTask": 0.50}  # issue 22: PostgreSQL's req/s vs SQLite's


def postgres(rows: list[Row], seconds: float, connections: int) -> list[str]:
    """PASS/FAIL lines for PostgreSQL against the SQLite rows of the same run (empty: no server)."""
    from bench.run import _pg_url, drop_pg

    url = _pg_url()
    if url is None:
        return []
    try:
        pg_rows, _ = sweep(
            seconds=seconds, connections=connections, only=None, pool=50, url=url, exact=frozenset(POSTGRES)
        )
    finally:
        drop_pg(url)
    lines = []
    for op_id, floor in POSTGRES.items():
        lite = next((r for r in rows if r.op.operation_id == op_id and r.result), None)
        pg = next((r for r in pg_rows if r.op.operation_id == op_id and r.result), None)
        if lite is None or pg is None or lite.result is None or pg.result is None:
            lines.append(f"FAIL  PostgreSQL {op_id}: not measured")
            continue
        share = pg.result.rps / lite.result.rps
        verdict = "PASS" if share >= floor else "FAIL"
        lines.append(
            f"{verdict}  PostgreSQL: {pg.op.method} {pg.op.path}: {pg.result.rps:,.0f} req/s, {share:.0%} of "
            f"SQLite's {lite.result.rps:,.0f} (CPU {pg.result.cpu_us:,.0f} vs {lite.result.cpu_us:,.0f} us); "
            f"target >= {floor:.0%}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pool", type=int, default=200, help="requests per driven (non-repeatable) row")
    parser.add_argument("--only", default=None, help="operations whose id or path contains this")
    parser.add_argument("--exact", default=None, help="only these operationIds (comma-separated)")
    parser.add_argument("--markdown", default=None, help="write the table to this file")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "sweep.json"))
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL comparison")
    args = parser.parse_args()
    exact = frozenset(args.exact.split(",")) if args.exact else None
    rows, refs = sweep(
        seconds=args.duration, connections=args.connections, only=args.only, pool=args.pool, exact=exact
    )
    lines = table(rows, refs)
    print("\n".join(lines))
    passed, failed, verdict_lines = verdicts(rows)
    if not args.no_postgres and not args.only and not exact:
        pg_lines = postgres(rows, args.duration, args.connections)
        verdict_lines += pg_lines
        passed += sum(line.startswith("PASS") for line in pg_lines)
        failed += sum(line.startswith("FAIL") for line in pg_lines)
    print("\n".join(verdict_lines))
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            [
                {
                    "operation": row.op.operation_id,
                    "method": row.op.method,
                    "path": row.op.path,
                    "variant": row.variant,
                    "driven_by": row.how,
                    **(row.result.__dict__ if row.result else {"note": row.note}),
                    "ratio": round(row.ratio, 4),
                    "verdict": row.verdict,
                }
                for row in rows
            ],
            indent=2,
        )
    )
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
