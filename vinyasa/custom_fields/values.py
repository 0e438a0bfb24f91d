"""Custom field values on objects (tasks today; projects and portfolios reuse `ValueStore`).

An object *has* a field when one of its containers has a setting for it (a task: any project it
is in; Asana: "Custom field settings only go one child deep"); it may also keep a value of a field
no container gives any more: that value is shown with `enabled: false`, cannot be changed, only
cleared with `null` (Asana's "Enabled and disabled values"). Rendering: `ValueStore.field` is the
`Embedded` projection field (vinyasa.protocol.resources) of the object's `custom_fields`, each a
CustomFieldResponse with its typed value and `display_value` (always a string or null).

Reading costs what the selection needs: typed values read full rows (vinyasa.custom_fields.typed
renders them); `custom_fields.display_value` reads the object's display map, one row per object
holding every value's stored display as JSON (a 100-task page with 20 fields each reads 100 rows,
not 2,000; the map is rebuilt from the values whenever they change); items are built
once per distinct value and shared, and kept across requests by what they were built from
(`_Rendered`: right whatever changed since, in any process). Writing stores the display with
the value (`write`), and `refresh_displays` recomputes them when a field's definition changes
what they show.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from vinyasa.core import Caller, journal
from vinyasa.custom_fields import queries, typed
from vinyasa.custom_fields.typed import READ_TIME, VALUE_KEY, Names, Option, Stored
from vinyasa.errors import InvalidRequest
from vinyasa.protocol import sql
from vinyasa.protocol.embedded import Embedded
from vinyasa.protocol.specs import Viewer

# What a value shows by default (CustomFieldResponse as embedded in a task), in Asana's order.
KEYS = (
    "resource_type",
    "name",
    "type",
    "resource_subtype",
    "enabled",
    "display_value",
    "description",
    "precision",
    "format",
    "currency_code",
    "custom_label",
    "custom_label_position",
    "enum_options",
    "text_value",
    "number_value",
    "enum_value",
    "multi_enum_values",
    "date_value",
    "people_value",
    "reference_value",
    "is_formula_field",
    "representation_type",
)
_ALL_VALUE_KEYS = frozenset(VALUE_KEY.values())
# Keys of a value that come from its field's definition, not from the value.
_DEFINITION_KEYS = frozenset(KEYS) - _ALL_VALUE_KEYS - {"display_value"}


@dataclass(frozen=True)
class ValueStore:
    """Where one kind of object keeps its values, and which fields its containers give it.

    `table` has the owner column, `custom_field_gid` and the value columns of
    TaskCustomFieldValue (display_value included); its display maps (DisplayMap, one row per
    owner with values) are in the table named like it with `_displays` for `_values`.
    `containers` says where an object's containers are listed (oldest first); `settings` is the
    column of custom_field_settings naming such a container. The object's fields are its
    containers' settings in order (read per container, not per object: a hundred tasks of one
    project cost one row each, plus the project's settings once)."""

    table: str
    owner: str  # the object's gid column in `table`
    kind: str  # its resource type, for the journal
    containers: queries.Containers
    settings: str
    # The fields a viewer may see values of, among these (None: all): owners whose containers
    # differ between viewers (a user's workspaces) hide the fields of containers not shared.
    visible: Callable[[Any, Viewer, list[int]], set[int]] | None = None
    maps: str = field(init=False)  # (declared before `field`, which shadows dataclasses.field)
    field: Embedded = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", Embedded(self._load, KEYS, exact=self._exact, ordered=True))
        object.__setattr__(self, "maps", self.table.removesuffix("_values") + "_displays")
        STORES.append(self)

    def _where_from(self) -> str:
        """Where an object's fields come from, as a hint: "add it to one of its projects" (tasks),
        "...portfolios" (projects and portfolios)."""
        return f"add it to one of its {self.settings.removesuffix('_gid')}s"

    # ---- reading ---------------------------------------------------------------------------------

    def _fields(
        self, conn: Any, gids: list[int], *, options: bool = False
    ) -> tuple[dict[int, list[int]], dict[int, Stored]]:
        """Per object, the fields its containers give it, in order (lists shared between objects
        with the same containers: never mutated), and the definitions of those fields (read
        with the settings; with their options with `options`)."""
        given: dict[int, list[int]] = {}
        definitions: dict[int, Stored] = {}
        held, rows = queries.fields_given(conn, self.settings, self.containers, gids, options=options)
        for row in rows:
            given.setdefault(row[0], []).append(row[1])
            definitions[row[1]] = row[1:]
        fields: dict[int, list[int]] = {}
        for owner, parent in held:
            if parent not in given:
                continue
            listed = fields.get(owner)
            if listed is None:
                fields[owner] = given[parent]
            else:
                fields[owner] = listed + [f for f in given[parent] if f not in listed]
        return fields, definitions

    def _stored(self, conn: Any, gids: list[int], *, only: int | None = None) -> dict[int, dict[int, Stored]]:
        """Per object, its stored values by field (all, or with `only` those of one field)."""
        stored: dict[int, dict[int, Stored]] = {}
        for row in queries.stored_values(conn, self.table, self.owner, gids, field_gid=only):
            stored.setdefault(row[0], {})[row[1]] = row[2:]
        return stored

    def _exact(
        self, conn: Any, viewer: Viewer, gids: list[int], keys: tuple[str, ...]
    ) -> Mapping[int, list[dict[str, Any]]]:
        """The values with exactly `gid` and `keys` each (Embedded.exact)."""
        return self._load(conn, viewer, gids, frozenset(keys), keys)

    def _load(
        self,
        conn: Any,
        viewer: Viewer,
        gids: list[int],
        wanted: frozenset[str],
        keys: tuple[str, ...] | None = None,
    ) -> Mapping[int, list[dict[str, Any]]]:
        """Each object's values in order: its containers' fields, then (`enabled: false`) fields
        it keeps a value of that no container gives any more. Only what `wanted` needs is read:
        the typed values (full rows), or the stored display values, or nothing of the values."""
        typed_keys = bool(wanted & _ALL_VALUE_KEYS)
        with_options = typed_keys or "enum_options" in wanted
        stored: dict[int, dict[int, Stored]] = {}
        shown: dict[int, dict[str, str | None]] = {}
        if typed_keys:  # the fields and the stored values: read together (one round trip on PostgreSQL)
            fields_read, stored = sql.gather(
                conn, lambda: self._fields(conn, gids, options=with_options), lambda: self._stored(conn, gids)
            )
            enabled, definitions = fields_read
            order, field_gids = _order(gids, enabled, stored, int)
        else:
            enabled, definitions = self._fields(conn, gids, options=with_options)
            shown = self._displays(conn, viewer, gids, "display_value" in wanted, definitions)
            order, field_gids = _order(gids, enabled, shown, str)
        if not field_gids:
            return {}
        kept = sorted(field_gids - definitions.keys())  # values of fields no container gives
        if kept:
            definitions.update((r[0], r) for r in queries.definitions(conn, kept, options=with_options))
        if self.visible is not None:
            allowed = self.visible(conn, viewer, sorted(definitions))
            definitions = {g: d for g, d in definitions.items() if g in allowed}
        bases: dict[tuple[int, bool], _Base] = {}
        distinct = {id(pairs): pairs for pairs in order.values()}  # objects share their field lists
        for field_gid, is_on in {pair for pairs in distinct.values() for pair in pairs}:
            if field_gid in definitions:
                bases[(field_gid, is_on)] = _RENDERED.base(definitions[field_gid], is_on)
        if typed_keys:
            rows = [
                (row, definitions[f][2])
                for mine in stored.values()
                for f, row in mine.items()
                if f in definitions
            ]
            names = Names.load(conn, viewer, [r for r, _ in rows], [t for _, t in rows])
            items = _typed_items(gids, order, bases, definitions, stored, names)
            return items if keys is None else _exactly(items, keys)
        return _display_items(gids, order, bases, shown, "display_value" in wanted, keys)

    def _displays(
        self, conn: Any, viewer: Viewer, gids: list[int], wanted: bool, known: Mapping[int, Stored]
    ) -> dict[int, dict[str, str | None]]:
        """Per object, the display_value of each stored value by field gid (a string): as stored,
        or computed now for people and reference values (and values stored before displays
        were); with `wanted` false only the keys count (the values are left as read). `known`:
        definitions already read (the others are read here when needed)."""
        shown: dict[int, dict[str, str | None]] = {}
        late: dict[tuple[int, str | None], list[int]] = {}  # (field, list_value) -> owners
        by_text: dict[str, list[int]] = {}  # a `late` object -> the owners with exactly it
        for owner, displays, missing in queries.stored_displays(conn, self.maps, self.owner, gids):
            shown[owner] = orjson.loads(displays)
            if wanted and missing and missing != "{}":
                by_text.setdefault(missing, []).append(owner)
        for text, owners in by_text.items():  # owners often share their people: parsed once
            for key, listed in orjson.loads(text).items():
                late.setdefault((int(key), listed), []).extend(owners)
        if not late:
            return shown
        definitions = {f: known[f] for f, _ in late if f in known}
        unknown = sorted({f for f, _ in late} - definitions.keys())
        if unknown:
            definitions.update((r[0], r) for r in queries.definitions(conn, unknown))
        # People and reference values: one display per distinct (field, list); others (stored
        # before displays were) one per value, from their full rows.
        rows: dict[tuple[int, int], Stored] = {}
        legacy: set[int] = set()
        for (field_gid, listed), owners in late.items():
            if field_gid not in definitions:
                continue
            if definitions[field_gid][2] in READ_TIME:
                rows[(owners[0], field_gid)] = (None, None, None, listed, None, None)
            else:
                legacy.update(owners)
                for owner in owners:
                    shown[owner][str(field_gid)] = None
        for owner, stored in self._stored(conn, sorted(legacy)).items() if legacy else ():
            rows.update(((owner, f), row) for f, row in stored.items() if row[6] is None)
        names = Names.load(conn, viewer, list(rows.values()), [definitions[f][2] for _, f in rows])
        enums = [g for g, d in definitions.items() if d[2] in ("enum", "multi_enum")]
        options = typed.options_of(conn, enums) if enums else {}
        for (owner, field_gid), row in rows.items():
            definition = definitions[field_gid]
            display = typed.value_of(definition, row, options.get(field_gid, []), names)[1]
            key = str(field_gid)
            for same in late[(field_gid, row[3])] if definition[2] in READ_TIME else (owner,):
                shown[same][key] = display
        return shown

    # ---- writing ---------------------------------------------------------------------------------

    def write(self, ctx: Caller, owner: int, workspace_gid: int, given: Mapping[str, Any]) -> bool:
        """Apply `{field_gid: value}` (null clears) to one object; all values are checked before
        anything is written (400 naming `custom_fields.<gid>`). Journals a `changed` entry with
        `field = "custom_fields"` and the custom field as its value for each value that changed.
        Returns whether anything changed."""
        if not given:
            return False
        on = set(self._fields(ctx.conn, [owner])[0].get(owner, []))
        mine = self._stored(ctx.conn, [owner]).get(owner, {})
        planned: list[tuple[int, Stored | None]] = []
        for key, value in given.items():
            label = f"custom_fields.{str(key)[:64]}"
            field_gid = _gid(key)
            if field_gid is None or (field_gid not in on and field_gid not in mine):
                raise InvalidRequest(
                    f"{label}: Not a custom field of this {self.kind} ({self._where_from()})"
                )
            found = queries.definitions(ctx.conn, [field_gid], share=True)
            if not found:
                raise InvalidRequest(f"{label}: Unknown object: {key}")
            definition = found[0]
            if value is not None and field_gid not in on:
                raise InvalidRequest(
                    f"{label}: The custom field {definition[1]!r} is disabled on this {self.kind}:"
                    " its value can only be cleared with null"
                )
            if definition[10] is not None:
                raise InvalidRequest(
                    f"{label}: The custom ID field {definition[1]!r} is read-only (its IDs are given)"
                )
            parsed = None if value is None else parse_value(ctx, label, definition, value, workspace_gid)
            planned.append((field_gid, parsed))
        changed = []
        for field_gid, parsed in planned:
            if parsed == mine.get(field_gid):
                continue
            queries.replace_value(ctx.conn, self.table, self.owner, owner, field_gid, parsed)
            changed.append(field_gid)
        if changed:
            self.rebuild_displays(ctx.conn, [owner])
            topics = journal.task_topics(ctx, owner) if self.kind == "task" else {owner, workspace_gid}
            for field_gid in changed:
                journal.record(
                    ctx,
                    (self.kind, owner),
                    "changed",
                    topics=topics,
                    field="custom_fields",
                    value=("custom_field", field_gid),
                )
        return bool(changed)

    def rebuild_displays(self, conn: Any, owners: list[int]) -> None:
        """Recompute these owners' display maps from their values: whatever writes values
        (`write`, `refresh_displays`, duplicating tasks) calls it in the same transaction."""
        for start in range(0, len(owners), 500):  # bounded IN lists
            queries.rebuild_displays(conn, self.table, self.owner, self.maps, owners[start : start + 500])


STORES: list[ValueStore] = []  # every kind of object that carries values (refresh_displays)


def refresh_displays(conn: Any, field_gid: int) -> None:
    """Recompute the stored display_value of every value of a field whose display changed (an
    enum option renamed, the number format changed). People and reference values stay NULL."""
    found = queries.definitions(conn, [field_gid])
    if not found or found[0][2] in READ_TIME:
        return
    definition = found[0]
    options = _field_options(conn, definition)
    for store in STORES:
        rows = queries.values_of_field(conn, store.table, store.owner, field_gid)
        updates = [(typed.display(definition, row[1:], options), row[0], field_gid) for row in rows]
        changed = [u for u, r in zip(updates, rows, strict=True) if u[0] != r[7]]
        queries.set_displays(conn, store.table, store.owner, changed)
        store.rebuild_displays(conn, sorted({owner for _, owner, _ in changed}))


def forget_field(conn: Any, field_gid: int) -> None:
    """Delete every value of a field about to be deleted, and rebuild the display maps that
    named it (the values would go with the field's row anyway; the maps would keep its key)."""
    for store in STORES:
        rows = queries.values_of_field(conn, store.table, store.owner, field_gid)
        owners = sorted({row[0] for row in rows})
        queries.delete_values_of_field(conn, store.table, field_gid)
        store.rebuild_displays(conn, owners)


def _order(
    gids: list[int],
    enabled: dict[int, list[int]],
    kept: Mapping[int, Iterable[Any]],
    key: Callable[[int], Any],
) -> tuple[dict[int, list[tuple[int, bool]]], set[int]]:
    """Per object, its (field, enabled) pairs in order, and every field named. `kept`: the fields
    each object has a value of, as `key(field gid)` (an int or a string)."""
    order: dict[int, list[tuple[int, bool]]] = {}
    field_gids: set[int] = set()
    lists: dict[int, tuple[list[tuple[int, bool]], set[int]]] = {}  # per distinct list of fields
    empty: list[int] = []
    for gid in gids:
        on = enabled.get(gid, empty)
        known = lists.get(id(on))
        if known is None:
            known = lists[id(on)] = ([(f, True) for f in on], {key(f) for f in on})
            field_gids.update(on)
        pairs, on_set = known
        mine = kept.get(gid)
        if mine and not on_set.issuperset(mine):  # values of fields no container gives any more
            extra = sorted(int(f) for f in set(mine) - on_set)
            pairs = pairs + [(f, False) for f in extra]  # shown disabled, after the rest
            field_gids.update(extra)
        order[gid] = pairs
    return order, field_gids


def _typed_items(
    gids: list[int],
    order: dict[int, list[tuple[int, bool]]],
    bases: dict[tuple[int, bool], _Base],
    definitions: dict[int, Stored],
    stored: dict[int, dict[int, Stored]],
    names: Names,
) -> dict[int, list[dict[str, Any]]]:
    """Values with their typed value and display_value. Values repeat (an enum's few options,
    fields nobody filled): each distinct one renders once and is shared, read-only, by every
    object that has it (the engine copies the keys it shows); those that read no names are kept
    for later requests too (`_RENDERED`)."""
    rendered: dict[tuple[int, Stored | None], dict[str, Any]] = {}  # (base token, row) -> value
    out: dict[int, list[dict[str, Any]]] = {}
    none: dict[int, Stored] = {}
    for gid in gids:
        items = []
        mine = stored.get(gid, none)
        for field_gid, is_on in order[gid]:
            found = bases.get((field_gid, is_on))
            if found is None:
                continue
            key = (found[0], mine.get(field_gid))
            item = rendered.get(key) or _RENDERED.values.get(key)
            if item is None:
                definition = definitions[field_gid]
                value, display = typed.value_of(definition, key[1], found[2], names)
                item = rendered[key] = found[1].copy()
                item[VALUE_KEY[definition[2]]] = value
                item["display_value"] = display
                if definition[2] not in READ_TIME:
                    _RENDERED.keep(key, item)
            items.append(item)
        out[gid] = items
    return out


def _display_items(
    gids: list[int],
    order: dict[int, list[tuple[int, bool]]],
    bases: dict[tuple[int, bool], _Base],
    shown: dict[int, dict[str, str | None]],
    with_display: bool,
    keys: tuple[str, ...] | None,
) -> dict[int, list[dict[str, Any]]]:
    """Values with their field's keys and (`with_display`) display_value, shared per distinct one;
    with `keys`, each exactly `gid` and those keys."""
    out: dict[int, list[dict[str, Any]]] = {}
    caches: dict[tuple[int, bool], dict[str | None, dict[str, Any]]] = {key: {} for key in bases}
    plans: dict[int, list[tuple[str, dict[str | None, dict[str, Any]], dict[str, Any]]]] = {}
    none: dict[str, str | None] = {}

    def make(
        cache: dict[str | None, dict[str, Any]], base: dict[str, Any], display: str | None
    ) -> dict[str, Any]:
        if keys is None:
            item = {**base, "display_value": display}
        else:
            item = {"gid": base["gid"]}
            for key in keys:
                item[key] = display if key == "display_value" else base.get(key)
        cache[display] = item
        return item

    for gid in gids:
        pairs = order[gid]
        plan = plans.get(id(pairs))
        if plan is None:  # one per distinct list of fields: (field, its shared items, its base)
            plan = plans[id(pairs)] = [
                (bases[p][1]["gid"], caches[p], bases[p][1]) for p in pairs if p in bases
            ]
        mine = shown.get(gid, none) if with_display else none
        out[gid] = [
            cache.get(display) or make(cache, base, display)
            for field, cache, base in plan
            for display in (mine.get(field),)
        ]
    return out


def _exactly(
    loaded: dict[int, list[dict[str, Any]]], keys: tuple[str, ...]
) -> dict[int, list[dict[str, Any]]]:
    """Each value cut to `gid` and `keys` (one copy per shared value)."""
    copies: dict[int, dict[str, Any]] = {}

    def cut(value: dict[str, Any]) -> dict[str, Any]:
        item = copies[id(value)] = {"gid": value["gid"], **{key: value.get(key) for key in keys}}
        return item

    return {gid: [copies.get(id(v)) or cut(v) for v in values] for gid, values in loaded.items()}


def parse_value(ctx: Caller, label: str, definition: Stored, value: Any, workspace_gid: int) -> Stored | None:
    """A value given for the field `definition` (a `queries.definitions` row) as its stored columns,
    display_value last (None: no value, e.g. an empty people list); 400 naming `label` when the
    field cannot take it, as `PUT /tasks/{gid}` answers (vinyasa.custom_fields.typed.parse)."""
    options = _field_options(ctx.conn, definition)
    parsed = typed.parse(ctx, label, definition, value, workspace_gid, options)
    return None if parsed is None else (*parsed, typed.display(definition, parsed, options))


def check_value(ctx: Caller, label: str, field_gid: int, value: Any, workspace_gid: int) -> None:
    """400 naming `label` unless the custom field (which exists) can take `value` (null always)."""
    if value is not None:
        parse_value(ctx, label, queries.definitions(ctx.conn, [field_gid])[0], value, workspace_gid)


def check_wanted(ctx: Caller, label: str, field_gid: int, value: Any) -> None:
    """400 naming `label` unless `value` is one a value of the custom field (which exists) can equal
    as rules compare them (vinyasa.rules.actions): a number for a number field, one of its options'
    gids for an enum or multi-enum field, a YYYY-MM-DD day for a date field, a string otherwise;
    null (any value at all) always."""
    if value is None:
        return
    definition = queries.definitions(ctx.conn, [field_gid])[0]
    name, subtype = definition[1], definition[2]
    if subtype == "number":
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif subtype in ("enum", "multi_enum"):
        fits = str(value) in {str(option[0]) for option in _field_options(ctx.conn, definition)}
    elif subtype == "date":
        fits = isinstance(value, str) and _is_day(value)
    else:
        fits = isinstance(value, str)
    if not fits:
        raise InvalidRequest(f"{label}: Not a value the custom field {name!r} can hold: {str(value)[:64]}")


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _field_options(conn: Any, definition: Stored) -> list[Option]:
    if definition[2] not in ("enum", "multi_enum"):
        return []
    return list(typed.options_of(conn, [definition[0]]).get(definition[0], []))


def _gid(key: Any) -> int | None:
    text = str(key)
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 19 else None


class _Rendered:
    """What rendering values built, kept across requests by everything it was built from, so it
    is right whatever changed since, here or in another process: a field's base (`_base`, with
    its options) by its definition row as read now (its options' JSON included) and enabled,
    under a token never given twice; a value by its base's token and its stored row (values
    whose display reads no names). Shared read-only (responses are serialized, never changed);
    bounded (dropped when full)."""

    LIMIT = 10_000  # values (a few MB at most); bases: a tenth

    def __init__(self) -> None:
        self.bases: dict[tuple[Stored, bool], _Base] = {}
        self.values: dict[tuple[int, Stored | None], dict[str, Any]] = {}
        self.tokens = itertools.count()

    def base(self, definition: Stored, enabled: bool) -> _Base:
        key = (definition, enabled)
        found = self.bases.get(key)
        if found is None:
            if len(self.bases) >= self.LIMIT // 10:
                self.bases.clear()
                self.values.clear()
            options = _options(definition[11])
            found = self.bases[key] = (next(self.tokens), _base(definition, enabled, options), options)
        return found

    def keep(self, key: tuple[int, Stored | None], value: dict[str, Any]) -> None:
        if len(self.values) >= self.LIMIT:
            self.values.clear()
        self.values[key] = value


_RENDERED = _Rendered()
_Base = tuple[int, dict[str, Any], list[Option]]  # (token, the base, the field's options)


def _options(listed: str | None) -> list[Option]:
    """A field's options in order from their JSON (queries.definitions with `options`)."""
    found = sorted(orjson.loads(listed), key=lambda o: (o[4], o[0])) if listed else []
    return [(o[0], o[1], bool(o[2]), o[3]) for o in found]


def _base(definition: Stored, enabled: bool, options: list[Option]) -> dict[str, Any]:
    """The keys a value takes from its field (shared by every value of the field), in the order a
    value shows them (KEYS), `display_value` and the field's value key (null here) included: a
    rendered value is a copy with those two set, exactly the default keys it has in order."""
    gid, name, subtype, description, precision, fmt, code, label, position = definition[:9]
    item: dict[str, Any] = {
        "gid": str(gid),
        "resource_type": "custom_field",
        "name": name,
        "type": subtype,
        "resource_subtype": subtype,
        "enabled": enabled,
        "display_value": None,
        "description": description,
    }
    if subtype == "number":
        item.update(
            precision=precision,
            format=fmt,
            currency_code=code,
            custom_label=label,
            custom_label_position=position,
        )
    if subtype in ("enum", "multi_enum"):
        item["enum_options"] = [typed.option_dict(o) for o in options]
    item[VALUE_KEY[subtype]] = None
    item["is_formula_field"] = False
    item["representation_type"] = subtype if definition[10] is None else "custom_id"
    return item


TASK_VALUES = ValueStore(
    "task_custom_field_values",
    "task_gid",
    "task",
    queries.TASK_CONTAINERS,
    "project_gid",
)
