"""`opt_fields` parsing: comma-separated dotted paths, `this.` prefix, `(a|b)` groups -> a field tree."""

from __future__ import annotations

import re

from vinyasa.errors import InvalidRequest

# A field tree maps a field name to the tree of its sub-fields; an empty tree means "the bare field".
FieldTree = dict[str, "FieldTree"]

MAX_PATHS = 1000
MAX_DEPTH = 12
_GROUP = re.compile(r"\(([^()]*)\)")
_SEGMENT = re.compile(r"^[A-Za-z0-9_]+$")


def _expand(path: str) -> list[str]:
    """Expand `(a|b)` groups into every alternative path."""
    match = _GROUP.search(path)
    if match is None:
        return [path]
    head, tail = path[: match.start()], path[match.end() :]
    return [p for option in match.group(1).split("|") for p in _expand(head + option + tail)]


def parse_fields(raw: str | list[str] | None) -> FieldTree | None:
    """Parse opt_fields (string or list); None when no fields were asked for."""
    if raw is None:
        return None
    parts = raw.split(",") if isinstance(raw, str) else [str(p) for p in raw]
    paths = [p for part in parts for p in _expand(part.strip()) if p]
    if not paths:
        return None
    if len(paths) > MAX_PATHS:
        raise InvalidRequest(f"opt_fields: Too many fields requested (at most {MAX_PATHS})")
    tree: FieldTree = {}
    for path in paths:
        segments = path.split(".")
        if segments[0] == "this":
            segments = segments[1:]
        if not segments or len(segments) > MAX_DEPTH or not all(_SEGMENT.match(s) for s in segments):
            raise InvalidRequest(f"opt_fields: Not a valid field path: {path[:100]}")
        node = tree
        for segment in segments:
            node = node.setdefault(segment, {})
    return tree
