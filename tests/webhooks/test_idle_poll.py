"""An idle delivery worker looks for work less and less often (vinyasa.webhooks.worker.idle_after):
the wait doubles from `webhook_poll_interval` up to `webhook_idle_poll_interval`, and a ring or any
work brings it back to the poll at once."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import World
from tests.webhooks.helpers import fast
from vinyasa.webhooks.worker import Deliverer, idle_after


def test_the_wait_doubles_up_to_the_idle_interval(world: World) -> None:
    settings = fast(world.env, webhook_poll_interval=0.01, webhook_idle_poll_interval=0.25)
    waits = [0.01]
    for _ in range(7):
        waits.append(idle_after(waits[-1], settings))
    assert waits == [0.01, 0.02, 0.04, 0.08, 0.16, 0.25, 0.25, 0.25]
    # An idle interval below the poll is the poll.
    assert (
        idle_after(0.01, fast(world.env, webhook_poll_interval=0.01, webhook_idle_poll_interval=0.001))
        == 0.01
    )


def _counting_rounds(deliverer: Deliverer) -> list[float]:
    """Record when each of the worker's rounds looks for sends."""
    looks: list[float] = []
    start_sends = deliverer._start_sends

    def counted() -> Any:
        looks.append(time.monotonic())
        return start_sends()

    deliverer._start_sends = counted  # type: ignore[method-assign]
    return looks


def test_an_idle_worker_looks_rarely_and_a_ring_brings_it_back_at_once(world: World) -> None:
    settings = fast(world.env, webhook_poll_interval=0.01, webhook_idle_poll_interval=0.4)
    deliverer = Deliverer(world.env.engine, settings)
    looks = _counting_rounds(deliverer)
    deliverer.start()
    try:
        time.sleep(1.5)
        idle_looks = len(looks)
        # At the 10 ms poll alone this would be ~150 looks; backing off, ~10 (0.01 + 0.02 + ... 0.4 ...).
        assert 3 <= idle_looks <= 20, idle_looks
        rung = time.monotonic()
        deliverer.wake()
        deadline = time.monotonic() + 5
        while len(looks) == idle_looks and time.monotonic() < deadline:
            time.sleep(0.001)
        assert len(looks) > idle_looks
        assert looks[idle_looks] - rung < 0.2  # not the 0.4 s idle wait
    finally:
        deliverer.stop()
