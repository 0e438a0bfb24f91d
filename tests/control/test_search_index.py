"""The search index across the emulator's control plane (vinyasa.control): a reset, a reset to
empty and a snapshot's restore leave text searches finding exactly the objects of the state they
put back, whatever was indexed or queued (SQLite: vinyasa.search.indexing) when it happened."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ok

pytestmark = pytest.mark.anyio


async def _found(emu: Any, text: str, kind: str = "tasks") -> list[str]:
    got = ok(await emu.api.get(f"/workspaces/{emu.workspace}/{kind}/search", params={"text": text}))
    return [t["name"] for t in got]


async def test_searches_follow_resets_and_restores(emu) -> None:
    c = emu.api
    made = ok(
        await c.post("/tasks", json={"data": {"name": "Quarterly plan", "workspace": emu.workspace}}), 201
    )
    assert await _found(emu, "quarterly") == ["Quarterly plan"]  # indexed now
    await emu.control("POST", "/snapshots", json={"data": {"name": "one"}})
    ok(await c.put(f"/tasks/{made['gid']}", json={"data": {"name": "Annual plan"}}))  # queued
    other = ok(
        await c.post("/tasks", json={"data": {"name": "Quarterly other", "workspace": emu.workspace}}), 201
    )
    await emu.control("POST", "/snapshots", json={"data": {"name": "two"}})  # with the queue
    assert sorted(await _found(emu, "plan")) == ["Annual plan"]
    await emu.control("POST", "/snapshots/one/restore")
    assert await _found(emu, "quarterly") == ["Quarterly plan"]
    assert await _found(emu, "annual") == []
    await emu.control("POST", "/snapshots/two/restore")
    assert await _found(emu, "quarterly") == ["Quarterly other"]
    assert await _found(emu, "annual") == ["Annual plan"]
    ok(await c.delete(f"/tasks/{other['gid']}"))
    await emu.control("POST", "/reset")
    assert await _found(emu, "quarterly") == [] and await _found(emu, "annual") == []
    ok(await c.post("/tasks", json={"data": {"name": "Quarterly again", "workspace": emu.workspace}}), 201)
    await emu.control("POST", "/reset", json={"data": {"to": "empty"}})  # no workspace to search
    await emu.control("POST", "/snapshots/two/restore")
    assert await _found(emu, "quarterly") == ["Quarterly other"]
    await emu.control("DELETE", "/snapshots/one")
    await emu.control("DELETE", "/snapshots/two")


async def test_resets_while_an_idle_runner_catches_the_index_up(emu) -> None:
    """The emulator's in-process runner indexing the queue whenever idle, while the control plane
    copies a start image over the database, restores snapshots and the API writes and searches."""
    from vinyasa.core import runner

    worker = runner.Runner(emu.app.state.runtime.transactions, poll=0.001, workers=2)
    worker.start()
    try:
        c = emu.api
        for round_ in range(6):
            gids = []
            for i in range(5):
                body = {"data": {"name": f"Round{round_} item{i}", "workspace": emu.workspace}}
                gids.append(ok(await c.post("/tasks", json=body), 201)["gid"])
            ok(await c.put(f"/tasks/{gids[0]}", json={"data": {"name": f"Renamed{round_}"}}))
            await emu.control("POST", "/snapshots", json={"data": {"name": f"r{round_}"}})
            ok(await c.delete(f"/tasks/{gids[1]}"))
            assert len(await _found(emu, f"round{round_}")) == 3
            await emu.control("POST", "/snapshots/" + f"r{round_}" + "/restore")
            assert len(await _found(emu, f"round{round_}")) == 4
            assert await _found(emu, f"renamed{round_}") == [f"Renamed{round_}"]
            await emu.control("POST", "/reset")
            assert await _found(emu, f"round{round_}") == [] and await _found(emu, "renamed") == []
            await emu.control("DELETE", "/snapshots/" + f"r{round_}")
    finally:
        await worker.stop()
