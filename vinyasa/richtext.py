"""Asana rich text: a strict XML subset under <body>, parsed with lxml (no recovery), and its plain twin.

Sources: Asana's rich-text guide (developers.asana.com/docs/rich-text, "Reading" and "Writing rich
text"), the March 2021 forum post that fixed the newer tags ("Changes are coming to Rich Text"), and,
for what production clients send, docs/deviations.md.

- Tag sets per object (the guide's table): every rich field allows `body`, the inline tags
  `strong em u s code a` and lists `ol ul li` (`BASIC_TAGS`: projects, status updates, teams); task
  notes add `h1 h2 hr` (`TASK_TAGS`); project briefs add `img table tr td` too (`BRIEF_TAGS`).
- Nesting (forum post): inline tags hold only inline tags; `h1`/`h2` hold only inline tags and no
  line break; `ol`/`ul` hold only `li`, and `li` sits only in a list (lists nest through `li`);
  `table` holds only `tr`, `tr` only `td`, `td` only inline tags; `hr` and `img` are empty. Text
  directly inside `ol`, `ul`, `table` or `tr` must be whitespace.
- Attributes: only `<a>` (`href`, `data-asana-*`) and `<img>` keep attributes. vinyasa's choice for
  `<img>`: `src`, `alt` and `data-gid` (Asana's attachment id; vinyasa has no attachments, so an
  image is a `src` URL), and it needs `src` or `data-gid`.
- `<a>` (the guide's write rules): `<a data-asana-gid="G">` naming an object the caller can see is
  expanded to `href`, `data-asana-accessible`, `data-asana-dynamic`, `data-asana-type`, `data-asana-gid`
  with the object's name as content (`data-asana-dynamic="false"` keeps the caller's content; a task
  linked with a visible `data-asana-project` links inside that project). A gid the caller cannot see
  (or that names nothing, or is not a gid) is kept as written when it has an `href`, else a 400; an
  `<a>` with neither a gid nor an `href` is a 400.
- Lenient mode (the default; `strict=False`) first rewrites what production clients send into the
  canonical form: tag names in any case (`<A href>`), `b` -> `strong`, `i` -> `em`, `tt` -> `code`,
  `pre` -> `code` on its own lines, `blockquote` -> its content on its own lines, and where the object
  has no such tag, `h1`/`h2` -> `strong` and `hr` -> a line break (the forum post's fallbacks).
  Strict mode applies exactly the guide's rules (tags are case-sensitive; anything else is a 400).
- Any violation is a 400 naming the field and the tag or attribute; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from lxml import etree

from vinyasa.errors import InvalidRequest
from vinyasa.protocol.gids import as_gid

INLINE_TAGS = frozenset({"strong", "em", "u", "s", "code", "a"})
LIST_TAGS = frozenset({"ol", "ul"})
# Tags every rich-text field accepts (project notes, status texts, team descriptions).
BASIC_TAGS = frozenset({"body", "li"}) | INLINE_TAGS | LIST_TAGS
# Task notes add headers and rules.
TASK_TAGS = BASIC_TAGS | frozenset({"h1", "h2", "hr"})
# Project briefs add images and tables as well.
BRIEF_TAGS = TASK_TAGS | frozenset({"img", "table", "tr", "td"})
LINK_ATTRIBUTES = frozenset(
    {
        "href",
        "data-asana-gid",
        "data-asana-accessible",
        "data-asana-dynamic",
        "data-asana-project",
        "data-asana-tag",
        "data-asana-type",
    }
)
IMAGE_ATTRIBUTES = frozenset({"src", "alt", "data-gid"})
_ATTRIBUTES = {"a": LINK_ATTRIBUTES, "img": IMAGE_ATTRIBUTES}

# Which children each tag may hold (None: any allowed tag, as directly under <body>).
_CHILDREN: dict[str, frozenset[str] | None] = {
    "body": None,
    **dict.fromkeys(INLINE_TAGS, INLINE_TAGS),
    "h1": INLINE_TAGS,
    "h2": INLINE_TAGS,
    "ol": frozenset({"li"}),
    "ul": frozenset({"li"}),
    "li": INLINE_TAGS | LIST_TAGS,
    "table": frozenset({"tr"}),
    "tr": frozenset({"td"}),
    "td": INLINE_TAGS,
    "hr": frozenset(),
    "img": frozenset(),
}
_ONLY_INSIDE = {"li": LIST_TAGS, "tr": frozenset({"table"}), "td": frozenset({"tr"})}
_NO_TEXT = frozenset({"ol", "ul", "table", "tr", "hr", "img"})
_HEADERS = frozenset({"h1", "h2"})
_BLOCKS = frozenset({"li", "h1", "h2", "hr", "tr", "ol", "ul", "table", "img"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)

# Lenient mode: a tag production clients send -> (its canonical tag, or None to keep only its
# content; whether it is a block, set on its own lines). See docs/deviations.md for each source.
_ALIASES: dict[str, tuple[str | None, bool]] = {
    "b": ("strong", False),
    "i": ("em", False),
    "tt": ("code", False),
    "pre": ("code", True),
    "blockquote": (None, True),
}
# Lenient mode, where the object does not have the tag: the forum post's fallback rendering.
_FALLBACKS: dict[str, tuple[str | None, bool]] = {
    "h1": ("strong", True),
    "h2": ("strong", True),
    "hr": (None, True),
}


@dataclass(frozen=True)
class Mention:
    """An object an `<a data-asana-gid>` names, as the caller sees it: its `data-asana-type`, its
    name, its permalink, and the project gid the link was placed in (tasks only; None otherwise)."""

    kind: str
    name: str
    href: str
    project: int | None = None


# A link's (gid, data-asana-project gid or None).
LinkKey = tuple[int, int | None]
# All of a text's link keys at once -> the Mention of each the caller can see (others are absent).
Resolver = Callable[[set[LinkKey]], Mapping[LinkKey, Mention]]


def _check(field: str, element: etree._Element, above: str | None, allowed: frozenset[str]) -> None:
    """Tag, attributes and nesting of one element under a parent tagged `above` (see the module
    docstring), then of its children, depth first: the first problem in document order is the 400."""
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        raise InvalidRequest(f"{field}: Comments, entities and processing instructions are not allowed")
    if tag not in allowed:
        raise InvalidRequest(f"{field}: The tag <{tag}> is not allowed here")
    names = element.keys()
    if names:
        extra = {str(name) for name in names} - _ATTRIBUTES.get(tag, frozenset())
        if extra:
            raise InvalidRequest(f"{field}: The attribute {sorted(extra)[0]} is not allowed on <{tag}>")
    if above is not None:
        children = _CHILDREN[above]
        if (children is not None and tag not in children) or tag == "body":
            raise InvalidRequest(f"{field}: The tag <{tag}> is not allowed inside <{above}>")
    elif tag != "body":
        raise InvalidRequest(f"{field}: The root element must be <body>")
    places = _ONLY_INSIDE.get(tag)
    if places is not None and above not in places:
        raise InvalidRequest(
            f"{field}: The tag <{tag}> is only allowed inside <{'> or <'.join(sorted(places))}>"
        )
    if tag in _NO_TEXT:
        texts = [element.text, *(child.tail for child in element)]
        if any(t and t.strip() for t in texts):
            raise InvalidRequest(f"{field}: Text is not allowed directly inside <{tag}>")
    if tag in _HEADERS and "\n" in "".join(str(t) for t in element.itertext()):
        raise InvalidRequest(f"{field}: A line break is not allowed inside <{tag}>")
    if tag == "img" and not ({"src", "data-gid"} & {str(name) for name in names}):
        raise InvalidRequest(f"{field}: <img> needs a src or data-gid attribute")
    for child in element:
        _check(field, child, tag, allowed)


# ---- lenient mode: what production clients send, in canonical form ----------------------------


def _on_own_lines(element: etree._Element) -> None:
    """Put a line break before and after an element (unless one, or a block, is already there)."""
    previous, parent = element.getprevious(), element.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else None
    if before:
        if not before.endswith("\n"):
            if previous is not None:
                previous.tail = before + "\n"
            else:
                assert parent is not None
                parent.text = before + "\n"
    elif previous is not None and previous.tag not in _BLOCKS:
        previous.tail = "\n"
    after, following = element.tail, element.getnext()
    if element.text is None and len(element) == 0 and (before or previous is not None):
        return  # an empty block (a rule) is one line break, already made above
    if after:
        if not after.startswith("\n"):
            element.tail = "\n" + after
    elif following is not None and following.tag not in _BLOCKS:
        element.tail = "\n"


def _unwrap(element: etree._Element) -> None:
    """Replace an element by its content, keeping text, children and tail in place."""
    parent = element.getparent()
    assert parent is not None
    position, previous, children = parent.index(element), element.getprevious(), list(element)
    text, tail = element.text or "", element.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    else:
        text += tail
    if text:
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(position + offset, child)


def _canonicalize(root: etree._Element, allowed: frozenset[str]) -> None:
    """Rewrite aliases, fallbacks and tag-name case in place (see the module docstring)."""
    dropped: list[etree._Element] = []
    code_blocks: list[etree._Element] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in allowed:
            continue
        name = tag.lower()
        rule = _ALIASES.get(name) or (None if name in allowed else _FALLBACKS.get(name))
        if rule is None:
            if name in allowed:
                element.tag = name
            continue  # anything else is left for _check to refuse
        canonical, block = rule
        if block:
            _on_own_lines(element)
        if canonical is None:
            dropped.append(element)
        else:
            element.tag = canonical
            if name == "pre":
                code_blocks.append(element)
    for span in code_blocks:  # <pre><code>x</code></pre> is one code span, not two nested
        dropped.extend(inner for inner in span.iter("code") if inner is not span)
    for element in reversed(dropped):
        _unwrap(element)


# ---- links -------------------------------------------------------------------------------------


def _key(element: etree._Element) -> LinkKey | None:
    """The (gid, project gid) an `<a>` names, or None when its data-asana-gid is absent or no gid."""
    gid = as_gid(element.get("data-asana-gid") or "")
    return None if gid is None else (gid, as_gid(element.get("data-asana-project") or ""))


def _link(field: str, element: etree._Element, visible: Mapping[LinkKey, Mention]) -> None:
    """Apply the guide's write rules to one `<a>` (see the module docstring)."""
    raw, href = element.get("data-asana-gid"), (element.get("href") or "").strip()
    if raw is None:
        if not href:
            raise InvalidRequest(f"{field}: An <a> tag needs a data-asana-gid or an href")
        return
    key = _key(element)
    found = visible.get(key) if key is not None else None
    if key is None or found is None:
        if href:
            return  # written back as the caller sent it, as the guide allows
        raise InvalidRequest(
            f"{field}: Unknown object: {raw[:64]} (an <a data-asana-gid> you cannot see needs an href)"
        )
    dynamic = element.get("data-asana-dynamic") != "false"
    element.attrib.clear()
    element.set("href", found.href)
    element.set("data-asana-accessible", "true")
    element.set("data-asana-dynamic", "true" if dynamic else "false")
    element.set("data-asana-type", found.kind)
    element.set("data-asana-gid", str(key[0]))
    if found.project is not None:
        element.set("data-asana-project", str(found.project))
    if dynamic:
        for child in list(element):
            element.remove(child)
        element.text = found.name


def normalize(
    field: str,
    html: str,
    allowed: frozenset[str] = BASIC_TAGS,
    *,
    resolve: Resolver | None = None,
    strict: bool = False,
) -> str:
    """Validate rich text and return it canonically serialized; any problem is a 400 naming `field`.

    `resolve` finds, in one call, the objects the `<a data-asana-gid>` tags name (without it, none
    is visible); `strict`
    turns off the lenient rewriting of what production clients send.
    """
    try:
        root = etree.fromstring(html.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:  # libxml2's own wording stays out of the message
        line, column = exc.position
        raise InvalidRequest(f"{field}: XML is invalid at line {line}, column {column}") from None
    if root.getroottree().docinfo.internalDTD is not None:  # a DOCTYPE: its defaults would pass unseen
        raise InvalidRequest(f"{field}: Document type declarations are not allowed")
    if not strict and isinstance(root.tag, str) and root.tag != "body" and root.tag.lower() == "body":
        root.tag = "body"
    if root.tag != "body":
        raise InvalidRequest(f"{field}: The root element must be <body>")
    if not strict:
        _canonicalize(root, allowed)
    _check(field, root, None, allowed)
    links = list(root.iter("a"))
    keys = {key for key in map(_key, links) if key is not None}
    visible = resolve(keys) if keys and resolve is not None else {}
    for element in links:
        _link(field, element, visible)
    if root.text is None and len(root) == 0:
        root.text = ""  # an empty body serializes as <body></body>, like from_text("")
    return etree.tostring(root, encoding="unicode")


@lru_cache(maxsize=4096)
def to_text(html: str) -> str:
    """The plain-text twin of stored (already valid) rich text: blocks on their own lines, table
    cells separated by tabs, an empty link shown as its href. Cached: reads repeat the same texts."""
    root = etree.fromstring(html.encode("utf-8"), _PARSER)
    parts: list[str] = []

    def newline() -> None:
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    def walk(element: etree._Element) -> None:
        tag = element.tag
        if tag in _BLOCKS:
            newline()
        elif tag == "td" and element.getprevious() is not None:
            parts.append("\t")
        loose = tag not in _NO_TEXT  # whitespace between list items or table rows is not text
        if element.text and (loose or element.text.strip()):
            parts.append(element.text)
        elif tag == "a" and len(element) == 0 and element.get("href"):
            parts.append(str(element.get("href")))
        for child in element:
            walk(child)
            if child.tail and (loose or child.tail.strip()):
                if child.tag in _BLOCKS:
                    newline()
                parts.append(child.tail)

    walk(root)
    return "".join(parts).strip("\n")


def from_text(text: str) -> str:
    """Rich text holding exactly the given plain text (escaped)."""
    return "<body>" + escape(_NOT_XML.sub("", text)) + "</body>"
