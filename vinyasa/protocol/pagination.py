"""Keyset pagination: opaque, signed offset tokens holding the last sort key, bound to their query."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Select, tuple_

from vinyasa.errors import InvalidRequest
from vinyasa.protocol.values import parse_int

# Any SELECT, whatever its column types (SQLAlchemy 2.1 types Select by its columns).
AnySelect = Select[*tuple[Any, ...]]
MAX_LIMIT = 100
# Query parameters that do not change which items a listing holds.
NOT_FILTERS = frozenset({"offset", "limit", "opt_fields", "opt_pretty", "body"})


def parse_limit(raw: str | None) -> int | None:
    """`limit` must be an integer from 1 to 100 in ASCII digits; absent means an unpaginated response."""
    if raw is None:
        return None
    limit = parse_int(raw)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest("limit: Must be an integer between 1 and 100")
    return limit


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OffsetCodec:
    """Signs and checks offset tokens with the server's secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @property
    def secret(self) -> bytes:
        """The server's signing secret (also signs the events API's sync tokens)."""
        return self._secret

    def _sign(self, payload: bytes, scope: str) -> bytes:
        return hmac.new(self._secret, payload + b"|" + scope.encode(), hashlib.sha256).digest()[:16]

    def encode(self, key: list[Any], scope: str) -> str:
        """A token for the page after the row whose sort key is `key`."""
        payload = orjson.dumps(key)
        return _b64(payload) + "." + _b64(self._sign(payload, scope))

    def decode(self, token: str, scope: str) -> list[Any]:
        """The sort key inside a token, or 400 when it is forged, garbled or from another query."""
        try:
            body, sig = token.split(".", 1)
            payload = _unb64(body)
            ok = hmac.compare_digest(_unb64(sig), self._sign(payload, scope))
            key = orjson.loads(payload) if ok else None
        except (ValueError, orjson.JSONDecodeError):
            key = None
        if not isinstance(key, list) or not key:
            raise InvalidRequest(
                "offset: Your pagination token is invalid. You can only pass in an offset that was "
                "returned to you via a previously paginated request."
            )
        return key


def query_scope(path: str, params: list[tuple[str, str]], filters: frozenset[str]) -> str:
    """What a token is bound to: the path and the query parameters that change the result set.

    `filters` are the operation's declared query parameters (minus `NOT_FILTERS`); anything else a
    client adds, e.g. the Node SDK's cache-busting `_=<timestamp>`, is ignored by the operation and
    so does not bind the token either.
    """
    bound = sorted((k, v) for k, v in params if k in filters)
    return path + "?" + "&".join(f"{k}={v}" for k, v in bound)


def keyset(stmt: AnySelect, after: list[Any] | None, *, descending: bool, limit: int | None) -> AnySelect:
    """Order by the statement's selected columns and continue after the given key."""
    keys = list(stmt.selected_columns)
    if after is not None:
        if len(after) != len(keys):
            raise InvalidRequest("offset: Your pagination token is invalid for this request.")
        bound = tuple_(*keys)
        stmt = stmt.where(bound < tuple_(*after) if descending else bound > tuple_(*after))
    stmt = stmt.order_by(*(k.desc() if descending else k.asc() for k in keys))
    return stmt.limit(limit + 1) if limit is not None else stmt


@dataclass(frozen=True)
class Listing:
    """A hot list as prepared SQL: rows of `source` matching `where`, ordered by `keys`.

    The last key is the item's gid. Written with `?` placeholders (vinyasa.protocol.sql).
    """

    source: str
    where: str
    params: Sequence[Any] = field(default_factory=tuple)
    keys: tuple[str, ...] = ("gid",)


def listing(
    source: str, conditions: Sequence[tuple[str, Sequence[Any]]], keys: tuple[str, ...] = ("gid",)
) -> Listing:
    """The rows of `source` matching every condition, each `?` SQL text with its parameters (a
    visibility rule from vinyasa.access's `*_visible_sql`, filters of the route)."""
    where = " AND ".join(f"({text})" for text, _ in conditions)
    return Listing(source, where, [p for _, params in conditions for p in params], keys)


def keyset_sql(
    listing: Listing, after: list[Any] | None, *, descending: bool, limit: int | None
) -> tuple[str, list[Any]]:
    """The SQL and parameters for one page of a listing, continuing after the given key."""
    keys = ", ".join(listing.keys)
    where, params = listing.where, list(listing.params)
    if after is not None:
        if len(after) != len(listing.keys):
            raise InvalidRequest("offset: Your pagination token is invalid for this request.")
        marks = ", ".join("?" * len(after))
        where = f"({where}) AND ({keys}) {'<' if descending else '>'} ({marks})"
        params += after
    direction = " DESC" if descending else ""
    order = ", ".join(k + direction for k in listing.keys)
    text = f"SELECT {keys} FROM {listing.source} WHERE {where} ORDER BY {order}"
    if limit is not None:
        text += " LIMIT ?"
        params.append(limit + 1)
    return text, params
