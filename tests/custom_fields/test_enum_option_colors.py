"""Enum option colors: one of Asana's option palette on every write (POST, PUT, inline on a new field);
anything else is a 400 in the enum wording that changes nothing."""

from __future__ import annotations

from typing import get_args

import pytest

from tests.custom_fields.helpers import make_field
from tests.helpers import fails, ok
from vinyasa.custom_fields.schemas import OptionColor
from vinyasa.spec import load_spec

pytestmark = pytest.mark.anyio
BAD = ["not-a-color", "0123", "", "dark-blue", "Blue", " blue"]


def test_the_palette_is_the_one_the_spec_enumerates() -> None:
    # EnumOption.color is a bare string in the spec (example `blue`, default `none`); the one list of
    # these color names the spec enumerates is the time tracking categories'.
    schemas = load_spec("asana_oas.yaml")["components"]["schemas"]
    listed = schemas["TimeTrackingCategoryBaseRequest"]["properties"]["color"]["enum"]
    assert list(get_args(OptionColor)) == listed
    assert schemas["EnumOption"]["properties"]["color"]["example"] in listed


@pytest.mark.parametrize("color", BAD)
async def test_a_new_option_with_a_bad_color_is_400(client, world, color):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a"}])
    before = world.count("SELECT count(*) FROM enum_options")
    fails(
        await client.post(
            f"/custom_fields/{field['gid']}/enum_options", json={"data": {"name": "Z", "color": color}}
        ),
        400,
        "color: Not a valid enum value",
        "Valid values are: ",
    )
    assert world.count("SELECT count(*) FROM enum_options") == before


@pytest.mark.parametrize("color", BAD)
async def test_recoloring_an_option_with_a_bad_color_is_400(client, world, color):
    field = await make_field(client, world, "Stage", "enum", enum_options=[{"name": "a", "color": "red"}])
    option = field["enum_options"][0]["gid"]
    fails(
        await client.put(f"/enum_options/{option}", json={"data": {"color": color}}),
        400,
        "color: Not a valid enum value",
    )
    assert ok(await client.get(f"/custom_fields/{field['gid']}"))["enum_options"][0]["color"] == "red"


@pytest.mark.parametrize("color", BAD)
async def test_a_new_field_with_a_bad_option_color_is_400(client, world, color):
    before = world.count("SELECT count(*) FROM custom_fields")
    body = {
        "workspace": world.workspace,
        "name": "Stage",
        "resource_subtype": "enum",
        "enum_options": [{"name": "a"}, {"name": "b", "color": color}],
    }
    fails(
        await client.post("/custom_fields", json={"data": body}),
        400,
        "enum_options[1].color: Not a valid enum value",
    )
    assert world.count("SELECT count(*) FROM custom_fields") == before


async def test_every_color_of_the_palette_is_accepted(client, world):
    colors = list(get_args(OptionColor))
    field = await make_field(
        client, world, "Stage", "multi_enum", enum_options=[{"name": c, "color": c} for c in colors]
    )
    assert [o["color"] for o in field["enum_options"]] == colors
    option = field["enum_options"][0]["gid"]
    for color in colors:
        assert (
            ok(await client.put(f"/enum_options/{option}", json={"data": {"color": color}}))["color"] == color
        )
    added = ok(
        await client.post(f"/custom_fields/{field['gid']}/enum_options", json={"data": {"name": "plain"}}),
        201,
    )
    assert added["color"] == "none"
