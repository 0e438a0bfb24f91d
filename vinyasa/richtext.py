"""Asana rich text: a strict XML subset under <body>, parsed with lxml (no recovery), and its plain twin.

The rules (Asana's rich-text guide, and where it is silent, vinyasa's choices):

- Every rich field allows `body`, the inline tags `strong em u s code a`, and lists `ol ul li`
  (`BASIC_TAGS`); project briefs add `h1 h2 hr img table tr td` (`BRIEF_TAGS`).
- Nesting: inline tags hold only inline tags; `h1`/`h2` hold only inline tags and no line break;
  `ol`/`ul` hold only `li`, and `li` sits only in a list (lists nest through `li`); `table` holds
  only `tr`, `tr` only `td`, `td` only inline tags; `hr` and `img` are empty. Text directly inside
  `ol`, `ul`, `table` or `tr` must be whitespace.
- Attributes: only `<a>` (`href`, `data-asana-*`) and `<img>` keep attributes. vinyasa's choice for
  `<img>`: `src`, `alt` and `data-gid` (Asana's attachment id; vinyasa has no attachments, so an
  image is a `src` URL), and it needs `src` or `data-gid`.
- `<a data-asana-gid="...">` is an @-mention: when the caller passes `base_url` (or a `permalink`
  resolver), its `href` becomes this server's permalink for that object (a resolver may know the
  object's kind; otherwise `{base_url}/0/0/{gid}`, Asana's kind-agnostic form). The plain-text twin of
  an empty link is its `href`.
- Any violation is a 400 naming the field and the tag or attribute; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape

from lxml import etree

from vinyasa.errors import InvalidRequest

INLINE_TAGS = frozenset({"strong", "em", "u", "s", "code", "a"})
LIST_TAGS = frozenset({"ol", "ul"})
# Tags every rich-text field accepts (notes, status texts, team descriptions).
BASIC_TAGS = frozenset({"body", "li"}) | INLINE_TAGS | LIST_TAGS
# Project briefs add headers, rules, images and tables.
BRIEF_TAGS = BASIC_TAGS | frozenset({"h1", "h2", "hr", "img", "table", "tr", "td"})
LINK_ATTRIBUTES = frozenset(
    {
        "href",
        "data-asana-gid",
        "data-asana-accessible",
        "data-asana-dynamic",
        "data-asana-project",
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

Permalink = Callable[[int], str | None]


def permalink_for(base_url: str, gid: int) -> str:
    """This server's kind-agnostic permalink for an object (Asana's `/0/0/{gid}` form)."""
    return f"{base_url}/0/0/{gid}"


def _check(field: str, element: etree._Element, allowed: frozenset[str]) -> None:
    """Tag, attributes and nesting of one element (see the module docstring)."""
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        raise InvalidRequest(f"{field}: Comments and processing instructions are not allowed")
    if tag not in allowed:
        raise InvalidRequest(f"{field}: The tag <{tag}> is not allowed here")
    extra = {str(name) for name in element.attrib} - _ATTRIBUTES.get(tag, frozenset())
    if extra:
        raise InvalidRequest(f"{field}: The attribute {sorted(extra)[0]} is not allowed on <{tag}>")
    parent = element.getparent()
    above = str(parent.tag) if parent is not None else None
    if above is not None:
        children = _CHILDREN[above]
        if children is not None and tag not in children:
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
    if tag == "img" and not ({"src", "data-gid"} & {str(name) for name in element.attrib}):
        raise InvalidRequest(f"{field}: <img> needs a src or data-gid attribute")


def _mention(field: str, element: etree._Element, base_url: str | None, permalink: Permalink | None) -> None:
    """Point an `<a data-asana-gid>` at this server's permalink for that object."""
    raw = element.get("data-asana-gid")
    if raw is None:
        return
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 19):
        raise InvalidRequest(f"{field}: data-asana-gid is not a valid gid: {raw[:64]}")
    href = permalink(int(raw)) if permalink is not None else None
    if href is None and base_url is not None:
        href = permalink_for(base_url, int(raw))
    if href is not None:
        element.set("href", href)


def normalize(
    field: str,
    html: str,
    allowed: frozenset[str] = BASIC_TAGS,
    *,
    base_url: str | None = None,
    permalink: Permalink | None = None,
) -> str:
    """Validate rich text and return it canonically serialized; any problem is a 400 naming `field`.

    With `base_url` (or `permalink`), @-mention links get this server's permalink as their `href`.
    """
    try:
        root = etree.fromstring(html.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidRequest(f"{field}: XML is invalid: {exc}") from None
    if root.tag != "body":
        raise InvalidRequest(f"{field}: The root element must be <body>")
    for element in root.iter():
        _check(field, element, allowed)
        if element.tag == "a":
            _mention(field, element, base_url, permalink)
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
        if element.text:
            parts.append(element.text)
        elif tag == "a" and len(element) == 0 and element.get("href"):
            parts.append(str(element.get("href")))
        for child in element:
            walk(child)
            if child.tail:
                if child.tag in _BLOCKS:
                    newline()
                parts.append(child.tail)

    walk(root)
    return "".join(parts).strip("\n")


def from_text(text: str) -> str:
    """Rich text holding exactly the given plain text (escaped)."""
    return "<body>" + escape(_NOT_XML.sub("", text)) + "</body>"
