"""A real HTTP receiver on a loopback port for webhook tests (a threaded `http.server`, no mocks).

It answers the handshake by echoing `X-Hook-Secret` (or not, per `handshake`), records every other
POST (headers, exact body, arrival time) and answers with the next of `statuses` (then 200), after
sleeping `delay` seconds when set.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One POST the receiver got."""

    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = json.loads(self.body)["events"]
        return events


@dataclass
class Receiver:
    """What the receiver does and what it got."""

    port: int = 0
    handshake: str = "echo"  # echo | wrong | status:<code> | sleep:<seconds>
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    handshakes: list[dict[str, str]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?app=state"

    def deliveries(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def events(self) -> list[dict[str, Any]]:
        return [e for r in self.deliveries() for e in r.events]

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The deliveries once at least `count` arrived (fails after `timeout` seconds)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = self.deliveries()
            if len(got) >= count:
                return got
            time.sleep(0.01)
        raise AssertionError(f"expected {count} deliveries, got {len(self.deliveries())}")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            return

        def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            secret = headers.get("x-hook-secret")
            if secret is not None:
                with receiver.lock:
                    receiver.handshakes.append(headers)
                mode, _, arg = receiver.handshake.partition(":")
                if mode == "sleep":
                    time.sleep(float(arg))
                if mode == "status":
                    self._answer(int(arg), {"X-Hook-Secret": secret})
                elif mode == "wrong":
                    self._answer(200, {"X-Hook-Secret": "not-" + secret})
                else:
                    self._answer(200, {"X-Hook-Secret": secret})
                return
            with receiver.lock:
                receiver.received.append(Received(headers, body, time.monotonic()))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.delay:
                time.sleep(receiver.delay)
            self._answer(status)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (vinyasa's timeouts) is expected here: nothing to print."""


@contextmanager
def receiving(**options: Any) -> Iterator[Receiver]:
    """A receiver serving on a free loopback port until the block ends."""
    receiver = Receiver(**options)
    server = _Server(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


_SHARED: list[Receiver] = []


def shared_receiver() -> Receiver:
    """One receiver for the whole test session (for tests that only need a handshake to succeed)."""
    if not _SHARED:
        receiver = Receiver()
        server = _Server(("127.0.0.1", 0), _handler(receiver))
        receiver.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        _SHARED.append(receiver)
    return _SHARED[0]
