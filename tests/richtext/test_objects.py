"""Rich text as Asana accepts it, per object, over the API (issue 13, section 2): the guide's tag table,
what production clients send (stored in canonical form), and strict mode refusing exactly that."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.richtext.helpers import OBJECTS, strict_mode
from vinyasa import richtext
from vinyasa.app import build_runtime
from vinyasa.config import Settings

pytestmark = pytest.mark.anyio
HEADERS = {"h1", "h2", "hr"}

# (sent, stored where the object has h1/h2/hr, stored where it does not)
CLIENT_EXAMPLES = [
    ("<body><b>Summary</b></body>", "<body><strong>Summary</strong></body>", None),
    (
        "<body><i>draft</i> and <B>bold</B></body>",
        "<body><em>draft</em> and <strong>bold</strong></body>",
        None,
    ),
    (
        '<body>PR: <A href="https://github.com/o/r/pull/7">https://github.com/o/r/pull/7</A></body>',
        '<body>PR: <a href="https://github.com/o/r/pull/7">https://github.com/o/r/pull/7</a></body>',
        None,
    ),
    ("<body>log:\n<pre>a &lt; b\nok</pre></body>", "<body>log:\n<code>a &lt; b\nok</code></body>", None),
    ("<body><blockquote>quoted</blockquote>reply</body>", "<body>quoted\nreply</body>", None),
    ("<body>one<hr />two</body>", "<body>one<hr/>two</body>", "<body>one\ntwo</body>"),
    (
        "<body><h1>Plan</h1><h2>Now</h2></body>",
        "<body><h1>Plan</h1><h2>Now</h2></body>",
        "<body><strong>Plan</strong>\n<strong>Now</strong></body>",
    ),
]


async def _written_gid(writer, response):
    data = ok(response, 201 if writer.method == "POST" else 200)
    return data["gid"]


@pytest.mark.parametrize("kind", OBJECTS)
@pytest.mark.parametrize(("sent", "with_headers", "without"), CLIENT_EXAMPLES)
async def test_what_clients_send_is_stored_canonically(client, world, kind, sent, with_headers, without):
    make, tags = OBJECTS[kind]
    writer = await make(client, world)
    gid = await _written_gid(writer, await writer.write(client, sent))
    expected = with_headers if HEADERS <= tags or without is None else without
    html, text = await writer.stored(client, gid)
    assert html == expected
    assert text == richtext.to_text(expected)


@pytest.mark.parametrize("kind", OBJECTS)
@pytest.mark.parametrize(("sent", "with_headers", "without"), CLIENT_EXAMPLES)
async def test_strict_mode_refuses_them_and_changes_nothing(client, world, kind, sent, with_headers, without):
    make, tags = OBJECTS[kind]
    writer = await make(client, world)
    before = ok(await writer.write(client, "<body>before</body>"), 201 if writer.method == "POST" else 200)
    documented = sent.replace(" />", "/>") == (with_headers if HEADERS <= tags else without)
    with strict_mode(world):
        response = await writer.write(client, sent)
        if documented:  # h1/h2/hr where the guide lists them
            await _written_gid(writer, response)
            return
        message = fails(response, 400, f"{writer.field}: The tag <")
    assert message.endswith("> is not allowed here")
    assert (await writer.stored(client, before["gid"]))[0] == "<body>before</body>"
    if writer.method == "POST":
        assert world.count("SELECT count(*) FROM statuses") == 1


@pytest.mark.parametrize("kind", OBJECTS)
async def test_the_guides_table_per_object(client, world, kind):
    make, tags = OBJECTS[kind]
    writer = await make(client, world)
    document = "<body><h1>Plan</h1>intro<hr/><h2>Steps</h2><ol><li>a</li></ol></body>"
    brief_only = '<body><table><tr><td>a</td></tr></table><img src="https://e.com/i.png"/></body>'
    with strict_mode(world):
        response = await writer.write(client, document)
        if HEADERS <= tags:
            html, text = await writer.stored(client, await _written_gid(writer, response))
            assert html == document and text == "Plan\nintro\nSteps\na"
        else:
            fails(response, 400, f"{writer.field}: The tag <h1> is not allowed here")
    for strict in (False, True):
        runtime = world.env.app.state.runtime
        runtime.rich_text_strict = strict
        try:
            response = await writer.write(client, brief_only)
        finally:
            runtime.rich_text_strict = False
        if "table" in tags:
            assert (await writer.stored(client, await _written_gid(writer, response)))[0] == brief_only
        else:
            fails(response, 400, f"{writer.field}: The tag <table> is not allowed here")


def test_the_setting_reads_the_environment(monkeypatch, env):
    assert Settings().rich_text == "lenient"
    monkeypatch.setenv("VINYASA_RICH_TEXT", "strict")
    settings = Settings(database_url=env.url)
    runtime = build_runtime(settings)
    try:
        assert settings.rich_text == "strict" and runtime.rich_text_strict is True
    finally:
        runtime.close()
    monkeypatch.setenv("VINYASA_RICH_TEXT", "loose")
    with pytest.raises(ValueError, match="rich_text"):
        Settings()
