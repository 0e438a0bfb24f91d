"""Keep-alive HTTP/1.1 connections to webhook targets, for the delivery worker's POSTs.

Python's `http.client` rather than httpx for deliveries: a delivery needs one POST on a kept-alive
connection and a look at the answer, and `http.client` does that for about a quarter of the CPU
(measured on loopback: ~170 µs against ~650 µs a POST on httpx's transport), which with 100
webhooks on a resource is most of the commit-to-receiver time (bench/webhooks.py). The handshake,
once per webhook, still uses httpx (vinyasa.webhooks.target).

- Each worker thread keeps its own connections, one per (scheme, host, port), at most `PER_THREAD`
  (the least recently used goes first); a thread never shares one, so there is no locking.
- Timeouts: `connect` for opening the connection (TCP and TLS), then `read` for every read and
  write on it (no answer within `read` seconds is a timeout, as Asana's 10 s).
- A kept connection the target closed meanwhile fails on reuse: the POST is sent once more on a
  fresh one (a delivery is at least once anyway). Anything else fails the attempt.
- At most `limit` bytes of an answer are read; a connection with unread answer left, or that the
  target asked to close, is closed rather than kept. No redirects are followed, no proxy is used.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from collections import OrderedDict
from functools import cache
from urllib.parse import urlsplit

PER_THREAD = 32
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
Key = tuple[str, str, int]


@cache
def tls() -> ssl.SSLContext:
    """The TLS settings of every request to a target (deliveries and handshakes), made once: making
    them loads the system's certificates (~20 ms of CPU)."""
    return ssl.create_default_context()


class Connections:
    """The worker's connections to targets (module doc); `post` may be called from any thread."""

    def __init__(self, connect: float, read: float) -> None:
        self.connect, self.read = connect, read
        self._local = threading.local()
        self._lock = threading.Lock()
        self._every: list[OrderedDict[Key, http.client.HTTPConnection]] = []  # each thread's, for close()

    def post(self, url: str, headers: dict[str, str], body: bytes, limit: int) -> tuple[int, bytes]:
        """POST `body` to `url`: the answer's status and its first `limit` bytes. Raises OSError
        (TimeoutError when the target took too long) or http.client.HTTPException."""
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        key = (parts.scheme, parts.hostname or "", parts.port or (443 if secure else 80))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kept = self._kept()
        conn = kept.pop(key, None)
        if conn is not None:
            try:
                return self._exchange(kept, key, conn, path, headers, body, limit)
            except _STALE:
                pass  # closed by the target while kept: once more on a new connection
        return self._exchange(kept, key, self._open(key), path, headers, body, limit)

    def close(self) -> None:
        """Close every kept connection (once the threads that used them are done)."""
        with self._lock:
            every, self._every = self._every, []
        for kept in every:
            while kept:
                kept.popitem()[1].close()

    def _kept(self) -> OrderedDict[Key, http.client.HTTPConnection]:
        kept: OrderedDict[Key, http.client.HTTPConnection] | None = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._local.kept = OrderedDict()
            with self._lock:
                self._every.append(kept)
        return kept

    def _open(self, key: Key) -> http.client.HTTPConnection:
        scheme, host, port = key
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=self.connect, context=tls())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.connect)
        try:
            conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(self.read)
        except BaseException:
            conn.close()
            raise
        return conn

    def _exchange(
        self,
        kept: OrderedDict[Key, http.client.HTTPConnection],
        key: Key,
        conn: http.client.HTTPConnection,
        path: str,
        headers: dict[str, str],
        body: bytes,
        limit: int,
    ) -> tuple[int, bytes]:
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            excerpt = response.read(limit)
        except BaseException:
            conn.close()
            raise
        if response.isclosed() and not response.will_close:  # all read, and the target keeps it open
            kept[key] = conn
            while len(kept) > PER_THREAD:
                kept.popitem(last=False)[1].close()
        else:
            conn.close()
        return response.status, excerpt
