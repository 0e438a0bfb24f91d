"""Faults: rules that make API requests fail or slow down on purpose.

A rule names a method (`*` for any) and a path pattern relative to `/api/1.0` (`*` stands for one
path segment, `**` for any rest: `/projects/*`, `/tasks/**`), and what to do to the requests it
matches: answer `status` (429 with `Retry-After: retry_after`, 500 with Asana's `phrase`, or any
4xx/5xx with Asana's envelope) and/or add `latency_ms`. `times` limits how often it fires (the next
3 requests), `every` fires on every Nth matching request only. Counting is per attempt: an SDK's
silent retry is one more matching request.

A faulted request never reaches its route, so it changes nothing. Rules are tried in the order they
were added; every matching rule counts the request; latencies of firing rules add up; the first
firing rule with a status answers.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vinyasa.errors import RateLimited, error_response

METHODS = frozenset({"*", "GET", "POST", "PUT", "DELETE", "PATCH"})
_MESSAGES = {
    400: "Bad Request",
    401: "Not Authorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    500: "Server Error",
    503: "Service Unavailable",
}


class FaultSpec(BaseModel):
    """A rule as the client gives it (`POST /_vinyasa/faults`)."""

    model_config = ConfigDict(extra="forbid")

    method: str = "*"
    path: str = Field(min_length=1, max_length=512)
    status: int | None = Field(default=None, ge=400, le=599)
    retry_after: int = Field(default=1, ge=0, le=86_400)  # seconds, with status 429
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    times: int | None = Field(default=None, ge=1)
    every: int = Field(default=1, ge=1)
    message: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _checked(self) -> FaultSpec:
        self.method = self.method.upper()
        if self.method not in METHODS:
            raise ValueError(f"method: one of {', '.join(sorted(METHODS))}")
        if not self.path.startswith("/"):
            raise ValueError("path: a pattern starting with / (relative to /api/1.0)")
        if self.status is None and not self.latency_ms:
            raise ValueError("status: give a status, a latency_ms, or both")
        return self


def _pattern(path: str) -> re.Pattern[str]:
    parts = []
    for segment in path.rstrip("/").split("/"):
        if segment == "**":
            parts.append(".*")
        else:
            parts.append("[^/]*".join(re.escape(piece) for piece in segment.split("*")))
    return re.compile("/".join(parts) + "/?")


@dataclass
class Fault:
    """A rule and its counters: `seen` matching requests, `fired` of them faulted."""

    id: str
    spec: FaultSpec
    regex: re.Pattern[str]
    seen: int = 0
    fired: int = 0

    def view(self) -> dict[str, Any]:
        """The rule as the API lists it."""
        return {
            "id": self.id,
            **self.spec.model_dump(),
            "seen": self.seen,
            "fired": self.fired,
            "remaining": None if self.spec.times is None else self.spec.times - self.fired,
        }


@dataclass
class Outcome:
    """What the matching rules decided for one request."""

    latency_ms: int = 0
    status: int | None = None
    fault: Fault | None = None


@dataclass
class FaultBook:
    """The active rules (thread-safe: the CLI's server and tests may add rules while requests run)."""

    faults: list[Fault] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, spec: FaultSpec) -> Fault:
        """Add a rule after the others."""
        with self._lock:
            fault = Fault(str(next(self._ids)), spec, _pattern(spec.path))
            self.faults.append(fault)
            return fault

    def remove(self, fault_id: str) -> bool:
        """Remove one rule; False when there is none with that id."""
        with self._lock:
            kept = [f for f in self.faults if f.id != fault_id]
            found = len(kept) != len(self.faults)
            self.faults = kept
            return found

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.faults = []

    def decide(self, method: str, path: str) -> Outcome:
        """Count this request against every matching rule and say what happens to it (`path` is
        relative to /api/1.0)."""
        outcome = Outcome()
        with self._lock:
            for fault in self.faults:
                spec = fault.spec
                if spec.method not in ("*", method) or not fault.regex.fullmatch(path):
                    continue
                fault.seen += 1
                exhausted = spec.times is not None and fault.fired >= spec.times
                if exhausted or fault.seen % spec.every:
                    continue
                fault.fired += 1
                outcome.latency_ms += spec.latency_ms
                if spec.status is not None and outcome.status is None:
                    outcome.status, outcome.fault = spec.status, fault
        return outcome


def answer(fault: Fault) -> Any:
    """The response a firing rule gives: Asana's envelope for its status (429 with Retry-After,
    5xx with a `phrase`)."""
    spec = fault.spec
    assert spec.status is not None
    if spec.status == 429:
        limited = RateLimited(spec.retry_after)
        return error_response(429, spec.message or limited.message, limited.headers)
    return error_response(spec.status, spec.message or _MESSAGES.get(spec.status, "Server Error"))
