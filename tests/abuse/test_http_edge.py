"""Issue 12, section 4: the HTTP edge of a real `vinyasa serve` (timeouts, header limits, envelopes),
the Host cache, HEAD, and how long a removed token keeps working.

Socket probes run against one server on a free loopback port (SQLite: no database is involved at
this layer) started with short limits so every probe ends within a few seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from tests.conftest import new_database
from tests.helpers import fails, ok
from tests.sdk.conftest import BIN, free_port, serving
from vinyasa.protocol import context
from vinyasa.protocol.context import _BASE_URLS, TokenCache

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.5
KEEP_ALIVE = 1
MAX_HEADER_BYTES = 16 * 1024


@dataclass
class Server:
    """A running `vinyasa serve` and its owner's token."""

    port: int
    token: str
    pid: int
    log: Path

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return sock

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def http(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("edge")
    env = {**os.environ, "VINYASA_DATABASE_URL": new_database(request, "sqlite", tmp)}
    made = json.loads(
        subprocess.run(
            [str(BIN), "init", "--json"], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    port = free_port()
    log = tmp / "serve.log"
    limits = [
        *("--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT)),
        *("--keep-alive-timeout", str(KEEP_ALIVE), "--max-header-bytes", str(MAX_HEADER_BYTES)),
    ]
    with serving(env, log, "--port", str(port), *limits) as proc:
        yield Server(port, made["token"], proc.pid, log)


def _read_all(sock: socket.socket, limit: float = 10.0) -> tuple[bytes, float]:
    """Everything until the server closes, and how long that took (at most `limit` seconds)."""
    started = time.monotonic()
    sock.settimeout(limit)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks), time.monotonic() - started


def _split(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _envelope(raw: bytes, status: int, fragment: str) -> None:
    code, headers, body = _split(raw)
    assert code == status, raw[:300]
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["errors"][0]
    assert fragment in error["message"] and "help" in error


def _get(server: Server, path: str, method: str = "GET", host: str = "localhost") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {server.token}\r\n\r\n"
    ).encode()


# ---- timeouts ------------------------------------------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed(server):
    with server.connect() as sock:
        raw, took = _read_all(sock)
    assert raw == b"" and HEADER_TIMEOUT * 0.8 < took < HEADER_TIMEOUT + 3


def test_slowloris_headers_get_a_408_envelope_and_the_connection_closes(server):
    with server.connect() as sock:
        sock.sendall(b"GET /api/1.0/users/me HTTP/1.1\r\nHost: localhost\r\n")
        started = time.monotonic()
        raw = b""
        while not raw and time.monotonic() - started < HEADER_TIMEOUT + 3:
            sock.sendall(b"X")  # one header byte every 0.2 s would otherwise go on forever
            sock.settimeout(0.2)
            try:
                raw = sock.recv(65536)
            except TimeoutError:
                continue
        raw += _read_all(sock)[0]
    assert time.monotonic() - started < HEADER_TIMEOUT + 3
    _envelope(raw, 408, "did not arrive in time")


def test_a_body_that_never_finishes_is_cut_off(server):
    with server.connect() as sock:
        head = f"POST /api/1.0/tasks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {server.token}\r\n"
        sock.sendall((head + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").encode())
        raw, took = _read_all(sock)
    assert took < BODY_TIMEOUT + 3
    _envelope(raw, 408, "did not arrive in time")


def test_an_idle_keep_alive_connection_is_closed(server):
    conn = server.http()
    conn.request("GET", "/api/1.0/users/me", headers=server.auth)
    assert conn.getresponse().read().startswith(b'{"data"')
    assert conn.sock is not None
    raw, took = _read_all(conn.sock)
    conn.close()
    assert raw == b"" and took < KEEP_ALIVE + 3


def test_keep_alive_still_serves_many_requests(server):
    conn = server.http()
    for _ in range(3):
        conn.request("GET", "/api/1.0/users/me", headers=server.auth)
        response = conn.getresponse()
        assert response.status == 200 and json.loads(response.read())["data"]["gid"]
    conn.close()


# ---- sizes and malformed requests ----------------------------------------------------------------


def test_headers_past_the_limit_get_a_431_envelope(server):
    with server.connect() as sock:
        sock.sendall(b"GET /api/1.0/users/me HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 20_000)
        raw, _ = _read_all(sock)
    _envelope(raw, 431, "too large")


@pytest.mark.parametrize("size", [1024 * 1024, 32 * 1024 * 1024])
def test_huge_headers_and_hosts_leave_nothing_behind(server, size):
    before = server.rss_kb()
    for i in range(3):
        with server.connect() as sock:
            try:
                sock.sendall(
                    f"GET /api/1.0/users/me HTTP/1.1\r\nHost: h{i}".encode() + b"h" * size + b"\r\n\r\n"
                )
            except OSError:
                pass  # refused (and closed) long before the end
            raw, _ = _read_all(sock)
        assert raw == b"" or _split(raw)[0] == 431
    assert server.rss_kb() - before < 20 * 1024  # KiB: each distinct huge Host cost ~32 MB before
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as r:
        assert r.status == 200


def test_an_unparseable_request_gets_a_400_envelope(server):
    with server.connect() as sock:
        sock.sendall(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
        raw, _ = _read_all(sock)
    _envelope(raw, 400, "Invalid HTTP request")


def test_an_invalid_host_gets_a_400_envelope(server):
    conn = server.http()
    conn.request("GET", "/api/1.0/users/me", headers={**server.auth, "Host": "evil.example/x?"})
    response = conn.getresponse()
    error = json.loads(response.read())["errors"][0]
    assert response.status == 400 and "Host" in error["message"]
    conn.close()


# ---- HEAD and disconnects --------------------------------------------------------------------------


def test_head_answers_as_get_without_a_body(server):
    conn = server.http()
    conn.request("GET", "/api/1.0/users/me", headers=server.auth)
    got = conn.getresponse()
    body = got.read()
    conn.request("HEAD", "/api/1.0/users/me", headers=server.auth)
    head = conn.getresponse()
    assert head.status == 200 and head.read() == b""
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(body))
    conn.request("HEAD", "/api/1.0/users/me/nothing", headers=server.auth)
    missing = conn.getresponse()
    assert missing.status == 404 and missing.read() == b""
    # Had either HEAD carried a body, this response would not parse on the same connection.
    conn.request("GET", "/api/1.0/users/me", headers=server.auth)
    assert json.loads(conn.getresponse().read()) == json.loads(body)
    conn.close()


def test_a_client_gone_mid_body_is_one_log_line(server):
    before = server.log.read_text(errors="replace")
    with server.connect() as sock:
        head = f"POST /api/1.0/tasks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {server.token}\r\n"
        sock.sendall((head + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").encode())
        time.sleep(0.3)
    deadline = time.monotonic() + 5
    while "client disconnected" not in server.log.read_text(errors="replace")[len(before) :]:
        assert time.monotonic() < deadline, "nothing logged"
        time.sleep(0.1)
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as r:
        assert r.status == 200
    new = server.log.read_text(errors="replace")[len(before) :]
    assert new.count("client disconnected") == 1, new
    assert "Traceback" not in new


# ---- the Host cache (over ASGI) ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_huge_or_invalid_hosts_are_refused_and_never_cached(client):
    _BASE_URLS.clear()
    for host in ["h" * 60_000, "a b", "x.example/path", "[zz]", "x:123456"]:
        fails(await client.get("/users/me", headers={"host": host}), 400, "Host")
    assert _BASE_URLS == {}
    ok(await client.get("/users/me", headers={"host": "api.example.com:8443"}))
    assert [key[1] for key in _BASE_URLS] == ["api.example.com:8443"]


# ---- removed tokens ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_removed_token_stops_working_within_the_documented_bound(client, world, monkeypatch):
    assert TokenCache().ttl <= 5.0  # the bound documented on TokenCache, for every worker
    ok(await client.get("/users/me"))  # cached now
    with world.env.engine.begin() as conn:
        conn.execute(text("DELETE FROM tokens"))
    ok(await client.get("/users/me"))  # within the bound the cached entry may still answer
    now = time.monotonic()
    monkeypatch.setattr(context, "time", SimpleNamespace(monotonic=lambda: now + 5.01))
    fails(await client.get("/users/me"), 401)
