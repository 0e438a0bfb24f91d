"""Rich/plain text pairs in request bodies (notes/html_notes, text/html_text, description/...).

A body may give the rich form or the plain form, never both; the rich form is validated by
`vinyasa.richtext` and its @-mentions (`<a data-asana-gid>`) become links to this server.
"""

from __future__ import annotations

from sqlalchemy import select

from vinyasa import richtext
from vinyasa.core import Caller
from vinyasa.errors import InvalidRequest
from vinyasa.models import Project


def _permalink(ctx: Caller, gid: int) -> str | None:
    """A project's own permalink when the gid is a project, else None (the generic link is used)."""
    if ctx.conn.execute(select(Project.gid).where(Project.gid == gid)).first() is not None:
        return f"{ctx.base_url}/0/{gid}/list"
    return None


def stored_rich_text(
    ctx: Caller,
    rich: tuple[str, str | None],
    plain: tuple[str, str | None],
    allowed: frozenset[str] = richtext.BASIC_TAGS,
) -> str | None:
    """The rich text to store from (`html_field`, value) or (`text_field`, value); None if neither."""
    (rich_field, html), (plain_field, text) = rich, plain
    if html is not None and text is not None:
        raise InvalidRequest(f"You may only provide one of {plain_field} or {rich_field}")
    if html is not None:
        return richtext.normalize(
            rich_field, html, allowed, base_url=ctx.base_url, permalink=lambda gid: _permalink(ctx, gid)
        )
    if text is not None:
        return richtext.from_text(text)
    return None
