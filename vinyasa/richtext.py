"""Asana rich text: a strict XML subset under <body>, parsed with lxml (no recovery), and its plain twin."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from lxml import etree

from vinyasa.errors import InvalidRequest

# Tags every rich-text field accepts; richer objects (briefs) extend this set.
BASIC_TAGS = frozenset({"body", "strong", "em", "u", "s", "code", "ol", "ul", "li", "a"})
LINK_ATTRIBUTES = frozenset({"href", "data-asana-gid", "data-asana-accessible", "data-asana-dynamic"})
_BLOCKS = frozenset({"li", "h1", "h2", "hr", "tr", "ol", "ul"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)


def normalize(field: str, html: str, allowed: frozenset[str] = BASIC_TAGS) -> str:
    """Validate rich text and return it canonically serialized; any problem is a 400 naming `field`."""
    try:
        root = etree.fromstring(html.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidRequest(f"{field}: XML is invalid: {exc}") from None
    if root.tag != "body":
        raise InvalidRequest(f"{field}: The root element must be <body>")
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            raise InvalidRequest(f"{field}: Comments and processing instructions are not allowed")
        if tag not in allowed:
            raise InvalidRequest(f"{field}: The tag <{tag}> is not allowed here")
        extra = set(element.attrib) - (LINK_ATTRIBUTES if tag == "a" else set())
        if extra:
            raise InvalidRequest(f"{field}: The attribute {sorted(extra)[0]} is not allowed on <{tag}>")
    return etree.tostring(root, encoding="unicode")


def to_text(html: str) -> str:
    """The plain-text twin of stored (already valid) rich text."""
    root = etree.fromstring(html.encode("utf-8"), _PARSER)
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.tag in _BLOCKS and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(root)
    return "".join(parts).strip("\n")


def from_text(text: str) -> str:
    """Rich text holding exactly the given plain text (escaped)."""
    return "<body>" + escape(_NOT_XML.sub("", text)) + "</body>"
