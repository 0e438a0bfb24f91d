"""One error tree rendered as Asana's envelope: {"errors": [{"message", "help", "phrase"?}]}."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from vinyasa.protocol.messages import explain

log = logging.getLogger("vinyasa")

HELP = (
    "For more information on API status codes and how to handle them, "
    "read the docs on errors: https://developers.asana.com/docs/errors"
)


class AsanaError(Exception):
    """Base of every error the API reports; `status` is the HTTP status."""

    status = 500

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}  # top-level keys beside `errors` (the 412's `sync`)


class InvalidRequest(AsanaError):
    """400: a missing or malformed parameter, or a broken business rule."""

    status = 400


class NotAuthorized(AsanaError):
    """401: no valid token."""

    status = 401


class PaymentRequired(AsanaError):
    """402: a premium feature."""

    status = 402


class Forbidden(AsanaError):
    """403: the object is visible but the caller may not do this to it."""

    status = 403


class NotFound(AsanaError):
    """404: unknown route, wrong method, or an object the caller cannot see."""

    status = 404


class PayloadTooLarge(AsanaError):
    """413: the request body exceeds the configured limit."""

    status = 413


class RateLimited(AsanaError):
    """429: the token spent its request budget; always carries Retry-After."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "You've made too many requests and hit a rate limit. "
            "Please retry after the given amount of time.",
            headers={"Retry-After": str(retry_after)},
        )


_WORDS = (
    "sad squid snuggle softly brave otters paddle quietly tiny lemurs whistle gently bold yaks wander "
    "slowly calm pandas juggle swiftly happy moles nap daily"
).split()


def error_body(message: str, *, phrase: str | None = None) -> dict[str, Any]:
    """The Asana error envelope for one message."""
    error: dict[str, str] = {"message": message, "help": HELP}
    if phrase is not None:
        error["phrase"] = phrase
    return {"errors": [error]}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None
) -> Response:
    """A JSON response holding the error envelope (plus `extra` top-level keys)."""
    phrase = None
    if status >= 500:
        phrase = f"{secrets.randbelow(20) + 1} " + " ".join(secrets.choice(_WORDS) for _ in range(4))
    return Response(
        orjson.dumps({**error_body(message, phrase=phrase), **(extra or {})}),
        status_code=status,
        media_type="application/json; charset=UTF-8",
        headers=headers,
    )


def validation_message(errors: list[dict[str, Any]] | Any, data: Any = None) -> str:
    """Pydantic/FastAPI validation errors in Asana's wording (vinyasa.protocol.messages); given the
    body `data` a model validated, a union-typed field's errors name the field only."""
    return explain(errors) if data is None else explain(errors, data=data)


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through the one envelope renderer."""

    async def on_asana(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, AsanaError)
        return error_response(exc.status, exc.message, exc.headers, exc.extra)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, validation_message(exc.errors()))

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code in (404, 405):
            return error_response(404, "No matching route for request")
        return error_response(exc.status_code, str(exc.detail))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "Server Error")

    app.add_exception_handler(AsanaError, on_asana)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
