"""The delivery worker's connections (vinyasa.webhooks.client) against real loopback servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from vinyasa.webhooks.client import Connections

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@contextmanager
def closing_server() -> Iterator[tuple[int, list[bytes]]]:
    """Answers one request per connection as if it kept the connection, then closes it (a
    target's idle timeout, seen by a client only when it sends the next request)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                data = b""
                while b"\r\n\r\n" not in data or not data.endswith(b"{}"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                seen.append(data)
                conn.sendall(ANSWER)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_connection_the_target_closed_is_replaced_and_the_post_sent_again() -> None:
    connections = Connections(1.0, 1.0)
    try:
        with closing_server() as (port, seen):
            url = f"http://127.0.0.1:{port}/hook?app=state"
            assert connections.post(url, {"Content-Type": "application/json"}, b"{}", 2048) == (200, b"ok")
            assert connections.post(url, {"Content-Type": "application/json"}, b"{}", 2048) == (200, b"ok")
        assert len(seen) == 2 and all(s.startswith(b"POST /hook?app=state HTTP/1.1") for s in seen)
    finally:
        connections.close()


def test_no_answer_in_time_is_a_timeout_and_nothing_listening_a_refusal() -> None:
    connections = Connections(1.0, 0.2)
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (the backlog) and never answers
    try:
        with pytest.raises(TimeoutError):
            connections.post(f"http://127.0.0.1:{silent.getsockname()[1]}/", {}, b"{}", 2048)
    finally:
        silent.close()
        connections.close()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        Connections(1.0, 1.0).post(f"http://127.0.0.1:{port}/", {}, b"{}", 2048)
