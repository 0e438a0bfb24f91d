"""Raw DBAPI reads for the hot paths: prepared SQL text, no expression building or result processing.

SQL is written with `?` placeholders and adapted per driver once. Reads run on the request's own
connection, so they see (and take part in) the request's transaction when one is open.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import greenlet
from sqlalchemy import ColumnElement, Connection, TextClause, bindparam, select, text
from sqlalchemy.exc import IntegrityError

from vinyasa.protocol.prepared import DRIVER_CACHED_PARAMS, PreparedStatements

# `IN (?, ?, ...)` / `NOT IN (...)`: a list of placeholders, nothing else, between the parentheses.
_IN_LIST = re.compile(r"\b(NOT\s+)?IN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)", re.IGNORECASE)

_Runs = tuple[tuple[int, int], ...]  # (index of the first parameter, how many) of each IN list


@lru_cache(maxsize=1024)
def _adapt(sql: str, dialect: str) -> tuple[str, _Runs]:
    """The statement as the driver takes it, and the IN lists whose values travel as one array.

    PostgreSQL: `%` is doubled (psycopg reads it as a placeholder marker) and `?` becomes `%s`. A
    statement with more than 50 parameters (long IN lists: a project's hundred members) has each
    `IN (?, ?, ...)` rewritten as `= ANY(?)` (`NOT IN`: `<> ALL(?)`, the same answer with NULLs),
    the list passed as one array: its text is then the same whatever the lists' lengths, so psycopg
    converts it once and prepares it once. Measured with psycopg 3.3 against a local PostgreSQL, per
    execute of a primary-key lookup: 60 values 232 -> 156 µs of client CPU, 200 values 478 -> 242;
    at 50 values or fewer the IN list is the cheaper (10 values: 53 against 65 µs), so those stay.
    SQLite takes the text as it is."""
    if dialect != "postgresql":
        return sql, ()
    runs: list[tuple[int, int]] = []
    pieces: list[str] = []
    done = 0
    if sql.count("?") > DRIVER_CACHED_PARAMS:
        for match in _IN_LIST.finditer(sql):
            runs.append((sql.count("?", 0, match.start()), match.group(0).count("?")))
            pieces += [sql[done : match.start()], "<> ALL(?)" if match.group(1) else "= ANY(?)"]
            done = match.end()
    pieces.append(sql[done:])
    return "".join(pieces).replace("%", "%%").replace("?", "%s"), tuple(runs)


def _params(params: Sequence[Any], runs: _Runs) -> tuple[Any, ...]:
    """`params` with each IN list's run of values packed into one list (see `_adapt`)."""
    if not runs:
        return tuple(params)
    packed: list[Any] = []
    done = 0
    for start, count in runs:
        packed += params[done:start]
        packed.append(list(params[start : start + count]))
        done = start + count
    packed += params[done:]
    return tuple(packed)


def marks(count: int) -> str:
    """`?, ?, ...` for an IN list of `count` values."""
    return ", ".join("?" * count)


_CURSOR = "vinyasa.cursor"  # pooled connection's info key: (its DBAPI connection, the shared cursor)


def _cursor(conn: Connection) -> Any:
    """The DBAPI cursor `fetch` and `execute` share on `conn`'s DBAPI connection, made on first use
    (a psycopg cursor costs ~5-10 µs of CPU to make and close, a whole statement ~20-30 µs; a
    sqlite3 one ~1 µs). Safe to share: a connection serves one request or job at a time, and both
    functions finish with the cursor (all rows read, or a write's row count) before returning."""
    fairy = conn.connection
    driver = fairy.dbapi_connection
    kept = fairy.info.get(_CURSOR)
    if kept is None or kept[0] is not driver:
        kept = fairy.info[_CURSOR] = (driver, fairy.cursor())
    return kept[1]


def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a read-only statement (or a write with RETURNING), as plain tuples. Inside `gather`
    on PostgreSQL, the statement waits to be sent with the other reads' next ones."""
    statement, runs = _adapt(sql, conn.dialect.name)
    gathered = _gathered(conn)
    if gathered is not None:
        answers: list[list[tuple[Any, ...]]] = gathered.parent.switch([(statement, _params(params, runs))])
        return answers[0]
    return _run(conn, statement, _params(params, runs))


def _run(conn: Connection, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """One adapted statement's rows: on PostgreSQL, sent with the writes waiting in front of it, as
    one query (`_together`); on SQLite, on `conn`'s shared cursor."""
    if conn.dialect.name == "postgresql":
        return _behind_pending(conn, [(statement, params)])[0][0]
    cursor = _cursor(conn)
    cursor.execute(statement, params)
    return list(cursor.fetchall())


# ---- statements that wait to travel with the next one (PostgreSQL's request writers) -------------
#
# A request's write transaction on PostgreSQL begins lazily (`begin_later`): its BEGIN, and every write
# whose answer nobody reads (`write`: an INSERT), wait on the connection and are sent in front of the
# next statement, in one query (`_together`): a POST /tasks saves a round trip for the BEGIN, one for
# its task row, one for its project row. Everything else that runs on the connection sends them first: a
# statement of this module, or one SQLAlchemy runs (`send_pending`, an engine event, vinyasa.db).
# `commit` sends what still waits with the COMMIT. A waiting write that fails raises at the statement
# it travels with: the request's transaction fails as it would have, one statement later.

_TUPLES_OK = 2  # libpq's PGRES_TUPLES_OK (psycopg.pq.ExecStatus.TUPLES_OK): a result with rows
_PREPARED = "vinyasa.prepared"  # pooled connection's info key: its PreparedStatements
_PENDING = "vinyasa.pending"  # Connection.info key: the statements waiting to be sent, while the
# transaction begun by `begin_later` lasts


def begin_later(conn: Connection) -> None:
    """Begin `conn`'s transaction with its first statement (the driver runs in autocommit: without
    this, nothing would be in a transaction). PostgreSQL only."""
    conn.info[_PENDING] = [("BEGIN", ())]


def _take_pending(conn: Connection) -> list[tuple[str, tuple[Any, ...]]]:
    pending: list[tuple[str, tuple[Any, ...]]] | None = conn.info.get(_PENDING)
    if not pending:
        return []
    conn.info[_PENDING] = []
    return pending


def send_pending(conn: Connection) -> None:
    """Send the statements waiting on `conn` now (before SQLAlchemy runs one of its own)."""
    pending = _take_pending(conn)
    if pending:
        _together(conn, pending)


def commit(conn: Connection) -> bool:
    """End the transaction begun by `begin_later`: what still waits is sent with a COMMIT, in one
    query. False when the driver must still commit (the statements were all sent already: its
    commit() sends the COMMIT); True when the COMMIT went (or nothing ever ran: nothing to commit)."""
    pending: list[tuple[str, tuple[Any, ...]]] | None = conn.info.pop(_PENDING, None)
    if pending is None or not pending:
        return False
    if pending == [("BEGIN", ())]:
        return True  # no statement ran: no transaction was ever opened
    _together(conn, [*pending, ("COMMIT", ())])
    return True


def discard(conn: Connection) -> None:
    """Forget what waits on `conn` (its transaction is being rolled back)."""
    conn.info.pop(_PENDING, None)


def write(conn: Connection, sql: str, params: Sequence[Any] = ()) -> None:
    """Run a write whose answer (rows, row count) nobody reads: inside a transaction begun by
    `begin_later`, it waits to travel with the next statement (errors raise there); otherwise, or on
    SQLite, it runs now. A constraint violation raises SQLAlchemy's IntegrityError either way."""
    statement, runs = _adapt(sql, conn.dialect.name)
    pending: list[tuple[str, tuple[Any, ...]]] | None = conn.info.get(_PENDING)
    if pending is not None:
        pending.append((statement, _params(params, runs)))
        return
    if conn.dialect.name == "postgresql":
        _together(conn, [(statement, _params(params, runs))])
        return
    try:
        _cursor(conn).execute(statement, _params(params, runs))
    except conn.dialect.loaded_dbapi.IntegrityError as exc:  # as a waiting write's failure raises
        raise IntegrityError(statement, params, exc) from exc


def _together(conn: Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[list[Any], int]]:
    """Each statement's rows and row count, the statements sent together in one round trip. A
    constraint violation raises SQLAlchemy's IntegrityError (as a write run at once by vinyasa.db
    does: a waiting write fails here, and its callers catch that).

    They travel as one simple-protocol query: `EXECUTE name(literals); ...`, a statement prepared
    when it runs again on the connection (`PREPARE name(types) AS ...` at the head of the query; see
    vinyasa.protocol.prepared). Until the fifteenth session they were a psycopg pipeline, which drove
    the socket once per statement (a poll and a send each, and its per-statement bookkeeping):
    measured on 8 primary-key reads against a local PostgreSQL, 350-510 µs of client CPU and 200-275
    µs of the server's, against 170-180 µs and 175-240 µs this way. As in a pipeline, the statements up to
    a failing one run, the rest do not, and the transaction (BEGIN/COMMIT among them, or the
    implicit one of a query without them) decides what stays."""
    fairy = conn.connection
    driver = fairy.dbapi_connection
    assert driver is not None
    kept: PreparedStatements | None = fairy.info.get(_PREPARED)
    if kept is None or kept.driver is not driver:
        kept = fairy.info[_PREPARED] = PreparedStatements(driver)
    try:
        cursor = kept.cursor
        query, wanted_results = kept.query(statements)
        cursor.execute(query)
        answers: list[tuple[list[Any], int]] = []
        for i, wanted in enumerate(wanted_results):
            if i and not cursor.nextset():
                raise RuntimeError("fewer results than statements")
            if wanted:
                answers.append((list(cursor.fetchall()) if _has_rows(cursor) else [], int(cursor.rowcount)))
        if cursor.nextset():  # a statement held two (a `;` in its text): every answer would be shifted
            raise RuntimeError("more results than statements: a statement holds more than one command")
        return answers
    except BaseException as exc:
        kept.lost()
        if isinstance(exc, conn.dialect.loaded_dbapi.IntegrityError):
            raise IntegrityError("; ".join(q for q, _ in statements), None, exc) from exc
        raise


def _has_rows(cursor: Any) -> bool:
    """Whether the cursor's current result holds rows (a SELECT, or a write with RETURNING): told by
    its status, where `cursor.description` would build a Column object per column to say so (a
    quarter of a project render's CPU)."""
    result = cursor.pgresult
    return result is not None and result.status == _TUPLES_OK


class _Gathered(greenlet.greenlet):  # type: ignore[misc]  # greenlet ships no types
    """One of `gather`'s calls: its reads on `conn` are handed to `gather` to send together."""

    def __init__(self, run: Callable[[], Any], conn: Connection) -> None:
        super().__init__(run)
        self.conn = conn
        self.gr_context = greenlet.getcurrent().gr_context  # the caller's context variables


def _gathered(conn: Connection) -> _Gathered | None:
    """The `gather` call running now, when it reads on `conn` (its reads are handed to `gather`)."""
    here = greenlet.getcurrent()
    return here if isinstance(here, _Gathered) and here.conn is conn else None


def gather(conn: Connection, *calls: Callable[[], Any]) -> list[Any]:
    """Run independent calls that read through `fetch` on `conn`; their results, in order.

    On PostgreSQL each call runs until it waits for a read; the reads all the calls wait for are
    then sent together (one round trip for them all: one query, `_together`) and each call
    goes on with its rows, until every call has returned. A round trip to a local server costs a
    few hundred microseconds on the project's machines, far more than a small read itself, so
    rendering a project (its row, members, portfolios, custom fields: independent reads) costs one
    round trip instead of five. The calls must not depend on each other's effects; anything they
    run other than `fetch` on `conn` runs at once, as outside. SQLite has no round trips: there
    the calls simply run one after another. An exception in a call propagates (the rest are
    dropped)."""
    if conn.dialect.name != "postgresql" or len(calls) < 2:
        return [call() for call in calls]
    results: list[Any] = [None] * len(calls)
    children = [_Gathered(call, conn) for call in calls]
    try:
        asks = [(i, child.switch()) for i, child in enumerate(children)]
        while True:
            waiting = []
            for i, asked in asks:
                if children[i].dead:
                    results[i] = asked
                else:
                    waiting.append((i, asked))
            if not waiting:
                return results
            answers = _send([asked for _, asked in waiting], conn)
            asks = [(i, children[i].switch(rows)) for (i, _), rows in zip(waiting, answers, strict=True)]
    finally:
        for child in children:  # after an error: end the calls still waiting (their finally blocks run)
            if not child.dead:
                child.throw(greenlet.GreenletExit)


def _send(
    asks: list[list[tuple[str, tuple[Any, ...]]]], conn: Connection
) -> list[list[list[tuple[Any, ...]]]]:
    """Each call's statements answered: in one round trip, or, when this gather is itself one of an
    outer gather's calls on the same connection, handed on to be sent with the outer calls' reads."""
    flat: list[tuple[str, tuple[Any, ...]]] = []
    where: list[list[int]] = []  # per call, the positions of its statements' answers in `flat`
    shared: dict[tuple[str, tuple[Any, ...]], int] = {}
    for asked in asks:
        if len(asked) == 1 and _shareable(asked[0]):  # one read: the same read of another call answers it
            at = shared.setdefault(asked[0], len(flat))
            if at == len(flat):
                flat.append(asked[0])
            where.append([at])
        else:
            where.append(list(range(len(flat), len(flat) + len(asked))))
            flat.extend(asked)
    gathered = _gathered(conn)
    if gathered is not None:
        rows: list[list[tuple[Any, ...]]] = gathered.parent.switch(flat)
    else:
        rows = _round_trip(conn, flat)
    return [[list(rows[at]) for at in positions] for positions in where]


_SEQUENCE_CALL = re.compile(r"\b(nextval|setval)\s*\(", re.IGNORECASE)
_SHARED_KINDS = frozenset({int, str, type(None)})


def _shareable(statement: tuple[str, tuple[Any, ...]]) -> bool:
    """Whether two of `gather`'s calls asking this same statement may share one answer: a SELECT that
    takes no value from a sequence, whose parameters are ints, strs or Nones (values Python finds equal
    but the server reads differently, `1` and `True`, `0.0` and `-0.0`, would otherwise share).
    Two renderers of one request read a task's memberships (its `memberships` and `projects`) through
    the request's cache: both ask before either has an answer to keep. `gather`'s calls are reads,
    independent of each other's effects."""
    text, params = statement
    if not text.startswith("SELECT") or _SEQUENCE_CALL.search(text):
        return False
    return all(type(p) in _SHARED_KINDS for p in params)


def _round_trip(conn: Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> list[list[Any]]:
    """Each statement's rows, the statements sent together (behind the writes waiting on `conn`)."""
    return [rows for rows, _ in _behind_pending(conn, statements)]


def _behind_pending(
    conn: Connection, statements: list[tuple[str, tuple[Any, ...]]]
) -> list[tuple[list[Any], int]]:
    """Each statement's rows and row count, sent in one round trip behind the writes waiting on
    `conn` (PostgreSQL)."""
    pending = _take_pending(conn)
    return _together(conn, [*pending, *statements])[len(pending) :]


def fetch_all(
    conn: Connection, statements: Sequence[tuple[str, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    """Each statement's rows, the statements run in the order given, each seeing what the ones before
    it did (PostgreSQL: a new snapshot a statement, as always). On PostgreSQL they travel together:
    one round trip (one query, `_together`), or, inside `gather`, with the other calls' reads. Unlike
    `gather`'s calls, the statements may depend on each other's effects (a lock, then what it
    guards), not on each other's rows. An error in one is raised; the ones after it do not run."""
    dialect = conn.dialect.name
    adapted = [
        (a, _params(params, runs)) for (a, runs), params in ((_adapt(q, dialect), p) for q, p in statements)
    ]
    if dialect != "postgresql":
        return [_run(conn, *statement) for statement in adapted]
    return _send([adapted], conn)[0]


def fetch_value(conn: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row, or None."""
    rows = fetch(conn, sql, params)
    return rows[0][0] if rows else None


def execute(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one write statement on the request's own connection; the number of rows it changed."""
    statement, runs = _adapt(sql, conn.dialect.name)
    if conn.dialect.name == "postgresql":
        return _behind_pending(conn, [(statement, _params(params, runs))])[0][1]
    cursor = _cursor(conn)
    cursor.execute(statement, _params(params, runs))
    return int(cursor.rowcount)


@lru_cache(maxsize=512)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})"


def insert(conn: Connection, table: str, values: Mapping[str, Any]) -> None:
    """Insert one row of plain values (numbers, strings, booleans, None: no type conversion) into
    `table`, as prepared SQL: a few microseconds, where building `insert(Model).values(...)` costs
    ~150 us a call. Its answer is not read: it may wait to travel with the next statement (`write`)."""
    write(conn, _insert_sql(table, tuple(values)), list(values.values()))


def execute_many(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one write statement for many parameter rows, on the request's own connection."""
    if not rows:
        return
    send_pending(conn)
    cursor = conn.connection.cursor()
    try:
        statement, runs = _adapt(sql, conn.dialect.name)
        cursor.executemany(statement, [_params(r, runs) for r in rows])
    finally:
        cursor.close()


_ROWS_PER_INSERT = 200  # rows of one multi-row INSERT (parameters: far below either database's limit)


@lru_cache(maxsize=256)
def _insert_rows_sql(table: str, columns: tuple[str, ...], count: int) -> str:
    row = f"({marks(len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"


def insert_rows(
    conn: Connection, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows of plain values as multi-row `INSERT ... VALUES (...), (...)` statements: one
    statement (one round trip to PostgreSQL) for up to 200 rows, where `execute_many` runs the
    statement once a row."""
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        write(conn, _insert_rows_sql(table, columns, len(chunk)), [v for row in chunk for v in row])


def clause(fragment: str, params: Sequence[Any]) -> TextClause:
    """A `?`-placeholder SQL condition as a SQLAlchemy clause, so one condition serves prepared SQL
    and expression-built queries alike."""
    pieces = fragment.split("?")
    if len(pieces) - 1 != len(params):
        raise ValueError("placeholders and parameters differ in number")
    names = [f"_q{i}" for i in range(len(params))]
    sql_text = pieces[0] + "".join(f":{n}" + rest for n, rest in zip(names, pieces[1:], strict=True))
    return text(sql_text).bindparams(*(bindparam(n, v) for n, v in zip(names, params, strict=True)))


@dataclass(frozen=True)
class Fragment:
    """A SQLAlchemy condition rendered once as `?`-placeholder SQL text (see `fragment`)."""

    text: str
    names: tuple[str, ...]  # the bind parameter behind each `?`, in order
    values: Mapping[str, Any]  # the condition's own constants

    def params(self, **given: Any) -> list[Any]:
        """The values for the `?`s: `given` for the named parameters, the constants for the rest."""
        return [given[n] if n in given else self.values[n] for n in self.names]


def _compile(stmt: Any, dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    module = postgresql if dialect == "postgresql" else sqlite
    return stmt.compile(dialect=module.dialect(paramstyle="qmark"))


def fragment(table: Any, condition: ColumnElement[bool], dialect: str) -> Fragment:
    """`condition` on `table` (referred to by its own name, unaliased) as prepared SQL text for
    `dialect`, so a hot query can embed a rule written once as an expression without building or
    cache-keying it per request (~0.5-1 ms for a visibility rule). Callers keep the result (it is
    the same for every request); named bind parameters (`bindparam("viewer")`) are filled by
    `Fragment.params`."""
    key = next(iter(table.primary_key.columns))
    compiled = _compile(select(key).where(condition), dialect)
    prefix = f"SELECT {table.name}.{key.name} \nFROM {table.name} \nWHERE "
    text_ = str(compiled)
    if not text_.startswith(prefix):
        raise ValueError(f"cannot render the condition on {table.name} alone")
    names = tuple(compiled.positiontup or ())
    return Fragment(text_[len(prefix) :], names, dict(compiled.params))


@dataclass(frozen=True)
class Prepared(Fragment):
    """A whole SQLAlchemy SELECT rendered once as `?`-placeholder SQL text (see `prepare`)."""

    row: Any  # a namedtuple class of the selected columns

    def first(self, conn: Connection, **given: Any) -> Any:
        """The first row (attributes named as the selected columns), or None."""
        rows = fetch(conn, self.text, self.params(**given))
        return self.row(*rows[0]) if rows else None


def prepare(stmt: Any, dialect: str) -> Prepared:
    """A SELECT built once (with named bind parameters) as prepared SQL text for `dialect`: running
    it skips SQLAlchemy's per-execution work (cache-key hashing, result processing: ~100-300 us
    for a statement carrying a visibility rule). Only for columns whose values need no type
    processing (gids, numbers, strings); callers keep the result."""
    compiled = _compile(stmt, dialect)
    for column in stmt.selected_columns:
        if column.type.result_processor(compiled.dialect, None) is not None:
            raise ValueError(f"{column} needs SQLAlchemy's result processing")
    row = namedtuple("Row", [c.key for c in stmt.selected_columns])  # type: ignore[misc]
    return Prepared(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params), row)
