"""Wire formats for timestamps, dates and lists of identifiers."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from vinyasa.errors import InvalidRequest

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_ms() -> int:
    """The current UTC time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


def iso_ms(ms: int | None) -> str | None:
    """Epoch milliseconds as Asana's `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
    if ms is None:
        return None
    t = _EPOCH + timedelta(milliseconds=ms)  # exact, and valid before 1970 too
    # Formatted by hand: strftime's %Y does not pad years before 1000 to four digits.
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{ms % 1000:03d}Z"
    )


def parse_datetime_ms(field: str, value: str) -> int:
    """Any ISO 8601 date-time (offset or `Z`) as epoch milliseconds; naive means UTC."""
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequest(f"{field}: Not a valid ISO 8601 date-time: {value[:64]}") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (stamp - _EPOCH) // timedelta(milliseconds=1)  # exact, no float rounding


def parse_date(field: str, value: str) -> str:
    """A `YYYY-MM-DD` date, validated and returned in canonical form."""
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_date(field, value)
    except ValueError:
        return _bad_date(field, value)


def _bad_date(field: str, value: str) -> str:
    raise InvalidRequest(f"{field}: Not a valid date (YYYY-MM-DD): {value[:64]}")


def split_list(value: str | list[str] | None) -> list[str]:
    """A list field given as a JSON array or a comma-separated string, trimmed, empties dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]
