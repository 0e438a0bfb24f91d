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
from typing import Any, Literal

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from vinyasa.config import get_settings
from vinyasa.errors import error_body

Phase = Literal["head", "body", "done"]


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
        # What is being read: "head" (request line and headers, or the first byte of a connection),
        # "body", or "done" (between requests: uvicorn's keep-alive timeout applies).
        self._phase: Phase = "head"
        self._head_bytes = 0  # bytes received since this request's head began
        self._timer: TimerHandle | None = None
        self._timer_phase: Phase | None = None  # the phase `_timer` is the deadline of

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the peer is already gone; uvicorn handles that
                pass
        super().connection_made(transport)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # ---- deadlines -----------------------------------------------------------------------------
    def _watch(self) -> None:
        """One deadline for the phase being read, armed when a read is left unfinished: a request
        that arrives in one piece (the usual case) starts no timer at all."""
        phase = self._phase
        if phase == self._timer_phase:
            return
        self._disarm()
        if phase != "done":
            seconds = self.header_timeout if phase == "head" else self.body_timeout
            self._timer, self._timer_phase = self.loop.call_later(seconds, self._timed_out), phase

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._timer_phase = None

    def _timed_out(self) -> None:
        self._timer = self._timer_phase = None
        if self.transport.is_closing():
            return
        answered = self._phase != "head" and self.cycle is not None and self.cycle.response_started
        if self._head_bytes and not answered:  # silent close for a connection that never spoke
            self.logger.info("Closing a connection whose request did not arrive in time.")
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
        was_in_head = self._phase == "head"
        if was_in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._phase == "head":
            if not was_in_head:  # this chunk began the next request
                self._head_bytes += len(data)
            if self._head_bytes > self.max_header_bytes:
                self.logger.warning("Request headers larger than %d bytes refused.", self.max_header_bytes)
                self._refuse(431, "Request header fields too large")
        if not self.transport.is_closing():
            self._watch()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._phase == "done":  # a new request after a finished one (keep-alive or pipelined)
            self._phase, self._head_bytes = "head", 0

    def on_headers_complete(self) -> None:
        self._phase = "body"
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._phase = "done"
        super().on_message_complete()
