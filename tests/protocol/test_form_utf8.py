"""Form-encoded bodies: a percent-escape that is not UTF-8 is a 400 that changes nothing, as raw bytes are."""

from __future__ import annotations

import pytest

from tests.helpers import fails, ok
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.anyio
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    "body",
    [
        b"name=%ED%A0%80",  # a UTF-16 surrogate
        b"name=%C0%80",  # an overlong NUL
        b"name=%F4%90%80%80",  # beyond U+10FFFF
        b"name=%FF",
        b"%ED%A0%80=x",  # in a key
        b"name=ok&opt_fields=%C0%80",  # in an option
        b"name=\xff",  # raw, not escaped
    ],
)
async def test_invalid_utf8_in_a_form_is_400_and_changes_nothing(client, world, body):
    task = await make_task(client, world, "Before")
    fails(await client.put(f"/tasks/{task}", content=body, headers=FORM), 400, "Request body must be UTF-8")
    assert ok(await client.get(f"/tasks/{task}"))["name"] == "Before"


async def test_valid_utf8_escapes_in_a_form_still_decode(client, world):
    task = await make_task(client, world, "Before")
    r = await client.put(f"/tasks/{task}", content=b"name=%E2%9C%93+caf%C3%A9%F0%9F%98%80", headers=FORM)
    assert ok(r)["name"] == "\u2713 caf\u00e9\U0001f600"
