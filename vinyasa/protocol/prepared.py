"""PostgreSQL statements that vinyasa prepares itself, per connection (vinyasa.protocol.sql sends each
round trip's statements as one query of them: see `sql._together` and docs/performance.md, "PostgreSQL:
a round trip's statements as one query").
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import re
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import psycopg

# psycopg converts a statement's placeholders once and keeps the result, but not for a statement with
# more parameters than this (`psycopg._queries.MAX_CACHED_STATEMENT_PARAMS`): that one it parses
# again, in Python, on every execute.
DRIVER_CACHED_PARAMS = 50
CONTROL = frozenset({"BEGIN", "COMMIT"})  # sent as they are, never prepared
_PREPARED_PREFIX = "vinyasa_"  # the names of the statements `PreparedStatements` prepares
PREPARED_MAX = 100  # statements kept prepared per connection (psycopg's own default)
_SEEN_MAX = 1000  # statements whose first use a connection remembers (psycopg's: 100)
_PREPARED_PARAMS = DRIVER_CACHED_PARAMS  # a statement with more parameters is never prepared
_PREPARABLE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES"})
_PLACEHOLDER = re.compile("%%|%s")
_FIRST_WORD = re.compile(r"\s*(\w+)")


def _int_type(value: int) -> str:
    """The type psycopg declares for an int it sends: the smallest that holds it."""
    if -(2**15) <= value < 2**15:
        return "smallint"
    if -(2**31) <= value < 2**31:
        return "integer"
    return "bigint" if -(2**63) <= value < 2**63 else "numeric"


# The type a parameter is prepared with, by its Python type: the one psycopg declares when it sends
# such a value itself, so a statement types the same either way (`SELECT ?` starting a recursive CTE
# is an integer, not text). "unknown" (a str, a None) lets the server infer it from the statement.
_PARAM_TYPES: dict[type, str] = {
    bool: "boolean",
    float: "double precision",
    bytes: "bytea",
    decimal.Decimal: "numeric",
    datetime.date: "date",
}


def _param_type(value: Any) -> str:
    """The SQL type `value` is prepared with (see `_PARAM_TYPES`); a list: an array of the type of
    its widest int (as psycopg chooses) or of its first other value."""
    kind = type(value)
    if kind is int:
        return _int_type(value)
    if kind is datetime.datetime:
        return "timestamp with time zone" if value.tzinfo is not None else "timestamp"
    if kind is list:
        items = [v for v in value if v is not None]
        if not items or any(type(v) is list for v in items):
            return "unknown"
        if all(type(v) is int for v in items):
            return _int_type(max(max(items), -min(items) - 1)) + "[]"
        element = _param_type(items[0])
        return "unknown" if element == "unknown" else element + "[]"
    return _PARAM_TYPES.get(kind, "unknown")


@lru_cache(maxsize=1024)
def _preparable(statement: str) -> bool:
    """Whether a statement can be prepared: a query or a DML statement (PREPARE takes no other)."""
    first = _FIRST_WORD.match(statement)
    return first is not None and first.group(1).upper() in _PREPARABLE


@lru_cache(maxsize=1024)
def _prepared_forms(statement: str, types: tuple[str, ...]) -> tuple[str, str, str]:
    """An adapted statement's prepared name, its PREPARE and its EXECUTE (to be followed by the
    parameters' literals in parentheses, when it has any), for parameters of these types."""
    key = "\0".join((statement, *types)).encode()
    name = _PREPARED_PREFIX + hashlib.blake2b(key, digest_size=8).hexdigest()
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    body = _PLACEHOLDER.sub(number, statement)
    execute = f"EXECUTE {name}"
    declared = f"({', '.join(types)})" if types else ""
    # The line break ends a comment the statement may end with, before the `;` that follows it.
    return name, f"PREPARE {name}{declared} AS {body}\n", execute


class _FloatLiteral(psycopg.adapt.Dumper):
    """A float quoted as a float8 literal (`'-0.0'::float8`). psycopg's own quoting writes a bare
    number, which the server reads as numeric, and numeric has no negative zero."""

    oid = psycopg.postgres.types["float8"].oid

    def dump(self, obj: Any) -> bytes:
        return repr(float(obj)).encode()

    def quote(self, obj: Any) -> bytes:
        return b"'" + self.dump(obj) + b"'::float8"


class PreparedStatements:
    """One DBAPI connection's statements prepared by `vinyasa.protocol.sql`, least recently used first, and
    the client-side cursor that quotes their parameters (psycopg's `ClientCursor.mogrify`, the
    driver's own literal quoting) and sends their queries.

    As psycopg did: a statement is prepared when it runs again on the connection (the first time, it
    goes as plain SQL with its values quoted in), so a one-off (a multi-row INSERT of some number of
    rows) holds no plan on the server; never one with more than 50 parameters, or other than a query
    or DML statement. PREPARE is not transactional: a statement stays prepared when the transaction
    it ran in rolls back. A query that fails may have prepared some of its statements, so after a
    failure the connection's prepared statements are read again from `pg_prepared_statements`
    before its next query. Past `PREPARED_MAX`, the least recently used are deallocated at the head
    of the next query."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        # psycopg's own prepared statements stay off (vinyasa.db makes its connections so): its
        # rollback deallocates every prepared statement of the session, these included.
        driver.prepare_threshold = None
        self.cursor = psycopg.ClientCursor(driver)
        self.cursor.adapters.register_dumper(float, _FloatLiteral)
        self.names: OrderedDict[str, None] | None = OrderedDict()
        self.seen: OrderedDict[str, None] = OrderedDict()  # run once here, not prepared (yet)

    def _literal(self, value: Any) -> str:
        """`value` quoted as psycopg's `mogrify` quotes it, written here for the common kinds (an int,
        None, a bool, a str without backslash or NUL: `mogrify` was ~15% of a read's client CPU, as it
        parses a template and looks up a dumper per value); the rest through it.
        A doubled quote means a quote in either setting of `standard_conforming_strings`; a backslash
        does not, so such a str goes to libpq's escaping, which knows the connection's setting."""
        if type(value) is int:
            return str(value) if value >= 0 else f" {value}"  # psycopg's space: `- -1` is no comment
        if value is None:
            return "NULL"
        if isinstance(value, str) and type(value) is str and "\\" not in value and "\0" not in value:
            return "'" + value.replace("'", "''") + "'"
        if type(value) is bool:
            return "true" if value else "false"
        return self.cursor.mogrify("%s", (value,))

    def lost(self) -> None:
        """The last query failed: which statements it prepared is not known."""
        self.names = None

    def _known(self) -> OrderedDict[str, None]:
        if self.names is None:
            self.cursor.execute(
                "SELECT name FROM pg_prepared_statements WHERE starts_with(name, %s)", (_PREPARED_PREFIX,)
            )
            self.names = OrderedDict((name, None) for (name,) in self.cursor.fetchall())
        return self.names

    def _again(self, name: str) -> bool:
        """Whether the statement `name` ran on this connection before (remembering that it did)."""
        if name in self.seen:
            del self.seen[name]
            return True
        self.seen[name] = None
        if len(self.seen) > _SEEN_MAX:
            self.seen.popitem(last=False)
        return False

    def query(self, statements: list[tuple[str, tuple[Any, ...]]]) -> tuple[str, list[bool]]:
        """The one query that runs `statements`, and per result of it whether it is a statement's
        (not a PREPARE's or a DEALLOCATE's)."""
        names = self._known()
        head: list[str] = []
        body: list[str] = []
        used: set[str] = set()
        for statement, params in statements:
            if statement in CONTROL:
                body.append(statement)
                continue
            if len(params) <= _PREPARED_PARAMS and _preparable(statement):
                name, prepare, execute = _prepared_forms(statement, tuple(map(_param_type, params)))
                if name in names:
                    names.move_to_end(name)
                elif self._again(name):
                    head.append(prepare)
                    names[name] = None
                if name in names:
                    used.add(name)
                    body.append(f"{execute}({', '.join(map(self._literal, params))})" if params else execute)
                    continue
            # plain SQL (the line break ends a comment the statement may end with)
            body.append(self.cursor.mogrify(statement, params) + "\n")
        while len(names) > PREPARED_MAX and next(iter(names)) not in used:
            head.insert(0, f"DEALLOCATE {names.popitem(last=False)[0]}")
        return ";\n".join(head + body), [False] * len(head) + [True] * len(body)
