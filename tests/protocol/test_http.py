"""The HTTP protocol `vinyasa serve` runs turns Nagle's algorithm off on every connection."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from vinyasa.protocol.http import NoDelayHttpToolsProtocol


class _Transport(asyncio.Transport):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {
            "socket": self.sock,
            "sockname": self.sock.getsockname(),
            "peername": self.sock.getpeername(),
        }.get(name, default)


async def _app(scope: Any, receive: Any, send: Any) -> None:
    return None


@pytest.mark.anyio
async def test_accepted_sockets_get_tcp_nodelay():
    # Like uvicorn's --workers socket: protocol number 0, so asyncio would leave Nagle on.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as _client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
                config = uvicorn.Config(_app, http="vinyasa.protocol.http:NoDelayHttpToolsProtocol")
                config.load()
                assert config.http_protocol_class is NoDelayHttpToolsProtocol
                protocol = NoDelayHttpToolsProtocol(config, ServerState(), {})
                protocol.connection_made(_Transport(accepted))
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
