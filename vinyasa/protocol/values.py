"""Wire formats for timestamps, dates, booleans, integers and lists of identifiers.

Exactly the forms Asana documents are accepted, so what is stored can always be rendered again:
dates are `YYYY-MM-DD`; date-times are ISO 8601 `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:MM]]` (naive
means UTC) whose UTC instant lies in years 0001-9999; booleans are JSON `true`/`false` or the
strings `true`/`false`/`True`/`False` (form bodies, query strings; the SDKs send `True`);
integers are ASCII digits. Anything else is a 400 naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

# Re-exported for code written before the clock moved; new code imports vinyasa.core.clock.
from vinyasa.core.clock import now_ms as now_ms
from vinyasa.errors import InvalidRequest

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_MS = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


def iso_ms(ms: int | None) -> str | None:
    """Epoch milliseconds as Asana's `YYYY-MM-DDTHH:MM:SS.mmmZ`.

    Input validation keeps stored instants within years 0001-9999; one stored before that rule
    renders as the nearest instant that can be written rather than failing every read."""
    if ms is None:
        return None
    try:
        t = _EPOCH + timedelta(milliseconds=ms)  # exact, and valid before 1970 too
    except OverflowError:
        ms = _LAST_MS if ms > 0 else _FIRST_MS
        t = _EPOCH + timedelta(milliseconds=ms)
    # Formatted by hand: strftime's %Y does not pad years before 1000 to four digits.
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{ms % 1000:03d}Z"
    )


def parse_datetime_ms(field: str, value: str) -> int:
    """An ISO 8601 date-time (offset or `Z`; naive means UTC) as epoch milliseconds.

    400 `<field>: Not a valid ISO 8601 date-time` for any other form, an impossible date or time,
    or an instant outside years 0001-9999 in UTC (`9999-12-31T23:59:59-01:00`), which could be
    stored but never rendered."""
    try:
        if not _DATETIME.fullmatch(value):
            raise ValueError(value)
        stamp = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidRequest(f"{field}: Not a valid ISO 8601 date-time: {value[:64]}") from None
    return (stamp - _EPOCH) // timedelta(milliseconds=1)  # exact, no float rounding


def parse_date(field: str, value: str) -> str:
    """A `YYYY-MM-DD` date (ASCII digits; no week or ordinal dates), validated, in canonical form."""
    try:
        return date.fromisoformat(value).isoformat() if _DATE.fullmatch(value) else _bad_date(field, value)
    except ValueError:
        return _bad_date(field, value)


def _bad_date(field: str, value: str) -> str:
    raise InvalidRequest(f"{field}: Not a valid date (YYYY-MM-DD): {value[:64]}")


def check_span(field: str, start: str | None, due: str | None) -> None:
    """A start date must come before its due date (both `YYYY-MM-DD`; nothing to check when one is
    None): 400 `<field>: start_on and due_on cannot be the same date` or `<field>: start_on must
    be before due_on` (Asana's answers for projects and portfolios)."""
    if start is None or due is None:
        return
    if start == due:
        raise InvalidRequest(f"{field}: start_on and due_on cannot be the same date")
    if start > due:
        raise InvalidRequest(f"{field}: start_on must be before due_on")


def split_list(value: str | list[str] | None) -> list[str]:
    """A list field given as a JSON array or a comma-separated string, trimmed, empties dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def parse_int(value: str) -> int | None:
    """A non-negative integer written in ASCII digits only (not `+5`, `1_0` or `٥`), else None."""
    return int(value) if value.isascii() and value.isdigit() else None


def parse_bool(value: Any) -> bool | None:
    """JSON `true`/`false`, or the strings `true`/`false`/`True`/`False`; None for anything else."""
    if isinstance(value, bool):
        return value
    return _BOOLEANS.get(value) if isinstance(value, str) else None


def _boolean(value: Any) -> bool:
    parsed = parse_bool(value)
    if parsed is None:
        raise PydanticCustomError("bool_parsing", "Not a boolean")
    return parsed


# A boolean field of a request body or query string: only the forms `parse_bool` accepts.
Boolean = Annotated[bool, BeforeValidator(_boolean)]
