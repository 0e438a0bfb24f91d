"""Every kind of insert and move, one step at a time, with the whole resulting order checked after each.

After each step the layout (sections in order, the tasks of each in order) is read through
GET /projects/{gid}/sections and GET /sections/{gid}/tasks, and GET /projects/{gid}/tasks must be
exactly their concatenation (see tests.tasks.layout); the stored invariants are checked too.
"""

from __future__ import annotations

import pytest

from tests.helpers import ok
from tests.tasks.helpers import make_task, project_with_sections
from tests.tasks.layout import layout, stored_invariants

pytestmark = pytest.mark.anyio


async def test_every_placement_step_by_step(client, world):
    project, (s0, s1, s2) = await project_with_sections(client, world, "S1", "S2")
    t = {n: await make_task(client, world, name=n) for n in "abcdefghij"}

    async def add_project(task, **data):
        assert ok(await client.post(f"/tasks/{t[task]}/addProject", json={"data": data})) == {}

    async def add_task(section, task, **data):
        body = {"task": t[task], **{k: t[v] for k, v in data.items()}}
        assert ok(await client.post(f"/sections/{section}/addTask", json={"data": body})) == {}

    async def expect(*sections):
        assert await layout(client, project) == list(sections)
        stored_invariants(world, project)

    U = "Untitled section"
    await expect((U, []), ("S1", []), ("S2", []))
    # addProject, no location: the end of the project = the bottom of the last section
    await add_project("a", project=project)
    await expect((U, []), ("S1", []), ("S2", ["a"]))
    await add_project("b", project=project)
    await expect((U, []), ("S1", []), ("S2", ["a", "b"]))
    # addProject with a section: the bottom of that section
    await add_project("c", project=project, section=s1)
    await add_project("d", project=project, section=s1)
    await expect((U, []), ("S1", ["c", "d"]), ("S2", ["a", "b"]))
    # section + insert_after: null -> the top of the section; + insert_before: null -> its bottom
    await add_project("e", project=project, section=s1, insert_after=None)
    await expect((U, []), ("S1", ["e", "c", "d"]), ("S2", ["a", "b"]))
    await add_project("f", project=project, section=s1, insert_before=None)
    await expect((U, []), ("S1", ["e", "c", "d", "f"]), ("S2", ["a", "b"]))
    # no section, insert_after: null -> the start of the project (top of the first section)
    await add_project("g", project=project, insert_after=None)
    await expect((U, ["g"]), ("S1", ["e", "c", "d", "f"]), ("S2", ["a", "b"]))
    # no section, insert_before: null -> the end of the project
    await add_project("h", project=project, insert_before=None)
    await expect((U, ["g"]), ("S1", ["e", "c", "d", "f"]), ("S2", ["a", "b", "h"]))
    # insert_before / insert_after a task of the project (lands in that task's section)
    await add_project("i", project=project, insert_before=t["d"])
    await expect((U, ["g"]), ("S1", ["e", "c", "i", "d", "f"]), ("S2", ["a", "b", "h"]))
    await add_project("j", project=project, insert_after=t["a"])
    await expect((U, ["g"]), ("S1", ["e", "c", "i", "d", "f"]), ("S2", ["a", "j", "b", "h"]))
    # moves within the project with addProject: across sections, then within one
    await add_project("c", project=project, insert_after=t["g"])
    await expect((U, ["g", "c"]), ("S1", ["e", "i", "d", "f"]), ("S2", ["a", "j", "b", "h"]))
    await add_project("h", project=project, insert_before=t["a"])
    await expect((U, ["g", "c"]), ("S1", ["e", "i", "d", "f"]), ("S2", ["h", "a", "j", "b"]))
    await add_project("e", project=project)  # re-add without location: to the end of the project
    await expect((U, ["g", "c"]), ("S1", ["i", "d", "f"]), ("S2", ["h", "a", "j", "b", "e"]))
    await add_project("b", project=project, section=s0, insert_after=None)
    await expect((U, ["b", "g", "c"]), ("S1", ["i", "d", "f"]), ("S2", ["h", "a", "j", "e"]))
    # addTask: the top of the section by default, also when moving from another section
    await add_task(s1, "a")
    await expect((U, ["b", "g", "c"]), ("S1", ["a", "i", "d", "f"]), ("S2", ["h", "j", "e"]))
    await add_task(s1, "f")  # already in the section: moves to its top
    await expect((U, ["b", "g", "c"]), ("S1", ["f", "a", "i", "d"]), ("S2", ["h", "j", "e"]))
    # addTask before / after a task of that section (from another section, and within it)
    await add_task(s1, "g", insert_before="d")
    await expect((U, ["b", "c"]), ("S1", ["f", "a", "i", "g", "d"]), ("S2", ["h", "j", "e"]))
    await add_task(s1, "f", insert_after="d")
    await expect((U, ["b", "c"]), ("S1", ["a", "i", "g", "d", "f"]), ("S2", ["h", "j", "e"]))
    await add_task(s2, "a", insert_after="e")
    await expect((U, ["b", "c"]), ("S1", ["i", "g", "d", "f"]), ("S2", ["h", "j", "e", "a"]))
    await add_task(s0, "e", insert_before="b")
    await expect((U, ["e", "b", "c"]), ("S1", ["i", "g", "d", "f"]), ("S2", ["h", "j", "a"]))
    # moving sections carries their tasks along in the project order
    insert = f"/projects/{project}/sections/insert"
    assert ok(await client.post(insert, json={"data": {"section": s2, "before_section": s0}})) == {}
    await expect(("S2", ["h", "j", "a"]), (U, ["e", "b", "c"]), ("S1", ["i", "g", "d", "f"]))
    ok(await client.post(insert, json={"data": {"section": s1, "after_section": s2}}))
    await expect(("S2", ["h", "j", "a"]), ("S1", ["i", "g", "d", "f"]), (U, ["e", "b", "c"]))
    ok(await client.put(f"/sections/{s2}", json={"data": {"insert_after": s0}}))
    await expect(("S1", ["i", "g", "d", "f"]), (U, ["e", "b", "c"]), ("S2", ["h", "j", "a"]))
    # a new section in the middle, then tasks into it; the project's end is now its last section
    s3 = ok(
        await client.post(
            f"/projects/{project}/sections", json={"data": {"name": "S3", "insert_before": s0}}
        ),
        201,
    )["gid"]
    await expect(("S1", ["i", "g", "d", "f"]), ("S3", []), (U, ["e", "b", "c"]), ("S2", ["h", "j", "a"]))
    await add_task(s3, "d")
    await add_project("j", project=project, section=s3)
    await expect(("S1", ["i", "g", "f"]), ("S3", ["d", "j"]), (U, ["e", "b", "c"]), ("S2", ["h", "a"]))
    # created with projects: the end of the project; with memberships: the bottom of the section
    await make_task(client, world, name="k", projects=[project])
    await make_task(client, world, name="l", memberships=[{"project": project, "section": s3}])
    await expect(
        ("S1", ["i", "g", "f"]), ("S3", ["d", "j", "l"]), (U, ["e", "b", "c"]), ("S2", ["h", "a", "k"])
    )
    # leaving: removeProject and deleting a task close the gap; deleting an emptied section
    ok(await client.post(f"/tasks/{t['g']}/removeProject", json={"data": {"project": project}}))
    ok(await client.delete(f"/tasks/{t['b']}"))
    await expect(("S1", ["i", "f"]), ("S3", ["d", "j", "l"]), (U, ["e", "c"]), ("S2", ["h", "a", "k"]))
    for name in "if":
        ok(await client.post(f"/sections/{s3}/addTask", json={"data": {"task": t[name]}}))
    ok(await client.delete(f"/sections/{s1}"))
    await expect(("S3", ["f", "i", "d", "j", "l"]), (U, ["e", "c"]), ("S2", ["h", "a", "k"]))


async def test_tasks_in_two_projects_are_ordered_independently(client, world):
    one, (a0, a1) = await project_with_sections(client, world, "A1")
    two, (b0,) = await project_with_sections(client, world)
    x = await make_task(client, world, name="x", projects=[one, two])
    y = await make_task(client, world, name="y", projects=[one, two])
    ok(await client.post(f"/sections/{a0}/addTask", json={"data": {"task": y}}))
    ok(await client.post(f"/sections/{b0}/addTask", json={"data": {"task": x, "insert_after": y}}))
    assert await layout(client, one) == [("Untitled section", ["y"]), ("A1", ["x"])]
    assert await layout(client, two) == [("Untitled section", ["y", "x"])]
    # addTask into a section of a project the task is not in adds it to that project
    z = await make_task(client, world, name="z", projects=[two])
    ok(await client.post(f"/sections/{a1}/addTask", json={"data": {"task": z}}))
    assert await layout(client, one) == [("Untitled section", ["y"]), ("A1", ["z", "x"])]
    assert await layout(client, two) == [("Untitled section", ["y", "x", "z"])]
    data = ok(await client.get(f"/tasks/{z}?opt_fields=memberships.section.name,memberships.project.name"))
    assert sorted((m["project"]["gid"], m["section"]["gid"]) for m in data["memberships"]) == sorted(
        [(two, b0), (one, a1)]
    )
    for project in (one, two):
        stored_invariants(world, project)


async def test_many_inserts_at_one_spot_keep_their_order(client, world):
    """Inserting again and again right after the same item uses up the gap between positions,
    which renumbers the list: the order (and the project order built on it) must survive."""
    project, (s0, s1) = await project_with_sections(client, world, "Last")
    first = await make_task(client, world, name="first", memberships=[{"project": project, "section": s0}])
    await make_task(client, world, name="last", memberships=[{"project": project, "section": s1}])
    expected_sections = ["Untitled section", "Last"]
    expected_tasks = ["first"]
    for i in range(26):
        ok(
            await client.post(
                f"/projects/{project}/sections", json={"data": {"name": f"N{i}", "insert_after": s0}}
            ),
            201,
        )
        expected_sections.insert(1, f"N{i}")
        task = await make_task(client, world, name=f"t{i}")
        ok(await client.post(f"/sections/{s0}/addTask", json={"data": {"task": task, "insert_after": first}}))
        expected_tasks.insert(1, f"t{i}")
    got = await layout(client, project)
    assert [name for name, _ in got] == expected_sections
    assert got[0] == ("Untitled section", expected_tasks)
    assert got[-1] == ("Last", ["last"])
    stored_invariants(world, project)
    # and the same with moves (sections/insert and addTask of tasks already placed)
    sections = [s["gid"] for s in ok(await client.get(f"/projects/{project}/sections"))]
    tasks = [t["gid"] for t in ok(await client.get(f"/sections/{s0}/tasks"))]
    for gid in sections[2:-1]:  # each just before N25, the second section
        ok(
            await client.post(
                f"/projects/{project}/sections/insert",
                json={"data": {"section": gid, "before_section": sections[1]}},
            )
        )
    for gid in tasks[2:]:
        ok(
            await client.post(
                f"/sections/{s0}/addTask", json={"data": {"task": gid, "insert_before": tasks[0]}}
            )
        )
    got = await layout(client, project)
    names = expected_sections
    assert [name for name, _ in got] == [names[0], *names[2:-1], names[1], "Last"]
    assert got[0][1] == expected_tasks[2:] + expected_tasks[:2]
    stored_invariants(world, project)
