"""The recorder: the last N API requests, as the control plane lists them.

Each entry: `seq` (increasing), `at` (the clock's ISO time), `method`, `path` (relative to
/api/1.0), `query` (as a list of [name, value] pairs, repeated keys kept), `body` (the parsed JSON
body, the form fields, or the raw text; cut at 64 KiB), `status`, `latency_ms`, `token_id` (the
first 12 hex digits of the token's SHA-256, as `GET /_vinyasa/requests?token=` matches it), `user`
(the token's user gid, when it was valid) and `fault` (the id of the fault rule that answered).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

BODY_LIMIT = 64 * 1024


def parse_body(raw: bytes, content_type: str) -> Any:
    """A recorded body: JSON as a value, form fields as an object, anything else as text."""
    if not raw:
        return None
    raw = raw[:BODY_LIMIT]
    if "json" in content_type:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    elif "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return raw.decode("utf-8", "replace")


@dataclass
class Recorder:
    """A bounded ring of request records (thread-safe)."""

    size: int = 1000
    entries: deque[dict[str, Any]] = field(init=False)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.size)

    def add(self, entry: dict[str, Any]) -> None:
        """Keep one record (the oldest goes once `size` are kept)."""
        with self._lock:
            entry["seq"] = next(self._seq)
            self.entries.append(entry)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self.entries.clear()

    def select(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        token_id: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Records oldest first, filtered: exact method, path prefix, exact status, token."""
        with self._lock:
            found = [
                e
                for e in self.entries
                if (method is None or e["method"] == method.upper())
                and (path is None or e["path"].startswith(path))
                and (status is None or e["status"] == status)
                and (token_id is None or e["token_id"] == token_id)
            ]
        return found[-limit:] if limit else found
