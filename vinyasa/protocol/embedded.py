"""Embedded values: typed values a row carries that are not rows of their own table (the custom
field values of a task, project or portfolio), as the projection engine (vinyasa.protocol.resources)
selects and renders them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from vinyasa.core.caller import Caller
from vinyasa.protocol.fields import FieldTree

# Sub-selection for a field: None = the default representation, {} = bare reference, else a field tree.
_Sub = FieldTree | None

EmbeddedExact = Callable[[Connection, Caller, list[int], tuple[str, ...]], Mapping[int, list[dict[str, Any]]]]
# Loads embedded values for many rows: (conn, viewer, row gids, the value keys wanted) -> per row,
# its values in order, each a dict holding at least `gid` and the wanted keys.
EmbeddedBatch = Callable[[Connection, Caller, list[int], frozenset[str]], Mapping[int, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Embedded:
    """Typed values carried by a row that are not rows of their own table, e.g. the custom field
    values of a task or project (CustomFieldResponse objects with `text_value`, `enum_value`...).

    Each value has a `gid` (what it is the value of) and keys; `keys` are those shown by default,
    each only where the value has it (Asana's *Conditional* fields: a text value has no `enum_options`).
    The selection follows the bare-field rule (see `_selection`): `custom_fields` alone shows each
    value's identity (`gid`, `resource_type`), `custom_fields.display_value` that key (and `gid`);
    a nested object (`custom_fields.enum_value.name`) keeps its `gid` and the named keys. `load` is
    told which keys are wanted, so values nobody asked for cost nothing to compute."""

    load: EmbeddedBatch
    keys: tuple[str, ...]
    # Optional: for a selection of plain keys (`custom_fields.display_value`, no nested objects),
    # a loader that answers the final values, each exactly `gid` then those keys in that order
    # (absent ones null), so the engine shows them as they are.
    exact: EmbeddedExact | None = None
    # Whether `load`, asked for every default key, answers the final values: each exactly `gid`
    # then the default keys it has, in `keys` order, so the engine shows them as they are.
    ordered: bool = False


def _embedded(spec: Embedded, sub: _Sub) -> tuple[frozenset[str], tuple[tuple[str, _Sub], ...]]:
    """The keys to load and, in order, the keys to show with their sub-selections."""
    if sub is None:
        shown: tuple[tuple[str, _Sub], ...] = tuple((k, None) for k in spec.keys)
    elif not sub:
        shown = (("resource_type", None),)
    else:
        allowed = {*spec.keys, "resource_type"}
        shown = tuple((k, s) for k, s in sub.items() if k in allowed and k != "gid")
    return frozenset(k for k, _ in shown), shown


def _keep_gid(value: Any, sub: _Sub) -> Any:
    """`_trim` for objects inside embedded values: a nested object also keeps its `gid`."""
    if not sub:
        return value
    if isinstance(value, dict):
        return {k: _keep_gid(v, sub.get(k)) for k, v in value.items() if k in sub or k == "gid"}
    if isinstance(value, list):
        return [_keep_gid(v, sub) for v in value]
    return value


def render_embedded(
    conn: Connection, viewer: Caller, spec: Embedded, gids: list[int], sub: _Sub
) -> dict[int, list[dict[str, Any]]]:
    wanted, shown = _embedded(spec, sub)
    if sub is None and spec.ordered:
        loaded = spec.load(conn, viewer, gids, wanted)
        return {gid: loaded.get(gid) or [] for gid in gids}
    if spec.exact is not None and sub and not any(key_sub for _, key_sub in shown):
        final = spec.exact(conn, viewer, gids, tuple(key for key, _ in shown))
        return {gid: final.get(gid) or [] for gid in gids}
    loaded = spec.load(conn, viewer, gids, wanted)
    out: dict[int, list[dict[str, Any]]] = {}
    # A loader may share one value object between rows (the same enum choice on many tasks): it is
    # copied once and the copy is shared too (the response is serialized, never mutated).
    copies: dict[int, dict[str, Any]] = {}

    def copy(value: dict[str, Any]) -> dict[str, Any]:
        item = copies[id(value)] = {"gid": value["gid"]}
        if sub is None:  # the default keys a value has (a text value has no `enum_options`...)
            item.update((key, value[key]) for key, _ in shown if key in value)
        else:
            for key, key_sub in shown:
                item[key] = _keep_gid(value.get(key), key_sub) if key_sub else value.get(key)
        return item

    for gid in gids:
        out[gid] = [copies.get(id(value)) or copy(value) for value in loaded.get(gid, ())]
    return out
