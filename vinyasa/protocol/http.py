"""uvicorn's HTTP/1.1 protocol (httptools) with TCP_NODELAY, read deadlines and a header size limit.

TCP_NODELAY: uvicorn writes a response's head and body as two sends. Without TCP_NODELAY, Nagle's
algorithm holds the body until the client acknowledges the head, and clients delay that
acknowledgement (40 ms on Linux). asyncio sets TCP_NODELAY only on sockets whose protocol number is
TCP, and the listening socket uvicorn makes for `--workers N` has protocol 0: measured, 2 workers then
served 729 req/s with a 44 ms median instead of ~9,000 req/s. Setting it here covers every loop and
worker mode.

Deadlines: uvicorn closes a connection that stays idle `timeout_keep_alive` seconds after a
response, but nothing bounds a connection that never finishes its request (slowloris: one header
byte every few seconds). Here the request line and headers must arrive within `header_timeout`
seconds of the connection opening or the request's first byte, and the body within `body_timeout`
seconds of the headers; past that the connection gets a 408 (when something was received and no
response has started) and is closed.

Header size: httptools buffers a header until it is complete, so a 32 MB header was read whole.
Past `max_header_bytes` of request line and headers the answer is a 431 and the connection closes.

Every answer written here (408, 431, and uvicorn's 400 for unparseable requests) carries Asana's
JSON error envelope rather than uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import socket
from asyncio import TimerHandle
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from vinyasa.config import get_settings
from vinyasa.errors import error_body


def error_bytes(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 response holding the error envelope, closing the connection."""
    body = orjson.dumps(error_body(message))
    head = (
        b"content-type: application/json; charset=UTF-8\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
    )
    return STATUS_LINE[status] + head + body


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with Nagle off, request read deadlines and a header size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout = settings.header_timeout
        self.body_timeout = settings.body_timeout
        self.max_header_bytes = settings.max_header_bytes
        self._read_timer: TimerHandle | None = None
        self._in_head = True  # reading a request line and headers (or waiting for the first byte)
        self._head_bytes = 0  # bytes received since this request's head began
        self._received = False  # any byte of the current request arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the peer is already gone; uvicorn handles that
                pass
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # ---- deadlines -----------------------------------------------------------------------------
    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(seconds, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        responding = self.cycle is not None and not self._in_head and self.cycle.response_started
        if self._received and not responding:
            self.logger.info("closing a connection whose request did not arrive in time")
            self.transport.write(error_bytes(408, "The request did not arrive in time"))
        self.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(error_bytes(status, message))
            self.transport.close()

    # ---- parsing -------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return  # refused already: read no further
        was_in_head = self._in_head
        if was_in_head:
            self._head_bytes += len(data)
        self._received = True
        super().data_received(data)
        if self._in_head and not was_in_head:  # this chunk began the next request
            self._head_bytes += len(data)
        if self._in_head and self._head_bytes > self.max_header_bytes:
            self.logger.warning("Request headers larger than %d bytes refused.", self.max_header_bytes)
            self._refuse(431, "Request header fields too large")

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a new request after a finished one (keep-alive or pipelined)
            self._in_head, self._head_bytes = True, 0
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._received = False
        super().on_response_complete()
