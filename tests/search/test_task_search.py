"""Task search: every filter alone and combined, sorting, limit, the text index kept in step, visibility."""

from __future__ import annotations

import pytest

from tests.conftest import api_client
from tests.helpers import fails, ok
from tests.portfolios.helpers import add_item, make_portfolio
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task, project_with_sections

pytestmark = pytest.mark.anyio


async def search(client, world, **params) -> list[str]:
    """The names of the tasks a search finds, in order."""
    found = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search", params=params))
    return [t["name"] for t in found]


async def test_text_matches_name_and_notes_by_word_prefix(client, world):
    await make_task(client, world, "Quarterly budget review", notes="numbers for finance")
    await make_task(client, world, "Team lunch", html_notes="<body>bring the <strong>budget</strong></body>")
    await make_task(client, world, "Unrelated")
    assert sorted(await search(client, world, text="budget")) == ["Quarterly budget review", "Team lunch"]
    assert await search(client, world, text="BUDG fin") == ["Quarterly budget review"]
    assert await search(client, world, text="strong") == []  # markup is not text
    assert await search(client, world, text="body") == []
    assert len(await search(client, world, text="  ")) == 3  # no words: no text filter


async def test_text_index_follows_renames_and_deletes(client, world):
    gid = await make_task(client, world, "Alpha")
    assert await search(client, world, text="alpha") == ["Alpha"]
    ok(await client.put(f"/tasks/{gid}", json={"data": {"name": "Beta", "notes": "gamma"}}))
    assert await search(client, world, text="alpha") == []
    assert await search(client, world, text="gamma") == ["Beta"]
    ok(await client.delete(f"/tasks/{gid}"))
    assert await search(client, world, text="beta") == []


async def test_project_section_and_flag_filters(client, world):
    project, (first, second) = await project_with_sections(client, world, "Later")
    other = (await make_project(client, world, name="Other"))["gid"]
    a = await make_task(client, world, "A", memberships=[{"project": project, "section": first}])
    b = await make_task(client, world, "B", memberships=[{"project": project, "section": second}])
    await make_task(client, world, "C", projects=[other])
    both = await make_task(client, world, "D", projects=[project, other])
    await make_task(client, world, "Loose")
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    ok(await client.post(f"/tasks/{a}/subtasks", json={"data": {"name": "A1"}}), 201)
    assert sorted(await search(client, world, **{"projects.any": project})) == ["A", "B", "D"]
    assert sorted(await search(client, world, **{"projects.any": f"{project},{other}"})) == [
        "A",
        "B",
        "C",
        "D",
    ]
    assert await search(client, world, **{"projects.all": f"{project},{other}"}) == ["D"]
    assert sorted(await search(client, world, **{"projects.not": project})) == ["A1", "C", "Loose"]
    assert sorted(await search(client, world, **{"sections.any": second})) == [
        "B",
        "D",
    ]  # D: the last section
    assert await search(client, world, **{"sections.not": second, "projects.any": project}) == ["A"]
    assert await search(client, world, **{"sections.all": f"{first},{second}"}) == []
    # Asana: "projects.any and sections.any: tasks for the project and tasks for the section"
    assert sorted(await search(client, world, **{"projects.any": other, "sections.any": first})) == [
        "A",
        "C",
        "D",
    ]
    assert sorted(await search(client, world, **{"projects.any": project, "completed": "false"})) == [
        "A",
        "D",
    ]
    assert await search(client, world, completed="true") == ["B"]
    assert await search(client, world, is_subtask="true") == ["A1"]
    assert "A1" not in await search(client, world, is_subtask="false")
    assert await search(client, world, has_attachment="true") == []
    assert both


async def test_people_filters(client, world):
    bob, _ = world.person("bob@example.com")
    await make_task(client, world, "Mine", assignee="me")
    await make_task(client, world, "Bobs", assignee=bob)
    await make_task(client, world, "Nobody")
    await make_task(client, world, "Followed", followers=[bob])
    assert await search(client, world, **{"assignee.any": "me"}) == ["Mine"]
    assert await search(client, world, **{"assignee.any": "bob@example.com"}) == ["Bobs"]
    assert sorted(await search(client, world, **{"assignee.any": "null"})) == ["Followed", "Nobody"]
    assert sorted(await search(client, world, **{"assignee.not": f"me,{bob}"})) == ["Followed", "Nobody"]
    assert sorted(await search(client, world, **{"assignee.not": "null"})) == ["Bobs", "Mine"]
    assert await search(client, world, **{"followers.any": bob}) == ["Followed"]
    assert len(await search(client, world, **{"followers.not": bob})) == 3
    assert len(await search(client, world, **{"created_by.any": "me"})) == 4
    assert await search(client, world, **{"created_by.not": "me"}) == []


async def test_dates_and_sorting(client, world, tick):
    await make_task(client, world, "Early", due_on="2030-01-01")
    tick()
    await make_task(client, world, "Timed", due_at="2030-01-02T10:00:00Z")
    tick()
    await make_task(client, world, "Late", due_on="2030-01-03", start_on="2030-01-02")
    tick()
    await make_task(client, world, "Undated")
    assert await search(client, world, sort_by="due_date", sort_ascending="true") == [
        "Early", "Timed", "Late", "Undated"
    ]  # fmt: skip
    assert await search(client, world, sort_by="due_date") == ["Late", "Timed", "Early", "Undated"]
    assert await search(client, world, due_on="2030-01-02") == ["Timed"]
    assert await search(client, world, due_on="null") == ["Undated"]
    assert sorted(await search(client, world, **{"due_on.before": "2030-01-03"})) == ["Early", "Timed"]
    assert sorted(await search(client, world, **{"due_on.after": "2030-01-01"})) == ["Late", "Timed"]
    assert await search(client, world, **{"due_at.after": "2030-01-02T11:00:00Z"}) == ["Late"]
    assert sorted(await search(client, world, **{"due_at.before": "2030-01-02T11:00:00Z"})) == [
        "Early",
        "Timed",
    ]
    assert await search(client, world, start_on="2030-01-02") == ["Late"]
    assert await search(client, world, sort_by="created_at", sort_ascending="true", limit="2") == [
        "Early",
        "Timed",
    ]
    assert await search(client, world, sort_by="created_at", limit="1") == ["Undated"]
    names = await search(client, world, sort_by="created_at")
    last = ok(
        await client.get(
            f"/workspaces/{world.workspace}/tasks/search?sort_by=created_at&limit=2&opt_fields=created_at"
        )
    )
    walked = await search(
        client, world, sort_by="created_at", **{"created_at.before": last[-1]["created_at"]}
    )
    assert names[:2] + walked == names  # Asana's documented walk
    today = await search(client, world, created_on="2000-01-01")
    assert today == []
    assert len(await search(client, world, **{"modified_on.after": "2000-01-01"})) == 4
    assert await search(client, world, **{"completed_on": "null"}) != []


async def test_subtype_and_custom_fields(client, world):
    await make_task(client, world, "Ship", resource_subtype="milestone")
    await make_task(client, world, "Plain")
    assert await search(client, world, resource_subtype="milestone") == ["Ship"]
    field, label = [
        ok(await client.post("/custom_fields", json={"data": {"workspace": world.workspace, **spec}}), 201)[
            "gid"
        ]
        for spec in (
            {"name": "Points", "resource_subtype": "number"},
            {"name": "Label", "resource_subtype": "text"},
        )
    ]
    project = (await make_project(client, world))["gid"]
    for gid in (field, label):
        ok(
            await client.post(
                f"/projects/{project}/addCustomFieldSetting", json={"data": {"custom_field": gid}}
            )
        )
    await make_task(client, world, "Three", projects=[project], custom_fields={field: 3, label: "Red apple"})
    await make_task(client, world, "Eight", projects=[project], custom_fields={field: 8, label: "green"})
    await make_task(client, world, "None", projects=[project])
    cf = f"custom_fields.{field}"
    assert await search(client, world, **{f"{cf}.value": "3"}) == ["Three"]
    assert await search(client, world, **{f"{cf}.less_than": "5"}) == ["Three"]
    assert await search(client, world, **{f"{cf}.greater_than": "5"}) == ["Eight"]
    assert sorted(await search(client, world, **{f"{cf}.is_set": "true"})) == ["Eight", "Three"]
    assert "None" in await search(client, world, **{f"{cf}.is_set": "false"})
    lb = f"custom_fields.{label}"
    assert await search(client, world, **{f"{lb}.starts_with": "red"}) == ["Three"]
    assert await search(client, world, **{f"{lb}.ends_with": "APPLE"}) == ["Three"]
    assert await search(client, world, **{f"{lb}.contains": "ree"}) == ["Eight"]
    assert await search(client, world, **{f"{lb}.value": "green"}) == ["Eight"]
    assert await search(client, world, **{f"{lb}.contains": "%"}) == []
    fails(await client.get(f"/workspaces/{world.workspace}/tasks/search?{cf}.starts_with=3"), 400)
    fails(await client.get(f"/workspaces/{world.workspace}/tasks/search?custom_fields.1.value=3"), 400)


@pytest.mark.parametrize(
    "query",
    [
        "completed=maybe", "sort_by=name", "resource_subtype=bug", "limit=101", "projects.any=123",
        "sections.any=x", "teams.any=5", "assignee.any=nobody@example.com", "due_on=2030-13-01",
        "due_at.before=yesterday", "tags.any=1", "tags.not=1", "portfolios.any=2", "is_blocked=1",
        "created_on.after=x",
    ],
)  # fmt: skip
async def test_bad_filters_are_400(client, world, query):
    await make_task(client, world, "Any")
    fails(await client.get(f"/workspaces/{world.workspace}/tasks/search?{query}"), 400)


async def test_visibility(client, world):
    bob, token = world.person("bob@example.com")
    secret = (await make_project(client, world, name="Secret", privacy_setting="private"))["gid"]
    public = (await make_project(client, world, name="Public"))["gid"]
    hidden = await make_task(client, world, "hidden plan", projects=[secret])
    await make_task(client, world, "public plan", projects=[public])
    await make_task(client, world, "private plan")  # only the creator follows it
    await make_task(client, world, "assigned plan", assignee=bob)
    ok(await client.post(f"/tasks/{hidden}/subtasks", json={"data": {"name": "hidden child plan"}}), 201)
    async with api_client(world.env, token) as as_bob:
        found = ok(await as_bob.get(f"/workspaces/{world.workspace}/tasks/search", params={"text": "plan"}))
        assert sorted(t["name"] for t in found) == ["assigned plan", "public plan"]
        fails(await as_bob.get(f"/workspaces/{world.workspace}/tasks/search?projects.any={secret}"), 400)
        nothing = await as_bob.get(f"/workspaces/{world.workspace}/tasks/search", params={"text": "hidden"})
        assert ok(nothing) == []
    assert len(await search(client, world, text="plan")) == 5
    outsider = world.other_workspace("Elsewhere", "carol@example.com")
    fails(await client.get(f"/workspaces/{outsider['workspace']}/tasks/search"), 404)


async def test_opt_fields_and_compact(client, world):
    await make_task(client, world, "Shape", due_on="2030-01-01")
    (item,) = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search"))
    assert set(item) == {"gid", "resource_type", "name", "resource_subtype"}
    (item,) = ok(await client.get(f"/workspaces/{world.workspace}/tasks/search?opt_fields=due_on"))
    assert item == {"gid": item["gid"], "due_on": "2030-01-01"}
    r = await client.get(f"/workspaces/{world.workspace}/tasks/search?limit=1")
    assert "next_page" not in r.json()


async def test_one_project_by_due_date_follows_date_changes(client, world):
    """One project's search by due date reads the placements' copy of the due date (kept by the
    database): it must follow every change of the task's dates, and agree with the general order."""
    project = (await make_project(client, world))["gid"]
    other = (await make_project(client, world, name="Other"))["gid"]
    a = await make_task(client, world, "A", projects=[project], due_on="2030-01-05")
    b = await make_task(client, world, "B", projects=[project])
    c = await make_task(client, world, "C", projects=[project], due_at="2030-01-05T12:00:00Z")
    ok(await client.put(f"/tasks/{b}", json={"data": {"due_on": "2030-01-01"}}))
    ok(await client.post(f"/tasks/{a}/addProject", json={"data": {"project": other}}))
    one = {"projects.any": project, "sort_by": "due_date"}
    assert await search(client, world, **one) == ["C", "A", "B"]
    assert await search(client, world, **one, sort_ascending="true") == ["B", "A", "C"]
    ok(await client.put(f"/tasks/{c}", json={"data": {"due_at": None}}))
    assert await search(client, world, **one) == ["A", "B", "C"]  # no date: last either way
    assert await search(client, world, **one, sort_ascending="true") == ["B", "A", "C"]
    ok(await client.put(f"/tasks/{b}", json={"data": {"completed": True}}))
    assert await search(client, world, **one, completed="false") == ["A", "C"]
    assert await search(client, world, **one, completed="true") == ["B"]
    both = {"projects.any": f"{project},{other}", "sort_by": "due_date"}
    assert await search(client, world, **both) == ["A", "B", "C"]
    assert await search(client, world, **{"projects.any": other, "sort_by": "due_date"}) == ["A"]


@pytest.mark.parametrize(
    "name", ["projects", "sections", "tags", "followers", "assignee", "created_by", "teams"]
)
async def test_empty_id_lists_are_no_filter_or_nothing_never_a_500(client, world, name):
    """An empty list (`projects.all=`, found by schemathesis) is no filter, in every mode, as for tags;
    it used to render `AND ()` and answer 500."""
    await make_task(client, world, "Kept")
    for mode in ("any", "not", "all"):
        response = await client.get(
            f"/workspaces/{world.workspace}/tasks/search", params={f"{name}.{mode}": ""}
        )
        assert response.status_code in (200, 400), (name, mode, response.text)
        if response.status_code == 200:
            names = [t["name"] for t in response.json()["data"]]
            assert names == ["Kept"], (name, mode, names)


async def test_text_without_words_finds_nothing(client, world):
    """Both indexes hold only letters and digits (an emoji, `?` or `_` is a separator to them), so
    a text of none of those can match no task: it finds nothing, it is not dropped."""
    await make_task(client, world, "🚀 rocket launch")
    await make_task(client, world, "What??? snake_case")
    for nothing in ("🚀", "???", "🚀 ?", "_", "__"):
        assert await search(client, world, text=nothing) == [], nothing
    assert await search(client, world, text="🚀 rocket") == ["🚀 rocket launch"]  # the emoji is no word
    assert await search(client, world, text="what") == ["What??? snake_case"]
    assert await search(client, world, text="snake_ca") == ["What??? snake_case"]
    found = ok(await client.get(f"/workspaces/{world.workspace}/projects/search", params={"text": "???"}))
    assert found == []
    await make_project(client, world, name="🚀 Apollo")
    found = ok(await client.get(f"/workspaces/{world.workspace}/projects/search", params={"text": "🚀"}))
    assert found == []


async def test_portfolios_any_finds_the_tasks_of_their_projects(client, world):
    """The tasks of the projects that are direct items of the portfolios, of those projects the
    caller sees only (an assignee who cannot see the project does not learn it is an item)."""
    bob, token = world.person("bob@example.com")
    folio = (await make_portfolio(client, world, privacy_setting="public_to_domain"))["gid"]
    nested = (await make_portfolio(client, world, name="Nested"))["gid"]
    open_, closed, deep = [
        (await make_project(client, world, name=name, privacy_setting=privacy))["gid"]
        for name, privacy in (
            ("Open", "public_to_workspace"),
            ("Closed", "private"),
            ("Deep", "public_to_workspace"),
        )
    ]
    for into, item in ((folio, open_), (folio, closed), (folio, nested), (nested, deep)):
        await add_item(client, into, item)
    await make_task(client, world, "In open", projects=[open_])
    await make_task(client, world, "In closed", projects=[closed], assignee=bob)
    await make_task(client, world, "In deep", projects=[deep])
    await make_task(client, world, "Loose")
    assert sorted(await search(client, world, **{"portfolios.any": folio})) == ["In closed", "In open"]
    assert sorted(await search(client, world, **{"portfolios.any": f"{folio},{nested}"})) == [
        "In closed", "In deep", "In open"
    ]  # fmt: skip
    assert await search(client, world, **{"portfolios.any": folio, "assignee.any": bob}) == ["In closed"]
    assert await search(client, world, **{"portfolios.any": nested, "projects.not": deep}) == []
    assert len(await search(client, world, **{"portfolios.any": ""})) == 4
    path = f"/workspaces/{world.workspace}/tasks/search"
    async with api_client(world.env, token) as as_bob:
        assert [t["name"] for t in ok(await as_bob.get(path, params={"portfolios.any": folio}))] == [
            "In open"
        ]
        assert [t["name"] for t in ok(await as_bob.get(path, params={"text": "closed"}))] == ["In closed"]
        hidden = fails(await as_bob.get(path, params={"portfolios.any": nested}), 400)
        assert hidden == f"portfolios.any: Unknown object: {nested}"
