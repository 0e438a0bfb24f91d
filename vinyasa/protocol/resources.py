"""Resource representations and the one projection engine (compact/full, opt-in, opt_fields paths).

A resource declares its fields once; `project` turns gids into response dicts with batched queries
(one per table and nesting level, never one per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, FromClause

from vinyasa.protocol import sql
from vinyasa.protocol.fields import FieldTree


class Viewer(Protocol):
    """Who is looking, and where the server lives: what computed fields need."""

    user_gid: int
    base_url: str


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

    `sql` computes that column instead, as an expression over the row's table (e.g. a correlated
    subquery for "the project's newest status"), still one query for any number of rows.
    """

    column: str
    target: str
    sql: str | None = None


@dataclass(frozen=True)
class RefList:
    """An ordered list of other resources, loaded for many rows at once."""

    target: str
    load: Batch


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


FieldSpec = Col | Derived | Ref | RefList | Value | Records


@dataclass
class Resource:
    """How one resource type looks on the wire: its fields, compact set and opt-in fields."""

    resource_type: str
    table: FromClause
    fields: dict[str, FieldSpec]
    compact: tuple[str, ...]
    opt_in: frozenset[str] = frozenset()
    register: bool = True
    full: tuple[str, ...] = field(init=False)
    table_name: str = field(init=False)

    def __post_init__(self) -> None:
        self.table_name = str(getattr(self.table, "name"))  # noqa: B009 - FromClause is typed without it
        self.full = ("resource_type", *(n for n in self.fields if n not in self.opt_in))
        self.compact = ("resource_type", *self.compact)
        if self.register:
            REGISTRY[self.resource_type] = self

    def view(self, names: tuple[str, ...]) -> Resource:
        """A narrower representation of the same resource (e.g. UserBaseResponse), not registered."""
        fields = {n: self.fields[n] for n in names}
        compact = tuple(n for n in self.compact if n in fields)
        return Resource(self.resource_type, self.table, fields, compact, self.opt_in, register=False)


REGISTRY: dict[str, Resource] = {}

# Sub-selection for a field: None = the default representation, {} = bare reference, else a field tree.
_Sub = FieldTree | None
_BARE: FieldTree = {}


def _selection(resource: Resource, tree: _Sub, full: bool) -> dict[str, _Sub]:
    if tree is None:
        return dict.fromkeys(resource.full if full else resource.compact)
    if not tree:  # a bare reference: `opt_fields=owner`
        return {"resource_type": _BARE}
    return {name: sub for name, sub in tree.items() if name in resource.fields or name == "resource_type"}


def _trim(value: Any, sub: _Sub) -> Any:
    """Keep only the asked-for keys of plain nested objects (e.g. `photo.image_60x60`)."""
    if not sub:
        return value
    if isinstance(value, dict):
        return {k: _trim(v, sub[k]) for k, v in value.items() if k in sub}
    if isinstance(value, list):
        return [_trim(v, sub) for v in value]
    return value


def project(
    conn: Connection,
    viewer: Viewer,
    resource: Resource,
    gids: Sequence[int],
    tree: _Sub,
    *,
    full: bool,
) -> list[dict[str, Any]]:
    """Render `gids` of `resource` in order, honouring the field tree (None = default set)."""
    if not gids:
        return []
    selection = _selection(resource, tree, full)
    specs = {name: resource.fields[name] for name in selection if name in resource.fields}
    unique = list(dict.fromkeys(gids))

    columns: dict[str, str | None] = {}  # name -> SQL expression (None: the column itself)
    need_rows = False
    for spec in specs.values():
        if isinstance(spec, Col):
            columns[spec.column] = None
            need_rows = True
        elif isinstance(spec, Ref):
            columns[spec.column] = f"{spec.sql} AS {spec.column}" if spec.sql else None
            need_rows = True
        elif isinstance(spec, Derived):
            columns.update({n: columns.get(n) for n in spec.needs})
            need_rows = True
    columns.pop("gid", None)
    rows: dict[int, dict[str, Any]] = {}
    if need_rows:
        names = ["gid", *columns]
        selected = ", ".join(["gid", *(expr or name for name, expr in columns.items())])
        found = sql.fetch(
            conn,
            f"SELECT {selected} FROM {resource.table_name} WHERE gid IN ({sql.marks(len(unique))})",
            unique,
        )
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in found}

    # References are rendered once per (target type, sub-selection), whichever fields name them:
    # owner, followers and members of a project cost one query for users, not three.
    wanted: dict[tuple[str, str], list[int]] = {}
    lists: dict[str, Mapping[int, Sequence[int]]] = {}
    for name, spec in specs.items():
        key = (spec.target, repr(selection[name])) if isinstance(spec, Ref | RefList) else None
        if isinstance(spec, Ref) and key is not None:
            column = spec.column
            wanted.setdefault(key, []).extend(
                rows[g][column] for g in unique if g in rows and rows[g][column] is not None
            )
        elif isinstance(spec, RefList) and key is not None:
            lists[name] = spec.load(conn, viewer, unique)
            wanted.setdefault(key, []).extend(t for g in unique for t in lists[name].get(g, ()))
    subs = {
        (n_spec.target, repr(selection[n])): selection[n]
        for n, n_spec in specs.items()
        if isinstance(n_spec, Ref | RefList)
    }
    rendered = {
        key: _render_targets(conn, viewer, key[0], targets, subs[key]) for key, targets in wanted.items()
    }

    values: dict[str, Mapping[int, Any]] = {}
    for name, spec in specs.items():
        sub = selection[name]
        if isinstance(spec, Ref):
            done = rendered.get((spec.target, repr(sub)), {})
            values[name] = {g: done.get(rows[g][spec.column]) for g in unique if g in rows}
        elif isinstance(spec, RefList):
            done = rendered.get((spec.target, repr(sub)), {})
            values[name] = {g: [done[t] for t in lists[name].get(g, ()) if t in done] for g in unique}
        elif isinstance(spec, Value):
            loaded = spec.load(conn, viewer, unique)
            values[name] = {g: _trim(loaded.get(g, spec.default), sub) for g in unique}
        elif isinstance(spec, Records):
            values[name] = _records(conn, viewer, spec, unique, sub)

    out: dict[int, dict[str, Any]] = {}
    for gid in unique:
        item: dict[str, Any] = {"gid": str(gid)}
        row = rows.get(gid)
        for name, sub in selection.items():
            if name == "resource_type":
                item[name] = resource.resource_type
                continue
            spec = specs[name]
            if isinstance(spec, Col):
                raw = row[spec.column] if row is not None else None
                item[name] = _trim(spec.encode(raw) if spec.encode else raw, sub)
            elif isinstance(spec, Derived):
                item[name] = _trim(spec.compute(row, viewer), sub) if row is not None else None
            else:
                item[name] = values[name].get(gid)
        out[gid] = item
    return [out[g] for g in gids]


def _records(
    conn: Connection, viewer: Viewer, spec: Records, gids: list[int], sub: _Sub
) -> dict[int, list[dict[str, Any]]]:
    """Render each row's member objects; members are compact unless a sub-tree names their fields."""
    loaded = spec.load(conn, viewer, gids)
    chosen = {m: (sub or {}).get(m) for m in spec.members if not sub or m in sub}
    rendered: dict[str, dict[int, dict[str, Any]]] = {}
    for member, member_sub in chosen.items():
        targets = [rec[member] for g in gids for rec in loaded.get(g, ()) if rec.get(member) is not None]
        rendered[member] = _render_targets(conn, viewer, spec.members[member], targets, member_sub or None)
    return {
        g: [
            {m: rendered[m].get(rec[m]) if rec.get(m) is not None else None for m in chosen}
            for rec in loaded.get(g, ())
        ]
        for g in gids
    }


def _render_targets(
    conn: Connection, viewer: Viewer, target: str, gids: Iterable[int], sub: _Sub
) -> dict[int, dict[str, Any]]:
    """Render referenced objects once each; default sub-selection is the target's compact form."""
    unique = list(dict.fromkeys(gids))
    resource = REGISTRY[target]
    rendered = project(conn, viewer, resource, unique, sub, full=False)
    return {int(item["gid"]): item for item in rendered}


def project_one(
    conn: Connection, viewer: Viewer, resource: Resource, gid: int, tree: FieldTree | None
) -> dict[str, Any]:
    """The full representation of one object."""
    return project(conn, viewer, resource, [gid], tree, full=True)[0]
