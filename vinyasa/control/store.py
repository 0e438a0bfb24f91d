"""The whole state of the database as a value: capture it, put it back, save it under a name.

A *state* is every row of every table vinyasa owns (`Base.metadata`, so tables added later are
included by themselves), the journal's bookkeeping in `meta`, and the gid counter's position.
Left alone: the pagination secret in `meta` (offsets stay valid; sync tokens from before a restore
expire, `journal.continue_after`), the schema version, and the saved snapshots themselves.

Restoring runs in the caller's transaction: every owned table is emptied (DELETE, children before
parents), then the state's rows go back (parents before children; a task before its subtasks), all
or nothing. (Resets on SQLite copy a database image instead: `vinyasa.control.template`.)
Named snapshots live in `emulator_snapshots` as zlib-compressed JSON, so the API and
`vinyasa snapshot ...` share them.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, insert, select

import vinyasa.models  # noqa: F401 - registers every table on Base.metadata
from vinyasa.control import queries
from vinyasa.core import journal
from vinyasa.core.clock import now_ms
from vinyasa.db import Base
from vinyasa.errors import InvalidRequest, NotFound
from vinyasa.models import EmulatorSnapshot, Meta

_NOT_STATE = frozenset({"meta", "gid_counter", "emulator_snapshots", "alembic_version"})
_SECRET_KEYS = ("offset_secret",)  # meta rows that belong to the server, not to the state
SNAPSHOT_NAME_LIMIT = 128


@dataclass
class State:
    """Rows per table (`{table: (columns, rows)}`), `meta` rows and the gid counter's position."""

    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    meta: list[tuple[str, str]] = field(default_factory=list)
    gid_position: int = 0

    @property
    def objects(self) -> int:
        """How many rows the state holds, all tables together."""
        return sum(len(rows) for _, rows in self.tables.values())

    def to_bytes(self) -> bytes:
        """The state as zlib-compressed JSON."""
        body = {"tables": self.tables, "meta": self.meta, "gid_position": self.gid_position}
        return zlib.compress(orjson.dumps(body, default=_json_default), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> State:
        """The state `to_bytes` wrote."""
        body = orjson.loads(zlib.decompress(data))
        tables = {name: (cols, rows) for name, (cols, rows) in body["tables"].items()}
        return cls(tables, [(k, v) for k, v in body["meta"]], int(body["gid_position"]))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot save a {type(value).__name__}")


def owned_tables() -> list[Table]:
    """The tables a state covers, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in _NOT_STATE]


def capture(conn: Connection) -> State:
    """The current state, read in the caller's transaction."""
    state = State(gid_position=queries.gid_position(conn))
    for table in owned_tables():
        columns = [str(c.name) for c in table.columns]
        rows = [list(r) for r in conn.execute(select(table))]
        if rows:
            state.tables[str(table.name)] = (columns, rows)
    meta = conn.execute(select(Meta.key, Meta.value).where(Meta.key.not_in(_SECRET_KEYS)))
    state.meta = [(k, v) for k, v in meta]
    return state


def clear(conn: Connection) -> None:
    """Empty every owned table (and the journal's bookkeeping in `meta`)."""
    # DELETE, children first: on PostgreSQL, TRUNCATE of every table costs ~0.5 s whatever they hold.
    for table in reversed(owned_tables()):
        conn.execute(delete(table))
    conn.execute(delete(Meta).where(Meta.key.not_in(_SECRET_KEYS)))


def restore(conn: Connection, state: State) -> None:
    """Replace the database's state by `state` (in the caller's transaction); sync tokens from before
    it expire (`journal.continue_after`)."""
    position = journal.last_id(conn)
    clear(conn)
    for table in owned_tables():
        saved = state.tables.get(table.name)
        if not saved:
            continue
        columns, rows = saved
        known = [i for i, name in enumerate(columns) if name in table.columns]
        records = [{columns[i]: row[i] for i in known} for row in rows]
        conn.execute(insert(table), _parents_first(table, records))
    if state.meta:
        conn.execute(insert(Meta), [{"key": k, "value": v} for k, v in state.meta])
    queries.set_gid_position(conn, state.gid_position)
    journal.continue_after(conn, position)


def _parents_first(table: Table, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (a task's parent) ordered so a row follows the one it
    names; other tables' rows as they are."""
    links = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table]
    if not links:
        return records
    ordered: list[dict[str, Any]] = []
    placed: set[tuple[str, Any]] = set()
    pending = records
    while pending:
        waiting = []
        for record in pending:
            ready = all(
                record.get(col) is None
                or record.get(col) == record.get(target)
                or (target, record.get(col)) in placed
                for col, target in links
            )
            if ready:
                ordered.append(record)
                placed.update((target, record.get(target)) for _, target in links)
            else:
                waiting.append(record)
        if len(waiting) == len(pending):  # refers to rows the state lacks: let the database say so
            ordered.extend(waiting)
            break
        pending = waiting
    return ordered


def _check_name(name: str) -> str:
    """The name, trimmed; 400 unless it has 1 to SNAPSHOT_NAME_LIMIT characters and can be a path
    segment of `/_vinyasa/snapshots/{name}` (no `/`, not `.` nor `..`, which clients resolve away)."""
    name = name.strip()
    if not name or len(name) > SNAPSHOT_NAME_LIMIT:
        raise InvalidRequest(f"name: A snapshot name has 1 to {SNAPSHOT_NAME_LIMIT} characters")
    if "/" in name or name in (".", ".."):
        raise InvalidRequest("name: A snapshot name cannot hold a / nor be . or ..")
    return name


def save(conn: Connection, name: str) -> dict[str, Any]:
    """Save the current state as snapshot `name` (replacing one of that name); its summary."""
    name = _check_name(name)
    state = capture(conn)
    conn.execute(delete(EmulatorSnapshot).where(EmulatorSnapshot.name == name))
    created = now_ms()
    conn.execute(
        insert(EmulatorSnapshot).values(
            name=name, created_at=created, objects=state.objects, data=state.to_bytes()
        )
    )
    return _summary(name, created, state.objects)


def load(conn: Connection, name: str) -> State:
    """Snapshot `name`'s state; 404 when there is none."""
    data = conn.execute(
        select(EmulatorSnapshot.data).where(EmulatorSnapshot.name == name.strip())
    ).scalar_one_or_none()
    if data is None:
        raise NotFound(f"Unknown snapshot: {name[:SNAPSHOT_NAME_LIMIT]}")
    return State.from_bytes(data)


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every saved snapshot's summary, by name."""
    rows = conn.execute(
        select(EmulatorSnapshot.name, EmulatorSnapshot.created_at, EmulatorSnapshot.objects).order_by(
            EmulatorSnapshot.name
        )
    )
    return [_summary(name, created, objects) for name, created, objects in rows]


def drop(conn: Connection, name: str) -> None:
    """Delete snapshot `name`; 404 when there is none."""
    gone = conn.execute(delete(EmulatorSnapshot).where(EmulatorSnapshot.name == name.strip()))
    if not gone.rowcount:
        raise NotFound(f"Unknown snapshot: {name[:SNAPSHOT_NAME_LIMIT]}")


def _summary(name: str, created: int, objects: int) -> dict[str, Any]:
    from vinyasa.protocol.values import iso_ms

    return {"name": name, "created_at": iso_ms(created), "objects": objects}


def owner_only(state: State) -> State:
    """The `empty` state: no data but the first user of `state` (the owner the server printed a
    token for) and that user's tokens."""
    users = state.tables.get("users")
    if not users:
        return State(gid_position=state.gid_position)
    columns, rows = users
    first = min(rows, key=lambda r: (r[columns.index("created_at")], r[columns.index("gid")]))
    owner = first[columns.index("gid")]
    kept = State(gid_position=state.gid_position)
    kept.tables["users"] = (columns, [first])
    if "tokens" in state.tables:
        token_columns, token_rows = state.tables["tokens"]
        at = token_columns.index("user_gid")
        kept.tables["tokens"] = (token_columns, [r for r in token_rows if r[at] == owner])
    return kept
