"""Resource representations and the one projection engine (compact/full, opt-in, opt_fields paths).

A resource declares its fields once; `project` turns gids into response dicts with batched queries
(one per table and nesting level, never one per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection, FromClause

from vinyasa.protocol import sql
from vinyasa.protocol.changes import Change, announce
from vinyasa.protocol.embedded import Embedded, render_embedded
from vinyasa.protocol.fields import FieldTree
from vinyasa.protocol.specs import (
    Col,
    Const,
    Derived,
    OneOf,
    Records,
    Ref,
    RefList,
    Value,
    Viewer,
)

# Which of these gids the viewer may not see (vinyasa.access): referenced, they show only gid and type.
Hidden = Callable[[Connection, Viewer, list[int]], set[int]]


FieldSpec = Col | Derived | Ref | OneOf | RefList | Value | Records | Embedded | Const


@dataclass
class Resource:
    """How one resource type looks on the wire: its fields, compact set and opt-in fields.

    `hidden`, for a type some callers may not see even when a visible object names it (a secret
    team, a parent task), says which referenced gids to render as a bare `{gid, resource_type}`.
    `shown_when` is a cheap sufficient condition on one of its own columns under which anyone who
    sees the naming object sees it too (a team that is not secret): references rendered from a join
    that meet it skip the `hidden` check, and its query.
    """

    resource_type: str
    table: FromClause
    fields: dict[str, FieldSpec]
    compact: tuple[str, ...]
    opt_in: frozenset[str] = frozenset()
    register: bool = True
    hidden: Hidden | None = None
    shown_when: tuple[str, Callable[[Any], bool]] | None = None
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
        return Resource(
            self.resource_type,
            self.table,
            fields,
            compact,
            self.opt_in,
            register=False,
            hidden=self.hidden,
            shown_when=self.shown_when,
        )


REGISTRY: dict[str, Resource] = {}

# Sub-selection for a field: None = the default representation, {} = bare reference, else a field tree.
_Sub = FieldTree | None
_BARE: FieldTree = {}


def _selection(resource: Resource, tree: _Sub, full: bool) -> dict[str, _Sub]:
    """Which fields to render. The bare-field rule, the same for every object-valued field: a field
    named without sub-fields (`opt_fields=owner`, `projects`, `memberships.section`) renders each
    object as its identity only, `{gid, resource_type}` ("The id of included objects will always be
    returned, regardless of the field options", Asana's opt_fields docs); records without a gid
    (task `memberships`) have no identity and render as `{}` (see `_records`)."""
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


# How the assembly loop fills a field (precomputed per plan, so the per-row loop does no type tests).
_TYPE, _COL, _DERIVED, _LOADED, _JOINED, _RAW, _ONE_OF, _CONST = range(8)


@dataclass(frozen=True)
class _Joined:
    """A reference rendered from columns joined into the row query (see `_joinable`)."""

    key: Any  # where the joined row's gid is in the row (None there: the target is missing)
    resource_type: str
    fields: tuple[
        tuple[str, int, Any, Callable[[Any], Any] | None, _Sub], ...
    ]  # name, how, where, encode, sub


@dataclass
class _Plan:
    """What rendering one resource with one field tree needs, worked out once and cached."""

    select: str | None  # "SELECT gid, ... FROM table ... WHERE gid IN (" when row columns are needed
    selected: str  # that statement's columns ("table.gid, ..."), and what it reads them from:
    source: str  # the table and its joins
    names: list[str]
    groups: dict[tuple[str, str], _Sub]  # (target type, sub-selection) -> sub-selection
    refs: list[tuple[str, Ref, tuple[str, str]]]
    ref_lists: list[tuple[str, RefList, tuple[str, str]]]
    loaded: list[tuple[str, Value | Records | Embedded, _Sub]]
    assembly: list[tuple[str, int, Any, _Sub]]  # name, how, spec, sub-selection
    ref_columns: dict[str, int] = field(default_factory=dict)  # reference field -> its gid's row position
    # joined refs to check: field, gid position, check, and the position and test of `shown_when`
    guarded: list[tuple[str, int, Hidden, int | None, Callable[[Any], bool] | None]] = field(
        default_factory=list
    )
    shown: dict[str, tuple[str, Callable[[Any], bool]]] = field(default_factory=dict)  # field -> column key
    mapping: bool = False  # Derived fields need rows as name -> value mappings
    changes: tuple[Change, ...] = ()  # Asana changes announced by rendering these fields
    # The resource planned: the cache is keyed by its id(), and holding it keeps that id from being
    # reused by another object (a view made per request) while the plan is cached.
    resource: Any = None


_PLANS: dict[tuple[int, str, bool], _Plan] = {}
_NONE: frozenset[int] = frozenset()  # no hidden references


def _joinable(ref: Ref, sub: _Sub) -> Resource | None:
    """The target when a reference can be rendered from a LEFT JOIN: every field it shows is a column.

    Compact references (`team`, `workspace`...) then cost no query of their own.
    """
    target = REGISTRY.get(ref.target)
    if ref.sql is not None or target is None:
        return None
    chosen = _selection(target, sub, False)
    if all(n == "resource_type" or isinstance(target.fields.get(n), Col) for n in chosen):
        return target
    return None


def _plan(resource: Resource, tree: _Sub, full: bool) -> _Plan:
    key = (id(resource), repr(tree), full)
    plan = _PLANS.get(key)
    if plan is not None and plan.resource is resource:
        return plan
    table = resource.table_name
    columns: dict[str, str] = {}  # row key -> SQL expression
    joins: list[str] = []
    need_rows = False
    plan = _Plan(None, "", "", [], {}, [], [], [], [], resource=resource)
    selection = _selection(resource, tree, full)
    listed = {
        (s.target, repr(sub))
        for n, sub in selection.items()
        if isinstance(s := resource.fields.get(n), RefList)
    }
    for name, sub in selection.items():
        spec = resource.fields.get(name)
        if spec is None:
            plan.assembly.append((name, _TYPE, None, sub))
            continue
        need_rows = need_rows or isinstance(spec, Col | Ref | OneOf | Derived)
        if isinstance(spec, RefList) and spec.column is not None:
            need_rows = True
            columns[spec.column] = f"{table}.{spec.column}"
        if isinstance(spec, Ref) and spec.change is not None:
            plan.changes = (*plan.changes, spec.change)
        if isinstance(spec, OneOf):
            # Each possible type is a reference of its own (kept under "name#i"); the row shows the set one.
            parts = tuple(f"{name}#{i}" for i in range(len(spec.refs)))
            for part, ref in zip(parts, spec.refs, strict=True):
                if ref.sql:  # a computed column (as for a Ref), named by `ref.column`
                    columns[ref.column] = f"{ref.sql.replace('{table}', table)} AS {ref.column}"
                else:
                    columns[ref.column] = f"{table}.{ref.column}"
                plan.groups[(ref.target, repr(sub))] = sub
                plan.refs.append((part, ref, (ref.target, repr(sub))))
            plan.assembly.append((name, _ONE_OF, parts, sub))
        elif isinstance(spec, Const):
            plan.assembly.append((name, _CONST, _trim(spec.value, sub), sub))
        elif isinstance(spec, Col):
            columns[spec.column] = f"{table}.{spec.column}"
            plan.assembly.append((name, _COL, spec, sub))
        elif isinstance(spec, Derived):
            columns.update({n: columns.get(n, f"{table}.{n}") for n in spec.needs})
            plan.assembly.append((name, _DERIVED, spec, sub))
        elif isinstance(spec, Ref):
            expression = spec.sql.replace("{table}", table) if spec.sql else f"{table}.{spec.column}"
            columns[spec.column] = f"{expression} AS {spec.column}" if spec.sql else expression
            group = (spec.target, repr(sub))
            target = _joinable(spec, sub) if group not in listed else None
            if target is None:
                plan.assembly.append((name, _LOADED, spec, sub))
                plan.groups[group] = sub
                plan.refs.append((name, spec, group))
                continue
            alias = f"_j{len(joins)}"
            joins.append(f" LEFT JOIN {target.table_name} {alias} ON {alias}.gid = {table}.{spec.column}")
            columns[alias] = f"{alias}.gid AS {alias}"
            fields: list[tuple[str, int, str | None, Callable[[Any], Any] | None, _Sub]] = []
            for field_name, field_sub in _selection(target, sub, False).items():
                col = target.fields.get(field_name)
                if isinstance(col, Col):
                    column_key = f"{alias}_{col.column}"
                    columns[column_key] = f"{alias}.{col.column} AS {column_key}"
                    fields.append((field_name, _COL, column_key, col.encode, field_sub))
                else:
                    fields.append((field_name, _TYPE, None, None, field_sub))
            if target.hidden is not None and target.shown_when is not None:
                column, test = target.shown_when
                columns[f"{alias}__shown"] = f"{alias}.{column} AS {alias}__shown"
                plan.shown[name] = (f"{alias}__shown", test)
            plan.assembly.append((name, _JOINED, _Joined(alias, target.resource_type, tuple(fields)), sub))
        else:
            plan.assembly.append((name, _LOADED, spec, sub))
            if isinstance(spec, RefList):
                group = (spec.target, repr(sub))
                plan.groups[group] = sub
                plan.ref_lists.append((name, spec, group))
            else:
                plan.loaded.append((name, spec, sub))
    columns.pop("gid", None)
    plan.selected = ", ".join([f"{table}.gid", *columns.values()])
    plan.source = f"{table}{''.join(joins)}"
    plan.select = f"SELECT {plan.selected} FROM {plan.source} WHERE {table}.gid IN (" if need_rows else None
    plan.names = ["gid", *columns]
    _resolve_positions(plan)
    if len(_PLANS) < 4096:  # field trees come from clients: bound the cache
        _PLANS[key] = plan
    return plan


def _resolve_positions(plan: _Plan) -> None:
    """Point the assembly at row positions (rows are tuples in `plan.names` order)."""
    at = {name: i for i, name in enumerate(plan.names)}
    plan.ref_columns = {name: at[ref.column] for name, ref, _group in plan.refs}
    for i, (name, how, spec, sub) in enumerate(plan.assembly):
        if how == _COL and spec.encode is None and not sub:
            plan.assembly[i] = (name, _RAW, at[spec.column], sub)
        elif how == _COL:
            plan.assembly[i] = (name, _COL, (at[spec.column], spec.encode), sub)
        elif how == _JOINED:
            fields = tuple((n, h, at[k] if k is not None else None, e, fs) for n, h, k, e, fs in spec.fields)
            plan.assembly[i] = (name, _JOINED, _Joined(at[spec.key], spec.resource_type, fields), sub)
            hidden = REGISTRY[spec.resource_type].hidden
            if hidden is not None:
                shown_key, test = plan.shown.get(name, (None, None))
                shown_at = at[shown_key] if shown_key is not None else None
                plan.guarded.append((name, at[spec.key], hidden, shown_at, test))
        elif how == _DERIVED:
            plan.mapping = True


def _column(raw: Any, encode: Callable[[Any], Any] | None, sub: _Sub) -> Any:
    value = encode(raw) if encode is not None and raw is not None else raw
    return _trim(value, sub) if sub else value


def _joined(row: Sequence[Any], joined: _Joined, hidden: AbstractSet[int]) -> dict[str, Any] | None:
    gid = row[joined.key]
    if gid is None:
        return None
    if gid in hidden:
        return {"gid": str(gid), "resource_type": joined.resource_type}
    item: dict[str, Any] = {"gid": str(gid)}
    for name, how, key, encode, sub in joined.fields:
        item[name] = _column(row[key], encode, sub) if how == _COL else joined.resource_type
    return item


def project(
    conn: Connection,
    viewer: Viewer,
    resource: Resource,
    gids: Sequence[int],
    tree: _Sub,
    *,
    full: bool,
    rows: Mapping[int, Sequence[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Render `gids` of `resource` in order, honouring the field tree (None = default set); `rows`,
    when given, are the plan's rows already read (by `_children`)."""
    if not gids:
        return []
    plan = _plan(resource, tree, full)
    for change in plan.changes:
        announce(viewer, change)
    unique = list(dict.fromkeys(gids))
    # The row, each list of references and each loaded value are read together (sql.gather: one
    # round trip on PostgreSQL); what needs the row's columns is read after.
    reads: list[Callable[[], Any]] = []
    select = plan.select if rows is None else None
    if select is not None:
        reads.append(
            lambda: {r[0]: r for r in sql.fetch(conn, select + sql.marks(len(unique)) + ")", unique)}
        )
    for _name, ref_list, group in plan.ref_lists:
        if ref_list.with_targets:  # read and rendered at once
            reads.append(partial(_children, conn, viewer, ref_list, unique, plan.groups[group]))
        elif ref_list.load is not None:
            reads.append(partial(ref_list.load, conn, viewer, unique))
    for _name, spec, sub in plan.loaded:
        if isinstance(spec, Value | Records):
            reads.append(partial(spec.load, conn, viewer, unique))
        elif isinstance(spec, Embedded):
            reads.append(partial(render_embedded, conn, viewer, spec, unique, sub))
    read = iter(sql.gather(conn, *reads))
    if rows is None:
        rows = next(read) if select is not None else {}
    named = {g: dict(zip(plan.names, r, strict=True)) for g, r in rows.items()} if plan.mapping else {}
    hidden: dict[str, AbstractSet[int]] = {}
    for name, key, check, shown_at, shown in plan.guarded:
        targets = list(
            dict.fromkeys(
                r[key]
                for r in rows.values()
                if r[key] is not None and (shown is None or shown_at is None or not shown(r[shown_at]))
            )
        )
        hidden[name] = check(conn, viewer, targets) if targets else set()

    # References are rendered once per (target type, sub-selection), whichever fields name them:
    # owner, followers and members of a project cost one query for users, not three.
    wanted: dict[tuple[str, str], list[int]] = {group: [] for group in plan.groups}
    for name, _ref, group in plan.refs:
        column = plan.ref_columns[name]
        wanted[group].extend(rows[g][column] for g in unique if g in rows and rows[g][column] is not None)
    lists: dict[str, Mapping[int, Sequence[int]]] = {}
    rendered: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    for name, ref_list, group in plan.ref_lists:
        if ref_list.with_targets:
            lists[name], done = next(read)
            rendered[group] = {**rendered.get(group, {}), **done}
            continue
        if ref_list.load is not None:
            lists[name] = next(read)
        else:  # a list of the one resource the row's column names
            at = plan.names.index(str(ref_list.column))
            lists[name] = {g: [rows[g][at]] for g in unique if g in rows and rows[g][at] is not None}
        wanted[group].extend(t for g in unique for t in lists[name].get(g, ()))
    loaded: dict[str, Any] = {name: next(read) for name, _spec, _sub in plan.loaded}
    subs = dict(plan.groups)
    for name, spec, sub in plan.loaded:  # records' members are rendered with the other references
        if isinstance(spec, Records):
            for member, (target, member_sub) in _members(spec, sub).items():
                group = (target, repr(member_sub))
                subs.setdefault(group, member_sub)
                found = (rec[member] for g in unique for rec in loaded[name].get(g, ()))
                wanted.setdefault(group, []).extend(t for t in found if t is not None)
    renders: list[tuple[tuple[str, str], Callable[[], dict[int, dict[str, Any]]]]] = []
    for group, targets in wanted.items():
        done = rendered.get(group, {})
        if missing := [t for t in targets if t not in done]:
            renders.append((group, partial(render_targets, conn, viewer, group[0], missing, subs[group])))
    for (group, _), done in zip(renders, sql.gather(conn, *(r for _, r in renders)), strict=True):
        rendered[group] = {**rendered.get(group, {}), **done}
    values: dict[str, Mapping[int, Any]] = {}
    for name, _ref, group in plan.refs:
        done, column = rendered.get(group, {}), plan.ref_columns[name]
        values[name] = {g: done.get(rows[g][column]) for g in unique if g in rows}
    for name, _spec, group in plan.ref_lists:
        done = rendered.get(group, {})
        values[name] = {g: [done[t] for t in lists[name].get(g, ()) if t in done] for g in unique}
    for name, spec, sub in plan.loaded:
        if isinstance(spec, Value):
            values[name] = {g: _trim(loaded[name].get(g, spec.default), sub) for g in unique}
        elif isinstance(spec, Embedded):
            values[name] = loaded[name]
        else:
            values[name] = _records(spec, unique, sub, loaded[name], rendered)

    out: dict[int, dict[str, Any]] = {}
    rtype = resource.resource_type
    for gid in unique:
        item: dict[str, Any] = {"gid": str(gid)}
        row = rows.get(gid)
        for name, how, spec, sub in plan.assembly:
            if how == _RAW:
                item[name] = row[spec] if row is not None else None
            elif how == _COL:
                item[name] = _column(row[spec[0]], spec[1], sub) if row is not None else None
            elif how == _CONST:
                item[name] = spec
            elif how == _LOADED:
                item[name] = values[name].get(gid)
            elif how == _JOINED:
                item[name] = _joined(row, spec, hidden.get(name, _NONE)) if row is not None else None
            elif how == _DERIVED:
                item[name] = _trim(spec.compute(named[gid], viewer), sub) if row is not None else None
            elif how == _ONE_OF:
                item[name] = next((v for part in spec if (v := values[part].get(gid)) is not None), None)
            else:
                item[name] = rtype
        out[gid] = item
    return [out[g] for g in gids]


def _members(spec: Records, sub: _Sub) -> dict[str, tuple[str, _Sub]]:
    """The members a `Records` field shows, each with its target type and sub-selection: every
    member by default (`sub` None), else those named."""
    if sub is None:
        return {member: (target, None) for member, target in spec.members.items()}
    return {member: (target, sub[member]) for member, target in spec.members.items() if member in sub}


def _records(
    spec: Records,
    gids: list[int],
    sub: _Sub,
    loaded: Mapping[int, Sequence[Mapping[str, int | None]]],
    rendered: Mapping[tuple[str, str], dict[int, dict[str, Any]]],
) -> dict[int, list[dict[str, Any]]]:
    """Each row's records (`loaded`: `spec.load`'s answer) by the one bare-field rule (see
    `_selection`), their members taken from `rendered` (by (target type, sub-selection): `project`
    renders them with the row's other references, so a task's `projects` and `memberships.project`
    are read once).

    Default (`sub` None): every member, as a compact reference. Bare (`opt_fields=memberships`): a
    record has no gid of its own, so each is `{}`, as Asana answers (python-asana#114, 2020 staff
    reply: use `memberships.project`). Named members (`memberships.project`) follow their sub-tree,
    a bare member being `{gid, resource_type}` like any bare reference.
    """
    chosen = {
        m: rendered.get((t, repr(member_sub)), {}) for m, (t, member_sub) in _members(spec, sub).items()
    }
    return {
        g: [
            {m: done.get(t) if (t := rec.get(m)) is not None else None for m, done in chosen.items()}
            for rec in loaded.get(g, ())
        ]
        for g in gids
    }


def _children(
    conn: Connection, viewer: Viewer, ref_list: RefList, parents: list[int], sub: _Sub
) -> tuple[dict[int, list[int]], dict[int, dict[str, Any]]]:
    """Each parent's children in order (`RefList.children`, or the targets its `link` lists) and
    the children rendered: one statement reads them with the columns the sub-selection's plan
    needs, and the parent's gid."""
    resource = REGISTRY[ref_list.target]
    plan, table = _plan(resource, sub, False), resource.table_name
    marks = sql.marks(len(parents))
    if ref_list.link is not None:
        link = ref_list.link
        met = f" AND ({link.where})" if link.where else ""
        statement = (
            f"SELECT {plan.selected}, l.{link.parent} FROM {plan.source}"
            f" JOIN {link.table} l ON l.{link.target} = {table}.gid"
            f" WHERE l.{link.parent} IN ({marks}){met}"
            f" ORDER BY {', '.join(f'l.{c}' for c in (link.parent, *link.order))}"
        )
    else:
        assert ref_list.children is not None
        column, order = ref_list.children
        ordered = ", ".join(f"{table}.{c}" for c in (column, *order))
        statement = (
            f"SELECT {plan.selected}, {table}.{column} FROM {plan.source}"
            f" WHERE {table}.{column} IN ({marks}) ORDER BY {ordered}"
        )
    fetched = sql.fetch(conn, statement, parents)
    lists: dict[int, list[int]] = {}
    for row in fetched:
        lists.setdefault(row[-1], []).append(row[0])
    rows = {row[0]: row[:-1] for row in fetched}
    return lists, render_targets(conn, viewer, ref_list.target, list(rows), sub, rows)


def render_targets(
    conn: Connection,
    viewer: Viewer,
    target: str,
    gids: Iterable[int],
    sub: _Sub,
    rows: Mapping[int, Sequence[Any]] | None = None,
) -> dict[int, dict[str, Any]]:
    """Render referenced objects once each; default sub-selection is the target's compact form
    (`rows`: their plan's rows, already read)."""
    unique = list(dict.fromkeys(gids))
    resource = REGISTRY[target]
    hidden: AbstractSet[int] = _NONE
    if resource.hidden is not None and unique:
        hidden = resource.hidden(conn, viewer, unique)
    shown = [g for g in unique if g not in hidden] if hidden else unique
    items = project(conn, viewer, resource, shown, sub, full=False, rows=rows)
    out = {int(item["gid"]): item for item in items}
    for gid in hidden:
        out[gid] = {"gid": str(gid), "resource_type": target}
    return out


def project_one(
    conn: Connection, viewer: Viewer, resource: Resource, gid: int, tree: FieldTree | None
) -> dict[str, Any]:
    """The full representation of one object."""
    return project(conn, viewer, resource, [gid], tree, full=True)[0]
