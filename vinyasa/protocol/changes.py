"""Asana's announced API changes: the `Asana-Change` response header and the `Asana-Enable` /
`Asana-Disable` request headers (digest §A.12; developers.asana.com/docs/deprecations).

A change has a name and an info URL. A request that uses or reads something a change affects gets
`Asana-Change: name=<name>;info=<url>;affected=true` (several changes comma-separated). A client that
sends `Asana-Disable: <name>` keeps the old behaviour for that request and is no longer told about
the change; unknown names are ignored. Code anywhere (routes, services, the projection engine) notes
a change with `announce`; the response adds the header once (vinyasa.protocol.context).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

KEY = "asana_change"  # where a request's notices are kept in its cache


@dataclass(frozen=True)
class Change:
    """One announced change, as its `Asana-Change` entry names it."""

    name: str
    info: str

    def entry(self) -> str:
        """This change's entry in the `Asana-Change` header."""
        return f"name={self.name};info={self.info};affected=true"


class Noted(Protocol):
    """Anything with a per-request cache (the request context, a projection viewer)."""

    cache: dict[Any, Any]


def announce(noted: Noted, change: Change) -> None:
    """Note that this request is affected by `change` (reported once, in the response header)."""
    notices: dict[str, Change] = noted.cache.setdefault(KEY, {})
    notices.setdefault(change.name, change)


def names(header: str | None) -> frozenset[str]:
    """The change names of an `Asana-Enable` / `Asana-Disable` header value (comma-separated)."""
    if not header:
        return frozenset()
    return frozenset(part.strip() for part in header.split(",") if part.strip())


def header(noted: Noted, disabled: frozenset[str]) -> str | None:
    """The `Asana-Change` value for what this request announced, minus the changes it disabled."""
    notices: dict[str, Change] | None = noted.cache.get(KEY)
    if not notices:
        return None
    entries = [c.entry() for name, c in notices.items() if name not in disabled]
    return ", ".join(entries) or None


# The changes vinyasa follows.
TEAMLESS_PROJECTS = Change("teamless_projects", "https://forum.asana.com/t/change-teamless-projects/929205")
PROJECT_TEAM_SHARING = Change(
    "project_team_sharing", "https://forum.asana.com/t/change-project-team-sharing-is-coming/740939"
)
