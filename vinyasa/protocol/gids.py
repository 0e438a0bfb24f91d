"""Gids: 16-digit strings, unique across every resource, drawn from one counter and scrambled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection

from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.protocol import sql
from vinyasa.protocol.messages import bad_gid

_BITS = 50
_MASK = (1 << _BITS) - 1
_MULTIPLIER = 0x2545F4914F6CDD1D & _MASK | 1  # odd, so x -> x * M mod 2^50 is a bijection
_BASE = 10**15  # every gid has 16 digits, like Asana's
MAX_GID = (1 << 63) - 1
# A gid the next single allocation returns instead of drawing one (fixtures with fixed gids).
_PINNED: ContextVar[int | None] = ContextVar("vinyasa_pinned_gid", default=None)


def scramble(n: int) -> int:
    """Map the n-th counter value to a unique, non-sequential 16-digit gid."""
    return _BASE + ((n * _MULTIPLIER) & _MASK)


def allocate(conn: Connection, count: int = 1) -> list[int]:
    """Reserve `count` new gids inside the caller's transaction."""
    if count <= 0:
        return []
    pin = _PINNED.get()
    if pin is not None and count == 1:
        _PINNED.set(None)
        return [pin]
    if conn.dialect.name == "postgresql":
        if count == 1:
            return [scramble(int(sql.fetch_value(conn, "SELECT nextval('gid_seq')")))]
        rows = sql.fetch(conn, "SELECT nextval('gid_seq') FROM generate_series(1, ?)", [count])
        return [scramble(r[0]) for r in rows]
    last = int(
        sql.fetch_value(
            conn, "UPDATE gid_counter SET value = value + ? WHERE id = 1 RETURNING value", [count]
        )
    )
    return [scramble(v) for v in range(last - count + 1, last + 1)]


@contextmanager
def pinned(gid: int | None) -> Iterator[None]:
    """Inside the block, the next single gid allocated is `gid` (None: no pin). Used by the
    emulator's fixtures to create an object with a fixed gid through its service."""
    token = _PINNED.set(gid)
    try:
        yield
    finally:
        _PINNED.reset(token)


def new_gid(conn: Connection) -> int:
    """Reserve one gid."""
    return allocate(conn, 1)[0]


def as_gid(value: str) -> int | None:
    """The integer gid a string names, or None when it cannot be one."""
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_GID else None


def path_gid(value: str) -> int:
    """A gid from the URL path; anything malformed is simply not found."""
    gid = as_gid(value)
    if gid is None:
        raise NotFound("Not a recognized ID: " + value[:64])
    return gid


def body_gid(field: str, value: object) -> int:
    """A gid given in a request body or query filter; malformed is a 400 naming the field in Asana's
    words ("Not a Long", "Not a valid GID type: number"; vinyasa.protocol.messages)."""
    gid = as_gid(value) if isinstance(value, str) else None
    if gid is None:
        raise InvalidRequest(bad_gid(field, value))
    return gid
