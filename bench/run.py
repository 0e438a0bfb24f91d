"""Drive a raw ASGI hello-world and vinyasa with wrk, alternating, and report ratios against targets.

Usage: python -m bench.run [--smoke] [--duration S] [--json FILE]
Ends with `N passed, M failed` (scenarios with a target) and exits 1 when any failed (not in --smoke).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Result:
    """One wrk measurement."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Scenario:
    """A load against one server, judged against a target (or only reported)."""

    name: str
    server: str
    path: str
    connections: int
    target: str = ""
    judge: Callable[[Result, dict[str, Result]], bool] | None = None
    results: list[Result] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer: {url}")


@contextmanager
def server(cmd: list[str], env: dict[str, str], probe: str) -> Iterator[None]:
    """Run a server process for the duration of the block."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(probe, proc)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, connections: int, seconds: float, token: str | None) -> Result:
    """Run wrk once and parse requests/s, p50, p99 and errors."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: connect|read|write|timeout)\s*:?\s*(\d+)", out))
    return Result(rps, p50, p99, errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, numbers not gated")
    parser.add_argument("--duration", type=float, default=None, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk (Debian package `wrk`)", file=sys.stderr)
        return 2
    seconds = args.duration or (1.0 if args.smoke else 5.0)
    rounds = args.rounds or (1 if args.smoke else 3)

    tmp = Path(tempfile.mkdtemp(prefix="vinyasa-bench-"))
    env = {**os.environ, "VINYASA_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
    made = json.loads(
        subprocess.run([str(BIN / "vinyasa"), "init", "--json"], env=env, capture_output=True, text=True, check=True).stdout
    )
    token = made["token"]
    ref_port, vin_port = _free_port(), _free_port()
    ref_cmd = [str(BIN / "uvicorn"), "bench.hello:app", "--port", str(ref_port), "--log-level", "warning", "--no-access-log"]
    vin_cmd = [str(BIN / "vinyasa"), "serve", "--port", str(vin_port)]

    def ratio_at_least(floor: float) -> Callable[[Result, dict[str, Result]], bool]:
        return lambda r, ref: r.rps >= floor * ref["raw"].rps

    scenarios = [
        Scenario("raw ASGI hello-world, c=32", "raw", f"http://127.0.0.1:{ref_port}/", 32),
        Scenario(
            "GET /users/me with auth, c=32, 1 worker",
            "vinyasa",
            f"http://127.0.0.1:{vin_port}/api/1.0/users/me",
            32,
            ">= 6% of raw req/s",
            ratio_at_least(0.06),
        ),
    ]
    servers = {
        "raw": (ref_cmd, f"http://127.0.0.1:{ref_port}/"),
        "vinyasa": (vin_cmd, f"http://127.0.0.1:{vin_port}/healthz"),
    }
    for _ in range(rounds):
        for name, (cmd, probe) in servers.items():
            with server(cmd, {**env, "PYTHONPATH": str(ROOT)}, probe):
                for sc in (s for s in scenarios if s.server == name):
                    wrk(sc.path, sc.connections, 0.5, token)  # warm-up
                    sc.results.append(wrk(sc.path, sc.connections, seconds, token))

    def best(sc: Scenario) -> Result:
        return max(sc.results, key=lambda r: r.rps)

    reference = {"raw": best(scenarios[0])}
    rows, passed, failed = [], 0, 0
    for sc in scenarios:
        r = best(sc)
        verdict = ""
        if sc.judge is not None:
            ok = sc.judge(r, reference)
            verdict = "PASS" if ok else "FAIL"
            passed, failed = passed + ok, failed + (not ok)
        rows.append(
            {
                "scenario": sc.name,
                "req_per_s": round(r.rps, 1),
                "p50_ms": round(r.p50_ms, 3),
                "p99_ms": round(r.p99_ms, 3),
                "errors": r.errors,
                "ratio_to_raw": round(r.rps / reference["raw"].rps, 4),
                "target": sc.target,
                "verdict": verdict,
            }
        )
    print(f"{'scenario':45} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  target / verdict")
    for row in rows:
        print(
            f"{row['scenario']:45} {row['req_per_s']:>9} {row['p50_ms']:>8} {row['p99_ms']:>8} "
            f"{row['ratio_to_raw']:>7.2%}  {row['target']} {row['verdict']}"
        )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"smoke": args.smoke, "seconds": seconds, "rounds": rounds, "scenarios": rows}, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if args.smoke or failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
