"""The one rich-text module: tag sets per object, nesting, attributes, mentions, plain-text twin."""

from __future__ import annotations

import pytest

from vinyasa import richtext
from vinyasa.errors import InvalidRequest


def _rejects(html: str, fragment: str, allowed: frozenset[str] = richtext.BASIC_TAGS) -> None:
    with pytest.raises(InvalidRequest) as caught:
        richtext.normalize("html_text", html, allowed)
    assert caught.value.args[0].startswith("html_text: ") and fragment in caught.value.args[0]


@pytest.mark.parametrize(
    "html",
    [
        "<body></body>",
        "<body>a <strong>b <em>c</em></strong> <u>d</u> <s>e</s> <code>f</code></body>",
        "<body><ol><li>a<ul><li>b</li></ul></li></ol></body>",
        '<body><a href="https://example.com">x</a></body>',
    ],
)
def test_basic_set_accepts(html):
    assert richtext.normalize("f", html) == html
    assert richtext.normalize("f", html, richtext.BRIEF_TAGS) == html


@pytest.mark.parametrize("tag", ["h1", "h2", "table"])
def test_brief_tags_are_not_basic(tag):
    _rejects(f"<body><{tag}/></body>", f"<{tag}> is not allowed here")


def test_brief_set_accepts_headers_rules_images_tables():
    html = (
        '<body><h1>T <strong>b</strong> <a href="x">l</a></h1><h2>S</h2><hr/>'
        '<img src="https://e.com/i.png" alt="i"/><img data-gid="123"/>'
        "<table><tr><td>a <em>b</em></td><td>c</td></tr><tr><td>d</td></tr></table></body>"
    )
    assert richtext.normalize("f", html, richtext.BRIEF_TAGS) == html


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<body><h1><ol><li>x</li></ol></h1></body>", "<ol> is not allowed inside <h1>"),
        ("<body><h2><h1>x</h1></h2></body>", "<h1> is not allowed inside <h2>"),
        ("<body><h1>a<br/>b</h1></body>", "<br>"),
        ("<body><h2>a\nb</h2></body>", "line break"),
        ("<body><strong><ul><li>x</li></ul></strong></body>", "<ul> is not allowed inside <strong>"),
        ("<body><ul>text<li>x</li></ul></body>", "Text is not allowed directly inside <ul>"),
        ("<body><ul><strong>x</strong></ul></body>", "<strong> is not allowed inside <ul>"),
        ("<body><tr><td>x</td></tr></body>", "<tr> is only allowed inside <table>"),
        ("<body><table><tr><td><table/></td></tr></table></body>", "<table> is not allowed inside <td>"),
        ("<body><hr><em>x</em></hr></body>", "<em> is not allowed inside <hr>"),
        ("<body><img src='a'>x</img></body>", "Text is not allowed directly inside <img>"),
        ("<body><img alt='a'/></body>", "src or data-gid"),
        ("<body><img src='a' style='x'/></body>", "style"),
        ("<body><h1 id='a'>x</h1></body>", "id"),
    ],
)
def test_brief_nesting_and_attributes(html, fragment):
    _rejects(html, fragment, richtext.BRIEF_TAGS)


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<body>a", "XML is invalid"),
        ("<body><em>a</strong></body>", "XML is invalid"),
        ("<BODY>a</BODY>", "root element"),
        ("<div>a</div>", "root element"),
        ("<body><!-- c --></body>", "Comments"),
        ("<body><p>a</p></body>", "<p>"),
        ("<body><em style='x'>a</em></body>", "attribute style"),
        ('<!DOCTYPE body [<!ENTITY x "y">]><body>&x;</body>', "html_text"),
        ("<body><li>a</li></body>", "<li> is only allowed inside"),
    ],
)
def test_basic_rejects(html, fragment):
    _rejects(html, fragment)


def test_mentions_expand_only_with_a_base_url():
    html = '<body><a data-asana-gid="42"/></body>'
    assert richtext.normalize("f", html) == html
    assert richtext.normalize("f", html, base_url="https://v.example") == (
        '<body><a data-asana-gid="42" href="https://v.example/0/0/42"/></body>'
    )
    resolved = richtext.normalize(
        "f", html, base_url="https://v.example", permalink=lambda g: f"https://v.example/0/{g}/list"
    )
    assert resolved == '<body><a data-asana-gid="42" href="https://v.example/0/42/list"/></body>'
    overridden = richtext.normalize("f", '<body><a href="evil" data-asana-gid="7">x</a></body>', base_url="b")
    assert overridden == '<body><a href="b/0/0/7" data-asana-gid="7">x</a></body>'
    _rejects('<body><a data-asana-gid="12a"/></body>', "data-asana-gid")


def test_plain_text_twin():
    assert richtext.to_text("<body>a &lt; b</body>") == "a < b"
    assert (
        richtext.to_text("<body><h1>T</h1>after<ul><li>1</li><li>2</li></ul>end</body>")
        == "T\nafter\n1\n2\nend"
    )
    assert richtext.to_text(
        "<body><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table></body>"
    ) == ("a\tb\nc")
    assert richtext.to_text('<body>see <a href="https://x/1"/></body>') == "see https://x/1"
    assert richtext.to_text('<body><a href="https://x/1">name</a></body>') == "name"


@pytest.mark.parametrize(
    "text", ["", "plain", "a < b & c > d", "line\nbreak", "<body>x</body>", "quote \" '"]
)
def test_text_round_trips(text):
    html = richtext.from_text(text)
    assert richtext.normalize("f", html) == html
    assert richtext.to_text(html) == text


def test_control_characters_are_dropped():
    assert richtext.from_text("a\x00b\x1fc") == "<body>abc</body>"
