"""Engine construction and the declarative base; transactions are owned by the protocol route."""

from __future__ import annotations

import html
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Engine,
    Integer,
    MetaData,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase

from vinyasa.protocol import sql

log = logging.getLogger("vinyasa")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit on PostgreSQL; INTEGER on SQLite so a gid primary key is the rowid itself.
GidType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base for every table, with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_url(url: str) -> str:
    """Map plain postgresql:// URLs to the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


_TAG = re.compile(r"<[^>]*>")


def plain_text(rich: str | None) -> str:
    """Rich text with its tags blanked out and entities decoded: what the SQLite search index holds
    (PostgreSQL's generated `search_text` column does the same with `regexp_replace`)."""
    return html.unescape(_TAG.sub(" ", rich or ""))


# psycopg prepares nothing itself: its rollback would deallocate vinyasa.protocol.prepared's statements.
_POSTGRES_ENGINE: dict[str, Any] = {
    "pool_size": 10,
    "max_overflow": 20,
    "pool_recycle": 3600,
    "connect_args": {"prepare_threshold": None},
}


def make_engine(
    url: str, *, busy_timeout: float = 30.0, background_checkpoints: bool = False, **kwargs: Any
) -> Engine:
    """An engine tuned per dialect: SQLite in WAL mode with explicit BEGIN, PostgreSQL via psycopg.

    `background_checkpoints` (servers): SQLite connections never checkpoint the WAL themselves, so no
    request pays for copying pages back into the database (a 5-15 ms stall every ~1,000 pages); a
    `Checkpointer` thread (vinyasa.walspace) must then run beside the engine."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it would cost a round trip per request. A connection broken by a server restart
        # fails one request and is then replaced (SQLAlchemy invalidates the pool on disconnects).
        engine = create_engine(url, **_POSTGRES_ENGINE, **kwargs)
        # A request's write transaction begins lazily (vinyasa.protocol.sql.begin_later): its BEGIN
        # and unread writes go out in front of the next statement, SQLAlchemy's own included.
        event.listen(engine, "before_cursor_execute", lambda conn, *_: sql.send_pending(conn))
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        pool_size=8,
        max_overflow=24,
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if background_checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()
        # The search index triggers (migration a8c0ffee0014) index rich text through this.
        dbapi_conn.create_function("vinyasa_plain", 1, plain_text, deterministic=True)

    wait = f"PRAGMA busy_timeout={int(busy_timeout * 1000)}"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front so two writers never deadlock on a lock upgrade.
        options = conn.get_execution_options()
        immediate = options.get("sqlite_immediate", False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        driver = conn.connection.driver_connection
        # On the driver's connection: through exec_driver_sql this cost ~50-100 us a transaction.
        # A failure (the lock still busy after busy_timeout) is wrapped as SQLAlchemy would.
        try:
            if immediate and options.get("sqlite_nowait", False):
                _begin_now(driver, statement, wait)
            else:
                driver.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, (), exc, sqlite3.Error, dialect=conn.dialect) from exc

    return engine


class WriteLockBusy(Exception):
    """A write transaction begun with `wait=False` found SQLite's write lock held by another
    connection (another process: the delivery worker, the job runner). Nothing ran; try again later."""


def _begin_now(driver: sqlite3.Connection, statement: str, wait: str) -> None:
    """`statement` (BEGIN IMMEDIATE) without waiting for the write lock: WriteLockBusy if it is held.
    The connection's busy timeout is 0 for this statement only (a statement inside the transaction
    still waits as usual); the two PRAGMAs cost ~2 µs."""
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute(statement)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
            raise WriteLockBusy from exc
        raise
    finally:
        driver.execute(wait)


# Write statements built once per table (and dialect): building `insert(Model).values(...)` and
# generating its cache key costs ~0.7-2 ms a call, executing a prebuilt statement with the values
# as parameters ~0.1 ms (SQLAlchemy memoizes the prebuilt statement's cache key). The columns
# written are the parameters' keys; values go through the columns' types as before.


@cache
def _insert_stmt(table: Any) -> Any:
    return table.insert()


@cache
def _update_stmt(table: Any) -> Any:
    key = next(iter(table.primary_key.columns))
    return table.update().where(key == bindparam("_row_key", type_=key.type))


@cache
def _insert_ignore(table: Any, dialect_name: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


@cache
def _dialect(name: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.psycopg.dialect() if name == "postgresql" else sqlite.dialect()  # type: ignore[no-untyped-call]


def _plain(column: Any, dialect: Any) -> bool:
    """Whether the driver takes this column's Python values as they are (no SQLAlchemy bind
    processing): numbers and strings; booleans too (Python's bool is an int, and both drivers
    store it as SQLAlchemy would)."""
    return isinstance(column.type, Boolean) or column.type.bind_processor(dialect) is None


@cache
def _plain_insert(
    table: Any, columns: tuple[str, ...], dialect_name: str
) -> tuple[str, dict[str, Any]] | None:
    """INSERT text for these columns plus the scalar Python defaults of the others (what SQLAlchemy
    would add), or None when SQLAlchemy must build the row (a callable default, a processed type)."""
    dialect = _dialect(dialect_name)
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in columns:
            if not _plain(column, dialect):
                return None
        elif column.default is not None:
            if not column.default.is_scalar or not _plain(column, dialect):
                return None
            defaults[column.name] = column.default.arg
    names = (*columns, *defaults)
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", defaults


@cache
def _plain_update(table: Any, columns: tuple[str, ...], dialect_name: str) -> str | None:
    dialect = _dialect(dialect_name)
    key = next(iter(table.primary_key.columns))
    if any(not _plain(table.c[c], dialect) or table.c[c].onupdate is not None for c in columns):
        return None
    if any(c.onupdate is not None for c in table.columns):
        return None
    return f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key.name} = ?"


def insert_row(conn: Any, model: Any, values: dict[str, Any]) -> None:
    """INSERT one row of `model` (a declarative class or a Table): the columns named in `values`.

    Runs as prepared SQL text on the driver (~10 us) when the columns need no SQLAlchemy type
    processing, which is every write path today; otherwise through SQLAlchemy (~100-200 us)."""
    table = getattr(model, "__table__", model)
    plain = _plain_insert(table, tuple(values), conn.dialect.name)
    if plain is None:
        conn.execute(_insert_stmt(table), values)
        return
    text_, defaults = plain
    sql.write(conn, text_, [*values.values(), *defaults.values()])  # raises SQLAlchemy's IntegrityError


def _raw_write(conn: Any, run: Any, statement: str, params: list[Any]) -> Any:
    """Run a prepared write; a constraint violation raises SQLAlchemy's IntegrityError, as the
    statement built by SQLAlchemy would (callers and the retry logic catch that)."""
    try:
        return run(conn, statement, params)
    except conn.dialect.dbapi.IntegrityError as exc:
        raise IntegrityError(statement, params, exc) from exc


def update_row(conn: Any, model: Any, key: Any, values: dict[str, Any]) -> None:
    """UPDATE the row of `model` whose (single-column) primary key is `key`: the columns named in
    `values` (callers have found the row: nobody reads the row count). Prepared SQL text as for
    `insert_row`, and, like an INSERT, a write that waits to travel with the request's next statement
    on PostgreSQL (`sql.write`: a PUT's UPDATE costs no round trip of its own)."""
    if not values:
        return
    table = getattr(model, "__table__", model)
    plain = _plain_update(table, tuple(values), conn.dialect.name)
    if plain is not None:
        sql.write(conn, plain, [*values.values(), key])  # raises SQLAlchemy's IntegrityError
        return
    conn.execute(_update_stmt(table), {"_row_key": key, **values})


@lru_cache(maxsize=256)
def _read_row(table: Any, dialect: Any) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    quote = dialect.identifier_preparer.quote
    key = next(iter(table.primary_key.columns))
    names = tuple(c.name for c in table.columns)
    processors = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in table.columns)
    columns = ", ".join(quote(n) for n in names)
    return f"SELECT {columns} FROM {quote(table.name)} WHERE {quote(key.name)} = ?", names, processors


def read_row(conn: Any, model: Any, key: Any) -> dict[str, Any] | None:
    """The row of `model` whose (single-column) primary key is `key`, as {column name: value}, with
    SQLAlchemy's result processing per column (SQLite's 0/1 as booleans...); None when there is
    none. Prepared SQL text (~15 us), where `select(Model.__table__)` built per call cost ~200 us."""
    table = getattr(model, "__table__", model)
    text_, names, processors = _read_row(table, conn.dialect)
    rows = sql.fetch(conn, text_, [key])
    if not rows:
        return None
    return {
        n: v if p is None or v is None else p(v) for n, p, v in zip(names, processors, rows[0], strict=True)
    }


@lru_cache(maxsize=256)
def _delete_row(table: Any) -> str:
    key = next(iter(table.primary_key.columns))
    return f"DELETE FROM {table.name} WHERE {key.name} = ?"


def delete_row(conn: Any, model: Any, key: Any) -> None:
    """DELETE the row of `model` whose (single-column) primary key is `key` (callers have found it:
    nobody reads the row count). Prepared SQL text, and a waiting write, as `update_row`."""
    sql.write(conn, _delete_row(getattr(model, "__table__", model)), [key])


_ROWS_PER_INSERT = 200  # rows of one multi-row INSERT (parameters: far below either database's limit)


def insert_ignore(conn: Any, model: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either database; returns how many rows were new.

    Counted from RETURNING: a driver's rowcount for a many-row insert is -1 on psycopg."""
    table = getattr(model, "__table__", model)
    return len(insert_new(conn, model, rows, next(iter(table.primary_key.columns)).name))


def insert_skipping(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING when nobody reads which rows were new: like an INSERT, a
    write that waits to travel with the request's next statement on PostgreSQL (`sql.write`)."""
    _insert_on_conflict(conn, model, rows, None)


def insert_new(conn: Any, model: Any, rows: list[dict[str, Any]], column: str) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING on either database; the `column` value of each row that was
    new (RETURNING: what a conflict skipped is not there), so a caller needs no read to tell which
    rows existed. Rows are written in the order given, up to `_ROWS_PER_INSERT` a statement."""
    return _insert_on_conflict(conn, model, rows, column)


def _insert_on_conflict(conn: Any, model: Any, rows: list[dict[str, Any]], column: str | None) -> list[Any]:
    """`insert_new` (the new rows' `column`), or with `column` None `insert_skipping` (nothing)."""
    if not rows:
        return []
    table = getattr(model, "__table__", model)
    columns = tuple(rows[0])
    plain = _plain_insert(table, columns, conn.dialect.name)
    if plain is not None and all(tuple(row) == columns for row in rows):
        text_, defaults = plain
        head, _, one = text_.partition(" VALUES ")
        returning = f" RETURNING {table.c[column].name}" if column is not None else ""
        new: list[Any] = []
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start : start + _ROWS_PER_INSERT]
            values = ", ".join([one] * len(chunk))
            statement = f"{head} VALUES {values} ON CONFLICT DO NOTHING{returning}"
            params = [v for row in chunk for v in (*row.values(), *defaults.values())]
            if column is None:
                sql.write(conn, statement, params)  # raises SQLAlchemy's IntegrityError
            else:
                new += [r[0] for r in _raw_write(conn, sql.fetch, statement, params)]
        return new
    stmt = _insert_ignore(table, conn.dialect.name)  # columns that need SQLAlchemy's type processing
    if column is None:
        conn.execute(stmt, rows)
        return []
    return [r[0] for r in conn.execute(stmt.returning(table.c[column]), rows).all()]


def in_workspace(table: str, column: str, parent: str) -> str:
    """SQL: `table.column` names a row of `parent` in the workspace (one `?`: the workspace), as a
    correlated EXISTS on `parent`'s primary key, so a statement on one user's rows (`user_gid = ?`,
    indexed) reads those rows only. `column IN (SELECT gid FROM parent WHERE workspace_gid = ?)`
    led SQLite to walk every object of the workspace instead (a user leaving a workspace of 30,000
    tasks read them all)."""
    rows = f"SELECT 1 FROM {parent} WHERE {parent}.gid = {table}.{column} AND {parent}.workspace_gid = ?"
    return f"EXISTS ({rows})"


def row_lock(conn: Connection, *, delete: bool = False) -> str:
    """The suffix of a SELECT that holds its rows until the transaction ends: on PostgreSQL
    " FOR NO KEY UPDATE" for a change, " FOR UPDATE" with `delete`; "" on SQLite (its one writer
    needs none).

    A change never takes FOR UPDATE: that also waits for every foreign-key check on the row (FOR
    KEY SHARE: a row inserted or updated under it, a task under its project, a subtask under its
    task), and a request holding the parent while such a check waited on it while holding the
    child was a deadlock (a task PUT, which updates its project rows twice, and an addTask holding
    the project). A delete of a row that other requests add children under without locking it (a
    project's portfolio items, a tag's tasks, a field's settings) does: their foreign-key checks
    wait for it, then fail and run again (400/404), so nothing is added under it that its deletion
    would not journal. A task's delete locks its subtasks first instead (vinyasa.tasks.service)."""
    if conn.dialect.name != "postgresql":
        return ""
    return " FOR UPDATE" if delete else " FOR NO KEY UPDATE"


class ConcurrentChange(Exception):
    """A service met a concurrent change it cannot continue from; the request layer runs it again."""


# What a failed transaction was, by PostgreSQL SQLSTATE: a lock conflict (serialization failure,
# deadlock, lock timeout) or a constraint race (another transaction inserted the same key, or deleted
# the row a new one refers to). Running the request again sees the other transaction's result.
_STATES = {
    "40001": "conflict",
    "40P01": "conflict",
    "55P03": "conflict",
    "23505": "unique",
    "23503": "foreign_key",
}


def race_kind(exc: BaseException) -> str | None:
    """ "conflict", "unique" or "foreign_key" when `exc` may be a race with another transaction
    (so the request should run again), None for any other error. `exc` is SQLAlchemy's wrapper or
    the driver's own error (statements run on a raw cursor, vinyasa.protocol.sql, raise those)."""
    if isinstance(exc, ConcurrentChange):
        return "conflict"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return _STATES.get(str(state))
    if isinstance(exc, IntegrityError) or isinstance(orig, sqlite3.IntegrityError):  # no SQLSTATE
        text = str(orig)
        if text.startswith("UNIQUE constraint failed"):
            return "unique"
        if text.startswith("FOREIGN KEY constraint failed"):
            return "foreign_key"
    return None


def missing_key(exc: BaseException) -> str | None:
    """The key a foreign-key violation found missing, from PostgreSQL's detail
    (`Key (parent_gid)=(123) is not present in table "tasks".` -> "123"), else None."""
    diag = getattr(getattr(exc, "orig", exc), "diag", None)
    detail = str(getattr(diag, "message_detail", None) or "")
    if "is not present" not in detail or ")=(" not in detail:
        return None
    return detail.split(")=(", 1)[1].split(")", 1)[0]


JOURNAL_WRITTEN = "vinyasa.journal_written"  # Connection.info key: this transaction wrote journal entries


class RequestTransactions:
    """The one transaction of each API request, on connections kept open between requests.

    `begin(write=...)` yields a connection whose work is committed when the block ends and rolled back
    on any error. Opening a SQLAlchemy connection costs more than a small read (pool checkout, reset
    on return), so a few stay open per kind: readers and writers are configured once, differently.
    Writers hold the write lock from the start (SQLite: BEGIN IMMEDIATE). Reads on PostgreSQL run in
    autocommit, which skips psycopg's BEGIN and the ROLLBACK. A connection is used by one request at a
    time (list pop/append are atomic), and one that failed to roll back is closed, not kept. Writes on
    PostgreSQL run in autocommit too, their BEGIN sent with their first statement (`sql.begin_later`):
    one round trip less a write, more with the unread INSERTs that travel with the next statement.
    """

    def __init__(self, engine: Engine, keep: int = 4) -> None:
        self.engine, self.keep = engine, keep
        # Kept per kind: (write, wait for SQLite's write lock).
        self._idle: dict[tuple[bool, bool], list[Connection]] = {}
        self._closed = False
        # Called right after a transaction that wrote change-journal entries commits (the server
        # wakes its webhook delivery worker this way, vinyasa.webhooks.worker); must not block.
        self.on_journal: Callable[[], None] | None = None

    def _open(self, write: bool, wait: bool) -> Connection:
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":  # writers: BEGIN sent by `begin` (lazily)
            conn.execution_options(isolation_level="AUTOCOMMIT")
        elif write:
            conn.execution_options(sqlite_immediate=True, sqlite_nowait=not wait)
        return conn

    @contextmanager
    def begin(self, *, write: bool, wait: bool = True) -> Iterator[Connection]:
        """A connection inside this request's transaction. A write with `wait=False` on SQLite
        raises WriteLockBusy at once when another connection holds the write lock, rather than
        waiting up to the busy timeout in this thread (the server's event loop waits elsewhere)."""
        idle = self._idle.setdefault((write, wait or not write), [])
        conn = idle.pop() if idle else self._open(write, wait)
        lazy = write and self.engine.dialect.name == "postgresql"
        try:
            if write:
                conn.begin()  # inside the try: a BEGIN that fails must not leak the connection
            if lazy:
                sql.begin_later(conn)
            yield conn
            if lazy:
                sql.commit(conn)  # what waits and the COMMIT together; the driver's commit is then a no-op
            conn.commit()
        except BaseException:
            if lazy:
                sql.discard(conn)
            conn.info.pop(JOURNAL_WRITTEN, None)
            try:
                conn.rollback()
            except BaseException:
                conn.close()
                raise
            self._release(idle, conn)
            raise
        wrote = conn.info.pop(JOURNAL_WRITTEN, False)
        self._release(idle, conn)
        if wrote and self.on_journal is not None:
            self.on_journal()

    def _release(self, idle: list[Connection], conn: Connection) -> None:
        if self._closed or conn.invalidated or conn.closed or len(idle) >= self.keep:
            conn.close()
        else:
            idle.append(conn)

    def close(self) -> None:
        """Close the connections kept open (before the engine is disposed); keep none from now on."""
        self._closed = True
        for idle in self._idle.values():
            while idle:
                idle.pop().close()


# ---- the commits outside a request's transaction --------------------------------------------
#
# A request's transaction is committed by `RequestTransactions.begin` (the route class owns it). The
# few places that end a transaction of their own do it through these helpers, so it is plain that they
# are not a request committing early.


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """A SAVEPOINT (nested transaction) inside `conn`'s current transaction: released when the block
    ends, rolled back to when it raises (the exception goes on). Releasing it commits nothing: the
    enclosing transaction still decides. Used where one step may fail without undoing the others
    (vinyasa.rules.engine: each rule run on a task)."""
    nested = conn.begin_nested()
    try:
        yield
        sql.send_pending(conn)  # a waiting write that fails does so inside the savepoint
    except BaseException:
        nested.rollback()
        raise
    nested.commit()  # RELEASE SAVEPOINT


@contextmanager
def driver_transaction(conn: sqlite3.Connection, *, immediate: bool = False) -> Iterator[sqlite3.Connection]:
    """A transaction on a bare sqlite3 connection, committed when the block ends and rolled back
    when it raises. For SQLite work that bypasses SQLAlchemy, so no route owns its transaction
    (vinyasa.control.template): filling a private in-memory image, which nothing else sees until it
    is copied over the live database, and putting the saved snapshots back into the live database
    right after such a copy (`immediate`: BEGIN IMMEDIATE, taking the write lock at once)."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
