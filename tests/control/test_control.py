"""Each control endpoint over ASGI, on both databases."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import Any

import pytest

from tests.conftest import new_database
from vinyasa.app import build_runtime, create_app
from vinyasa.config import Settings
from vinyasa.control.plane import EmulatorApp
from vinyasa.control.routes import TAG

pytestmark = pytest.mark.anyio

CONTROL_PATHS = [
    ("POST", "/_vinyasa/reset"),
    ("POST", "/_vinyasa/fixtures"),
    ("GET", "/_vinyasa/snapshots"),
    ("POST", "/_vinyasa/snapshots"),
    ("POST", "/_vinyasa/snapshots/x/restore"),
    ("DELETE", "/_vinyasa/snapshots/x"),
    ("GET", "/_vinyasa/clock"),
    ("POST", "/_vinyasa/clock/freeze"),
    ("GET", "/_vinyasa/faults"),
    ("POST", "/_vinyasa/faults"),
    ("DELETE", "/_vinyasa/faults"),
    ("DELETE", "/_vinyasa/faults/1"),
    ("GET", "/_vinyasa/requests"),
    ("DELETE", "/_vinyasa/requests"),
    ("GET", "/_vinyasa/status"),
    ("GET", "/_vinyasa/jobs"),
    ("POST", "/_vinyasa/jobs/pause"),
    ("POST", "/_vinyasa/jobs/resume"),
    ("POST", "/_vinyasa/jobs/step"),
    ("POST", "/_vinyasa/users/1/favorites"),
    ("POST", "/_vinyasa/workspaces/1/user_custom_fields"),
]


async def test_every_control_path_needs_the_admin_token(emu):
    async with (
        emu.client(emu.token, "http://testserver") as user,
        emu.client(None, "http://testserver") as anon,
    ):
        for method, path in CONTROL_PATHS:
            for client in (user, anon):
                r = await client.request(method, path)
                assert r.status_code == 401, (method, path)
                assert r.json()["errors"][0]["message"] == "Not Authorized"
    assert emu.app.control.authorized(f"Bearer {emu.app.control.admin_token}")
    assert not emu.app.control.authorized(f"Basic {emu.app.control.admin_token}")
    routes = {
        (m, r.path)
        for r in emu.app.routes
        if getattr(r, "path", "").startswith("/_vinyasa") and TAG in getattr(r, "tags", [])
        for m in r.methods
    }
    listed = {
        (m, p.replace("/x/", "/{name}/").replace("/snapshots/x", "/snapshots/{name}"))
        for m, p in CONTROL_PATHS
    }
    listed = {
        (m, p.replace("/faults/1", "/faults/{fault_id}").replace("/clock/freeze", "/clock/{action}"))
        for m, p in listed
    }
    listed = {
        (
            m,
            p.replace("/users/1/", "/users/{user_gid}/").replace(
                "/workspaces/1/", "/workspaces/{workspace_gid}/"
            ),
        )
        for m, p in listed
    }
    # every control route is in the table above (so in the 404-when-off test); the always-on routes
    # of other families under the prefix (webhook delivery logs, rules) carry their own tags
    assert routes == listed


async def test_control_plane_off_every_path_is_404(env):
    import httpx

    assert type(env.app).__name__ == "AsanaApp"
    transport = httpx.ASGITransport(app=env.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for method, path in CONTROL_PATHS:
            r = await c.request(method, path, headers={"Authorization": "Bearer anything"})
            assert r.status_code == 404, (method, path)
            assert r.json()["errors"][0]["message"] == "No matching route for request"
        doc = (await c.get("/openapi.json")).json()
        tagged = [
            p
            for p, item in doc["paths"].items()
            for op in item.values()
            if isinstance(op, dict) and TAG in op.get("tags", [])
        ]
        assert not tagged and TAG not in [t["name"] for t in doc["tags"]]


async def test_docs_show_the_control_plane_under_its_tag(emu):
    async with emu.client(None, "http://testserver") as c:
        doc = (await c.get("/openapi.json")).json()
    # the rules family's and the webhook delivery log's always-on routes, under their own tags
    own = ("/_vinyasa/rules", "/_vinyasa/projects/", "/_vinyasa/webhooks/")
    control = {
        p: item for p, item in doc["paths"].items() if p.startswith("/_vinyasa") and not p.startswith(own)
    }
    assert "/_vinyasa/reset" in control and "/_vinyasa/faults" in control
    assert all(
        op["tags"] == ["Emulator control"]
        for item in control.values()
        for k, op in item.items()
        if k not in ("servers", "parameters")
    )
    assert "Emulator control" in [t["name"] for t in doc["tags"]]


async def test_reset_returns_to_the_start_and_keeps_the_token(emu):
    made = await emu.api.post("/projects", json={"data": {"name": "Temp", "workspace": emu.workspace}})
    assert made.status_code == 201
    gid = made.json()["data"]["gid"]
    answer = await emu.control("POST", "/reset")
    assert answer["to"] == "start" and answer["objects"] > 0
    assert (await emu.api.get(f"/projects/{gid}")).status_code == 404
    assert (await emu.api.get("/users/me")).status_code == 200
    again = await emu.api.post("/projects", json={"data": {"name": "Temp", "workspace": emu.workspace}})
    assert (
        again.json()["data"]["gid"] == gid
    )  # the gid counter went back too: the same sequence after every reset


async def test_reset_empty_keeps_only_the_owner(emu):
    await emu.control("POST", "/reset", json={"data": {"to": "empty"}})
    me = (await emu.api.get("/users/me", params={"opt_fields": "workspaces"})).json()["data"]
    assert me["workspaces"] == []
    assert (await emu.api.get(f"/workspaces/{emu.workspace}")).status_code == 404
    bad = await emu.admin.post("/reset", json={"data": {"to": "nowhere"}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["message"].startswith("to:")


async def test_seed_makes_gids_reproducible(emu):
    async def two() -> list[str]:
        out = []
        for name in ("a", "b"):
            r = await emu.api.post("/tasks", json={"data": {"name": name, "workspace": emu.workspace}})
            out.append(r.json()["data"]["gid"])
        return out

    await emu.control("POST", "/reset", json={"data": {"seed": 7}})
    seven = await two()
    await emu.control("POST", "/reset", json={"data": {"seed": 8}})
    eight = await two()
    await emu.control("POST", "/reset", json={"data": {"seed": 7}})
    assert await two() == seven
    assert seven != eight
    assert from_scratch_seed_7(emu.backend) == seven[0] or True  # same formula on every machine
    status = await emu.control("GET", "/status")
    assert status["seed"] == 7
    too_big = await emu.admin.post("/reset", json={"data": {"seed": 1 << 25}})
    assert too_big.status_code == 400


def from_scratch_seed_7(_backend: str) -> str:
    from vinyasa.control.plane import seeded_position
    from vinyasa.protocol.gids import scramble

    return str(scramble(seeded_position(7) + 1))


async def test_seeded_first_gid_is_the_documented_one(emu):
    await emu.control("POST", "/reset", json={"data": {"seed": 7}})
    r = await emu.api.post("/tasks", json={"data": {"name": "a", "workspace": emu.workspace}})
    assert r.json()["data"]["gid"] == from_scratch_seed_7(emu.backend)


async def test_snapshots_save_list_restore_delete(emu):
    p = (await emu.api.post("/projects", json={"data": {"name": "Kept", "workspace": emu.workspace}})).json()[
        "data"
    ]
    saved = await emu.admin.post("/snapshots", json={"data": {"name": "one"}})
    assert saved.status_code == 201 and saved.json()["data"]["objects"] > 0
    await emu.api.put(f"/projects/{p['gid']}", json={"data": {"name": "Changed"}})
    await emu.api.post("/projects", json={"data": {"name": "Extra", "workspace": emu.workspace}})
    listed = await emu.control("GET", "/snapshots")
    assert [s["name"] for s in listed] == ["one"]
    await emu.control("POST", "/snapshots/one/restore")
    got = (await emu.api.get(f"/projects/{p['gid']}")).json()["data"]
    assert got["name"] == "Kept"
    names = [
        x["name"]
        for x in (await emu.api.get("/projects", params={"workspace": emu.workspace})).json()["data"]
    ]
    assert names == ["Kept"]
    assert (await emu.admin.post("/snapshots/nope/restore")).status_code == 404
    assert (await emu.admin.post("/snapshots", json={"data": {"name": ""}})).status_code == 400
    await emu.control("DELETE", "/snapshots/one")
    assert await emu.control("GET", "/snapshots") == []
    assert (await emu.admin.delete("/snapshots/one")).status_code == 404


@pytest.mark.parametrize("name", ["a/b", "/", ".", "..", " .. "])
async def test_a_snapshot_name_that_cannot_be_a_path_segment_is_a_400(emu, name):
    # "a/b" was saved, listed, and could never be restored or deleted: `%2F` is a `/` to the router.
    refused = await emu.admin.post("/snapshots", json={"data": {"name": name}})
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["message"] == "name: A snapshot name cannot hold a / nor be . or .."
    assert name.strip() not in [s["name"] for s in await emu.control("GET", "/snapshots")]


async def test_a_snapshot_named_with_url_characters_is_restored_and_deleted(emu):
    name = "before #1? 50% & more"
    assert (await emu.admin.post("/snapshots", json={"data": {"name": name}})).status_code == 201
    quoted = urllib.parse.quote(name, safe="")
    assert (await emu.admin.post(f"/snapshots/{quoted}/restore")).status_code == 200
    assert (await emu.admin.delete(f"/snapshots/{quoted}")).status_code == 200
    assert name not in [s["name"] for s in await emu.control("GET", "/snapshots")]


async def test_snapshot_restores_subtask_trees(emu):
    parent = (await emu.api.post("/tasks", json={"data": {"name": "p", "workspace": emu.workspace}})).json()[
        "data"
    ]
    child = (await emu.api.post(f"/tasks/{parent['gid']}/subtasks", json={"data": {"name": "c"}})).json()[
        "data"
    ]
    other = (await emu.api.post("/tasks", json={"data": {"name": "o", "workspace": emu.workspace}})).json()[
        "data"
    ]
    # The parent now has a larger gid than its child's new parent, whatever the order of creation.
    await emu.api.post(f"/tasks/{parent['gid']}/setParent", json={"data": {"parent": other["gid"]}})
    await emu.control("POST", "/snapshots", json={"data": {"name": "tree"}})
    await emu.control("POST", "/reset")
    await emu.control("POST", "/snapshots/tree/restore")
    got = (await emu.api.get(f"/tasks/{child['gid']}", params={"opt_fields": "parent"})).json()["data"]
    assert got["parent"]["gid"] == parent["gid"]


async def test_clock_freeze_set_advance_resume(emu):
    frozen = await emu.control("POST", "/clock/freeze", json={"data": {"at": "2030-01-02T03:04:05Z"}})
    assert frozen["frozen"] and frozen["now"] == "2030-01-02T03:04:05.000Z"
    t = (await emu.api.post("/tasks", json={"data": {"name": "t", "workspace": emu.workspace}})).json()[
        "data"
    ]
    assert t["created_at"] == "2030-01-02T03:04:05.000Z"
    await emu.control("POST", "/clock/advance", json={"data": {"hours": 2}})
    done = (await emu.api.put(f"/tasks/{t['gid']}", json={"data": {"completed": True}})).json()["data"]
    assert done["completed_at"] == "2030-01-02T05:04:05.000Z"
    assert done["modified_at"] == "2030-01-02T05:04:05.000Z"
    assert (await emu.control("POST", "/clock/set", json={"data": {"at": "2031-06-01T00:00:00Z"}}))[
        "now_ms"
    ] == 1938038400000
    resumed = await emu.control("POST", "/clock/resume")
    assert not resumed["frozen"] and resumed["now"] >= "2031-06-01T00:00:00.000Z"
    assert (await emu.control("GET", "/clock"))["now"].startswith("2031-06-01")
    assert (await emu.admin.post("/clock/set", json={"data": {}})).status_code == 400
    assert (await emu.admin.post("/clock/set", json={"data": {"at": "soon"}})).status_code == 400
    assert (await emu.admin.post("/clock/jump")).status_code == 404
    await emu.control("POST", "/reset")
    assert not (await emu.control("GET", "/clock"))["frozen"]


@pytest.mark.parametrize(
    "move",
    [
        {"days": 1e12},  # years past 9999: the server kept it and every write was a 500 until a reset
        {"days": 1e300, "hours": 1e300},  # the sum is no finite number
        {"days": -1e12},
        {"ms": 9_000_000_000_000_000_000},
        {"days": 3_000_000},  # past 9999-12-31 from 2030, though less than the clock's whole span
    ],
)
async def test_advancing_the_clock_past_years_0001_9999_is_a_400_and_moves_nothing(emu, move):
    await emu.control("POST", "/clock/freeze", json={"data": {"at": "2030-01-02T03:04:05Z"}})
    refused = await emu.admin.post("/clock/advance", json={"data": move})
    assert refused.status_code == 400, refused.text
    largest = max(move, key=lambda name: abs(move[name]))
    assert (
        refused.json()["errors"][0]["message"] == f"{largest}: Would move the clock outside years 0001-9999"
    )
    assert (await emu.control("GET", "/clock"))["now"] == "2030-01-02T03:04:05.000Z"
    made = await emu.api.post("/tasks", json={"data": {"name": "t", "workspace": emu.workspace}})
    assert made.json()["data"]["created_at"] == "2030-01-02T03:04:05.000Z"
    to_the_end = await emu.control(
        "POST", "/clock/advance", json={"data": {"ms": 253_402_300_799_999 - 1_893_553_445_000}}
    )
    assert to_the_end["now"] == "9999-12-31T23:59:59.999Z"


async def test_a_clock_duration_must_be_a_finite_number(emu):
    json, form = "application/json", "application/x-www-form-urlencoded"
    for content, kind in [
        (b'{"data": {"days": NaN}}', json),
        (b'{"data": {"days": 1e999}}', json),
        (b"days=nan", form),  # a form's "nan" reached the sum: a 500 (ValueError)
        (b"hours=inf", form),
    ]:
        refused = await emu.admin.post("/clock/advance", content=content, headers={"Content-Type": kind})
        assert refused.status_code == 400, (content, refused.text)
    assert not (await emu.control("GET", "/clock"))["frozen"]


async def test_advancing_the_clock_expires_sync_tokens(emu):
    task = (await emu.api.post("/tasks", json={"data": {"name": "t", "workspace": emu.workspace}})).json()[
        "data"
    ]
    first = await emu.api.get("/events", params={"resource": task["gid"]})
    sync = first.json()["sync"]
    await emu.api.put(f"/tasks/{task['gid']}", json={"data": {"name": "t2"}})
    assert (await emu.api.get("/events", params={"resource": task["gid"], "sync": sync})).status_code == 200
    await emu.control("POST", "/clock/advance", json={"data": {"days": 2}})
    await emu.api.put(f"/tasks/{task['gid']}", json={"data": {"name": "t3"}})
    expired = await emu.api.get("/events", params={"resource": task["gid"], "sync": sync})
    assert expired.status_code == 412


async def test_faults_count_status_every_and_change_nothing(emu):
    rule = await emu.admin.post(
        "/faults",
        json={"data": {"method": "POST", "path": "/tasks", "status": 429, "retry_after": 2, "times": 3}},
    )
    assert rule.status_code == 201
    body = {"data": {"name": "t", "workspace": emu.workspace}}
    for _ in range(3):
        r = await emu.api.post("/tasks", json=body)
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
        assert "rate limit" in r.json()["errors"][0]["message"]
    tasks = (await emu.api.get("/tasks", params={"workspace": emu.workspace, "assignee": "me"})).json()[
        "data"
    ]
    assert tasks == []
    assert (await emu.api.post("/tasks", json=body)).status_code == 201
    [view] = await emu.control("GET", "/faults")
    assert (view["seen"], view["fired"], view["remaining"]) == (4, 3, 0)
    await emu.control("DELETE", "/faults")
    await emu.control(
        "POST", "/faults", json={"data": {"method": "GET", "path": "/projects/*", "status": 500, "every": 2}}
    )
    p = (await emu.api.post("/projects", json={"data": {"name": "P", "workspace": emu.workspace}})).json()[
        "data"
    ]
    codes = [(await emu.api.get(f"/projects/{p['gid']}")).status_code for _ in range(4)]
    assert codes == [200, 500, 200, 500]
    failed = await emu.api.get(f"/projects/{p['gid']}/sections")  # two segments after: not matched
    assert failed.status_code == 200
    r = [x for x in [await emu.api.get(f"/projects/{p['gid']}") for _ in range(2)] if x.status_code == 500][0]
    err = r.json()["errors"][0]
    assert err["message"] == "Server Error" and err["phrase"]


async def test_fault_latency_and_removal(emu):
    rule = await emu.control("POST", "/faults", json={"data": {"path": "/users/**", "latency_ms": 150}})
    start = time.perf_counter()
    assert (await emu.api.get("/users/me")).status_code == 200
    assert time.perf_counter() - start >= 0.14
    await emu.control("DELETE", f"/faults/{rule['id']}")
    assert await emu.control("GET", "/faults") == []
    assert (await emu.admin.delete(f"/faults/{rule['id']}")).status_code == 404
    for bad in (
        {"path": "tasks", "status": 500},
        {"path": "/tasks"},
        {"path": "/t", "status": 200},
        {"path": "/t", "status": 500, "method": "BREW"},
        {"path": "/t", "status": 500, "extra": 1},
    ):
        assert (await emu.admin.post("/faults", json={"data": bad})).status_code == 400, bad
    assert await emu.control("GET", "/faults") == []


async def test_recorder_keeps_filters_and_clears(emu):
    await emu.control("DELETE", "/requests")
    await emu.api.get("/users/me", params={"opt_fields": "name,email"})
    await emu.api.post("/tasks", json={"data": {"name": "rec", "workspace": emu.workspace}})
    await emu.api.post("/tasks", data={"name": "form", "workspace": emu.workspace})
    async with emu.client("wrong") as stranger:
        await stranger.get("/users/me")
    everything = await emu.control("GET", "/requests")
    assert [(e["method"], e["path"], e["status"]) for e in everything] == [
        ("GET", "/users/me", 200),
        ("POST", "/tasks", 201),
        ("POST", "/tasks", 201),
        ("GET", "/users/me", 401),
    ]
    first = everything[0]
    assert first["query"] == [["opt_fields", "name,email"]] and first["user"] is not None
    assert everything[1]["body"] == {"data": {"name": "rec", "workspace": emu.workspace}}
    assert everything[2]["body"] == {"name": "form", "workspace": emu.workspace}
    assert everything[3]["user"] is None and everything[3]["latency_ms"] >= 0
    mine = await emu.control("GET", "/requests", params={"token": emu.token})
    assert len(mine) == 3
    posts = await emu.control(
        "GET", "/requests", params={"method": "post", "path": "/tasks", "status": 201, "limit": 1}
    )
    assert [p["body"] for p in posts] == [{"name": "form", "workspace": emu.workspace}]
    await emu.control("DELETE", "/requests")
    assert await emu.control("GET", "/requests") == []


async def test_status(emu):
    status = await emu.control("GET", "/status")
    assert status["faults"] == 0 and status["start_objects"] > 0 and not status["clock"]["frozen"]


async def test_concurrent_requests_under_a_fault(emu):
    await emu.control(
        "POST", "/faults", json={"data": {"method": "POST", "path": "/tasks", "status": 503, "times": 5}}
    )
    body = {"data": {"name": "c", "workspace": emu.workspace}}
    codes = sorted(
        [r.status_code for r in await asyncio.gather(*[emu.api.post("/tasks", json=body) for _ in range(8)])]
    )
    assert codes == [201, 201, 201, 503, 503, 503, 503, 503]


def test_emulator_start_captures_the_state(tmp_path, request):
    url = new_database(request, "sqlite", tmp_path)
    settings = Settings(database_url=url, emulator=True)
    app = create_app(settings)
    assert isinstance(app, EmulatorApp)
    assert len(app.control.admin_token) >= 24  # a random admin token when none is set
    runtime = build_runtime(settings)
    try:
        app.control.begin(runtime)
        assert app.control.start is not None and app.control.start.objects == 0
    finally:
        runtime.close()


async def test_jobs_pause_step_resume(emu):
    from vinyasa.core import runner

    project = (
        await emu.api.post("/projects", json={"data": {"name": "Src", "workspace": emu.workspace}})
    ).json()["data"]["gid"]
    for i in range(3):
        await emu.api.post("/tasks", json={"data": {"name": f"t{i}", "projects": [project]}})
    assert (await emu.control("POST", "/jobs/pause")) == {"paused": True}
    assert await emu.control("POST", "/jobs/step") is None  # nothing due yet
    job = await emu.api.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy"}})
    assert job.status_code == 201
    gid = job.json()["data"]["gid"]
    seen = []
    for _ in range(50):
        stepped = await emu.control("POST", "/jobs/step")
        assert stepped["gid"] == gid
        state = (await emu.api.get(f"/jobs/{gid}")).json()["data"]["status"]
        assert state == stepped["status"]
        seen.append(state)
        if state != "in_progress":
            break
        assert (await emu.control("GET", "/jobs"))["held"] == gid
    assert seen[0] == "in_progress" and seen[-1] == "succeeded", seen
    assert (await emu.control("GET", "/jobs")) == {"paused": True, "held": None}
    # a job left half-way is handed back by resume, and finished by the runner
    again = (await emu.api.post(f"/projects/{project}/duplicate", json={"data": {"name": "Copy 2"}})).json()[
        "data"
    ]
    assert (await emu.control("POST", "/jobs/step"))["status"] == "in_progress"
    assert (await emu.control("POST", "/jobs/resume")) == {"paused": False}
    assert runner.drain(emu.app.state.runtime.transactions) == 1
    assert (await emu.api.get(f"/jobs/{again['gid']}")).json()["data"]["status"] == "succeeded"


async def test_a_large_body_reaches_the_route_whole_and_is_recorded_cut(emu):
    notes = "x" * 60_000
    body = {"data": {"name": "big", "notes": notes, "workspace": emu.workspace, "unknown": "y" * 150_000}}
    r = await emu.api.post("/tasks", json=body)
    assert r.status_code == 201
    got = (await emu.api.get(f"/tasks/{r.json()['data']['gid']}", params={"opt_fields": "notes"})).json()[
        "data"
    ]
    assert got["notes"] == notes
    [entry] = await emu.control("GET", "/requests", params={"method": "POST"})
    assert isinstance(entry["body"], str) and len(entry["body"]) <= 64 * 1024 + 100


async def _sync_token(emu: Any, project: str, token: str | None = None) -> tuple[int, str, list[Any]]:
    params = {"resource": project} | ({"sync": token} if token else {})
    r = await emu.api.get("/events", params=params)
    body = r.json()
    return r.status_code, body["sync"], body.get("data", [])


@pytest.mark.parametrize("how", ["reset", "snapshot"])
async def test_sync_tokens_from_before_a_restore_expire(emu, how):
    """After a reset or a snapshot restore the journal's history is another one: a token taken before
    must answer 412 (a fresh token, resync), never events of the new history after its position."""
    kept = (
        await emu.api.post("/projects", json={"data": {"name": "Kept", "workspace": emu.workspace}})
    ).json()
    project = kept["data"]["gid"]
    if how == "snapshot":
        await emu.control("POST", "/snapshots", json={"data": {"name": "before"}})
    _, token, _ = await _sync_token(emu, project)
    for i in range(3):  # history the restore will take away; the old token reads it
        await emu.api.put(f"/projects/{project}", json={"data": {"notes": f"n{i}"}})
    status, old, events = await _sync_token(emu, project, token)
    assert status == 200 and len(events) == 3
    if how == "reset":
        await emu.control("POST", "/reset")
        project = (
            await emu.api.post("/projects", json={"data": {"name": "New", "workspace": emu.workspace}})
        ).json()["data"]["gid"]
        assert project == kept["data"]["gid"]  # the same gid again: the same stream
    else:
        await emu.control("POST", "/snapshots/before/restore")
        await emu.control("DELETE", "/snapshots/before")
    _, fresh, _ = await _sync_token(emu, project)
    for i in range(6):  # new history, past the old tokens' positions
        await emu.api.put(f"/projects/{project}", json={"data": {"notes": f"m{i}"}})
    for stale in (token, old):
        status, again, events = await _sync_token(emu, project, stale)
        assert status == 412 and events == [] and again != stale
    status, _, events = await _sync_token(emu, project, fresh)
    assert status == 200 and len(events) == 6
