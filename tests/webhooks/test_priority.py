"""The delivery child as the server starts it (vinyasa.webhooks.worker.DeliveryProcess) runs behind
the requests with the configured scheduling (`webhook_priority`: vinyasa.core.priority), on every
one of its threads, and still delivers."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import World
from tests.helpers import ok
from tests.projects.helpers import make_project
from tests.tasks.helpers import make_task
from tests.webhooks.helpers import fast, make_webhook
from tests.webhooks.receiver import receiving
from vinyasa.webhooks.worker import DeliveryProcess

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and SCHED_IDLE"),
]


def _threads(pid: int) -> list[int]:
    return [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]


def _scheduling(pid: int) -> set[tuple[int, int]]:
    """(policy, niceness) of each thread of the process."""
    return {(os.sched_getscheduler(tid), os.getpriority(os.PRIO_PROCESS, tid)) for tid in _threads(pid)}


def _wait_for(pid: int, wanted: tuple[int, int]) -> None:
    """Until the child (importing for a second or two after the spawn) set its scheduling."""
    deadline = time.monotonic() + 30
    while _scheduling(pid) != {wanted} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _scheduling(pid) == {wanted}


@pytest.mark.parametrize("priority", ["idle", "nice"])
async def test_the_child_runs_with_the_chosen_policy_and_delivers(
    client, world: World, priority: str
) -> None:
    own_nice = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = (os.SCHED_IDLE, own_nice) if priority == "idle" else (os.SCHED_OTHER, min(19, own_nice + 7))
    project = (await make_project(client, world))["gid"]
    with receiving() as rx:
        await make_webhook(client, project, rx.url)
        child = DeliveryProcess(fast(world.env, webhook_priority=priority, webhook_nice=7))
        child.start()
        try:
            pid = child._process.pid
            assert pid is not None
            _wait_for(pid, wanted)
            task = await make_task(client, world, "T", projects=[project])
            ok(await client.put(f"/tasks/{task}", json={"data": {"notes": "seen"}}))
            events = [e for r in rx.wait(1, timeout=30) for e in r.events]
            assert {"gid": task, "resource_type": "task", "resource_subtype": "default_task"} in [
                e["resource"] for e in events
            ]
            assert len(_threads(pid)) > 1 and _scheduling(pid) == {wanted}  # its worker's threads too
        finally:
            child.stop()


def test_without_sched_idle_the_niceness_is_used() -> None:
    """Where the system has no SCHED_IDLE the niceness is added instead (in a process of its own,
    whose os module lacks SCHED_IDLE as on other Unixes)."""
    script = (
        "import os; del os.SCHED_IDLE; from vinyasa.core.priority import lower_priority; "
        "print(lower_priority('idle', 7), os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    own_nice = os.getpriority(os.PRIO_PROCESS, 0)
    assert done.stdout.split() == ["nice", str(os.SCHED_OTHER), str(min(19, own_nice + 7))]
