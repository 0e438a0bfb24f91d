"""The reference: the smallest ASGI app uvicorn can serve (a JSON hello-world)."""

from __future__ import annotations

from typing import Any

BODY = b'{"data":{"hello":"world"}}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every HTTP request with the same small JSON body."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
