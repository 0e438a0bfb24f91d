"""Tags through the official asana SDK: TagsApi and TasksApi's tag operations."""

from __future__ import annotations

import uuid

import asana
import pytest
from asana.rest import ApiException


def test_tags_and_task_tags(live):
    client = live.client()
    tags, tasks = asana.TagsApi(client), asana.TasksApi(client)
    word = f"tag{uuid.uuid4().hex[:8]}"
    tag = tags.create_tag({"data": {"name": word, "workspace": live.workspace, "color": "dark-red"}}, {})
    assert tag["name"] == word and tag["color"] == "dark-red" and tag["workspace"]["gid"] == live.workspace
    other = tags.create_tag_for_workspace({"data": {"name": f"{word}-2"}}, live.workspace, {})
    assert tags.get_tag(tag["gid"], {"opt_fields": "name,notes"}) == {
        "gid": tag["gid"],
        "name": word,
        "notes": "",
    }
    assert tags.update_tag({"data": {"notes": "N"}}, tag["gid"], {})["notes"] == "N"
    listed = {t["gid"] for t in tags.get_tags({"workspace": live.workspace, "limit": 1})}
    assert {tag["gid"], other["gid"]} <= listed  # the generator follows next_page
    assert {tag["gid"], other["gid"]} <= {t["gid"] for t in tags.get_tags_for_workspace(live.workspace, {})}
    a, b = (
        tasks.create_task({"data": {"name": n, "workspace": live.workspace}}, {})["gid"] for n in ("A", "B")
    )
    assert tasks.add_tag_for_task({"data": {"tag": tag["gid"]}}, a) == {}
    tasks.add_tag_for_task({"data": {"tag": tag["gid"]}}, b)
    assert [t["gid"] for t in tags.get_tags_for_task(a, {})] == [tag["gid"]]
    assert [t["gid"] for t in tasks.get_tasks_for_tag(tag["gid"], {"limit": 1})] == [a, b]
    assert [t["name"] for t in tasks.get_task(a, {"opt_fields": "tags.name"})["tags"]] == [word]
    found = tasks.search_tasks_for_workspace(live.workspace, {"tags.any": tag["gid"], "opt_fields": "name"})
    assert sorted(t["name"] for t in found) == ["A", "B"]
    assert tasks.remove_tag_for_task({"data": {"tag": tag["gid"]}}, b) == {}
    assert [t["gid"] for t in tasks.get_tasks_for_tag(tag["gid"], {})] == [a]
    with pytest.raises(ApiException) as err:
        tasks.add_tag_for_task({"data": {"tag": "1"}}, a)
    assert err.value.status == 400
    assert tags.delete_tag(other["gid"]) == {}
    with pytest.raises(ApiException) as err:
        tags.get_tag(other["gid"], {})
    assert err.value.status == 404
