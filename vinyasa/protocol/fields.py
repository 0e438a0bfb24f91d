"""`opt_fields` parsing: comma-separated dotted paths, `this.` prefix, `(a|b)` groups -> a field tree.

Groups expand to every alternative (`this.(name|email)` is `name,email`; they nest and repeat:
`(a|b).(c|d)` is four paths). The expansion is counted before it is built, so a request that
would expand past `MAX_PATHS` paths or `MAX_CHARS` characters is a 400 after work linear in its
length (20 groups in 100 bytes would otherwise be a million paths); parsing uses no recursion.
"""

from __future__ import annotations

import re

from vinyasa.errors import InvalidRequest

# A field tree maps a field name to the tree of its sub-fields; an empty tree means "the bare field".
FieldTree = dict[str, "FieldTree"]

MAX_PATHS = 1000
MAX_DEPTH = 12  # segments in one path
MAX_GROUP_NESTING = 8  # `(` inside `(`
MAX_CHARS = 256 * 1024  # characters of all expanded paths together
_SEGMENT = re.compile(r"^[A-Za-z0-9_]+$")
_TOKENS = re.compile(r"([(|)])")
_GROUPING = re.compile(r"[(|)]")
_TOO_MANY = f"opt_fields: Too many fields requested (at most {MAX_PATHS})"
_TOO_LONG = "opt_fields: The requested field list is too long"


def _bad(path: str) -> InvalidRequest:
    return InvalidRequest(f"opt_fields: Not a valid field path: {path[:100]}")


def _join(heads: list[str], tails: list[str], size: int, budget: int) -> tuple[list[str], int]:
    """Every head followed by every tail, refused before it is built when it would pass the limits.

    `size` is the characters in `heads`; returns the product and its characters."""
    count = len(heads) * len(tails)
    chars = size * len(tails) + len(heads) * sum(map(len, tails))
    if count > budget:
        raise InvalidRequest(_TOO_MANY)
    if chars > MAX_CHARS:
        raise InvalidRequest(_TOO_LONG)
    return [h + t for h in heads for t in tails], chars


def _add(done: list[str], done_size: int, more: list[str], size: int, budget: int) -> tuple[list[str], int]:
    """A group's alternatives with one more; every alternative appears in the final expansion."""
    if len(done) + len(more) > budget:
        raise InvalidRequest(_TOO_MANY)
    if done_size + size > MAX_CHARS:
        raise InvalidRequest(_TOO_LONG)
    done.extend(more)
    return done, done_size + size


def _expand(part: str, budget: int) -> list[str]:
    """Expand the `(a|b)` groups of one comma-separated part into at most `budget` paths."""
    head, _, rest = part.partition("(")
    options, _, tail = rest.partition(")")
    if rest and part.count("(") == 1 and part.count(")") == 1 and "|" not in head and "|" not in tail:
        paths = options.split("|")  # the common `this.(a|b)`: one group, no nesting
        if len(paths) > budget:
            raise InvalidRequest(_TOO_MANY)
        if len(paths) * (len(head) + len(tail)) + len(options) > MAX_CHARS:
            raise InvalidRequest(_TOO_LONG)
        return [head + path + tail for path in paths]
    # Each open group: the finished alternatives so far, and the expansion that came before it.
    stack: list[tuple[list[str], int, list[str], int]] = []
    current, size = [""], 0
    alternatives: list[str] = []
    alt_size = 0  # characters in `alternatives`
    for token in _TOKENS.split(part):
        if token == "(":
            if len(stack) >= MAX_GROUP_NESTING:
                raise InvalidRequest("opt_fields: Groups are nested too deeply")
            stack.append((alternatives, alt_size, current, size))
            alternatives, alt_size, current, size = [], 0, [""], 0
        elif token == "|":
            if not stack:
                raise _bad(part)
            alternatives, alt_size = _add(alternatives, alt_size, current, size, budget)
            current, size = [""], 0
        elif token == ")":
            if not stack:
                raise _bad(part)
            choices, _ = _add(alternatives, alt_size, current, size, budget)
            alternatives, alt_size, current, size = stack.pop()
            current, size = _join(current, choices, size, budget)
        elif token:
            current, size = _join(current, [token], size, budget)
    if stack:
        raise _bad(part)
    return current


def parse_fields(raw: str | list[str] | None) -> FieldTree | None:
    """Parse opt_fields (a comma-separated string, or a list of such strings); None when no fields
    were asked for. 400 (`opt_fields: ...`) on a path that is not `[this.]name(.name)*`, past
    `MAX_PATHS` paths after expansion, or on groups nested deeper than `MAX_GROUP_NESTING`."""
    if raw is None:
        return None
    text = raw if isinstance(raw, str) else ",".join(raw)
    parts = text.split(",")
    if len(parts) > MAX_PATHS:
        raise InvalidRequest(_TOO_MANY)
    paths: list[str] = []
    if _GROUPING.search(text):
        for part in parts:
            paths.extend(p for p in _expand(part.strip(), MAX_PATHS - len(paths)) if p)
    else:
        paths = [path for part in parts if (path := part.strip())]
    if not paths:
        return None
    if len(paths) > MAX_PATHS:
        raise InvalidRequest(_TOO_MANY)
    tree: FieldTree = {}
    for path in paths:
        segments = path.split(".")
        if segments[0] == "this":
            segments = segments[1:]
        if not segments or len(segments) > MAX_DEPTH or not all(_SEGMENT.match(s) for s in segments):
            raise _bad(path)
        node = tree
        for segment in segments:
            node = node.setdefault(segment, {})
    return tree
