"""Project statuses, status updates and project briefs on the wire, and the bodies they take.

One status, two views. Asana's legacy project statuses (`color`) and its status updates
(`status_type`) describe the same thing; vinyasa stores one row per status holding both, so a status
posted through either API is the project's `current_status` and `current_status_update`, is listed
by both list endpoints, and is deleted from both by either delete. Where Asana documents no mapping,
vinyasa's is (`STATUS_TO_COLOR`, `COLOR_TO_STATUS`):

    on_track <-> green     at_risk <-> yellow     off_track <-> red
    on_hold  <-> blue      complete <-> complete  dropped   --> complete

`dropped` is a closing state like `complete` and the legacy colours have nothing closer, so a dropped
status reads as `complete` through `/project_statuses`; the colour `complete` posted there reads as
`complete` through `/status_updates`. The row keeps whatever `status_type` was posted, so a dropped
status stays `dropped` in the status-update view.

Other vinyasa choices where Asana is silent: `text` (or `html_text`) and `color`/`status_type` are
required, `title` defaults to ""; `text` and `html_text` together are a 400 (as for briefs);
"newest" is creation order, and deleting the newest makes the previous one current again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinyasa import richtext
from vinyasa.models import ProjectBrief, Status
from vinyasa.protocol.resources import Resource
from vinyasa.protocol.specs import Col, Derived, OneOf, Ref, Viewer, constant
from vinyasa.protocol.values import iso_ms

STATUS_TO_COLOR: dict[str, str] = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "on_hold": "blue",
    "complete": "complete",
    "dropped": "complete",
}
COLOR_TO_STATUS: dict[str, str] = {
    "green": "on_track",
    "yellow": "at_risk",
    "red": "off_track",
    "blue": "on_hold",
    "complete": "complete",
}
# Valid `status_type`s of a project's or a portfolio's status update (Asana's StatusUpdateBase).
PROJECT_STATUS_TYPES = tuple(STATUS_TO_COLOR)
Color = Literal["green", "yellow", "red", "blue", "complete"]


def _subtype(row: Mapping[str, Any], _viewer: Viewer) -> str:
    return "project_status_update" if row["portfolio_gid"] is None else "portfolio_status_update"


def _text(row: Mapping[str, Any], _viewer: Viewer) -> str:
    return richtext.to_text(row["html_text"])


PROJECT_STATUS = Resource(
    "project_status",
    Status.__table__,
    {
        "title": Col("title"),
        "text": Derived(("html_text",), _text),
        "html_text": Col("html_text"),
        "color": Col("color"),
        "author": Ref("author_gid", "user"),
        "created_at": Col("created_at", iso_ms),
        "created_by": Ref("author_gid", "user"),
        "modified_at": Col("modified_at", iso_ms),
    },
    compact=("title",),
    opt_in=frozenset({"html_text"}),
)

STATUS_UPDATE = Resource(
    "status_update",
    Status.__table__,
    {
        "title": Col("title"),
        "resource_subtype": Derived(("portfolio_gid",), _subtype),
        "text": Derived(("html_text",), _text),
        "html_text": Col("html_text"),
        "status_type": Col("status_type"),
        "author": Ref("author_gid", "user"),
        "created_at": Col("created_at", iso_ms),
        "created_by": Ref("author_gid", "user"),
        # Likes, hearts and reactions are not built: nobody has liked a status yet.
        "hearted": constant(False),
        "hearts": constant([]),
        "liked": constant(False),
        "likes": constant([]),
        "reaction_summary": constant([]),
        "modified_at": Col("modified_at", iso_ms),
        "num_hearts": constant(0),
        "num_likes": constant(0),
        "parent": OneOf((Ref("project_gid", "project"), Ref("portfolio_gid", "portfolio"))),
    },
    compact=("title", "resource_subtype"),
    opt_in=frozenset({"html_text"}),
)


def _brief_permalink(row: Mapping[str, Any], viewer: Viewer) -> str:
    return f"{viewer.base_url}/0/{row['project_gid']}/{row['gid']}"


PROJECT_BRIEF = Resource(
    "project_brief",
    ProjectBrief.__table__,
    {
        "title": Col("title"),
        "html_text": Col("html_text"),
        "text": Derived(("html_text",), _text),
        "permalink_url": Derived(("gid", "project_gid"), _brief_permalink),
        "project": Ref("project_gid", "project"),
    },
    compact=(),
    opt_in=frozenset({"text"}),
)


# ---- bodies -----------------------------------------------------------------------------------


class RichFields(BaseModel):
    """`title` and the rich/plain text pair every status and brief body carries."""

    model_config = ConfigDict(extra="ignore")
    title: str | None = Field(default=None, max_length=1024)
    text: str | None = Field(default=None, max_length=65536)
    html_text: str | None = Field(default=None, max_length=65536)


class ProjectStatusFields(RichFields):
    """ProjectStatusRequest."""

    color: Color | None = None


class StatusUpdateFields(RichFields):
    """StatusUpdateRequest; `status_type` is checked against the parent's type in the service."""

    status_type: str | None = Field(default=None, max_length=32)
    parent: str | None = Field(default=None, max_length=64)


class BriefFields(RichFields):
    """ProjectBriefRequest."""
