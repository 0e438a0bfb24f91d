"""The one rich-text module, as a pure function: tag sets per object, nesting, attributes, the
lenient rewriting of what production clients send, strict mode, links, and the plain-text twin."""

from __future__ import annotations

import pytest

from vinyasa import richtext
from vinyasa.errors import InvalidRequest


def _rejects(
    html: str, fragment: str, allowed: frozenset[str] = richtext.BASIC_TAGS, *, strict: bool = False
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        richtext.normalize("html_text", html, allowed, strict=strict)
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
    for allowed in (richtext.BASIC_TAGS, richtext.TASK_TAGS, richtext.BRIEF_TAGS):
        assert richtext.normalize("f", html, allowed) == html
        assert richtext.normalize("f", html, allowed, strict=True) == html


@pytest.mark.parametrize(
    ("tag", "allowed"), [(t, richtext.BASIC_TAGS) for t in ("h1", "h2", "hr", "table", "img")]
)
def test_strict_mode_refuses_tags_the_object_does_not_have(tag, allowed):
    _rejects(f"<body><{tag}/></body>", f"<{tag}> is not allowed here", allowed, strict=True)


@pytest.mark.parametrize("tag", ["table", "tr", "td", "img"])
def test_tables_and_images_are_for_briefs_only(tag):
    for strict in (False, True):
        _rejects(f"<body><{tag}/></body>", f"<{tag}> is not allowed here", richtext.TASK_TAGS, strict=strict)


def test_task_notes_have_headers_and_rules():
    html = '<body><h1>T <strong>b</strong></h1><h2>S <a href="x">l</a></h2>text<hr/>more</body>'
    assert richtext.normalize("f", html, richtext.TASK_TAGS, strict=True) == html
    assert richtext.to_text(html) == "T b\nS l\ntext\nmore"


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
        ("<div>a</div>", "root element"),
        ("<body><!-- c --></body>", "Comments"),
        ("<body><em>a</em><?pi x?></body>", "processing instructions"),
        ("<body><p>a</p></body>", "<p>"),
        ("<body><em style='x'>a</em></body>", "attribute style"),
        ('<!DOCTYPE body [<!ENTITY x "y">]><body>&x;</body>', "html_text"),
        # A DTD's attribute defaults would satisfy the link rules without reaching the stored text.
        ('<!DOCTYPE body [<!ATTLIST a href CDATA "x">]><body><a>hi</a></body>', "Document type declarations"),
        ("<!DOCTYPE body><body>a</body>", "Document type declarations"),
        ("<body><li>a</li></body>", "<li> is only allowed inside"),
    ],
)
def test_basic_rejects(html, fragment):
    _rejects(html, fragment)
    _rejects(html, fragment, strict=True)


def test_strict_tag_names_are_case_sensitive():
    _rejects("<BODY>a</BODY>", "root element", strict=True)
    _rejects('<body><A href="x">y</A></body>', "<A> is not allowed here", strict=True)
    _rejects("<body><Strong>y</Strong></body>", "<Strong> is not allowed here", strict=True)


def test_body_only_at_the_root():
    _rejects("<body><body>x</body></body>", "<body> is not allowed inside <body>")


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


# ---- lenient mode: what production clients send ------------------------------------------------

BASIC, TASK = richtext.BASIC_TAGS, richtext.TASK_TAGS
LENIENT = [
    # (sent, object's tag set, stored canonical form)
    ("<body><b>Summary</b></body>", TASK, "<body><strong>Summary</strong></body>"),
    (
        "<body><i>a</i> <B>b</B> <I>c</I></body>",
        BASIC,
        "<body><em>a</em> <strong>b</strong> <em>c</em></body>",
    ),
    ("<body><tt>x</tt></body>", BASIC, "<body><code>x</code></body>"),
    (
        '<body>see <A href="https://github.com/o/r/pull/1">PR</A></body>',
        TASK,
        '<body>see <a href="https://github.com/o/r/pull/1">PR</a></body>',
    ),
    ("<BODY><Em>x</Em><UL><LI>y</LI></UL></BODY>", BASIC, "<body><em>x</em><ul><li>y</li></ul></body>"),
    (
        "<body>run\n<pre>make\nmake test</pre>then</body>",
        TASK,
        "<body>run\n<code>make\nmake test</code>\nthen</body>",
    ),
    ("<body>a<pre><code>x()</code></pre></body>", TASK, "<body>a\n<code>x()</code></body>"),
    ("<body><PRE><TT>x</TT></PRE></body>", TASK, "<body><code>x</code></body>"),
    (
        "<body><blockquote>quoted <b>b</b></blockquote>reply</body>",
        TASK,
        "<body>quoted <strong>b</strong>\nreply</body>",
    ),
    (
        "<body>x<blockquote><ul><li>y</li></ul></blockquote></body>",
        BASIC,
        "<body>x\n<ul><li>y</li></ul></body>",
    ),
    ("<body>one<hr />two</body>", TASK, "<body>one<hr/>two</body>"),
    ("<body>one<hr />two</body>", BASIC, "<body>one\ntwo</body>"),
    ("<body><h1>Title</h1>x</body>", BASIC, "<body><strong>Title</strong>\nx</body>"),
    ("<body><H2>Sub</H2></body>", TASK, "<body><h2>Sub</h2></body>"),
]


@pytest.mark.parametrize(("sent", "allowed", "stored"), LENIENT)
def test_lenient_mode_stores_the_canonical_form(sent, allowed, stored):
    assert richtext.normalize("f", sent, allowed) == stored
    assert richtext.normalize("f", stored, allowed) == stored  # canonical is a fixed point


@pytest.mark.parametrize(
    ("sent", "allowed", "stored"), [c for c in LENIENT if c[0].replace(" />", "/>") != c[2]]
)
def test_strict_mode_refuses_what_lenient_mode_rewrites(sent, allowed, stored):
    with pytest.raises(InvalidRequest, match="^f: The (tag <[A-Za-z0-9]+> is not allowed here|root element)"):
        richtext.normalize("f", sent, allowed, strict=True)


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<body><p>x</p></body>", "<p> is not allowed here"),
        ("<body><DIV>x</DIV></body>", "<DIV> is not allowed here"),
        ("<body><br/></body>", "<br> is not allowed here"),
        ("<body><b class='x'>y</b></body>", "attribute class"),
        ("<body><ul><b>x</b></ul></body>", "<strong> is not allowed inside <ul>"),
        ("<body><h1>a<pre>b</pre></h1></body>", "line break"),
        ("<body><blockquote><li>x</li></blockquote></body>", "<li> is only allowed inside"),
    ],
)
def test_lenient_mode_still_refuses_the_rest(html, fragment):
    _rejects(html, fragment, richtext.TASK_TAGS)


# ---- links (the guide's write rules) ------------------------------------------------------------


def _resolver(seen: list[set[richtext.LinkKey]]) -> richtext.Resolver:
    """Task 42 is visible (inside project 7 too); nothing else is. Records each call's keys."""

    def resolve(keys: set[richtext.LinkKey]) -> dict[richtext.LinkKey, richtext.Mention]:
        seen.append(keys)
        known = {
            (42, None): richtext.Mention("task", "Buy milk", "https://v/0/0/42/f"),
            (42, 7): richtext.Mention("task", "Buy milk", "https://v/0/7/42", 7),
        }
        return {key: known[key] for key in keys if key in known}

    return resolve


def test_a_visible_gid_is_expanded_and_its_content_replaced():
    seen: list[set[richtext.LinkKey]] = []
    sent = '<body>do <a data-asana-gid="42" href="https://evil" data-asana-tag="3">old <b>x</b></a></body>'
    assert richtext.normalize("f", sent, resolve=_resolver(seen)) == (
        '<body>do <a href="https://v/0/0/42/f" data-asana-accessible="true" data-asana-dynamic="true"'
        ' data-asana-type="task" data-asana-gid="42">Buy milk</a></body>'
    )
    assert seen == [{(42, None)}]
    in_project = richtext.normalize(
        "f", '<body><a data-asana-gid="42" data-asana-project="7"/></body>', resolve=_resolver(seen)
    )
    assert 'href="https://v/0/7/42"' in in_project and 'data-asana-project="7">Buy milk</a>' in in_project


def test_dynamic_false_keeps_the_callers_text():
    sent = '<body><a data-asana-gid="42" data-asana-dynamic="false">see <em>this</em></a></body>'
    assert richtext.normalize("f", sent, resolve=_resolver([])) == (
        '<body><a href="https://v/0/0/42/f" data-asana-accessible="true" data-asana-dynamic="false"'
        ' data-asana-type="task" data-asana-gid="42">see <em>this</em></a></body>'
    )


@pytest.mark.parametrize("gid", ["43", "9999999999999999999", "99999999999999999999", "0", "12a", ""])
def test_a_gid_nobody_can_see_needs_an_href(gid):
    seen: list[set[richtext.LinkKey]] = []
    with pytest.raises(InvalidRequest, match=f"^f: Unknown object: {gid}"):
        richtext.normalize("f", f'<body><a data-asana-gid="{gid}">x</a></body>', resolve=_resolver(seen))
    kept = f'<body><a data-asana-gid="{gid}" href="https://app.asana.com/0/1/2">x</a></body>'
    assert richtext.normalize("f", kept, resolve=_resolver(seen)) == kept  # written back unmodified
    assert all(0 < g <= 2**63 - 1 for keys in seen for g, _ in keys)  # out-of-range gids: no lookup


def test_without_a_resolver_no_gid_is_visible():
    with pytest.raises(InvalidRequest, match="Unknown object: 42"):
        richtext.normalize("f", '<body><a data-asana-gid="42"/></body>')


@pytest.mark.parametrize(
    "html", ["<body><a>x</a></body>", '<body><a href="">x</a></body>', '<body><a href="  ">x</a></body>']
)
def test_a_link_needs_a_gid_or_an_href(html):
    for strict in (False, True):
        _rejects(html, "An <a> tag needs a data-asana-gid or an href", strict=strict)


@pytest.mark.parametrize(
    "html", ["<body>a", "<body><em>a</strong></body>", "<body>" + "<em>" * 300 + "</body>", "", "a & b"]
)
def test_invalid_xml_names_the_place_not_the_parsers_wording(html):
    with pytest.raises(InvalidRequest) as caught:
        richtext.normalize("html_notes", html)
    message = caught.value.args[0]
    assert message.startswith("html_notes: XML is invalid at line 1, column ")
    assert message.removeprefix("html_notes: XML is invalid at line 1, column ").isdigit()


def test_all_links_are_resolved_in_one_call():
    seen: list[set[richtext.LinkKey]] = []
    sent = "<body>" + '<a data-asana-gid="42"/>' * 50 + '<a data-asana-gid="43" href="h">x</a></body>'
    stored = richtext.normalize("f", sent, resolve=_resolver(seen))
    assert seen == [{(42, None), (43, None)}] and stored.count(">Buy milk</a>") == 50
