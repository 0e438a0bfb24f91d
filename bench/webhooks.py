"""Webhook delivery: commit-to-receiver latency with 100 webhooks on one project, and GET-single
latency while the server delivers (issue 19). Run alone: `python -m bench.webhooks [--smoke]`;
`bench.run` runs it last and adds its rows.

Latency is measured from the moment the write request is *sent* (so it includes the write itself:
an upper bound on commit-to-receiver) to the moment the receiver (a threaded HTTP/1.1 server in
this process, on a loopback port) has read each delivery. Each write waits until all 100 webhooks
got its event. The load row runs wrk against GET /projects/{gid} (c=32) without, then with writes
that make the server deliver to the 100 webhooks (~1,000 event deliveries per second).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOOKS = 100
TARGET_P50_MS, TARGET_P99_MS, LOAD_SLOWDOWN = 50.0, 250.0, 1.10


@dataclass
class WebhookResult:
    """What the webhook rows measured."""

    deliveries: int
    p50_ms: float
    p99_ms: float
    get_p99_idle_ms: float
    get_p99_delivering_ms: float
    delivered_per_s: float

    @property
    def latency_ok(self) -> bool:
        return self.p50_ms <= TARGET_P50_MS and self.p99_ms <= TARGET_P99_MS

    @property
    def load_ok(self) -> bool:
        return self.get_p99_delivering_ms <= LOAD_SLOWDOWN * self.get_p99_idle_ms


class _Inbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[float] = []


def _receiver(inbox: _Inbox) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            secret = self.headers.get("X-Hook-Secret")
            if secret is None:
                with inbox.lock:
                    inbox.arrivals.append(time.perf_counter())
            self.send_response(200)
            if secret is not None:
                self.send_header("X-Hook-Secret", secret)
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # the worker opens many connections at once

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _call(base: str, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(
        base + "/api/1.0" + path, data=json.dumps(body).encode() if body else None, method=method
    )
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["data"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(*, smoke: bool = False, seconds: float = 5.0) -> WebhookResult:
    """Start a server on a fresh SQLite database, make 100 webhooks and measure (module doc)."""
    from bench.run import _free_port, initialized, server, wrk

    tmp = Path(tempfile.mkdtemp(prefix="vinyasa-bench-hooks-"))
    env, made = initialized(f"sqlite:///{tmp / 'hooks.db'}")
    token = made["token"]
    inbox = _Inbox()
    receiver = _receiver(inbox)
    target = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        with server([str(BIN / "vinyasa"), "serve", "--port", str(port)], env, base + "/healthz"):
            project = _call(
                base, token, "POST", "/projects", {"data": {"name": "Hooked", "team": made["team"]}}
            )["gid"]
            task = _call(base, token, "POST", "/tasks", {"data": {"name": "T", "projects": [project]}})["gid"]
            for _ in range(HOOKS):
                _call(base, token, "POST", "/webhooks", {"data": {"resource": project, "target": target}})
            time.sleep(0.5)
            with inbox.lock:
                inbox.arrivals.clear()
            latencies: list[float] = []
            for n in range(10 if smoke else 60):
                sent = time.perf_counter()
                _call(base, token, "PUT", f"/tasks/{task}", {"data": {"notes": f"n{n}"}})
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    with inbox.lock:
                        if len(inbox.arrivals) >= HOOKS:
                            break
                    time.sleep(0.001)
                with inbox.lock:
                    latencies += [(at - sent) * 1000 for at in inbox.arrivals]
                    inbox.arrivals.clear()
                time.sleep(0.05)
            url = f"{base}/api/1.0/projects/{project}"
            wrk(url, 32, 0.5, token)
            idle = wrk(url, 32, seconds, token)
            stop = threading.Event()

            def writes() -> None:  # ~10 writes/s -> ~1,000 deliveries/s to the 100 webhooks
                n = 0
                while not stop.is_set():
                    _call(base, token, "PUT", f"/tasks/{task}", {"data": {"notes": f"load {n}"}})
                    n += 1
                    stop.wait(0.1)

            writer = threading.Thread(target=writes, daemon=True)
            with inbox.lock:
                inbox.arrivals.clear()
            started = time.perf_counter()
            writer.start()
            busy = wrk(url, 32, seconds, token)
            stop.set()
            writer.join()
            with inbox.lock:
                rate = len(inbox.arrivals) / (time.perf_counter() - started)
    finally:
        receiver.shutdown()
        receiver.server_close()
    return WebhookResult(
        deliveries=len(latencies),
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=_percentile(latencies, 0.99) if latencies else float("nan"),
        get_p99_idle_ms=idle.p99_ms,
        get_p99_delivering_ms=busy.p99_ms,
        delivered_per_s=rate,
    )


def rows(result: WebhookResult) -> list[dict[str, Any]]:
    """The bench table rows (scenario, numbers, target, verdict)."""
    return [
        {
            "scenario": f"webhooks: commit to receiver, {HOOKS} webhooks on one project",
            "deliveries": result.deliveries,
            "p50_ms": round(result.p50_ms, 2),
            "p99_ms": round(result.p99_ms, 2),
            "target": f"p50 <= {TARGET_P50_MS:g} ms, p99 <= {TARGET_P99_MS:g} ms",
            "verdict": "PASS" if result.latency_ok else "FAIL",
        },
        {
            "scenario": "webhooks: GET /projects/{gid} p99 while delivering, c=32",
            "p99_idle_ms": round(result.get_p99_idle_ms, 3),
            "p99_ms": round(result.get_p99_delivering_ms, 3),
            "event_deliveries_per_s": round(result.delivered_per_s),
            "target": "p99 within 10% of the same run without deliveries",
            "verdict": "PASS" if result.load_ok else "FAIL",
        },
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    result = measure(smoke=args.smoke, seconds=args.duration)
    for row in rows(result):
        print(json.dumps(row))
    return 0 if args.smoke or (result.latency_ok and result.load_ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
