"""How a resource declares its fields (vinyasa.protocol.resources renders them): a column, a value
computed from the row, a reference, a list of references (loaded, children, a link table), a loaded
value, records, a constant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinyasa.core.caller import Caller
from vinyasa.protocol.changes import Change

# Who is looking (the caller: user, connection, base URL, per-transaction cache): what computed
# fields and visibility filters need. Background renderers pass their own Caller and see what it sees.
Viewer = Caller


Batch = Callable[[Connection, Viewer, list[int]], Mapping[int, Any]]


@dataclass(frozen=True)
class Col:
    """A scalar read from the resource's own table, optionally converted for the wire."""

    column: str
    encode: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Derived:
    """A value computed from columns of the row and the viewer."""

    needs: tuple[str, ...]
    compute: Callable[[Mapping[str, Any], Viewer], Any]


@dataclass(frozen=True)
class Ref:
    """Another resource, named by a gid column of this table (null when the column is null).

    `sql` computes that column instead, as an expression over the row's table, named `{table}` in
    it (e.g. a correlated subquery for "the project's newest status"), still one query for any
    number of rows. `change`: rendering this field announces that Asana change (an `Asana-Change`
    response header).
    """

    column: str
    target: str
    sql: str | None = None
    change: Change | None = None


@dataclass(frozen=True)
class OneOf:
    """A reference that may point at one of several resource types (e.g. a membership's `member`,
    a user or a team): one gid column per type, of which at most one is set in a row."""

    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Link:
    """A list kept in a link table (`RefList.link`): the rows of `table` whose column `parent`
    names the row, each naming one target in column `target`, in the order of the columns
    `order`; with `where` (SQL on the link row, aliased `l`), only the rows meeting it."""

    table: str
    parent: str
    target: str
    order: tuple[str, ...]
    where: str | None = None


@dataclass(frozen=True)
class RefList:
    """An ordered list of other resources, loaded for many rows at once; or, with `column` (and no
    `load`), the one resource the row's own column names (none when it is null), read with the row;
    or, with `children` (and no `load`), the rows of the target's table whose column
    `children[0]` names the row, ordered by the columns `children[1]`; or, with `link`, the targets
    a link table lists for the row (a task's followers). Children and links are read with the
    columns their rendering needs in one statement (a custom field's enum options, a project's
    members), where `load` and rendering by gid cost two (on PostgreSQL two round trips), the
    second with an IN list as long as the lists."""

    target: str
    load: Batch | None = None
    column: str | None = None
    children: tuple[str, tuple[str, ...]] | None = None
    link: Link | None = None

    @property
    def with_targets(self) -> bool:
        """Whether the list is read together with its targets' columns (children or a link)."""
        return self.children is not None or self.link is not None


@dataclass(frozen=True)
class Value:
    """A plain value (scalar, list or dict) loaded for many rows at once; rows missing get `default`."""

    load: Batch
    default: Any = None


@dataclass(frozen=True)
class Records:
    """A list of small objects whose members reference resources, e.g. task `memberships`
    ([{project, section}]). `load` gives, per row, dicts of member name -> target gid (or None)."""

    members: dict[str, str]  # member name -> target resource type
    load: Batch


@dataclass(frozen=True)
class Const:
    """A field every row shows with the same value (a feature not built, or fixed by design): read
    from no table and copied into each item as is (shared, so never mutated)."""

    value: Any


def constant(value: Any) -> Const:
    """The one way to declare a constant field, e.g. `"hearts": constant([])`."""
    return Const(value)
